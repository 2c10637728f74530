"""The public pages a QR scan leads to, for anyone: the trace page of a lot (/t/...) and the product page
(/products/...), and what they share with the resolver (web/resolver.py): the page caches, the headers
read from the request, the offer to the front cache (web/middleware.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from services.common import clock, page_cache, paths
from services.common.language import negotiate
from services.labels import scans as label_scans
from services.registry import product_page as product_pages
from services.trace import page as trace_pages
from services.trace.identity import is_lot_code
from web.middleware import FRONT_CACHE_SCOPE
from web.responses import CachedResponse, html_security_headers, send_cached

# How long a trace page is kept and may be cached by browsers: TRACE_MAX_AGE normally, UNVERIFIED_MAX_AGE when
# its integrity check ran out of time (services/trace/integrity.py), so that a later view checks again.
TRACE_MAX_AGE = page_cache.TRACE_PAGE_MAX_AGE
UNVERIFIED_MAX_AGE = 5

# Resolver answers and rendered pages (trace and product pages), encoded.
answers: page_cache.MicroCache[CachedResponse] = page_cache.MicroCache("resolver")
pages: page_cache.MicroCache[CachedResponse] = page_cache.MicroCache("pages")


@dataclass(slots=True)
class PublicRequest:
    """The few headers the resolver and the public pages read (a scan is served from the page cache in
    tens of microseconds, so they are read from the raw ASGI headers, not through `Request.headers`)."""

    accept: str
    accept_language: str
    if_none_match: str | None
    credentials: bool  # Authorization or Cookie: never served from (or stored in) the cache

    @classmethod
    def of(cls, request: Request) -> PublicRequest:
        headers = dict(request.scope["headers"])  # ASGI names are lower case
        if_none_match = headers.get(b"if-none-match")
        return cls(
            headers.get(b"accept", b"").decode("latin-1"),
            headers.get(b"accept-language", b"").decode("latin-1"),
            None if if_none_match is None else if_none_match.decode("latin-1"),
            b"authorization" in headers or b"cookie" in headers,
        )


def offer_front(
    request: Request,
    cache: page_cache.MicroCache[CachedResponse],
    key: tuple[object, ...],
    cached: CachedResponse,
    today: dt.date,
) -> None:
    """Offer the answer just sent from `cache` (under `key`) to the front cache, when FrontCacheMiddleware
    passed this request on as one it may keep: it is kept while that entry of `cache` is current, and not
    past the end of `today` (which `key` holds)."""
    front = request.scope.get(FRONT_CACHE_SCOPE)
    if front is None or cached.scan is not None:
        return
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), clock.VIETNAM)
    until = page_cache._clock() + (midnight - clock.now()).total_seconds()
    front[0].keep(front[1], cache, key, cached, until)


def raw_path(request: Request) -> str:
    """The request path as received (percent-encoded), without the root path."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    root = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _html_page(status: int, html: str, language: str, *, max_age: int) -> CachedResponse:
    """A public HTML page as it is cached: with its security headers (`html_security_headers`), and an ETag
    and Cache-Control when found (a 404 has neither)."""
    body = html.encode()
    headers = {"Vary": "Accept-Language", "Content-Language": language} | html_security_headers(body)
    if status != 200:
        return CachedResponse(status, body, tuple(HTMLResponse(body, status, headers).raw_headers))
    tag = trace_pages.etag_of(body)
    headers |= {"ETag": tag, "Cache-Control": f"public, max-age={max_age}, must-revalidate"}
    return CachedResponse(
        200,
        body,
        tuple(HTMLResponse(body, 200, headers).raw_headers),
        tag,
        tuple(Response(status_code=304, headers=headers).raw_headers),
    )


def _page_language(request: Request, public: PublicRequest) -> str:
    lang = request.query_params.get("lang") if request.scope.get("query_string") else None
    return negotiate(lang, public.accept_language).value


def trace_key(
    code: str,
    lot_code: str,
    lang: str,
    today: dt.date,
    base_url: str,
    warn: str | None = None,
    serial: str | None = None,
) -> tuple[object, ...]:
    """The page cache's key of a trace page: what it shows depends on nothing else."""
    return ("t", code, lot_code, lang, today, base_url, warn, serial)


def _trace_answer(html: str, status: str, lang: str) -> tuple[CachedResponse, float]:
    """A found trace page as it is sent and cached, with how long. Not verified yet (the check ran out of
    time): kept briefly, so the next views ask again."""
    max_age = UNVERIFIED_MAX_AGE if status == "unverified" else TRACE_MAX_AGE
    return _html_page(200, html, lang, max_age=max_age), float(max_age)


def offer_trace_page(
    code: str,
    lot_code: str,
    lang: str,
    today: dt.date,
    base_url: str,
    shown: trace_pages.Shown,
    generation: int,
) -> None:
    """Keep a lot's trace page that the resolver read with its redirect (`trace_pages.stored_page`), as
    `trace_page` would have kept it at the request that follows, unless something was written since
    `generation` (read before the page was)."""
    page, ttl = _trace_answer(shown.html, shown.integrity_status, lang)
    pages.offer(trace_key(code, lot_code, lang, today, base_url), page, ttl, generation)


async def trace_page(request: Request) -> Response:
    """The public trace page of a lot: /t/{productCode}/{lot}, the default target of its QR code. Cached
    per product code, lot, language and day; other query parameters do not change it."""
    code, _, lot = raw_path(request).removeprefix("/t/").partition("/")
    lot_code = unquote(lot).rstrip("/")
    public = PublicRequest.of(request)
    lang = _page_language(request, public)
    if not is_lot_code(lot_code):  # names no lot (at most 20 characters of GS1's set 82): not cached
        not_found = _html_page(404, trace_pages.not_found_html(lang), lang, max_age=0)
        return send_cached(not_found, request.method, None)
    base_url: str = request.app.state.public_base_url
    today = trace_pages.today()

    # Opened from a serialised code (the resolver adds ?serial=): warn when that code was never issued or
    # looks copied.
    serial = request.query_params.get("serial", "")
    warn = await label_scans.serial_warning(code, lot_code, serial) if 0 < len(serial) <= 20 else None
    shown_serial = serial if is_lot_code(serial) else None  # GS1 AI 21: the same 20 of set 82 as a lot

    async def render() -> tuple[CachedResponse, float]:
        html, status = None, ""
        if not serial:  # the lot's own page: stored bytes when nothing it shows has changed
            shown = await trace_pages.scan(code, lot_code, lang, base_url, today)
            if shown is not None:
                html, status = shown.html, shown.integrity_status
        else:
            found = await trace_pages.find_batch(code, lot_code)
            if found is not None:
                built = await trace_pages.view(*found, lang, base_url, today)
                built.scan_warning = warn
                built.serial = shown_serial
                html = await asyncio.to_thread(trace_pages.render, built)
                status = built.integrity_status
        if html is None:
            page = _html_page(404, trace_pages.not_found_html(lang), lang, max_age=0)
            return page, page_cache.ttl_for(False, page_cache.TRACE_PAGE_MAX_AGE)
        return _trace_answer(html, status, lang)

    key = trace_key(code, lot_code, lang, today, base_url, warn, shown_serial)
    cached = await pages.fetch(key, render, bypass=public.credentials)
    if not serial:  # with a serial, each view checks it: never answered by the front cache
        offer_front(request, pages, key, cached, today)
    return send_cached(cached, request.method, public.if_none_match)


async def product_page(request: Request) -> Response:
    """The public product page: /products/{productCode} (the resolver's gs1:pip target), cached like the
    trace page."""
    code: str = request.path_params["code"]
    public = PublicRequest.of(request)
    lang = _page_language(request, public)
    today = trace_pages.today()

    async def render() -> tuple[CachedResponse, float]:
        product = await product_pages.find_product(code)
        if product is None:
            page = _html_page(404, trace_pages.not_found_html(lang), lang, max_age=0)
        else:
            html = product_pages.render(await product_pages.build(product, lang, today))
            page = _html_page(200, html, lang, max_age=page_cache.PRODUCT_PAGE_MAX_AGE)
        return page, page_cache.ttl_for(page.status == 200, page_cache.PRODUCT_PAGE_MAX_AGE)

    key = ("products", code, lang, today)
    cached = await pages.fetch(key, render, bypass=public.credentials)
    offer_front(request, pages, key, cached, today)
    return send_cached(cached, request.method, public.if_none_match)


routes: list[BaseRoute] = [
    Route("/t/{code}/{lot:path}", trace_page, methods=["GET", "HEAD"]),
    Route("/products/{code}", product_page, methods=["GET", "HEAD"]),
    # Files shipped with the code (the demo's product photos): ETag and Last-Modified by StaticFiles.
    Mount("/static", StaticFiles(directory=paths.STATIC, check_dir=False), name="static"),
]
