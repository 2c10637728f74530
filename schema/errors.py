"""Typed errors of mutations: `errors: [FieldError!]!` with field, code and a message in the request's
language (Vietnamese by default)."""

from __future__ import annotations

from enum import Enum

import strawberry

from services.errors import DomainError, ErrorCode, FieldProblem

RegistryErrorCode = strawberry.enum(
    Enum("RegistryErrorCode", {code.name: code.value for code in ErrorCode}),  # type: ignore[misc]
    description="Why an input was refused.",
)


@strawberry.type(description="A problem with one input field. `field` is the input path, e.g. `gtin`.")
class FieldError:
    field: str
    code: RegistryErrorCode  # type: ignore[valid-type]
    message: str


def field_errors(problems: tuple[FieldProblem, ...] | DomainError, language: str) -> list[FieldError]:
    items = problems.problems if isinstance(problems, DomainError) else problems
    return [
        FieldError(
            field=p.field,
            code=RegistryErrorCode(p.code.value),
            message=p.message_en if language == "en" else p.message,
        )
        for p in items
    ]


def single_error(
    field: str, code: ErrorCode, message: str, message_en: str, language: str
) -> list[FieldError]:
    return field_errors((FieldProblem(field, code, message, message_en),), language)
