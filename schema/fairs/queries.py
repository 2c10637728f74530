"""Root query fields of fairs: the list and one fair by its slug."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from schema.context import Info
from schema.fairs.filters import FAIR_FILTER, FairFilter
from schema.fairs.loaders import fair_loaders
from schema.fairs.types import Fair
from schema.pagination import After, Before, Connection, First, Last, Page, fetch_page
from services.fairs import reads


@strawberry.type
class FairQuery:
    @strawberry.field(
        description="Fairs, latest first: those accepting applications, published and closed, and the drafts "
        "you organise."
    )
    async def fairs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[FairFilter | None, strawberry.argument(description="Which fairs.")] = None,
    ) -> Connection[Fair]:
        query = reads.fair_query(FAIR_FILTER(filter or FairFilter()), info.context.reach)
        page: Page[Any] = await fetch_page(query, ("-starts_on", "-id"), first, after, last, before)
        fair_loaders(info).fair.prime_many({row.id: row for row in page.rows})
        return Connection[Fair].of(page, [Fair.from_model(row, info) for row in page.rows], query)

    @strawberry.field(description="One fair by its slug (null when it does not exist or is not visible).")
    async def fair(
        self,
        info: Info,
        slug: Annotated[
            str, strawberry.argument(description="The fair's slug, e.g. hoi-cho-ocop-du-lich-2019.")
        ],
    ) -> Fair | None:
        row = await reads.fair_by_slug(slug, info.context.reach)
        return None if row is None else Fair.from_model(row, info)
