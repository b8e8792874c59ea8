"""The local cloud's fixes to moto 5.2.1: each module restores one AWS behaviour that a user
flow of this project needs (an apply that converges, a destroy that ends). Each module has a
docstring saying what moto does and what AWS does, and an ``apply()`` that patches moto's
classes in this process before the server starts; it raises ``FixError`` when the code it
patches is not the code it was written for, so a moto upgrade is noticed at once instead of
silently serving unfixed behaviour. The table of fixes is in docs/local.md.
"""

from . import (
    acm_certificates,
    application_autoscaling_tags,
    autoscaling_force_delete,
    autoscaling_instance_refresh,
    autoscaling_zones,
    cloudwatch_dashboard_tags,
    ec2_launch_template_pages,
    ec2_launch_template_versions,
    ecs_capacity_provider_names,
    ecs_capacity_providers,
    ecs_create_service,
    nat_gateway_delete,
    rds_resource_id,
    rds_subnet_group,
    response_state,
    tagging_rds_subnet_groups,
)
from ._patch import FixError

FIXES = [
    ecs_create_service,
    nat_gateway_delete,
    rds_resource_id,
    response_state,
    rds_subnet_group,
    acm_certificates,
    ecs_capacity_providers,
    ecs_capacity_provider_names,
    autoscaling_zones,
    autoscaling_force_delete,
    autoscaling_instance_refresh,
    ec2_launch_template_versions,
    tagging_rds_subnet_groups,
    cloudwatch_dashboard_tags,
    application_autoscaling_tags,
    ec2_launch_template_pages,
]

MOTO_VERSION = "5.2.1"

__all__ = ["FIXES", "MOTO_VERSION", "FixError", "apply_all", "names"]


def names() -> list[str]:
    """names lists the fixes by their short name, in the order they are applied."""
    return [fix.NAME for fix in FIXES]


def apply_all() -> list[str]:
    """apply_all patches moto with every fix and returns their names."""
    for fix in FIXES:
        fix.apply()
    return names()
