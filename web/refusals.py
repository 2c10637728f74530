"""The one shape of an HTTP refusal outside GraphQL and EPCIS: `{"errors": [{"field", "code", "message"}]}`,
as a GraphQL payload's `errors`. The code is written as GraphQL writes it, the `ErrorCode` member's name
(`NOT_FOUND`, `LINK_EXPIRED`), so a client checks one vocabulary on both surfaces; the message is in
Vietnamese, or English when the request prefers it (`web.language`). EPCIS routes answer RFC 9457 problem
documents instead (GS1 requires them: web/epcis.py), and /graphql's own transport errors stay in the
GraphQL response format that GraphQL clients read (web/graphql.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from services.common.errors import ErrorCode, FieldProblem
from web.language import language_of
from web.responses import ORJSONResponse


def refuse(
    request: Request,
    status: int,
    code: ErrorCode,
    message: str,
    message_en: str,
    *,
    field: str = "",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """One problem, `message` in Vietnamese and `message_en` in English."""
    return refuse_problems(request, status, [FieldProblem(field, code, message, message_en)], headers=headers)


def refuse_problems(
    request: Request,
    status: int,
    problems: Iterable[FieldProblem],
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Every problem of a `DomainError` (or a list of them), in the request's language."""
    language = language_of(request)
    errors = [{"field": p.field, "code": p.code.name, "message": p.message_in(language)} for p in problems]
    return ORJSONResponse({"errors": errors}, status_code=status, headers=dict(headers or {}))


def not_found(request: Request, message: str, message_en: str) -> Response:
    return refuse(request, 404, ErrorCode.NOT_FOUND, message, message_en)


def render_failed(
    request: Request, message: str, message_en: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """A file that could not be made (a label run, a preview, a catalog): 503, try again later."""
    return refuse(request, 503, ErrorCode.RENDER_FAILED, message, message_en, headers=headers)


def path_int(request: Request, name: str) -> int | None:
    """A path parameter that is a row's id; None when it is not a number (the route answers not found, in
    the refusal shape, where a route converter would answer a bare 404)."""
    try:
        return int(request.path_params[name])
    except ValueError:
        return None
