"""The public answers of a QR scan, for anyone: the GS1 Digital Link resolver (/01/..., /p/..., compressed
links, /.well-known/gs1resolver), the trace page of a lot (/t/...) and the product page (/products/...).
Answers go through the page cache (services/common/page_cache.py) and are offered to the front cache
(web/middleware.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.background import BackgroundTask
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from services.common import page_cache
from services.labels import scans as label_scans
from services.registry import product_page as product_pages
from services.trace import page as trace_pages
from services.trace import resolver
from services.trace.events import VIETNAM
from web.middleware import FRONT_CACHE_SCOPE


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


_RESOLVER_METHODS = ["GET", "HEAD", "OPTIONS"]
routes: list[BaseRoute] = [
    Route("/01/{rest:path}", gs1_resolve, methods=_RESOLVER_METHODS),
    Route("/p/{rest:path}", gs1_resolve, methods=_RESOLVER_METHODS),
    Route("/t/{code}/{lot:path}", trace_page, methods=["GET", "HEAD"]),
    Route("/.well-known/gs1resolver", gs1_resolver_description, methods=_RESOLVER_METHODS),
    Route("/gtin/{rest:path}", gs1_resolve, methods=_RESOLVER_METHODS),
    Route("/products/{code}", product_page, methods=["GET", "HEAD"]),
]
# Mounted last in the application: a long one-segment path may be a compressed Digital Link.
compressed_routes: list[BaseRoute] = [
    Route("/{compressed:gs1compressed}", gs1_resolve, methods=_RESOLVER_METHODS),
    Route("/{compressed:gs1compressed}/", gs1_resolve, methods=_RESOLVER_METHODS),
]
