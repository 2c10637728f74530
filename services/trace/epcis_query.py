"""The EPCIS 2.0 REST interface (a subset of GS1's OpenAPI, `../shared/reference/EPCIS-REST-openapi.yaml`):

- `GET /epcis/events`: SimpleEventQuery with `eventType`, `EQ_bizStep`, `EQ_disposition`, `MATCH_epcClass`,
  `MATCH_anyEPCClass`, `GE_eventTime`, `LT_eventTime`, `perPage` (default 30, at most 100: a larger value is
  lowered, as the OpenAPI allows) and `nextPageToken`. Values are pipe-delimited (`EQ_bizStep=shipping|receiving`)
  or repeated. Any other parameter is refused with a QueryParameterException naming it. Results are ordered by
  event time, then by recording order; the page token is a keyset position (opaque base64url), so paging never
  repeats or skips an event, even while events are appended.
- `POST /epcis/capture`: an EPCISDocument (or EPCISQueryDocument) in JSON-LD, validated against GS1's JSON Schema,
  mapped to `trace.EventInput` and recorded all-or-nothing in one transaction, with the caller's access rules
  (those of `trace.record_event`). ObjectEvent, TransactionEvent and TransformationEvent with quantity lists whose
  epcClass is one of our lots (our Digital Link or `https://id.gs1.org/01/{gtin}/10/{lot}`); readPoint and
  bizLocation must be our locations (`{base}/locations/{id}` or a GLN we know); bizTransactionList, sourceList,
  destinationList and sensorElementList are kept. What we could not store (epcList, ilmd, errorDeclaration,
  certificationInfo, extension fields, other event types, foreign locations) is refused with a message naming
  the event, never silently dropped. A client's eventID and recordTime are ignored: each event gets our
  recordTime and its CBV 2.0 hash as eventID.
- `GET /epcis/capture/{id}`: the capture job (for the user who captured, or a central admin).

Capture runs synchronously: a POST answers once the events are stored (202, `Location: /epcis/capture/{id}`,
the finished job in the body) or refused (400/403/413 with nothing stored, "All events are rejected" in the
OpenAPI; the problem names the failed job's `captureID` and the Location of its outcome). Jobs are kept in a
small in-process bounded store (`CaptureJobs`): per process, lost on restart, the oldest dropped beyond its size.
The events themselves are durable; only the job records are not.

Nothing here knows HTTP: queries and captures raise a `Problem` of a `ProblemKind`; web/epcis.py answers it
with its status, the GS1 version headers and an RFC 9457 problem document."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import re
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, cast
from urllib.parse import urlsplit

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.transactions import in_transaction

from models import Batch, EventAction, EventQuantity, EventType, Location, Product, QuantityRole, TraceEvent
from services.accounts.auth import Actor
from services.common import clock
from services.common.errors import DomainError
from services.policy import Reach
from services.trace import digital_link, epcis
from services.trace import events as trace
from services.trace.errors import TraceErrorCode
from services.trace.identity import product_code, product_id_of

type JSONObject = dict[str, Any]

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
CAPTURE_LIMIT = 500  # events per capture document (GS1-EPCIS-Capture-Limit)
CAPTURE_MAX_BYTES = 5_000_000  # GS1-EPCIS-Capture-File-Size-Limit
GS1_HOST = "id.gs1.org"
EPCIS_VERSION = CBV_VERSION = (
    "2.0.0"  # of the standards this interface follows (sent in GS1-*-Version headers)
)

QUERY_PARAMETERS = (
    "eventType",
    "EQ_bizStep",
    "EQ_disposition",
    "MATCH_epcClass",
    "MATCH_anyEPCClass",
    "GE_eventTime",
    "LT_eventTime",
    "perPage",
    "nextPageToken",
)


# -- problems (the EPCIS exceptions; web/epcis.py sends them as RFC 9457 problem documents) ----------------


class ProblemKind(Enum):
    QUERY_PARAMETER = "epcisException:QueryParameterException"
    VALIDATION = "epcisException:ValidationException"
    CAPTURE_LIMIT_EXCEEDED = "epcisException:CaptureLimitExceededException"
    UNSUPPORTED_MEDIA_TYPE = "epcisException:UnsupportedMediaType"
    NO_SUCH_RESOURCE = "epcisException:NoSuchResourceException"
    # Both are the EPCIS SecurityException: who the caller is is unknown, or may not do this.
    UNAUTHENTICATED = "epcisException:SecurityException/unauthenticated"
    FORBIDDEN = "epcisException:SecurityException/forbidden"

    @property
    def exception_type(self) -> str:
        """The OpenAPI's `epcisException:*` type of the problem."""
        return self.value.split("/", 1)[0]


@dataclass(slots=True)
class Problem(Exception):
    """Why an EPCIS request was refused, as the OpenAPI's `epcisException:*` types."""

    kind: ProblemKind
    title: str
    detail: str
    extra: JSONObject = field(default_factory=dict)


def query_problem(parameter: str, detail: str) -> Problem:
    return Problem(
        ProblemKind.QUERY_PARAMETER,
        f"Invalid query parameter {parameter}",
        detail,
        {"parameter": parameter},
    )


def validation_problem(detail: str, errors: Sequence[str], **extra: Any) -> Problem:
    return Problem(
        ProblemKind.VALIDATION,
        "The capture document was rejected; nothing was stored",
        detail,
        {"errors": list(errors), **extra},
    )


def capture_too_large(detail: str) -> Problem:
    return Problem(ProblemKind.CAPTURE_LIMIT_EXCEEDED, "The capture document is too large", detail)


def unauthenticated_problem() -> Problem:
    return Problem(
        ProblemKind.UNAUTHENTICATED,
        "Authentication required",
        "Authentication required (Authorization: Bearer ...).",
    )


def forbidden_problem(detail: str) -> Problem:
    return Problem(ProblemKind.FORBIDDEN, "Not allowed", detail)


def unsupported_media_type() -> Problem:
    return Problem(
        ProblemKind.UNSUPPORTED_MEDIA_TYPE,
        "Unsupported media type",
        "Send the EPCISDocument as application/ld+json or application/json.",
    )


def no_such_capture_job() -> Problem:
    return Problem(
        ProblemKind.NO_SUCH_RESOURCE,
        "No such capture job",
        "Unknown capture id (jobs are kept per server process and lost on restart).",
    )


def problem_of(error: DomainError, *, event_index: int | None = None) -> Problem:
    """A domain error as a problem: UNAUTHENTICATED, FORBIDDEN, or else a VALIDATION problem."""
    codes = {p.code for p in error.problems}
    where = f"event {event_index}: " if event_index is not None else ""
    if TraceErrorCode.UNAUTHENTICATED in codes:
        return unauthenticated_problem()
    if TraceErrorCode.FORBIDDEN in codes:
        problem = forbidden_problem(f"{where}you may not record events of this lot.")
    else:
        messages = [
            f"{where}{p.field}: {p.message_en}" if p.field else where + p.message_en for p in error.problems
        ]
        problem = validation_problem("; ".join(messages), messages)
    if event_index is not None:
        problem.extra["eventIndex"] = event_index
    return problem


# -- lots named by epcClass ----------------------------------------------------------------------------------


def _lot_link(uri: str, base_url: str) -> digital_link.ParsedLink | None:
    """The ParsedLink of an epcClass URI on our host or on id.gs1.org (GS1's canonical form); None for a URI
    of any other host. LinkSyntaxError for a malformed Digital Link on one of those hosts."""
    parts = urlsplit(uri)
    ours = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        return None
    base_path = ours.path.rstrip("/")
    if parts.netloc.lower() == ours.netloc.lower() and parts.path.startswith(base_path + "/"):
        path = parts.path[len(base_path) :]
    elif parts.netloc.lower() == GS1_HOST:
        path = parts.path
    else:
        return None
    return digital_link.parse(path)


async def lots_of(uris: Iterable[str], base_url: str) -> dict[str, Batch]:
    """The lots (with product and producer) named by epcClass URIs: our Digital Links (`/01/{gtin}/10/{lot}`,
    `/p/{code}/10/{lot}`, compressed ones) or `https://id.gs1.org/01/{gtin}/10/{lot}`. A URI naming no lot of
    ours is absent from the answer. Raises LinkSyntaxError for a malformed Digital Link."""
    wanted: dict[str, tuple[str, Any, str]] = {}
    for uri in uris:
        link = _lot_link(uri, base_url)
        if link is None or link.lot is None or link.serial is not None or link.cpv or link.tpx:
            continue
        if link.key == "01":
            wanted[uri] = ("gtin", link.key_value, link.lot)
        else:
            product_id = product_id_of(link.key_value)
            if (
                product_id is not None
                and 0 < product_id < 2**31
                and product_code(product_id) == link.key_value
            ):
                wanted[uri] = ("id", product_id, link.lot)
    if not wanted:
        return {}
    condition = Q(
        *(Q(lot_code=lot, **{f"product__{column}": value}) for column, value, lot in wanted.values()),
        join_type="OR",
    )
    batches = await Batch.filter(condition).select_related("product__producer")
    found: dict[str, Batch] = {}
    for uri, (column, value, lot) in wanted.items():
        for batch in batches:
            product: Product = batch.product
            if batch.lot_code == lot and (product.gtin if column == "gtin" else product.id) == value:
                found[uri] = batch
    return found


# -- query -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    document: JSONObject
    next_token: str | None


def _values(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    values = [v.strip() for key, raw in params if key == name for v in raw.split("|")]
    if any(not v for v in values):
        raise query_problem(name, f"{name} has an empty value.")
    return values


def _single(params: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [raw.strip() for key, raw in params if key == name]
    if len(values) > 1:
        raise query_problem(name, f"{name} takes one value.")
    if values and not values[0]:
        raise query_problem(name, f"{name} has an empty value.")
    return values[0] if values else None


def _time(params: Sequence[tuple[str, str]], name: str) -> dt.datetime | None:
    value = _single(params, name)
    if value is None:
        return None
    value = value.replace(" ", "+")  # an unencoded "+" in a query string reads as a space
    if not epcis.is_date_time(value):
        raise query_problem(
            name, f"{name} must be an ISO 8601 date-time with an offset, e.g. 2024-05-20T08:30:00+07:00."
        )
    return dt.datetime.fromisoformat(value.upper()).astimezone(dt.UTC)


_SQLITE_UTC_EVENT_TIME = """strftime('%Y-%m-%d %H:%M:%f', "trace_event"."event_time")"""


def _time_key(moment: dt.datetime) -> dt.datetime | str:
    return moment


def _sqlite_time_key(moment: dt.datetime) -> dt.datetime | str:
    """What _SQLITE_UTC_EVENT_TIME makes of a time: UTC text to the millisecond."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def _encode_token(event: TraceEvent) -> str:
    position = f"{event.event_time.astimezone(dt.UTC).isoformat()}|{event.id}"
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def _decode_token(token: str) -> tuple[dt.datetime, int]:
    try:
        moment, _, ident = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().partition("|")
        return dt.datetime.fromisoformat(moment).astimezone(dt.UTC), int(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise query_problem("nextPageToken", "nextPageToken is not a token this server issued.") from exc


def _per_page(params: Sequence[tuple[str, str]]) -> int:
    value = _single(params, "perPage") or str(DEFAULT_PER_PAGE)
    if not re.fullmatch(r"[0-9]{1,6}", value) or int(value) < 1:
        raise query_problem("perPage", "perPage must be a positive integer.")
    return min(int(value), MAX_PER_PAGE)


def _vocabulary(params: Sequence[tuple[str, str]], name: str, kind: epcis.VocabularyKind) -> list[str]:
    words = []
    for value in _values(params, name):
        word = epcis.normalize_vocabulary(value, kind)
        if word is None:
            raise query_problem(name, f"{value!r} is neither a CBV 2.0 {kind} nor an absolute URI.")
        words.append(word)
    return words


def visible_batches(reach: Reach) -> Q | None:
    """Lots an actor may see: published lots of published products, and the lots of producers it manages.
    None when it sees all."""
    if reach.everything:
        return None
    visible = Q(is_published=True, product__is_published=True)
    for column, ids in (
        ("product__producer_id", reach.producer_ids),
        ("product__producer__province_id", reach.province_ids),
        ("product__producer__commune_id", reach.commune_ids),
    ):
        if ids:
            visible |= Q(**{f"{column}__in": sorted(ids)})  # type: ignore[arg-type]
    return visible


async def query_events(params: Sequence[tuple[str, str]], reach: Reach, base_url: str) -> Page:
    """One page of a SimpleEventQuery. An event is visible when every lot it names is visible to the actor
    (a transformation that used an unpublished lot stays hidden from the public). Raises Problem."""
    for name, _ in params:
        if name not in QUERY_PARAMETERS:
            raise query_problem(
                name, f"{name} is not supported here; supported: {', '.join(QUERY_PARAMETERS)}."
            )
    per_page = _per_page(params)
    query = TraceEvent.all()
    hidden = visible_batches(reach)
    if hidden is not None:
        invisible = Batch.filter(~hidden).values("id")
        query = query.exclude(
            id__in=Subquery(EventQuantity.filter(batch_id__in=Subquery(invisible)).values("event_id"))
        )
    if types := _values(params, "eventType"):
        query = query.filter(event_type__in=[t for t in types if t in set(EventType)])
    if steps := _vocabulary(params, "EQ_bizStep", "bizStep"):
        query = query.filter(biz_step__in=steps)
    if dispositions := _vocabulary(params, "EQ_disposition", "disposition"):
        query = query.filter(disposition__in=dispositions)
    for name, roles in (
        ("MATCH_epcClass", [QuantityRole.SUBJECT]),
        ("MATCH_anyEPCClass", list(QuantityRole)),
    ):
        uris = _values(params, name)
        if not uris:
            continue
        for uri in uris:
            if not epcis.is_absolute_uri(uri):
                raise query_problem(name, f"{uri!r} is not an absolute URI.")
        try:
            lots = await lots_of(uris, base_url)
        except digital_link.LinkSyntaxError as exc:
            raise query_problem(name, exc.message_en) from exc
        matched = EventQuantity.filter(batch_id__in=sorted({b.id for b in lots.values()}), role__in=roles)
        query = query.filter(id__in=Subquery(matched.values("event_id")))
    key, time_key = "event_time", _time_key
    if connections.get("default").capabilities.dialect == "sqlite":
        # SQLite keeps each time as text in its own offset: compare and order by UTC text instead.
        key, time_key = "utc_event_time", _sqlite_time_key
        query = query.annotate(utc_event_time=RawSQL(_SQLITE_UTC_EVENT_TIME))
    if (since := _time(params, "GE_eventTime")) is not None:
        query = query.filter(**{f"{key}__gte": time_key(since)})
    if (until := _time(params, "LT_eventTime")) is not None:
        query = query.filter(**{f"{key}__lt": time_key(until)})
    token = _single(params, "nextPageToken")
    if token is not None:
        moment, last_id = _decode_token(token)
        after: dict[str, Any] = {f"{key}__gt": time_key(moment)}
        same: dict[str, Any] = {key: time_key(moment), "id__gt": last_id}
        query = query.filter(Q(**after) | Q(**same))
    events = list(await query.order_by(key, "id").limit(per_page + 1))
    more = len(events) > per_page
    events = events[:per_page]
    document = epcis.query_document(await trace.event_jsons(events, base_url), creation_date=clock.now())
    return Page(document, _encode_token(events[-1]) if more else None)


# -- capture ---------------------------------------------------------------------------------------------------

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


def _location_id(value: Any, locations: Mapping[str, int]) -> int | None:
    uri = value.get("id") if isinstance(value, Mapping) else None
    return locations.get(uri) if isinstance(uri, str) else None


async def _locations(uris: set[str], base_url: str) -> dict[str, int]:
    """Our locations named by URI: `{base}/locations/{id}` or `https://id.gs1.org/414/{gln}`."""
    prefix = base_url.rstrip("/") + "/locations/"
    by_id = {
        uri: int(uri[len(prefix) :]) for uri in uris if re.fullmatch(re.escape(prefix) + r"[0-9]{1,9}", uri)
    }
    by_gln = {
        uri: uri.rsplit("/", 1)[1] for uri in uris if re.fullmatch(r"https://id\.gs1\.org/414/[0-9]{13}", uri)
    }
    found: dict[str, int] = {}
    if by_id:
        rows = await Location.filter(id__in=sorted(set(by_id.values()))).values_list("id", flat=True)
        known = {int(cast(int, ident)) for ident in rows}
        found |= {uri: ident for uri, ident in by_id.items() if ident in known}
    if by_gln:
        glns = dict(await Location.filter(gln__in=sorted(set(by_gln.values()))).values_list("gln", "id"))
        found |= {uri: glns[gln] for uri, gln in by_gln.items() if gln in glns}
    return found


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
    for key in ("readPoint", "bizLocation"):
        if key in event and _location_id(event[key], locations) is None:
            errors.append(
                f"{where}/{key}/id: not one of our locations ({base_url.rstrip('/')}/locations/{{id}} or a known GLN)"
            )
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
        read_point_id=_location_id(event.get("readPoint"), locations),
        biz_location_id=_location_id(event.get("bizLocation"), locations),
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


async def _capture(doc: Any, actor: Actor, reach: Reach, base_url: str) -> list[TraceEvent]:
    if not isinstance(doc, Mapping):
        raise validation_problem("The body must be a JSON object (an EPCISDocument).", [])
    schema_errors = epcis.validate(doc)
    if schema_errors:
        raise validation_problem(
            "The document does not validate against the EPCIS 2.0 JSON Schema.", schema_errors
        )
    events = events_of_document(doc)
    if len(events) > CAPTURE_LIMIT:
        raise capture_too_large(f"At most {CAPTURE_LIMIT} events per capture.")
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
    locations = await _locations(places, base_url)
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
