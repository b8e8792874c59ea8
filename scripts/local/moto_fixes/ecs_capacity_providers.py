"""ECS DescribeCapacityProviders without names lists the account's capacity providers.

moto: DescribeCapacityProviders needs ``capacityProviders``; without it the server fails with
HTTP 500, so a tool cannot list the capacity providers it may own.

AWS: without names it returns every capacity provider of the account and region (the ones
created with CreateCapacityProvider, and FARGATE and FARGATE_SPOT), page by page.
"""

from typing import Any, Callable

from moto.ecs.models import EC2ContainerServiceBackend

from ._patch import replace

NAME = "ecs-list-capacity-providers"


def _build(describe: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: EC2ContainerServiceBackend, names: Any) -> Any:
        if not names:
            return list(self.capacity_providers.values()), []
        return describe(self, names)

    return patched


def apply() -> None:
    """apply makes DescribeCapacityProviders without names list every capacity provider."""
    replace(EC2ContainerServiceBackend, "describe_capacity_providers", _build)
