"""The one way to copy between layers, instead of writing each entity's fields once more per layer:

- `from_row(Type, row, **computed)`: a strawberry type from a model row. Every field of the type is read from
  the row's attribute of the same name (private fields too); only fields that are computed or named
  differently are written out.
- `InputMap(Input, Data, ...)`: a GraphQL input into a service dataclass, copying same-named fields. A field
  the client did not send (strawberry's UNSET) is left out, so the dataclass default applies: the service's
  own UNSET for partial updates; a null list becomes the dataclass's empty default. Global IDs are decoded by
  the resolver and passed as keywords.

Every InputMap is recorded in MAPS; tests/api/test_mapping.py fails when an input, its dataclass and the
type it writes drift apart (a field one has and the other lacks), unless the map declares the difference."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import strawberry

_ROW_FIELDS: dict[type[Any], tuple[str, ...]] = {}
_LIST_FIELDS: dict[type[Any], frozenset[str]] = {}


def _init_fields(cls: type[Any]) -> tuple[str, ...]:
    names = _ROW_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
        _ROW_FIELDS[cls] = names
    return names


_PLAIN: dict[type[Any], bool] = {}


def _plain(cls: type[Any]) -> bool:
    """Whether `cls`'s __init__ only assigns its init fields (the others, strawberry's resolver fields, have
    no default for it to assign; no __post_init__, no slots), so that filling its __dict__ makes the same
    object."""
    plain = _PLAIN.get(cls)
    if plain is None:
        plain = (
            all(
                f.init or (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
                for f in dataclasses.fields(cls)
            )
            and not hasattr(cls, "__post_init__")
            and not hasattr(cls, "__slots__")
        )
        _PLAIN[cls] = plain
    return plain


def from_row[T](cls: type[T], row: object, /, **computed: Any) -> T:
    """`cls` with each field copied from `row`'s attribute of the same name, except those in `computed`."""
    names = _init_fields(cls)
    if not _plain(cls):
        return cls(**{name: getattr(row, name) for name in names if name not in computed}, **computed)
    # A page of 50 products builds 50 of these: the generated __init__'s assignments one by one cost more
    # than filling the instance's dict at once.
    instance: T = object.__new__(cls)
    values = instance.__dict__
    for name in names:
        values[name] = computed[name] if name in computed else getattr(row, name)
    return instance


def _listed(cls: type[Any]) -> frozenset[str]:
    """Fields of a dataclass whose default is made by a factory (an empty list)."""
    names = _LIST_FIELDS.get(cls)
    if names is None:
        names = frozenset(
            f.name for f in dataclasses.fields(cls) if f.default_factory is not dataclasses.MISSING
        )
        _LIST_FIELDS[cls] = names
    return names


MAPS: list[InputMap[Any, Any]] = []


@dataclass(frozen=True, eq=False)
class InputMap[I, D]:
    """How one GraphQL input becomes one service dataclass."""

    input: type[I]
    data: type[D]
    # Input fields the resolver converts itself (global IDs to integers) and passes as keywords.
    decoded: tuple[str, ...] = ()
    # Input fields the dataclass has no use for (the `id` of an update is an argument of the service).
    skipped: tuple[str, ...] = ()
    # Dataclass fields the input does not offer (the service's default applies).
    absent: tuple[str, ...] = ()
    # List fields whose items are inputs themselves, each with its own map.
    nested: Mapping[str, InputMap[Any, Any]] = field(default_factory=dict)
    # The type the mutation answers with, and the input fields it does not show under the same name
    # (written through, read elsewhere: `group` is read as `group { code }`).
    output: type[Any] | None = None
    write_only: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        MAPS.append(self)

    def __call__(self, value: I, **decoded: Any) -> D:
        assert set(decoded) == set(self.decoded), f"{self.input.__name__}: decode {self.decoded}"
        values: dict[str, Any] = {}
        for name in _init_fields(self.input):
            if name in self.skipped or name in self.decoded:
                continue
            item = getattr(value, name)
            if item is strawberry.UNSET or (item is None and name in _listed(self.data)):
                continue  # unsent, or null for a list the dataclass defaults to empty
            nested = self.nested.get(name)
            if nested is not None and item is not None:
                item = [nested(i) for i in item]
            values[name] = item
        return self.data(**values, **decoded)
