"""An Auto Scaling group spreads its instances over the availability zones of its subnets.

moto: every instance a group launches goes to the first subnet of its VPCZoneIdentifier, so a
group over two zones runs all its instances in one.

AWS: a group balances its instances across its zones: each launch goes to the zone with the
fewest instances of the group.
"""

from typing import Any, Callable

from moto.autoscaling.models import FakeAutoScalingGroup

from ._patch import replace

NAME = "autoscaling-balanced-zones"


def _least_used_subnet(group: FakeAutoScalingGroup, subnet_ids: list[str]) -> str:
    """_least_used_subnet is the first of the group's subnets whose zone has the fewest instances."""
    subnets = group.autoscaling_backend.ec2_backend.describe_subnets(subnet_ids=subnet_ids)
    zone_of = {subnet.id: subnet.availability_zone for subnet in subnets}
    in_zone = dict.fromkeys(zone_of.values(), 0)
    for state in group.active_instances():
        zone = zone_of.get(getattr(state.instance, "subnet_id", None))
        if zone is not None:
            in_zone[zone] += 1
    return min(subnet_ids, key=lambda subnet_id: in_zone.get(zone_of.get(subnet_id), 0))


def _build(launch: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: FakeAutoScalingGroup, count_needed: int, propagated_tags: dict[str, str]) -> Any:
        subnet_ids = [s for s in (self.vpc_zone_identifier or "").split(",") if s]
        if len(subnet_ids) < 2:
            return launch(self, count_needed, propagated_tags)
        configured = self.vpc_zone_identifier
        try:
            for _ in range(count_needed):
                # one launch at a time, each in the zone with the fewest instances
                self.vpc_zone_identifier = _least_used_subnet(self, subnet_ids)
                launch(self, 1, dict(propagated_tags))
        finally:
            self.vpc_zone_identifier = configured
        return None

    return patched


def apply() -> None:
    """apply makes a group launch each instance in its least used zone."""
    replace(FakeAutoScalingGroup, "replace_autoscaling_group_instances", _build)
