"""Inputs of the traceability mutations, and how each becomes the service's dataclass."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models import EventAction, EventType, LocationKind, UnitEra
from schema.ids import decode_id, decode_optional_id
from schema.mapping import InputMap
from schema.trace.types import Batch, Location
from services.common.errors import DomainError, FieldProblem
from services.trace import events as trace
from services.trace import locations
from services.trace.batches import BatchData
from services.trace.errors import TraceErrorCode


@strawberry.input(description="A new lot of one of your products.")
class BatchCreateInput:
    product_id: relay.GlobalID = strawberry.field(description="The product it is a lot of.")
    lot_code: str = strawberry.field(description="GS1 AI 10: 1-20 characters of GS1 character set 82.")
    production_date: dt.date | None = strawberry.field(default=None, description="When it was made.")
    harvest_date: dt.date | None = strawberry.field(default=None, description="When it was harvested.")
    expiry_date: dt.date | None = strawberry.field(
        default=None, description="Defaults to the production date plus the product's shelf life."
    )
    quantity: Decimal | None = strawberry.field(default=None, description="How much it holds, in `unit`.")
    unit: str | None = strawberry.field(default=None, description="UN/ECE Rec 20: KGM, GRM, LTR, MLT, H87.")
    origin_commune_code: str | None = strawberry.field(
        default=None, description="GSO code of the commune it comes from."
    )
    origin_commune_era: UnitEra = strawberry.field(
        default=UnitEra.CURRENT, description="Era of `originCommuneCode` (CURRENT by default)."
    )
    origin_place: str | None = strawberry.field(default=None, description="Where it comes from, as words.")
    latitude: float | None = strawberry.field(
        default=None, description="Latitude of its origin (WGS 84), with longitude."
    )
    longitude: float | None = strawberry.field(default=None, description="Longitude of its origin.")
    is_published: bool = strawberry.field(
        default=True, description="Show its trace to consumers now (true by default)."
    )


@strawberry.input(description="A lot an event concerns, and how much of it.")
class LotQuantityInput:
    batch_id: relay.GlobalID = strawberry.field(description="The lot.")
    quantity: Decimal | None = strawberry.field(
        default=None, description="How much of the lot, in `unit` (the whole lot when left out)."
    )
    unit: str | None = strawberry.field(
        default=None, description="Unit of `quantity`, UN/ECE Rec 20 (KGM, LTR, H87...)."
    )


@strawberry.input(
    description="A location of a producer (`producerId`), or shared (a market, a fair booth: no producer)."
)
class LocationCreateInput:
    name: str = strawberry.field(description="Its name.")
    kind: LocationKind = strawberry.field(description="What kind of place it is.")
    producer_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The producer that operates it; members create locations of their own only."
    )
    gln: str | None = strawberry.field(default=None, description="GS1 GLN, 13 digits, check digit verified.")
    commune_code: str | None = strawberry.field(
        default=None, description="GSO code of its commune; required for a shared location."
    )
    commune_era: UnitEra = strawberry.field(
        default=UnitEra.CURRENT, description="Era of `communeCode` (CURRENT by default)."
    )
    address_line: str | None = strawberry.field(default=None, description="Street address.")
    latitude: float | None = strawberry.field(default=None, description="WGS 84, with longitude.")
    longitude: float | None = strawberry.field(default=None, description="WGS 84, with latitude.")


@strawberry.input(description="A document attached to an event, by URL (at most 10 per event).")
class EventDocumentInput:
    type: str = strawberry.field(description="certificate, testResult, photo, invoice or other.")
    url: str = strawberry.field(description="https (or this service's own public address).")
    title: str | None = strawberry.field(default=None, description="Its title.")


_IDENTIFIER = (
    "Instead of the ID: the place's identifier, e.g. a partner's SGLN (urn:epc:id:sgln:...) or GLN Digital Link "
    "(https://id.gs1.org/414/{gln}[/254/{extension}]), kept as given (an external location)."
)


@strawberry.input(description="An ObjectEvent or TransactionEvent on one or more lots.")
class EventRecordInput:
    event_time: dt.datetime = strawberry.field(description="With its offset, e.g. 2019-06-05T08:30:00+07:00.")
    lots: list[LotQuantityInput] = strawberry.field(
        description="The lots the event is about, with the quantity of each concerned."
    )
    event_type: EventType = strawberry.field(
        default=EventType.OBJECT,
        description="OBJECT or TRANSACTION (transformations have their own mutation).",
    )
    action: EventAction = strawberry.field(default=EventAction.OBSERVE, description="ADD, OBSERVE or DELETE.")
    biz_step: str | None = strawberry.field(default=None, description="A CBV 2.0 word (shipping) or a URI.")
    disposition: str | None = strawberry.field(
        default=None, description="The lots' state afterwards, a CBV 2.0 word (in_transit) or a URI."
    )
    biz_transactions: JSON | None = strawberry.field(
        default=None,
        description='EPCIS bizTransactionList, e.g. [{"type": "inv", "bizTransaction": "urn:..."}]',
    )
    sources: JSON | None = strawberry.field(
        default=None,
        description='EPCIS sourceList, e.g. [{"type": "owning_party", "source": "urn:epc:id:pgln:..."}].',
    )
    destinations: JSON | None = strawberry.field(
        default=None, description="EPCIS destinationList, as sources."
    )
    sensor_elements: JSON | None = strawberry.field(
        default=None, description="EPCIS sensorElementList: sensor readings (at most 1,000 reports)."
    )
    read_point_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The Location where the event was observed (EPCIS readPoint)."
    )
    biz_location_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The Location where the lots are afterwards (EPCIS bizLocation)."
    )
    read_point_identifier: str | None = strawberry.field(default=None, description=_IDENTIFIER)
    biz_location_identifier: str | None = strawberry.field(default=None, description=_IDENTIFIER)
    documents: list[EventDocumentInput] | None = strawberry.field(
        default=None, description="Documents to attach (at most 10)."
    )
    note: str | None = strawberry.field(default=None, description="A note for the trace page, in Vietnamese.")
    note_en: str | None = strawberry.field(default=None, description="The note in English.")


@strawberry.input(description="A TransformationEvent: input lots made into output lots.")
class TransformationInput:
    event_time: dt.datetime = strawberry.field(description="When it happened, with its offset.")
    inputs: list[LotQuantityInput] = strawberry.field(
        description="The lots used (ingredients, raw materials)."
    )
    outputs: list[LotQuantityInput] = strawberry.field(description="The lots made.")
    biz_step: str | None = strawberry.field(
        default="creating_class_instance",
        description="The business step, a CBV 2.0 word (e.g. commissioning) or a URI.",
    )
    read_point_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The Location where it happened (EPCIS readPoint)."
    )
    biz_location_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The Location where the output lots are afterwards (EPCIS bizLocation)."
    )
    read_point_identifier: str | None = strawberry.field(default=None, description=_IDENTIFIER)
    biz_location_identifier: str | None = strawberry.field(default=None, description=_IDENTIFIER)
    documents: list[EventDocumentInput] | None = strawberry.field(
        default=None, description="Documents to attach (at most 10)."
    )
    note: str | None = strawberry.field(default=None, description="A note for the trace page, in Vietnamese.")
    note_en: str | None = strawberry.field(default=None, description="The note in English.")


@strawberry.input(
    description="Declare a recorded event wrong (EPCIS error declaration), optionally with its correction."
)
class EventErrorInput:
    event_id: relay.GlobalID = strawberry.field(description="The event declared wrong.")
    reason: str = strawberry.field(description="did_not_occur, incorrect_data, or a URI.")
    corrective: EventRecordInput | None = strawberry.field(
        default=None, description="The event as it should have been, recorded in its place."
    )


@strawberry.input(
    description="The name a partner's location (an external location) shows by on the producer's trace pages."
)
class ExternalLocationNameInput:
    location_id: relay.GlobalID = strawberry.field(
        description="An external location the producer's events name."
    )
    producer_id: relay.GlobalID = strawberry.field(
        description="The producer whose pages show the name (a producer you manage)."
    )
    name: str | None = strawberry.field(
        default=None, description="At most 255 characters; null or blank: show it by its GLN again."
    )


@strawberry.input(description="The lot to recall.")
class RecallInput:
    batch_id: relay.GlobalID = strawberry.field(
        description="The lot; every lot made from it is recalled too."
    )
    reason: str = strawberry.field(description="Why, shown on the trace pages of the recalled lots.")


BATCH_CREATE = InputMap(
    BatchCreateInput,
    BatchData,
    decoded=("product_id",),
    output=Batch,
    write_only=(
        "product_id",
        "origin_commune_code",
        "origin_commune_era",
    ),  # read as `product`, `originCommune`
)
LOCATION_CREATE = InputMap(
    LocationCreateInput,
    locations.LocationData,
    decoded=("producer_id",),
    output=Location,
    write_only=("producer_id", "commune_code", "commune_era"),  # read as `producer`, `commune`
)


def _lots(items: list[LotQuantityInput], name: str) -> list[trace.QuantityData]:
    return [
        trace.QuantityData(decode_id(i.batch_id, "Batch", f"{name}.{n}.batchId"), i.quantity, i.unit)
        for n, i in enumerate(items)
    ]


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


def event_data(input: EventRecordInput, prefix: str = "") -> trace.EventInput:
    """An ObjectEvent or TransactionEvent; `prefix` names where it sits in the input (`corrective.`)."""
    return trace.EventInput(
        event_type=input.event_type,
        event_time=input.event_time,
        subjects=_lots(input.lots, f"{prefix}lots"),
        action=input.action,
        biz_step=input.biz_step,
        disposition=input.disposition,
        biz_transactions=_entries(input.biz_transactions, f"{prefix}bizTransactions"),
        sources=_entries(input.sources, f"{prefix}sources"),
        destinations=_entries(input.destinations, f"{prefix}destinations"),
        sensor_elements=_entries(input.sensor_elements, f"{prefix}sensorElements"),
        read_point_id=decode_optional_id(input.read_point_id, "Location", f"{prefix}readPointId"),
        biz_location_id=decode_optional_id(input.biz_location_id, "Location", f"{prefix}bizLocationId"),
        read_point_uri=input.read_point_identifier,
        biz_location_uri=input.biz_location_identifier,
        documents=_documents(input.documents),
        note=input.note,
        note_en=input.note_en,
    )


def transformation_data(input: TransformationInput) -> trace.EventInput:
    return trace.EventInput(
        event_type=EventType.TRANSFORMATION,
        event_time=input.event_time,
        inputs=_lots(input.inputs, "inputs"),
        outputs=_lots(input.outputs, "outputs"),
        action=None,
        biz_step=input.biz_step,
        read_point_id=decode_optional_id(input.read_point_id, "Location", "readPointId"),
        biz_location_id=decode_optional_id(input.biz_location_id, "Location", "bizLocationId"),
        read_point_uri=input.read_point_identifier,
        biz_location_uri=input.biz_location_identifier,
        documents=_documents(input.documents),
        note=input.note,
        note_en=input.note_en,
    )
