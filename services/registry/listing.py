"""A page of the product listing in one SQL statement, written here rather than built by the ORM.

The listing (`products` forward pages: the public directory, its searches and filters, an officer's list of
their province) is the API's most requested read. Through Tortoise it cost two statements (the page's ids,
then its rows) and ~0.6 ms of CPU to build the first one from Q objects (pypika's term tree, cloned per
filter) before any row was read. Here the page's rows, joined with their producers and latest certificates,
are read by one statement whose text is assembled from a few fixed fragments.

The filters mean exactly what `search.product_query` means (the same checks and errors, the same province
scope across the 2025 reform, the same LIKE with its escapes on the folded names, the same visibility
from services.policy.registry); tests/registry/test_listing.py holds the two to the same ids in the same
order, for every role, on both databases. Backward paging (`last`/`before`, which needs the total first)
and counting stay on the QuerySet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from tortoise import connections
from tortoise.filters import escape_like

from models import Evaluation, Producer, Product
from services.common import clock, rows
from services.common.rows import Record
from services.policy.registry import ProductVisibility
from services.registry import search

# A search term in the product's name or its producer's: the producers matching are read once (a hashed
# subplan) rather than their names tested at each product joined (~40% less of PostgreSQL's time).
_SEARCH = (
    '(p."name_folded" LIKE {product} ESCAPE \'\\\' OR p."producer_id" IN '
    '(SELECT m."id" FROM "producer" m WHERE m."name_folded" LIKE {producer} ESCAPE \'\\\'))'
)
_IN_GROUP = (
    '(p."group_id" IN (SELECT g."id" FROM "product_group" g WHERE g."code" = {group}) '
    'OR p."subgroup_id" IN (SELECT g."id" FROM "product_group" g WHERE g."code" = {subgroup}))'
)


class _Params:
    """Positional parameters in the connection's style ($1 for PostgreSQL, ? for SQLite)."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        if not self.postgres and isinstance(value, dt.date):
            value = value.isoformat()  # SQLite stores Tortoise's dates as ISO text
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"

    def one_of(self, column: str, values: Sequence[Any]) -> str:
        """`column` equal to one of `values`: on PostgreSQL one array parameter, so that the statement's text
        (and asyncpg's prepared statement) is the same whatever the number of values."""
        if self.postgres:
            return f"{column} = ANY({self(list(values))})"
        return f"{column} IN ({', '.join(self(v) for v in values)})"


# What a narrowed read selects: the attributes wanted of the product (""), its producer ("pr__") and its
# latest certificate ("e__"); each relation's `id` is always read.
Columns = tuple[frozenset[str], frozenset[str], frozenset[str]]


@cache
def _select(with_producer: bool, with_certificate: bool, columns: Columns | None = None) -> str:
    def of(alias: str, model: Any, prefix: str, wanted: frozenset[str] | None) -> str:
        if wanted is None:
            return rows.select_list(alias, model, prefix)
        return rows.select_columns(alias, model, prefix, wanted)

    product, producer, certificate = columns if columns is not None else (None, None, None)
    parts = [of("p", Product, "", product)]
    if with_producer:
        parts.append(of("pr", Producer, "pr__", producer))
    if with_certificate:
        parts.append(of("e", Evaluation, "e__", certificate))
    return ", ".join(parts)


def _visible(visibility: ProductVisibility | None, param: _Params) -> str | None:
    if visibility is None:
        return None
    alternatives = [f'p."is_published" = {param(True)}']
    for column, ids in (
        ("id", visibility.producer_ids),
        ("province_id", visibility.province_ids),
        ("commune_id", visibility.commune_ids),
    ):
        if ids:
            alternatives.append(param.one_of(f'pr."{column}"', sorted(ids)))
    return "(" + " OR ".join(alternatives) + ")"


@dataclass(frozen=True, slots=True)
class ProductRows:
    """A page of the listing as read: one row per product, its columns named as `rows.select_list` names
    them (the producer's prefixed `pr__`, the latest certificate's `e__`, when selected). `records()` builds
    what code written against the models reads; `rows.reader` reads single columns without them."""

    rows: list[dict[str, Any]]
    postgres: bool
    with_producer: bool
    with_certificate: bool
    # The columns read when not every one was (`read_product_rows(columns=...)`); None: all of them.
    columns: Columns | None = None

    def records(self) -> list[Record]:
        if self.columns is not None:
            raise RuntimeError("a page read with only some columns has no records: read it whole")
        return [
            rows.product_record(
                row,
                postgres=self.postgres,
                with_producer=self.with_producer,
                with_certificate=self.with_certificate,
            )
            for row in self.rows
        ]


async def read_product_rows(
    filters: search.ProductFilterData,
    *,
    visibility: ProductVisibility | None,
    order: Sequence[str],
    offset: int,
    limit: int,
    with_producer: bool,
    with_certificate: bool,
    today: dt.date | None = None,
    columns: Columns | None = None,
) -> ProductRows:
    """Up to `limit` products matching `filters` among those `visibility` lets the actor see (None: all),
    in `order` (search.ordering's field names), from `offset`, with their producers and latest certificates
    when asked, as read (`ProductRows.records()` gives each with `.producer` and `.latest_certificate`, None
    when it has none). With `columns`, only those columns (for a reader that needs no record:
    `ProductRows.records` refuses such a page). Invalid filters raise search's DomainErrors."""
    conn = connections.get("default")
    param = _Params(conn.capabilities.dialect == "postgres")
    where: list[str] = []
    visible = _visible(visibility, param)
    if visible is not None:
        where.append(visible)
    if filters.producer_id is not None:
        where.append(f'p."producer_id" = {param(filters.producer_id)}')
    for term in search.checked_terms(filters.search):
        pattern = f"%{escape_like(term)}%"
        where.append(_SEARCH.format(product=param(pattern), producer=param(pattern)))
    if filters.producer_kind is not None:
        where.append(f'pr."kind" = {param(filters.producer_kind.value)}')
    if filters.province_code:
        cover = await search.province_cover(filters.province_code, "filter.provinceCode")
        covered = [param.one_of('pr."province_id"', sorted(cover.province_ids))]
        if cover.commune_ids:
            covered.append(param.one_of('pr."commune_id"', sorted(cover.commune_ids)))
        where.append("(" + " OR ".join(covered) + ")")
    if filters.group:
        code = filters.group.strip()
        where.append(_IN_GROUP.format(group=param(code), subgroup=param(code)))
    if filters.min_stars is not None:
        search.check_min_stars(filters.min_stars)
        day = today or clock.today()
        # On the certificate the page reads when it reads one (its LEFT JOIN then keeps only certified rows).
        c = "e" if with_certificate else "c"
        where.append(
            f'({c}."stars" >= {param(filters.min_stars)} AND {c}."valid_from" <= {param(day)} '
            f'AND {c}."valid_until" >= {param(day)})'
        )
    joins = ['JOIN "producer" pr ON pr."id" = p."producer_id"']
    if with_certificate:
        joins.append('LEFT JOIN "evaluation" e ON e."id" = p."latest_certificate_id"')
    elif filters.min_stars is not None:
        joins.append('JOIN "evaluation" c ON c."id" = p."latest_certificate_id"')
    ordering = ", ".join(
        f'p."{name.lstrip("-")}" {"DESC" if name.startswith("-") else "ASC"}' for name in order
    )
    sql = (
        f'SELECT {_select(with_producer, with_certificate, columns)} FROM "product" p {" ".join(joins)}'  # noqa: S608 - fragments are this module's own; values are parameters
        f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {ordering} "
        f"LIMIT {param(limit)} OFFSET {param(offset)}"
    )
    found = await conn.execute_query_dict(sql, param.values)
    return ProductRows(found, param.postgres, with_producer, with_certificate, columns)
