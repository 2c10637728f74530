"""The parameters of an EPCIS 2.0 SimpleEventQuery (GS1 EPCIS 2.0 section 8.2.7.1, the REST OpenAPI's query
parameters), read and checked without touching the database: `parse()` turns the (name, value) pairs of a query
string, or of a named query's definition (`pairs_of`), into an `EventQuery`, or raises the Problem the standard
names (QueryParameterException for a parameter it does not know or a value it cannot read, QueryTooComplexException
for a query of too many values). services.trace.epcis_query turns an EventQuery into SQL.

Values are pipe-delimited (`EQ_bizStep=shipping|receiving`) or repeated. Names of extension and ILMD fields
(`EQ_example:myField`, `GT_ILMD_https://ns.example.com/epcis/temperature`) are full IRIs or CURIEs whose prefix
the caller declared in the GS1-Extensions header (`example=https://ns.example.com/epcis/`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from models import EventAction
from services.trace import epcis, epcis_identifiers
from services.trace.epcis_problems import Problem, query_problem, query_too_complex

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
MAX_VALUES = 200  # values of all parameters together: more is a QueryTooComplexException
MAX_FIELD_CONDITIONS = 20  # conditions on extension and ILMD fields, idem

type Pairs = Sequence[tuple[str, str]]
type Comparison = Literal["EQ", "GT", "GE", "LT", "LE", "EXISTS"]

# Parameters whose name is fixed (the others have a field name or a type in them).
LIST_PARAMETERS = (
    "eventType",
    "EQ_action",
    "EQ_bizStep",
    "EQ_disposition",
    "EQ_readPoint",
    "WD_readPoint",
    "EQ_bizLocation",
    "WD_bizLocation",
    "EQ_eventID",
    "MATCH_epc",
    "MATCH_parentID",
    "MATCH_inputEPC",
    "MATCH_outputEPC",
    "MATCH_anyEPC",
    "MATCH_epcClass",
    "MATCH_inputEPCClass",
    "MATCH_outputEPCClass",
    "MATCH_anyEPCClass",
)
TIME_PARAMETERS = ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime")
QUANTITY_PARAMETERS = ("EQ_quantity", "GT_quantity", "GE_quantity", "LT_quantity", "LE_quantity")
CONTROL_PARAMETERS = ("orderBy", "orderDirection", "eventCountLimit", "maxEventCount")
PAGE_PARAMETERS = ("perPage", "nextPageToken")
FLAG_PARAMETERS = ("EXISTS_errorDeclaration",)
FIXED_PARAMETERS = (
    LIST_PARAMETERS
    + TIME_PARAMETERS
    + QUANTITY_PARAMETERS
    + FLAG_PARAMETERS
    + CONTROL_PARAMETERS
    + PAGE_PARAMETERS
)
# Families: EQ_bizTransaction_{type}, EQ_source_{type}, EQ_destination_{type}; {EQ,GT,GE,LT,LE,EXISTS}_[INNER_][ILMD_]
# {field}.
TYPED_FAMILIES = {
    "EQ_bizTransaction_": "bizTransaction",
    "EQ_source_": "source",
    "EQ_destination_": "destination",
}
ORDER_KEYS = ("eventTime", "recordTime")
_FIELD = re.compile(r"(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(ILMD_)?(.+)", re.DOTALL)
_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


@dataclass(frozen=True, slots=True)
class FieldCondition:
    """A condition on an extension field (scope `extension`) or an ILMD field (`ilmd`): `name` is its IRI."""

    parameter: str
    scope: Literal["extension", "ilmd"]
    inner: bool
    name: str
    comparison: Comparison
    texts: tuple[str, ...] = ()  # EQ: the values, any of which matches
    number: float | None = None  # GT/GE/LT/LE of a number
    time: dt.datetime | None = None  # GT/GE/LT/LE of a time


@dataclass(frozen=True, slots=True)
class EventQuery:
    """A checked SimpleEventQuery. Lists are the values any of which matches (empty: no condition)."""

    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # LIST_PARAMETERS by name
    times: Mapping[str, dt.datetime] = field(default_factory=dict)  # TIME_PARAMETERS by name, in UTC
    quantities: Mapping[str, Decimal] = field(default_factory=dict)  # QUANTITY_PARAMETERS by name
    typed: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (family, type) -> values
    fields: tuple[FieldCondition, ...] = ()
    error_declaration: bool = False
    order_by: str | None = None  # eventTime or recordTime; None: event time, ascending
    descending: bool = False
    event_count_limit: int | None = None
    max_event_count: int | None = None
    per_page: int = DEFAULT_PER_PAGE
    next_page_token: str | None = None

    def values(self, name: str) -> tuple[str, ...]:
        return self.lists.get(name, ())


def _values(params: Pairs, name: str) -> list[str]:
    values = [v.strip() for key, raw in params if key == name for v in raw.split("|")]
    if any(not v for v in values):
        raise query_problem(name, f"{name} has an empty value.")
    return values


def _single(params: Pairs, name: str) -> str | None:
    values = [raw.strip() for key, raw in params if key == name]
    if len(values) > 1:
        raise query_problem(name, f"{name} takes one value.")
    if values and not values[0]:
        raise query_problem(name, f"{name} has an empty value.")
    return values[0] if values else None


def _time(name: str, value: str) -> dt.datetime:
    value = value.replace(" ", "+")  # an unencoded "+" in a query string reads as a space
    if not epcis.is_date_time(value):
        raise query_problem(
            name, f"{name} must be an ISO 8601 date-time with an offset, e.g. 2024-05-20T08:30:00+07:00."
        )
    return dt.datetime.fromisoformat(value.upper()).astimezone(dt.UTC)


def _count(params: Pairs, name: str, *, at_least: int = 1) -> int | None:
    value = _single(params, name)
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < at_least:
        raise query_problem(name, f"{name} must be an integer of at least {at_least}.")
    return int(value)


def _number(name: str, value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise query_problem(name, f"{name} must be a number, not {value!r}.") from exc
    if not number.is_finite():
        raise query_problem(name, f"{name} must be a finite number.")
    return number


def _flag(params: Pairs, name: str) -> bool:
    """EXISTS_…: present without a value or with `true` means yes; `false` means no condition."""
    values = [raw.strip().lower() for key, raw in params if key == name]
    if not values:
        return False
    if len(values) > 1 or values[0] not in ("", "true", "false"):
        raise query_problem(name, f"{name} takes no value, or true or false.")
    return values[0] != "false"


def _vocabulary(params: Pairs, name: str, kind: epcis.VocabularyKind) -> tuple[str, ...]:
    words = []
    for value in _values(params, name):
        word = epcis.normalize_vocabulary(value, kind)
        if word is None:
            raise query_problem(name, f"{value!r} is neither a CBV 2.0 {kind} nor an absolute URI.")
        words.append(word)
    return tuple(words)


def _uris(params: Pairs, name: str) -> tuple[str, ...]:
    values = _values(params, name)
    for value in values:
        if not epcis.is_absolute_uri(value):
            raise query_problem(name, f"{value!r} is not an absolute URI.")
    return tuple(values)


def expand(name: str, parameter: str, prefixes: Mapping[str, str]) -> str:
    """The IRI of a field name, as capture indexes it (services.trace.epcis_identifiers.expand_name): a CURIE
    whose prefix the caller declared (GS1-Extensions), our `ocop:` or one of the EPCIS context's, else the name
    itself when it is an absolute IRI (`https://...`, `urn:...`)."""
    iri = epcis_identifiers.expand_name(name, {epcis.EXTENSION_PREFIX: epcis.EXTENSION_NAMESPACE, **prefixes})
    if iri != name or (epcis.is_absolute_uri(name) and ("://" in name or name.lower().startswith("urn:"))):
        return iri
    raise query_problem(
        parameter,
        f"{name!r} is neither an absolute IRI nor a CURIE whose prefix is declared in the GS1-Extensions "
        "header (e.g. GS1-Extensions: example=https://ns.example.com/epcis/).",
    )


def parse_extensions_header(value: str | None) -> dict[str, str]:
    """The prefixes of a GS1-Extensions header: `example=https://ns.example.com/epcis/, other=urn:x:`."""
    prefixes: dict[str, str] = {}
    for part in (value or "").split(","):
        if not part.strip():
            continue
        prefix, equals, iri = (s.strip() for s in part.partition("="))
        if not equals or not _PREFIX.fullmatch(prefix) or not epcis.is_absolute_uri(iri):
            raise query_problem(
                "GS1-Extensions",
                f"{part.strip()!r} is not prefix=IRI (e.g. example=https://ns.example.com/).",
            )
        prefixes[prefix] = iri
    return prefixes


def _field_condition(params: Pairs, parameter: str, prefixes: Mapping[str, str]) -> FieldCondition:
    match = _FIELD.fullmatch(parameter)
    assert match is not None
    comparison, inner, ilmd, raw_name = match.groups()
    cmp: Comparison = comparison  # type: ignore[assignment]
    scope: Literal["extension", "ilmd"] = "ilmd" if ilmd else "extension"
    name = expand(raw_name, parameter, prefixes)
    base = FieldCondition(parameter, scope, bool(inner), name, cmp)
    if cmp == "EXISTS":
        if not _flag(params, parameter):
            raise query_problem(parameter, f"{parameter}=false asks nothing: leave it out.")
        return base
    if cmp == "EQ":
        return FieldCondition(
            parameter, scope, bool(inner), name, cmp, texts=tuple(_values(params, parameter))
        )
    value = _single(params, parameter)
    assert value is not None
    if epcis.is_date_time(value.replace(" ", "+")):
        return FieldCondition(parameter, scope, bool(inner), name, cmp, time=_time(parameter, value))
    return FieldCondition(parameter, scope, bool(inner), name, cmp, number=float(_number(parameter, value)))


_CBV_TYPE = {
    "EQ_bizTransaction_": ("https://ref.gs1.org/cbv/BTT-", "urn:epcglobal:cbv:btt:"),
    "EQ_source_": ("https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:"),
    "EQ_destination_": ("https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:"),
}


def _type_word(parameter: str, word: str, family: str) -> str:
    """A business transaction, source or destination type as events store it: a CBV type as its bare word
    (`po`, `owning_party`, given bare, as its CBV web URI or URN), any other type as its absolute URI."""
    for prefix in _CBV_TYPE[family]:
        if word.startswith(prefix) and re.fullmatch(r"[a-z_]+", word[len(prefix) :]):
            return word[len(prefix) :]
    if re.fullmatch(r"[a-z_]+", word) or epcis.is_absolute_uri(word):
        return word
    raise query_problem(parameter, f"{word!r} is neither a CBV 2.0 type nor an absolute URI.")


def _order(params: Pairs) -> tuple[str | None, bool]:
    order_by = _single(params, "orderBy")
    direction = _single(params, "orderDirection")
    if order_by is not None and order_by not in ORDER_KEYS:
        raise query_problem(
            "orderBy", f"orderBy {order_by!r} is not supported here; supported: {', '.join(ORDER_KEYS)}."
        )
    if direction is not None and direction not in ("ASC", "DESC"):
        raise query_problem("orderDirection", "orderDirection must be ASC or DESC.")
    if direction is not None and order_by is None:
        raise query_problem("orderDirection", "orderDirection needs orderBy.")
    return order_by, order_by is not None and direction != "ASC"  # the standard's default is DESC


def _known(name: str) -> bool:
    return (
        name in FIXED_PARAMETERS
        or any(name.startswith(family) and len(name) > len(family) for family in TYPED_FAMILIES)
        or _FIELD.fullmatch(name) is not None
    )


def parse(params: Pairs, prefixes: Mapping[str, str] | None = None) -> EventQuery:
    """An EventQuery of (name, value) pairs; raises Problem."""
    prefixes = prefixes or {}
    for name, _ in params:
        if not _known(name):
            raise query_problem(name, f"{name} is not a SimpleEventQuery parameter this repository knows.")
    if sum(len(raw.split("|")) for _, raw in params) > MAX_VALUES:
        raise query_too_complex(f"At most {MAX_VALUES} parameter values per query.")
    lists: dict[str, tuple[str, ...]] = {}
    for name in LIST_PARAMETERS:
        if name == "EQ_bizStep":
            values = _vocabulary(params, name, "bizStep")
        elif name == "EQ_disposition":
            values = _vocabulary(params, name, "disposition")
        elif name in ("eventType", "EQ_action"):
            values = tuple(_values(params, name))
        else:
            values = _uris(params, name)
        if values:
            lists[name] = values
    for action in lists.get("EQ_action", ()):
        if action not in set(EventAction):
            raise query_problem("EQ_action", f"EQ_action takes ADD, OBSERVE or DELETE, not {action!r}.")
    times = {name: _time(name, value) for name in TIME_PARAMETERS if (value := _single(params, name))}
    quantities = {
        name: _number(name, value) for name in QUANTITY_PARAMETERS if (value := _single(params, name))
    }
    typed: dict[tuple[str, str], tuple[str, ...]] = {}
    conditions: list[FieldCondition] = []
    for name in dict.fromkeys(name for name, _ in params):
        family = next(
            (f for f in TYPED_FAMILIES if name.startswith(f) and name not in FIXED_PARAMETERS), None
        )
        if family is not None:
            typed[(TYPED_FAMILIES[family], _type_word(name, name[len(family) :], family))] = _uris(
                params, name
            )
        elif name not in FIXED_PARAMETERS:
            conditions.append(_field_condition(params, name, prefixes))
    if len(conditions) > MAX_FIELD_CONDITIONS:
        raise query_too_complex(f"At most {MAX_FIELD_CONDITIONS} conditions on extension and ILMD fields.")
    order_by, descending = _order(params)
    limit = _count(params, "eventCountLimit")
    most = _count(params, "maxEventCount", at_least=0)
    if limit is not None and most is not None:
        raise query_problem("eventCountLimit", "eventCountLimit and maxEventCount exclude each other.")
    if limit is not None and order_by is None:
        raise query_problem("eventCountLimit", "eventCountLimit needs orderBy.")
    return EventQuery(
        lists=lists,
        times=times,
        quantities=quantities,
        typed=typed,
        fields=tuple(conditions),
        error_declaration=_flag(params, "EXISTS_errorDeclaration"),
        order_by=order_by,
        descending=descending,
        event_count_limit=limit,
        max_event_count=most,
        per_page=min(_count(params, "perPage") or DEFAULT_PER_PAGE, MAX_PER_PAGE),
        next_page_token=_single(params, "nextPageToken"),
    )


def pairs_of(query: object) -> list[tuple[str, str]]:
    """The (name, value) pairs of a named query's definition (the OpenAPI's EPCISEventsQuery object: a name to a
    value or a list of values, strings, numbers or booleans). Raises Problem (QueryParameterException) for any
    other shape, and for the page parameters, which belong to each request, not to the query."""
    if not isinstance(query, dict):
        raise query_problem("query", "The query is a JSON object of SimpleEventQuery parameters.")
    pairs: list[tuple[str, str]] = []
    for name, value in query.items():
        if name in PAGE_PARAMETERS:
            raise query_problem(name, f"{name} belongs to a request of the query's events, not to the query.")
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, _text(name, item)))
        if isinstance(value, list) and not value:
            raise query_problem(name, f"{name} has an empty list.")
    return pairs


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise query_problem(name, f"{name} takes strings, numbers or booleans.")


def check(pairs: Pairs, prefixes: Mapping[str, str] | None = None) -> Problem | None:
    """Why the pairs are not a query (the Problem parse would raise), or None."""
    try:
        parse(pairs, prefixes)
    except Problem as problem:
        return problem
    return None
