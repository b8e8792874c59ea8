"""Helpers shared by the fixes: replace a method only if it is still the one the fix expects."""

from typing import Any, Callable


class FixError(RuntimeError):
    """FixError says that a fix does not fit the installed moto (a method moved or was renamed)."""


def original(owner: Any, name: str) -> Callable[..., Any]:
    """original returns owner.name, the method a fix wraps or replaces, or raises FixError."""
    found = owner.__dict__.get(name)
    if found is None or not callable(found):
        raise FixError(f"{owner.__module__}.{owner.__qualname__}.{name} is missing")
    return found


def replace(owner: Any, name: str, build: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """replace sets owner.name to build(original method); applying it twice is a no-op."""
    current = original(owner, name)
    if getattr(current, "__local_cloud_fix__", False):
        return
    patched = build(current)
    patched.__local_cloud_fix__ = True  # type: ignore[attr-defined]
    patched.__name__ = name
    patched.__doc__ = current.__doc__
    setattr(owner, name, patched)
