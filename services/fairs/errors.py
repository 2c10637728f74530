"""Why the fairs domain refuses an input (fairs, zones, booths, applications, programme, tourism and sponsors). Values are the lower_snake strings stored in the
audit log; the shared codes (REQUIRED, INVALID, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED) mean what
services.common.errors.CommonErrorCode means."""

from __future__ import annotations

from enum import StrEnum


class FairErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNIQUE = "unique"
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    INVALID_DATE_RANGE = "invalid_date_range"
    NOT_ALLOWED = "not_allowed"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
