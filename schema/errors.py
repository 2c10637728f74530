"""Typed errors of mutations: `errors: [FieldError!]!` with field, code and a message in the request's
language (Vietnamese by default)."""

from __future__ import annotations

import strawberry

import schema.enums  # noqa: F401 - registers ErrorCode as RegistryErrorCode
from services.common.errors import DomainError, ErrorCode, FieldProblem


@strawberry.type(description="A problem with one input field. `field` is the input path, e.g. `gtin`.")
class FieldError:
    field: str
    code: ErrorCode
    message: str


def field_errors(problems: tuple[FieldProblem, ...] | DomainError, language: str) -> list[FieldError]:
    items = problems.problems if isinstance(problems, DomainError) else problems
    return [
        FieldError(
            field=p.field,
            code=p.code,
            message=p.message_en if language == "en" else p.message,
        )
        for p in items
    ]


def single_error(
    field: str, code: ErrorCode, message: str, message_en: str, language: str
) -> list[FieldError]:
    return field_errors((FieldProblem(field, code, message, message_en),), language)
