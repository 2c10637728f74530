"""The page cache in front of the resolver and the public pages (services/common/page_cache.py): a popular lot's
scans are answered without SQL, a write in this process shows on the next view, languages are kept
apart, credentials bypass it, and it stays bounded. Its front (web.middleware.FrontCacheMiddleware) is tested
in test_front_cache.py. On SQLite and PostgreSQL through the `db` fixture."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient
from strawberry.relay import to_base64
from tortoise.transactions import in_transaction

from services.common import page_cache
from services.trace.identity import product_code
from tests.conftest import Database, SQLCounter, gql
from tests.trace.page_samples import RECALL, candy_lot, page_of, scan_of
from web import public
from web.responses import CachedResponse


async def test_a_repeated_scan_is_served_without_sql(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    product, _ = await candy_lot()
    first = [await client.get(scan_of(product)), await client.get(page_of(product))]
    assert [r.status_code for r in first] == [307, 200]
    sql_counter.statements.clear()
    again = [await client.get(scan_of(product)), await client.get(page_of(product))]
    assert sql_counter.statements == []
    assert [r.status_code for r in again] == [307, 200]
    assert again[0].headers["location"] == first[0].headers["location"]
    assert again[1].content == first[1].content
    assert again[1].headers["etag"] == first[1].headers["etag"]
    product_page = f"/products/{product_code(product.id)}"
    assert (await client.get(product_page)).status_code == 200
    sql_counter.statements.clear()
    assert "Kẹo dừa lá dứa" in (await client.get(product_page)).text
    assert sql_counter.statements == []


async def test_head_etag_and_304_are_unchanged_on_a_cached_page(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    product, _ = await candy_lot()
    path = page_of(product)
    first = await client.get(path)
    sql_counter.statements.clear()
    head = await client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("etag", "content-length", "cache-control", "content-language", "vary"):
        assert head.headers[name] == first.headers[name], name
    not_modified = await client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == first.headers["etag"]
    assert sql_counter.statements == []
    # The TTL is the max-age the page advertises.
    assert f"max-age={page_cache.TRACE_PAGE_MAX_AGE}," in first.headers["cache-control"]


async def test_a_recall_through_graphql_shows_on_the_next_view(
    client: AsyncClient, db: Database, admin_token: str
) -> None:
    product, lot = await candy_lot()
    for _ in range(2):  # cached after the first view
        assert "LÔ HÀNG ĐÃ BỊ THU HỒI" not in (await client.get(page_of(product))).text
        assert (await client.get(scan_of(product))).status_code == 307
    recalled = await gql(
        client,
        RECALL,
        {"input": {"batchId": to_base64("Batch", lot.id), "reason": "Nghi nhiễm"}},
        token=admin_token,
    )
    assert recalled["data"]["recordRecall"]["errors"] == []
    html = (await client.get(page_of(product))).text
    assert 'id="recall"' in html
    assert "LÔ HÀNG ĐÃ BỊ THU HỒI" in html
    english = (await client.get(page_of(product) + "?lang=en")).text
    assert "THIS LOT HAS BEEN RECALLED" in english


async def test_publication_changes_show_on_the_next_view(client: AsyncClient, db: Database) -> None:
    product, lot = await candy_lot()
    assert (await client.get(page_of(product))).status_code == 200
    lot.is_published = False
    await lot.save()  # a save of a row the page shows (no service call): the post-save signal invalidates
    assert (await client.get(page_of(product))).status_code == 404
    assert (await client.get(scan_of(product))).status_code == 404
    await candy_lot("KD-190521", product)
    assert (await client.get(page_of(product, "KD-190521"))).status_code == 200


async def test_each_language_has_its_own_entry_and_other_parameters_share_one(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    product, _ = await candy_lot()
    path = page_of(product)
    vietnamese = await client.get(path)
    english = await client.get(path + "?lang=en")
    by_header = await client.get(path, headers={"accept-language": "en-US,en;q=0.9"})
    assert "Kẹo dừa lá dứa" in vietnamese.text
    assert "Pandan coconut candy" in english.text
    assert english.content == by_header.content
    assert vietnamese.content != english.content
    assert (vietnamese.headers["content-language"], english.headers["content-language"]) == ("vi", "en")
    assert vietnamese.headers["etag"] != english.headers["etag"]
    sql_counter.statements.clear()
    tracked = await client.get(path + "?lang=en&utm_source=poster")  # does not change the page
    assert tracked.content == english.content
    assert sql_counter.statements == []
    # The resolver sends each language to its page.
    scan = scan_of(product)
    assert (await client.get(scan)).headers["location"].endswith(path)
    english_scan = await client.get(scan, headers={"accept-language": "en"})
    assert english_scan.headers["location"].endswith(path + "?lang=en")
    assert (await client.get(scan)).headers["location"].endswith(path)


async def test_requests_with_credentials_bypass_the_cache(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    product, _ = await candy_lot()
    path = page_of(product)
    for _ in range(2):
        sql_counter.statements.clear()
        assert (await client.get(path, headers={"authorization": "Bearer x"})).status_code == 200
        assert sql_counter.statements  # rendered each time
    sql_counter.statements.clear()
    await client.get(path)  # nothing was stored by the requests above
    assert sql_counter.statements
    assert len(public.pages) == 1


async def test_concurrent_misses_render_once(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    product, _ = await candy_lot()
    path = page_of(product)
    for _ in range(2):  # a render, not cached (the second one reuses the lot's integrity result)
        sql_counter.statements.clear()
        await client.get(path, headers={"authorization": "Bearer x"})
    one_render = len(sql_counter.statements)
    assert one_render > 0
    sql_counter.statements.clear()
    responses = await asyncio.gather(*(client.get(path) for _ in range(8)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert len(sql_counter.statements) == one_render
    assert public.pages.stats.joined >= 1


async def test_not_found_is_kept_briefly_other_errors_and_linksets_not_at_all(
    client: AsyncClient, db: Database, sql_counter: SQLCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    product, _ = await candy_lot()
    missing = page_of(product, "NOPE")
    assert (await client.get(missing)).status_code == 404
    sql_counter.statements.clear()
    assert (await client.get(missing)).status_code == 404
    assert sql_counter.statements == []
    now = page_cache._clock()
    monkeypatch.setattr(page_cache, "_clock", lambda: now + page_cache.NOT_FOUND_TTL + 1)
    assert (await client.get(missing)).status_code == 404
    assert sql_counter.statements  # expired: looked up again
    monkeypatch.undo()
    # A syntax error is never stored (it costs no SQL anyway); a linkset always reads the lot's status.
    assert (await client.get("/01/08934563138164")).status_code == 400
    assert len(public.answers) == 0
    for _ in range(2):
        sql_counter.statements.clear()
        assert (await client.get(scan_of(product), params={"linkType": "linkset"})).status_code == 200
        assert len(sql_counter.statements) == 1


async def test_a_page_expires_after_its_max_age(
    client: AsyncClient, db: Database, sql_counter: SQLCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    product, _ = await candy_lot()
    await client.get(page_of(product))
    now = page_cache._clock()
    monkeypatch.setattr(page_cache, "_clock", lambda: now + page_cache.TRACE_PAGE_MAX_AGE - 1)
    sql_counter.statements.clear()
    await client.get(page_of(product))
    assert sql_counter.statements == []
    monkeypatch.setattr(page_cache, "_clock", lambda: now + page_cache.TRACE_PAGE_MAX_AGE + 1)
    await client.get(page_of(product))
    assert sql_counter.statements


async def test_the_cache_is_bounded_least_recently_used_out_first(
    client: AsyncClient,
    db: Database,
    sql_counter: SQLCounter,
    monkeypatch: pytest.MonkeyPatch,
    front: page_cache.FrontCache[CachedResponse],
) -> None:
    assert public.pages.max_entries == page_cache.MAX_ENTRIES == front.max_entries == 2_000
    monkeypatch.setattr(public.pages, "max_entries", 3)
    monkeypatch.setattr(front, "max_entries", 3)
    product, _ = await candy_lot("L0")
    for n in range(1, 5):
        await candy_lot(f"L{n}", product)
    for n in range(5):
        assert (await client.get(page_of(product, f"L{n}"))).status_code == 200
        assert len(public.pages) <= 3
    sql_counter.statements.clear()
    await client.get(page_of(product, "L4"))  # recent: kept
    assert sql_counter.statements == []
    await client.get(page_of(product, "L0"))  # the oldest: evicted (from both), rendered again
    assert sql_counter.statements
    assert public.pages.stats.evicted >= 2
    assert front.stats.evicted >= 2
    assert len(front) <= 3


async def test_a_write_transaction_holds_the_cache_off_until_it_ends(db: Database) -> None:
    cache: page_cache.MicroCache[int] = page_cache.MicroCache("test")
    renders = 0

    async def render() -> tuple[int, float]:
        nonlocal renders
        renders += 1
        return renders, 60

    assert await cache.fetch("k", render) == 1
    assert await cache.fetch("k", render) == 1
    async with in_transaction():
        page_cache.invalidate()  # a write inside a transaction, as services.trace does
        assert await cache.fetch("k", render) == 2  # not served from the cache ...
        assert await cache.fetch("k", render) == 3  # ... nor stored while the transaction is open
        assert cache.stats.bypassed == 2
    assert await cache.fetch("k", render) == 4  # rendered after the commit: stored
    assert await cache.fetch("k", render) == 4


async def test_single_flight_survives_a_failed_or_cancelled_first_render() -> None:
    cache: page_cache.MicroCache[str] = page_cache.MicroCache("test")
    started = asyncio.Event()
    release = asyncio.Event()

    async def failing() -> tuple[str, float]:
        started.set()
        await release.wait()
        raise RuntimeError("database down")

    async def working() -> tuple[str, float]:
        return "page", 60

    first = asyncio.create_task(cache.fetch("k", failing))
    await started.wait()
    waiter = asyncio.create_task(cache.fetch("k", working))
    await asyncio.sleep(0)
    release.set()
    with pytest.raises(RuntimeError):
        await first
    assert await waiter == "page"  # the waiter rendered on its own
    assert await cache.fetch("k", failing) == "page"  # and stored it
    # The first request's client goes away (its task is cancelled): the waiters still get a page.
    slow_started = asyncio.Event()

    async def slow() -> tuple[str, float]:
        slow_started.set()
        await asyncio.sleep(60)
        return "never", 60

    first = asyncio.create_task(cache.fetch("other", slow))
    await slow_started.wait()
    waiter = asyncio.create_task(cache.fetch("other", working))
    await asyncio.sleep(0)
    first.cancel()
    assert await waiter == "page"
    assert first.cancelled()


async def test_an_answer_read_elsewhere_is_kept_only_if_nothing_was_written_since(db: Database) -> None:
    """`offer`: the resolver reads a lot's page with its redirect and keeps it for the request that follows,
    unless a write came after the read, or the cache holds or is rendering that page already."""
    cache: page_cache.MicroCache[str] = page_cache.MicroCache("test")

    async def render() -> tuple[str, float]:
        return "rendered", 60

    before = page_cache.generation()
    page_cache.invalidate()  # a write between the read and the offer
    assert not cache.offer("k", "read before the write", 60, before)
    assert await cache.fetch("k", render) == "rendered"
    assert not cache.offer("k", "another", 60, page_cache.generation())  # kept already: not replaced
    assert await cache.fetch("k", render) == "rendered"
    assert cache.offer("k2", "read", 60, page_cache.generation())
    assert await cache.fetch("k2", render) == "read"  # served as kept: no render
    assert not cache.offer("k3", "error", 0, page_cache.generation())  # nothing to keep
    async with in_transaction():
        page_cache.invalidate()
        assert not cache.offer("k4", "read in a write", 60, page_cache.generation())
    started, release = asyncio.Event(), asyncio.Event()

    async def slow() -> tuple[str, float]:
        started.set()
        await release.wait()
        return "rendered", 60

    rendering = asyncio.create_task(cache.fetch("k5", slow))
    await started.wait()
    assert not cache.offer("k5", "read", 60, page_cache.generation())  # the render in flight keeps its own
    release.set()
    assert await rendering == "rendered"
    assert cache.stats.offered == 1  # k2 alone
