"""`lotEvents`: a lot's events as they are recorded, on any replica."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import decode_id
from schema.live import stream
from schema.trace.types import TraceEventType
from services.trace import events


@strawberry.type
class TraceSubscription:
    @strawberry.subscription(
        description="Events of a lot recorded from now on (a recall, a correction, a shipment), each once "
        "its transaction has committed. For lots the caller may see (`node(id)`); NOT_FOUND otherwise."
    )
    async def lot_events(
        self,
        info: Info,
        lot_id: Annotated[relay.GlobalID, strawberry.argument(description="The lot's global ID (a Batch).")],
    ) -> AsyncGenerator[TraceEventType]:
        recorded = await events.watch_lot(decode_id(lot_id, "Batch", "lotId"), info.context.reach)
        return stream(info, recorded, TraceEventType.from_model)
