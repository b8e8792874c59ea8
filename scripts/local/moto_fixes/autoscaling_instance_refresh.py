"""Auto Scaling instance refreshes: StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh.

moto: the three operations do not exist (the server answers with an HTML error page), so a
new launch template version can never be rolled out to a group's instances.

AWS: StartInstanceRefresh replaces the group's instances, a few at a time, with instances of its
launch template (or of the ``DesiredConfiguration`` given, which the group takes on when the
refresh succeeds); ``SkipMatching`` leaves instances that already match. While one runs, another
is refused (``InstanceRefreshInProgress``). Here, as every state in moto, a refresh completes at
once: the instances are replaced and the refresh is ``Successful``. DescribeInstanceRefreshes
lists a group's refreshes, newest first; CancelInstanceRefresh without an active refresh is
``ActiveInstanceRefreshNotFound``.
"""

from typing import Any

from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random as random

from ._patch import FixError

NAME = "autoscaling-instance-refresh"

OPERATIONS = ["start_instance_refresh", "describe_instance_refreshes", "cancel_instance_refresh"]


class ActiveInstanceRefreshNotFound(AutoscalingClientError):
    # moto names the service of an error after the module of its class
    __module__ = AutoscalingClientError.__module__
    code = "ActiveInstanceRefreshNotFound"


def _refreshes(response: AutoScalingResponse, group_name: str) -> list[dict[str, Any]]:
    backend = response.autoscaling_backend
    if not hasattr(backend, "local_cloud_refreshes"):
        backend.local_cloud_refreshes = {}  # type: ignore[attr-defined]
    return backend.local_cloud_refreshes.setdefault(group_name, [])  # type: ignore[attr-defined]


def _group(response: AutoScalingResponse) -> Any:
    name = response._get_param("AutoScalingGroupName")
    group = response.autoscaling_backend.autoscaling_groups.get(name)
    if group is None:
        raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup '{name}' not found")
    return group


def start_instance_refresh(self: AutoScalingResponse) -> ActionResult:
    group = _group(self)
    params = self._get_params()
    desired = params.get("DesiredConfiguration") or {}
    preferences = params.get("Preferences") or {}
    if desired.get("LaunchTemplate"):
        group._set_launch_configuration(None, desired["LaunchTemplate"], None)
    replaced = [state for state in group.instance_states if state.lifecycle_state == "InService"]
    if replaced:
        ids = [state.instance.id for state in replaced]
        self.autoscaling_backend.ec2_backend.terminate_instances(ids)
        group.instance_states = [s for s in group.instance_states if s not in replaced]
        group.replace_autoscaling_group_instances(len(replaced), group.get_propagated_tags())
    now = utcnow()
    refresh = {
        "InstanceRefreshId": str(random.uuid4()),
        "AutoScalingGroupName": group.name,
        "Status": "Successful",
        "StatusReason": "",
        "StartTime": now,
        "EndTime": now,
        "PercentageComplete": 100,
        "InstancesToUpdate": 0,
        "Preferences": preferences,
    }
    if desired:
        refresh["DesiredConfiguration"] = desired
    _refreshes(self, group.name).insert(0, refresh)
    return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})


def describe_instance_refreshes(self: AutoScalingResponse) -> ActionResult:
    group = _group(self)
    wanted = self._get_param("InstanceRefreshIds") or []
    found = [r for r in _refreshes(self, group.name) if not wanted or r["InstanceRefreshId"] in wanted]
    return ActionResult({"InstanceRefreshes": found})


def cancel_instance_refresh(self: AutoScalingResponse) -> ActionResult:
    group = _group(self)
    active = [r for r in _refreshes(self, group.name) if r["Status"] in ("Pending", "InProgress")]
    if not active:
        raise ActiveInstanceRefreshNotFound("No in progress or pending Instance Refresh found")
    active[0]["Status"] = "Cancelled"
    return ActionResult({"InstanceRefreshId": active[0]["InstanceRefreshId"]})


def apply() -> None:
    """apply adds the three instance refresh operations to moto's Auto Scaling server."""
    for name, operation in zip(
        OPERATIONS, [start_instance_refresh, describe_instance_refreshes, cancel_instance_refresh]
    ):
        current = AutoScalingResponse.__dict__.get(name)
        if getattr(current, "__local_cloud_fix__", False):
            continue
        if current is not None:
            raise FixError(f"moto.autoscaling.responses.AutoScalingResponse.{name} exists already")
        operation.__local_cloud_fix__ = True  # type: ignore[attr-defined]
        setattr(AutoScalingResponse, name, operation)
