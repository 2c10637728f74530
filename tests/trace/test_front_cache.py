"""The front of the page cache (web.middleware.FrontCacheMiddleware): it answers a repeated request before
routing, with the same headers, and never what must run per hit (a serial's scan); it follows the inner
cache's expiry, generation and write transactions. On SQLite and PostgreSQL through the `db` fixture."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from httpx import AsyncClient, Response
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.relay import to_base64
from tortoise.transactions import in_transaction

from models import SerialScan
from services.common import page_cache
from services.labels.runs import LabelRunData
from services.trace import page as trace_pages
from services.trace.identity import product_code
from tests.conftest import Database, SQLCounter, gql
from tests.labels.factories import system_run
from tests.trace.page_samples import RECALL, candy_lot, page_of, scan_of
from web import public
from web import resolver as resolver_routes
from web.responses import CachedResponse


@pytest.fixture
def handler_calls(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many requests reached each public handler (resolver, trace page, product page): a request the
    front cache answers reaches none."""
    calls: Counter[str] = Counter()
    for route in app.routes:
        if isinstance(route, Route) and route.endpoint in (
            resolver_routes.gs1_resolve,
            public.trace_page,
            public.product_page,
        ):
            inner, name = route.app, route.endpoint.__name__

            async def counted(
                scope: Scope, receive: Receive, send: Send, inner: ASGIApp = inner, name: str = name
            ) -> None:
                calls[name] += 1
                await inner(scope, receive, send)

            monkeypatch.setattr(route, "app", counted)
    return calls


def same_headers(a: Response, b: Response) -> None:
    """The same headers, in the same order, but for the request id (each request has its own)."""
    assert a.headers["x-request-id"] != b.headers["x-request-id"]
    strip = [(k, v) for k, v in a.headers.multi_items() if k != "x-request-id"]
    assert strip == [(k, v) for k, v in b.headers.multi_items() if k != "x-request-id"]


async def test_a_second_identical_scan_is_answered_by_the_front_cache(
    client: AsyncClient,
    db: Database,
    sql_counter: SQLCounter,
    handler_calls: Counter[str],
    front: page_cache.FrontCache[CachedResponse],
) -> None:
    product, _ = await candy_lot()
    phone = {"accept": "text/html,*/*;q=0.8", "accept-language": "vi-VN,vi;q=0.9"}
    product_page = f"/products/{product_code(product.id)}"
    paths = [scan_of(product), page_of(product), product_page]
    first = [await client.get(path, headers=phone) for path in paths]
    assert [r.status_code for r in first] == [307, 200, 200]
    assert handler_calls == {"gs1_resolve": 1, "trace_page": 1, "product_page": 1}
    assert front.stats.kept == 3
    inner = (public.answers.stats.hits, public.pages.stats.hits)
    sql_counter.statements.clear()
    for _ in range(3):
        again = [await client.get(path, headers=phone) for path in paths]
        for before, after in zip(first, again, strict=True):
            assert after.status_code == before.status_code
            assert after.content == before.content
            same_headers(before, after)  # Location, ETag, Vary, Cache-Control, Content-Length ...
    assert sql_counter.statements == []
    assert handler_calls == {"gs1_resolve": 1, "trace_page": 1, "product_page": 1}  # no handler ran
    assert (public.answers.stats.hits, public.pages.stats.hits) == inner  # nor the inner caches
    assert front.stats.hits == 9
    # Another phone (other headers than Accept and Accept-Language) gets the same answers.
    other = await client.get(
        page_of(product), headers=phone | {"user-agent": "Zalo", "x-forwarded-for": "1.2.3.4"}
    )
    assert other.content == first[1].content
    assert handler_calls["trace_page"] == 1


async def test_head_if_none_match_etag_and_vary_are_unchanged_from_the_front_cache(
    client: AsyncClient, db: Database, sql_counter: SQLCounter, handler_calls: Counter[str]
) -> None:
    product, _ = await candy_lot()
    page, scan = page_of(product), scan_of(product)
    first, first_scan = await client.get(page), await client.get(scan)
    assert first.headers["vary"] == "Accept-Language"
    assert first_scan.headers["vary"] == "Accept, Accept-Language"
    etag = first.headers["etag"]
    # What the handler answers (a request with credentials skips the front cache), to compare with.
    handler_304 = await client.get(page, headers={"if-none-match": etag, "cookie": "a=b"})
    handler_head = await client.head(page, headers={"cookie": "a=b"})
    calls = dict(handler_calls)
    sql_counter.statements.clear()
    head, head_scan = await client.head(page), await client.head(scan)  # HEAD shares GET's entry
    assert (head.status_code, head.content, head_scan.status_code, head_scan.content) == (200, b"", 307, b"")
    same_headers(first, head)  # Content-Length stays GET's
    same_headers(handler_head, head)
    same_headers(first_scan, head_scan)
    not_modified = await client.get(page, headers={"if-none-match": etag})
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert not_modified.headers["etag"] == etag
    same_headers(handler_304, not_modified)
    head_304 = await client.head(page, headers={"if-none-match": etag})
    same_headers(handler_304, head_304)
    other = await client.get(page, headers={"if-none-match": '"not-this-one"'})
    assert other.status_code == 200
    assert other.content == first.content
    # The resolver reads no If-None-Match: a 307 stays a 307.
    assert (await client.get(scan, headers={"if-none-match": '"x"'})).status_code == 307
    assert handler_calls == calls  # all from the front cache
    assert sql_counter.statements == []


async def test_a_recall_through_graphql_shows_at_once_past_the_front_cache(
    client: AsyncClient,
    db: Database,
    admin_token: str,
    handler_calls: Counter[str],
    front: page_cache.FrontCache[CachedResponse],
) -> None:
    product, lot = await candy_lot()
    for _ in range(3):
        assert "LÔ HÀNG ĐÃ BỊ THU HỒI" not in (await client.get(page_of(product))).text
        assert (await client.get(scan_of(product))).status_code == 307
    assert handler_calls == {"trace_page": 1, "gs1_resolve": 1}
    assert front.stats.hits == 4
    recalled = await gql(
        client,
        RECALL,
        {"input": {"batchId": to_base64("Batch", lot.id), "reason": "Nghi nhiễm"}},
        token=admin_token,
    )
    assert recalled["data"]["recordRecall"]["errors"] == []
    for n in range(2):
        html = (await client.get(page_of(product))).text
        assert "LÔ HÀNG ĐÃ BỊ THU HỒI" in html
        assert handler_calls["trace_page"] == 2  # rendered once after the recall, then from the front
        assert front.stats.hits == 4 + n
    # A machine asking for the linkset (never cached) reads the recall too.
    linkset = await client.get(scan_of(product), headers={"accept": "application/linkset+json"})
    assert linkset.status_code == 200
    assert "ĐÃ BỊ THU HỒI" in linkset.text


async def test_serial_scans_are_counted_on_every_scan(
    client: AsyncClient,
    db: Database,
    handler_calls: Counter[str],
    front: page_cache.FrontCache[CachedResponse],
) -> None:
    product, lot = await candy_lot()
    await system_run(LabelRunData(batch_id=lot.id, template="L7160", count=10, serialized=True))  # 1-10
    serial = f"/p/{product_code(product.id)}/10/KD-190520/21/7"
    for _ in range(4):
        answer = await client.get(serial)
        assert answer.status_code == 307
        assert answer.headers["location"].endswith(page_of(product) + "?serial=7")
    assert handler_calls["gs1_resolve"] == 4  # the resolver ran for each scan ...
    # ... and counted it, once per network and hour (services/labels/scans.py): one source cannot poison it.
    assert await SerialScan.filter(batch_id=lot.id, serial="7").count() == 1
    assert public.answers.stats.hits == 3  # (its answer still comes from the inner cache)
    # The page a serial leads to checks that serial (copied codes) on every view.
    for _ in range(3):
        assert (await client.get(page_of(product) + "?serial=7")).status_code == 200
    assert handler_calls["trace_page"] == 3
    assert front.stats.hits == 0
    assert len(front) == 0


async def test_requests_with_credentials_bypass_the_front_cache(
    client: AsyncClient,
    db: Database,
    sql_counter: SQLCounter,
    handler_calls: Counter[str],
    front: page_cache.FrontCache[CachedResponse],
) -> None:
    product, _ = await candy_lot()
    path = page_of(product)
    public = await client.get(path)  # kept in the front cache
    assert front.stats.kept == 1
    for credentials in ({"authorization": "Bearer x"}, {"cookie": "session=abc"}):
        sql_counter.statements.clear()
        response = await client.get(path, headers=credentials)
        assert response.status_code == 200
        assert response.content == public.content
        assert sql_counter.statements  # rendered by the handler, the inner cache bypassed too
    assert handler_calls["trace_page"] == 3
    assert (front.stats.hits, front.stats.kept) == (0, 1)  # neither served nor kept
    assert (await client.get(path)).status_code == 200
    assert front.stats.hits == 1


async def test_each_language_and_accept_has_its_own_front_entry(
    client: AsyncClient,
    db: Database,
    sql_counter: SQLCounter,
    handler_calls: Counter[str],
    front: page_cache.FrontCache[CachedResponse],
) -> None:
    product, _ = await candy_lot()
    path, scan = page_of(product), scan_of(product)
    requests: list[tuple[str, dict[str, str]]] = [
        (path, {}),
        (path, {"accept-language": "en-US,en;q=0.9"}),
        (path + "?lang=en", {}),
        (path + "?lang=vi", {"accept-language": "en"}),
        (scan, {}),
        (scan, {"accept-language": "en"}),
    ]
    first = [await client.get(p, headers=h) for p, h in requests]
    assert "Kẹo dừa lá dứa" in first[0].text
    assert "Pandan coconut candy" in first[1].text
    assert [r.headers.get("content-language") for r in first[:4]] == ["vi", "en", "en", "vi"]
    assert first[1].content == first[2].content != first[0].content == first[3].content
    assert first[4].headers["location"].endswith(path)
    assert first[5].headers["location"].endswith(path + "?lang=en")
    calls = dict(handler_calls)
    sql_counter.statements.clear()
    again = [await client.get(p, headers=h) for p, h in requests]
    assert handler_calls == calls  # every one from the front cache ...
    for before, after in zip(first, again, strict=True):
        assert after.content == before.content  # ... with its own language
        same_headers(before, after)
    assert front.stats.hits == len(requests)
    # A linkset (Accept negotiation) is never kept: read fresh each time, even next to a kept redirect.
    for _ in range(2):
        linkset = await client.get(scan, headers={"accept": "application/linkset+json"})
        assert linkset.headers["content-type"].startswith("application/linkset+json")
    assert handler_calls["gs1_resolve"] == calls["gs1_resolve"] + 2
    assert len(sql_counter.statements) == 2


async def test_front_entries_expire_with_the_inner_ones(
    client: AsyncClient,
    db: Database,
    sql_counter: SQLCounter,
    handler_calls: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product, _ = await candy_lot()
    missing = page_of(product, "NOPE")
    await client.get(page_of(product))
    assert (await client.get(missing)).status_code == 404
    now = page_cache._clock()
    monkeypatch.setattr(page_cache, "_clock", lambda: now + page_cache.NOT_FOUND_TTL - 1)
    await client.get(page_of(product))
    assert (await client.get(missing)).status_code == 404
    assert handler_calls["trace_page"] == 2  # both from the front cache
    monkeypatch.setattr(page_cache, "_clock", lambda: now + page_cache.NOT_FOUND_TTL + 1)
    sql_counter.statements.clear()
    assert (await client.get(missing)).status_code == 404  # the 404 is gone from both caches
    assert sql_counter.statements
    assert handler_calls["trace_page"] == 3
    monkeypatch.setattr(page_cache, "_clock", lambda: now + page_cache.TRACE_PAGE_MAX_AGE - 1)
    await client.get(page_of(product))
    assert handler_calls["trace_page"] == 3
    monkeypatch.setattr(page_cache, "_clock", lambda: now + page_cache.TRACE_PAGE_MAX_AGE + 1)
    sql_counter.statements.clear()
    await client.get(page_of(product))
    assert handler_calls["trace_page"] == 4
    assert sql_counter.statements


async def test_a_page_of_a_day_that_has_ended_is_not_kept_in_front(
    client: AsyncClient,
    db: Database,
    sql_counter: SQLCounter,
    handler_calls: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
    front: page_cache.FrontCache[CachedResponse],
) -> None:
    """The inner key holds the day (certificate validity): a front entry never outlives that day."""
    product, _ = await candy_lot()
    monkeypatch.setattr(trace_pages, "today", lambda: dt.date(2019, 5, 20))  # a day long over
    for _ in range(2):
        assert (await client.get(page_of(product))).status_code == 200
    assert handler_calls["trace_page"] == 2  # the second from the inner cache, not the front one
    assert public.pages.stats.hits == 1
    assert len(front) == 0


async def test_the_front_cache_follows_the_generation_and_write_transactions(db: Database) -> None:
    inner: page_cache.MicroCache[CachedResponse] = page_cache.MicroCache("test")
    front = page_cache.FrontCache[CachedResponse]()
    answer = CachedResponse(200, b"page", (), '"e"')
    later = page_cache._clock() + 3600

    async def render() -> tuple[CachedResponse, float]:
        return answer, 60

    assert await inner.fetch("k", render) is answer
    assert not front.keep("req", inner, "other", answer, later)  # not what the inner cache holds
    assert not front.keep("req", inner, "k", CachedResponse(200, b"page", ()), later)
    assert not front.keep("req", inner, "k", answer, page_cache._clock() - 1)  # its day is over
    assert front.keep("req", inner, "k", answer, later)
    entry = front.get("req")
    assert entry is not None
    assert (entry.response, entry.etag) == (answer, b'"e"')
    assert entry.expires == inner._entries["k"].expires  # the inner entry's expiry
    page_cache.invalidate()  # a write: stale at once
    assert front.get("req") is None
    assert await inner.fetch("k", render) is answer
    assert front.keep("req", inner, "k", answer, later)
    async with in_transaction():
        page_cache.invalidate()
        assert front.get("req") is None  # held off while the transaction is open
        assert not front.keep("req", inner, "k", answer, later)
    assert front.get("req") is None  # and what was kept before it is stale
    serial = CachedResponse(307, b"", (), scan=(1, "7"))

    async def render_serial() -> tuple[CachedResponse, float]:
        return serial, 60

    assert await inner.fetch("s", render_serial) is serial
    assert not front.keep("scan", inner, "s", serial, later)  # a scan to count: never kept in front
    page_cache.clear()
    assert len(front) == 0
