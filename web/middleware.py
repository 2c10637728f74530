"""The middlewares of the application: one log line per request, and the front cache that answers a
repeated public GET before routing; and `read_body`, the one way a route reads a request body under a size
limit (uploads stream into services/packaging/uploads.py, which applies its own limit the same way)."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common import metrics, page_cache, tracing
from web.responses import CachedResponse

log = structlog.get_logger("ocop")


class BodyTooLarge(Exception):
    """A request body beyond the route's limit: declared by Content-Length, or counted while streaming."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The body exceeds {limit} bytes")
        self.limit = limit


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, at most `limit` bytes. A Content-Length above the limit is refused before a byte is
    read; otherwise chunks are counted as they arrive and reading stops at the first one past the limit, so a
    huge or lying body is neither read to its end nor held in memory. Raises BodyTooLarge."""
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def route_template(scope: Scope) -> str:
    """The route a request went to, as its template (`/t/{code}/{lot}`: a metric's label, never the raw
    path); for a request routing never saw (a front cache hit), the route that would have answered it;
    `metrics.UNMATCHED` for a path no route answers."""
    route = scope.get("route")
    if route is not None:
        return str(getattr(route, "path", metrics.UNMATCHED))
    app = scope.get("app")
    router = getattr(app, "router", None)
    if router is None:
        return metrics.UNMATCHED
    # Kept on the router (it is not hashable), at most _TEMPLATES_KEPT paths: a front cache hit's path is
    # matched once, not at every hit.
    kept: dict[tuple[str, str], str] = router.__dict__.setdefault("_ocop_templates", {})
    key = (scope["method"], scope["path"])
    template = kept.get(key)
    if template is None:
        if len(kept) >= _TEMPLATES_KEPT:
            kept.clear()
        template = kept[key] = _template_of(router, *key)
    return template


_TEMPLATES_KEPT = 4096


def _template_of(router: Router, method: str, path: str) -> str:
    probe: Scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in router.routes:
        match, _ = route.matches(probe)
        if match != Match.NONE:
            return str(getattr(route, "path", metrics.UNMATCHED))
    return metrics.UNMATCHED


class RequestLogMiddleware:
    """One structured log line per request, with a request id echoed in `X-Request-ID`; and the request's
    figures in `ocop_http_requests_total` and `ocop_http_request_duration_seconds` (services/common/metrics)."""

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
        span = tracing.current_span() if tracing.ENABLED else None  # the request's (add_tracing)
        if span is not None:
            span.set_attribute("ocop.request_id", request_id)

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if span is not None:  # named by its route template, now that routing has found it
                    route = route_template(scope)
                    span.update_name(f"{scope['method']} {route}")
                    span.set_attribute("http.route", route)
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round(elapsed * 1000, 2),
                request_id=request_id,
            )
            metrics.observe_request(scope["method"], route_template(scope), status, elapsed)


def add_tracing(app: Starlette) -> None:
    """The OpenTelemetry ASGI middleware, outermost (add it last), when tracing is on
    (services/common/tracing.py); nothing at all when it is off. It opens the request's span, which
    RequestLogMiddleware names by route template and gives the request id."""
    if not tracing.ENABLED:
        return
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app.add_middleware(
        OpenTelemetryMiddleware,
        tracer_provider=tracing.tracer_provider(),
        exclude_spans=["receive", "send"],
        excluded_urls="/healthz,/readyz,/metrics",  # the orchestrator's and Prometheus' polls
    )


# The scope entry through which FrontCacheMiddleware hands a request it may keep to the handler:
# (the FrontCache, the request's key). Absent: the answer must not be kept there.
FRONT_CACHE_SCOPE = "ocop.front_cache"
_FRONT_PREFIXES = ("/01/", "/gtin/", "/p/", "/t/", "/products/")  # resolver, trace and product pages
_FRONT_COMPRESSED = re.compile(r"/[A-Za-z0-9_-]{10,}/?").fullmatch  # a compressed Digital Link's route


class FrontCacheMiddleware:
    """Answers a repeated public GET or HEAD (a QR scan's redirect, a trace or product page) from
    `page_cache.FrontCache` before Starlette routes it: no handler runs. Only the answers the handlers offered
    (`web.public.offer_front`) are there, keyed by the exact request (raw path, query string, Accept,
    Accept-Language; HEAD shares GET's entry and gets no body), and only while the page cache's own entry
    is current. An If-None-Match equal to a kept page's ETag gets its 304. Requests with Authorization or a
    cookie, other methods and other paths go straight through. It sits inside RequestLogMiddleware: a hit
    has its request id and its log line like any request (docs/operators.md)."""

    def __init__(self, app: ASGIApp, cache: page_cache.FrontCache[CachedResponse]) -> None:
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
