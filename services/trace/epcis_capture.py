"""EPCIS 2.0 capture (a subset of GS1's OpenAPI, `../shared/reference/EPCIS-REST-openapi.yaml`); the events
query is services.trace.epcis_query:

- `POST /epcis/capture`: an EPCISDocument (or EPCISQueryDocument) in JSON-LD, validated against GS1's JSON Schema,
  mapped to `trace.EventInput` and recorded all-or-nothing in one transaction, with the caller's access rules
  (those of `trace.record_event`). Every event the schema admits is kept whole (issue 14): the five event types;
  our lots named by class (a Digital Link with a lot on our host or any other, an LGTIN URN: EventQuantity),
  by a serialised unit (`.../10/{lot}/21/{serial}`, or an SGTIN whose serial exactly one lot's label runs
  issued: EventQuantity not listed, EventIdentifier with the lot and serial) or by a container holding their
  units (an identifier an earlier AggregationEvent used as parentID of them, `_contained`); every other
  identifier (partners' products, SSCCs, assets) as EventIdentifier; ilmd, persistentDisposition,
  certificationInfo, errorDeclaration, sensor data, business transactions, sources, destinations and user
  extensions (with the `@context` prefixes they use) verbatim. A readPoint or bizLocation is one of our
  locations, a partner's SGLN or GLN Digital Link, or any URI in no GS1 scheme (services.trace.locations, kept
  as an external location and written back as received); a malformed GS1 one is refused naming the event. An
  event naming none of our lots is refused (`reason: noLotOfOurs`): ocop-hub keeps its own lots' events. A
  client's eventID and recordTime are ignored: each event gets our recordTime and its CBV 2.0 hash as eventID.
- `GET /epcis/capture/{id}`: the capture job (for the user who captured, or a central admin).

Limits come before work: the web route refuses a body past CAPTURE_MAX_BYTES while it streams; then an
account that may record events of no lot at all is refused (403), a document of more than CAPTURE_LIMIT events
(413) and events past the caps of services.trace.events (sensor reports, list entries, attached JSON: 400)
before the JSON Schema validation, which runs in a worker thread, event by event, within the request timeout
(services/trace/epcis_validation.py).

Capture runs synchronously: a POST answers once the events are stored (202, `Location: /epcis/capture/{id}`,
the finished job in the body) or refused (400/403/413 with nothing stored, "All events are rejected" in the
OpenAPI; the problem names the failed job's `captureID` and the Location of its outcome). Jobs are kept in a
small in-process bounded store (`CaptureJobs`): per process, lost on restart, the oldest dropped beyond its size.
The events themselves are durable; only the job records are not.

Nothing here knows HTTP: web/epcis.py answers a job or its Problem."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Batch,
    EventAction,
    EventIdentifier,
    EventQuantity,
    EventType,
    IdentifierRole,
    LabelRun,
    QuantityRole,
    TraceEvent,
)
from services.accounts.auth import Actor
from services.common import clock, settings
from services.common.errors import DomainError
from services.policy import Reach
from services.policy import registry as policy
from services.trace import digital_link, epcis_validation
from services.trace import events as trace
from services.trace.epcis import EXTENSION_PREFIX
from services.trace.epcis_identifiers import CONTEXT_PREFIXES, canonical_identifier
from services.trace.epcis_problems import (
    Problem,
    capture_too_large,
    forbidden_problem,
    problem_of,
    validation_problem,
)
from services.trace.epcis_query import GS1_HOST, lots_of
from services.trace.locations import our_locations, partner_identifier_problem

CAPTURE_LIMIT = 500  # events per capture document (GS1-EPCIS-Capture-Limit)
CAPTURE_MAX_BYTES = 5_000_000  # GS1-EPCIS-Capture-File-Size-Limit


# The fields of an EPCIS 2.0 event (GS1's JSON Schema); any other key is a user extension, kept verbatim.
_EVENT_KEYS = frozenset(
    {
        "@context",
        "type",
        "eventID",
        "eventTime",
        "eventTimeZoneOffset",
        "recordTime",
        "action",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "readPoint",
        "bizLocation",
        "parentID",
        "epcList",
        "childEPCs",
        "inputEPCList",
        "outputEPCList",
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputQuantityList",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
        "ilmd",
        "certificationInfo",
        "errorDeclaration",
    }
)
_CAPTURED_TYPES = {str(kind): kind for kind in EventType}
# (list key, role of our lots in it: EventQuantity, role of other classes / identifiers: EventIdentifier)
_QUANTITY_LISTS = (
    ("quantityList", QuantityRole.SUBJECT, IdentifierRole.QUANTITY),
    ("childQuantityList", QuantityRole.SUBJECT, IdentifierRole.CHILD_QUANTITY),
    ("inputQuantityList", QuantityRole.INPUT, IdentifierRole.INPUT_QUANTITY),
    ("outputQuantityList", QuantityRole.OUTPUT, IdentifierRole.OUTPUT_QUANTITY),
)
_EPC_LISTS = (
    ("epcList", QuantityRole.SUBJECT, IdentifierRole.EPC),
    ("childEPCs", QuantityRole.SUBJECT, IdentifierRole.CHILD),
    ("inputEPCList", QuantityRole.INPUT, IdentifierRole.INPUT),
    ("outputEPCList", QuantityRole.OUTPUT, IdentifierRole.OUTPUT),
)


@dataclass(slots=True)
class CaptureJob:
    capture_id: str
    user_id: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None = None
    running: bool = True
    success: bool = True
    errors: list[Problem] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)


class CaptureJobs:
    """Capture jobs of this process, the newest `size` kept: lost on restart (the events are not)."""

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._jobs: OrderedDict[str, CaptureJob] = OrderedDict()

    def add(self, job: CaptureJob) -> None:
        self._jobs[job.capture_id] = job
        while len(self._jobs) > self.size:
            self._jobs.popitem(last=False)

    def get(self, capture_id: str, actor: Actor) -> CaptureJob | None:
        """The job, for the user who captured it or a central admin."""
        job = self._jobs.get(capture_id)
        if job is None or not (actor.is_central_admin or job.user_id == actor.user_id):
            return None
        return job


def events_of_document(doc: Mapping[str, Any]) -> list[Any]:
    """The event list of an EPCISDocument or EPCISQueryDocument (already schema-valid)."""
    body = doc.get("epcisBody") or {}
    if "queryResults" in body:
        return list(body["queryResults"].get("resultsBody", {}).get("eventList", []))
    return list(body.get("eventList", []))


def _place(
    event: Mapping[str, Any],
    key: str,
    where: str,
    locations: Mapping[str, int],
    base_url: str,
    errors: list[str],
) -> tuple[int | None, str | None]:
    """The event's readPoint or bizLocation: one of ours (its id), or a partner's well-formed identifier (kept as
    given); a malformed one is an error naming the event."""
    value = event.get(key)
    uri = value.get("id") if isinstance(value, Mapping) else None
    if not isinstance(uri, str):
        return None, None
    if uri in locations:
        return locations[uri], None
    problem = partner_identifier_problem(uri, base_url)
    if problem is not None:
        errors.append(f"{where}/{key}/id: {problem[0]}")
        return None, None
    return None, uri


# -- identifiers: which of them name our lots --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Wanted:
    """What an identifier may name of ours: the lot of `key` (a lot URI lots_of reads), or with `gtin` set, the
    lot of that GTIN whose labels carry `serial` (an SGTIN names no lot)."""

    key: str | None
    serial: str | None = None
    gtin: str | None = None


def _link_of(path: str) -> digital_link.ParsedLink | None:
    """The Digital Link in a URI path on any host (a host may put its own prefix before the key)."""
    segments = path.split("/")
    for start, segment in enumerate(segments):
        if segment in ("01", "gtin") and start + 1 < len(segments):
            try:
                return digital_link.parse("/" + "/".join(segments[start:]))
            except digital_link.LinkSyntaxError:
                return None
    return None


def _wanted(uri: str, base_url: str) -> _Wanted | None:
    """Whether `uri` may name a lot of ours or a serial of one: our own Digital Links (a malformed one raises
    LinkSyntaxError, as lots_of does), a GTIN Digital Link with a lot on any host, an LGTIN or SGTIN URN."""
    own = base_url.rstrip("/")
    if uri.startswith(own + "/"):
        link = digital_link.parse(urlsplit(uri).path[len(urlsplit(own).path) :])
        if link.lot is None or link.cpv or link.tpx:
            return None
        return _Wanted(own + link.lot_path(), link.serial)
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https"):  # an EPC URN: its Digital Link (a serial's carries no lot)
        parts = urlsplit(canonical_identifier(uri))
    if parts.scheme not in ("http", "https"):
        return None
    found = _link_of(parts.path)
    if found is None or found.cpv or found.tpx:
        return None
    if found.lot is not None:
        return _Wanted(f"https://{GS1_HOST}{found.lot_path()}", found.serial)
    if found.serial is not None:
        return _Wanted(None, found.serial, found.key_value)
    return None


def _names_our_lot(uri: str, base_url: str) -> bool:
    """Whether `uri` is a lot (or a unit of a lot) in our own identifier space, our host's Digital Links: one we
    do not have is a mistake (a mistyped lot), not a partner's identifier."""
    wanted = _wanted(uri, base_url)
    return wanted is not None and wanted.key is not None and wanted.key.startswith(base_url.rstrip("/") + "/")


async def _serial_lots(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Batch]:
    """The lot of each (GTIN, serial) whose serialised label runs issued that serial, when exactly one did."""
    gtins = sorted({gtin for gtin, _ in pairs})
    runs = (
        await LabelRun.filter(serialized=True, batch__product__gtin__in=gtins).select_related(
            "batch__product__producer"
        )
        if gtins
        else []
    )
    found: dict[tuple[str, str], Batch] = {}
    for gtin, serial in pairs:
        if not serial.isdigit():
            continue
        number = int(serial)
        lots = {
            run.batch.id: run.batch
            for run in runs
            if run.batch.product.gtin == gtin
            and run.first_serial is not None
            and run.first_serial <= number < run.first_serial + run.count
        }
        if len(lots) == 1:
            found[(gtin, serial)] = next(iter(lots.values()))
    return found


async def our_identifiers(uris: Iterable[str], base_url: str) -> dict[str, tuple[Batch, str | None]]:
    """The lot of ours (with product and producer) and the serial, if any, that each identifier names: a lot
    (epcClass) or a unit of it (an instance identifier). Identifiers naming nothing of ours are absent. Raises
    LinkSyntaxError for a malformed Digital Link on our host."""
    wanted = {uri: found for uri in set(uris) if (found := _wanted(uri, base_url)) is not None}
    lots = await lots_of({w.key for w in wanted.values() if w.key is not None}, base_url)
    serials = await _serial_lots(
        {(w.gtin, w.serial) for w in wanted.values() if w.gtin is not None and w.serial is not None}
    )
    out: dict[str, tuple[Batch, str | None]] = {}
    for uri, w in wanted.items():
        batch = lots.get(w.key) if w.key is not None else serials.get((w.gtin or "", w.serial or ""))
        if batch is not None:
            out[uri] = (batch, w.serial)
    return out


def identifiers_of_events(events: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every identifier the events name: epcClass of their quantity lists, their EPC lists and parentIDs."""
    found: set[str] = set()
    for event in events:
        for key, _, _ in _QUANTITY_LISTS:
            found.update(element["epcClass"] for element in event.get(key) or [])
        for key, _, _ in _EPC_LISTS:
            found.update(event.get(key) or [])
        if isinstance(event.get("parentID"), str):
            found.add(event["parentID"])
    return found


# -- events --------------------------------------------------------------------------------------------------


def document_namespaces(context: Any) -> dict[str, str]:
    """The prefixes a JSON-LD `@context` (a URI, an object or a list of both) defines besides the EPCIS
    context's own and ours: those that user extensions use."""
    items = context if isinstance(context, list) else [context]
    found: dict[str, str] = {}
    for item in items:
        if isinstance(item, Mapping):
            for prefix, iri in item.items():
                if (
                    isinstance(iri, str)
                    and not prefix.startswith("@")
                    and prefix not in CONTEXT_PREFIXES
                    and prefix != EXTENSION_PREFIX
                ):
                    found[prefix] = iri
    return found


def _used_namespaces(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> dict[str, str]:
    """The prefixes of `namespaces` that the event uses (as a field name or a value)."""
    text = orjson.dumps({key: value for key, value in event.items() if key != "@context"}).decode()
    return {prefix: iri for prefix, iri in namespaces.items() if f'"{prefix}:' in text}


def _uris(value: Any) -> list[str] | None:
    """certificationInfo (a URI or a list of them: schema-valid) as a list."""
    if not value:
        return None
    return [value] if isinstance(value, str) else [str(uri) for uri in value]


def _amount(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


class _Touched:
    """Our lots an event touches, per role: listed (a quantity element) or through serials or containers."""

    def __init__(self) -> None:
        self.by_role: dict[QuantityRole, dict[int, trace.QuantityData]] = {role: {} for role in QuantityRole}

    def element(self, role: QuantityRole, data: trace.QuantityData, where: str, errors: list[str]) -> None:
        known = self.by_role[role].get(data.batch_id)
        if known is not None and known.listed:
            errors.append(f"{where}: the same lot is given twice")
        self.by_role[role][data.batch_id] = data

    def unit(self, role: QuantityRole, batch_id: int) -> None:
        self.by_role[role].setdefault(batch_id, trace.QuantityData(batch_id, listed=False))

    def of(self, role: QuantityRole) -> list[trace.QuantityData]:
        return list(self.by_role[role].values())


def _event_input(
    event: Mapping[str, Any],
    index: int,
    ours: Mapping[str, tuple[Batch, str | None]],
    locations: Mapping[str, int],
    base_url: str,
    namespaces: Mapping[str, str],
    errors: list[str],
) -> trace.EventInput:
    """The event as services.trace.events records it: every field kept (see the module docstring)."""
    where = f"/epcisBody/eventList/{index}"
    event_type = _CAPTURED_TYPES[event["type"]]  # the JSON Schema admits these five only
    transformation = event_type is EventType.TRANSFORMATION
    touched = _Touched()
    identifiers: list[trace.IdentifierData] = []
    for key, role, id_role in _QUANTITY_LISTS:
        for position, element in enumerate(event.get(key) or []):
            epc_class, amount, uom = element["epcClass"], _amount(element.get("quantity")), element.get("uom")
            batch, serial = ours.get(epc_class, (None, None))
            if batch is None and _names_our_lot(epc_class, base_url):
                errors.append(f"{where}/{key}/{position}/epcClass: no lot of ours is {epc_class}")
            if batch is not None and serial is None:
                touched.element(
                    role, trace.QuantityData(batch.id, amount, uom), f"{where}/{key}/{position}", errors
                )
                continue
            identifiers.append(trace.IdentifierData(id_role, position, epc_class, quantity=amount, uom=uom))
    instances = [*_EPC_LISTS, ("parentID", QuantityRole.SUBJECT, IdentifierRole.PARENT)]
    for key, role, id_role in instances:
        value = event.get(key)
        for position, epc in enumerate([value] if isinstance(value, str) else value or []):
            batch, serial = ours.get(epc, (None, None))
            if batch is None and _names_our_lot(epc, base_url):
                errors.append(f"{where}/{key}/{position}: no lot of ours is {epc}")
            identifiers.append(
                trace.IdentifierData(
                    id_role, position, epc, batch_id=batch.id if batch else None, serial=serial
                )
            )
            if batch is not None:
                touched.unit(role, batch.id)
    read_point_id, read_point_uri = _place(event, "readPoint", where, locations, base_url, errors)
    biz_location_id, biz_location_uri = _place(event, "bizLocation", where, locations, base_url, errors)
    places = {
        key: {name: value for name, value in event[key].items() if name != "id"}
        for key in ("readPoint", "bizLocation")
        if isinstance(event.get(key), Mapping) and len(event[key]) > 1
    }
    action = None if transformation else EventAction(event["action"])
    if event.get("ilmd") and not (
        transformation or (event_type is EventType.OBJECT and action is EventAction.ADD)
    ):
        errors.append(
            f"{where}/ilmd: ilmd belongs to an ObjectEvent with action ADD or a TransformationEvent"
        )
    own_context = document_namespaces(event.get("@context"))
    offset = event["eventTimeZoneOffset"]
    moment = dt.datetime.fromisoformat(event["eventTime"].upper())
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = (int(part) for part in offset[1:].split(":"))
    zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    return trace.EventInput(
        event_type=event_type,
        event_time=moment.astimezone(zone),
        subjects=touched.of(QuantityRole.SUBJECT),
        inputs=touched.of(QuantityRole.INPUT),
        outputs=touched.of(QuantityRole.OUTPUT),
        action=action,
        biz_step=event.get("bizStep"),
        disposition=event.get("disposition"),
        read_point_id=read_point_id,
        biz_location_id=biz_location_id,
        read_point_uri=read_point_uri,
        biz_location_uri=biz_location_uri,
        sources=[dict(entry) for entry in event.get("sourceList") or []],
        destinations=[dict(entry) for entry in event.get("destinationList") or []],
        biz_transactions=[dict(entry) for entry in event.get("bizTransactionList") or []],
        sensor_elements=[dict(entry) for entry in event.get("sensorElementList") or []],
        identifiers=identifiers,
        ilmd=dict(event["ilmd"]) if event.get("ilmd") else None,
        persistent_disposition=dict(event["persistentDisposition"])
        if event.get("persistentDisposition")
        else None,
        certification_info=_uris(event.get("certificationInfo")),
        extensions={key: value for key, value in event.items() if key not in _EVENT_KEYS} or None,
        place_extensions=places or None,
        namespaces=_used_namespaces(event, {**namespaces, **own_context}) or None,
        declaration=dict(event["errorDeclaration"]) if event.get("errorDeclaration") else None,
    )


async def _contained(data: trace.EventInput, reach: Reach) -> None:
    """Lots whose units travel inside a container the event names: an identifier of it that is not ours (an SSCC,
    a returnable asset) was the parentID of an AggregationEvent that named our lots. Those lots (that the actor
    may record for) are touched by the event, unlisted, so their pages show where their units went. Read within
    the capture's transaction, so an aggregation earlier in the same document counts."""
    foreign = [item for item in data.identifiers if item.batch_id is None and item.role in _CONTAINER_ROLES]
    if not foreign:
        return
    values = {canonical_identifier(item.received) for item in foreign}
    aggregations = await EventIdentifier.filter(
        role=IdentifierRole.PARENT, value__in=sorted(values), event__event_type=EventType.AGGREGATION
    ).values_list("event_id", flat=True)
    if not aggregations:
        return
    links = await EventQuantity.filter(event_id__in=sorted(set(aggregations))).select_related(
        "batch__product__producer"
    )
    role = QuantityRole.INPUT if data.event_type is EventType.TRANSFORMATION else QuantityRole.SUBJECT
    if data.event_type is EventType.TRANSFORMATION:
        outputs = {IdentifierRole.OUTPUT, IdentifierRole.OUTPUT_QUANTITY}
        if all(item.role in outputs for item in foreign):
            role = QuantityRole.OUTPUT
    present = {q.batch_id for q in (*data.subjects, *data.inputs, *data.outputs)}
    target = {
        QuantityRole.SUBJECT: data.subjects,
        QuantityRole.INPUT: data.inputs,
        QuantityRole.OUTPUT: data.outputs,
    }[role]
    for link in links:
        if link.batch_id in present or not policy.may_manage_producer(reach, link.batch.product.producer):
            continue
        present.add(link.batch_id)
        target.append(trace.QuantityData(link.batch_id, listed=False))


_CONTAINER_ROLES = frozenset(
    {
        IdentifierRole.EPC,
        IdentifierRole.PARENT,
        IdentifierRole.CHILD,
        IdentifierRole.INPUT,
        IdentifierRole.OUTPUT,
    }
)


async def capture(doc: Any, actor: Actor, reach: Reach, base_url: str, jobs: CaptureJobs) -> CaptureJob:
    """Validate and record a capture document: every event or none (captureErrorBehaviour `rollback`). Returns
    the finished job. Raises Problem (VALIDATION with the schema's or the mapping's messages, FORBIDDEN for
    a lot the actor may not record for, CAPTURE_LIMIT_EXCEEDED beyond CAPTURE_LIMIT events) with nothing
    stored; the problem then carries the `captureID` of a failed job. Either job is kept in `jobs`."""
    job = CaptureJob(uuid.uuid4().hex, actor.user_id, clock.now())
    try:
        recorded = await _capture(doc, actor, reach, base_url)
    except Problem as problem:
        job.success = False
        job.errors = [dataclasses.replace(problem, extra=dict(problem.extra))]  # as it was, without:
        problem.extra["captureID"] = job.capture_id
        raise
    else:
        job.event_ids = [event.event_hash for event in recorded]
    finally:
        job.running = False
        job.finished_at = clock.now()
        jobs.add(job)
    return job


def may_capture(reach: Reach) -> bool:
    """Whether the actor may record events of some lot at all (a role on a producer or a place): asked by the
    route before the body is read (parsing 5 MB of JSON holds the GIL ~0.2 s, whichever thread runs it);
    `capture` refuses such an actor first, whatever the document."""
    return reach.everything or bool(reach.producer_ids or reach.province_ids or reach.commune_ids)


def _cap_problems(events: list[Any]) -> list[str]:
    """The caps of services.trace.events on each event's free JSON (its lists, ilmd and user extension fields),
    checked on the raw document, before its validation."""
    errors: list[str] = []
    keys = (
        ("sensorElements", "sensorElementList"),
        ("sources", "sourceList"),
        ("destinations", "destinationList"),
        ("bizTransactions", "bizTransactionList"),
        ("ilmd", "ilmd"),
        ("extensions", "(user extension fields)"),
    )
    by_name = dict(keys)
    for index, event in enumerate(events):
        if not isinstance(event, Mapping):
            continue
        extensions = {key: value for key, value in event.items() if key not in _EVENT_KEYS}
        lists = [(name, extensions if name == "extensions" else event.get(key)) for name, key in keys]
        for name, _, message_en in trace.free_json_problems(lists):
            errors.append(f"/epcisBody/eventList/{index}/{by_name[name]}: {message_en}")
    return errors


async def _capture(doc: Any, actor: Actor, reach: Reach, base_url: str) -> list[TraceEvent]:
    if not may_capture(reach):
        raise forbidden_problem("This account may not record events of any lot.")
    if not isinstance(doc, Mapping):
        raise validation_problem("The body must be a JSON object (an EPCISDocument).", [])
    path = epcis_validation.event_list_path(doc)
    raw_events: list[Any] = []
    if path is not None:
        node: Any = doc
        for key in path:
            node = node[key]
        raw_events = node
    if len(raw_events) > CAPTURE_LIMIT:
        raise capture_too_large(f"At most {CAPTURE_LIMIT} events per capture.")
    too_large = _cap_problems(raw_events)
    if too_large:
        raise validation_problem("Some events carry too much: " + "; ".join(too_large), too_large)
    timeout_s = settings.current().request_timeout_s
    try:
        schema_errors = await epcis_validation.validate_in_thread(doc, timeout_s)
    except epcis_validation.ValidationTimeout as exc:
        raise capture_too_large(
            f"The document could not be validated within {timeout_s:g} s: send fewer events per capture."
        ) from exc
    if schema_errors:
        raise validation_problem(
            "The document does not validate against the EPCIS 2.0 JSON Schema.", schema_errors
        )
    events = events_of_document(doc)
    if not events:
        raise validation_problem("The document holds no event.", ["/epcisBody/eventList: empty"])
    try:
        ours = await our_identifiers(identifiers_of_events(events), base_url)
    except digital_link.LinkSyntaxError as exc:
        raise validation_problem(
            f"An identifier is not a valid Digital Link: {exc.message_en}", [exc.message_en]
        ) from exc
    places = {
        event[key]["id"]
        for event in events
        for key in ("readPoint", "bizLocation")
        if isinstance(event.get(key), Mapping)
    }
    locations = await our_locations(places, base_url)
    namespaces = document_namespaces(doc.get("@context"))
    errors: list[str] = []
    inputs = [
        _event_input(event, index, ours, locations, base_url, namespaces, errors)
        for index, event in enumerate(events)
    ]
    if errors:
        raise validation_problem("Some events cannot be recorded: " + "; ".join(errors), errors)
    recorded: list[TraceEvent] = []
    async with in_transaction():
        for index, data in enumerate(inputs):
            await _contained(data, reach)
            if not (data.subjects or data.inputs or data.outputs):
                message = (
                    f"/epcisBody/eventList/{index}: names no lot of ours (by class, serial or a container of its "
                    "units): ocop-hub keeps the events of its own lots only"
                )
                raise validation_problem(message, [message], eventIndex=index, reason="noLotOfOurs")
            try:
                recorded.append(await trace.record_event(data, reach, base_url, actor.user_id))
            except DomainError as exc:
                raise problem_of(exc, event_index=index) from exc
            except IntegrityError as exc:
                message = f"/epcisBody/eventList/{index}: this event is already recorded (same event hash)"
                raise validation_problem(message, [message], eventIndex=index) from exc
    return recorded
