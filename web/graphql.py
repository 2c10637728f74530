"""/graphql: POST with a JSON body for every client, and in development GET and GraphiQL through
strawberry's view, whose GraphiQL page is ours (`explorer_page`): every script and style it loads is
vendored in static/graphiql/ (scripts/vendor_graphiql.sh, pinned in its manifest.json with sha384
integrity) and served from /graphql/assets/, so the explorer works without internet. Its refusals stay in the GraphQL response format (`errors[].extensions.code`), which
GraphQL clients read (GraphQL over HTTP), not in web/refusals.py's shape."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import html
import time
from dataclasses import dataclass
from typing import Any, cast

import orjson
import structlog
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.compiled import policy as compiled
from schema.context import Context, build_context, language_of
from schema.limits import format_errors
from schema.response_cache import cacheability
from services.api import response_cache, trusted_documents
from services.api.trusted_documents import Registered
from services.common import metrics, paths, settings, tracing
from services.common.settings import Settings, TrustedDocuments
from services.common.settings import current as current_settings
from web import subscriptions
from web.middleware import BodyTooLarge, read_body
from web.responses import ORJSONResponse

log = structlog.get_logger("ocop")


_OVER_POST = (OperationType.QUERY, OperationType.MUTATION)


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context and orjson (Vietnamese stays UTF-8, not \\u-escaped), for GET
    and GraphiQL in development only: production does not mount it."""

    async def get_context(self, request: Any, response: Any = None) -> Context:
        return await build_context(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        return cast(GraphQLHTTPResponse, response_body(result, request, production=False))

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        return HTMLResponse(explorer_page(), headers={"content-security-policy": EXPLORER_CSP})


# The explorer's assets: vendored, pinned, checked (tests/api/test_graphiql.py holds files, manifest and page
# together). Their names carry the version, so they are cached for a year.
ASSETS = paths.STATIC / "graphiql"
ASSET_PREFIX = "/graphql/assets/"
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# Scripts from this origin only, none inline; GraphiQL sets style attributes (hence 'unsafe-inline' for
# styles) and inlines its icons and fonts as data: URLs.
EXPLORER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@functools.cache
def asset_manifest() -> dict[str, str]:
    """File name → sha384 integrity of every vendored asset, from static/graphiql/manifest.json."""
    manifest = orjson.loads((ASSETS / "manifest.json").read_bytes())
    return {asset["file"]: asset["integrity"] for asset in manifest["assets"]}


def own_integrity(name: str) -> str:
    """The sha384 integrity of one of our own explorer files (not vendored, hence not in the manifest)."""
    return "sha384-" + base64.b64encode(hashlib.sha384((ASSETS / name).read_bytes()).digest()).decode()


def explorer_page() -> str:
    """The GraphiQL page: vendored assets with their integrity, our start-up script, the example operations
    as a JSON data block (not executed, so the CSP allows it)."""
    manifest = asset_manifest()
    styles, scripts = [], []
    for name, integrity in manifest.items():
        url = html.escape(ASSET_PREFIX + name)
        if name.endswith(".css"):
            styles.append(f'<link rel="stylesheet" href="{url}" integrity="{integrity}">')
        else:
            scripts.append(f'<script src="{url}" integrity="{integrity}"></script>')
    examples = orjson.dumps(orjson.loads((ASSETS / "examples.json").read_bytes())).decode()
    examples = examples.replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ocop-hub GraphiQL</title>
{chr(10).join(styles)}
<link rel="stylesheet" href="{ASSET_PREFIX}explorer.css" integrity="{own_integrity("explorer.css")}">
</head>
<body>
<div id="graphiql">Loading…</div>
<script type="application/json" id="graphiql-examples">{examples}</script>
{chr(10).join(scripts)}
<script src="{ASSET_PREFIX}explorer.js" integrity="{own_integrity("explorer.js")}"></script>
</body>
</html>
"""


async def explorer_asset(request: Request) -> Response:
    """GET /graphql/assets/{name}: a vendored GraphiQL file or our start-up script; development only (the
    explorer does not exist in production)."""
    config: GraphQLConfig = request.app.state.graphql
    name = request.path_params["name"]
    allowed = {*asset_manifest(), "explorer.js", "explorer.css"}
    if config.production or name not in allowed:
        return Response("Not Found", status_code=404, media_type="text/plain")
    cache = "public, max-age=31536000, immutable" if name in asset_manifest() else "no-cache"
    media_type = _MEDIA_TYPES[name[name.rindex(".") :]]
    return FileResponse(ASSETS / name, media_type=media_type, headers={"cache-control": cache})


@dataclass(frozen=True, slots=True)
class GraphQLConfig:
    """What /graphql serves in this app (`app.state.graphql`)."""

    schema: Schema
    production: bool
    timeout_s: float
    # Development: GET queries and GraphiQL through strawberry's view (it refuses mutations over GET with
    # 400). Production: None, no free-form GET at all, hence no GraphiQL and no query in a URL; registered
    # queries are served over GET in both (`graphql_get_trusted`).
    get_view: ASGIApp | None = None
    trusted_documents: TrustedDocuments = TrustedDocuments.ALLOW
    max_age_s: int = 60
    # WebSocket /graphql: subscriptions over graphql-transport-ws (web/subscriptions.py), in every environment.
    live: ASGIApp | None = None
    # Anonymous reads' answers, kept per process (OCOP_RESPONSE_CACHE_TTL_S, _MAX_BYTES; `cached_answer`).
    responses: response_cache.ResponseCache | None = None

    @classmethod
    def of(
        cls,
        schema: Schema,
        *,
        production: bool,
        timeout_s: float,
        trusted_documents: TrustedDocuments = TrustedDocuments.ALLOW,
        max_age_s: int = 60,
        settings: Settings | None = None,
    ) -> GraphQLConfig:
        view = None if production else GraphQLApp(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        config = settings or current_settings()
        live = subscriptions.LiveView(
            schema,
            production=production,
            max_subscriptions=config.ws_max_subscriptions,
            max_connections=config.ws_max_connections,
            heartbeat_s=config.ws_heartbeat_s,
            init_timeout_s=config.ws_init_timeout_s,
        )
        responses = response_cache.ResponseCache(config.response_cache_ttl_s, config.response_cache_max_bytes)
        return cls(
            schema, production, timeout_s, view, trusted_documents, max_age_s, live,
            responses if responses.enabled else None,
        )  # fmt: skip


def _refusal(status: int, code: str, message: str, **headers: str) -> Response:
    return ORJSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status, headers=headers
    )


def _said(request: Request, vi: str, en: str) -> str:
    return en if language_of(request) == "en" else vi


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


@dataclass(frozen=True, slots=True)
class Sent:
    """One operation as the client sent it: a free-form `query`, a registered document's hash (the
    GraphQL-over-HTTP `documentId: "sha256:<hex>"` or Apollo's `extensions.persistedQuery.sha256Hash`), or
    both (Apollo's automatic persisted queries send both after a PERSISTED_QUERY_NOT_FOUND)."""

    query: str | None
    document_hash: str | None
    variables: dict[str, Any] | None
    operation_name: str | None


_BAD_BODY = (
    "The body must be a JSON object with a 'query' string or a 'documentId', and optional 'variables' object"
)


def read_sent(fields: dict[str, Any], request: Request, *, from_url: bool = False) -> Sent | Response:
    """The operation in a POST body's fields, or in a GET's parameters (`variables` and `extensions` are
    JSON there); a 400 BAD_REQUEST naming what is wrong."""
    if from_url:
        for name in ("variables", "extensions"):
            if isinstance(fields.get(name), str):
                try:
                    fields[name] = orjson.loads(fields[name])
                except orjson.JSONDecodeError:
                    return _refusal(400, "BAD_REQUEST", f"The '{name}' parameter must be JSON")
    query, variables, operation_name, document_id, extensions = (
        fields.get(k) for k in ("query", "variables", "operationName", "documentId", "extensions")
    )
    if (
        not isinstance(query, str | None)
        or not isinstance(variables, dict | None)
        or not isinstance(operation_name, str | None)
        or not isinstance(document_id, str | None)
        or not isinstance(extensions, dict | None)
    ):
        return _refusal(400, "BAD_REQUEST", _BAD_BODY)
    digest = None
    persisted = (extensions or {}).get("persistedQuery")
    if document_id is not None:
        digest = trusted_documents.document_hash(document_id) if document_id.startswith("sha256:") else None
        if digest is None:
            message = _said(
                request,
                "documentId phải có dạng sha256:<64 ký tự hex>.",
                "documentId must be sha256:<64 hex digits>.",
            )
            return _refusal(400, "BAD_REQUEST", message)
    elif persisted is not None:
        sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        digest = trusted_documents.document_hash(sha) if isinstance(sha, str) else None
        if digest is None or persisted.get("version") != 1:
            message = _said(
                request,
                "extensions.persistedQuery phải là {version: 1, sha256Hash: <64 ký tự hex>}.",
                "extensions.persistedQuery must be {version: 1, sha256Hash: <64 hex digits>}.",
            )
            return _refusal(400, "BAD_REQUEST", message)
    if query is None and digest is None:
        return _refusal(400, "BAD_REQUEST", _BAD_BODY)
    return Sent(query, digest, variables, operation_name)


async def choose_document(
    request: Request, config: GraphQLConfig, sent: Sent, context: Context
) -> tuple[str, Registered | None] | Response:
    """The document to run, the registered one when the hash names one, or the refusal the mode
    (OCOP_TRUSTED_DOCUMENTS) gives: off refuses hashes, only refuses anonymous free-form documents."""
    mode = config.trusted_documents
    if sent.document_hash is not None:
        if mode == TrustedDocuments.OFF:
            message = _said(
                request,
                "Máy chủ này không chạy tài liệu đã đăng ký (OCOP_TRUSTED_DOCUMENTS=off): hãy gửi 'query'.",
                "This server does not run registered documents (OCOP_TRUSTED_DOCUMENTS=off): send the 'query'.",
            )
            return _refusal(400, "PERSISTED_QUERY_NOT_SUPPORTED", message)
        if sent.query is not None and trusted_documents.sha256_of(sent.query) != sent.document_hash:
            message = _said(
                request,
                "Mã băm không khớp với query đã gửi (SHA-256 của query ở dạng UTF-8).",
                "The hash does not match the query sent (the SHA-256 of its UTF-8 text).",
            )
            return _refusal(400, "BAD_REQUEST", message)
        registered = await trusted_documents.find(sent.document_hash)
        if registered is not None:
            return registered.body, registered
        if sent.query is None:
            message = _said(
                request,
                f"Không có tài liệu đăng ký với mã băm {sent.document_hash}: hãy đăng ký manifest của ứng dụng"
                " (server.py trusted-documents register) hoặc gửi 'query'.",
                f"No registered document has the hash {sent.document_hash}: register the client's manifest"
                " (server.py trusted-documents register) or send the 'query'.",
            )
            return _refusal(200, "PERSISTED_QUERY_NOT_FOUND", message, **{"cache-control": "no-store"})
    assert sent.query is not None
    if mode == TrustedDocuments.ONLY and not context.actor.is_authenticated:
        message = _said(
            request,
            "Máy chủ này chỉ chạy tài liệu đã đăng ký cho người dùng chưa đăng nhập: gửi 'documentId'"
            " (sha256:<mã băm>) thay cho 'query', hoặc đăng nhập.",
            "This server runs only registered documents for anonymous callers: send a 'documentId'"
            " (sha256:<hash>) instead of the 'query', or sign in.",
        )
        return _refusal(400, "PERSISTED_QUERY_ID_REQUIRED", message)
    return sent.query, None


@dataclass(slots=True)
class _Seen:
    """What metrics say of one operation: its name (registered: a registered document's), its type."""

    name: str | None
    registered: bool = False
    type: str = "unknown"

    def take(self, operation: tuple[str | None, str] | None) -> None:
        if operation is not None:
            self.name = operation[0] or self.name
            self.type = operation[1]


def _outcome(payload: response_cache.Answer | Response) -> str:
    """`OK`, or the code of the first error of the answer (a refusal's too)."""
    if isinstance(payload, response_cache.Answer) and payload.keep:
        return "OK"  # no error (a kept answer has none)
    try:
        errors = orjson.loads(bytes(payload.body)).get("errors") or []
    except (orjson.JSONDecodeError, AttributeError):
        return metrics.OTHER
    if not errors:
        return "OK"
    return metrics.code_label((errors[0].get("extensions") or {}).get("code"))


async def answer(
    request: Request, config: GraphQLConfig, sent: Sent, *, queries_only: bool = False
) -> response_cache.Answer | Response:
    """`_answer`, counted and timed by operation name, type and outcome in `ocop_graphql_operations_total`
    and `ocop_graphql_operation_duration_seconds` (services/common/metrics.py); in a span of its own when
    tracing is on."""
    started = time.perf_counter()
    seen = _Seen(sent.operation_name)
    if tracing.ENABLED:  # a span named by the operation (services/common/tracing.py)
        with tracing.span("graphql") as span:
            payload = await _answer(request, config, sent, seen, queries_only=queries_only)
            operation, code = (
                metrics.operation_label(seen.name, registered=seen.registered),
                _outcome(payload),
            )
            span.update_name(f"graphql {operation}")
            span.set_attributes(
                {
                    "graphql.operation.name": operation,
                    "graphql.operation.type": seen.type,
                    "ocop.graphql.code": code,
                }
            )
    else:
        payload = await _answer(request, config, sent, seen, queries_only=queries_only)
        operation, code = metrics.operation_label(seen.name, registered=seen.registered), _outcome(payload)
    metrics.observe_operation(operation, seen.type, code, time.perf_counter() - started)
    return payload


async def _answer(
    request: Request, config: GraphQLConfig, sent: Sent, seen: _Seen, *, queries_only: bool = False
) -> response_cache.Answer | Response:
    """Authenticates, chooses the document (`choose_document`) and runs it with the request's variables and
    operation, all within `timeout_s`: the encoded response, or a refusal (a timeout, no query, an unknown
    operation name; with `queries_only`, a document that is not a registered query: 405). An anonymous
    read is answered from the response cache when it may be (`cached_answer`)."""
    deadline = asyncio.timeout(config.timeout_s)
    try:
        async with deadline:
            context = await build_context(request)
            chosen = await choose_document(request, config, sent, context)
            if isinstance(chosen, Response):
                return chosen
            query, registered = chosen
            if registered is not None:
                seen.name, seen.registered = registered.operation_name, True
                seen.type = registered.operation_type
            if queries_only and (registered is None or registered.operation_type != "query"):
                message = _said(
                    request,
                    "Chỉ chạy truy vấn (query) qua GET; mutation phải gửi bằng POST.",
                    "Only queries run over GET; send mutations with POST.",
                )
                return _refusal(405, "METHOD_NOT_ALLOWED", message, allow="POST")
            answered = await cached_answer(request, config, sent, query, registered, context)
            seen.take(answered.operation)
            return answered
    except TimeoutError:
        if not deadline.expired():
            raise
        log.warning("graphql timeout", timeout_s=config.timeout_s)
        error = {
            "message": f"The request took longer than {config.timeout_s:g} s and was stopped.",
            "extensions": {"code": "TIMEOUT", "requestId": getattr(request.state, "request_id", None)},
        }
        return ORJSONResponse({"data": None, "errors": [error]}, headers={"cache-control": "no-store"})
    except MissingQueryError as exc:
        return _refusal(400, "BAD_REQUEST", str(exc))
    except CannotGetOperationTypeError as exc:
        return _refusal(400, "BAD_REQUEST", exc.as_http_error_reason())
    except InvalidOperationTypeError:
        message = "Subscriptions are served over WebSocket /graphql (graphql-transport-ws), not POST"
        return _refusal(400, "BAD_REQUEST", message)


async def cached_answer(
    request: Request,
    config: GraphQLConfig,
    sent: Sent,
    query: str,
    registered: Registered | None,
    context: Context,
) -> response_cache.Answer:
    """The executed answer, through the response cache when the caller is anonymous (no credentials at
    all) and the document may be kept (a query selecting no per-caller field, schema/response_cache.py).
    The key holds everything else the answer depends on: the document, variables, operation name,
    language and today's date (the public base URL is the app's, and so is the cache)."""

    async def render() -> response_cache.Answer:
        # A registered document may run on a compiled plan (OCOP_GRAPHQL_COMPILED, schema/compiled/).
        execution = compiled.begin(registered=registered is not None)
        result = await config.schema.execute(
            query,
            variable_values=sent.variables,
            context_value=context,
            operation_name=sent.operation_name,
            allowed_operation_types=_OVER_POST,
        )
        payload = response_body(result, request, production=config.production, sent=(query, sent.variables))
        if settings.current().graphql_debug:
            # OCOP_GRAPHQL_DEBUG=1: whether the operation ran compiled and, if not, why.
            payload.setdefault("extensions", {})["execution"] = execution.debug()
        return response_cache.Answer(orjson.dumps(payload), "errors" not in payload, None, context.operation)

    cache = config.responses
    if cache is None or context.actor.is_authenticated or "authorization" in request.headers:
        return await render()
    verdict = cacheability(config.schema, query, sent.operation_name)
    if not verdict.cacheable:
        return await render()
    document = registered.sha256 if registered is not None else trusted_documents.sha256_of(query)
    variables = orjson.dumps(sent.variables, option=orjson.OPT_SORT_KEYS) if sent.variables else b""
    key = (document, variables, sent.operation_name, context.language, context.today)
    answered, status = await cache.fetch(key, verdict.groups, render)
    request.state.cache_status = f"{CACHE_NAME}; {status}"
    return answered


# RFC 9211's Cache-Status: how the response cache gave an anonymous read (`cached_answer`); absent when the
# request could not be answered from it (signed in, a mutation, a per-caller field).
CACHE_NAME = "ocop-hub"


def _cache_status(request: Request) -> dict[str, str]:
    status = getattr(request.state, "cache_status", None)
    return {"cache-status": status} if status is not None else {}


async def graphql_post(request: Request) -> Response:
    """POST /graphql with a JSON body, executed without strawberry's generic HTTP view (which handles
    uploads and batching we do not offer, at ~1.5 ms a request; subscriptions are refused here: they are served
    over WebSocket /graphql, web/subscriptions.py). Only application/json is
    accepted, so a browser form cannot post a query across sites; one operation per request (no batches);
    the body is at most `graphql_max_bytes` (413 PAYLOAD_TOO_LARGE, refused while it streams, before it is
    parsed); the whole request, context included, gets `timeout_s` seconds. The operation is a free-form
    `query` or a registered document's hash (`choose_document`)."""
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
    sent = read_sent(body if isinstance(body, dict) else {}, request)
    if isinstance(sent, Response):
        return sent
    answered = await answer(request, config, sent)
    if isinstance(answered, Response):
        return answered
    return Response(answered.body, media_type="application/json", headers=_cache_status(request))


_VARY = "Accept-Language, Authorization"


async def graphql_get_trusted(request: Request) -> Response:
    """GET /graphql?documentId=sha256:<hex>&variables=<JSON>&operationName=… (or Apollo's
    `extensions={"persistedQuery":…}`): a registered query, in production too. Mutations are refused (405:
    a GET must change nothing, and a link or a prefetch could run it). The answer has a strong ETag over its
    body (If-None-Match → 304) and `Cache-Control: public, max-age=<OCOP_TRUSTED_DOCUMENTS_MAX_AGE_S>` when
    the caller sent no credentials and the answer has no error, so that a CDN or the reverse proxy may keep
    it; `private, no-store` otherwise. `Vary` names the headers that change the answer."""
    config: GraphQLConfig = request.app.state.graphql
    sent = read_sent(dict(request.query_params), request, from_url=True)
    if isinstance(sent, Response):
        return sent
    if sent.document_hash is None:
        return _refusal(400, "BAD_REQUEST", _BAD_BODY)
    sent = Sent(None, sent.document_hash, sent.variables, sent.operation_name)  # the URL's query is not run
    answered = await answer(request, config, sent, queries_only=True)
    if isinstance(answered, Response):
        return answered
    body = answered.body
    public = answered.keep and "authorization" not in request.headers
    if answered.etag is None:  # computed once per kept answer: a cache hit reuses it
        answered.etag = f'"{hashlib.sha256(body).hexdigest()}"'
    headers = {
        "etag": answered.etag,
        "cache-control": f"public, max-age={config.max_age_s}" if public else "private, no-store",
        "vary": _VARY,
    } | _cache_status(request)
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _wants_trusted(request: Request) -> bool:
    return "documentId" in request.query_params or "extensions" in request.query_params


class _GraphQLGet:
    """GET /graphql: a registered query by its hash in every environment (`graphql_get_trusted`); else
    strawberry's view in development (GraphiQL, free-form queries: refused to anonymous callers when
    OCOP_TRUSTED_DOCUMENTS=only), a 405 in production (`GraphQLConfig.get_view`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        config: GraphQLConfig = scope["app"].state.graphql
        request = Request(scope, receive)
        if _wants_trusted(request):
            response = await graphql_get_trusted(request)
            await response(scope, receive, send)
            return
        if config.get_view is not None:
            if config.trusted_documents == TrustedDocuments.ONLY and "query" in request.query_params:
                sent = Sent("", None, None, None)
                refusal = await choose_document(request, config, sent, await build_context(request))
                if isinstance(refusal, Response):
                    await refusal(scope, receive, send)
                    return
            await config.get_view(scope, receive, send)
            return
        message = (
            "GraphQL is served over POST with a JSON body only: GET (and GraphiQL) is off in production,"
            " but for registered queries (documentId)"
        )
        await _refusal(405, "METHOD_NOT_ALLOWED", message, allow="POST")(scope, receive, send)


async def close(config: GraphQLConfig) -> None:
    """At shutdown: give back what the subscriptions hold (the connection counting their seats)."""
    if isinstance(config.live, subscriptions.LiveView):
        await config.live.seats.close()


class _GraphQLWebSocket:
    """WebSocket /graphql: the subscriptions (`GraphQLConfig.live`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        config: GraphQLConfig = scope["app"].state.graphql
        assert config.live is not None
        await config.live(scope, receive, send)


routes: list[BaseRoute] = [
    WebSocketRoute("/graphql", _GraphQLWebSocket()),
    Route("/graphql", graphql_post, methods=["POST"]),
    Route("/graphql", _GraphQLGet(), methods=["GET"]),
    Route(ASSET_PREFIX + "{name}", explorer_asset, methods=["GET"]),
]
