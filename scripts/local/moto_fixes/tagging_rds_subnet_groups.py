"""The Resource Groups Tagging API lists RDS DB subnet groups.

moto: GetResources knows RDS instances, clusters, snapshots and proxies, but no DB subnet group
(``rds:subgrp``), so a filter on it answers nothing even for a tagged group.

AWS: GetResources returns tagged DB subnet groups (ARN ``arn:aws:rds:<region>:<account>:subgrp:<name>``)
with their tags, for the resource type filters ``rds`` and ``rds:subgrp`` (or none), which lets
one call read the tags of every subnet group of a region instead of one ListTagsForResource each.
"""

from typing import Any, Callable, Iterator

from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend

from ._patch import replace

NAME = "tagging-rds-subnet-groups"


def _matches(tags: list[dict[str, str]], tag_filters: list[dict[str, Any]] | None) -> bool:
    """_matches: every filter matches one tag (its key, and one of its values when it has any)."""
    for tag_filter in tag_filters or []:
        values = tag_filter.get("Values") or []
        if not any(
            tag["Key"] == tag_filter["Key"] and (not values or tag["Value"] in values)
            for tag in tags
        ):
            return False
    return True


def _build(generate: Callable[..., Iterator[dict[str, Any]]]) -> Callable[..., Any]:
    def patched(
        self: Any,
        tag_filters: list[dict[str, Any]] | None = None,
        resource_type_filters: list[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        yield from generate(self, tag_filters, resource_type_filters)
        wanted = resource_type_filters or []
        if wanted and "rds" not in wanted and "rds:subgrp" not in wanted:
            return
        for group in self.rds_backend.subnet_groups.values():
            tags = list(group.tags or [])
            if tags and _matches(tags, tag_filters):
                yield {"ResourceARN": group.arn, "Tags": tags}

    return patched


def apply() -> None:
    """apply makes GetResources list the tagged DB subnet groups."""
    replace(ResourceGroupsTaggingAPIBackend, "_get_resources_generator", _build)
