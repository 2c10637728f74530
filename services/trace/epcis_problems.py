"""Why an EPCIS 2.0 REST request was refused: the OpenAPI's `epcisException:*` types, raised by
services.trace.epcis_query and services.trace.epcis_capture.

Nothing here knows HTTP: queries and captures raise a `Problem` of a `ProblemKind`; web/epcis.py answers it
with its status, the GS1 version headers and an RFC 9457 problem document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from services.common.errors import DomainError
from services.trace.errors import TraceErrorCode

type JSONObject = dict[str, Any]


class ProblemKind(Enum):
    QUERY_PARAMETER = "epcisException:QueryParameterException"
    VALIDATION = "epcisException:ValidationException"
    CAPTURE_LIMIT_EXCEEDED = "epcisException:CaptureLimitExceededException"
    UNSUPPORTED_MEDIA_TYPE = "epcisException:UnsupportedMediaTypeException"
    NO_SUCH_RESOURCE = "epcisException:NoSuchResourceException"
    NO_SUCH_NAME = "epcisException:NoSuchNameException"  # a named query (or subscription) that does not exist
    QUERY_TOO_LARGE = "epcisException:QueryTooLargeException"
    QUERY_TOO_COMPLEX = "epcisException:QueryTooComplexException"
    RESOURCE_ALREADY_EXISTS = "epcisException:ResourceAlreadyExistsException"
    NOT_ACCEPTABLE = "epcisException:NotAcceptableException"
    SUBSCRIPTION_CONTROLS = "epcisException:SubscriptionControlsException"
    IMPLEMENTATION = "epcisException:ImplementationException"  # a fault of ours (500)
    NOT_IMPLEMENTED = "epcisException:ImplementationException/not-implemented"  # optional, not offered (501)
    # Both are the EPCIS SecurityException: who the caller is is unknown, or may not do this.
    UNAUTHENTICATED = "epcisException:SecurityException/unauthenticated"
    FORBIDDEN = "epcisException:SecurityException/forbidden"

    @property
    def exception_type(self) -> str:
        """The OpenAPI's `epcisException:*` type of the problem."""
        return self.value.split("/", 1)[0]


@dataclass(slots=True)
class Problem(Exception):
    """Why an EPCIS request was refused, as the OpenAPI's `epcisException:*` types."""

    kind: ProblemKind
    title: str
    detail: str
    extra: JSONObject = field(default_factory=dict)


def query_problem(parameter: str, detail: str) -> Problem:
    return Problem(
        ProblemKind.QUERY_PARAMETER,
        f"Invalid query parameter {parameter}",
        detail,
        {"parameter": parameter},
    )


def query_too_large(detail: str, **extra: Any) -> Problem:
    return Problem(ProblemKind.QUERY_TOO_LARGE, "The query would return too many events", detail, dict(extra))


def query_too_complex(detail: str) -> Problem:
    return Problem(ProblemKind.QUERY_TOO_COMPLEX, "The query is too complex", detail)


def no_such_name(what: str, name: str) -> Problem:
    return Problem(ProblemKind.NO_SUCH_NAME, f"No such {what}", f"There is no {what} {name!r}.")


def no_such_event() -> Problem:
    return Problem(
        ProblemKind.NO_SUCH_RESOURCE,
        "No such event",
        "No event you may see has this eventID.",
    )


def already_exists(what: str, name: str) -> Problem:
    return Problem(
        ProblemKind.RESOURCE_ALREADY_EXISTS, f"The {what} exists", f"You already have a {what} {name!r}."
    )


def not_acceptable(detail: str) -> Problem:
    return Problem(ProblemKind.NOT_ACCEPTABLE, "Not acceptable", detail)


def implementation_problem(detail: str) -> Problem:
    return Problem(ProblemKind.IMPLEMENTATION, "A server-side error occurred", detail)


def not_implemented(detail: str) -> Problem:
    return Problem(ProblemKind.NOT_IMPLEMENTED, "Functionality not supported by server", detail)


def validation_problem(
    detail: str,
    errors: Sequence[str],
    *,
    title: str = "The capture document was rejected; nothing was stored",
    **extra: Any,
) -> Problem:
    return Problem(
        ProblemKind.VALIDATION,
        title,
        detail,
        {"errors": list(errors), **extra},
    )


def capture_too_large(detail: str) -> Problem:
    return Problem(ProblemKind.CAPTURE_LIMIT_EXCEEDED, "The capture document is too large", detail)


def unauthenticated_problem() -> Problem:
    return Problem(
        ProblemKind.UNAUTHENTICATED,
        "Authentication required",
        "Authentication required (Authorization: Bearer ...).",
    )


def forbidden_problem(detail: str) -> Problem:
    return Problem(ProblemKind.FORBIDDEN, "Not allowed", detail)


def unsupported_media_type(
    detail: str = "Send the EPCISDocument as application/ld+json or application/json.",
) -> Problem:
    return Problem(ProblemKind.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type", detail)


def no_such_capture_job() -> Problem:
    return Problem(
        ProblemKind.NO_SUCH_RESOURCE,
        "No such capture job",
        "Unknown capture id (jobs are kept per server process and lost on restart).",
    )


def problem_of(error: DomainError, *, event_index: int | None = None) -> Problem:
    """A domain error as a problem: UNAUTHENTICATED, FORBIDDEN, or else a VALIDATION problem."""
    codes = {p.code for p in error.problems}
    where = f"event {event_index}: " if event_index is not None else ""
    if TraceErrorCode.UNAUTHENTICATED in codes:
        return unauthenticated_problem()
    if TraceErrorCode.FORBIDDEN in codes:
        problem = forbidden_problem(f"{where}you may not record events of this lot.")
    else:
        messages = [
            f"{where}{p.field}: {p.message_en}" if p.field else where + p.message_en for p in error.problems
        ]
        problem = validation_problem("; ".join(messages), messages)
    if event_index is not None:
        problem.extra["eventIndex"] = event_index
    return problem
