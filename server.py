"""ocop-hub: the Starlette application (routes, lifespan, middleware) and its command line.

python server.py serve                  serve the API (HOST, PORT)
python server.py migrate [--demo-if-empty]
python server.py demo                   load the demo data set (idempotent)
python server.py export-schema [--output schema.graphql]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlencode

import orjson
import structlog
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult

import schema as graphql_schema
from schema.context import Context, build_context
from schema.limits import format_errors
from services import accounts, db, epcis_rest, reference, resolver
from services import logging as ocop_logging
from services import product_page as product_pages
from services import trace_page as trace_pages
from services.errors import DomainError
from services.policy import reach_of
from services.settings import Settings, load_settings

log = structlog.get_logger("ocop")


class ORJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context and orjson (Vietnamese stays UTF-8, not \\u-escaped), for GET
    and GraphiQL in development only: production does not mount it."""

    async def get_context(self, request: Any, response: Any = None) -> Context:
        return await build_context(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        return cast(GraphQLHTTPResponse, response_body(result, request, production=False))


class RequestLogMiddleware:
    """One structured log line per request, with a request id echoed in `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        # Reachable as request.state.request_id (masked errors name it), and in every log line of the request.
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 2),
                request_id=request_id,
            )


@dataclass(frozen=True, slots=True)
class GraphQLConfig:
    """What /graphql serves in this app (`app.state.graphql`)."""

    schema: Schema
    production: bool
    timeout_s: float


def _refusal(status: int, code: str, message: str, **headers: str) -> Response:
    return ORJSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status, headers=headers
    )


def response_body(result: ExecutionResult, request: Request, *, production: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        request_id = getattr(request.state, "request_id", None)
        payload["errors"] = format_errors(result.errors, production=production, request_id=request_id)
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload


async def graphql_post(request: Request) -> Response:
    """POST /graphql with a JSON body, executed without strawberry's generic HTTP view (which handles
    uploads, batching and subscriptions we do not offer, at ~1.5 ms a request). Only application/json is
    accepted, so a browser form cannot post a query across sites; one operation per request (no batches);
    the whole request, context included, gets `timeout_s` seconds."""
    config: GraphQLConfig = request.app.state.graphql
    if request.headers.get("content-type", "").split(";", 1)[0].strip().lower() != "application/json":
        return _refusal(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
    try:
        body = orjson.loads(await request.body())
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
    return ORJSONResponse(response_body(result, request, production=config.production))


async def graphql_get_refused(request: Request) -> Response:
    message = "GraphQL is served over POST with a JSON body only: GET (and GraphiQL) is off in production"
    return _refusal(405, "METHOD_NOT_ALLOWED", message, allow="POST")


async def healthz(request: Request) -> Response:
    return ORJSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    ready, reason = await db.is_ready()
    return ORJSONResponse(
        {"status": "ok" if ready else "unavailable", "reason": reason}, status_code=200 if ready else 503
    )


class CompressedLinkConvertor(Convertor[str]):
    """A one-segment compressed GS1 Digital Link: URI-safe base 64 of at least 10 characters (a GTIN alone
    takes 10), so that the route does not take over short paths such as /graphql or /healthz."""

    regex = "[A-Za-z0-9_-]{10,}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("gs1compressed", CompressedLinkConvertor())


def _resolver_response(answer: resolver.Answer, method: str) -> Response:
    response = Response(answer.body, answer.status, answer.headers, answer.media_type)
    if method == "HEAD":
        response.body = b""  # the headers (Content-Length included) stay those of GET
    return response


async def gs1_resolve(request: Request) -> Response:
    """GS1 Digital Link resolver (services/resolver.py): /01/..., /p/... and compressed links. The path is
    read raw, since a lot or serial may hold a percent-encoded "/"."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    answer = await resolver.answer(
        resolver.ResolverRequest(
            method=request.method,
            raw_path=path,
            query=request.scope.get("query_string", b"").decode("latin-1"),
            accept=request.headers.get("accept", ""),
            accept_language=request.headers.get("accept-language", ""),
            base_url=request.app.state.public_base_url,
        )
    )
    return _resolver_response(answer, request.method)


def _html_page(request: Request, body: str, headers: dict[str, str], *, max_age: int) -> Response:
    """A public HTML page with an ETag: 304 when the client has it, no body for HEAD."""
    tag = trace_pages.etag(body)
    headers = {**headers, "ETag": tag, "Cache-Control": f"public, max-age={max_age}, must-revalidate"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    response = HTMLResponse(body, headers=headers)
    if request.method == "HEAD":
        response.body = b""
    return response


async def trace_page(request: Request) -> Response:
    """The public trace page of a lot: /t/{productCode}/{lot}, the default target of its QR code."""
    raw = request.scope.get("raw_path")
    path = (raw.decode("latin-1") if raw else request.url.path).removeprefix(
        request.scope.get("root_path", "")
    )
    code, _, lot = path.removeprefix("/t/").partition("/")
    lang = trace_pages.choose_language(
        request.query_params.get("lang"), request.headers.get("accept-language", "")
    )
    headers = {"Vary": "Accept-Language", "Content-Language": lang}
    found = await trace_pages.find_batch(code, unquote(lot).rstrip("/"))
    if found is None:
        return HTMLResponse(trace_pages.not_found_html(lang), 404, headers=headers)
    page = await trace_pages.build(*found, lang, request.app.state.public_base_url, trace_pages.today())
    return _html_page(request, trace_pages.render(page), headers, max_age=60)


async def product_page(request: Request) -> Response:
    """The public product page: /products/{productCode} (the resolver's gs1:pip target)."""
    lang = trace_pages.choose_language(
        request.query_params.get("lang"), request.headers.get("accept-language", "")
    )
    headers = {"Vary": "Accept-Language", "Content-Language": lang}
    product = await product_pages.find_product(request.path_params["code"])
    if product is None:
        return HTMLResponse(trace_pages.not_found_html(lang), 404, headers=headers)
    body = product_pages.render(await product_pages.build(product, lang, trace_pages.today()))
    return _html_page(request, body, headers, max_age=300)


async def gs1_resolver_description(request: Request) -> Response:
    answer = resolver.description_answer(request.method, request.app.state.public_base_url)
    return _resolver_response(answer, request.method)


# -- EPCIS 2.0 REST interface (services/epcis_rest.py) --------------------------------------------------------

_EPCIS_JSON_TYPES = ("application/json", "application/ld+json")


def _problem_response(problem: epcis_rest.Problem) -> Response:
    headers = dict(epcis_rest.HEADERS)
    if problem.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if "captureID" in problem.extra:  # a failed capture job: its outcome stays readable
        headers["Location"] = f"/epcis/capture/{problem.extra['captureID']}"
    return Response(
        orjson.dumps(problem.body()), problem.status, headers, media_type="application/problem+json"
    )


async def _epcis_actor(request: Request) -> accounts.Actor:
    try:
        return await accounts.authenticate(request.headers.get("authorization"))
    except DomainError as exc:
        raise epcis_rest.problem_of(exc) from exc


async def epcis_events(request: Request) -> Response:
    """GET /epcis/events: a SimpleEventQuery answered with an EPCISQueryDocument, paged by perPage/Link."""
    try:
        actor = await _epcis_actor(request)
        params = list(request.query_params.multi_items())
        page = await epcis_rest.query_events(params, await reach_of(actor), request.app.state.public_base_url)
    except epcis_rest.Problem as problem:
        return _problem_response(problem)
    headers = dict(epcis_rest.HEADERS) | {"Vary": "Accept, Authorization"}
    if page.next_token is not None:
        kept = [(k, v) for k, v in params if k != "nextPageToken"] + [("nextPageToken", page.next_token)]
        headers["Link"] = f'<{request.url.replace(query=urlencode(kept))}>; rel="next"'
        headers["GS1-Next-Page-Token"] = page.next_token
    accept = request.headers.get("accept", "")
    media_type = "application/ld+json" if "application/ld+json" in accept else "application/json"
    return Response(orjson.dumps(page.document), 200, headers, media_type=media_type)


async def epcis_capture(request: Request) -> Response:
    """POST /epcis/capture: an EPCISDocument recorded all-or-nothing; 202 with the (finished) capture job."""
    try:
        actor = await _epcis_actor(request)
        if not actor.is_authenticated:
            raise epcis_rest.security_problem(401, "Authentication required (Authorization: Bearer ...).")
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type not in _EPCIS_JSON_TYPES:
            raise epcis_rest.Problem(
                415,
                "epcisException:UnsupportedMediaType",
                "Unsupported media type",
                "Send the EPCISDocument as application/ld+json or application/json.",
            )
        body = await request.body()
        if len(body) > epcis_rest.CAPTURE_MAX_BYTES:
            raise epcis_rest.capture_too_large(f"At most {epcis_rest.CAPTURE_MAX_BYTES} bytes per capture.")
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise epcis_rest.validation_problem(f"The body is not JSON: {exc}", [str(exc)]) from exc
        job = await epcis_rest.capture(
            document,
            actor,
            await reach_of(actor),
            request.app.state.public_base_url,
            request.app.state.capture_jobs,
        )
    except epcis_rest.Problem as problem:
        return _problem_response(problem)
    location = f"/epcis/capture/{job.capture_id}"
    return ORJSONResponse(job.json(), 202, headers=dict(epcis_rest.HEADERS) | {"Location": location})


async def epcis_capture_job(request: Request) -> Response:
    """GET /epcis/capture/{captureID}: a capture job of this process, for the user who captured."""
    try:
        actor = await _epcis_actor(request)
        if not actor.is_authenticated:
            raise epcis_rest.security_problem(401, "Authentication required (Authorization: Bearer ...).")
    except epcis_rest.Problem as problem:
        return _problem_response(problem)
    jobs: epcis_rest.CaptureJobs = request.app.state.capture_jobs
    job = jobs.get(request.path_params["capture_id"], actor)
    if job is None:
        return _problem_response(
            epcis_rest.Problem(
                404,
                "epcisException:NoSuchResourceException",
                "No such capture job",
                "Unknown capture id (jobs are kept per server process and lost on restart).",
            )
        )
    return ORJSONResponse(job.json(), headers=dict(epcis_rest.HEADERS))


def create_app(settings: Settings | None = None, *, connect: bool = True) -> Starlette:
    """The application. `connect=False` leaves the database to the caller (tests connect once per run)."""
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Fail at start, not at the first sign-in: production needs OCOP_SECRET_KEY for the token hashes.
        accounts.secret_key()
        if connect:
            await db.connect(settings.database_url)
        # Objects created at start-up are never freed: keep them out of the cyclic GC's scans, which
        # otherwise cause the p99 latency spikes measured under load.
        gc.collect()
        gc.freeze()
        log.info(
            "started", environment=settings.environment.value, database=settings.database_url.split("://")[0]
        )
        try:
            yield
        finally:
            if connect:
                await db.disconnect()

    schema = graphql_schema.build_schema(production=settings.is_production, max_cost=settings.max_query_cost)
    # Development: GET queries and GraphiQL through strawberry's view (it refuses mutations over GET with
    # 400). Production: no GET at all, hence no GraphiQL and no query in a URL.
    graphql_get: Any = (
        graphql_get_refused
        if settings.is_production
        else GraphQLApp(schema, graphql_ide="graphiql", allow_queries_via_get=True)
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql_post, methods=["POST"]),
            Route("/graphql", graphql_get, methods=["GET"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            # GS1 Digital Link resolver (services/resolver.py).
            Route("/.well-known/gs1resolver", gs1_resolver_description, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/01/{rest:path}", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/gtin/{rest:path}", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/p/{rest:path}", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/t/{code}/{lot:path}", trace_page, methods=["GET", "HEAD"]),
            Route("/products/{code}", product_page, methods=["GET", "HEAD"]),
            # EPCIS 2.0 REST interface (services/epcis_rest.py).
            Route("/epcis/events", epcis_events, methods=["GET"]),
            Route("/epcis/capture", epcis_capture, methods=["POST"]),
            Route("/epcis/capture/{capture_id}", epcis_capture_job, methods=["GET"]),
            # Keep last: a long one-segment path may be a compressed Digital Link.
            Route("/{compressed:gs1compressed}", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/{compressed:gs1compressed}/", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
        ],
        lifespan=lifespan,
    )
    app.state.graphql = GraphQLConfig(schema, settings.is_production, settings.request_timeout_s)
    app.state.public_base_url = settings.public_base_url
    app.state.capture_jobs = epcis_rest.CaptureJobs()
    app.add_middleware(RequestLogMiddleware)
    return app


# -- command line ---------------------------------------------------------------------------------------


async def _migrate(settings: Settings, demo_if_empty: bool) -> None:
    await db.migrate(settings.database_url)
    await db.connect(settings.database_url)
    try:
        await reference.sync_all()
        if demo_if_empty and not settings.is_production:
            from services import demo

            if await demo.is_empty():
                counts = await demo.load(
                    with_accounts=not settings.is_production, base_url=settings.public_base_url
                )
                log.info("demo data loaded", **counts)
    finally:
        await db.disconnect()


async def _demo(settings: Settings) -> None:
    from services import demo

    if settings.is_production:
        raise SystemExit(
            "The demo data set (fictional producers, a published password) is never loaded in production."
        )
    await db.connect(settings.database_url)
    try:
        await reference.sync_all()
        counts = await demo.load(with_accounts=True, base_url=settings.public_base_url)
        log.info("demo data loaded", **counts)
    finally:
        await db.disconnect()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="server.py", description="ocop-hub")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the API")
    migrate = commands.add_parser("migrate", help="apply migrations and load reference data")
    migrate.add_argument(
        "--demo-if-empty", action="store_true", help="load the demo data into an empty database"
    )
    commands.add_parser("demo", help="load the demo data set (idempotent)")
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path)
    args = parser.parse_args(argv)

    settings = load_settings()
    ocop_logging.configure(settings.log_level, json=settings.is_production)
    if args.command == "export-schema":
        text = graphql_schema.sdl()
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "migrate":
        asyncio.run(_migrate(settings, args.demo_if_empty))
        return 0
    if args.command == "demo":
        asyncio.run(_demo(settings))
        return 0
    import uvicorn

    log.info("serving", url=f"http://{settings.host}:{settings.port}/graphql")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
