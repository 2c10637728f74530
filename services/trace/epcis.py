"""EPCIS 2.0 / CBV 2.0 in JSON-LD: events built from plain data, EPCIS documents and query documents, and the
CBV vocabularies they use. The CBV 2.0 event hash is services.trace.epcis_hash; validation against GS1's JSON
Schema is services.trace.epcis_validation.

Nothing here touches the database or the network."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urlsplit

from models.trace import EventAction, EventType, QuantityRole

type JSONObject = dict[str, Any]
type VocabularyKind = Literal["bizStep", "disposition"]

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
SCHEMA_VERSION = "2.0"


# Our own EPCIS user extension (EPCIS 2.0 section 9.3): documents attached to an event, as `ocop:documents`.
# The prefix is declared in the `@context` of every document that carries it; part of hashed events: never
# change it.
EXTENSION_PREFIX = "ocop"
EXTENSION_NAMESPACE = "urn:ocop-hub:epcis:"

# The epcClass shown in place of a lot the reader may not see (an unpublished lot named by an event it may
# see): the quantity stays, the identity does not. See services.trace.events.event_jsons.
REDACTED_LOT = EXTENSION_NAMESPACE + "redactedLot"
QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


# Attached documents whose URL is also written as the event's certificationInfo (pointers to certification
# or test details, which any EPCIS 2.0 reader understands).
CERTIFICATION_DOCUMENT_TYPES = ("certificate", "testResult")

# CBV 2.0 business steps (CBV 2.0 section 7.1, the BizStep vocabulary), as bare words.
CBV_BIZ_STEPS = frozenset(
    {
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    }
)
# CBV 2.0 dispositions (CBV 2.0 section 7.2, the Disp vocabulary), as bare words.
CBV_DISPOSITIONS = frozenset(
    {
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_class",
        "mismatch_instance",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    }
)
# CBV 2.0 business transaction types (BTT), source/destination types (SDT) and error reasons (ER).
CBV_BIZ_TRANSACTION_TYPES = frozenset(
    {
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    }
)
CBV_SOURCE_DESTINATION_TYPES = frozenset({"owning_party", "possessing_party", "location"})
CBV_ERROR_REASONS = frozenset({"did_not_occur", "incorrect_data"})

_VOCABULARY: dict[str, tuple[frozenset[str], str, str]] = {
    # kind: (words, term prefix of the CBV web URI, legacy URN prefix)
    "bizStep": (CBV_BIZ_STEPS, "BizStep-", "urn:epcglobal:cbv:bizstep:"),
    "disposition": (CBV_DISPOSITIONS, "Disp-", "urn:epcglobal:cbv:disp:"),
}
_CBV_WEB_BASES = ("https://ref.gs1.org/cbv/", "http://ref.gs1.org/cbv/", "cbv:")
# Namespaces reserved for CBV terms (the JSON Schema refuses the legacy ones as "other" URIs).
_CBV_RESERVED = (*_CBV_WEB_BASES, "urn:epcglobal:cbv:", "https://ns.gs1.org/cbv/", "http://ns.gs1.org/cbv/")

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
_OFFSET = re.compile(r"^([+-])((?:0\d|1[0-3]):[0-5]\d|14:00)$")


def is_absolute_uri(value: str) -> bool:
    """An absolute URI (RFC 3986: a scheme, then no spaces or characters that must be escaped, ASCII only),
    with a host for http(s). What the vendored JSON Schema's `"format": "uri"` means here."""
    if not (value.isascii() and _URI.match(value)) or _BAD_PERCENT.search(value):
        return False
    scheme = value.split(":", 1)[0].lower()
    if scheme in ("http", "https"):
        parts = urlsplit(value)
        return bool(parts.netloc) and parts.netloc == parts.netloc.strip("@:")
    if scheme == "urn":
        return bool(re.match(r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:.+$", value, re.IGNORECASE))
    return True


def is_date_time(value: str) -> bool:
    """An RFC 3339 date-time, with its offset (`Z` or `±hh:mm`)."""
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True


def normalize_vocabulary(value: str, kind: VocabularyKind) -> str | None:
    """A bizStep or disposition as EPCIS JSON-LD writes it: a CBV 2.0 term as its bare word ("shipping"), given
    as the bare word, its CBV web URI (`https://ref.gs1.org/cbv/BizStep-shipping`) or legacy URN
    (`urn:epcglobal:cbv:bizstep:shipping`); any other absolute URI (a private vocabulary) is kept. None for
    anything else: an unknown bare word, a CBV URI that names no CBV term of this kind, text that is no URI."""
    words, term_prefix, urn_prefix = _VOCABULARY[kind]
    text = value.strip()
    if text in words:
        return text
    for prefix in (*(base + term_prefix for base in _CBV_WEB_BASES), urn_prefix):
        if text.startswith(prefix):
            word = text[len(prefix) :]
            return word if word in words else None
    if text.lower().startswith(_CBV_RESERVED):
        return None
    return text if is_absolute_uri(text) else None


def _error_reason(value: str) -> str:
    text = value.strip()
    for prefix in ("https://ref.gs1.org/cbv/ER-", "urn:epcglobal:cbv:er:"):
        if text.startswith(prefix) and text[len(prefix) :] in CBV_ERROR_REASONS:
            return text[len(prefix) :]
    if text in CBV_ERROR_REASONS or is_absolute_uri(text):
        return text
    raise ValueError(f"error reason {value!r} is neither a CBV error reason nor an absolute URI")


# --- events ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuantityElement:
    """A quantity of a lot in an event: `epc_class` is the lot's Digital Link (services.trace.identity.batch_link),
    `uom` a UN/ECE Rec 20 code (KGM, LTR, H87). Without a quantity the uom is dropped (EPCIS: uom only with a
    quantity); without both the element says "some of this lot"."""

    role: QuantityRole
    epc_class: str
    quantity: Decimal | None = None
    uom: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorDeclaration:
    """EPCIS errorDeclaration: the event it is attached to did not happen as recorded. `reason` is a CBV error
    reason ("did_not_occur", "incorrect_data") or a URI; `corrective_event_ids` name the events that correct it."""

    declaration_time: datetime
    reason: str | None = None
    corrective_event_ids: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class EventData:
    """One event as plain data. Locations and parties are URIs (a GLN Digital Link or our own location URI);
    sources, destinations, business transactions and sensor elements are already in EPCIS JSON-LD shape, e.g.
    `{"type": "owning_party", "source": uri}`, `{"type": "po", "bizTransaction": uri}`,
    `{"sensorMetadata": {...}, "sensorReport": [{"type": "Temperature", "value": 4.5, "uom": "CEL"}]}`.
    `ilmd` (lot master data, keys are CURIEs or URIs such as "cbvmda:lotNumber") only on an ObjectEvent ADD or
    a TransformationEvent. `event_id` and `record_time` are written when known; the hash ignores both."""

    type: EventType
    event_time: datetime
    time_zone_offset: str
    action: EventAction | None = None
    biz_step: str | None = None
    disposition: str | None = None
    read_point_id: str | None = None
    biz_location_id: str | None = None
    quantities: Sequence[QuantityElement] = ()
    parent_id: str | None = None  # AggregationEvent / AssociationEvent parent (e.g. an SSCC Digital Link)
    sources: Sequence[Mapping[str, str]] = ()
    destinations: Sequence[Mapping[str, str]] = ()
    biz_transactions: Sequence[Mapping[str, str]] = ()
    sensor_elements: Sequence[Mapping[str, Any]] = ()
    certification_info: str | Sequence[str] | None = None
    documents: Sequence[Mapping[str, str]] = ()  # {"type", "url", "title"?}: see `event_json`
    error_declaration: ErrorDeclaration | None = None
    ilmd: Mapping[str, Any] | None = None
    event_id: str | None = None
    record_time: datetime | None = None
    # What a captured event carries besides, written back as received: instance identifiers, persistent
    # disposition, user extension fields (top level; and of readPoint/bizLocation: {"readPoint": {...}}), the
    # JSON-LD prefixes they use (written as the event's own `@context`), a partner's errorDeclaration.
    epc_list: Sequence[str] = ()
    child_epcs: Sequence[str] = ()
    input_epcs: Sequence[str] = ()
    output_epcs: Sequence[str] = ()
    persistent_disposition: Mapping[str, Any] | None = None
    extensions: Mapping[str, Any] | None = None
    place_extensions: Mapping[str, Any] | None = None
    namespaces: Mapping[str, str] | None = None
    declaration: Mapping[str, Any] | None = None


def _timezone(offset: str) -> timezone:
    match = _OFFSET.match(offset)
    if not match:
        raise ValueError(f"time zone offset {offset!r} is not ±hh:mm between -14:00 and +14:00")
    hours, minutes = (int(part) for part in match.group(2).split(":"))
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if match.group(1) == "-" else delta)


def timestamp(moment: datetime, offset: str | None = None) -> str:
    """An aware datetime as EPCIS writes times: ISO 8601 to the millisecond (truncated, as the event hash
    wants), in `offset` when given (eventTime), else in UTC with `Z` (recordTime, creationDate...)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone: EPCIS times must be aware")
    if offset is not None:
        return moment.astimezone(_timezone(offset)).isoformat(timespec="milliseconds")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def _number(value: Decimal) -> int | float:
    if not value.is_finite():
        raise ValueError(f"quantity {value} is not a finite number")
    return int(value) if value == value.to_integral_value() else float(value)


def _quantity_element(item: QuantityElement) -> JSONObject:
    element: JSONObject = {"epcClass": item.epc_class}
    if item.quantity is not None:
        element["quantity"] = _number(item.quantity)
        if item.uom:
            element["uom"] = item.uom
    return element


def typed_entries(entries: Sequence[Mapping[str, Any]], key: str) -> list[JSONObject]:
    """Source/destination/bizTransaction entries with the identifier first and its type after it: the CBV 2.0
    hash puts the type after the value, and epcis-event-hash-generator 1.9.3 follows the JSON key order of these
    entries (a jsonb round trip puts `type` first)."""
    ordered: list[JSONObject] = []
    for entry in entries:
        item: JSONObject = {name: entry[name] for name in (key, "type") if name in entry}
        item.update(
            {name: copy.deepcopy(value) for name, value in entry.items() if name not in (key, "type")}
        )
        ordered.append(item)
    return ordered


def _vocabulary(value: str, kind: VocabularyKind) -> str:
    word = normalize_vocabulary(value, kind)
    if word is None:
        raise ValueError(f"{kind} {value!r} is neither a CBV 2.0 term nor an absolute URI")
    return word


def _document_entry(item: Mapping[str, str]) -> JSONObject:
    entry: JSONObject = {
        f"{EXTENSION_PREFIX}:documentType": item["type"],
        f"{EXTENSION_PREFIX}:url": item["url"],
    }
    if item.get("title"):
        entry[f"{EXTENSION_PREFIX}:title"] = item["title"]
    return entry


def event_json(data: EventData) -> JSONObject:
    """The EPCIS 2.0 JSON-LD event (without `@context`: the document carries it). Empty lists and absent values
    are omitted. Attached documents are written as our extension `ocop:documents` (`[{"ocop:documentType",
    "ocop:url", "ocop:title"?}]`), and those of a CERTIFICATION_DOCUMENT_TYPES type also as certificationInfo
    (a URI, or a list of URIs when there are several). Raises ValueError on data no EPCIS event can hold (an action on a TransformationEvent or none on
    another type, a quantity role that does not fit the type, ILMD outside ADD/Transformation, a naive time)."""
    is_transformation = data.type is EventType.TRANSFORMATION
    if is_transformation and data.action is not None:
        raise ValueError("a TransformationEvent has no action")
    if not is_transformation and data.action is None:
        raise ValueError(f"{data.type} needs an action (ADD, OBSERVE or DELETE)")
    if data.ilmd and not (
        is_transformation or (data.type is EventType.OBJECT and data.action is EventAction.ADD)
    ):
        raise ValueError("ILMD belongs to an ObjectEvent with action ADD or to a TransformationEvent")
    allowed = {QuantityRole.INPUT, QuantityRole.OUTPUT} if is_transformation else {QuantityRole.SUBJECT}
    for item in data.quantities:
        if item.role not in allowed:
            raise ValueError(f"an {item.role} quantity does not fit {data.type}")

    event: JSONObject = {"type": str(data.type)}
    if data.namespaces:
        event["@context"] = dict(data.namespaces)
    if data.event_id:
        event["eventID"] = data.event_id
    event["eventTime"] = timestamp(data.event_time, data.time_zone_offset)
    if data.record_time is not None:
        event["recordTime"] = timestamp(data.record_time)
    event["eventTimeZoneOffset"] = data.time_zone_offset
    if data.parent_id:
        event["parentID"] = data.parent_id
    if is_transformation:
        lists = {"inputQuantityList": QuantityRole.INPUT, "outputQuantityList": QuantityRole.OUTPUT}
    elif data.type in (EventType.AGGREGATION, EventType.ASSOCIATION):
        lists = {"childQuantityList": QuantityRole.SUBJECT}
    else:
        lists = {"quantityList": QuantityRole.SUBJECT}
    for name, role in lists.items():
        elements = [_quantity_element(item) for item in data.quantities if item.role is role]
        if elements:
            event[name] = elements
    for name, epcs in (
        ("epcList", data.epc_list),
        ("childEPCs", data.child_epcs),
        ("inputEPCList", data.input_epcs),
        ("outputEPCList", data.output_epcs),
    ):
        if epcs:
            event[name] = list(epcs)
    if data.action is not None:
        event["action"] = str(data.action)
    if data.biz_step:
        event["bizStep"] = _vocabulary(data.biz_step, "bizStep")
    if data.disposition:
        event["disposition"] = _vocabulary(data.disposition, "disposition")
    places = data.place_extensions or {}
    if data.read_point_id:
        event["readPoint"] = {"id": data.read_point_id, **copy.deepcopy(dict(places.get("readPoint") or {}))}
    if data.biz_location_id:
        event["bizLocation"] = {
            "id": data.biz_location_id,
            **copy.deepcopy(dict(places.get("bizLocation") or {})),
        }
    if data.persistent_disposition:
        event["persistentDisposition"] = copy.deepcopy(dict(data.persistent_disposition))
    for name, key, entries in (
        ("bizTransactionList", "bizTransaction", data.biz_transactions),
        ("sourceList", "source", data.sources),
        ("destinationList", "destination", data.destinations),
    ):
        if entries:
            event[name] = typed_entries(entries, key)
    if data.sensor_elements:
        event["sensorElementList"] = [copy.deepcopy(dict(element)) for element in data.sensor_elements]
    if data.ilmd:
        event["ilmd"] = copy.deepcopy(dict(data.ilmd))
    given = data.certification_info
    certification = [given] if isinstance(given, str) else list(given or [])
    for attached in data.documents:
        if attached["type"] in CERTIFICATION_DOCUMENT_TYPES and attached["url"] not in certification:
            certification.append(attached["url"])
    if certification:
        event["certificationInfo"] = certification[0] if len(certification) == 1 else certification
    if data.documents:
        event[f"{EXTENSION_PREFIX}:documents"] = [_document_entry(attached) for attached in data.documents]
    if data.declaration is not None:
        event["errorDeclaration"] = copy.deepcopy(dict(data.declaration))
    elif data.error_declaration is not None:
        declaration = data.error_declaration
        error: JSONObject = {"declarationTime": timestamp(declaration.declaration_time)}
        if declaration.reason:
            error["reason"] = _error_reason(declaration.reason)
        if declaration.corrective_event_ids:
            error["correctiveEventIDs"] = list(declaration.corrective_event_ids)
        event["errorDeclaration"] = error
    for name, value in (data.extensions or {}).items():
        if name not in event:
            event[name] = copy.deepcopy(value)
    return event


def redact_lots(event: Mapping[str, Any], withheld: set[str]) -> JSONObject:
    """A copy of `event` whose quantity elements naming a lot of `withheld` (epcClass URIs) name
    REDACTED_LOT instead; their quantity and unit are kept."""
    out = dict(event)
    for name in QUANTITY_LISTS:
        if name in out:
            out[name] = [
                {**element, "epcClass": REDACTED_LOT} if element.get("epcClass") in withheld else element
                for element in out[name]
            ]
    return out


def redact_identifiers(event: Mapping[str, Any], withheld: set[str]) -> JSONObject:
    """A copy of `event` whose instance identifiers of `withheld` (serials of lots the reader may not see, as
    written in the event) read REDACTED_LOT instead."""
    out = dict(event)
    for name in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        if name in out:
            out[name] = [REDACTED_LOT if epc in withheld else epc for epc in out[name]]
    if out.get("parentID") in withheld:
        out["parentID"] = REDACTED_LOT
    return out


# --- documents ------------------------------------------------------------------------------------------------


def _context(events: Sequence[Mapping[str, Any]]) -> str | list[Any]:
    """The EPCIS context, with our extension's prefix when an event uses it."""
    marker = f"{EXTENSION_PREFIX}:"
    if any(str(key).startswith(marker) for event in events for key in event):
        return [EPCIS_CONTEXT, {EXTENSION_PREFIX: EXTENSION_NAMESPACE}]
    return EPCIS_CONTEXT


def document(
    events: Sequence[Mapping[str, Any]], creation_date: datetime, *, document_id: str | None = None
) -> JSONObject:
    """An EPCISDocument (capture or export) holding `events` (from event_json)."""
    doc: JSONObject = {"@context": _context(events), "type": "EPCISDocument"}
    if document_id:
        doc["id"] = document_id
    doc |= {
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": timestamp(creation_date),
        "epcisBody": {"eventList": [copy.deepcopy(dict(event)) for event in events]},
    }
    return doc


def query_document(
    events: Sequence[Mapping[str, Any]],
    query_name: str = "SimpleEventQuery",
    *,
    creation_date: datetime | None = None,
    subscription_id: str | None = None,
) -> JSONObject:
    """An EPCISQueryDocument: the answer of an EPCIS query (REST `GET /events`, a named query, a subscription):
    `epcisBody.queryResults{queryName, subscriptionID?, resultsBody{eventList}}`."""
    results: JSONObject = {"queryName": query_name}
    if subscription_id:
        results["subscriptionID"] = subscription_id
    results["resultsBody"] = {"eventList": [copy.deepcopy(dict(event)) for event in events]}
    doc: JSONObject = {
        "@context": _context(events),
        "type": "EPCISQueryDocument",
        "schemaVersion": SCHEMA_VERSION,
    }
    if creation_date is not None:
        doc["creationDate"] = timestamp(creation_date)
    doc["epcisBody"] = {"queryResults": results}
    return doc
