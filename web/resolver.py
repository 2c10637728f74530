"""The GS1 Digital Link resolver over HTTP (services/trace/resolver.py decides, this module answers):
/01/..., /p/..., /gtin/... and compressed links, and /.well-known/gs1resolver. Every answer is open to any
origin (CORS), since scanning apps and partner systems read it from their own pages."""

from __future__ import annotations

import datetime as dt

import orjson
from starlette.background import BackgroundTask
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from services.common import page_cache
from services.labels import scans as label_scans
from services.trace import page as trace_pages
from services.trace import resolver
from services.trace.identity import product_code
from services.trace.snapshot import ScanState
from web.public import PublicRequest, answers, offer_front, offer_trace_page, raw_path
from web.responses import CachedResponse, html_security_headers, send_cached

METHODS = "GET, HEAD, OPTIONS"
CORS_HEADERS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": METHODS,
    "access-control-expose-headers": "Link, Location, Content-Type, Content-Length, Vary",
}
_VARY = "Accept, Accept-Language"
# A Digital Link badly written is a 400; every other refusal is a 404 (an RFC 9457 problem document, or for
# a browser a page saying what to do).
_REFUSAL_STATUS = {resolver.RefusalReason.MALFORMED: 400}
_TITLES = {400: "Bad Request", 404: "Not Found"}


class CompressedLinkConvertor(Convertor[str]):
    """A one-segment compressed GS1 Digital Link: URI-safe base 64 of at least 10 characters (a GTIN alone
    takes 10), so that the route does not take over short paths such as /graphql or /healthz."""

    regex = "[A-Za-z0-9_-]{10,}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("gs1compressed", CompressedLinkConvertor())


def _link_header(identified: resolver.Identified) -> str:
    links = [
        f'<{identified.uri}?linkType=linkset>; rel="linkset"; type="{resolver.LINKSET_MEDIA_TYPE}"',
        f'<{resolver.LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"',
    ]
    if identified.same_as is not None:
        links.append(f'<{identified.same_as}>; rel="owl:sameAs"')
    return ", ".join(links)


def outcome_response(outcome: resolver.Outcome, language: resolver.Language, html: bool = False) -> Response:
    """The HTTP answer of a resolver outcome: a 307 to the target, a 200 linkset, or a refusal in the
    request's language: for a browser (`html`, from `resolver.wants_html`) a page in both languages with the
    security headers of every public page, for any other client an RFC 9457 problem document."""
    if isinstance(outcome, resolver.Refusal):
        status = _REFUSAL_STATUS.get(outcome.reason, 404)
        if html:
            kind = "malformed" if outcome.reason is resolver.RefusalReason.MALFORMED else "unknown"
            # The resolver's reason, unless the page already says it (an unknown or unpublished code).
            detail = outcome.reason is not resolver.RefusalReason.NOT_A_LINK and (
                outcome.message_en != resolver.NOT_PUBLISHED.message_en
            )
            page = trace_pages.error_html(
                language,
                kind,
                outcome.message_vi if detail else "",
                outcome.message_en if detail else "",
                outcome.product,
            ).encode()
            page_headers = {**CORS_HEADERS, "vary": _VARY, "content-language": language}
            page_headers |= html_security_headers(page)
            return HTMLResponse(page, status, page_headers)
        problem = {
            "type": "about:blank",
            "title": _TITLES.get(status, "Error"),
            "status": status,
            "detail": outcome.message_en if language == "en" else outcome.message_vi,
        }
        headers = {**CORS_HEADERS, "vary": _VARY}
        return Response(orjson.dumps(problem), status, headers, "application/problem+json")
    headers = {**CORS_HEADERS, "link": _link_header(outcome.identified), "vary": _VARY}
    if isinstance(outcome, resolver.LinksetAnswer):
        return Response(orjson.dumps(outcome.document), 200, headers, resolver.LINKSET_MEDIA_TYPE)
    headers["location"] = outcome.location
    return Response(b"", 307, headers)


def _options() -> Response:
    headers = {
        **CORS_HEADERS,
        "allow": METHODS,
        "access-control-allow-headers": "Accept, Accept-Language, Content-Type",
        "access-control-max-age": "86400",
    }
    return Response(b"", 204, headers)


async def _keep_target(
    state: ScanState, language: resolver.Language, base_url: str, today: dt.date, generation: int
) -> None:
    """A plain scan of a lot: the trace page it is redirected to was read with the redirect; keep it for the
    request that follows, when it is its stored page (else that request reads and renders it as ever)."""
    shown = await trace_pages.stored_page(state, language, base_url, today)
    if shown is not None:
        code = product_code(state.product.id)
        offer_trace_page(code, state.batch.lot_code, language, today, base_url, shown, generation)


async def gs1_resolve(request: Request) -> Response:
    """GS1 Digital Link resolver: /01/..., /p/... and compressed links. The path is read raw, since a lot or
    serial may hold a percent-encoded "/". Answers go through the page cache (`resolver.cache_key` says what
    they depend on, `resolver.keep_for` how long they are kept)."""
    method = request.method
    if method == "OPTIONS":
        return _options()
    public = PublicRequest.of(request)
    path = raw_path(request)
    query = request.scope.get("query_string", b"").decode("latin-1")
    base_url: str = request.app.state.public_base_url
    today = trace_pages.today()

    async def render() -> tuple[CachedResponse, float]:
        asked = resolver.ResolverRequest(path, query, public.accept, public.accept_language, base_url)
        generation = page_cache.generation()  # before anything is read
        outcome = await resolver.answer(asked, today)
        language = resolver.preferred_language(public.accept_language)
        if isinstance(outcome, resolver.Redirect) and outcome.state is not None and not public.credentials:
            await _keep_target(outcome.state, language, base_url, today, generation)
        response = outcome_response(outcome, language, resolver.wants_html(public.accept))
        scan = None
        if isinstance(outcome, resolver.Redirect) and outcome.batch_id and outcome.serial:
            scan = (outcome.batch_id, outcome.serial)
        status = response.status_code
        cached = CachedResponse(status, bytes(response.body), tuple(response.raw_headers), scan=scan)
        return cached, resolver.keep_for(outcome)

    key = resolver.cache_key(path, query, public.accept, public.accept_language, base_url, today)
    cached = await answers.fetch(key, render, bypass=public.credentials)
    offer_front(request, answers, key, cached, today)  # unless a serial to count (`scan`)
    sent = send_cached(cached, method, None)
    if method == "GET" and cached.scan is not None:
        # A scan of a serialised label, counted after the response is sent, if the serial was issued and its
        # network within its rate limit (services/labels/scans.py `record_scan`).
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


async def gs1_resolver_description(request: Request) -> Response:
    """/.well-known/gs1resolver: what this resolver serves."""
    if request.method == "OPTIONS":
        return _options()
    body = orjson.dumps(resolver.description(request.app.state.public_base_url))
    response = Response(body, 200, dict(CORS_HEADERS), "application/json")
    if request.method == "HEAD":
        response.body = b""  # the headers (Content-Length included) stay those of GET
    return response


_METHODS = ["GET", "HEAD", "OPTIONS"]
routes: list[BaseRoute] = [
    Route("/01/{rest:path}", gs1_resolve, methods=_METHODS),
    Route("/p/{rest:path}", gs1_resolve, methods=_METHODS),
    Route("/gtin/{rest:path}", gs1_resolve, methods=_METHODS),
    Route("/.well-known/gs1resolver", gs1_resolver_description, methods=_METHODS),
]
# Mounted last in the application: a long one-segment path may be a compressed Digital Link.
compressed_routes: list[BaseRoute] = [
    Route("/{compressed:gs1compressed}", gs1_resolve, methods=_METHODS),
    Route("/{compressed:gs1compressed}/", gs1_resolve, methods=_METHODS),
]
