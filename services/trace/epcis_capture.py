"""EPCIS 2.0 capture (a subset of GS1's OpenAPI, `../shared/reference/EPCIS-REST-openapi.yaml`); the events
query is services.trace.epcis_query:

- `POST /epcis/capture`: an EPCISDocument (or EPCISQueryDocument) in JSON-LD, validated against GS1's JSON Schema,
  mapped to `trace.EventInput` and recorded all-or-nothing in one transaction, with the caller's access rules
  (those of `trace.record_event`). ObjectEvent, TransactionEvent and TransformationEvent with quantity lists whose
  epcClass is one of our lots (our Digital Link or `https://id.gs1.org/01/{gtin}/10/{lot}`); a readPoint or
  bizLocation is one of our locations (`{base}/locations/{id}` or the GLN Digital Link of one) or a partner's
  place, named by a well-formed SGLN (`urn:epc:id:sgln:...`) or GLN Digital Link (`.../414/{gln}[/254/{ext}]`),
  which is stored as an external location and written back exactly as received (services.trace.locations); a
  malformed one is refused naming the event and what is wrong. bizTransactionList, sourceList, destinationList
  and sensorElementList are kept. What we could not store (epcList, ilmd, errorDeclaration, certificationInfo,
  extension fields, other event types) is refused with a message naming the event, never silently dropped. A
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
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import Batch, EventAction, EventType, TraceEvent
from services.accounts.auth import Actor
from services.common import clock, settings
from services.common.errors import DomainError
from services.policy import Reach
from services.trace import digital_link, epcis_validation
from services.trace import events as trace
from services.trace.epcis_problems import (
    Problem,
    capture_too_large,
    forbidden_problem,
    problem_of,
    validation_problem,
)
from services.trace.epcis_query import lots_of
from services.trace.locations import our_locations, partner_identifier_problem

CAPTURE_LIMIT = 500  # events per capture document (GS1-EPCIS-Capture-Limit)
CAPTURE_MAX_BYTES = 5_000_000  # GS1-EPCIS-Capture-File-Size-Limit


_EVENT_KEYS = frozenset(
    {
        "type",
        "eventID",
        "eventTime",
        "eventTimeZoneOffset",
        "recordTime",
        "action",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "quantityList",
        "inputQuantityList",
        "outputQuantityList",
        "epcList",
        "inputEPCList",
        "outputEPCList",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
    }
)
_CAPTURED_TYPES = {
    "ObjectEvent": EventType.OBJECT,
    "TransactionEvent": EventType.TRANSACTION,
    "TransformationEvent": EventType.TRANSFORMATION,
}


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


def _quantities(
    event: Mapping[str, Any], key: str, index: int, lots: Mapping[str, Batch], errors: list[str]
) -> list[trace.QuantityData]:
    out = []
    for position, element in enumerate(event.get(key) or []):
        batch = lots.get(element["epcClass"])
        if batch is None:
            errors.append(
                f"/epcisBody/eventList/{index}/{key}/{position}/epcClass: no lot of ours is {element['epcClass']}"
            )
            continue
        quantity = element.get("quantity")
        try:
            amount = None if quantity is None else Decimal(str(quantity))
        except InvalidOperation:
            amount = None
        out.append(trace.QuantityData(batch.id, amount, element.get("uom")))
    return out


def _event_input(
    event: Mapping[str, Any],
    index: int,
    lots: Mapping[str, Batch],
    locations: Mapping[str, int],
    base_url: str,
    errors: list[str],
) -> trace.EventInput | None:
    where = f"/epcisBody/eventList/{index}"
    event_type = _CAPTURED_TYPES.get(event.get("type", ""))
    if event_type is None:
        errors.append(
            f"{where}/type: only ObjectEvent, TransactionEvent and TransformationEvent are captured here"
        )
        return None
    unknown = sorted(set(event) - _EVENT_KEYS)
    if unknown:
        errors.append(f"{where}: not stored here, so not accepted: {', '.join(unknown)}")
    for key in ("epcList", "inputEPCList", "outputEPCList"):
        if event.get(key):
            errors.append(
                f"{where}/{key}: lots are traced by class: use quantityList with the lot's Digital Link"
            )
    read_point_id, read_point_uri = _place(event, "readPoint", where, locations, base_url, errors)
    biz_location_id, biz_location_uri = _place(event, "bizLocation", where, locations, base_url, errors)
    offset = event["eventTimeZoneOffset"]
    moment = dt.datetime.fromisoformat(event["eventTime"].upper())
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = (int(part) for part in offset[1:].split(":"))
    zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    transformation = event_type is EventType.TRANSFORMATION
    data = trace.EventInput(
        event_type=event_type,
        event_time=moment.astimezone(zone),
        subjects=[] if transformation else _quantities(event, "quantityList", index, lots, errors),
        inputs=_quantities(event, "inputQuantityList", index, lots, errors) if transformation else [],
        outputs=_quantities(event, "outputQuantityList", index, lots, errors) if transformation else [],
        action=None if transformation else EventAction(event["action"]),
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
    )
    return data


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
    """The caps of services.trace.events on each event's free JSON (its lists and any field we do not store,
    which is refused later but would be validated first), checked on the raw document."""
    errors: list[str] = []
    keys = (
        ("sensorElements", "sensorElementList"),
        ("sources", "sourceList"),
        ("destinations", "destinationList"),
        ("bizTransactions", "bizTransactionList"),
        ("extensions", "(fields not stored here)"),
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
    classes = {
        element["epcClass"]
        for event in events
        for key in ("quantityList", "inputQuantityList", "outputQuantityList")
        for element in event.get(key) or []
    }
    try:
        lots = await lots_of(classes, base_url)
    except digital_link.LinkSyntaxError as exc:
        raise validation_problem(
            f"An epcClass is not a valid Digital Link: {exc.message_en}", [exc.message_en]
        ) from exc
    places = {
        event[key]["id"]
        for event in events
        for key in ("readPoint", "bizLocation")
        if isinstance(event.get(key), Mapping)
    }
    locations = await our_locations(places, base_url)
    errors: list[str] = []
    inputs = [
        _event_input(event, index, lots, locations, base_url, errors) for index, event in enumerate(events)
    ]
    if errors:
        raise validation_problem("Some events cannot be recorded: " + "; ".join(errors), errors)
    recorded: list[TraceEvent] = []
    async with in_transaction():
        for index, data in enumerate(inputs):
            assert data is not None
            try:
                recorded.append(await trace.record_event(data, reach, base_url, actor.user_id))
            except DomainError as exc:
                raise problem_of(exc, event_index=index) from exc
            except IntegrityError as exc:
                message = f"/epcisBody/eventList/{index}: this event is already recorded (same event hash)"
                raise validation_problem(message, [message], eventIndex=index) from exc
    return recorded
