"""ECS CreateCapacityProvider refuses a name that is taken.

moto: a second CreateCapacityProvider with a name in use replaces the first provider, its Auto
Scaling group, settings and tags included, and answers success, so a tool cannot tell a retry of
its own create from taking over somebody else's provider.

AWS: it fails with ClientException "The specified capacity provider already exists. To change
the configuration of an existing capacity provider, update the capacity provider."
"""

from typing import Any, Callable

from moto.ecs.exceptions import EcsClientException
from moto.ecs.models import EC2ContainerServiceBackend

from ._patch import replace

NAME = "ecs-capacity-provider-taken-name"

TAKEN = (
    "The specified capacity provider already exists. To change the configuration of an "
    "existing capacity provider, update the capacity provider."
)


def _build(create: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: EC2ContainerServiceBackend, name: str, *args: Any, **kwargs: Any) -> Any:
        if name in self.capacity_providers:
            raise EcsClientException(TAKEN)
        return create(self, name, *args, **kwargs)

    return patched


def apply() -> None:
    """apply makes CreateCapacityProvider fail on a name in use, as AWS does."""
    replace(EC2ContainerServiceBackend, "create_capacity_provider", _build)
