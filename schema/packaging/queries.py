"""Root query fields of packaging: the designs list for reviewers and producers."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from schema.context import Info
from schema.ids import decode_optional_id
from schema.packaging.filters import DESIGN_FILTER, PackagingDesignFilter
from schema.packaging.types import PackagingDesign
from schema.pagination import After, Before, Connection, First, Last, Page, fetch_page
from services.packaging import design_reads


@strawberry.type
class PackagingQuery:
    @strawberry.field(
        description="Packaging designs, last changed first: those of your producers (members, province "
        "officers), every one for consultants and central admins, none for the public."
    )
    async def packaging_designs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            PackagingDesignFilter | None, strawberry.argument(description="Which designs.")
        ] = None,
    ) -> Connection[PackagingDesign]:
        f = filter or PackagingDesignFilter()
        product_id = decode_optional_id(f.product_id, "Product", "filter.productId")
        producer_id = decode_optional_id(f.producer_id, "Producer", "filter.producerId")
        query = design_reads.design_query(
            DESIGN_FILTER(f, product_id=product_id, producer_id=producer_id), info.context.reach
        )
        page: Page[Any] = await fetch_page(query, ("-updated_at", "-id"), first, after, last, before)
        return Connection[PackagingDesign].of(page, [PackagingDesign.from_model(d) for d in page.rows], query)
