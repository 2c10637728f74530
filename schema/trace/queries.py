"""Root query fields of traceability: lots and locations."""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import decode_id, decode_optional_id
from schema.pagination import After, Before, Connection, First, Last, Page, fetch_page
from schema.trace.filters import BATCH_FILTER, LOCATION_FILTER, BatchFilter, LocationFilter
from schema.trace.types import BATCH_ORDER, Batch, BatchConnection, Location, visible_batch
from services.policy import trace as trace_policy
from services.trace import locations
from services.trace.batches import batch_query


@strawberry.type
class TraceQuery:
    @strawberry.field(description="One lot by its global ID (null when not visible to the caller).")
    async def batch(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The lot's global ID.")],
    ) -> Batch | None:
        return await visible_batch(info, decode_id(id, "Batch", "id"))

    @strawberry.field(description="Lots, newest first: published lots of visible products, and your own.")
    async def batches(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[BatchFilter | None, strawberry.argument(description="Which lots.")] = None,
    ) -> BatchConnection:
        f = filter or BatchFilter()
        product_id = decode_optional_id(f.product_id, "Product", "filter.productId")
        query = batch_query(
            BATCH_FILTER(f, product_id=product_id),
            visibility=trace_policy.batch_visibility(info.context.reach),
        )
        page: Page[Any] = await fetch_page(query, BATCH_ORDER, first, after, last, before)
        return cast(
            BatchConnection, BatchConnection.of(page, [Batch.from_model(b) for b in page.rows], query)
        )

    @strawberry.field(description="Locations by name: shared ones, and those of the producers you manage.")
    async def locations(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[LocationFilter | None, strawberry.argument(description="Which locations.")] = None,
    ) -> Connection[Location]:
        f = filter or LocationFilter()
        producer_id = decode_optional_id(f.producer_id, "Producer", "filter.producerId")
        query = locations.location_query(
            LOCATION_FILTER(f, producer_id=producer_id),
            visibility=trace_policy.location_visibility(info.context.reach),
        )
        page: Page[Any] = await fetch_page(query, ("name", "id"), first, after, last, before)
        return Connection[Location].of(page, [Location.from_model(loc) for loc in page.rows], query)
