"""Why the packaging domain refuses an input (packaging designs, their versions, reviews and uploads). Values are the lower_snake strings stored in the
audit log; the shared codes (REQUIRED, INVALID, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED) mean what
services.common.errors.CommonErrorCode means."""

from __future__ import annotations

from enum import StrEnum


class PackagingErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNIQUE = "unique"
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    NOT_ALLOWED = "not_allowed"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
