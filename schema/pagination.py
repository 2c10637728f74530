"""Offset pagination of a queryset, or of a list already in memory, into Relay edges (cursor + node).

Every unbounded list of the API is a `Connection` with the same shape: `first`/`after`, `last`/`before`,
`edges { cursor node }`, `pageInfo` and `totalCount`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import strawberry
from tortoise.queryset import QuerySet

from schema.ids import Window, encode_cursor, page_window


@dataclass(slots=True)
class Page[M]:
    rows: list[M]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total: int | None


async def fetch_page[M](
    query: QuerySet[Any],
    order: Sequence[str],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    fetch: Callable[[list[int]], Awaitable[list[M]]] | None = None,
) -> Page[M]:
    """A page of `query`. With `fetch`, the page query reads only ids and `fetch` reads the rows."""
    total = await query.count() if (last is not None or before is not None) else None
    window: Window = page_window(first, after, last, before, total)
    # One row more than asked tells whether a next page exists without counting.
    page_query = query.order_by(*order).offset(window.offset).limit(window.limit + 1)
    if fetch is None:
        rows = list(await page_query)
    else:
        ids = cast(list[int], await page_query.values_list("id", flat=True))
        more = len(ids) > window.limit
        rows = await fetch(ids[: window.limit])
        rows += [None] * more  # type: ignore[list-item]  # keeps the "one more row" signal
    has_more = len(rows) > window.limit
    rows = rows[: window.limit]
    if window.backwards and total is not None:
        has_more = window.offset + len(rows) < total
    return Page(
        rows=rows,
        cursors=[encode_cursor(window.offset + i) for i in range(len(rows))],
        has_next_page=has_more,
        has_previous_page=window.offset > 0,
        total=total,
    )


def page_of_list[M](
    items: Sequence[M], first: int | None, after: str | None, last: int | None, before: str | None
) -> Page[M]:
    """A page of a list computed in full (e.g. figures grouped in SQL, then ordered): the same window and
    cursors as `fetch_page`, with the total known."""
    total = len(items)
    window: Window = page_window(first, after, last, before, total)
    rows = list(items[window.offset : window.offset + window.limit])
    return Page(
        rows=rows,
        cursors=[encode_cursor(window.offset + i) for i in range(len(rows))],
        has_next_page=window.offset + len(rows) < total,
        has_previous_page=window.offset > 0,
        total=total,
    )


NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):  # noqa: UP046 - strawberry resolves TypeVar generics only
    cursor: str
    node: NodeT


@strawberry.type(description="A page of a list, Relay style, with the total over all pages.")
class Connection(Generic[NodeT]):  # noqa: UP046 - strawberry resolves TypeVar generics only
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    query: strawberry.Private[QuerySet[Any] | None]
    known_total: strawberry.Private[int | None]

    @strawberry.field(description="Number of items matching the filter, over all pages.")
    async def total_count(self) -> int:
        if self.known_total is not None or self.query is None:
            return self.known_total or 0
        return await self.query.count()

    @classmethod
    def of(cls, page: Page[Any], nodes: list[NodeT], query: QuerySet[Any] | None = None) -> Connection[NodeT]:
        """The connection of a page; `query` counts the total when the page did not (forward paging)."""
        return cls(
            edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            query=query,
            known_total=page.total,
        )
