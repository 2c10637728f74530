"""Relay plumbing: opaque global IDs and offset cursors, page sizes and `nodes(ids)` capped at 100."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.relay import GlobalID
from strawberry.types import Info

from services.common.errors import CommonErrorCode, DomainError, FieldProblem

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_NODE_IDS = 100
# Row ids are 64-bit on PostgreSQL and SQLite: a larger number (or 0, or a negative one) names no row, and
# would overflow the database driver (a 500) if it reached a query.
MAX_ROW_ID = 2**63 - 1


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str, field: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "o":
            raise ValueError(cursor)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _bad(field, "Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.") from exc


@dataclass(frozen=True, slots=True)
class Window:
    offset: int
    limit: int
    backwards: bool = False


def page_window(
    first: int | None, after: str | None, last: int | None, before: str | None, total: int | None
) -> Window:
    """Offset and limit of the requested page. `last`/`before` need the total count."""
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise _bad(name, f"Từ 0 đến {MAX_PAGE_SIZE}.", f"Between 0 and {MAX_PAGE_SIZE}.")
    start = decode_cursor(after, "after") + 1 if after else 0
    if last is None and before is None:
        return Window(start, DEFAULT_PAGE_SIZE if first is None else first)
    end = decode_cursor(before, "before") if before else (total or 0)
    end = max(end, start)
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    return Window(start, end - start, backwards=True)


def decode_id(value: GlobalID | str, expected: str, field: str) -> int:
    try:
        gid = value if isinstance(value, GlobalID) else GlobalID.from_id(value)
        if gid.type_name != expected:
            raise ValueError(gid.type_name)
        row_id = row_id_of(gid.node_id)
        if row_id is None:
            raise ValueError(gid.node_id)
        return row_id
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise _bad(field, f"Mã {expected} không hợp lệ.", f"Not a valid {expected} ID.") from exc


def row_id_of(node_id: str) -> int | None:
    """The row id a global ID's node part names, or None when it names none (not decimal digits, 0, past
    64 bits)."""
    if not (node_id.isascii() and node_id.isdigit()) or len(node_id) > 19:
        return None
    row_id = int(node_id)
    return row_id if 0 < row_id <= MAX_ROW_ID else None


def decode_optional_id(value: GlobalID | str | None, expected: str, field: str) -> int | None:
    """`decode_id` for an optional argument or filter field: None stays None."""
    return None if value is None else decode_id(value, expected, field)


async def nodes_by_ids[Row, Node](
    node_ids: Iterable[str],
    fetch: Callable[[list[int]], Awaitable[Mapping[int, Row]]],
    make: Callable[[Row], Node],
) -> list[Node | None]:
    """A `resolve_nodes`: the rows a service lets the caller see, fetched at once, as types in the order
    asked; None for an ID that is not found or not visible (the two look the same)."""
    ids = [row_id_of(i) for i in node_ids]
    found = await fetch([i for i in ids if i is not None])
    return [make(found[i]) if i is not None and i in found else None for i in ids]


def check_node_ids(ids: Iterable[object]) -> None:
    """`nodes(ids)` takes at most MAX_NODE_IDS IDs: refused (INVALID on `ids`) before any is decoded."""
    if len(list(ids)) > MAX_NODE_IDS:
        raise _bad("ids", f"Tối đa {MAX_NODE_IDS} mã mỗi lần.", f"At most {MAX_NODE_IDS} IDs per request.")


class MaxNodeIds(FieldExtension):
    """The `check_node_ids` cap on a field's `ids` argument, before its resolver runs."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        check_node_ids(kwargs.get("ids") or ())
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        check_node_ids(kwargs.get("ids") or ())
        return await next_(source, info, **kwargs)


def _bad(field: str, message: str, message_en: str) -> DomainError:
    return DomainError([FieldProblem(field, CommonErrorCode.INVALID, message, message_en)])
