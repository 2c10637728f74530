"""Why the jobs domain refuses an input (background jobs (fair catalogs)). Values are the lower_snake strings stored in the
audit log; the shared codes (REQUIRED, INVALID, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED) mean what
services.common.errors.CommonErrorCode means."""

from __future__ import annotations

from enum import StrEnum


class JobErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
