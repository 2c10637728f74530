"""ocop-hub: the Starlette application (routes, lifespan, middleware) and its command line.

python server.py serve                  serve the API (HOST, PORT)
python server.py migrate [--demo-if-empty]
python server.py demo                   load the demo data set (idempotent)
python server.py export-schema [--output schema.graphql]
python server.py labels --batch-id N --template L7651 --count 500 [--serialized] [--format pdf] [-o FILE]
python server.py catalog --fair SLUG [--language vi|en|bilingual] [--paper A4|A5] [-o FILE]
python server.py worker [--concurrency N] [--local]   run background jobs (catalog renders)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import os
import re
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
from starlette.background import BackgroundTask
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry import Schema, relay
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult

import schema as graphql_schema
from schema.context import Context, build_context
from schema.limits import format_errors
from services.accounts import auth as accounts
from services.common import db, page_cache, sandbox
from services.common import logging as ocop_logging
from services.common.errors import DomainError
from services.common.settings import Settings, load_settings
from services.fairs.catalog import job as catalog_job
from services.jobs import queue as jobs
from services.labels import pdf as label_pdf
from services.labels import runs as label_runs
from services.labels import scans as label_scans
from services.labels.templates import find_template as find_label_template
from services.packaging import designs as packaging_designs
from services.packaging import preview as packaging_preview
from services.packaging import uploads as packaging_uploads
from services.policy import SYSTEM, reach_of
from services.registry import product_page as product_pages
from services.registry import reference
from services.trace import epcis_query as epcis_rest
from services.trace import page as trace_pages
from services.trace import resolver
from services.trace.events import VIETNAM

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


# The scope entry through which FrontCacheMiddleware hands a request it may keep to the handler:
# (the FrontCache, the request's key). Absent: the answer must not be kept there.
FRONT_CACHE_SCOPE = "ocop.front_cache"
_FRONT_PREFIXES = ("/01/", "/gtin/", "/p/", "/t/", "/products/")  # resolver, trace and product pages
_FRONT_COMPRESSED = re.compile(r"/[A-Za-z0-9_-]{10,}/?").fullmatch  # a compressed Digital Link's route


class FrontCacheMiddleware:
    """Answers a repeated public GET or HEAD (a QR scan's redirect, a trace or product page) from
    `page_cache.FrontCache` before Starlette routes it: no handler runs. Only the answers the handlers offered
    (`_offer_front`) are there, keyed by the exact request (raw path, query string, Accept,
    Accept-Language; HEAD shares GET's entry and gets no body), and only while the page cache's own entry
    is current. An If-None-Match equal to a kept page's ETag gets its 304. Requests with Authorization or a
    cookie, other methods and other paths go straight through. It sits inside RequestLogMiddleware: a hit
    has its request id and its log line like any request (docs/operators.md)."""

    def __init__(self, app: ASGIApp, cache: page_cache.FrontCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not (scope["path"].startswith(_FRONT_PREFIXES) or _FRONT_COMPRESSED(scope["path"]))
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])  # ASGI names are lower case; the last of repeated ones, as handlers
        if b"authorization" in headers or b"cookie" in headers:
            await self.app(scope, receive, send)
            return
        key = (
            scope.get("raw_path") or scope["path"].encode(),
            scope.get("query_string", b""),
            headers.get(b"accept"),
            headers.get(b"accept-language"),
        )
        entry = self.cache.get(key)
        if entry is None:
            scope[FRONT_CACHE_SCOPE] = (self.cache, key)
            await self.app(scope, receive, send)
            return
        cached = entry.response
        if entry.etag is not None and headers.get(b"if-none-match") == entry.etag:
            status, raw_headers, body = 304, cached.not_modified_headers, b""
        else:
            status, raw_headers = cached.status, cached.headers
            body = cached.body if scope["method"] == "GET" else b""
        # A new list: outer middleware appends to it (X-Request-ID).
        await send({"type": "http.response.start", "status": status, "headers": list(raw_headers)})
        await send({"type": "http.response.body", "body": body})


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


# -- public pages and resolver answers through the page cache (services/common/page_cache.py) ------------------------


class _CachedResponse(Response):
    """A response from the page cache: status, headers and body as they were encoded when rendered."""

    def __init__(self, status: int, headers: page_cache.RawHeaders, body: bytes) -> None:
        self.status_code = status
        self.raw_headers = list(headers)  # a copy: middleware appends to the list it is sent
        self.body = body
        self.background = None


@dataclass(slots=True)
class _PublicRequest:
    """The few headers the resolver and the public pages read (a scan is served from the page cache in
    tens of microseconds, so they are read from the raw ASGI headers, not through `Request.headers`)."""

    accept: str
    accept_language: str
    if_none_match: str | None
    credentials: bool  # Authorization or Cookie: never served from (or stored in) the cache

    @classmethod
    def of(cls, request: Request) -> _PublicRequest:
        headers = dict(request.scope["headers"])  # ASGI names are lower case
        if_none_match = headers.get(b"if-none-match")
        return cls(
            headers.get(b"accept", b"").decode("latin-1"),
            headers.get(b"accept-language", b"").decode("latin-1"),
            None if if_none_match is None else if_none_match.decode("latin-1"),
            b"authorization" in headers or b"cookie" in headers,
        )


def _send(cached: page_cache.CachedResponse, method: str, if_none_match: str | None) -> Response:
    """A cached answer: 304 when the client has this ETag, no body for HEAD (the headers stay GET's)."""
    if cached.etag is not None and if_none_match == cached.etag:
        return _CachedResponse(304, cached.not_modified_headers, b"")
    return _CachedResponse(cached.status, cached.headers, b"" if method == "HEAD" else cached.body)


def _offer_front(
    request: Request,
    cache: page_cache.MicroCache[page_cache.CachedResponse],
    key: tuple[object, ...],
    cached: page_cache.CachedResponse,
    today: dt.date,
) -> None:
    """Offer the answer just sent from `cache` (under `key`) to the front cache, when FrontCacheMiddleware
    passed this request on as one it may keep: it is kept while that entry of `cache` is current, and not
    past the end of `today` (which `key` holds)."""
    front = request.scope.get(FRONT_CACHE_SCOPE)
    if front is None or cached.scan is not None:
        return
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), VIETNAM)
    until = page_cache._clock() + (midnight - dt.datetime.now(dt.UTC)).total_seconds()
    front[0].keep(front[1], cache, key, cached, until)


def _raw_path(request: Request) -> str:
    """The request path as received (percent-encoded), without the root path."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    root = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


async def gs1_resolve(request: Request) -> Response:
    """GS1 Digital Link resolver (services/trace/resolver.py): /01/..., /p/... and compressed links. The path is
    read raw, since a lot or serial may hold a percent-encoded "/". Answers go through the page cache
    (`resolver.cache_key` says what they depend on, `resolver.keep_for` how long they are kept)."""
    method = request.method
    if method == "OPTIONS":
        return _resolver_response(resolver.options_answer(), method)
    public = _PublicRequest.of(request)
    path = _raw_path(request)
    query = request.scope.get("query_string", b"").decode("latin-1")
    base_url: str = request.app.state.public_base_url
    today = trace_pages.today()

    async def render() -> tuple[page_cache.CachedResponse, float]:
        asked = resolver.ResolverRequest(method, path, query, public.accept, public.accept_language, base_url)
        answer = await resolver.answer(asked, today)
        response = Response(answer.body, answer.status, answer.headers, answer.media_type)
        scan = (answer.batch_id, answer.serial) if answer.batch_id and answer.serial else None
        cached = page_cache.CachedResponse(answer.status, answer.body, tuple(response.raw_headers), scan=scan)
        return cached, resolver.keep_for(answer.status)

    key = resolver.cache_key(path, query, public.accept, public.accept_language, base_url, today)
    cached = await page_cache.answers.fetch(key, render, bypass=public.credentials)
    _offer_front(request, page_cache.answers, key, cached, today)  # unless a serial to count (`scan`)
    sent = _send(cached, method, None)
    if method == "GET" and cached.scan is not None:
        # A scan of a serialised label, counted after the response is sent (services/labels/scans.py).
        sent.background = BackgroundTask(
            label_scans.record_scan,
            *cached.scan,
            address=request.client.host if request.client else None,
            language=resolver.preferred_language(public.accept_language),
            region=request.headers.get(request.app.state.region_header)
            if request.app.state.region_header
            else None,
        )
    return sent


def _html_page(status: int, html: str, language: str, *, max_age: int) -> page_cache.CachedResponse:
    """A public HTML page as it is cached: with an ETag and Cache-Control when found (a 404 has neither)."""
    body = html.encode()
    headers = {"Vary": "Accept-Language", "Content-Language": language}
    if status != 200:
        return page_cache.CachedResponse(status, body, tuple(HTMLResponse(body, status, headers).raw_headers))
    tag = trace_pages.etag(html)
    headers |= {"ETag": tag, "Cache-Control": f"public, max-age={max_age}, must-revalidate"}
    return page_cache.CachedResponse(
        200,
        body,
        tuple(HTMLResponse(body, 200, headers).raw_headers),
        tag,
        tuple(Response(status_code=304, headers=headers).raw_headers),
    )


def _page_language(request: Request, public: _PublicRequest) -> str:
    lang = request.query_params.get("lang") if request.scope.get("query_string") else None
    return trace_pages.choose_language(lang, public.accept_language)


async def trace_page(request: Request) -> Response:
    """The public trace page of a lot: /t/{productCode}/{lot}, the default target of its QR code. Cached
    per product code, lot, language and day; other query parameters do not change it."""
    code, _, lot = _raw_path(request).removeprefix("/t/").partition("/")
    lot_code = unquote(lot).rstrip("/")
    public = _PublicRequest.of(request)
    lang = _page_language(request, public)
    base_url: str = request.app.state.public_base_url
    today = trace_pages.today()

    # Opened from a serialised code (the resolver adds ?serial=): warn when that code looks copied.
    serial = request.query_params.get("serial", "")
    warn = bool(serial) and len(serial) <= 20 and await label_scans.flagged_serial(code, lot_code, serial)

    async def render() -> tuple[page_cache.CachedResponse, float]:
        found = await trace_pages.find_batch(code, lot_code)
        if found is None:
            page = _html_page(404, trace_pages.not_found_html(lang), lang, max_age=0)
        else:
            built = await trace_pages.build(*found, lang, base_url, today)
            built.scan_warning = warn
            page = _html_page(200, trace_pages.render(built), lang, max_age=page_cache.TRACE_PAGE_MAX_AGE)
        return page, page_cache.ttl_for(page.status, page_cache.TRACE_PAGE_MAX_AGE)

    key = ("t", code, lot_code, lang, today, base_url, warn)
    cached = await page_cache.pages.fetch(key, render, bypass=public.credentials)
    if not serial:  # with a serial, each view checks it: never answered by the front cache
        _offer_front(request, page_cache.pages, key, cached, today)
    return _send(cached, request.method, public.if_none_match)


async def product_page(request: Request) -> Response:
    """The public product page: /products/{productCode} (the resolver's gs1:pip target), cached like the
    trace page."""
    code: str = request.path_params["code"]
    public = _PublicRequest.of(request)
    lang = _page_language(request, public)
    today = trace_pages.today()

    async def render() -> tuple[page_cache.CachedResponse, float]:
        product = await product_pages.find_product(code)
        if product is None:
            page = _html_page(404, trace_pages.not_found_html(lang), lang, max_age=0)
        else:
            html = product_pages.render(await product_pages.build(product, lang, today))
            page = _html_page(200, html, lang, max_age=page_cache.PRODUCT_PAGE_MAX_AGE)
        return page, page_cache.ttl_for(page.status, page_cache.PRODUCT_PAGE_MAX_AGE)

    key = ("products", code, lang, today)
    cached = await page_cache.pages.fetch(key, render, bypass=public.credentials)
    _offer_front(request, page_cache.pages, key, cached, today)
    return _send(cached, request.method, public.if_none_match)


async def gs1_resolver_description(request: Request) -> Response:
    answer = resolver.description_answer(request.method, request.app.state.public_base_url)
    return _resolver_response(answer, request.method)


# -- EPCIS 2.0 REST interface (services/trace/epcis_query.py) --------------------------------------------------------

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


# -- labels (services/labels/) ------------------------------------------------------------------------------


async def label_run_output(request: Request) -> Response:
    """One output of a label run: /labels/runs/{id}/{format} with the signed query of `LabelRun.pdfUrl`
    (and the other `...Url` fields), or a bearer token of someone who manages the lot. Rendered on first
    request in a child process, then served from its file; the ETag is its sha256."""
    fmt = request.path_params["fmt"]
    try:
        run_id = int(request.path_params["run_id"])
    except ValueError:
        return _refusal(404, "NOT_FOUND", "No such label run.")
    if fmt not in label_runs.FORMATS:
        return _refusal(404, "NOT_FOUND", f"Formats: {', '.join(label_runs.FORMATS)}.")
    signed = label_runs.verify_download(
        run_id, fmt, request.query_params.get("expires", ""), request.query_params.get("sig", "")
    )
    if signed:
        found = await label_runs.runs_by_ids({run_id}, SYSTEM)
    else:
        try:
            actor = await accounts.authenticate(request.headers.get("authorization"))
        except DomainError:
            return _refusal(401, "UNAUTHENTICATED", "Invalid or expired token.")
        if not actor.is_authenticated:
            return _refusal(403, "FORBIDDEN", "This link has expired or is not signed: ask for a new one.")
        found = await label_runs.runs_by_ids({run_id}, await reach_of(actor))
    run = found.get(run_id)
    if run is None:
        return _refusal(404, "NOT_FOUND", "No such label run.")
    problem = label_runs.format_problem(await label_runs.job_of(run), fmt)
    if problem:
        return _refusal(422, "LABEL_TOO_SMALL", f"{fmt}: {problem}.")
    try:
        path, sha = await label_runs.output(run, fmt)
    except sandbox.ChildFailed as failed:
        log.warning("label render failed", run_id=run_id, fmt=fmt, error=str(failed))
        return _refusal(503, "RENDER_FAILED", f"The labels could not be produced: {failed}.")
    etag = f'"{sha}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400, immutable"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(
        path,
        media_type=label_runs.content_type(fmt),
        filename=label_runs.file_name(run, fmt),
        headers=headers,
        content_disposition_type="inline" if fmt in ("pdf", "qr-svg", "qr-png") else "attachment",
    )


async def label_calibration(request: Request) -> Response:
    """A template's calibration page: every label's outline and number, and a 100 mm scale (public)."""
    template = await find_label_template(request.path_params["code"])
    if template is None:
        return _refusal(404, "NOT_FOUND", "No such label template.")
    body = await asyncio.to_thread(label_pdf.calibration_pdf, template)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="calibration-{template.code}.pdf"',
            "Cache-Control": "public, max-age=3600",
        },
    )


async def design_preview(request: Request) -> Response:
    """GET /packaging/versions/{id}/preview.{pdf|png}: a design version's declared label panel at true size
    (services/packaging/preview.py), with the signed query of `DesignVersion.previewPdfUrl`/`previewPngUrl`
    or the bearer token of someone who sees the design. Rendered in a child process, then served from its
    file; the ETag is its sha256."""
    fmt = request.path_params["fmt"]
    try:
        version_id = int(request.path_params["version_id"])
    except ValueError:
        return _refusal(404, "NOT_FOUND", "No such design version.")
    if fmt not in packaging_preview.FORMATS:
        return _refusal(404, "NOT_FOUND", "Formats: pdf, png.")
    query = request.query_params
    if packaging_preview.verify_url(version_id, fmt, query.get("expires", ""), query.get("sig", "")):
        reach = SYSTEM
    else:
        try:
            actor = await accounts.authenticate(request.headers.get("authorization"))
        except DomainError:
            return _refusal(401, "UNAUTHENTICATED", "Invalid or expired token.")
        if not actor.is_authenticated:
            return _refusal(403, "FORBIDDEN", "This link has expired or is not signed: ask for a new one.")
        reach = await reach_of(actor)
    if await packaging_designs.visible_version(version_id, reach) is None:
        return _refusal(404, "NOT_FOUND", "No such design version.")
    panel = await packaging_preview.version_panel(version_id)
    if panel is None:
        return _refusal(422, "NO_DIMENSIONS", "The version declares no width and height: no preview.")
    try:
        output = await packaging_preview.render(panel, fmt)
    except packaging_preview.PreviewFailed as exc:
        log.warning("preview failed", version_id=version_id, fmt=fmt, error=str(exc))
        return _refusal(503, "PREVIEW_FAILED", "The preview could not be made.")
    etag = f'"{output.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=3600"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(
        output.path,
        media_type=packaging_preview.CONTENT_TYPES[fmt],
        filename=f"preview-version-{version_id}.{fmt}",
        headers=headers,
        content_disposition_type="inline",
    )


# -- artwork uploads (services/packaging/uploads.py) -----------------------------------------------------------


def _upload_refusal(exc: DomainError, request: Request) -> Response:
    """A refused upload: the status the refusal names (413 too large, 415 not an accepted type, 400
    otherwise) and its problems, in the request's language with both texts in `extensions`."""
    english = request.headers.get("accept-language", "").lower().startswith("en")
    status = exc.status if isinstance(exc, packaging_uploads.UploadRefused) else 400
    errors = [
        {
            "message": p.message_en if english else p.message,
            "extensions": {
                "code": p.code.name,
                "field": p.field,
                "message": p.message,
                "messageEn": p.message_en,
            },
        }
        for p in exc.problems
    ]
    return ORJSONResponse({"errors": errors}, status_code=status)


async def upload_file(request: Request) -> Response:
    """PUT (or POST) /uploads?token=...[&name=...]: one artwork file as the raw body, to the signed URL of
    `packaging_uploads.upload_url`. The token, not a cookie or header, names the user, so a cross-site form
    cannot upload in someone's name (GraphQL multipart uploads are not offered for that reason). The body
    is streamed into `store_upload` (refused at the first byte past the limit); the answer is the stored
    file's relay ID, sha256, detected media type and size."""
    user_id = await packaging_uploads.uploader_of(request.query_params.get("token", ""))
    if user_id is None:
        return _refusal(403, "FORBIDDEN", "This upload link has expired or is not signed: ask for a new one.")
    try:
        packaging_uploads.check_declared_size(request.headers.get("content-length"))
        stored = await packaging_uploads.store_upload(
            request.stream(), declared_name=request.query_params.get("name"), user_id=user_id
        )
    except DomainError as exc:
        return _upload_refusal(exc, request)
    return ORJSONResponse(
        {
            "fileId": relay.to_base64("StoredFile", stored.id),
            "sha256": stored.sha256,
            "mediaType": stored.media_type,
            "size": stored.size_bytes,
        },
        headers={"Cache-Control": "no-store"},
    )


# -- background jobs (services/jobs/queue.py) ----------------------------------------------------------------------


def _job_file(request: Request, job: Any, *, public: bool) -> Response:
    """A succeeded job's file; its ETag is the file's sha256 (a public catalog's URL stays while its data
    changes, hence a short max-age there)."""
    etag = f'"{job.result_sha256}"'
    cache = "public, max-age=300" if public else "private, max-age=86400, immutable"
    headers = {"ETag": etag, "Cache-Control": cache}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    media_type = jobs.content_type(job)
    return FileResponse(
        cast(Path, jobs.result_path(job)),
        media_type=media_type,
        filename=job.result_name,
        headers=headers,
        content_disposition_type="inline" if media_type == "application/pdf" else "attachment",
    )


async def job_result(request: Request) -> Response:
    """GET /jobs/{id}/result: a succeeded job's file, with the signed query of `Job.downloadUrl` or the
    bearer token of someone who may read the job (its creator; for a catalog, the fair's organisers)."""
    try:
        job_id = int(request.path_params["job_id"])
    except ValueError:
        return _refusal(404, "NOT_FOUND", "No such job.")
    query = request.query_params
    if jobs.verify_download(job_id, query.get("expires", ""), query.get("sig", "")):
        found = await jobs.jobs_by_ids({job_id}, SYSTEM)
    else:
        try:
            actor = await accounts.authenticate(request.headers.get("authorization"))
        except DomainError:
            return _refusal(401, "UNAUTHENTICATED", "Invalid or expired token.")
        if not actor.is_authenticated:
            return _refusal(403, "FORBIDDEN", "This link has expired or is not signed: ask for a new one.")
        found = await jobs.jobs_by_ids({job_id}, await reach_of(actor))
    job = found.get(job_id)
    if job is None:
        return _refusal(404, "NOT_FOUND", "No such job.")
    if job.status != "succeeded":
        return _refusal(409, "JOB_NOT_FINISHED", f"The job is {job.status} ({job.progress}%): no result yet.")
    if not jobs.has_result(job):
        return _refusal(410, "GONE", "The file is no longer kept: generate it again.")
    return _job_file(request, job, public=False)


async def fair_catalog_pdf(request: Request) -> Response:
    """GET /fairs/{slug}/catalog.pdf?lang=vi|en|bilingual&paper=A4|A5: the printable catalog of a published
    fair, for anyone. 200 with the PDF made from the current data; 202 while it is being made (the first
    request after a change queues it); 503 when its render failed; 404 for a fair not published."""
    query = request.query_params
    try:
        job = await catalog_job.public_catalog(
            request.path_params["slug"],
            query.get("lang", "vi"),
            query.get("paper", "A4"),
            request.app.state.public_base_url,
        )
    except DomainError as exc:
        return _refusal(400, "BAD_REQUEST", "; ".join(p.message_en for p in exc.problems))
    if job is None:
        return _refusal(404, "NOT_FOUND", "No published catalog for this fair.")
    if job.status == "succeeded":
        return _job_file(request, job, public=True)
    if job.status == "failed":
        message = "The catalog of the current data could not be made: its organisers can generate it again."
        return _refusal(503, "CATALOG_FAILED", message, **{"retry-after": "600"})
    return ORJSONResponse(
        {"status": job.status, "progress": job.progress},
        202,
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )


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
        # Background jobs: a local worker task (embedded default), procrastinate's dispatcher
        # (OCOP_JOBS=procrastinate on PostgreSQL) or none (OCOP_JOBS=off: `server.py worker` runs them).
        job_backend = jobs.backend(settings.database_url) if connect else "off"
        job_worker: asyncio.Task[None] | None = None
        deferrer: Any = None
        if job_backend == "local":
            job_worker = asyncio.create_task(jobs.LocalWorker().run(), name="job-worker")
        elif job_backend == "procrastinate":
            from services.jobs.procrastinate_backend import Procrastinate

            deferrer = Procrastinate(settings.database_url)
            await deferrer.open()
        try:
            yield
        finally:
            if job_worker is not None:
                job_worker.cancel()  # a running job goes back to the queue, its child is killed
                with contextlib.suppress(asyncio.CancelledError):
                    await job_worker
            if deferrer is not None:
                await deferrer.close()
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
            # Routes are tried in order and none overlaps another: the busiest first (health checks, the
            # API, then a QR scan's resolver answer and trace page).
            Route("/healthz", healthz),
            Route("/graphql", graphql_post, methods=["POST"]),
            Route("/01/{rest:path}", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/p/{rest:path}", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/t/{code}/{lot:path}", trace_page, methods=["GET", "HEAD"]),
            Route("/graphql", graphql_get, methods=["GET"]),
            Route("/readyz", readyz),
            # GS1 Digital Link resolver (services/trace/resolver.py); /01/ and /p/ are above.
            Route("/.well-known/gs1resolver", gs1_resolver_description, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/gtin/{rest:path}", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/products/{code}", product_page, methods=["GET", "HEAD"]),
            # EPCIS 2.0 REST interface (services/trace/epcis_query.py).
            Route("/epcis/events", epcis_events, methods=["GET"]),
            Route("/epcis/capture", epcis_capture, methods=["POST"]),
            Route("/epcis/capture/{capture_id}", epcis_capture_job, methods=["GET"]),
            # QR labels (services/labels/).
            Route("/labels/runs/{run_id}/{fmt}", label_run_output, methods=["GET"]),
            Route("/labels/templates/{code}/calibration.pdf", label_calibration, methods=["GET"]),
            Route("/packaging/versions/{version_id}/preview.{fmt}", design_preview, methods=["GET"]),
            # Artwork uploads to a signed URL (services/packaging/uploads.py).
            Route("/uploads", upload_file, methods=["PUT", "POST"]),
            # Background jobs (services/jobs/queue.py): results, and the public catalog of a published fair.
            Route("/jobs/{job_id}/result", job_result, methods=["GET", "HEAD"]),
            Route("/fairs/{slug}/catalog.pdf", fair_catalog_pdf, methods=["GET", "HEAD"]),
            # Keep last: a long one-segment path may be a compressed Digital Link.
            Route("/{compressed:gs1compressed}", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
            Route("/{compressed:gs1compressed}/", gs1_resolve, methods=["GET", "HEAD", "OPTIONS"]),
        ],
        lifespan=lifespan,
    )
    app.state.graphql = GraphQLConfig(schema, settings.is_production, settings.request_timeout_s)
    app.state.public_base_url = settings.public_base_url
    app.state.region_header = os.environ.get("OCOP_REGION_HEADER", "").strip().lower() or None
    app.state.capture_jobs = epcis_rest.CaptureJobs()
    # Outermost last: RequestLogMiddleware, then the front cache (its hits are logged, with a request id).
    app.state.front_cache = page_cache.FrontCache()
    app.add_middleware(FrontCacheMiddleware, cache=app.state.front_cache)
    app.add_middleware(RequestLogMiddleware)
    return app


# -- command line ---------------------------------------------------------------------------------------


async def _migrate(settings: Settings, demo_if_empty: bool) -> None:
    await db.migrate(settings.database_url)
    await db.connect(settings.database_url)
    try:
        await reference.sync_all()
        if demo_if_empty and not settings.is_production:
            from services.demo import loader as demo

            if await demo.is_empty():
                counts = await demo.load(
                    with_accounts=not settings.is_production, base_url=settings.public_base_url
                )
                log.info("demo data loaded", **counts)
    finally:
        await db.disconnect()


async def _demo(settings: Settings) -> None:
    from services.demo import loader as demo

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


async def _labels(settings: Settings, args: argparse.Namespace) -> int:
    """Operators' path to a label run: created as the system, written with a progress bar."""
    from tqdm import tqdm

    await db.connect(settings.database_url)
    try:
        data = label_runs.LabelRunData(
            batch_id=args.batch_id,
            template=args.template,
            count=args.count,
            serialized=args.serialized,
            start_slot=args.start_slot,
            language=args.language,
        )
        try:
            run = await label_runs.create_label_run(
                data, SYSTEM, user_id=None, base_url=settings.public_base_url
            )
        except DomainError as exc:
            for p in exc.problems:
                sys.stderr.write(f"{p.field}: {p.message_en}\n")
            return 2
        job = await label_runs.job_of(run)
        target = args.output or Path(label_runs.file_name(run, args.format))
        with tqdm(total=run.count, unit="label", desc=f"run {run.id}") as bar, target.open("wb") as out:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.n)

            await asyncio.to_thread(label_runs.write_output, job, args.format, out, progress)
        await label_runs.record_checksum(run, args.format, target.read_bytes())
        serials = (
            f", serials {run.first_serial}-{run.first_serial + run.count - 1}" if run.first_serial else ""
        )
        sys.stdout.write(f"label run {run.id}: {run.count} labels{serials} -> {target}\n")
        return 0
    finally:
        await db.disconnect()


async def _catalog(settings: Settings, args: argparse.Namespace) -> int:
    """A fair's catalog as a PDF file: made here (in a child process) unless the same catalog exists or
    another worker is making it, with a progress bar."""
    import shutil

    from tqdm import tqdm

    await db.connect(settings.database_url)
    try:
        try:
            job = await catalog_job.generate_catalog_for_slug(
                args.fair, args.language, args.paper, base_url=settings.public_base_url
            )
        except DomainError as exc:
            for p in exc.problems:
                sys.stderr.write(f"{p.field}: {p.message_en}\n")
            return 2
        with tqdm(total=100, unit="%", desc=f"catalog {args.fair} ({args.language}, {args.paper})") as bar:

            def progress(percent: int) -> None:
                bar.update(max(0, percent - bar.n))

            worker = jobs.worker_name()
            claimed = await jobs.claim(worker, job.id) if job.status == "queued" else None
            if claimed is not None:
                job = await jobs.execute(claimed, worker, on_progress=progress)
            elif job.status in ("queued", "running"):
                job = await jobs.wait_for(job.id, on_progress=progress)
            if job.status == "succeeded":
                progress(100)
        if job.status != "succeeded":
            sys.stderr.write(f"catalog job {job.id} failed: {job.error}\n")
            return 1
        source = cast(Path, jobs.result_path(job))
        target = args.output or Path(job.result_name or source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        sys.stdout.write(
            f"catalog job {job.id}: {source.stat().st_size:,} bytes, sha256 {job.result_sha256} -> {target}\n"
        )
        return 0
    finally:
        await db.disconnect()


async def _worker(settings: Settings, args: argparse.Namespace) -> int:
    """Run background jobs until SIGINT/SIGTERM: procrastinate workers on PostgreSQL (when installed), the
    local worker loop otherwise (on PostgreSQL several such processes share the queue too)."""
    import signal

    await db.connect(settings.database_url)
    try:
        postgres = settings.database_url.startswith(("postgres://", "postgresql://"))
        if postgres and not args.local:
            from services.jobs import procrastinate_backend as jobs_procrastinate

            if jobs_procrastinate.available():
                log.info("job worker: procrastinate", concurrency=args.concurrency)
                await jobs_procrastinate.Procrastinate(settings.database_url).run_worker(
                    concurrency=args.concurrency
                )
                return 0
            log.warning("procrastinate is not installed: running the local worker loop instead")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        log.info("job worker: local loop", concurrency=args.concurrency)
        workers = [asyncio.create_task(jobs.LocalWorker().run()) for _ in range(max(1, args.concurrency))]
        await stop.wait()
        for task in workers:
            task.cancel()  # running jobs go back to the queue
        await asyncio.gather(*workers, return_exceptions=True)
        return 0
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
    labels = commands.add_parser("labels", help="create a label run for a lot and write its output")
    labels.add_argument("--batch-id", type=int, required=True, help="the lot (database id)")
    labels.add_argument("--template", default="L7160", help="label template code (default L7160)")
    labels.add_argument("--count", type=int, required=True)
    labels.add_argument("--serialized", action="store_true", help="one serial (AI 21) per label")
    labels.add_argument("--start-slot", type=int, default=1, help="first free slot of a part-used sheet")
    labels.add_argument("--language", choices=("vi", "en"), default="vi")
    labels.add_argument("--format", default="pdf", choices=label_runs.FORMATS)
    labels.add_argument("-o", "--output", type=Path, help="file to write (default: a name from the run)")
    catalog = commands.add_parser("catalog", help="render a fair's printable catalog (PDF) and write it")
    catalog.add_argument("--fair", required=True, metavar="SLUG", help="the fair's slug")
    catalog.add_argument("--language", choices=catalog_job.CATALOG_LANGUAGES, default="vi")
    catalog.add_argument("--paper", choices=catalog_job.CATALOG_PAPERS, default="A4")
    catalog.add_argument("-o", "--output", type=Path, help="file to write (default: a name from the fair)")
    worker = commands.add_parser(
        "worker", help="run background jobs: procrastinate on PostgreSQL, a local loop otherwise"
    )
    worker.add_argument("--concurrency", type=int, default=1, help="jobs at once (each in a child process)")
    worker.add_argument("--local", action="store_true", help="the local loop even on PostgreSQL")
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
    if args.command == "labels":
        return asyncio.run(_labels(settings, args))
    if args.command == "catalog":
        return asyncio.run(_catalog(settings, args))
    if args.command == "worker":
        return asyncio.run(_worker(settings, args))
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
