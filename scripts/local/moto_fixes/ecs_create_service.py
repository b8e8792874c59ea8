"""ECS CreateService keeps the settings it is given.

moto: CreateService reads a fixed list of parameters and ignores the rest, among them
``deploymentConfiguration`` (circuit breaker, minimum and maximum percent),
``healthCheckGracePeriodSeconds`` and ``enableECSManagedTags``; DescribeServices then reports
them unset, although UpdateService stores the very same settings.

AWS: a new service has every setting CreateService was given, so a plan right after an apply
shows no change.
"""

from typing import Any, Callable

from moto.core.utils import camelcase_to_underscores
from moto.ecs.responses import EC2ContainerServiceResponse

from ._patch import replace

NAME = "ecs-create-service-settings"

# The CreateService parameters that UpdateService also takes and moto's CreateService ignores.
KEPT_ON_CREATE = [
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "capacityProviderStrategy",
    "placementConstraints",
    "placementStrategy",
    "availabilityZoneRebalancing",
]


def _build(create_service: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: EC2ContainerServiceResponse) -> Any:
        result = create_service(self)
        service = result.result["service"]
        for parameter in KEPT_ON_CREATE:
            value = self._get_param(parameter)
            if value is not None:
                # the attribute UpdateService sets for the same parameter
                setattr(service, camelcase_to_underscores(parameter), value)
        return result

    return patched


def apply() -> None:
    """apply makes CreateService store what UpdateService would store."""
    replace(EC2ContainerServiceResponse, "create_service", _build)
