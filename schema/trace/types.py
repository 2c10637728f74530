"""GraphQL types of origin tracing: batches (lots), their events, locations, lineage and integrity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Self, cast

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
from schema.enums import describe_enum
from schema.ids import nodes_by_ids
from schema.mapping import from_row
from schema.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Page,
    deprecated_list,
    list_connection,
)
from schema.registry.types import Product, visible_product
from services.policy import trace as trace_policy
from services.trace import batches, locations
from services.trace import events as trace
from services.trace import integrity as trace_integrity
from services.trace import lineage as trace_lineage
from services.trace.identity import batch_link, trace_page_url

BATCH_ORDER = ("-created_at", "-id")

describe_enum(
    BatchStatus,
    description="Status of a lot.",
    values={
        "ACTIVE": "On sale.",
        "ON_HOLD": "Held back while something is checked.",
        "RECALLED": "Recalled: withdrawn from sale, shown as such on its trace page.",
        "EXPIRED": "Past its expiry date.",
    },
)
describe_enum(
    EventType,
    description="EPCIS 2.0 event type.",
    values={
        "OBJECT": "Something happened to lots: made (commissioning), inspected, stored...",
        "AGGREGATION": "Lots were packed into or unpacked from a container.",
        "TRANSFORMATION": "Input lots were made into output lots.",
        "TRANSACTION": "Lots were tied to a business transaction (sold, shipped under an invoice).",
        "ASSOCIATION": "Devices (sensors) were tied to lots.",
    },
)
describe_enum(
    EventAction,
    description="EPCIS action: ADD (created or commissioned), OBSERVE, DELETE.",
    values={
        "ADD": "The lots begin to exist, or are added (commissioned, packed, joined to a transaction).",
        "OBSERVE": "The lots were seen, without change of what they are.",
        "DELETE": "The lots end, or are removed (consumed, unpacked, detached).",
    },
)
describe_enum(
    LocationKind,
    description="What a location is.",
    values={
        "FARM": "A farm, orchard or garden where produce grows.",
        "FACILITY": "A workshop or factory where products are made or packed.",
        "WAREHOUSE": "A store where goods are kept.",
        "SHOP": "A shop or market stall where goods are sold.",
        "FAIR_BOOTH": "A booth of a trade fair.",
        "EXTERNAL": "A partner's location, known only by its SGLN or GLN Digital Link.",
    },
)


@strawberry.enum(description="Which way to follow lots through transformations.")
class LineageDirection(Enum):
    BACKWARD = strawberry.enum_value(
        "backward", description="Towards the lots it was made from (ingredients, raw materials)."
    )  # what a lot was made from
    FORWARD = strawberry.enum_value(
        "forward", description="Towards the lots made from it."
    )  # what was made from a lot


@strawberry.type(
    description="A farm, facility, warehouse, shop or fair booth: where events happen (EPCIS readPoint and "
    "bizLocation)."
)
class Location(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(
        description='Its name as the producer calls it (e.g. "Vườn dừa HTX Dừa Xanh Giồng Trôm").'
    )
    kind: LocationKind = strawberry.field(description="What kind of place it is.")
    gln: str | None = strawberry.field(
        description="GS1 Global Location Number (13 digits), if it has one. Null when it has none."
    )
    address_line: str | None = strawberry.field(description="Street address. Null when not given.")
    latitude: float | None = strawberry.field(
        description="Latitude (WGS 84). Null when the place has no coordinates."
    )
    longitude: float | None = strawberry.field(
        description="Longitude (WGS 84). Null when the place has no coordinates."
    )
    identifier: str | None = strawberry.field(
        description="A partner's location (kind EXTERNAL): its SGLN or GLN Digital Link, as events name it. Null for our own locations (kinds other than EXTERNAL)."
    )
    commune_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, loc: LocationModel) -> Self:
        return from_row(cls, loc)

    @strawberry.field(
        description="The commune where it is. Null when no commune was given (a partner's location abroad, for one)."
    )
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
    url: str = strawberry.field(description="Where the document is.")
    title: str | None = strawberry.field(description="Its title. Null when not given.")


# -- EPCIS 2.0 entries of an event, typed per GS1's EPCIS JSON Schema ----------------------------------------


@strawberry.type(description="An EPCIS business transaction (bizTransactionList entry): an order, invoice...")
class BizTransaction:
    type: str | None = strawberry.field(
        description="A CBV 2.0 word (`po`, `inv`, `desadv`, `testres`...) or a URI; optional in EPCIS. Null when the event does not type it."
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
    time: dt.datetime | None = strawberry.field(
        description="When the readings were taken, for all of them. Null when the sensor element's metadata does not give it (optional in EPCIS)."
    )
    start_time: dt.datetime | None = strawberry.field(
        description="Start of the interval the readings cover. Null when the sensor element's metadata does not give it (optional in EPCIS)."
    )
    end_time: dt.datetime | None = strawberry.field(
        description="End of the interval the readings cover. Null when the sensor element's metadata does not give it (optional in EPCIS)."
    )
    device_id: str | None = strawberry.field(
        name="deviceID",
        description="The sensor device, as a URI. Null when the sensor element's metadata does not give it (optional in EPCIS).",
    )
    device_metadata: str | None = strawberry.field(
        description="A URI with more about the device. Null when the sensor element's metadata does not give it (optional in EPCIS)."
    )
    raw_data: str | None = strawberry.field(
        description="A URI of the raw data the readings come from. Null when the sensor element's metadata does not give it (optional in EPCIS)."
    )
    data_processing_method: str | None = strawberry.field(
        description="A URI naming how the raw data were processed. Null when the sensor element's metadata does not give it (optional in EPCIS)."
    )
    biz_rules: str | None = strawberry.field(
        description="A URI naming the business rules the readings are checked against. Null when the sensor element's metadata does not give it (optional in EPCIS)."
    )


@strawberry.type(
    description="One EPCIS sensorReport: a measurement (`type`, e.g. Temperature, with `value` and `uom`, a UN/ECE "
    "Rec. 20 unit) or an alert (`exception`). Numbers are JSON numbers in EPCIS, so Float here."
)
class SensorReport:
    type: str = strawberry.field(
        description="A gs1:MeasurementType word (Temperature, RelativeHumidity...) or URI."
    )
    exception: str | None = strawberry.field(
        description="ALARM_CONDITION, ERROR_CONDITION or a URI. Null when the reading reports no exception."
    )
    device_id: str | None = strawberry.field(
        name="deviceID",
        description="The device of this reading, when not that of the metadata. Null when the reading does not give it (optional in EPCIS).",
    )
    device_metadata: str | None = strawberry.field(
        description="A URI with more about the device. Null when the reading does not give it (optional in EPCIS)."
    )
    raw_data: str | None = strawberry.field(
        description="A URI of the raw data of this reading. Null when the reading does not give it (optional in EPCIS)."
    )
    data_processing_method: str | None = strawberry.field(
        description="A URI naming how it was processed. Null when the reading does not give it (optional in EPCIS)."
    )
    biz_rules: str | None = strawberry.field(
        description="A URI naming the business rules it is checked against. Null when the reading does not give it (optional in EPCIS)."
    )
    time: dt.datetime | None = strawberry.field(
        description="When this reading was taken. Null when the reading does not give it (then the metadata's time applies)."
    )
    microorganism: str | None = strawberry.field(
        description="The microorganism measured, as a URI (e.g. a species in a taxonomy). Null when the reading does not give it (optional in EPCIS)."
    )
    chemical_substance: str | None = strawberry.field(
        description="The chemical substance measured, as a URI (e.g. an InChI key). Null when the reading does not give it (optional in EPCIS)."
    )
    coordinate_reference_system: str | None = strawberry.field(
        description="The coordinate reference system of a location reading. Null when the reading does not give it (optional in EPCIS)."
    )
    value: float | None = strawberry.field(
        description="The measured value, in `uom`. Null when the reading does not give it (optional in EPCIS)."
    )
    component: str | None = strawberry.field(
        description="The component of a multi-dimensional value (x, y, z, latitude...). Null when the reading does not give it (optional in EPCIS)."
    )
    string_value: str | None = strawberry.field(
        description="A text value. Null when the reading does not give it (optional in EPCIS)."
    )
    boolean_value: bool | None = strawberry.field(
        description="A true/false value. Null when the reading does not give it (optional in EPCIS)."
    )
    hex_binary_value: str | None = strawberry.field(
        description="A binary value, as hexadecimal. Null when the reading does not give it (optional in EPCIS)."
    )
    uri_value: str | None = strawberry.field(
        description="A URI value. Null when the reading does not give it (optional in EPCIS)."
    )
    min_value: float | None = strawberry.field(
        description="The smallest value over the interval. Null when the reading does not give it (optional in EPCIS)."
    )
    max_value: float | None = strawberry.field(
        description="The largest value over the interval. Null when the reading does not give it (optional in EPCIS)."
    )
    mean_value: float | None = strawberry.field(
        description="The mean value over the interval. Null when the reading does not give it (optional in EPCIS)."
    )
    s_dev: float | None = strawberry.field(
        name="sDev",
        description="The standard deviation over the interval. Null when the reading does not give it (optional in EPCIS).",
    )
    perc_rank: float | None = strawberry.field(
        description="The percentile rank of `percValue`. Null when the reading does not give it (optional in EPCIS)."
    )
    perc_value: float | None = strawberry.field(
        description="The value at `percRank`. Null when the reading does not give it (optional in EPCIS)."
    )
    uom: str | None = strawberry.field(
        description="Unit of measure, a UN/ECE Rec 20 code (CEL degrees Celsius, P1 percent...). Null when the reading does not give it (optional in EPCIS)."
    )


@strawberry.type(description="An EPCIS sensorElement: a sensor's reports, with their shared metadata.")
class SensorElement:
    sensor_metadata: SensorMetadata | None = strawberry.field(
        description="About the readings: when and by which device they were taken. Null when the event does not give it (optional in EPCIS)."
    )
    sensor_report: list[SensorReport] = strawberry.field(
        description="The readings, one per measured quantity or event."
    )
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


@strawberry.type(
    name="TraceEvent",
    description="One EPCIS 2.0 event, as recorded (never changed): what happened to "
    "one or more lots, when, where and why, in the GS1 standard for traceability (EPCIS: Electronic Product Code "
    "Information Services; CBV: its Core Business Vocabulary). A lot's events, oldest first, are its trace.",
)
class TraceEventType(relay.Node):
    id: relay.NodeID[int]
    event_type: EventType = strawberry.field(
        description="Which kind of EPCIS event: object, aggregation, transformation, transaction or association."
    )
    action: EventAction | None = strawberry.field(
        description="ADD, OBSERVE or DELETE (null for transformation events, which have none)."
    )
    biz_step: str | None = strawberry.field(
        description="The business step, a CBV 2.0 word (commissioning, shipping, receiving...) or a URI. Null when the event does not give it (optional in EPCIS)."
    )
    disposition: str | None = strawberry.field(
        description="The state of the lots afterwards, a CBV 2.0 word (active, in_transit, recalled...) or a URI. Null when the event does not give it (optional in EPCIS)."
    )
    event_time: dt.datetime = strawberry.field(description="When it happened.")
    time_zone_offset: str = strawberry.field(
        description="The offset of the place where it happened, e.g. +07:00."
    )
    record_time: dt.datetime = strawberry.field(description="When it was recorded here.")
    event_hash: str = strawberry.field(description="The CBV 2.0 event hash, used as the EPCIS eventID.")
    destinations: list[SourceDest] = strawberry.field(description="EPCIS destinationList.")
    sources: list[SourceDest] = strawberry.field(description="EPCIS sourceList.")
    biz_transactions: list[BizTransaction] = strawberry.field(description="EPCIS bizTransactionList.")
    sensor_elements: list[SensorElement] = strawberry.field(description="EPCIS sensorElementList.")
    note: str | None = strawberry.field(
        description="A note shown on the trace page, in Vietnamese. Null when not given."
    )
    note_en: str | None = strawberry.field(
        description="The note in English. Null when no English one was given."
    )
    correction_reason: str | None = strawberry.field(
        description="Set on an error declaration: why the event it repeats was wrong. Null for events other than error declarations."
    )
    corrects: relay.GlobalID | None = strawberry.field(
        description="The event this declaration declares wrong. Null for events other than error declarations."
    )
    documents: list[EventDocument] = strawberry.field(
        description="Attached certificates, test results, photos, invoices (in EPCIS: `ocop:documents`)."
    )
    read_point_id: strawberry.Private[int | None]
    biz_location_id: strawberry.Private[int | None]

    @strawberry.field(
        description="Where the event was observed (EPCIS readPoint). Null when the event does not give it (optional in EPCIS)."
    )
    async def read_point(self, info: Info) -> Location | None:
        return await _place(info, self.read_point_id)

    @strawberry.field(
        description="Where the lots are after the event (EPCIS bizLocation). Null when the event does not give it (optional in EPCIS)."
    )
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


describe_enum(
    trace_integrity.IntegrityStatus,
    name="IntegrityStatus",
    description="What a lot's integrity check concluded: VALID (every event, the chain head and the lot's "
    "fields match their hashes), BROKEN (something no longer matches: see `reason`), or UNVERIFIED (the check "
    "did not finish within the server's time limit, e.g. events with thousands of sensor reports: neither "
    "valid nor a sign of tampering; ask again later).",
    values={
        "VALID": "Every event, the chain head and the lot's own fields match their hashes.",
        "BROKEN": "Something no longer matches: see `reason` and `brokenAt`.",
        "UNVERIFIED": "The check did not finish within the server's time limit: neither valid nor a sign of tampering; ask again later.",
    },
)
describe_enum(
    trace_integrity.Broken,
    name="IntegrityBrokenReason",
    description="Why a lot's stored history no longer matches its hashes: EVENT_CHANGED (an event's EPCIS "
    "content), DETAILS_CHANGED (a note, a place as shown, a correction), CHAIN_BROKEN (an event deleted from the "
    "middle or moved to another lot), TRUNCATED (the last events deleted), EXTRA_EVENTS (events added outside "
    "the event log), HEAD_MISMATCH (the last event is not the one the lot's head names), HEAD_MISSING (the "
    "lot's head deleted), LOT_CHANGED (the lot's own dates, quantity, origin or status edited).",
    values={
        "EVENT_CHANGED": "An event's EPCIS content was changed.",
        "DETAILS_CHANGED": "A note, a place as shown or a correction was changed.",
        "CHAIN_BROKEN": "An event was deleted from the middle of the history or moved to another lot.",
        "TRUNCATED": "The last events were deleted.",
        "EXTRA_EVENTS": "Events were added outside the event log.",
        "HEAD_MISMATCH": "The last event is not the one the lot's head names.",
        "HEAD_MISSING": "The lot's head (its latest hash) was deleted.",
        "LOT_CHANGED": "The lot's own dates, quantity, origin or status were edited.",
    },
)


@strawberry.type(description="The result of recomputing a lot's hashes.")
class Integrity:
    valid: bool = strawberry.field(description="True only when `status` is VALID.")
    status: trace_integrity.IntegrityStatus = strawberry.field(description="What the check concluded.")
    reason: trace_integrity.Broken | None = strawberry.field(
        description="Why, when `status` is BROKEN. Null unless `status` is BROKEN."
    )
    broken_at: relay.GlobalID | None = strawberry.field(
        description="The first event that no longer matches. Null unless `status` is BROKEN."
    )
    events_checked: int = strawberry.field(description="How many events were hashed again.")
    legacy_events: int = strawberry.field(
        description="Events recorded before the chain covered their notes and places (hash scheme 1): those "
        "are not protected by it."
    )


@strawberry.type(description="The lots at one step of a lot's lineage.")
class LineageLevel:
    depth: int = strawberry.field(
        description="How many transformations away from the lot asked about (1: made directly from it or into it)."
    )
    batches: list[Batch] = strawberry.field(
        description="The lots of this level the caller may see (all of them, unpaged).",
        deprecation_reason=deprecated_list("batchesConnection"),
    )
    withheld: int = strawberry.field(
        description="Lots of this level the caller may not see (unpublished): counted, their identity "
        "withheld, as the trace page and the EPCIS events do."
    )

    @strawberry.field(description="The lots of this level the caller may see, a page at a time.")
    def batches_connection(
        self, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> BatchConnection:
        return cast(BatchConnection, list_connection(self.batches, lambda b: b, first, after, last, before))


@strawberry.type(
    description="A lot (batch, lô hàng): a quantity of one product made or harvested together, identified by "
    "its lot code (GS1 AI 10) printed on every pack. Its QR code carries a GS1 Digital Link, the web address "
    "that identifies it; its history is its EPCIS events."
)
class Batch(relay.Node):
    id: relay.NodeID[int]
    lot_code: str = strawberry.field(
        description="The lot (batch) number printed on the pack, GS1 AI 10: up to 20 characters, unique per product."
    )
    production_date: dt.date | None = strawberry.field(
        description="When the lot was made. Null when not given (fresh produce has a harvest date instead)."
    )
    harvest_date: dt.date | None = strawberry.field(
        description="When the lot was harvested (fresh produce). Null when not given (processed goods have a production date instead)."
    )
    expiry_date: dt.date | None = strawberry.field(
        description='Last day the lot may be sold or eaten ("hạn sử dụng"). Null when the lot has no expiry date.'
    )
    quantity: Decimal | None = strawberry.field(
        description="How much the lot holds, in `unit`. Null when the quantity was not given."
    )
    unit: str | None = strawberry.field(
        description="Unit of `quantity`, a UN/ECE Rec 20 code: KGM kilogram, GRM gram, LTR litre, MLT millilitre, H87 piece. Null when the quantity or its unit was not given."
    )
    origin_place: str | None = strawberry.field(
        description="Where it comes from, as words (an orchard, a hamlet). Null when not given."
    )
    latitude: float | None = strawberry.field(
        description="Latitude of its origin (WGS 84). Null when the origin has no coordinates."
    )
    longitude: float | None = strawberry.field(
        description="Longitude of its origin (WGS 84). Null when the origin has no coordinates."
    )
    status: BatchStatus = strawberry.field(description="Whether it is on sale, on hold, recalled or expired.")
    is_published: bool = strawberry.field(
        description="Whether consumers see its trace (the page its QR code opens)."
    )
    created_at: dt.datetime = strawberry.field(description="When the lot was recorded.")
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

    @strawberry.field(description="The commune it comes from. Null when the origin commune was not given.")
    async def origin_commune(self, info: Info) -> AdministrativeUnit | None:
        if self.origin_commune_id is None:
            return None
        unit = await info.context.loaders.admin_unit.load(self.origin_commune_id)
        return AdministrativeUnit.from_model(unit) if unit else None

    @strawberry.field(
        description="The printed identifier: a GS1 Digital Link (a web address that names a product by its GTIN, "
        "AI 01, and the lot by its code, AI 10): `/01/{gtin}/10/{lot}`, or `/p/{code}/10/{lot}` for a product "
        "without a GTIN. Its QR code opens the lot's trace page. Never changes."
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

    @strawberry.field(
        description="The lot's events, oldest first (all of them, unpaged).",
        deprecation_reason=deprecated_list("eventsConnection"),
    )
    async def events(self, info: Info) -> list[TraceEventType]:
        return [
            TraceEventType.from_model(e) for e in await info.context.loaders.events_by_batch.load(self.id)
        ]

    @strawberry.field(
        description="The lot's events (EPCIS events that made, moved, transformed or inspected it), oldest "
        "first, a page at a time."
    )
    async def events_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[TraceEventType]:
        rows = await info.context.loaders.events_by_batch.load(self.id)
        return list_connection(rows, TraceEventType.from_model, first, after, last, before)

    @strawberry.field(
        description="Lots this one was made from (BACKWARD) or that were made from it (FORWARD)."
    )
    async def lineage(
        self,
        info: Info,
        direction: Annotated[
            LineageDirection,
            strawberry.argument(
                description="BACKWARD to what it was made from, FORWARD to what was made from it."
            ),
        ] = LineageDirection.BACKWARD,
        depth: Annotated[
            int, strawberry.argument(description="How many transformations to follow (1 to 10).")
        ] = 10,
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
    """A product's lots the caller may list, newest first (the public: published lots only): one page per
    product, read for every product of the request together."""
    visibility = trace_policy.batch_visibility(info.context.reach)
    loader = info.context.loaders.child_pages(
        "Product.lots",
        batches.batch_query(batches.BatchFilterData(), visibility=visibility),
        "product_id",
        BATCH_ORDER,
        (first, after, last, before),
    )
    page: Page[Any] = await loader.load(product_id)
    return cast(BatchConnection, BatchConnection.of(page, [Batch.from_model(b) for b in page.rows]))


async def visible_batch(info: Info, batch_id: int) -> Batch | None:
    batch = await batches.batch_of(batch_id)
    if batch is None or not await _sees_batch(info, batch):
        return None
    return Batch.from_model(batch)
