"""Why the trace domain refuses an input (lots, locations and traceability events). Values are the lower_snake strings stored in the
audit log; the shared codes (REQUIRED, INVALID, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED) mean what
services.common.errors.CommonErrorCode means. INVALID_GLN and INVALID_CHECK_DIGIT come from registry.manage.clean_gln, which checks a location's GLN."""

from __future__ import annotations

from enum import StrEnum


class TraceErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    INVALID_CHECK_DIGIT = "invalid_check_digit"
    INVALID_GLN = "invalid_gln"
    NOT_FOUND = "not_found"
    UNIQUE = "unique"
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    INVALID_DATE_RANGE = "invalid_date_range"
    NOT_ALLOWED = "not_allowed"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
