"""Validation of EPCIS 2.0 documents against GS1's JSON Schema, vendored in `services/trace/reference/`.

Validating a large document costs seconds of CPU, so capture calls `validate_in_thread`: the work runs in a
worker thread, one event at a time, and stops at the first event that starts past its deadline. The caller
bounds what one event may hold (services/trace/epcis_capture.py checks sizes and counts first), so the time
limit really holds to within one bounded event."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from services.trace.epcis import JSONObject, is_absolute_uri, is_date_time

SCHEMA_PATH = Path(__file__).resolve().parent / "reference" / "EPCIS-JSON-Schema.json"


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("uri")
def _format_uri(instance: object) -> bool:
    return not isinstance(instance, str) or is_absolute_uri(instance)


@_FORMATS.checks("date-time")
def _format_date_time(instance: object) -> bool:
    return not isinstance(instance, str) or is_date_time(instance)


@cache
def schema() -> JSONObject:
    """The vendored EPCIS 2.0 JSON Schema (GS1, repository gs1/EPCIS)."""
    loaded: JSONObject = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Draft7Validator:
    Draft7Validator.check_schema(schema())
    return Draft7Validator(schema(), format_checker=_FORMATS)


# -- an event's EPCIS lists as the GraphQL API takes them (JSON) ----------------------------------------------
# The item definitions of GS1's schema (bizTransaction, source, destination, sensorElement), checked by hand:
# jsonschema takes ~3 ms per sensor report here (the measurement-type enum, the vocabulary patterns), seconds
# for the 1,000 an event may hold; these checks take microseconds. What is stored is then what the API's typed
# fields (BizTransaction, SourceDest, SensorElement) read.

_REPORT_URIS = frozenset(
    {"deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "microorganism",
     "chemicalSubstance", "coordinateReferenceSystem", "uriValue"}
)  # fmt: skip
_REPORT_TEXTS = frozenset({"type", "exception", "component", "stringValue", "hexBinaryValue", "uom"})
_REPORT_NUMBERS = frozenset({"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"})
_METADATA_URIS = frozenset({"deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"})
_TIMES = frozenset({"time", "startTime", "endTime"})
_ENTRY_KEYS = {"bizTransactions": "bizTransaction", "sources": "source", "destinations": "destination"}


def _member_problem(name: str, value: object, uris: frozenset[str]) -> str | None:
    """Why a member of a sensor report or metadata object is wrong, or None. Unknown members are extensions,
    named by an absolute URI."""
    if name in _TIMES:
        ok = isinstance(value, str) and is_date_time(value)
        return None if ok else f"'{name}' is not an RFC 3339 date-time"
    if name in uris:
        ok = isinstance(value, str) and is_absolute_uri(value)
        return None if ok else f"'{name}' is not an absolute URI"
    if name in _REPORT_NUMBERS:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"'{name}' is not a number"
    if name in _REPORT_TEXTS:
        return None if isinstance(value, str) and value else f"'{name}' is not a non-empty string"
    if name == "booleanValue":
        return None if isinstance(value, bool) else "'booleanValue' is not a boolean"
    return None if is_absolute_uri(name) else f"'{name}' is not an EPCIS member nor an extension URI"


def _sensor_element_problem(element: Mapping[str, Any]) -> str | None:
    reports = element.get("sensorReport")
    if not isinstance(reports, list) or not reports:
        return "/: 'sensorReport' is a required, non-empty list"
    for name in element:
        if name not in ("sensorReport", "sensorMetadata") and not is_absolute_uri(name):
            return f"/: '{name}' is not an EPCIS member nor an extension URI"
    metadata = element.get("sensorMetadata")
    if metadata is not None:
        if not isinstance(metadata, Mapping):
            return "/sensorMetadata: not an object"
        for name, value in metadata.items():
            if name in _REPORT_NUMBERS | _REPORT_TEXTS | {"booleanValue"} and name not in _METADATA_URIS:
                return f"/sensorMetadata: '{name}' is not an EPCIS member nor an extension URI"
            if (problem := _member_problem(name, value, _METADATA_URIS)) is not None:
                return f"/sensorMetadata: {problem}"
    for index, report in enumerate(reports):
        if not isinstance(report, Mapping):
            return f"/sensorReport/{index}: not an object"
        if "type" not in report:
            return f"/sensorReport/{index}: 'type' is a required property"
        for name, value in report.items():
            if name in ("startTime", "endTime"):
                return f"/sensorReport/{index}: '{name}' is not an EPCIS member nor an extension URI"
            if (problem := _member_problem(name, value, _REPORT_URIS)) is not None:
                return f"/sensorReport/{index}: {problem}"
    return None


def _typed_entry_problem(entry: Mapping[str, Any], key: str) -> str | None:
    """A bizTransaction, source or destination: `key` (an absolute URI) and `type` (a CBV word or URI; optional
    for a bizTransaction), nothing else."""
    for name in entry:
        if name not in (key, "type"):
            return f"/: '{name}' is not allowed (only '{key}' and 'type')"
    value = entry.get(key)
    if value is None:
        return f"/: '{key}' is a required property"
    if not (isinstance(value, str) and is_absolute_uri(value)):
        return f"/{key}: not an absolute URI"
    kind = entry.get("type")
    if kind is None and key != "bizTransaction":
        return "/: 'type' is a required property"
    if kind is not None and not (isinstance(kind, str) and kind):
        return "/type: not a non-empty string"
    return None


def entry_problems(lists: Sequence[tuple[str, Any]]) -> list[tuple[str, str]]:
    """(field, message) for each entry of an event's lists (`bizTransactions`, `sources`, `destinations`,
    `sensorElements`, values as given) that breaks its item definition in GS1's schema, e.g.
    ("sources.1", "/: 'type' is a required property"). Other names are ignored."""
    found: list[tuple[str, str]] = []
    for name, entries in lists:
        if not isinstance(entries, list) or not (name in _ENTRY_KEYS or name == "sensorElements"):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                problem: str | None = "/: not an object"
            elif name == "sensorElements":
                problem = _sensor_element_problem(entry)
            else:
                problem = _typed_entry_problem(entry, _ENTRY_KEYS[name])
            if problem is not None:
                found.append((f"{name}.{index}", _short(problem)))
    return found


def _pointer(error: ValidationError) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path)


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _message(error: ValidationError, limit: int = 160) -> str:
    if error.validator == "not" and error.validator_value == {}:
        return "not allowed here"
    return _short(error.message, limit)


def _describe(error: ValidationError) -> str:
    """`/json/pointer: message`. For anyOf/oneOf (whose own message repeats the whole instance): what each
    alternative missed at that place, or else the most relevant deeper failure."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        here = [_message(sub) for sub in error.context if not sub.relative_path]
        if here:
            return f"{_pointer(error)}: no alternative matched: {'; or '.join(dict.fromkeys(here))}"
        deepest = best_match(error.context)
        return f"{_pointer(deepest)}: {_message(deepest)}"
    return f"{_pointer(error)}: {_message(error, 400)}"


class ValidationTimeout(Exception):
    """Validation stopped at its deadline, before the document's end."""


def _sorted_messages(doc: Mapping[str, Any]) -> list[str]:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: [str(part) for part in e.absolute_path])
    return [_describe(error) for error in errors]


def event_list_path(doc: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Where the document keeps its event list (EPCISDocument or EPCISQueryDocument), if it is a list."""
    for path in (("epcisBody", "eventList"), ("epcisBody", "queryResults", "resultsBody", "eventList")):
        node: Any = doc
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, list):
            return path
    return None


def _with_events(doc: Mapping[str, Any], path: Sequence[str], events: list[Any]) -> dict[str, Any]:
    """A shallow copy of `doc` whose event list is `events` (the containers on the way are copied too)."""
    top = dict(doc)
    node = top
    for key in path[:-1]:
        node[key] = dict(node[key])
        node = node[key]
    node[path[-1]] = events
    return top


def validate(doc: Mapping[str, Any], deadline: float | None = None) -> list[str]:
    """Every violation of the vendored EPCIS 2.0 JSON Schema (draft-07, with `uri` and `date-time` formats
    checked), as readable messages in document order; empty when `doc` is valid. The document is checked
    one event at a time (its envelope with that event alone); past `deadline` (time.monotonic()), before the
    next event, raises ValidationTimeout."""
    path = event_list_path(doc)
    if path is None:
        return list(dict.fromkeys(_sorted_messages(doc)))
    node: Any = doc
    for key in path:
        node = node[key]
    events: list[Any] = node
    if not events:
        return list(dict.fromkeys(_sorted_messages(doc)))
    pointer = "/" + "/".join(path) + "/"
    messages: list[str] = []
    for index, event in enumerate(events):
        if deadline is not None and time.monotonic() > deadline:
            raise ValidationTimeout(index)
        alone = pointer + "0"
        for message in _sorted_messages(_with_events(doc, path, [event])):
            if message.startswith(alone) and message[len(alone) : len(alone) + 1] in ("/", ":"):
                message = f"{pointer}{index}{message[len(alone) :]}"
            messages.append(message)
    return list(dict.fromkeys(messages))


async def validate_in_thread(doc: Mapping[str, Any], timeout_s: float) -> list[str]:
    """`validate` in a worker thread, off the event loop, stopped after `timeout_s` seconds (at the next
    event). Raises ValidationTimeout."""
    return await asyncio.to_thread(validate, doc, time.monotonic() + timeout_s)
