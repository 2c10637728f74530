"""Typed errors of mutations, one error type per domain as Saleor has `ProductError`: `errors:
[RegistryError!]!` with `field`, a `code` of the domain's own enum (`RegistryErrorCode`) and a `message` in
the request's language. Every error type has the same three fields, so a client's `errors { field code
message }` selection reads the same in every payload."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from schema.enums import describe_enum
from services.accounts.errors import AccountErrorCode
from services.api.errors import ApiErrorCode
from services.common.errors import DomainError, FieldProblem
from services.fairs.errors import FairErrorCode
from services.jobs.errors import JobErrorCode
from services.labels.errors import LabelErrorCode
from services.packaging.errors import PackagingErrorCode
from services.registry.errors import RegistryErrorCode
from services.trace.errors import TraceErrorCode

# A code means the same in every domain (docs/frontend.md, "Mutations"), so its description is written once.
_MEANING = {
    "REQUIRED": "A value is missing: the field is required, or required by another field's value.",
    "INVALID": "The value is malformed: not a global ID of the right type, an unknown code, a wrong format.",
    "INVALID_CHECK_DIGIT": "A GS1 number (GTIN, GLN) whose last digit does not match its check digit.",
    "INVALID_TAX_CODE": "A Vietnamese tax code (mã số thuế) that is not 10 digits, or 13 with a branch, with a "
    "valid check digit.",
    "INVALID_GLN": "A GS1 Global Location Number that is not 13 digits, or not a location's.",
    "NOT_FOUND": "The object named does not exist, or the caller may not see it.",
    "UNIQUE": "The value is already taken (a GTIN, a lot code of the product, a slug, a code).",
    "OUT_OF_RANGE": "A number or a size beyond its bounds (a score, a count, a file's size).",
    "TOO_LONG": "A text or a list longer than allowed.",
    "INVALID_DATE_RANGE": "An end before its start (validity, a fair's days, a session's times).",
    "NOT_ALLOWED": "Not possible in the object's present state (e.g. a version already submitted, a fair "
    "not accepting applications).",
    "UNAUTHENTICATED": "The request has no valid token: sign in first.",
    "FORBIDDEN": "The caller's roles do not allow it on this object.",
    "INVALID_CREDENTIALS": "Wrong email or password (which one is not said).",
    "TOO_MANY_ATTEMPTS": "Too many failed sign-ins for this account or address: wait before trying again.",
    "LOT_EXPIRED": "The lot is past its expiry date: send confirmExpired true to print anyway.",
}


def _codes(codes: type[StrEnum], domain: str) -> None:
    describe_enum(
        codes,
        description=f"Why an input was refused ({domain}).",
        values={code.name: _MEANING[code.name] for code in codes},
    )


_codes(RegistryErrorCode, "producers, products, evaluations")
_codes(TraceErrorCode, "lots, locations, traceability events")
_codes(LabelErrorCode, "QR label runs and templates")
_codes(PackagingErrorCode, "packaging designs, reviews, uploads")
_codes(FairErrorCode, "fairs, booths, applications")
_codes(AccountErrorCode, "sign-in and API tokens")
_codes(JobErrorCode, "background jobs")
_codes(ApiErrorCode, "trusted documents")

ERRORS = "Why the input was refused, one entry per problem; empty when the mutation succeeded."
INPUT = "What to do: every field of the input is checked before anything is written."
CODE = "Why it was refused; the same code means the same in every domain."
MESSAGE = "The refusal in words for people, in Vietnamese or, when the request prefers it, English."
_FIELD = "Input path of the refused value, e.g. `gtin`; empty for the whole input."


@strawberry.type(description="A problem with one input of a registry mutation.")
class RegistryError:
    field: str = strawberry.field(description=_FIELD)
    code: RegistryErrorCode = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


@strawberry.type(description="A problem with one input of a traceability mutation.")
class TraceError:
    field: str = strawberry.field(description=_FIELD)
    code: TraceErrorCode = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


@strawberry.type(description="A problem with one input of a label mutation.")
class LabelError:
    field: str = strawberry.field(description=_FIELD)
    code: LabelErrorCode = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


@strawberry.type(description="A problem with one input of a packaging mutation.")
class PackagingError:
    field: str = strawberry.field(description=_FIELD)
    code: PackagingErrorCode = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


@strawberry.type(description="A problem with one input of a fair mutation.")
class FairError:
    field: str = strawberry.field(description=_FIELD)
    code: FairErrorCode = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


@strawberry.type(description="A problem with one input of an account mutation.")
class AccountError:
    field: str = strawberry.field(description=_FIELD)
    code: AccountErrorCode = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


@strawberry.type(description="A problem with one input of a job mutation.")
class JobError:
    field: str = strawberry.field(description=_FIELD)
    code: JobErrorCode = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


@strawberry.type(description="A problem with one document of a trusted-documents manifest.")
class ApiError:
    field: str = strawberry.field(
        description="Where the refused document is in the manifest: its hash (a client preset's map) or "
        "`operations.<index>` (Apollo's format); empty for the whole manifest."
    )
    code: ApiErrorCode = strawberry.field(description=CODE)
    message: str = strawberry.field(description=MESSAGE)


# The code enum of each error type: a problem's code is converted by value into the payload's domain enum,
# because a service may report a problem found by another domain's helper (trace's GLN check is registry's
# clean_gln). tests/api/test_errors_api.py holds every domain enum to the codes its services can raise.
ERROR_CODES: dict[type[Any], type[StrEnum]] = {
    RegistryError: RegistryErrorCode,
    TraceError: TraceErrorCode,
    LabelError: LabelErrorCode,
    PackagingError: PackagingErrorCode,
    FairError: FairErrorCode,
    AccountError: AccountErrorCode,
    JobError: JobErrorCode,
    ApiError: ApiErrorCode,
}


def domain_errors(
    error_type: type[Any], problems: DomainError | tuple[FieldProblem, ...], language: str
) -> list[Any]:
    """The problems of a refused input as the payload's error type, messages in the request's language."""
    items = problems.problems if isinstance(problems, DomainError) else problems
    codes = ERROR_CODES[error_type]
    return [
        error_type(field=p.field, code=codes(p.code.value), message=p.message_in(language)) for p in items
    ]


def query_error(exc: DomainError, language: str) -> GraphQLError:
    """A refused argument of a query (not a mutation): a GraphQL error naming the argument and its code."""
    problem = exc.problems[0]
    return GraphQLError(
        problem.message_in(language),
        extensions={"code": problem.code.value.upper(), "field": problem.field},
    )


class QueryRefusals(SchemaExtension):
    """A DomainError escaping a query's resolver (a malformed ID, an unknown province, a lot you may not see)
    answers as a GraphQL error with the code and field in `extensions` and the message in the request's
    language: caught here once instead of in each resolver. Mutations answer theirs in the payload
    (schema/audit.py `Refusals`), so only queries and fields of types get here."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        language = getattr(self.execution_context.context, "language", "vi")
        result.errors = [_located(error, language) for error in errors]


def _located(error: GraphQLError, language: str) -> GraphQLError:
    if not isinstance(error.original_error, DomainError):
        return error
    refused = query_error(error.original_error, language)
    return GraphQLError(
        refused.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=refused.extensions,
    )
