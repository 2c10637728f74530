"""Why registering trusted documents is refused. Values are the lower_snake strings of
services.common.errors.ErrorCode (the shared vocabulary)."""

from __future__ import annotations

from enum import StrEnum


class ApiErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    TOO_LONG = "too_long"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
