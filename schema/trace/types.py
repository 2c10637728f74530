"""GraphQL types of origin tracing: batches (lots), their events, locations, lineage and integrity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any, Self, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from models import Batch as BatchModel
from models import BatchStatus, EventAction, EventType, LocationKind
from models import Location as LocationModel
from models import TraceEvent as EventModel
from schema.admin import AdministrativeUnit
from schema.context import Info
from schema.ids import nodes_by_ids
from schema.mapping import from_row
from schema.pagination import Connection, Page, fetch_page
from schema.registry.types import Product, visible_product
from services.policy import trace as trace_policy
from services.trace import batches, locations
from services.trace import events as trace
from services.trace import integrity as trace_integrity
from services.trace import lineage as trace_lineage
from services.trace.identity import batch_link, trace_page_url

BATCH_ORDER = ("-created_at", "-id")

strawberry.enum(BatchStatus, description="Status of a lot.")
strawberry.enum(EventType, description="EPCIS 2.0 event type.")
strawberry.enum(EventAction, description="EPCIS action: ADD (created or commissioned), OBSERVE, DELETE.")
strawberry.enum(LocationKind, description="What a location is.")


@strawberry.enum
class LineageDirection(Enum):
    BACKWARD = "backward"  # what a lot was made from
    FORWARD = "forward"  # what was made from a lot


@strawberry.type(
    description="A farm, facility, warehouse, shop or fair booth: where events happen (EPCIS readPoint and "
    "bizLocation)."
)
class Location(relay.Node):
    id: relay.NodeID[int]
    name: str
    kind: LocationKind
    gln: str | None = strawberry.field(description="GS1 Global Location Number (13 digits), if it has one.")
    address_line: str | None
    latitude: float | None
    longitude: float | None
    identifier: str | None = strawberry.field(
        description="A partner's location (kind EXTERNAL): its SGLN or GLN Digital Link, as events name it."
    )
    commune_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, loc: LocationModel) -> Self:
        return from_row(cls, loc)

    @strawberry.field
    async def commune(self, info: Info) -> AdministrativeUnit | None:
        if self.commune_id is None:
            return None
        unit = await info.context.loaders.admin_unit.load(self.commune_id)
        return AdministrativeUnit.from_model(unit) if unit else None

    @strawberry.field(
        description="How EPCIS documents name it: `https://id.gs1.org/414/{gln}`, or `{our address}/locations/{id}`; "
        "a partner's location by its identifier."
    )
    def epcis_id(self, info: Info) -> str:
        if self.identifier:
            return self.identifier
        return (
            f"https://id.gs1.org/414/{self.gln}"
            if self.gln
            else f"{info.context.base_url}/locations/{self.id}"
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await nodes_by_ids(
            node_ids, lambda ids: locations.usable_locations(set(ids), info.context.reach), cls.from_model
        )


@strawberry.type(description="A document attached to an event, by URL.")
class EventDocument:
    type: str = strawberry.field(description="certificate, testResult, photo, invoice or other.")
    url: str
    title: str | None


# -- EPCIS 2.0 entries of an event, typed per GS1's EPCIS JSON Schema ----------------------------------------


@strawberry.type(description="An EPCIS business transaction (bizTransactionList entry): an order, invoice...")
class BizTransaction:
    type: str | None = strawberry.field(
        description="A CBV 2.0 word (`po`, `inv`, `desadv`, `testres`...) or a URI; optional in EPCIS."
    )
    id: str = strawberry.field(description="The transaction's identifier, a URI (EPCIS `bizTransaction`).")


@strawberry.type(
    description="An EPCIS source or destination (sourceList, destinationList entry): who or where the goods "
    "come from or go to."
)
class SourceDest:
    type: str = strawberry.field(description="`owning_party`, `possessing_party`, `location`, or a URI.")
    id: str = strawberry.field(description="The party or place, a URI (EPCIS `source` or `destination`).")


@strawberry.type(description="EPCIS sensorMetadata: what applies to every report of a sensor element.")
class SensorMetadata:
    time: dt.datetime | None
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    device_id: str | None = strawberry.field(name="deviceID")
    device_metadata: str | None
    raw_data: str | None
    data_processing_method: str | None
    biz_rules: str | None


@strawberry.type(
    description="One EPCIS sensorReport: a measurement (`type`, e.g. Temperature, with `value` and `uom`, a UN/ECE "
    "Rec. 20 unit) or an alert (`exception`). Numbers are JSON numbers in EPCIS, so Float here."
)
class SensorReport:
    type: str = strawberry.field(
        description="A gs1:MeasurementType word (Temperature, RelativeHumidity...) or URI."
    )
    exception: str | None = strawberry.field(description="ALARM_CONDITION, ERROR_CONDITION or a URI.")
    device_id: str | None = strawberry.field(name="deviceID")
    device_metadata: str | None
    raw_data: str | None
    data_processing_method: str | None
    biz_rules: str | None
    time: dt.datetime | None
    microorganism: str | None
    chemical_substance: str | None
    coordinate_reference_system: str | None
    value: float | None
    component: str | None
    string_value: str | None
    boolean_value: bool | None
    hex_binary_value: str | None
    uri_value: str | None
    min_value: float | None
    max_value: float | None
    mean_value: float | None
    s_dev: float | None = strawberry.field(name="sDev")
    perc_rank: float | None
    perc_value: float | None
    uom: str | None


@strawberry.type(description="An EPCIS sensorElement: a sensor's reports, with their shared metadata.")
class SensorElement:
    sensor_metadata: SensorMetadata | None
    sensor_report: list[SensorReport]
    extensions: JSON | None = strawberry.field(
        description="Other members of the element (extension properties named by URI), as recorded; null when "
        "there are none."
    )


_TIMES = frozenset({"time", "start_time", "end_time"})
_NUMBERS = frozenset({"value", "min_value", "max_value", "mean_value", "s_dev", "perc_rank", "perc_value"})


def _epcis_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _epcis_fields[T](cls: type[T], entry: Mapping[str, Any]) -> T:
    """A sensor type from its EPCIS JSON object: each member by its EPCIS name, as its field's type reads it
    (times parsed, numbers as floats, a member of another type left out)."""
    values: dict[str, Any] = {}
    for field in cast(Any, cls).__strawberry_definition__.fields:
        name = field.python_name
        raw = entry.get(field.graphql_name or to_camel_case(name))
        if name in _TIMES:
            values[name] = _epcis_time(raw)
        elif name in _NUMBERS:
            values[name] = _float(raw)
        elif name == "boolean_value":
            values[name] = raw if isinstance(raw, bool) else None
        else:
            values[name] = _text(raw)
    return cls(**values)


def sensor_element(entry: Mapping[str, Any]) -> SensorElement:
    metadata = entry.get("sensorMetadata")
    reports = entry.get("sensorReport")
    rest = {k: v for k, v in entry.items() if k not in ("sensorMetadata", "sensorReport")}
    return SensorElement(
        sensor_metadata=_epcis_fields(SensorMetadata, metadata) if isinstance(metadata, Mapping) else None,
        sensor_report=[
            _epcis_fields(SensorReport, r)
            for r in (reports if isinstance(reports, list) else [])
            if isinstance(r, Mapping)
        ],
        extensions=cast(JSON, rest) if rest else None,
    )


def biz_transactions(entries: Iterable[Mapping[str, Any]]) -> list[BizTransaction]:
    return [BizTransaction(type=_text(e.get("type")), id=str(e.get("bizTransaction", ""))) for e in entries]


def source_dests(entries: Iterable[Mapping[str, Any]], key: str) -> list[SourceDest]:
    """Sources (`key` "source") or destinations ("destination") as recorded."""
    return [SourceDest(type=str(e.get("type", "")), id=str(e.get(key, ""))) for e in entries]


async def _place(info: Info, location_id: int | None) -> Location | None:
    """An event's location, through the request's loader: one query for all events of a response. Shown with
    the event, whose lot the caller sees, as on the trace page."""
    if location_id is None:
        return None
    loc = await info.context.loaders.location.load(location_id)
    return Location.from_model(loc) if loc else None


@strawberry.type(name="TraceEvent", description="One EPCIS 2.0 event, as recorded (never changed).")
class TraceEventType(relay.Node):
    id: relay.NodeID[int]
    event_type: EventType
    action: EventAction | None
    biz_step: str | None
    disposition: str | None
    event_time: dt.datetime
    time_zone_offset: str
    record_time: dt.datetime
    event_hash: str = strawberry.field(description="The CBV 2.0 event hash, used as the EPCIS eventID.")
    destinations: list[SourceDest] = strawberry.field(description="EPCIS destinationList.")
    sources: list[SourceDest] = strawberry.field(description="EPCIS sourceList.")
    biz_transactions: list[BizTransaction] = strawberry.field(description="EPCIS bizTransactionList.")
    sensor_elements: list[SensorElement] = strawberry.field(description="EPCIS sensorElementList.")
    note: str | None
    note_en: str | None
    correction_reason: str | None = strawberry.field(
        description="Set on an error declaration: why the event it repeats was wrong."
    )
    corrects: relay.GlobalID | None = strawberry.field(
        description="The event this declaration declares wrong."
    )
    documents: list[EventDocument] = strawberry.field(
        description="Attached certificates, test results, photos, invoices (in EPCIS: `ocop:documents`)."
    )
    read_point_id: strawberry.Private[int | None]
    biz_location_id: strawberry.Private[int | None]

    @strawberry.field(description="Where the event was observed (EPCIS readPoint).")
    async def read_point(self, info: Info) -> Location | None:
        return await _place(info, self.read_point_id)

    @strawberry.field(description="Where the lots are after the event (EPCIS bizLocation).")
    async def biz_location(self, info: Info) -> Location | None:
        return await _place(info, self.biz_location_id)

    @classmethod
    def from_model(cls, e: EventModel) -> Self:
        return from_row(
            cls,
            e,
            destinations=source_dests(e.destinations or [], "destination"),
            sources=source_dests(e.sources or [], "source"),
            biz_transactions=biz_transactions(e.biz_transactions or []),
            sensor_elements=[sensor_element(x) for x in e.sensor_elements or [] if isinstance(x, Mapping)],
            corrects=relay.GlobalID("TraceEvent", str(e.corrects_id)) if e.corrects_id else None,
            documents=[
                EventDocument(type=d["type"], url=d["url"], title=d.get("title")) for d in e.documents or []
            ],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        # Events are read through their lots, whose visibility rules apply.
        return [None for _ in node_ids]


strawberry.enum(
    trace_integrity.IntegrityStatus,
    name="IntegrityStatus",
    description="What a lot's integrity check concluded: VALID (every event, the chain head and the lot's "
    "fields match their hashes), BROKEN (something no longer matches: see `reason`), or UNVERIFIED (the check "
    "did not finish within the server's time limit, e.g. events with thousands of sensor reports: neither "
    "valid nor a sign of tampering; ask again later).",
)
strawberry.enum(
    trace_integrity.Broken,
    name="IntegrityBrokenReason",
    description="Why a lot's stored history no longer matches its hashes: EVENT_CHANGED (an event's EPCIS "
    "content), DETAILS_CHANGED (a note, a place as shown, a correction), CHAIN_BROKEN (an event deleted from the "
    "middle or moved to another lot), TRUNCATED (the last events deleted), EXTRA_EVENTS (events added outside "
    "the event log), HEAD_MISMATCH (the last event is not the one the lot's head names), HEAD_MISSING (the "
    "lot's head deleted), LOT_CHANGED (the lot's own dates, quantity, origin or status edited).",
)


@strawberry.type(description="The result of recomputing a lot's hashes.")
class Integrity:
    valid: bool = strawberry.field(description="True only when `status` is VALID.")
    status: trace_integrity.IntegrityStatus
    reason: trace_integrity.Broken | None = strawberry.field(description="Why, when `status` is BROKEN.")
    broken_at: relay.GlobalID | None = strawberry.field(description="The first event that no longer matches.")
    events_checked: int
    legacy_events: int = strawberry.field(
        description="Events recorded before the chain covered their notes and places (hash scheme 1): those "
        "are not protected by it."
    )


@strawberry.type
class LineageLevel:
    depth: int
    batches: list[Batch] = strawberry.field(description="The lots of this level the caller may see.")
    withheld: int = strawberry.field(
        description="Lots of this level the caller may not see (unpublished): counted, their identity "
        "withheld, as the trace page and the EPCIS events do."
    )


@strawberry.type(description="A lot of a product, with its printed identity and history.")
class Batch(relay.Node):
    id: relay.NodeID[int]
    lot_code: str
    production_date: dt.date | None
    harvest_date: dt.date | None
    expiry_date: dt.date | None
    quantity: Decimal | None
    unit: str | None
    origin_place: str | None
    latitude: float | None
    longitude: float | None
    status: BatchStatus
    is_published: bool
    created_at: dt.datetime
    product_id: strawberry.Private[int]
    origin_commune_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, b: BatchModel) -> Self:
        return from_row(cls, b)

    @strawberry.field(description="Its product: whoever sees a lot sees its product.")
    async def product(self, info: Info) -> Product:
        product = await visible_product(info, self.product_id)
        assert product is not None  # services.policy.trace.sees_batch implies sees_product
        return product

    @strawberry.field
    async def origin_commune(self, info: Info) -> AdministrativeUnit | None:
        if self.origin_commune_id is None:
            return None
        unit = await info.context.loaders.admin_unit.load(self.origin_commune_id)
        return AdministrativeUnit.from_model(unit) if unit else None

    @strawberry.field(
        description="The printed identifier: GS1 Digital Link `/01/{gtin}/10/{lot}`, or `/p/{code}/10/{lot}` "
        "for a product without a GTIN. Never changes."
    )
    async def digital_link(self, info: Info) -> str:
        product = await info.context.loaders.product.load(self.product_id)
        assert product is not None
        return batch_link(
            info.context.base_url, product_id=product.id, gtin=product.gtin, lot_code=self.lot_code
        )

    @strawberry.field(
        description="The lot's public trace page (`/t/{code}/{lot}`), where its QR code leads; add `?lang=en` "
        "for English. Unpublished lots answer 404 there."
    )
    async def trace_url(self, info: Info) -> str:
        return trace_page_url(info.context.base_url, self.product_id, self.lot_code)

    @strawberry.field(description="The lot's events, oldest first.")
    async def events(self, info: Info) -> list[TraceEventType]:
        return [
            TraceEventType.from_model(e) for e in await info.context.loaders.events_by_batch.load(self.id)
        ]

    @strawberry.field(
        description="Lots this one was made from (BACKWARD) or that were made from it (FORWARD)."
    )
    async def lineage(
        self, info: Info, direction: LineageDirection = LineageDirection.BACKWARD, depth: int = 10
    ) -> list[LineageLevel]:
        levels = await trace_lineage.lineage(
            [self.id], backward=direction == LineageDirection.BACKWARD, depth=min(depth, 50)
        )
        out = []
        for number, level in enumerate(levels, start=1):
            visible = [b for b in level if await _sees_batch(info, b)]
            batches = [Batch.from_model(b) for b in visible]
            out.append(LineageLevel(depth=number, batches=batches, withheld=len(level) - len(visible)))
        return out

    @strawberry.field(description="Whether the stored history still matches its hashes.")
    async def integrity(self, info: Info) -> Integrity:
        result = await trace_integrity.integrity(self.id, info.context.base_url)
        broken = relay.GlobalID("TraceEvent", str(result.broken_at.id)) if result.broken_at else None
        return from_row(Integrity, result, broken_at=broken)

    @strawberry.field(
        description="The lot's history as an EPCIS 2.0 JSON-LD document. A lot its events name that the "
        "caller may not see is redacted: its epcClass is `urn:ocop-hub:epcis:redactedLot`."
    )
    async def epcis_document(self, info: Info) -> JSON:
        document = await trace.batch_document(self.id, info.context.base_url, info.context.reach)
        return cast(JSON, document)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return [cast(Self | None, await visible_batch(info, int(i))) for i in node_ids]


async def _sees_batch(info: Info, batch: BatchModel) -> bool:
    product = await info.context.loaders.product.load(batch.product_id)
    if product is None:
        return False
    producer = await info.context.loaders.producer.load(product.producer_id)
    assert producer is not None
    return trace_policy.sees_batch(info.context.reach, batch, product, producer)


@strawberry.type(name="BatchConnection", description="A page of lots, Relay style.")
class BatchConnection(Connection[Batch]):
    """Named, so that `Product.lots` (in schema.registry, which trace imports) can refer to it lazily."""


async def lots_of_product(
    info: Info, product_id: int, first: int | None, after: str | None, last: int | None, before: str | None
) -> BatchConnection:
    """A product's lots the caller may list, newest first (the public: published lots only)."""
    query = batches.batch_query(
        batches.BatchFilterData(product_id=product_id),
        visibility=trace_policy.batch_visibility(info.context.reach),
    )
    page: Page[Any] = await fetch_page(query, BATCH_ORDER, first, after, last, before)
    return cast(BatchConnection, BatchConnection.of(page, [Batch.from_model(b) for b in page.rows], query))


async def visible_batch(info: Info, batch_id: int) -> Batch | None:
    batch = await batches.batch_of(batch_id)
    if batch is None or not await _sees_batch(info, batch):
        return None
    return Batch.from_model(batch)
