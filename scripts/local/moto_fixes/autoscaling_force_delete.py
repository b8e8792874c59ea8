"""DeleteAutoScalingGroup honours ForceDelete.

moto: DeleteAutoScalingGroup ignores ``ForceDelete``: it scales the group to 0, which leaves
the instances protected from scale-in running (without a group), and deletes a group that still
has instances without being asked to.

AWS: with ForceDelete the group is deleted with all its instances, protected ones included;
without it, a group that still has instances is not deleted (``ResourceInUse``).
"""

from typing import Any, Callable

from moto.autoscaling.exceptions import AutoscalingClientError
from moto.autoscaling.responses import AutoScalingResponse

from ._patch import replace

NAME = "autoscaling-force-delete"


class ResourceInUse(AutoscalingClientError):
    # moto names the service of an error after the module of its class
    __module__ = AutoscalingClientError.__module__
    code = "ResourceInUse"


def _build(delete: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: AutoScalingResponse) -> Any:
        group = self.autoscaling_backend.autoscaling_groups.get(
            self._get_param("AutoScalingGroupName")
        )
        if group is not None and group.instance_states:
            if not self._get_bool_param("ForceDelete", False):
                raise ResourceInUse(
                    "You cannot delete an AutoScalingGroup while there are instances or "
                    "pending Spot instance request(s) still in the group."
                )
            ids = [state.instance.id for state in group.instance_states]
            self.autoscaling_backend.ec2_backend.terminate_instances(ids)
            group.instance_states = []
        return delete(self)

    return patched


def apply() -> None:
    """apply makes DeleteAutoScalingGroup terminate every instance with ForceDelete, and refuse without."""
    replace(AutoScalingResponse, "delete_auto_scaling_group", _build)
