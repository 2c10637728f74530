"""The EPCIS 2.0 REST events query (a subset of GS1's OpenAPI, `../shared/reference/EPCIS-REST-openapi.yaml`);
capture is services.trace.epcis_capture, the refusals services.trace.epcis_problems:

- `GET /epcis/events`: SimpleEventQuery with `eventType`, `EQ_bizStep`, `EQ_disposition`, `MATCH_epcClass`,
  `MATCH_anyEPCClass`, `GE_eventTime`, `LT_eventTime`, `perPage` (default 30, at most 100: a larger value is
  lowered, as the OpenAPI allows) and `nextPageToken`. Values are pipe-delimited (`EQ_bizStep=shipping|receiving`)
  or repeated. Any other parameter is refused with a QueryParameterException naming it. Results are ordered by
  event time, then by recording order; the page token is a keyset position (opaque base64url), so paging never
  repeats or skips an event, even while events are appended.

Nothing here knows HTTP: web/epcis.py answers a query or its Problem."""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tortoise import connections
from tortoise.expressions import Q, RawSQL, Subquery

from models import Batch, EventQuantity, EventType, Product, QuantityRole, TraceEvent
from services.common import clock, instance
from services.policy import Reach
from services.policy import trace as trace_policy
from services.trace import digital_link, epcis
from services.trace import events as trace
from services.trace.epcis import JSONObject
from services.trace.epcis_problems import query_problem
from services.trace.identity import product_code, product_id_of

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


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
    # Our links under the configured address and under the one identifiers were minted with (they differ
    # after a move to another domain: event documents keep the minted one, printed labels may hold either).
    minted = await instance.identity_base(base_url)
    for uri in uris:
        link = _lot_link(uri, base_url) or (_lot_link(uri, minted) if minted != base_url else None)
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
    """One page of a SimpleEventQuery. An event is shown when the actor sees one of the lots it names; the
    lots it names that the actor does not see are redacted (`trace.event_jsons`): a transformation that
    used an unpublished lot is shown, as on the trace page, without that lot's identity. MATCH_epcClass and
    MATCH_anyEPCClass match only lots the actor sees, so an unpublished lot's identifier finds nothing.
    Raises Problem."""
    for name, _ in params:
        if name not in QUERY_PARAMETERS:
            raise query_problem(
                name, f"{name} is not supported here; supported: {', '.join(QUERY_PARAMETERS)}."
            )
    per_page = _per_page(params)
    query = TraceEvent.all()
    visible = visible_batches(reach)
    if visible is not None:
        seen = Batch.filter(visible).values("id")
        query = query.filter(
            id__in=Subquery(EventQuantity.filter(batch_id__in=Subquery(seen)).values("event_id"))
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
        ids = {
            b.id for b in lots.values() if trace_policy.sees_batch(reach, b, b.product, b.product.producer)
        }
        matched = EventQuantity.filter(batch_id__in=sorted(ids), role__in=roles)
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
    jsons = await trace.event_jsons(events, base_url, reach)
    # In a worker thread: it copies every event, and a legacy event may hold thousands of sensor reports.
    document = await asyncio.to_thread(
        functools.partial(epcis.query_document, jsons, creation_date=clock.now())
    )
    return Page(document, _encode_token(events[-1]) if more else None)
