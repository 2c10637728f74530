"""/graphql: POST with a JSON body for every client, and in development GET and GraphiQL through
strawberry's view. Its refusals stay in the GraphQL response format (`errors[].extensions.code`), which
GraphQL clients read (GraphQL over HTTP), not in web/refusals.py's shape."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, cast

import orjson
import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult

from schema.context import Context, build_context
from schema.limits import format_errors
from services.common import settings
from web.middleware import BodyTooLarge, read_body
from web.responses import ORJSONResponse

log = structlog.get_logger("ocop")


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context and orjson (Vietnamese stays UTF-8, not \\u-escaped), for GET
    and GraphiQL in development only: production does not mount it."""

    async def get_context(self, request: Any, response: Any = None) -> Context:
        return await build_context(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        return cast(GraphQLHTTPResponse, response_body(result, request, production=False))


@dataclass(frozen=True, slots=True)
class GraphQLConfig:
    """What /graphql serves in this app (`app.state.graphql`)."""

    schema: Schema
    production: bool
    timeout_s: float
    # Development: GET queries and GraphiQL through strawberry's view (it refuses mutations over GET with
    # 400). Production: None, no GET at all, hence no GraphiQL and no query in a URL.
    get_view: ASGIApp | None = None

    @classmethod
    def of(cls, schema: Schema, *, production: bool, timeout_s: float) -> GraphQLConfig:
        view = None if production else GraphQLApp(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        return cls(schema, production, timeout_s, view)


def _refusal(status: int, code: str, message: str, **headers: str) -> Response:
    return ORJSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status, headers=headers
    )


def response_body(
    result: ExecutionResult, request: Request, *, production: bool, sent: tuple[str, object] = ("", None)
) -> dict[str, Any]:
    """The response; `sent` is the query and variables, whose names production errors may repeat."""
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        request_id = getattr(request.state, "request_id", None)
        text = sent[0] + (orjson.dumps(sent[1]).decode() if production and sent[1] else "")
        payload["errors"] = format_errors(
            result.errors, production=production, request_id=request_id, sent=text
        )
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload


async def graphql_post(request: Request) -> Response:
    """POST /graphql with a JSON body, executed without strawberry's generic HTTP view (which handles
    uploads, batching and subscriptions we do not offer, at ~1.5 ms a request). Only application/json is
    accepted, so a browser form cannot post a query across sites; one operation per request (no batches);
    the body is at most `graphql_max_bytes` (413 PAYLOAD_TOO_LARGE, refused while it streams, before it is
    parsed); the whole request, context included, gets `timeout_s` seconds."""
    config: GraphQLConfig = request.app.state.graphql
    if request.headers.get("content-type", "").split(";", 1)[0].strip().lower() != "application/json":
        return _refusal(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
    try:
        raw = await read_body(request, settings.current().graphql_max_bytes)
    except BodyTooLarge as exc:
        message = f"The request body exceeds {exc.limit} bytes"
        return _refusal(413, "PAYLOAD_TOO_LARGE", message, connection="close")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, list):
        message = "Batched operations (a JSON array) are not supported: send one operation per request"
        return _refusal(400, "BATCHING_NOT_SUPPORTED", message)
    fields = body if isinstance(body, dict) else {}
    query, variables, operation_name = (fields.get(k) for k in ("query", "variables", "operationName"))
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(operation_name, str | None)
    ):
        message = "The body must be a JSON object with a 'query' string and optional 'variables' object"
        return _refusal(400, "BAD_REQUEST", message)
    deadline = asyncio.timeout(config.timeout_s)
    try:
        async with deadline:
            result = await config.schema.execute(
                query,
                variable_values=variables,
                context_value=await build_context(request),
                operation_name=operation_name,
            )
    except TimeoutError:
        if not deadline.expired():
            raise
        log.warning("graphql timeout", timeout_s=config.timeout_s)
        error = {
            "message": f"The request took longer than {config.timeout_s:g} s and was stopped.",
            "extensions": {"code": "TIMEOUT", "requestId": getattr(request.state, "request_id", None)},
        }
        return ORJSONResponse({"data": None, "errors": [error]})
    except MissingQueryError as exc:
        return _refusal(400, "BAD_REQUEST", str(exc))
    except CannotGetOperationTypeError as exc:
        return _refusal(400, "BAD_REQUEST", exc.as_http_error_reason())
    sent = (query, variables)
    return ORJSONResponse(response_body(result, request, production=config.production, sent=sent))


class _GraphQLGet:
    """GET /graphql: strawberry's view in development, a 405 in production (`GraphQLConfig.get_view`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        config: GraphQLConfig = scope["app"].state.graphql
        if config.get_view is not None:
            await config.get_view(scope, receive, send)
            return
        message = "GraphQL is served over POST with a JSON body only: GET (and GraphiQL) is off in production"
        await _refusal(405, "METHOD_NOT_ALLOWED", message, allow="POST")(scope, receive, send)


routes: list[BaseRoute] = [
    Route("/graphql", graphql_post, methods=["POST"]),
    Route("/graphql", _GraphQLGet(), methods=["GET"]),
]
