"""Domain errors: each names the input field, a stable code and a message in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
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
    # Refusals of the HTTP routes outside GraphQL (web/refusals.py): no mutation returns them.
    LINK_EXPIRED = "link_expired"
    LABEL_TOO_SMALL = "label_too_small"
    NOT_READY = "not_ready"
    GONE = "gone"
    RENDER_FAILED = "render_failed"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    code: ErrorCode
    message: str  # Vietnamese
    message_en: str


class DomainError(Exception):
    """Raised by services when input breaks a domain rule; carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message_en}" for p in self.problems))


class Problems:
    """Collects problems while validating an input, so that a user sees all of them at once."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field: str, code: ErrorCode, message: str, message_en: str) -> None:
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
                ErrorCode.FORBIDDEN,
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
                ErrorCode.UNAUTHENTICATED,
                "Cần đăng nhập (Authorization: Bearer ...).",
                "Authentication required (Authorization: Bearer ...).",
            )
        ]
    )
