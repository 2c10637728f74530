"""Why the labels domain refuses an input (QR label runs and label templates). Values are the lower_snake strings stored in the
audit log; the shared codes (REQUIRED, INVALID, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED) mean what
services.common.errors.CommonErrorCode means."""

from __future__ import annotations

from enum import StrEnum


class LabelWarningCode(StrEnum):
    """Why a label run was printed with a warning (not a refusal): the payload's `warnings`."""

    LOT_EXPIRED = "lot_expired"  # printed anyway: the producer confirmed (confirmExpired)
    LOT_EXPIRES_SOON = "lot_expires_soon"  # within OCOP_LABEL_EXPIRY_WARNING_DAYS


class LabelErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNIQUE = "unique"
    OUT_OF_RANGE = "out_of_range"
    NOT_ALLOWED = "not_allowed"
    LOT_EXPIRED = "lot_expired"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
