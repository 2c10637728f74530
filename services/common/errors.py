"""Domain errors: each names the input field, a stable code and a message in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class CommonErrorCode(StrEnum):
    """The codes every domain shares: raised by helpers outside any one domain (policy refusals, global IDs).
    Each domain's own enum (services/<domain>/errors.py, as Saleor has product/error_codes.py) repeats them,
    so a client sees one closed list of codes per domain."""

    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"


class ErrorCode(StrEnum):
    """The vocabulary of all codes: a value means the same thing in every domain's enum (a test holds each
    domain enum to it), so stored audit codes keep their meaning. Kept for code outside a domain (the HTTP
    refusals); services raise their own domain's codes."""

    REQUIRED = "required"
    INVALID = "invalid"
    INVALID_CHECK_DIGIT = "invalid_check_digit"
    INVALID_TAX_CODE = "invalid_tax_code"
    INVALID_GLN = "invalid_gln"
    NOT_FOUND = "not_found"
    UNIQUE = "unique"
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    INVALID_DATE_RANGE = "invalid_date_range"
    NOT_ALLOWED = "not_allowed"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    INVALID_CREDENTIALS = "invalid_credentials"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    LOT_EXPIRED = "lot_expired"  # labels for an expired lot, asked without confirmExpired
    # Refusals of the HTTP routes outside GraphQL (web/refusals.py): no mutation returns them.
    LINK_EXPIRED = "link_expired"
    LABEL_TOO_SMALL = "label_too_small"
    NOT_READY = "not_ready"
    GONE = "gone"
    RENDER_FAILED = "render_failed"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    code: StrEnum  # a domain's error code (services/<domain>/errors.py) or a CommonErrorCode
    message: str  # Vietnamese
    message_en: str

    def message_in(self, language: str) -> str:
        """The message in the request's language: the one place that choice is made for an error."""
        return self.message_en if language == "en" else self.message


class DomainError(Exception):
    """Raised by services when input breaks a domain rule; carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message_en}" for p in self.problems))


class Problems:
    """Collects problems while validating an input, so that a user sees all of them at once."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field: str, code: StrEnum, message: str, message_en: str) -> None:
        self.items.append(FieldProblem(field, code, message, message_en))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(self.items)


def forbidden(field: str = "") -> DomainError:
    """The actor has no role that allows this. The message names no object, so that a guessed ID reveals
    nothing about what exists."""
    return DomainError(
        [
            FieldProblem(
                field,
                CommonErrorCode.FORBIDDEN,
                "Bạn không có quyền thực hiện thao tác này.",
                "You are not allowed to do this.",
            )
        ]
    )


def unauthenticated() -> DomainError:
    return DomainError(
        [
            FieldProblem(
                "",
                CommonErrorCode.UNAUTHENTICATED,
                "Cần đăng nhập (Authorization: Bearer ...).",
                "Authentication required (Authorization: Bearer ...).",
            )
        ]
    )
