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
    UNSUPPORTED_MEDIA_TYPE = "epcisException:UnsupportedMediaType"
    NO_SUCH_RESOURCE = "epcisException:NoSuchResourceException"
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


def validation_problem(detail: str, errors: Sequence[str], **extra: Any) -> Problem:
    return Problem(
        ProblemKind.VALIDATION,
        "The capture document was rejected; nothing was stored",
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


def unsupported_media_type() -> Problem:
    return Problem(
        ProblemKind.UNSUPPORTED_MEDIA_TYPE,
        "Unsupported media type",
        "Send the EPCISDocument as application/ld+json or application/json.",
    )


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
