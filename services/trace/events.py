"""Origin tracing: the append-only event log with its hash chain, recalls and error declarations.

Lots are created in services.trace.batches; what a lot was made from or into is services.trace.lineage.

Every event is stored with its CBV 2.0 event hash (its EPCIS eventID) and a chain hash that covers the
event hash, what the trace page and the EPCIS document show besides it (`shown_digest`: notes, read point and
business location as shown, record time, the error declaration) and, for each batch it touches, that batch's
previous chain hash. Each append also moves the head of every lot it touches (`LotHead`: last chain hash and
event count), in the same transaction. Changing any stored event, quantity or shown place, or deleting events,
makes services.trace.integrity report the lot broken, with the reason."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import orjson
from tortoise.transactions import in_transaction

from models import (
    Batch,
    BatchStatus,
    EventAction,
    EventField,
    EventIdentifier,
    EventQuantity,
    EventType,
    FieldScope,
    IdentifierRole,
    Location,
    LotHead,
    Product,
    QuantityRole,
    TraceEvent,
)
from services.common import bus, clock, instance, page_cache
from services.common.errors import DomainError, FieldProblem, Problems
from services.common.text import nfc, nfc_or_none
from services.policy import Reach
from services.policy import registry as policy
from services.policy import trace as trace_policy
from services.trace import epcis, epcis_hash, epcis_stream, epcis_validation, snapshot
from services.trace.batches import QUANTITY_MESSAGES, UNITS, lot_digest, quantity_fits
from services.trace.epcis_identifiers import canonical_identifier, indexed_values
from services.trace.errors import TraceErrorCode
from services.trace.identity import batch_link
from services.trace.lineage import RecallImpact, lineage, recall_impact
from services.trace.locations import (
    check_places,
    clean_documents,
    external_location_ids,
    our_locations,
    partner_identifier_problem,
)

CLOCK_SKEW = dt.timedelta(minutes=5)

# What one event may carry besides its lots: every later view of the lot (integrity check, trace page, EPCIS)
# reads and hashes it again, so an unbounded event would make each of them slow, for everyone.
MAX_SENSOR_REPORTS = 1_000  # sensor reports per event, over all its sensor elements
MAX_LIST_ENTRIES = 100  # entries of each list: sources, destinations, business transactions, sensor elements
MAX_FREE_JSON_BYTES = (
    256 * 1024
)  # those lists together, as JSON (with ilmd and extensions, captured verbatim)
MAX_IDENTIFIERS = 5_000  # identifiers of one event besides our lots' quantities (epcList, childEPCs...)


@dataclass(slots=True)
class QuantityData:
    batch_id: int
    quantity: Decimal | None = None
    unit: str | None = None
    # False: the event touches the lot through serials of it or a container of its units, not through a quantity
    # element (EventQuantity.listed): it links the event to the lot and is not written as an element.
    listed: bool = True


@dataclass(slots=True)
class IdentifierData:
    """An identifier of a captured event other than our lots' quantity elements (models.trace.EventIdentifier),
    as received; its canonical value is derived when stored."""

    role: IdentifierRole
    position: int
    received: str
    batch_id: int | None = None  # the lot of ours it names (a serial of it)
    serial: str | None = None
    quantity: Decimal | None = None  # quantity roles
    uom: str | None = None


@dataclass(slots=True)
class EventInput:
    event_type: EventType
    event_time: dt.datetime
    subjects: list[QuantityData] = field(default_factory=list)  # Object/Transaction events
    inputs: list[QuantityData] = field(default_factory=list)  # Transformation
    outputs: list[QuantityData] = field(default_factory=list)  # Transformation
    action: EventAction | None = EventAction.OBSERVE
    biz_step: str | None = None
    disposition: str | None = None
    read_point_id: int | None = None
    biz_location_id: int | None = None
    # Or by identifier: a partner's SGLN or GLN Digital Link (stored as an external location, written back
    # unchanged), or the URI of one of ours (services.trace.locations.our_locations).
    read_point_uri: str | None = None
    biz_location_uri: str | None = None
    sources: list[dict[str, str]] = field(default_factory=list)
    destinations: list[dict[str, str]] = field(default_factory=list)
    biz_transactions: list[dict[str, str]] = field(default_factory=list)
    sensor_elements: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, str]] = field(default_factory=list)  # {type, url, title?}: services/locations
    note: str | None = None
    note_en: str | None = None
    # What a captured EPCIS event carries besides (models.trace.TraceEvent, migration 0012), kept verbatim.
    identifiers: list[IdentifierData] = field(default_factory=list)
    ilmd: dict[str, Any] | None = None
    persistent_disposition: dict[str, Any] | None = None
    certification_info: list[str] | None = None  # certificationInfo URIs
    extensions: dict[str, Any] | None = None
    place_extensions: dict[str, Any] | None = None
    namespaces: dict[str, str] | None = None
    declaration: dict[str, Any] | None = None  # a partner's errorDeclaration


def _error(field_name: str, code: TraceErrorCode, message: str, message_en: str) -> DomainError:
    return DomainError([FieldProblem(field_name, code, message, message_en)])


# -- events -------------------------------------------------------------------------------------------------


def location_uri(base_url: str, location: Location | None) -> str | None:
    if location is None:
        return None
    if location.identifier:  # a partner's place: its identifier as received
        return location.identifier
    if location.gln:
        return f"https://id.gs1.org/414/{location.gln}"
    return f"{base_url.rstrip('/')}/locations/{location.id}"


# The chain hash scheme of events recorded now (TraceEvent.hash_version). Scheme 1, of events recorded before
# migration 0007, did not cover `shown_digest`; those events keep verifying with it (see docs/tracing.md).
HASH_VERSION = 2


def chain_hash(
    event_hash: str,
    previous: Sequence[tuple[int, str | None]],
    declaration: str | None = None,
    shown: str | None = None,
) -> str:
    """sha256 over the event hash (for an error declaration: marked, with its reason), for scheme 2 the digest
    of what is shown besides it (`shown`, from `shown_digest`; None: scheme 1) and, for each batch in id order,
    its previous chain hash."""
    head = event_hash if declaration is None else f"declaration:{event_hash}:{declaration}"
    if shown is not None:
        head = f"v2:{shown}:{head}"
    material = head + "".join(f"|{batch_id}:{prev or ''}" for batch_id, prev in sorted(previous))
    return hashlib.sha256(material.encode()).hexdigest()


def _place_shown(location: Location | None) -> dict[str, Any] | None:
    """A read point or business location as the trace page and the EPCIS document show it."""
    if location is None:
        return None
    return {
        "id": location.id,
        "name": location.name,
        "gln": location.gln,
        "address": location.address_line,
        "commune": location.commune_id,
    }


def _microseconds(value: dt.datetime) -> int:
    """An instant as microseconds since the epoch: the same whichever offset the database returns it in."""
    return (value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)


def shown_digest(event: TraceEvent, locations: dict[int, Location]) -> str:
    """sha256 of what the trace page and the EPCIS document show of an event that its CBV event hash does not
    cover: the notes, the read point and business location rows' shown fields (name, GLN, address), the
    record time (EPCIS recordTime and declarationTime), documents, and the error declaration (the corrected
    event, reason, corrective eventIDs). Part of a scheme 2 chain hash."""
    read_point = locations.get(event.read_point_id) if event.read_point_id else None
    biz_location = locations.get(event.biz_location_id) if event.biz_location_id else None
    content = {
        "note": event.note,
        "noteEn": event.note_en,
        "readPoint": _place_shown(read_point) if event.read_point_id else None,
        "bizLocation": _place_shown(biz_location) if event.biz_location_id else None,
        "recordTime": _microseconds(event.record_time),
        "documents": list(event.documents or []),
        "corrects": event.corrects_id,
        "correctionReason": event.correction_reason,
        "correctiveEventIDs": list(event.corrective_event_ids or []),
    }
    if event.declaration is not None:  # a partner's errorDeclaration: not covered by the CBV event hash
        content["declaration"] = event.declaration
    material = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()


async def _move_heads(event: TraceEvent, batch_ids: set[int], conn: Any, base_url: str) -> None:
    """Move the head of each lot the event touches to it (within the append's transaction) and announce the
    event on the lot's topic. A lot without a head gets one counting this event only: if it had events,
    its count then disagrees and stays broken."""
    for batch_id in sorted(batch_ids):
        head = await LotHead.filter(batch_id=batch_id).using_db(conn).select_for_update().first()
        if head is None:
            await LotHead.create(batch_id=batch_id, event_count=1, chain_hash=event.chain_hash, using_db=conn)
        else:
            await (
                LotHead.filter(id=head.id)
                .using_db(conn)
                .update(event_count=head.event_count + 1, chain_hash=event.chain_hash)
            )
        # Subscribers of the lot (`lotEvents`) hear of it when the transaction commits.
        await bus.publish(lot_topic(batch_id), {"event": event.id})
    await snapshot.rebuild(batch_ids, base_url)  # the lots' trace page snapshots, in the append's transaction


def lot_topic(batch_id: int) -> str:
    """The bus topic of a lot's new events (services/common/bus.py)."""
    return f"lot:{batch_id}"


async def locations_of(events: Sequence[TraceEvent]) -> dict[int, Location]:
    """The read points and business locations of `events`, in one query."""
    ids = {i for e in events for i in (e.read_point_id, e.biz_location_id) if i}
    return {loc.id: loc for loc in await Location.filter(id__in=sorted(ids))} if ids else {}


async def stored_event_json(
    base_url: str,
    event: TraceEvent,
    quantities: Sequence[tuple[QuantityRole, Batch, Product, Decimal | None, str | None]],
    locations: dict[int, Location] | None = None,
    identifiers: Sequence[EventIdentifier] = (),
) -> dict[str, Any]:
    """The EPCIS 2.0 JSON of an event with its quantities (listed ones: see `listed_rows`) and identifiers: what
    its event hash covers. Our identifiers in it use the installation's minted base URL
    (services/common/instance.py), whatever `base_url` is configured."""
    if locations is None:
        locations = await locations_of([event])
    return event_json_of(await instance.identity_base(base_url), event, quantities, locations, identifiers)


_QUANTITY_ROLE = {
    IdentifierRole.QUANTITY: QuantityRole.SUBJECT,
    IdentifierRole.CHILD_QUANTITY: QuantityRole.SUBJECT,
    IdentifierRole.INPUT_QUANTITY: QuantityRole.INPUT,
    IdentifierRole.OUTPUT_QUANTITY: QuantityRole.OUTPUT,
}


def listed_rows(
    quantities: Sequence[EventQuantity],
) -> list[tuple[QuantityRole, Batch, Product, Decimal | None, str | None]]:
    """The quantity elements of an event's EventQuantity rows (their batch and product read): the listed ones,
    in row order."""
    return [
        (QuantityRole(q.role), q.batch, q.batch.product, q.quantity, q.unit)
        for q in sorted(quantities, key=lambda q: q.id)
        if q.listed
    ]


async def identifiers_of(event_ids: Sequence[int]) -> dict[int, list[EventIdentifier]]:
    """The EventIdentifier rows of events, each event's in list order, in one query."""
    rows = await EventIdentifier.filter(event_id__in=list(event_ids)).order_by("id") if event_ids else []
    grouped: dict[int, list[EventIdentifier]] = {}
    for row in rows:
        grouped.setdefault(row.event_id, []).append(row)
    return grouped


def event_json_of(
    base_url: str,
    event: TraceEvent,
    quantities: Sequence[tuple[QuantityRole, Batch, Product, Decimal | None, str | None]],
    locations: dict[int, Location],
    identifiers: Sequence[EventIdentifier] = (),
) -> dict[str, Any]:
    """`stored_event_json` from rows already read: no I/O, so it may run in a worker thread (an event with
    thousands of sensor reports takes tens of milliseconds to build)."""
    read_point = locations.get(event.read_point_id) if event.read_point_id else None
    biz_location = locations.get(event.biz_location_id) if event.biz_location_id else None
    ordered = sorted(identifiers, key=lambda row: (row.role, row.position))
    instances: dict[IdentifierRole, list[str]] = {}
    for row in ordered:
        if row.role not in _QUANTITY_ROLE:
            instances.setdefault(IdentifierRole(row.role), []).append(row.received or row.value)
    foreign = [
        epcis.QuantityElement(
            role=_QUANTITY_ROLE[IdentifierRole(row.role)],
            epc_class=row.received or row.value,
            quantity=row.quantity,
            uom=row.uom,
        )
        for row in ordered
        if row.role in _QUANTITY_ROLE
    ]
    parent = instances.get(IdentifierRole.PARENT)
    data = epcis.EventData(
        type=EventType(event.event_type),
        action=EventAction(event.action) if event.action else None,
        biz_step=event.biz_step,
        disposition=event.disposition,
        event_time=event.event_time,
        time_zone_offset=event.time_zone_offset,
        read_point_id=location_uri(base_url, read_point),
        biz_location_id=location_uri(base_url, biz_location),
        quantities=[
            epcis.QuantityElement(
                role=role,
                epc_class=batch_link(
                    base_url, product_id=product.id, gtin=product.gtin, lot_code=batch.lot_code
                ),
                quantity=quantity,
                uom=unit,
            )
            for role, batch, product, quantity, unit in quantities
        ]
        + foreign,
        parent_id=parent[0] if parent else None,
        epc_list=instances.get(IdentifierRole.EPC, []),
        child_epcs=instances.get(IdentifierRole.CHILD, []),
        input_epcs=instances.get(IdentifierRole.INPUT, []),
        output_epcs=instances.get(IdentifierRole.OUTPUT, []),
        ilmd=event.ilmd,
        persistent_disposition=event.persistent_disposition,
        certification_info=event.certification_info,
        extensions=event.extensions,
        place_extensions=event.place_extensions,
        namespaces=event.namespaces,
        declaration=event.declaration,
        sources=list(event.sources or []),
        destinations=list(event.destinations or []),
        biz_transactions=list(event.biz_transactions or []),
        sensor_elements=list(event.sensor_elements or []),
        documents=list(event.documents or []),
        error_declaration=epcis.ErrorDeclaration(
            declaration_time=event.record_time,
            reason=event.correction_reason,
            corrective_event_ids=list(event.corrective_event_ids or []),
        )
        if event.corrects_id and event.declaration is None
        else None,
    )
    return epcis.event_json(data)


def sensor_report_count(elements: Sequence[Any]) -> int:
    """Sensor reports over all `elements` (each a sensorElement object with a `sensorReport` list)."""
    count = 0
    for element in elements:
        reports = element.get("sensorReport") if isinstance(element, dict) else None
        count += len(reports) if isinstance(reports, list) else 0
    return count


def free_json_problems(lists: Sequence[tuple[str, Any]]) -> list[tuple[str, str, str]]:
    """(field, Vietnamese, English) for each cap an event's free JSON lists break: `lists` are (field name,
    value) pairs, the value as given (a list, or anything a client sent)."""
    found: list[tuple[str, str, str]] = []
    for name, value in lists:
        if isinstance(value, list) and len(value) > MAX_LIST_ENTRIES:
            found.append((name, f"Tối đa {MAX_LIST_ENTRIES} mục.", f"At most {MAX_LIST_ENTRIES} entries."))
    sensors = dict(lists).get("sensorElements")
    if isinstance(sensors, list) and sensor_report_count(sensors) > MAX_SENSOR_REPORTS:
        found.append(
            (
                "sensorElements",
                f"Tối đa {MAX_SENSOR_REPORTS} báo cáo cảm biến mỗi sự kiện.",
                f"At most {MAX_SENSOR_REPORTS} sensor reports per event.",
            )
        )
    sizes = {name: _json_size(value) for name, value in lists}
    if sum(sizes.values()) > MAX_FREE_JSON_BYTES:
        found.append(
            (
                max(sizes, key=lambda name: sizes[name]),
                f"Dữ liệu kèm theo sự kiện quá lớn (tối đa {MAX_FREE_JSON_BYTES // 1024} KB).",
                f"The event's attached data is too large (at most {MAX_FREE_JSON_BYTES // 1024} KB).",
            )
        )
    return found


def _json_size(value: Any) -> int:
    try:
        return len(orjson.dumps(value))
    except TypeError:  # not JSON: the list's own checks refuse it
        return 0


def _free_json(data: EventInput) -> list[tuple[str, Any]]:
    return [
        ("sensorElements", data.sensor_elements),
        ("sources", data.sources),
        ("destinations", data.destinations),
        ("bizTransactions", data.biz_transactions),
        ("documents", data.documents),
        ("ilmd", data.ilmd),
        (
            "extensions",
            {
                "extensions": data.extensions,
                "places": data.place_extensions,
                "persistentDisposition": data.persistent_disposition,
                "certificationInfo": data.certification_info,
                "errorDeclaration": data.declaration,
                "namespaces": data.namespaces,
            },
        ),
    ]


async def _place_identifiers(data: EventInput, base_url: str, problems: Problems) -> None:
    """Places given by identifier: the URI of one of ours becomes its id (checked as one by check_places); a
    partner's must be a well-formed SGLN or GLN Digital Link (stored by _append). Not both an id and a URI."""
    ours = await our_locations([u for u in (data.read_point_uri, data.biz_location_uri) if u], base_url)
    places = []
    for name, ident, uri in (
        ("readPoint", data.read_point_id, data.read_point_uri),
        ("bizLocation", data.biz_location_id, data.biz_location_uri),
    ):
        if uri is not None and ident is not None:
            problems.add(
                f"{name}Identifier",
                TraceErrorCode.INVALID,
                "Chọn một địa điểm hoặc nhập mã của nó, không cả hai.",
                "Give the location or its identifier, not both.",
            )
        elif uri is not None and uri in ours:
            ident, uri = ours[uri], None
        elif uri is not None and (problem := partner_identifier_problem(uri, base_url)) is not None:
            problems.add(f"{name}Identifier", TraceErrorCode.INVALID, problem[1], problem[0])
        places.append((ident, uri))
    (data.read_point_id, data.read_point_uri), (data.biz_location_id, data.biz_location_uri) = places


async def _check_event(data: EventInput, batches: dict[int, Batch], base_url: str, reach: Reach) -> Problems:
    """Every problem of an event's content; cleans `data.documents` in place (as they are stored and hashed)."""
    problems = Problems()
    too_long = free_json_problems(_free_json(data))
    for name, message, message_en in too_long:
        problems.add(name, TraceErrorCode.TOO_LONG, message, message_en)
    if not too_long:  # bounded: ~30 ms for the most sensor reports an event may hold, in a thread
        for field, message_en in await asyncio.to_thread(epcis_validation.entry_problems, _free_json(data)):
            problems.add(
                field, TraceErrorCode.INVALID, f"Không đúng lược đồ EPCIS 2.0: {message_en}", message_en
            )
    data.documents = clean_documents(data.documents, base_url, problems)
    if len(data.identifiers) > MAX_IDENTIFIERS:
        problems.add(
            "identifiers",
            TraceErrorCode.TOO_LONG,
            f"Tối đa {MAX_IDENTIFIERS} mã định danh mỗi sự kiện.",
            f"At most {MAX_IDENTIFIERS} identifiers per event.",
        )
    await _place_identifiers(data, base_url, problems)
    await check_places(data.read_point_id, data.biz_location_id, reach, problems)
    now = clock.now()
    if data.event_time.tzinfo is None:
        problems.add(
            "eventTime",
            TraceErrorCode.INVALID,
            "Cần múi giờ (vd. +07:00).",
            "A time-zone offset is required.",
        )
    elif data.event_time > now + CLOCK_SKEW:
        problems.add(
            "eventTime",
            TraceErrorCode.OUT_OF_RANGE,
            "Thời điểm trong tương lai.",
            "The event is in the future.",
        )
    lists = (("subjects", data.subjects), ("inputs", data.inputs), ("outputs", data.outputs))
    for name, items in lists:
        for index, item in enumerate(items):
            batch = batches.get(item.batch_id)
            if batch is None:
                problems.add(
                    f"{name}.{index}.batchId", TraceErrorCode.NOT_FOUND, "Không có lô này.", "No such lot."
                )
                continue
            if item.quantity is not None and not quantity_fits(item.quantity):
                problems.add(f"{name}.{index}.quantity", TraceErrorCode.OUT_OF_RANGE, *QUANTITY_MESSAGES)
            elif item.quantity is not None and item.quantity <= 0:
                problems.add(
                    f"{name}.{index}.quantity",
                    TraceErrorCode.OUT_OF_RANGE,
                    "Số lượng phải dương.",
                    "Must be positive.",
                )
            if item.unit is not None and item.unit not in UNITS:
                problems.add(
                    f"{name}.{index}.unit",
                    TraceErrorCode.INVALID,
                    f"Đơn vị: {', '.join(UNITS)}.",
                    f"Units: {UNITS}.",
                )
            made = min((d for d in (batch.harvest_date, batch.production_date) if d), default=None)
            is_output = name == "outputs"
            if (
                made
                and data.event_time.tzinfo
                and clock.vietnam_date(data.event_time) < made
                and not is_output
            ):
                problems.add(
                    "eventTime",
                    TraceErrorCode.OUT_OF_RANGE,
                    f"Sự kiện trước ngày làm ra lô {batch.lot_code}.",
                    f"The event is before lot {batch.lot_code} was made.",
                )
    if data.event_type == EventType.TRANSFORMATION:
        # Recorded here: inputs and outputs of ours. Captured: a partner's side may be its own identifiers.
        ours_both = bool(data.inputs and data.outputs)
        if not (data.inputs or data.outputs) or (not data.identifiers and not ours_both):
            problems.add(
                "inputs",
                TraceErrorCode.REQUIRED,
                "Cần lô đầu vào và đầu ra.",
                "Inputs and outputs are required.",
            )
        if {i.batch_id for i in data.inputs} & {o.batch_id for o in data.outputs}:
            problems.add(
                "outputs",
                TraceErrorCode.INVALID,
                "Một lô không thể vừa vào vừa ra.",
                "A lot cannot be both input and output.",
            )
    elif not data.subjects:
        problems.add(
            "subjects", TraceErrorCode.REQUIRED, "Cần ít nhất một lô.", "At least one lot is required."
        )
    vocabularies: tuple[tuple[str, str | None, Literal["bizStep", "disposition"]], ...] = (
        ("bizStep", data.biz_step, "bizStep"),
        ("disposition", data.disposition, "disposition"),
    )
    for name, value, kind in vocabularies:
        if value is not None and epcis.normalize_vocabulary(value, kind) is None:
            problems.add(
                name,
                TraceErrorCode.INVALID,
                "Không phải từ vựng CBV 2.0 hay một URI.",
                "Neither a CBV 2.0 word nor an absolute URI.",
            )
    return problems


async def record_event(
    data: EventInput, reach: Reach, base_url: str, actor_id: int | None = None
) -> TraceEvent:
    """Append one event (all of it or nothing). Producers record events of their own lots; a
    transformation needs a role on every lot it reads or makes; a cycle in the lineage is refused."""
    ids = {q.batch_id for q in (*data.subjects, *data.inputs, *data.outputs)}
    batches = {b.id: b for b in await Batch.filter(id__in=sorted(ids)).select_related("product__producer")}
    for batch in batches.values():
        if not policy.may_manage_producer(reach, batch.product.producer):
            raise policy.deny(reach, "batchId")
    problems = await _check_event(data, batches, base_url, reach)
    if data.event_type == EventType.TRANSFORMATION and not problems:
        ancestors = {
            b.id for level in await lineage([i.batch_id for i in data.inputs], backward=True) for b in level
        }
        if ancestors & {o.batch_id for o in data.outputs}:
            problems.add(
                "outputs",
                TraceErrorCode.NOT_ALLOWED,
                "Vòng lặp trong nguồn gốc lô.",
                "This would make a cycle.",
            )
    problems.raise_if_any()
    return await _append(data, batches, base_url, actor_id)


async def _append(
    data: EventInput, batches: dict[int, Batch], base_url: str, actor_id: int | None
) -> TraceEvent:
    """Store a checked event with its hashes, within one transaction."""
    ids = set(batches)
    roles = [
        *((QuantityRole.SUBJECT, q) for q in data.subjects),
        *((QuantityRole.INPUT, q) for q in data.inputs),
        *((QuantityRole.OUTPUT, q) for q in data.outputs),
    ]
    offset = data.event_time.strftime("%z")
    async with in_transaction() as conn:
        # Serialise appends per batch, so that two events never take the same previous chain hash.
        await Batch.filter(id__in=sorted(ids)).using_db(conn).select_for_update().values_list("id", flat=True)
        partners = [u for u in (data.read_point_uri, data.biz_location_uri) if u]
        external = await external_location_ids(partners, conn) if partners else {}
        event = TraceEvent(
            event_type=data.event_type,
            action=None if data.event_type == EventType.TRANSFORMATION else data.action,
            biz_step=epcis.normalize_vocabulary(data.biz_step, "bizStep") if data.biz_step else None,
            disposition=epcis.normalize_vocabulary(data.disposition, "disposition")
            if data.disposition
            else None,
            event_time=data.event_time,
            time_zone_offset=f"{offset[:3]}:{offset[3:]}",
            read_point_id=external[data.read_point_uri] if data.read_point_uri else data.read_point_id,
            biz_location_id=external[data.biz_location_uri]
            if data.biz_location_uri
            else data.biz_location_id,
            sources=data.sources,
            destinations=data.destinations,
            biz_transactions=data.biz_transactions,
            sensor_elements=data.sensor_elements,
            documents=data.documents,
            note=nfc_or_none(data.note),
            note_en=nfc_or_none(data.note_en),
            actor_id=actor_id,
            ilmd=data.ilmd,
            persistent_disposition=data.persistent_disposition,
            certification_info=data.certification_info,
            extensions=data.extensions or None,
            place_extensions=data.place_extensions or None,
            namespaces=data.namespaces or None,
            declaration=data.declaration,
        )
        quantities = [
            (role, batches[q.batch_id], batches[q.batch_id].product, q.quantity, q.unit)
            for role, q in roles
            if q.listed
        ]
        identifiers = [_identifier_row(item) for item in data.identifiers]
        event.record_time = clock.now()
        event.hash_version = HASH_VERSION
        locations = await locations_of([event])
        [event.event_hash] = await epcis_hash.event_hashes(
            [await stored_event_json(base_url, event, quantities, locations, identifiers)]
        )
        if data.declaration is not None:
            await _declared(event, data.declaration, conn)
        previous = {batch_id: await _last_chain_hash(batch_id) for batch_id in ids}
        event.chain_hash = chain_hash(
            event.event_hash,
            list(previous.items()),
            event.correction_reason if event.corrects_id else None,
            shown=shown_digest(event, locations),
        )
        await event.save(using_db=conn)
        for row in identifiers:
            row.event_id = event.id
        await EventIdentifier.bulk_create(identifiers, using_db=conn)
        await EventField.bulk_create(_field_rows(event), using_db=conn)
        await EventQuantity.bulk_create(
            [
                EventQuantity(
                    event_id=event.id,
                    batch_id=q.batch_id,
                    role=role,
                    quantity=q.quantity,
                    unit=q.unit,
                    previous_chain_hash=previous[q.batch_id],
                    listed=q.listed,
                )
                for role, q in roles
            ],
            using_db=conn,
        )
        await _move_heads(event, ids, conn, base_url)
        await epcis_stream.note_appended(event.id, conn)
    # after the commit (inside a caller's transaction: held until it ends)
    await page_cache.invalidate_everywhere()
    return event


def _identifier_row(item: IdentifierData) -> EventIdentifier:
    value = canonical_identifier(item.received)
    return EventIdentifier(
        role=item.role,
        position=item.position,
        value=value,
        received=None if value == item.received else item.received,
        batch_id=item.batch_id,
        serial=item.serial,
        quantity=item.quantity,
        uom=item.uom,
    )


async def _declared(event: TraceEvent, declaration: dict[str, Any], conn: Any) -> None:
    """A captured event with a partner's errorDeclaration: when the event it declares erroneous (same CBV hash:
    the hash leaves errorDeclaration out) is recorded, this is its declaration, as declare_error records ours."""
    original = (
        await TraceEvent.filter(event_hash=event.event_hash, corrects_id=None)
        .using_db(conn)
        .order_by("id")
        .first()
    )
    if original is None:
        return
    event.corrects_id = original.id
    reason = declaration.get("reason")
    event.correction_reason = reason[:200] if isinstance(reason, str) else None
    corrective = declaration.get("correctiveEventIDs")
    event.corrective_event_ids = [str(i) for i in corrective] if isinstance(corrective, list) else []


_SCOPED_LISTS = (
    (
        FieldScope.BIZ_TRANSACTION,
        "biz_transactions",
        "bizTransaction",
        ("https://ref.gs1.org/cbv/BTT-", "urn:epcglobal:cbv:btt:"),
    ),
    (FieldScope.SOURCE, "sources", "source", ("https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:")),
    (
        FieldScope.DESTINATION,
        "destinations",
        "destination",
        ("https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:"),
    ),
)


def _field_rows(event: TraceEvent) -> list[EventField]:
    """The queryable values of an event (models.trace.EventField): its extension and ilmd fields, business
    transactions, sources and destinations."""
    rows = [
        EventField(
            event_id=event.id,
            scope=scope,
            name=name[:255],
            inner=inner,
            text_value=text,
            number_value=number,
            time_value=moment,
        )
        for scope, fields_ in ((FieldScope.EXTENSION, event.extensions), (FieldScope.ILMD, event.ilmd))
        if fields_
        for name, inner, text, number, moment in indexed_values(fields_, event.namespaces)
    ]
    for scope, attribute, key, prefixes in _SCOPED_LISTS:
        for entry in getattr(event, attribute) or []:
            value = entry.get(key)
            if not isinstance(value, str):
                continue
            kind = str(entry.get("type") or "")
            for prefix in prefixes:
                kind = kind.removeprefix(prefix)
            rows.append(EventField(event_id=event.id, scope=scope, name=kind[:255], text_value=value[:255]))
    return rows


async def _last_chain_hash(batch_id: int) -> str | None:
    last = await EventQuantity.filter(batch_id=batch_id).order_by("-event_id").first().select_related("event")
    return last.event.chain_hash if last else None


async def record_recall(
    batch_id: int, reason: str, reach: Reach, base_url: str, actor_id: int | None = None
) -> RecallImpact:
    """Put the lot and every lot made from it on `recalled`, each with a recall event, in one transaction.
    Province officers of the producer's province and central admins recall."""
    batch = await Batch.get_or_none(id=batch_id).select_related("product__producer")
    if batch is None or not trace_policy.may_recall(reach, batch.product.producer):
        raise (
            policy.deny(reach, "batchId")
            if batch is not None or not reach.everything
            else _error("batchId", TraceErrorCode.NOT_FOUND, "Không có lô này.", "No such lot.")
        )
    if not nfc(reason):
        raise _error("reason", TraceErrorCode.REQUIRED, "Cần lý do thu hồi.", "A reason is required.")
    impact = await recall_impact(batch_id)
    now = clock.vietnam_now()
    async with in_transaction():
        for affected in impact.batches:
            if affected.status == BatchStatus.RECALLED:
                continue
            # Lots of other producers made from the recalled lot are recalled too: the officer's
            # authority over the recalled lot extends to them, so the events are appended directly.
            await _append(
                EventInput(
                    event_type=EventType.OBJECT,
                    event_time=now,
                    subjects=[QuantityData(affected.id)],
                    action=EventAction.OBSERVE,
                    biz_step="holding",
                    disposition="recalled",
                    note=nfc(reason),
                ),
                {affected.id: await Batch.get(id=affected.id).select_related("product")},
                base_url,
                actor_id,
            )
            await Batch.filter(id=affected.id).update(status=BatchStatus.RECALLED)
            recalled = await Batch.get(id=affected.id)
            await LotHead.filter(batch_id=affected.id).update(lot_digest=lot_digest(recalled))
            await snapshot.rebuild([affected.id], base_url)
    await page_cache.invalidate_everywhere()  # the banner shows on every process's next page view
    return await recall_impact(batch_id)


async def events_of(batch_id: int) -> list[TraceEvent]:
    """The lot's events, oldest first (by event time, then by recording order)."""
    return (await events_of_many([batch_id]))[batch_id]


async def events_of_many(batch_ids: Sequence[int]) -> dict[int, list[TraceEvent]]:
    """Events of several lots in two queries, each lot's oldest first. Sorted here, on aware datetimes:
    SQLite keeps each time as text in its own offset, so ORDER BY there would sort "08:30+07:00" after
    "02:00+00:00". A lot has tens of events, not thousands."""
    links = await EventQuantity.filter(batch_id__in=list(batch_ids)).values_list("batch_id", "event_id")
    events = {e.id: e for e in await TraceEvent.filter(id__in=sorted({e for _, e in links}))}
    grouped: dict[int, set[int]] = {batch_id: set() for batch_id in batch_ids}
    for batch_id, event_id in links:
        grouped[batch_id].add(event_id)
    return {
        batch_id: sorted((events[i] for i in ids), key=lambda e: (e.event_time, e.id))
        for batch_id, ids in grouped.items()
    }


async def event_jsons(
    events: Sequence[TraceEvent], base_url: str, reach: Reach | None = None
) -> list[dict[str, Any]]:
    """EPCIS 2.0 JSON-LD of stored events, with their eventID (the CBV hash) and recordTime. The rows are read
    on the event loop; the JSON is built in a worker thread (legacy events, stored before the caps, may hold
    tens of thousands of sensor reports).

    With `reach`, as that actor may see them: an event is shown to whoever sees one of its lots (the
    callers choose the events so), and a lot it names that the actor does not see (an unpublished lot, a
    raw material kept private) keeps its quantity but not its identity: its epcClass is
    `epcis.REDACTED_LOT`. The eventID stays the hash of the whole event. The trace page (services.trace.page)
    and GraphQL lineage follow the same rule. None: everything shown (exports of those who see all)."""
    quantities = await EventQuantity.filter(event_id__in=[e.id for e in events]).select_related(
        "batch__product__producer"
    )
    by_event: dict[int, list[EventQuantity]] = {}
    for q in sorted(quantities, key=lambda q: q.id):
        by_event.setdefault(q.event_id, []).append(q)
    locations = await locations_of(events)
    identifiers = await identifiers_of([e.id for e in events])
    minted = await instance.identity_base(base_url)  # the identifiers the event hashes cover

    def build() -> list[dict[str, Any]]:
        out = []
        for event in events:
            links = by_event.get(event.id, [])
            rows = listed_rows(links)
            body = event_json_of(minted, event, rows, locations, identifiers.get(event.id, ()))
            if reach is not None:
                withheld = {
                    batch_link(minted, product_id=p.id, gtin=p.gtin, lot_code=b.lot_code)
                    for _, b, p, _, _ in rows
                    if not trace_policy.sees_batch(reach, b, p, p.producer)
                }
                hidden = {
                    q.batch_id
                    for q in links
                    if not trace_policy.sees_batch(reach, q.batch, q.batch.product, q.batch.product.producer)
                }
                if hidden:
                    body = epcis.redact_identifiers(
                        body,
                        {
                            row.received or row.value
                            for row in identifiers.get(event.id, ())
                            if row.batch_id in hidden
                        },
                    )
                if withheld:
                    body = epcis.redact_lots(body, withheld)
            out.append(
                {**body, "eventID": event.event_hash, "recordTime": epcis.timestamp(event.record_time)}
            )
        return out

    return await asyncio.to_thread(build)


async def batch_document(batch_id: int, base_url: str, reach: Reach | None = None) -> dict[str, Any]:
    """The lot's history as an EPCIS 2.0 document (validates against GS1's JSON Schema); with `reach`, the
    lots of its events that actor does not see are redacted (`event_jsons`)."""
    events = await events_of(batch_id)
    jsons = await event_jsons(events, base_url, reach)
    return await asyncio.to_thread(epcis.document, jsons, clock.now())  # it copies every event


@dataclass(slots=True)
class Correction:
    """An EPCIS error declaration: the event `event_id` did not happen as recorded (`reason`: a CBV error
    reason, did_not_occur or incorrect_data, or a URI), optionally with the event that corrects it."""

    event_id: int
    reason: str
    corrective: EventInput | None = None


async def declare_error(
    correction: Correction, reach: Reach, base_url: str, actor_id: int | None = None
) -> tuple[TraceEvent, TraceEvent | None]:
    """Append an error declaration for a recorded event (and its corrective event), never changing it.
    The declaration repeats the event with `errorDeclaration` and the same eventID, as EPCIS 2.0 does."""
    original = await TraceEvent.get_or_none(id=correction.event_id, corrects_id=None)
    links = (
        await EventQuantity.filter(event_id=correction.event_id)
        .select_related("batch__product__producer")
        .order_by("id")
        if original
        else []
    )
    if original is None or not all(
        policy.may_manage_producer(reach, q.batch.product.producer) for q in links
    ):
        raise (
            _error("eventId", TraceErrorCode.NOT_FOUND, "Không có sự kiện này.", "No such event.")
            if reach.everything
            else policy.deny(reach, "eventId")
        )
    problems = Problems()
    reason = correction.reason.strip()
    if reason not in epcis.CBV_ERROR_REASONS and not epcis.is_absolute_uri(reason):
        problems.add(
            "reason",
            TraceErrorCode.INVALID,
            "Lý do: did_not_occur, incorrect_data hoặc một URI.",
            "Reason: did_not_occur, incorrect_data or a URI.",
        )
    if await TraceEvent.exists(corrects_id=original.id):
        problems.add(
            "eventId",
            TraceErrorCode.NOT_ALLOWED,
            "Sự kiện này đã được đính chính.",
            "Already declared erroneous.",
        )
    batches = {q.batch.id: q.batch for q in links}
    if correction.corrective is not None:
        extra = {
            q.batch_id
            for q in (
                *correction.corrective.subjects,
                *correction.corrective.inputs,
                *correction.corrective.outputs,
            )
        }
        more = await Batch.filter(id__in=sorted(extra - set(batches))).select_related("product__producer")
        for batch in more:
            if not policy.may_manage_producer(reach, batch.product.producer):
                raise policy.deny(reach, "corrective")
        corrective_batches = {**batches, **{b.id: b for b in more}}
        for item in (await _check_event(correction.corrective, corrective_batches, base_url, reach)).items:
            problems.add(f"corrective.{item.field}", item.code, item.message, item.message_en)
    problems.raise_if_any()
    async with in_transaction() as conn:
        # Serialise with other appends to these lots (as _append does): one previous chain hash, one head.
        await (
            Batch.filter(id__in=sorted(batches))
            .using_db(conn)
            .select_for_update()
            .values_list("id", flat=True)
        )
        corrective_event = None
        if correction.corrective is not None:
            needed = {
                q.batch_id
                for q in (
                    *correction.corrective.subjects,
                    *correction.corrective.inputs,
                    *correction.corrective.outputs,
                )
            }
            corrective_event = await _append(
                correction.corrective, {i: corrective_batches[i] for i in needed}, base_url, actor_id
            )
        declaration = TraceEvent(
            event_type=original.event_type,
            action=original.action,
            biz_step=original.biz_step,
            disposition=original.disposition,
            event_time=original.event_time,
            time_zone_offset=original.time_zone_offset,
            read_point_id=original.read_point_id,
            biz_location_id=original.biz_location_id,
            sources=original.sources,
            destinations=original.destinations,
            biz_transactions=original.biz_transactions,
            sensor_elements=original.sensor_elements,
            documents=original.documents,
            note=original.note,
            note_en=original.note_en,
            corrects_id=original.id,
            correction_reason=reason,
            corrective_event_ids=[corrective_event.event_hash] if corrective_event else [],
            actor_id=actor_id,
            event_hash=original.event_hash,
            record_time=clock.now(),
            hash_version=HASH_VERSION,
        )
        previous = {batch_id: await _last_chain_hash(batch_id) for batch_id in batches}
        shown = shown_digest(declaration, await locations_of([declaration]))
        declaration.chain_hash = chain_hash(original.event_hash, list(previous.items()), reason, shown)
        await declaration.save(using_db=conn)
        await EventQuantity.bulk_create(
            [
                EventQuantity(
                    event_id=declaration.id,
                    batch_id=q.batch.id,
                    role=q.role,
                    quantity=q.quantity,
                    unit=q.unit,
                    previous_chain_hash=previous[q.batch.id],
                )
                for q in links
            ],
            using_db=conn,
        )
        await _move_heads(declaration, set(batches), conn, base_url)
    await page_cache.invalidate_everywhere()
    return declaration, corrective_event


async def watch_lot(batch_id: int, reach: Reach) -> AsyncIterator[TraceEvent]:
    """The lot's events recorded from now on, in the order they were recorded, for `lotEvents`: refused
    (NOT_FOUND, as for a lot one may not see) before anything is sent. Each new event is announced on the
    lot's topic when its transaction commits; after a flush (the bus reconnected) the lot is read again, so
    no event is missed."""
    batch = await Batch.get_or_none(id=batch_id).select_related("product__producer")
    if batch is None or not trace_policy.sees_batch(reach, batch, batch.product, batch.product.producer):
        raise _error("lotId", TraceErrorCode.NOT_FOUND, "Không có lô này.", "No such lot.")
    return _new_events(batch_id)


async def _new_events(batch_id: int) -> AsyncIterator[TraceEvent]:
    async with bus.subscribe(lot_topic(batch_id)) as messages:  # before reading: nothing is missed
        seen = await _last_event_id(batch_id)
        async for _message in messages:
            for event in (
                await TraceEvent.filter(quantities__batch_id=batch_id, id__gt=seen).distinct().order_by("id")
            ):
                seen = event.id
                yield event


async def _last_event_id(batch_id: int) -> int:
    last = await EventQuantity.filter(batch_id=batch_id).order_by("-event_id").first()
    return last.event_id if last is not None else 0
