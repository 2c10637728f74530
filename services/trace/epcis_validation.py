"""Validation of EPCIS 2.0 documents against GS1's JSON Schema, vendored in `services/trace/reference/`."""

from __future__ import annotations

import json
from collections.abc import Mapping
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


def validate(doc: Mapping[str, Any]) -> list[str]:
    """Every violation of the vendored EPCIS 2.0 JSON Schema (draft-07, with `uri` and `date-time` formats
    checked), as readable messages in document order; empty when `doc` is valid."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: [str(part) for part in e.absolute_path])
    return list(dict.fromkeys(_describe(error) for error in errors))
