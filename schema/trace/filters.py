"""Filter arguments of the traceability queries, and how each becomes the service's filter."""

from __future__ import annotations

import strawberry
from strawberry import relay

from models import BatchStatus, LocationKind
from schema.mapping import InputMap
from services.trace import locations
from services.trace.batches import BatchFilterData


@strawberry.input
class BatchFilter:
    product_id: relay.GlobalID | None = None
    lot_code: str | None = None
    status: BatchStatus | None = None


@strawberry.input
class LocationFilter:
    producer_id: relay.GlobalID | None = None
    kind: LocationKind | None = None
    gln: str | None = None


BATCH_FILTER = InputMap(BatchFilter, BatchFilterData, decoded=("product_id",))
LOCATION_FILTER = InputMap(LocationFilter, locations.LocationFilterData, decoded=("producer_id",))
