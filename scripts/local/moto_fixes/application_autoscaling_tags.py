"""Application Auto Scaling keeps the tags of scalable targets, brings a new ECS target's count
into its range and deregisters a target whole.

moto: RegisterScalableTarget ignores ``Tags``, and TagResource, UntagResource and
ListTagsForResource are not implemented, so a scalable target can never be found by its tags.
Registering an ECS service leaves its desired count as it is, even outside the new range.
DeregisterScalableTarget leaves the target's scaling policies and scheduled actions behind, and
a target or policy that does not exist is a ``ValidationException``.

AWS: a scalable target (by its ScalableTargetARN) carries the tags it was registered with and
takes TagResource and UntagResource; ListTagsForResource returns them, and an unknown ARN is a
``ResourceNotFoundException``. Registering a new target of an active resource changes its
current capacity to a value inside the range (an ECS service's desired count is raised to the
minimum or lowered to the maximum). Deregistering a target deletes its scaling policies (with their
alarms) and scheduled actions; deregistering an unknown target, or deleting an unknown policy,
is an ``ObjectNotFoundException``.
"""

import json
from typing import Any, Callable

from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.exceptions import JsonRESTError

from ._patch import FixError, replace

NAME = "application-autoscaling-tags"


def _target_by_arn(backend: ApplicationAutoscalingBackend, arn: str) -> Any:
    for by_resource in backend.targets.values():
        for target in by_resource.values():
            if target.arn == arn:
                return target
    raise JsonRESTError("ResourceNotFoundException", f"No scalable target found for ARN {arn}")


def _register(register: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: ApplicationAutoScalingResponse) -> Any:
        backend = self.applicationautoscaling_backend
        existed = backend._scalable_target_exists(
            self._get_param("ResourceId"), self._get_param("ScalableDimension")
        )
        result = register(self)
        if not existed:
            target = _target_by_arn(backend, json.loads(result)["ScalableTargetARN"])
            target.tags = dict(self._get_param("Tags") or {})
            if target.service_namespace == "ecs":
                _clamp_service(backend, target)
        return result

    return patched


def _clamp_service(backend: ApplicationAutoscalingBackend, target: Any) -> None:
    _, cluster, name = target.resource_id.split("/")
    services, _ = backend.ecs_backend.describe_services(cluster, [name])
    for service in services:
        low = target.min_capacity if target.min_capacity is not None else service.desired_count
        high = target.max_capacity if target.max_capacity is not None else service.desired_count
        service.desired_count = min(max(service.desired_count, low), high)


def _deregister(deregister: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: ApplicationAutoscalingBackend, namespace: str, r_id: str, dimension: str
    ) -> None:
        if not self._scalable_target_exists(r_id, dimension):
            raise JsonRESTError(
                "ObjectNotFoundException",
                f"No scalable target found for service namespace: {namespace}, resource ID: {r_id}, scalable dimension: {dimension}",
            )
        deregister(self, namespace, r_id, dimension)
        for key, policy in list(self.policies.items()):
            if (policy.service_namespace, policy.resource_id, policy.scalable_dimension) == (
                namespace,
                r_id,
                dimension,
            ):
                policy.delete_alarms(self.account_id, self.region_name)
                del self.policies[key]
        self.scheduled_actions = [
            action
            for action in self.scheduled_actions
            if (action.service_namespace, action.resource_id, action.scalable_dimension)
            != (namespace, r_id, dimension)
        ]

    return patched


def _delete_policy(delete: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: ApplicationAutoscalingBackend,
        policy_name: str,
        service_namespace: str,
        resource_id: str,
        scalable_dimension: str,
    ) -> None:
        key = f"{service_namespace}\t{resource_id}\t{scalable_dimension}\t{policy_name}"
        if key not in self.policies:
            raise JsonRESTError(
                "ObjectNotFoundException",
                f"No scaling policy found for service namespace: {service_namespace}, resource ID: {resource_id}, scalable dimension: {scalable_dimension}, policy name: {policy_name}",
            )
        delete(self, policy_name, service_namespace, resource_id, scalable_dimension)

    return patched


def tag_resource(self: ApplicationAutoScalingResponse) -> str:
    target = _target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
    target.tags = {**getattr(target, "tags", {}), **(self._get_param("Tags") or {})}
    return json.dumps({})


def untag_resource(self: ApplicationAutoScalingResponse) -> str:
    target = _target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
    removed = set(self._get_param("TagKeys") or [])
    target.tags = {k: v for k, v in getattr(target, "tags", {}).items() if k not in removed}
    return json.dumps({})


def list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
    target = _target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
    return json.dumps({"Tags": getattr(target, "tags", {})})


ADDED = {
    "tag_resource": tag_resource,
    "untag_resource": untag_resource,
    "list_tags_for_resource": list_tags_for_resource,
}


def apply() -> None:
    """apply adds tags to scalable targets and makes a deregistration take what hangs on it."""
    replace(ApplicationAutoScalingResponse, "register_scalable_target", _register)
    replace(ApplicationAutoscalingBackend, "deregister_scalable_target", _deregister)
    replace(ApplicationAutoscalingBackend, "delete_scaling_policy", _delete_policy)
    for name, method in ADDED.items():
        current = ApplicationAutoScalingResponse.__dict__.get(name)
        if current is method:
            continue
        if current is not None:
            raise FixError(f"moto now implements ApplicationAutoScalingResponse.{name}")
        setattr(ApplicationAutoScalingResponse, name, method)
