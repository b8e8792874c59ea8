"""Concurrent requests do not share response settings (ECS DescribeServices keeps its tags).

moto: whether a response includes optional parts (the ``tags`` of ECS DescribeServices with
``include: [TAGS]``, of DescribeClusters, DescribeTasks, EC2 key pairs, ...) is written into a
dictionary shared by every request of that service. In the threaded server, a DescribeServices
without ``include`` that runs at the same time as one with it can make the latter answer without
tags, and a reconciler then sees an owned service as untagged.

AWS: every request is answered on its own; ``include: [TAGS]`` always returns the tags.
"""

from typing import Any, Callable

from moto.core.responses import BaseResponse

from ._patch import replace

NAME = "per-request-response-settings"


def _build(init: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        # moto's include/exclude calls write into this dictionary: give each request its own copy
        # of the class's (never modified) one
        self.RESPONSE_KEY_PATH_TO_TRANSFORMER = dict(type(self).RESPONSE_KEY_PATH_TO_TRANSFORMER)

    return patched


def apply() -> None:
    """apply gives each response object its own copy of the response settings."""
    replace(BaseResponse, "__init__", _build)
