"""Why the accounts domain refuses an input (sign-in, users and API tokens). Values are the lower_snake strings stored in the
audit log; the shared codes (REQUIRED, INVALID, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED) mean what
services.common.errors.CommonErrorCode means."""

from __future__ import annotations

from enum import StrEnum


class AccountErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNIQUE = "unique"
    OUT_OF_RANGE = "out_of_range"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    INVALID_CREDENTIALS = "invalid_credentials"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
