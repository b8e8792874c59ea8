"""DescribeLaunchTemplates pages its answer.

moto: DescribeLaunchTemplates answers the first ``MaxResults`` templates (15 when not given)
and no ``NextToken``, so a region with more templates than that seems to hold only fifteen:
the templates of the other stacks are never observed, and apply tries to create them again
(with more than fifteen stacks of the reference spec, apply fails on "exists but is not owned").

AWS: the answer is paged: each page holds at most ``MaxResults`` templates and a ``NextToken``
while more remain.
"""

from typing import Any, Callable

from moto.core.responses import ActionResult
from moto.ec2.responses.launch_templates import LaunchTemplates

from ._patch import replace

NAME = "ec2-launch-template-pages"

DEFAULT_PAGE = 15


def _build(_describe: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any) -> ActionResult:
        max_results = self._get_int_param("MaxResults", DEFAULT_PAGE)
        start = int(self._get_param("NextToken") or 0)
        filters = self._filters_from_querystring()
        self.error_on_dryrun()
        templates = self.ec2_backend.describe_launch_templates(
            template_names=self._get_param("LaunchTemplateNames", []),
            template_ids=self._get_param("LaunchTemplateIds", []),
            filters=filters,
        )
        page = templates[start : start + max_results]
        result: dict[str, Any] = {
            "LaunchTemplates": [
                {
                    "CreateTime": template.create_time,
                    "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
                    "DefaultVersionNumber": template.default_version_number,
                    "LatestVersionNumber": template.latest_version_number,
                    "LaunchTemplateId": template.id,
                    "LaunchTemplateName": template.name,
                    "Tags": template.tags,
                }
                for template in page
            ]
        }
        if start + max_results < len(templates):
            result["NextToken"] = str(start + max_results)
        return ActionResult(result)

    return patched


def apply() -> None:
    """apply makes DescribeLaunchTemplates return every template, page by page."""
    replace(LaunchTemplates, "describe_launch_templates", _build)
