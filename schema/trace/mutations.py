"""Mutations of traceability: create lots and locations, record events and transformations, declare an
event wrong, recall."""

from __future__ import annotations

import strawberry

from models import EventType
from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import TraceError
from schema.ids import decode_id, decode_optional_id
from schema.trace.inputs import (
    BATCH_CREATE,
    LOCATION_CREATE,
    BatchCreateInput,
    EventErrorInput,
    EventRecordInput,
    ExternalLocationNameInput,
    LocationCreateInput,
    RecallInput,
    TransformationInput,
    event_data,
    transformation_data,
)
from schema.trace.types import Batch, Location, SourceDest, TraceEventType, source_dests
from services.common.errors import DomainError, FieldProblem
from services.trace import events as trace
from services.trace import locations
from services.trace.batches import create_batch
from services.trace.errors import TraceErrorCode


@strawberry.type
class BatchPayload:
    batch: Batch | None
    errors: list[TraceError]


@strawberry.type
class LocationPayload:
    location: Location | None
    errors: list[TraceError]


@strawberry.type
class ExternalLocationNamePayload:
    location: Location | None
    name: str | None = strawberry.field(description="The name given, or null: shown by its GLN.")
    errors: list[TraceError]


@strawberry.type
class EventPayload:
    event: TraceEventType | None
    errors: list[TraceError]


@strawberry.type
class EventErrorPayload:
    declaration: TraceEventType | None
    corrective: TraceEventType | None
    errors: list[TraceError]


@strawberry.type
class RecallPayload:
    batch: Batch | None = strawberry.field(description="The recalled lot.")
    affected: list[Batch] = strawberry.field(
        description="The lot and every lot made from it, now recalled.", default_factory=list
    )
    holders: list[SourceDest] = strawberry.field(
        description="Who holds the affected lots: the destinations of their shipping events.",
        default_factory=list,
    )
    errors: list[TraceError]


@strawberry.type
class TraceMutation:
    @strawberry.mutation(
        description="Create a lot of one of your products.", extensions=[Refusals(), Audit()]
    )
    async def create_batch(self, info: Info, input: BatchCreateInput) -> BatchPayload:
        data = BATCH_CREATE(input, product_id=decode_id(input.product_id, "Product", "productId"))
        batch = await create_batch(data, info.context.reach)
        return BatchPayload(batch=Batch.from_model(batch), errors=[])

    @strawberry.mutation(
        description="Create a location (farm, facility, warehouse, shop, fair booth) to name on events.",
        extensions=[Refusals(), Audit()],
    )
    async def create_location(self, info: Info, input: LocationCreateInput) -> LocationPayload:
        producer_id = decode_optional_id(input.producer_id, "Producer", "producerId")
        data = LOCATION_CREATE(input, producer_id=producer_id)
        location = await locations.create_location(data, info.context.reach)
        return LocationPayload(location=Location.from_model(location), errors=[])

    @strawberry.mutation(
        description="Name a partner's location (one your lots' events name by its SGLN or GLN Digital Link) on "
        "your trace pages; each producer names it for its own pages.",
        extensions=[Refusals(), Audit()],
    )
    async def name_external_location(
        self, info: Info, input: ExternalLocationNameInput
    ) -> ExternalLocationNamePayload:
        location, name = await locations.name_external_location(
            decode_id(input.location_id, "Location", "locationId"),
            decode_id(input.producer_id, "Producer", "producerId"),
            input.name,
            info.context.reach,
            info.context.actor.user_id,
        )
        return ExternalLocationNamePayload(location=Location.from_model(location), name=name, errors=[])

    @strawberry.mutation(
        description="Record what happened to lots (an ObjectEvent or TransactionEvent). Append-only.",
        extensions=[Refusals(), Audit()],
    )
    async def record_event(self, info: Info, input: EventRecordInput) -> EventPayload:
        if input.event_type not in (EventType.OBJECT, EventType.TRANSACTION):
            raise DomainError(
                [
                    FieldProblem(
                        "eventType",
                        TraceErrorCode.INVALID,
                        "Dùng recordTransformation cho sự kiện chế biến.",
                        "Use recordTransformation for transformations.",
                    )
                ]
            )
        data = event_data(input)
        event = await trace.record_event(
            data, info.context.reach, info.context.base_url, info.context.actor.user_id
        )
        return EventPayload(event=TraceEventType.from_model(event), errors=[])

    @strawberry.mutation(
        description="Record input lots made into output lots.", extensions=[Refusals(), Audit()]
    )
    async def record_transformation(self, info: Info, input: TransformationInput) -> EventPayload:
        data = transformation_data(input)
        event = await trace.record_event(
            data, info.context.reach, info.context.base_url, info.context.actor.user_id
        )
        return EventPayload(event=TraceEventType.from_model(event), errors=[])

    @strawberry.mutation(
        description="Declare an event wrong without changing it: an EPCIS error declaration, and the corrective "
        "event if given. Both are appended to the lots' histories.",
        extensions=[Refusals(), Audit()],
    )
    async def declare_event_error(self, info: Info, input: EventErrorInput) -> EventErrorPayload:
        corrective = None if input.corrective is None else event_data(input.corrective, "corrective.")
        declaration, corrected_by = await trace.declare_error(
            trace.Correction(decode_id(input.event_id, "TraceEvent", "eventId"), input.reason, corrective),
            info.context.reach,
            info.context.base_url,
            info.context.actor.user_id,
        )
        return EventErrorPayload(
            declaration=TraceEventType.from_model(declaration),
            corrective=TraceEventType.from_model(corrected_by) if corrected_by else None,
            errors=[],
        )

    @strawberry.mutation(
        description="Recall a lot and every lot made from it: each is set to RECALLED with a recall event.",
        extensions=[Refusals(), Audit()],
    )
    async def record_recall(self, info: Info, input: RecallInput) -> RecallPayload:
        batch_id = decode_id(input.batch_id, "Batch", "batchId")
        impact = await trace.record_recall(
            batch_id, input.reason, info.context.reach, info.context.base_url, info.context.actor.user_id
        )
        affected = [Batch.from_model(b) for b in impact.batches]
        return RecallPayload(
            batch=affected[0],
            affected=affected,
            holders=source_dests(impact.holders, "destination"),
            errors=[],
        )
