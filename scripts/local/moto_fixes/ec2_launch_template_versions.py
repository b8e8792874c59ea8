"""A launch template version made by CreateLaunchTemplateVersion launches instances with its user data.

moto: CreateLaunchTemplateVersion stores the version's UserData as plain text where
CreateLaunchTemplate stores it decoded from base64, and launching from such a version (an Auto
Scaling group scaling out or refreshing after the template changed) fails with HTTP 500.

AWS: every version of a launch template launches instances the same way, whichever call made it.
"""

from typing import Any, Callable

from moto.core.types import Base64EncodedString
from moto.ec2.models.launch_templates import LaunchTemplate
from moto.ec2.utils import parse_user_data

from ._patch import replace

NAME = "ec2-launch-template-version-user-data"


def _build(create_version: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: LaunchTemplate, data: dict[str, Any], description: str) -> Any:
        user_data = data.get("UserData")
        if user_data is not None and not isinstance(user_data, Base64EncodedString):
            data = {**data, "UserData": parse_user_data(user_data)}
        return create_version(self, data, description)

    return patched


def apply() -> None:
    """apply makes CreateLaunchTemplateVersion keep user data as CreateLaunchTemplate does."""
    replace(LaunchTemplate, "create_version", _build)
