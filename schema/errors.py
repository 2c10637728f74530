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

from services.accounts.errors import AccountErrorCode
from services.api.errors import ApiErrorCode
from services.common.errors import DomainError, FieldProblem
from services.fairs.errors import FairErrorCode
from services.jobs.errors import JobErrorCode
from services.labels.errors import LabelErrorCode
from services.packaging.errors import PackagingErrorCode
from services.registry.errors import RegistryErrorCode
from services.trace.errors import TraceErrorCode

_WHY = "Why an input was refused ({})."
strawberry.enum(RegistryErrorCode, description=_WHY.format("producers, products, evaluations"))
strawberry.enum(TraceErrorCode, description=_WHY.format("lots, locations, traceability events"))
strawberry.enum(LabelErrorCode, description=_WHY.format("QR label runs and templates"))
strawberry.enum(PackagingErrorCode, description=_WHY.format("packaging designs, reviews, uploads"))
strawberry.enum(FairErrorCode, description=_WHY.format("fairs, booths, applications"))
strawberry.enum(AccountErrorCode, description=_WHY.format("sign-in and API tokens"))
strawberry.enum(JobErrorCode, description=_WHY.format("background jobs"))
strawberry.enum(ApiErrorCode, description=_WHY.format("trusted documents"))

_FIELD = "Input path of the refused value, e.g. `gtin`; empty for the whole input."


@strawberry.type(description="A problem with one input of a registry mutation.")
class RegistryError:
    field: str = strawberry.field(description=_FIELD)
    code: RegistryErrorCode
    message: str


@strawberry.type(description="A problem with one input of a traceability mutation.")
class TraceError:
    field: str = strawberry.field(description=_FIELD)
    code: TraceErrorCode
    message: str


@strawberry.type(description="A problem with one input of a label mutation.")
class LabelError:
    field: str = strawberry.field(description=_FIELD)
    code: LabelErrorCode
    message: str


@strawberry.type(description="A problem with one input of a packaging mutation.")
class PackagingError:
    field: str = strawberry.field(description=_FIELD)
    code: PackagingErrorCode
    message: str


@strawberry.type(description="A problem with one input of a fair mutation.")
class FairError:
    field: str = strawberry.field(description=_FIELD)
    code: FairErrorCode
    message: str


@strawberry.type(description="A problem with one input of an account mutation.")
class AccountError:
    field: str = strawberry.field(description=_FIELD)
    code: AccountErrorCode
    message: str


@strawberry.type(description="A problem with one input of a job mutation.")
class JobError:
    field: str = strawberry.field(description=_FIELD)
    code: JobErrorCode
    message: str


@strawberry.type(description="A problem with one document of a trusted-documents manifest.")
class ApiError:
    field: str = strawberry.field(
        description="Where the refused document is in the manifest: its hash (a client preset's map) or "
        "`operations.<index>` (Apollo's format); empty for the whole manifest."
    )
    code: ApiErrorCode
    message: str


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
