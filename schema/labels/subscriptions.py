"""`producerScans`: a producer's serialised labels as they are scanned, with their copy flags."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Self

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import decode_id
from schema.labels.types import SerialScanStats
from schema.live import stream
from services.labels import scans


@strawberry.type(
    description="A counted scan of one of the producer's serials, and the serial's figures after it."
)
class ProducerScan:
    lot_id: relay.GlobalID = strawberry.field(description="The lot (Batch) the serial belongs to.")
    serial: SerialScanStats = strawberry.field(description="The serial's scan figures after this scan.")

    @classmethod
    def of(cls, update: scans.ScanUpdate) -> Self:
        return cls(
            lot_id=relay.GlobalID("Batch", str(update.batch_id)), serial=SerialScanStats.of(update.stats)
        )


@strawberry.type
class LabelSubscription:
    @strawberry.subscription(
        description="Each counted scan of the producer's serialised labels, with the serial's scan figures and "
        "whether it now looks copied (`serial.flagged`). For the producer's members, its province's officers "
        "and central admins; NOT_FOUND otherwise."
    )
    async def producer_scans(
        self,
        info: Info,
        producer_id: Annotated[relay.GlobalID, strawberry.argument(description="The producer's global ID.")],
    ) -> AsyncGenerator[ProducerScan]:
        updates = await scans.watch_scans(
            decode_id(producer_id, "Producer", "producerId"), info.context.reach
        )
        return stream(info, updates, ProducerScan.of)
