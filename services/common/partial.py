"""Partial updates: a dataclass field left UNSET was not sent, so the stored value stays (None clears it).
Services take such dataclasses for updates instead of dicts of whatever the caller sent."""

from __future__ import annotations

from enum import Enum
from typing import Any, Final


class Unset(Enum):
    """A field the caller did not send: a partial update keeps the stored value (None clears it)."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET


class Partial:
    """Reading a partial input: `has` tells a sent field from an unsent one; `get` reads None for unsent."""

    __slots__ = ()

    def has(self, name: str) -> bool:
        return getattr(self, name) is not UNSET

    def get(self, name: str) -> Any:
        value = getattr(self, name)
        return None if value is UNSET else value
