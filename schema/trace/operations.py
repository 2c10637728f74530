"""Batches, their events and locations: queries, and mutations to create lots and locations, record events
and transformations, and recall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models import Batch as BatchModel
from models import BatchStatus, EventAction, EventType, LocationKind, UnitEra
from models import Location as LocationModel
from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import TraceError
from schema.ids import decode_id
from schema.pagination import Connection, Page, fetch_page
from schema.trace.types import Batch, Location, TraceEventType, visible_batch
from services.common.errors import DomainError, FieldProblem
from services.policy import trace as trace_policy
from services.trace import events as trace
from services.trace import locations
from services.trace.errors import TraceErrorCode


@strawberry.input
class BatchFilter:
    product_id: relay.GlobalID | None = None
    lot_code: str | None = None
    status: BatchStatus | None = None


@strawberry.input
class BatchCreateInput:
    product_id: relay.GlobalID
    lot_code: str = strawberry.field(description="GS1 AI 10: 1-20 characters of GS1 character set 82.")
    production_date: dt.date | None = None
    harvest_date: dt.date | None = None
    expiry_date: dt.date | None = strawberry.field(
        default=None, description="Defaults to the production date plus the product's shelf life."
    )
    quantity: Decimal | None = None
    unit: str | None = strawberry.field(default=None, description="UN/ECE Rec 20: KGM, GRM, LTR, MLT, H87.")
    origin_commune_code: str | None = None
    origin_commune_era: UnitEra = UnitEra.CURRENT
    origin_place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    is_published: bool = True


@strawberry.input
class LotQuantityInput:
    batch_id: relay.GlobalID
    quantity: Decimal | None = None
    unit: str | None = None


@strawberry.input
class LocationFilter:
    producer_id: relay.GlobalID | None = None
    kind: LocationKind | None = None
    gln: str | None = None


@strawberry.input(
    description="A location of a producer (`producerId`), or shared (a market, a fair booth: no producer)."
)
class LocationCreateInput:
    name: str
    kind: LocationKind
    producer_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The producer that operates it; members create locations of their own only."
    )
    gln: str | None = strawberry.field(default=None, description="GS1 GLN, 13 digits, check digit verified.")
    commune_code: str | None = strawberry.field(
        default=None, description="GSO code of its commune; required for a shared location."
    )
    commune_era: UnitEra = UnitEra.CURRENT
    address_line: str | None = None
    latitude: float | None = strawberry.field(default=None, description="WGS 84, with longitude.")
    longitude: float | None = None


@strawberry.type
class LocationPayload:
    location: Location | None
    errors: list[TraceError]


@strawberry.input(description="A document attached to an event, by URL (at most 10 per event).")
class EventDocumentInput:
    type: str = strawberry.field(description="certificate, testResult, photo, invoice or other.")
    url: str = strawberry.field(description="https (or this service's own public address).")
    title: str | None = None


@strawberry.input(description="An ObjectEvent or TransactionEvent on one or more lots.")
class EventRecordInput:
    event_time: dt.datetime = strawberry.field(description="With its offset, e.g. 2019-06-05T08:30:00+07:00.")
    lots: list[LotQuantityInput]
    event_type: EventType = EventType.OBJECT
    action: EventAction = EventAction.OBSERVE
    biz_step: str | None = strawberry.field(default=None, description="A CBV 2.0 word (shipping) or a URI.")
    disposition: str | None = None
    biz_transactions: JSON | None = strawberry.field(
        default=None,
        description='EPCIS bizTransactionList, e.g. [{"type": "inv", "bizTransaction": "urn:..."}]',
    )
    sources: JSON | None = None
    destinations: JSON | None = None
    sensor_elements: JSON | None = None
    read_point_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The Location where the event was observed (EPCIS readPoint)."
    )
    biz_location_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The Location where the lots are afterwards (EPCIS bizLocation)."
    )
    documents: list[EventDocumentInput] | None = None
    note: str | None = None
    note_en: str | None = None


@strawberry.input(description="A TransformationEvent: input lots made into output lots.")
class TransformationInput:
    event_time: dt.datetime
    inputs: list[LotQuantityInput]
    outputs: list[LotQuantityInput]
    biz_step: str | None = "creating_class_instance"
    read_point_id: relay.GlobalID | None = None
    biz_location_id: relay.GlobalID | None = None
    documents: list[EventDocumentInput] | None = None
    note: str | None = None
    note_en: str | None = None


@strawberry.input(
    description="Declare a recorded event wrong (EPCIS error declaration), optionally with its correction."
)
class EventErrorInput:
    event_id: relay.GlobalID
    reason: str = strawberry.field(description="did_not_occur, incorrect_data, or a URI.")
    corrective: EventRecordInput | None = None


@strawberry.type
class EventErrorPayload:
    declaration: TraceEventType | None
    corrective: TraceEventType | None
    errors: list[TraceError]


@strawberry.input
class RecallInput:
    batch_id: relay.GlobalID
    reason: str


@strawberry.type
class BatchPayload:
    batch: Batch | None
    errors: list[TraceError]


@strawberry.type
class EventPayload:
    event: TraceEventType | None
    errors: list[TraceError]


@strawberry.type
class RecallPayload:
    batch: Batch | None = strawberry.field(description="The recalled lot.")
    affected: list[Batch] = strawberry.field(
        description="The lot and every lot made from it, now recalled.", default_factory=list
    )
    holders: JSON = strawberry.field(
        description="Destinations of the affected lots' shipping events.", default_factory=list
    )
    errors: list[TraceError]


def _lots(items: list[LotQuantityInput], name: str) -> list[trace.QuantityData]:
    return [
        trace.QuantityData(decode_id(i.batch_id, "Batch", f"{name}.{n}.batchId"), i.quantity, i.unit)
        for n, i in enumerate(items)
    ]


def _location_id(value: relay.GlobalID | None, name: str) -> int | None:
    return None if value is None else decode_id(value, "Location", name)


def _documents(items: list[EventDocumentInput] | None) -> list[dict[str, str]]:
    out = []
    for item in items or []:
        entry = {"type": item.type, "url": item.url}
        if item.title is not None:
            entry["title"] = item.title
        out.append(entry)
    return out


def _entries(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise DomainError(
            [FieldProblem(name, TraceErrorCode.INVALID, "Cần một danh sách đối tượng.", "A list of objects.")]
        )
    return value


@strawberry.type
class TraceQuery:
    @strawberry.field(description="One lot by its global ID (null when not visible to the caller).")
    async def batch(self, info: Info, id: relay.GlobalID) -> Batch | None:
        return await visible_batch(info, decode_id(id, "Batch", "id"))

    @strawberry.field(description="Lots, newest first: published lots of visible products, and your own.")
    async def batches(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: BatchFilter | None = None,
    ) -> Connection[Batch]:
        f = filter or BatchFilter()
        query = BatchModel.all()
        if (visibility := trace_policy.batch_visibility(info.context.reach)) is not None:
            query = query.filter(visibility)
        if f.product_id is not None:
            query = query.filter(product_id=decode_id(f.product_id, "Product", "filter.productId"))
        if f.lot_code:
            query = query.filter(lot_code=f.lot_code.strip())
        if f.status is not None:
            query = query.filter(status=f.status)
        page: Page[Any] = await fetch_page(query, ("-created_at", "-id"), first, after, None, None)
        return Connection[Batch].of(page, [Batch.from_model(b) for b in page.rows], query)

    @strawberry.field(description="Locations by name: shared ones, and those of the producers you manage.")
    async def locations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: LocationFilter | None = None,
    ) -> Connection[Location]:
        f = filter or LocationFilter()
        query = LocationModel.all()
        if (visibility := trace_policy.location_visibility(info.context.reach)) is not None:
            query = query.filter(visibility)
        if f.producer_id is not None:
            query = query.filter(producer_id=decode_id(f.producer_id, "Producer", "filter.producerId"))
        if f.kind is not None:
            query = query.filter(kind=f.kind)
        if f.gln:
            query = query.filter(gln=f.gln.strip())
        page: Page[Any] = await fetch_page(query, ("name", "id"), first, after, None, None)
        return Connection[Location].of(page, [Location.from_model(loc) for loc in page.rows], query)


@strawberry.type
class TraceMutation:
    @strawberry.mutation(
        description="Create a lot of one of your products.", extensions=[Refusals(), Audit()]
    )
    async def create_batch(self, info: Info, input: BatchCreateInput) -> BatchPayload:
        data = trace.BatchData(
            product_id=decode_id(input.product_id, "Product", "productId"),
            lot_code=input.lot_code,
            production_date=input.production_date,
            harvest_date=input.harvest_date,
            expiry_date=input.expiry_date,
            quantity=input.quantity,
            unit=input.unit,
            origin_commune_code=input.origin_commune_code,
            origin_commune_era=input.origin_commune_era,
            origin_place=input.origin_place,
            latitude=input.latitude,
            longitude=input.longitude,
            is_published=input.is_published,
        )
        batch = await trace.create_batch(data, info.context.reach)
        return BatchPayload(batch=Batch.from_model(batch), errors=[])

    @strawberry.mutation(
        description="Create a location (farm, facility, warehouse, shop, fair booth) to name on events.",
        extensions=[Refusals(), Audit()],
    )
    async def create_location(self, info: Info, input: LocationCreateInput) -> LocationPayload:
        data = locations.LocationData(
            name=input.name,
            kind=input.kind,
            producer_id=None
            if input.producer_id is None
            else decode_id(input.producer_id, "Producer", "producerId"),
            gln=input.gln,
            commune_code=input.commune_code,
            commune_era=input.commune_era,
            address_line=input.address_line,
            latitude=input.latitude,
            longitude=input.longitude,
        )
        location = await locations.create_location(data, info.context.reach)
        return LocationPayload(location=Location.from_model(location), errors=[])

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
        data = trace.EventInput(
            event_type=input.event_type,
            event_time=input.event_time,
            subjects=_lots(input.lots, "lots"),
            action=input.action,
            biz_step=input.biz_step,
            disposition=input.disposition,
            biz_transactions=_entries(input.biz_transactions, "bizTransactions"),
            sources=_entries(input.sources, "sources"),
            destinations=_entries(input.destinations, "destinations"),
            sensor_elements=_entries(input.sensor_elements, "sensorElements"),
            read_point_id=_location_id(input.read_point_id, "readPointId"),
            biz_location_id=_location_id(input.biz_location_id, "bizLocationId"),
            documents=_documents(input.documents),
            note=input.note,
            note_en=input.note_en,
        )
        event = await trace.record_event(
            data, info.context.reach, info.context.base_url, info.context.actor.user_id
        )
        return EventPayload(event=TraceEventType.from_model(event), errors=[])

    @strawberry.mutation(
        description="Record input lots made into output lots.", extensions=[Refusals(), Audit()]
    )
    async def record_transformation(self, info: Info, input: TransformationInput) -> EventPayload:
        data = trace.EventInput(
            event_type=EventType.TRANSFORMATION,
            event_time=input.event_time,
            inputs=_lots(input.inputs, "inputs"),
            outputs=_lots(input.outputs, "outputs"),
            action=None,
            biz_step=input.biz_step,
            read_point_id=_location_id(input.read_point_id, "readPointId"),
            biz_location_id=_location_id(input.biz_location_id, "bizLocationId"),
            documents=_documents(input.documents),
            note=input.note,
            note_en=input.note_en,
        )
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
        corrective = None
        if input.corrective is not None:
            c = input.corrective
            corrective = trace.EventInput(
                event_type=c.event_type,
                event_time=c.event_time,
                subjects=_lots(c.lots, "corrective.lots"),
                action=c.action,
                biz_step=c.biz_step,
                disposition=c.disposition,
                biz_transactions=_entries(c.biz_transactions, "corrective.bizTransactions"),
                sources=_entries(c.sources, "corrective.sources"),
                destinations=_entries(c.destinations, "corrective.destinations"),
                sensor_elements=_entries(c.sensor_elements, "corrective.sensorElements"),
                read_point_id=_location_id(c.read_point_id, "corrective.readPointId"),
                biz_location_id=_location_id(c.biz_location_id, "corrective.bizLocationId"),
                documents=_documents(c.documents),
                note=c.note,
                note_en=c.note_en,
            )
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
            batch=affected[0], affected=affected, holders=cast(JSON, impact.holders), errors=[]
        )
