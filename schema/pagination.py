"""Offset pagination of a queryset, or of a list already in memory, into Relay edges (cursor + node).

Every unbounded list of the API is a `Connection` with the same shape: `first`/`after`, `last`/`before`,
`edges { cursor node }`, `pageInfo` and `totalCount`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, cast

import strawberry
from pypika_tortoise.analytics import RowNumber
from pypika_tortoise.enums import Order
from strawberry.types import Info
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from schema.fast import direct
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


async def fetch_child_pages[M: Model](
    query: QuerySet[M],
    parent: str,
    parents: Sequence[int],
    order: Sequence[str],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> dict[int, Page[M]]:
    """The same page of one child list (`parent` is its foreign key column, e.g. `product_id`) for many
    parents, in three statements whatever their number, reading only the page's rows: the children counted
    per parent, the ids of each page by `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY order)`, then the
    page's rows. For a DataLoader of connections on a page of parents (`Product.lots`)."""
    page_window(first, after, last, before, 0)  # a bad argument is refused before any query
    keys = list(dict.fromkeys(parents))
    scoped = query.filter(**{f"{parent}__in": keys})
    counted = await scoped.annotate(children=Count("id")).group_by(parent).values(parent, "children")
    totals: dict[int, int] = {row[parent]: row["children"] for row in counted}
    windows = {key: page_window(first, after, last, before, totals.get(key, 0)) for key in keys}
    model = query.model
    table = model._meta.basetable
    columns = model._meta.fields_db_projection
    number = RowNumber().over(table[columns[parent]])
    for name in order:
        column = columns[name.lstrip("-")]
        number = number.orderby(table[column], order=Order.desc if name.startswith("-") else Order.asc)
    numbered = scoped.annotate(page_row=number).values("id", parent, "page_row")
    # One range of row numbers per distinct window (forward paging: one for all); one row more than the
    # page tells whether another follows. The values inlined are integers computed here.
    ranges: dict[tuple[int, int], list[int]] = {}
    for key, window in windows.items():
        ranges.setdefault((window.offset, window.offset + window.limit + 1), []).append(key)
    wanted = " OR ".join(
        f"(w.{parent} IN ({', '.join(str(int(k)) for k in ids)}) AND w.page_row > {int(low)} "
        f"AND w.page_row <= {int(high)})"
        for (low, high), ids in ranges.items()
    )
    numbered._choose_db_if_not_chosen()
    numbered._make_query()
    sql, params = numbered.query.get_parameterized_sql()
    found = await numbered._db.execute_query_dict(
        f"SELECT w.id, w.{parent}, w.page_row FROM ({sql}) w WHERE {wanted} ORDER BY w.page_row",  # noqa: S608
        params,
    )
    # Read even when no row is wanted, so that a request costs the same statements whatever the data.
    rows = {row.pk: row for row in await query.filter(id__in=[f["id"] for f in found])}
    grouped: dict[int, list[M]] = {key: [] for key in keys}
    for f in found:
        if f["id"] in rows:
            grouped[f[parent]].append(rows[f["id"]])
    pages: dict[int, Page[M]] = {}
    for key in keys:
        window, children, total = windows[key], grouped[key], totals.get(key, 0)
        has_more = len(children) > window.limit
        children = children[: window.limit]
        if window.backwards:
            has_more = window.offset + len(children) < total
        pages[key] = Page(
            rows=children,
            cursors=[encode_cursor(window.offset + i) for i in range(len(children))],
            has_next_page=has_more,
            has_previous_page=window.offset > 0,
            total=total,
        )
    return pages


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

FIRST = "Forward paging: at most this many items from the start, or after `after` (20 when neither first nor last is given, at most 100)."
AFTER = "Forward paging: the items after this cursor (an `endCursor` or an edge's `cursor`)."
LAST = "Backward paging: at most this many items from the end, or before `before` (at most 100)."
BEFORE = "Backward paging: the items before this cursor (a `startCursor` or an edge's `cursor`)."

# The Relay paging arguments of every connection field, described once: `first: First = None`.
First = Annotated[int | None, strawberry.argument(description=FIRST)]
After = Annotated[str | None, strawberry.argument(description=AFTER)]
Last = Annotated[int | None, strawberry.argument(description=LAST)]
Before = Annotated[str | None, strawberry.argument(description=BEFORE)]


@strawberry.type(description="Where a page sits in its list (Relay's PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether more items follow this page (ask with `after: endCursor`)."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether items precede this page (ask with `before: startCursor`)."
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first item of the page; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item of the page; null when the page is empty."
    )

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type(description="One item of a page, with the cursor that marks its place in the list.")
class Edge(Generic[NodeT]):  # noqa: UP046 - strawberry resolves TypeVar generics only
    cursor: str = strawberry.field(
        description="Opaque position of this item: pass it as `after` (or `before`) to get the items that follow (or precede) it."
    )
    node: NodeT = strawberry.field(description="The item.")


@direct
def _edges(self: Any, info: Info[Any, None]) -> Any:
    """A connection's edges: a lazy connection (`Connection.lazy`) builds its nodes when first asked."""
    edges = self.edges_value
    if edges is None:
        nodes = self.build()
        edges = self.edges_value = [Edge(cursor=c, node=n) for c, n in zip(self.cursors, nodes, strict=True)]
    return edges


@strawberry.type(description="A page of a list, Relay style, with the total over all pages.")
class Connection(Generic[NodeT]):  # noqa: UP046 - strawberry resolves TypeVar generics only
    edges: list[Edge[NodeT]] = strawberry.field(
        description="The items of this page, each with its cursor.", resolver=_edges
    )
    page_info: PageInfo = strawberry.field(
        description="Where this page sits in the whole list: whether there are pages before and after it, and the cursors to ask for them."
    )
    # What counts the total when the page did not: the query, or what builds it when asked for.
    query: strawberry.Private[QuerySet[Any] | Callable[[], Awaitable[QuerySet[Any]]] | None]
    known_total: strawberry.Private[int | None]
    edges_value: strawberry.Private[list[Edge[NodeT]] | None] = None
    # A lazy connection: the page's cursors, what builds its nodes, and the rows they are built from as the
    # service read them (a compiled plan may project its response from those: schema/compiled/projection.py).
    cursors: strawberry.Private[list[str] | None] = None
    build: strawberry.Private[Callable[[], list[NodeT]] | None] = None
    source: strawberry.Private[Any] = None

    @strawberry.field(description="Number of items matching the filter, over all pages.")
    async def total_count(self) -> int:
        if self.known_total is not None or self.query is None:
            return self.known_total or 0
        query = self.query if isinstance(self.query, QuerySet) else await self.query()
        return await query.count()

    @classmethod
    def of(
        cls,
        page: Page[Any],
        nodes: list[NodeT],
        query: QuerySet[Any] | Callable[[], Awaitable[QuerySet[Any]]] | None = None,
    ) -> Connection[NodeT]:
        """The connection of a page; `query` (or what builds it) counts the total when the page did not
        (forward paging)."""
        return cls(
            edges_value=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            page_info=PageInfo.of(page),
            query=query,
            known_total=page.total,
        )

    @classmethod
    def lazy(
        cls,
        page: Page[Any],
        source: Any,
        build: Callable[[], list[NodeT]],
        query: QuerySet[Any] | Callable[[], Awaitable[QuerySet[Any]]] | None = None,
    ) -> Connection[NodeT]:
        """The connection of a page whose nodes `build` makes from `source` (the rows as read) only when
        `edges` is resolved: a compiled plan that projects the response straight from `source` never
        builds them."""
        return cls(
            page_info=PageInfo.of(page),
            query=query,
            known_total=page.total,
            cursors=page.cursors,
            build=build,
            source=source,
        )


def deprecated_list(connection: str) -> str:
    """The deprecation reason of a plain list that a connection field replaces (docs/frontend.md, "Lists and
    connections")."""
    return f"Use `{connection}` (a Relay connection: paged, with totalCount); removed after 2027-06-30."


def list_connection[M, N](
    items: Sequence[M],
    convert: Callable[[M], N],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[N]:
    """A child connection over a list its DataLoader read for every parent of the request in one query
    (a lot's events, a fair's booths...): the page of that list, with the same window and cursors as
    `fetch_page`, the total known, and only the page's items converted."""
    page = page_of_list(items, first, after, last, before)
    return Connection.of(page, [convert(row) for row in page.rows])
