"""Filter arguments of the traceability queries, and how each becomes the service's filter."""

from __future__ import annotations

import strawberry
from strawberry import relay

from models import BatchStatus, LocationKind
from schema.mapping import InputMap
from services.trace import locations
from services.trace.batches import BatchFilterData


@strawberry.input(description="Lot filters; all given filters must match.")
class BatchFilter:
    product_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those of this product (its global ID)."
    )
    lot_code: str | None = strawberry.field(default=None, description="Only the lot with this lot code.")
    status: BatchStatus | None = strawberry.field(default=None, description="Only lots in this status.")


@strawberry.input(description="Location filters; all given filters must match.")
class LocationFilter:
    producer_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those of this producer (its global ID)."
    )
    kind: LocationKind | None = strawberry.field(default=None, description="Only locations of this kind.")
    gln: str | None = strawberry.field(default=None, description="Only the location with this GLN.")


BATCH_FILTER = InputMap(BatchFilter, BatchFilterData, decoded=("product_id",))
LOCATION_FILTER = InputMap(LocationFilter, locations.LocationFilterData, decoded=("producer_id",))
