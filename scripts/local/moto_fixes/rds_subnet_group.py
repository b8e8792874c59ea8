"""ModifyDBSubnetGroup keeps the group.

moto: ModifyDBSubnetGroup takes the group out of its store (``pop``) and never puts it back:
the group is returned once, then DescribeDBSubnetGroups says it does not exist and every
database that uses it points at nothing. An unknown group is an HTTP 500.

AWS: the group keeps its name and gets the new subnets and description;
an unknown group is ``DBSubnetGroupNotFoundFault``.
"""

from typing import Any, Callable

from moto.rds.exceptions import DBSubnetGroupNotFoundError
from moto.rds.models import RDSBackend

from ._patch import replace

NAME = "rds-modify-subnet-group-keeps-it"


def _build(_modify: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, subnet_name: str, description: str, subnets: list[Any]) -> Any:
        subnet_group = self.subnet_groups.get(subnet_name)
        if subnet_group is None:
            raise DBSubnetGroupNotFoundError(subnet_name)
        subnet_group.subnets = subnets
        if description is not None:
            subnet_group.description = description
        return subnet_group

    return patched


def apply() -> None:
    """apply makes ModifyDBSubnetGroup change the group in place."""
    replace(RDSBackend, "modify_db_subnet_group", _build)
