"""The scalars strawberry builds in (Date, DateTime, Decimal), with what a client needs to read them: each
names its specification (`@specifiedBy`), and Decimal says it travels as a string. Parsing and serialising
are strawberry's own, unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal

from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition, DecimalDefinition
from strawberry.types.scalar import ScalarDefinition

DATE = dataclasses.replace(
    DateDefinition,
    description="A calendar date, as RFC 3339's full-date (ISO 8601 `YYYY-MM-DD`), e.g. `2019-05-20`.",
    specified_by_url="https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
)
DATE_TIME = dataclasses.replace(
    DateTimeDefinition,
    description=(
        "A moment with its offset, as RFC 3339's date-time, e.g. `2019-05-20T07:00:00+07:00`. ocop-hub answers "
        "in Vietnam's time (+07:00); inputs may use any offset."
    ),
    specified_by_url="https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
)
DECIMAL = dataclasses.replace(
    DecimalDefinition,
    description=(
        'An exact decimal number (quantities, scores), sent and answered as a JSON string such as `"1200.500"` '
        "so that no digit is lost to floating point; inputs also accept JSON numbers. Quantities have at most "
        "3 decimals and 11 integer digits."
    ),
    specified_by_url="https://speleotrove.com/decimal/daconvs.html",
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    dt.date: DATE,
    dt.datetime: DATE_TIME,
    decimal.Decimal: DECIMAL,
}
