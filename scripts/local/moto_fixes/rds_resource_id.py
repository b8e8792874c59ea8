"""Every RDS instance gets its own DbiResourceId.

moto: every DB instance has the same ``DbiResourceId`` (``db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U``), so
two instances cannot be told apart by it, and IAM database authentication ARNs
(``rds-db:...:dbuser:<DbiResourceId>/...``) of two stacks collide.

AWS: ``DbiResourceId`` is unique to each instance, ``db-`` followed by 26 upper-case letters and
digits, and never changes.
"""

import random
import string
from typing import Any, Callable

from moto.rds.models import DBInstance

from ._patch import replace

NAME = "rds-unique-resource-id"

_ALPHABET = string.ascii_uppercase + string.digits
_random = random.SystemRandom()


def new_resource_id() -> str:
    """new_resource_id makes an id shaped like AWS's: ``db-`` and 26 letters and digits."""
    return "db-" + "".join(_random.choice(_ALPHABET) for _ in range(26))


def _build(init: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.dbi_resource_id = new_resource_id()

    return patched


def apply() -> None:
    """apply gives each new DB instance a resource id of its own."""
    replace(DBInstance, "__init__", _build)
