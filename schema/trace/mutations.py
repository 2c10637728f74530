"""Mutations of traceability: create lots and locations, record events and transformations, declare an
event wrong, recall."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models import EventType
from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import ERRORS, INPUT, TraceError
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


@strawberry.type(description="The result of creating a lot.")
class BatchPayload:
    batch: Batch | None = strawberry.field(description="The new lot; null when refused.")
    errors: list[TraceError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of creating a location.")
class LocationPayload:
    location: Location | None = strawberry.field(description="The new location; null when refused.")
    errors: list[TraceError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of naming a partner's location.")
class ExternalLocationNamePayload:
    location: Location | None = strawberry.field(
        description="The partner's location. Null when `errors` is not empty."
    )
    name: str | None = strawberry.field(
        description="The name given; null when the name was cleared (the location is then shown by its GLN), or when `errors` is not empty."
    )
    errors: list[TraceError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of recording an event.")
class EventPayload:
    event: TraceEventType | None = strawberry.field(description="The recorded event; null when refused.")
    errors: list[TraceError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of declaring an event wrong.")
class EventErrorPayload:
    declaration: TraceEventType | None = strawberry.field(
        description="The error declaration recorded (it repeats the wrong event). Null when `errors` is not empty."
    )
    corrective: TraceEventType | None = strawberry.field(
        description="The corrective event, when one was given. Null when no corrective event was given, or when `errors` is not empty."
    )
    errors: list[TraceError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of a recall.")
class RecallPayload:
    batch: Batch | None = strawberry.field(description="The recalled lot. Null when `errors` is not empty.")
    affected: list[Batch] = strawberry.field(
        description="The lot and every lot made from it, now recalled.", default_factory=list
    )
    holders: list[SourceDest] = strawberry.field(
        description="Who holds the affected lots: the destinations of their shipping events.",
        default_factory=list,
    )
    errors: list[TraceError] = strawberry.field(description=ERRORS)


@strawberry.type
class TraceMutation:
    @strawberry.mutation(
        description="Create a lot of one of your products.", extensions=[Refusals(), Audit()]
    )
    async def create_batch(
        self, info: Info, input: Annotated[BatchCreateInput, strawberry.argument(description=INPUT)]
    ) -> BatchPayload:
        data = BATCH_CREATE(input, product_id=decode_id(input.product_id, "Product", "productId"))
        batch = await create_batch(data, info.context.reach)
        return BatchPayload(batch=Batch.from_model(batch), errors=[])

    @strawberry.mutation(
        description="Create a location (farm, facility, warehouse, shop, fair booth) to name on events.",
        extensions=[Refusals(), Audit()],
    )
    async def create_location(
        self, info: Info, input: Annotated[LocationCreateInput, strawberry.argument(description=INPUT)]
    ) -> LocationPayload:
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
        self, info: Info, input: Annotated[ExternalLocationNameInput, strawberry.argument(description=INPUT)]
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
    async def record_event(
        self, info: Info, input: Annotated[EventRecordInput, strawberry.argument(description=INPUT)]
    ) -> EventPayload:
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
    async def record_transformation(
        self, info: Info, input: Annotated[TransformationInput, strawberry.argument(description=INPUT)]
    ) -> EventPayload:
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
    async def declare_event_error(
        self, info: Info, input: Annotated[EventErrorInput, strawberry.argument(description=INPUT)]
    ) -> EventErrorPayload:
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
    async def record_recall(
        self, info: Info, input: Annotated[RecallInput, strawberry.argument(description=INPUT)]
    ) -> RecallPayload:
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
