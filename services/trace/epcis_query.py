"""The EPCIS 2.0 SimpleEventQuery (GS1 EPCIS 2.0 section 8.2.7.1; the REST OpenAPI,
`../shared/reference/EPCIS-REST-openapi.yaml`), answered in SQL: the parameters are read by
services.trace.epcis_query_params, named queries kept by services.trace.epcis_named_queries, capture is
services.trace.epcis_capture and the refusals services.trace.epcis_problems. docs/tracing.md lists the parameters
and what each matches.

Every condition is a filter (most an `id IN (SELECT event_id ...)` on an indexed table: event_quantity,
trace_event_identifier, trace_event_field, location): events are never loaded to be filtered in Python. Results are
ordered by event time, then by recording order (or by `orderBy`, then recording order); the page token is a keyset
position (opaque base64url: the key, the last event, how many events were given before), so paging never repeats
or skips an event, even while events are appended. `perPage` defaults to 30, at most 100 (a larger value is
lowered, as the OpenAPI allows).

Nothing here knows HTTP: web/epcis.py answers a query or its Problem."""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlsplit

from tortoise import connections
from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.queryset import QuerySet

from models import (
    Batch,
    EventField,
    EventIdentifier,
    EventQuantity,
    EventType,
    FieldScope,
    IdentifierRole,
    Location,
    Product,
    QuantityRole,
    TraceEvent,
)
from services.common import clock, instance
from services.policy import Reach
from services.policy import trace as trace_policy
from services.trace import digital_link, epcis, epcis_identifiers, epcis_query_params, location_ids, locations
from services.trace import events as trace
from services.trace.epcis import JSONObject
from services.trace.epcis_identifiers import TEXT_INDEX_LENGTH
from services.trace.epcis_problems import (
    Problem,
    no_such_event,
    not_acceptable,
    query_problem,
    query_too_large,
)
from services.trace.epcis_query_params import EventQuery, FieldCondition
from services.trace.identity import product_code, product_id_of

GS1_HOST = "id.gs1.org"
EPCIS_VERSION = CBV_VERSION = (
    "2.0.0"  # of the standards this interface follows (sent in GS1-*-Version headers)
)
# Sent with every EPCIS answer: the one version of each standard we speak, and our extension's prefix.
VERSION_HEADERS = {
    "GS1-EPCIS-Version": EPCIS_VERSION,
    "GS1-EPCIS-Min": EPCIS_VERSION,
    "GS1-EPCIS-Max": EPCIS_VERSION,
    "GS1-CBV-Version": CBV_VERSION,
    "GS1-CBV-Min": CBV_VERSION,
    "GS1-CBV-Max": CBV_VERSION,
    "GS1-Extensions": f"{epcis.EXTENSION_PREFIX}={epcis.EXTENSION_NAMESPACE}",
}
_ANSWERED_TYPES = ("application/json", "application/ld+json", "application/*", "*/*")


def _version(value: str) -> tuple[int, ...] | None:
    return (
        tuple(int(part) for part in value.split("."))
        if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}", value)
        else None
    )


def negotiation_problem(accept: str | None, headers: Mapping[str, str]) -> Problem | None:
    """NotAcceptableException when the request cannot be answered as it asks: an Accept header without JSON or
    JSON-LD, or GS1-EPCIS-Version / -Min / -Max (GS1-CBV-…) that exclude 2.0 (request header names lower-case)."""
    if accept and not any(
        media.split(";", 1)[0].strip().lower() in _ANSWERED_TYPES for media in accept.split(",")
    ):
        return not_acceptable("Answers are application/json or application/ld+json (EPCIS 2.0 JSON-LD).")
    for standard, ours in (("epcis", EPCIS_VERSION), ("cbv", CBV_VERSION)):
        mine = _version(ours) or ()
        for suffix in ("version", "min", "max"):
            value = headers.get(f"gs1-{standard}-{suffix}")
            if value is None:
                continue
            asked = _version(value.strip())
            refused = (
                asked is None
                or (suffix == "version" and asked[:2] != mine[:2])
                or (suffix == "min" and asked > mine)
                or (suffix == "max" and asked[:2] < mine[:2])
            )
            if refused:
                return not_acceptable(
                    f"GS1-{standard.upper()}-{suffix.capitalize()}: {value} cannot be met; this repository speaks "
                    f"{standard.upper()} {ours}."
                )
    return None


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
    event_count: int  # events in this page


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


def _sqlite() -> bool:
    return bool(connections.get("default").capabilities.dialect == "sqlite")


def _utc_text(table: str, column: str) -> RawSQL:
    """SQLite keeps each time as text in its own offset: compare and order by its UTC text instead."""
    return RawSQL(f"""strftime('%Y-%m-%d %H:%M:%f', "{table}"."{column}")""")


def _time_key(moment: dt.datetime) -> dt.datetime | str:
    """A time as the ordered key compares it: itself (PostgreSQL), or its UTC text to the millisecond (SQLite)."""
    if not _sqlite():
        return moment
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def _keyed(query: QuerySet[TraceEvent], column: str) -> tuple[QuerySet[TraceEvent], str]:
    """The query with a sortable key for a time column (`event_time`, `record_time`), and the key's name."""
    if not _sqlite():
        return query, column
    key = f"utc_{column}"
    return query.annotate(**{key: _utc_text("trace_event", column)}), key


def _in(subquery: QuerySet[Any]) -> Q:
    return Q(id__in=Subquery(subquery.values("event_id")))


# -- places: EQ_/WD_readPoint, EQ_/WD_bizLocation ---------------------------------------------------------------


def _sgln_prefixes(gln: str) -> list[str]:
    """The SGLN URIs of a GLN without their extension, for each company prefix length (6 to 12 digits)."""
    return [f"urn:epc:id:sgln:{gln[:n]}.{gln[n:12]}." for n in range(6, 13)]


async def _places(uris: Sequence[str], base_url: str, *, descendants: bool) -> list[int]:
    """The locations named by `uris`: ours by the URI an event shows for them (`{base}/locations/{id}`,
    `https://id.gs1.org/414/{gln}`), partners' by their identifier as received. With descendants (WD_), a GLN
    without extension also names every location of that GLN with an extension (its sub-locations), in both
    spellings (SGLN, GLN Digital Link); our locations have no hierarchy of their own."""
    ids = set((await locations.our_locations(uris, base_url)).values())
    exact = Location.filter(identifier__in=list(uris)).values_list("id", flat=True)
    ids |= {int(cast(int, i)) for i in await exact}
    if not descendants:
        return sorted(ids)
    for uri in uris:
        parsed = location_ids.parse_or_none(uri)
        if parsed is None:
            continue
        if parsed.extension is None:
            ids |= {
                int(cast(int, i)) for i in await Location.filter(gln=parsed.gln).values_list("id", flat=True)
            }
        like = Q(
            *(Q(identifier__startswith=p) for p in _sgln_prefixes(parsed.gln)),
            Q(identifier__contains=f"/414/{parsed.gln}"),
            join_type="OR",
        )
        for ident, identifier in await Location.filter(like).values_list("id", "identifier"):
            candidate = location_ids.parse_or_none(str(identifier))
            if candidate is None or candidate.gln != parsed.gln:
                continue
            if parsed.extension is None or candidate.extension == parsed.extension:
                ids.add(int(cast(int, ident)))
    return sorted(ids)


# -- identifiers: MATCH_ ------------------------------------------------------------------------------------------

_INSTANCE_ROLES = {
    "MATCH_epc": (IdentifierRole.EPC, IdentifierRole.CHILD),
    "MATCH_parentID": (IdentifierRole.PARENT,),
    "MATCH_inputEPC": (IdentifierRole.INPUT,),
    "MATCH_outputEPC": (IdentifierRole.OUTPUT,),
    "MATCH_anyEPC": (
        IdentifierRole.EPC,
        IdentifierRole.CHILD,
        IdentifierRole.PARENT,
        IdentifierRole.INPUT,
        IdentifierRole.OUTPUT,
    ),
}
_CLASS_ROLES = {
    "MATCH_epcClass": ((QuantityRole.SUBJECT,), (IdentifierRole.QUANTITY, IdentifierRole.CHILD_QUANTITY)),
    "MATCH_inputEPCClass": ((QuantityRole.INPUT,), (IdentifierRole.INPUT_QUANTITY,)),
    "MATCH_outputEPCClass": ((QuantityRole.OUTPUT,), (IdentifierRole.OUTPUT_QUANTITY,)),
    "MATCH_anyEPCClass": (
        tuple(QuantityRole),
        (
            IdentifierRole.QUANTITY,
            IdentifierRole.CHILD_QUANTITY,
            IdentifierRole.INPUT_QUANTITY,
            IdentifierRole.OUTPUT_QUANTITY,
        ),
    ),
}
_IDPAT = re.compile(r"urn:epc:idpat:([a-z0-9]+):(.*)")
_PATTERN_KEYS = {
    "sgtin": ("01", 3),
    "sscc": ("00", 2),
    "sgln": ("414", 3),
}  # the GS1 key, the pattern's fields
_GTIN_LEVEL = re.compile(r"https://id\.gs1\.org/01/([0-9]{14})")


def identifier_condition(value: str, parameter: str = "MATCH_anyEPC") -> Q:
    """The EventIdentifier rows an identifier or pattern matches (EPCIS 8.2.7.1.1), on their canonical value:
    an identifier matches itself in any spelling (EPC URN or Digital Link on any host); a pattern matches the
    identifiers it covers: `urn:epc:idpat:sgtin:{prefix}.{item}.*` (or its Digital Link,
    `https://id.gs1.org/01/{gtin}`) every serial and lot of the GTIN, `urn:epc:idpat:sgtin:{prefix}.*.*` every one
    of the company prefix, `urn:epc:idpat:sscc:{prefix}.*` its SSCCs, `urn:epc:idpat:sgln:{prefix}.*.*` its GLNs."""
    canonical = epcis_identifiers.canonical_identifier(value)
    if gtin := _GTIN_LEVEL.fullmatch(canonical):
        return Q(value=canonical) | Q(value__startswith=f"https://id.gs1.org/01/{gtin.group(1)}/")
    pattern = _IDPAT.fullmatch(canonical)
    if pattern is None or pattern.group(1) not in _PATTERN_KEYS:
        return Q(value=canonical)
    scheme, rest = pattern.groups()
    key, fields = _PATTERN_KEYS[scheme]
    company, *others = rest.split(".")
    if (
        len(others) != fields - 1
        or any(part != "*" for part in others)
        or not re.fullmatch(r"\*|[0-9]{6,12}", company)
    ):
        raise query_problem(parameter, f"{value!r} is not an EPC pattern this repository reads.")
    if company == "*":
        return Q(value__startswith=f"https://id.gs1.org/{key}/")
    # GTIN-14 and SSCC lead with an indicator or extension digit, then the company prefix; a GLN starts with it.
    leads = [""] if scheme == "sgln" else [str(digit) for digit in range(10)]
    return Q(
        *(Q(value__startswith=f"https://id.gs1.org/{key}/{lead}{company}") for lead in leads), join_type="OR"
    )


def _gtin_of(value: str) -> str | None:
    """The GTIN-14 of a GTIN-level pattern (`https://id.gs1.org/01/{gtin}`, `urn:epc:idpat:sgtin:{p}.{i}.*`)."""
    found = _GTIN_LEVEL.fullmatch(epcis_identifiers.canonical_identifier(value))
    return found.group(1) if found else None


async def _class_condition(name: str, uris: Sequence[str], reach: Reach, base_url: str) -> Q:
    """MATCH_*EPCClass: quantity elements of our lots (a lot's Digital Link, or a GTIN pattern: all its lots),
    only lots the actor sees, and partners' classes (EventIdentifier)."""
    lot_roles, identifier_roles = _CLASS_ROLES[name]
    try:
        lots = await lots_of(uris, base_url)
    except digital_link.LinkSyntaxError as exc:
        raise query_problem(name, exc.message_en) from exc
    ids = {b.id for b in lots.values() if trace_policy.sees_batch(reach, b, b.product, b.product.producer)}
    if gtins := sorted({g for uri in uris if (g := _gtin_of(uri))}):
        batches = Batch.filter(product__gtin__in=gtins)
        visible = visible_batches(reach)
        if visible is not None:
            batches = batches.filter(visible)
        ids |= {int(cast(int, i)) for i in await batches.values_list("id", flat=True)}
    ours = EventQuantity.filter(batch_id__in=sorted(ids), role__in=list(lot_roles), listed=True)
    theirs = EventIdentifier.filter(
        Q(*(identifier_condition(uri, name) for uri in uris), join_type="OR"), role__in=list(identifier_roles)
    )
    return _in(ours) | _in(theirs)


# -- quantities, transactions, sources, destinations, extension and ILMD fields --------------------------------

_COMPARE = {"EQ": "", "GT": "__gt", "GE": "__gte", "LT": "__lt", "LE": "__lte"}


def _quantity_condition(quantities: Mapping[str, Decimal]) -> Q:
    """EQ_/GT_/GE_/LT_/LE_quantity: a quantity element (of one of our lots, or a partner's class) whose quantity
    meets all of them."""
    ours = {f"quantity{_COMPARE[name.split('_')[0]]}": value for name, value in quantities.items()}
    lots = EventQuantity.filter(listed=True, quantity__isnull=False, **ours)
    theirs = EventIdentifier.filter(
        quantity__isnull=False,
        role__in=[
            IdentifierRole.QUANTITY,
            IdentifierRole.CHILD_QUANTITY,
            IdentifierRole.INPUT_QUANTITY,
            IdentifierRole.OUTPUT_QUANTITY,
        ],
        **ours,
    )
    return _in(lots) | _in(theirs)


_TYPED_SCOPE = {
    "bizTransaction": FieldScope.BIZ_TRANSACTION,
    "source": FieldScope.SOURCE,
    "destination": FieldScope.DESTINATION,
}


def _typed_condition(family: str, word: str, values: Sequence[str]) -> Q:
    texts = sorted({v[:TEXT_INDEX_LENGTH] for v in values})
    return _in(EventField.filter(scope=_TYPED_SCOPE[family], name=word, text_value__in=texts))


def _field_condition(condition: FieldCondition) -> Q:
    """A condition on an extension or ILMD field: EQ_ any of the values (as text, or as a number when it is
    one), GT_/GE_/LT_/LE_ a number or a time, EXISTS_ any value."""
    rows = EventField.filter(
        scope=FieldScope(condition.scope), name=condition.name[:TEXT_INDEX_LENGTH], inner=condition.inner
    )
    if condition.comparison == "EXISTS":
        return _in(rows)
    suffix = _COMPARE[condition.comparison]
    if condition.comparison == "EQ":
        numbers = [float(n) for t in condition.texts if (n := _float(t)) is not None]
        match = Q(text_value__in=sorted({t[:TEXT_INDEX_LENGTH] for t in condition.texts}))
        if numbers:
            match |= Q(number_value__in=numbers)
        return _in(rows.filter(match))
    if condition.time is not None:
        if _sqlite():
            rows = rows.annotate(utc_time=_utc_text("trace_event_field", "time_value"))
            return _in(rows.filter(**{f"utc_time{suffix}": _time_key(condition.time)}))
        return _in(rows.filter(**{f"time_value{suffix}": condition.time}))
    return _in(rows.filter(**{f"number_value{suffix}": condition.number}))


def _float(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# -- the query ---------------------------------------------------------------------------------------------------


async def matching(query: EventQuery, reach: Reach, base_url: str) -> QuerySet[TraceEvent]:
    """The events a checked query matches that the actor may see, unordered. Raises Problem."""
    events = TraceEvent.all()
    visible = visible_batches(reach)
    if visible is not None:
        seen = Batch.filter(visible).values("id")
        events = events.filter(_in(EventQuantity.filter(batch_id__in=Subquery(seen))))
    if types := query.values("eventType"):  # an extension event type's name matches none of ours
        events = events.filter(event_type__in=[t for t in types if t in set(EventType)])
    if actions := query.values("EQ_action"):
        events = events.filter(action__in=list(actions))
    if steps := query.values("EQ_bizStep"):
        events = events.filter(biz_step__in=list(steps))
    if dispositions := query.values("EQ_disposition"):
        events = events.filter(disposition__in=list(dispositions))
    if ids := query.values("EQ_eventID"):
        events = events.filter(event_hash__in=list(ids))
    for column, place in (("read_point_id", "readPoint"), ("biz_location_id", "bizLocation")):
        for prefix, descendants in (("EQ_", False), ("WD_", True)):
            if uris := query.values(prefix + place):
                found = await _places(uris, base_url, descendants=descendants)
                events = events.filter(**{f"{column}__in": found})
    for name, roles in _INSTANCE_ROLES.items():
        if uris := query.values(name):
            condition = Q(*(identifier_condition(uri, name) for uri in uris), join_type="OR")
            events = events.filter(_in(EventIdentifier.filter(condition, role__in=list(roles))))
    for name in _CLASS_ROLES:
        if uris := query.values(name):
            events = events.filter(await _class_condition(name, uris, reach, base_url))
    if query.quantities:
        events = events.filter(_quantity_condition(query.quantities))
    for (family, word), values in query.typed.items():
        events = events.filter(_typed_condition(family, word, values))
    for field_condition in query.fields:
        events = events.filter(_field_condition(field_condition))
    if query.error_declaration:
        events = events.filter(Q(corrects_id__isnull=False) | Q(declaration__isnull=False))
    for column, since, until in (
        ("event_time", "GE_eventTime", "LT_eventTime"),
        ("record_time", "GE_recordTime", "LT_recordTime"),
    ):
        if since in query.times or until in query.times:
            events, key = _keyed(events, column)
            if since in query.times:
                events = events.filter(**{f"{key}__gte": _time_key(query.times[since])})
            if until in query.times:
                events = events.filter(**{f"{key}__lt": _time_key(query.times[until])})
    return events


@dataclass(frozen=True, slots=True)
class _Position:
    moment: dt.datetime
    event_id: int
    given: int  # events given in the pages before


def _encode_token(position: _Position) -> str:
    text = f"{position.moment.astimezone(dt.UTC).isoformat()}|{position.event_id}|{position.given}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_token(token: str) -> _Position:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        moment, ident, given = text.split("|")
        return _Position(dt.datetime.fromisoformat(moment).astimezone(dt.UTC), int(ident), int(given))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise query_problem("nextPageToken", "nextPageToken is not a token this server issued.") from exc


async def query_events(
    params: Sequence[tuple[str, str]],
    reach: Reach,
    base_url: str,
    *,
    prefixes: Mapping[str, str] | None = None,
    query_name: str = "SimpleEventQuery",
    any_identifier: str | None = None,
) -> Page:
    """One page of a SimpleEventQuery. An event is shown when the actor sees one of the lots it names; the
    lots it names that the actor does not see are redacted (`trace.event_jsons`): a transformation that
    used an unpublished lot is shown, as on the trace page, without that lot's identity. MATCH_*EPCClass match
    only lots the actor sees, so an unpublished lot's identifier finds nothing. `maxEventCount` is checked when
    the query is first asked (without a nextPageToken): more events raise QueryTooLargeException.
    `any_identifier` (`/epcs/{epc}/events`): only events naming it as an instance (MATCH_anyEPC) or as a class
    (MATCH_anyEPCClass). Raises Problem."""
    query = epcis_query_params.parse(params, prefixes)
    events = await matching(query, reach, base_url)
    if any_identifier is not None:
        if not epcis.is_absolute_uri(any_identifier):
            raise query_problem("epc", f"{any_identifier!r} is not an absolute URI.")
        named = EventIdentifier.filter(
            identifier_condition(any_identifier, "epc"), role__in=list(_INSTANCE_ROLES["MATCH_anyEPC"])
        )
        events = events.filter(
            _in(named) | await _class_condition("MATCH_anyEPCClass", [any_identifier], reach, base_url)
        )
    if query.max_event_count is not None and query.next_page_token is None:
        count = await events.count()
        if count > query.max_event_count:
            raise query_too_large(
                f"The query matches {count} events, more than maxEventCount={query.max_event_count}.",
                eventCount=count,
            )
    column = "record_time" if query.order_by == "recordTime" else "event_time"
    events, key = _keyed(events, column)
    position = _decode_token(query.next_page_token) if query.next_page_token else None
    given = position.given if position else 0
    if position is not None:
        beyond = before = "__lt" if query.descending else "__gt"
        moment = _time_key(position.moment)
        after: dict[str, Any] = {f"{key}{beyond}": moment}
        same: dict[str, Any] = {key: moment, f"id{before}": position.event_id}
        events = events.filter(Q(**after) | Q(**same))
    size = query.per_page
    if query.event_count_limit is not None:
        size = min(size, query.event_count_limit - given)
    order = (f"-{key}", "-id") if query.descending else (key, "id")
    rows = list(await events.order_by(*order).limit(size + 1)) if size > 0 else []
    more = len(rows) > size and (query.event_count_limit is None or given + size < query.event_count_limit)
    rows = rows[:size]
    jsons = await trace.event_jsons(rows, base_url, reach)
    # In a worker thread: it copies every event, and a legacy event may hold thousands of sensor reports.
    document = await asyncio.to_thread(
        functools.partial(epcis.query_document, jsons, query_name, creation_date=clock.now())
    )
    token = None
    if more and rows:
        last = rows[-1]
        moment = last.record_time if column == "record_time" else last.event_time
        token = _encode_token(_Position(moment, last.id, given + len(rows)))
    return Page(document, token, len(rows))


async def event_document(event_id: str, reach: Reach, base_url: str) -> JSONObject:
    """`GET /events/{eventID}`: an EPCISQueryDocument with the event and its error declarations (they carry the
    same eventID), as the actor may see them. NoSuchResourceException when it sees none."""
    if not epcis.is_absolute_uri(event_id):
        raise no_such_event()
    page = await query_events(
        [("EQ_eventID", event_id), ("perPage", str(epcis_query_params.MAX_PER_PAGE))], reach, base_url
    )
    if page.event_count == 0:
        raise no_such_event()
    return page.document
