"""CloudWatch dashboards take tags.

moto: PutDashboard drops its ``Tags``, and TagResource on a dashboard ARN is
``ResourceNotFoundException`` (moto lets only alarms be tagged), so a dashboard can never say
which stack owns it; DeleteDashboards leaves the tags of what it deleted behind.

AWS: PutDashboard tags a dashboard it creates (an update leaves the tags as they are), TagResource,
UntagResource and ListTagsForResource take dashboard ARNs, and a deleted dashboard's tags go
with it.
"""

from typing import Any, Callable

from moto.cloudwatch.models import CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse

from ._patch import replace

NAME = "cloudwatch-dashboard-tags"


def _build_put(put: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any) -> Any:
        name = self._get_param("DashboardName")
        is_new = name not in self.cloudwatch_backend.dashboards
        result = put(self)
        tags = self._get_param("Tags", [])
        dashboard = self.cloudwatch_backend.dashboards.get(name)
        if is_new and tags and dashboard is not None:
            self.cloudwatch_backend.tagger.tag_resource(dashboard.arn, tags)
        return result

    return patched


def _build_tag(tag: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, arn: str, tags: list[dict[str, str]]) -> None:
        if any(dashboard.arn == arn for dashboard in self.dashboards.values()):
            self.tagger.tag_resource(arn, tags)
            return
        tag(self, arn, tags)

    return patched


def _build_delete(delete: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, dashboards: list[str]) -> Any:
        arns = [self.dashboards[name].arn for name in dashboards if name in self.dashboards]
        error = delete(self, dashboards)
        if error is None:
            for arn in arns:
                self.tagger.delete_all_tags_for_resource(arn)
        return error

    return patched


def apply() -> None:
    """apply lets dashboards carry tags from PutDashboard to DeleteDashboards."""
    replace(CloudWatchResponse, "put_dashboard", _build_put)
    replace(CloudWatchBackend, "tag_resource", _build_tag)
    replace(CloudWatchBackend, "delete_dashboards", _build_delete)
