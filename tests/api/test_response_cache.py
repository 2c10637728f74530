"""The response cache of anonymous reads (issue 18 item 1): a repeated public query is answered without
executing (no SQL), a write of what it read drops it (here and, through the bus, on another replica),
and nothing that depends on the caller, on credentials or on a write in progress is ever kept."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from httpx import ASGITransport, AsyncClient
from strawberry.relay import to_base64
from tortoise import connections
from tortoise.transactions import in_transaction

import schema as graphql_schema
from benchmarks.servers import Server
from models import Role
from schema.response_cache import cacheability
from schema.trusted import validator
from services.api import response_cache, trusted_documents
from services.common.settings import load_settings
from services.policy import SYSTEM
from tests.conftest import Database, SQLCounter, gql, make_app
from tests.factories import make_product, token_for
from tests.fairs.factories import make_fair

PRODUCTS = "query Products { products(first: 10) { edges { node { name } } } }"
WITH_ME = "query Me { me { email } products(first: 10) { edges { node { name } } } }"
RENAME = "mutation Rename($input: ProductUpdateInput!) { updateProduct(input: $input) { errors { code } } }"


@contextlib.asynccontextmanager
async def cached_app(**overrides: Any) -> AsyncIterator[tuple[AsyncClient, response_cache.ResponseCache]]:
    app = make_app(**({"response_cache_ttl_s": 30.0} | overrides))
    cache = app.state.graphql.responses
    assert cache is not None
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http:
        yield http, cache


def names(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in body["data"]["products"]["edges"]]


async def test_a_repeated_anonymous_query_is_answered_without_sql_until_a_product_is_written(
    db: Database, sql_counter: SQLCounter
) -> None:
    product = await make_product(name="Trà shan tuyết", isPublished=True)
    admin = await token_for(Role.CENTRAL_ADMIN)
    async with cached_app() as (client, cache):
        assert names(await gql(client, PRODUCTS)) == ["Trà shan tuyết"]
        sql_counter.statements.clear()
        assert names(await gql(client, PRODUCTS)) == ["Trà shan tuyết"]
        assert sql_counter.statements == []  # answered from the cache
        assert cache.stats.hits == 1

        variables = {"input": {"id": to_base64("Product", product.id), "name": "Trà shan tuyết cổ thụ"}}
        changed = await gql(client, RENAME, variables, token=admin)
        assert changed["data"]["updateProduct"]["errors"] == []
        await asyncio.sleep(0.3 if db.backend == "postgres" else 0)  # PostgreSQL: the bus message arrives
        assert names(await gql(client, PRODUCTS)) == ["Trà shan tuyết cổ thụ"]


async def test_each_answer_says_how_the_cache_gave_it(db: Database) -> None:
    """RFC 9211's Cache-Status on anonymous reads: a miss rendered and kept, then hits until a write of what
    it read; nothing for a signed-in caller or a document the cache never keeps."""
    product = await make_product(name="Bưởi da xanh", isPublished=True)
    admin = await token_for(Role.CENTRAL_ADMIN)

    async def status(query: str, token: str | None = None) -> str | None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await client.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 200
        said: str | None = response.headers.get("cache-status")
        return said

    async with cached_app() as (client, _cache):
        assert await status(PRODUCTS) == "ocop-hub; fwd=miss; stored"
        assert await status(PRODUCTS) == "ocop-hub; hit"
        assert await status(PRODUCTS, admin) is None
        assert await status(WITH_ME) is None
        variables = {"input": {"id": to_base64("Product", product.id), "name": "Bưởi da xanh Chợ Lách"}}
        assert (await gql(client, RENAME, variables, token=admin))["data"]["updateProduct"]["errors"] == []
        await asyncio.sleep(0.3 if db.backend == "postgres" else 0)  # PostgreSQL: the bus message arrives
        assert await status(PRODUCTS) == "ocop-hub; fwd=miss; stored"
        assert await status(PRODUCTS) == "ocop-hub; hit"


async def test_a_write_of_another_domain_keeps_the_answer(db: Database, sql_counter: SQLCounter) -> None:
    await make_product(name="Mắm tôm", isPublished=True)
    async with cached_app() as (client, cache):
        await gql(client, PRODUCTS)
        assert cacheability(graphql_schema.schema, PRODUCTS, "Products").groups == {"registry"}
        await make_fair()  # fairs rows only
        await asyncio.sleep(0.3 if db.backend == "postgres" else 0)
        sql_counter.statements.clear()
        await gql(client, PRODUCTS)
        assert sql_counter.statements == []
        assert cache.stats.dropped == 0


async def test_authenticated_callers_and_per_caller_fields_are_never_cached(
    db: Database, sql_counter: SQLCounter
) -> None:
    await make_product(name="Bánh pía", isPublished=True)
    admin = await token_for(Role.CENTRAL_ADMIN)
    async with cached_app() as (client, cache):
        for _ in range(2):
            sql_counter.statements.clear()
            assert names(await gql(client, PRODUCTS, token=admin)) == ["Bánh pía"]
            assert sql_counter.statements != []
        # `me` describes who asks: an anonymous document selecting it executes every time.
        for _ in range(2):
            sql_counter.statements.clear()
            body = await gql(client, WITH_ME)
            assert body["data"]["me"] is None
            assert sql_counter.statements != []
        assert len(cache) == 0
        assert cache.stats.hits == cache.stats.misses == 0
    verdict = cacheability(
        graphql_schema.schema, "query { fairs(first: 1) { edges { node { viewerCanManage } } } }", None
    )
    assert not verdict.cacheable
    assert "viewerCanManage" in verdict.reason
    assert not cacheability(graphql_schema.schema, RENAME, None).cacheable


async def test_an_answer_rendered_across_a_write_is_not_kept(db: Database) -> None:
    cache = response_cache.ResponseCache(ttl_s=30, max_bytes=1_000_000)
    renders = 0

    async def render_across_a_write() -> response_cache.Answer:
        nonlocal renders
        renders += 1
        if renders == 1:
            await response_cache.wrote(["registry"])  # a write reached this process while executing
        return response_cache.Answer(b'{"data":{}}', keep=True)

    groups = frozenset({"registry"})
    await cache.fetch("k", groups, render_across_a_write)
    assert len(cache) == 0  # it may show rows the write replaced
    await cache.fetch("k", groups, render_across_a_write)
    assert len(cache) == 1
    await cache.fetch("k", groups, render_across_a_write)
    assert renders == 2


async def test_nothing_is_served_or_kept_while_a_write_transaction_is_open(db: Database) -> None:
    cache = response_cache.ResponseCache(ttl_s=30, max_bytes=1_000_000)
    product = await make_product(name="Rượu Bàu Đá", isPublished=True)

    async def render() -> response_cache.Answer:
        return response_cache.Answer(b"{}", keep=True)

    groups = frozenset({"registry"})
    await cache.fetch("k", groups, render)
    assert len(cache) == 1
    async with in_transaction():
        product.name = "Rượu Bàu Đá Bình Định"
        await product.save()
        assert len(cache) == 0  # dropped at the save
        await cache.fetch("k", groups, render)
        assert len(cache) == 0
        assert cache.stats.bypassed == 1
    await asyncio.sleep(0.3 if db.backend == "postgres" else 0)
    await cache.fetch("k", groups, render)
    assert len(cache) == 1


async def test_concurrent_identical_misses_execute_once(db: Database, sql_counter: SQLCounter) -> None:
    await make_product(name="Nước mắm Phú Quốc", isPublished=True)
    async with cached_app() as (client, cache):
        answers = await asyncio.gather(*(gql(client, PRODUCTS) for _ in range(8)))
        assert all(names(a) == ["Nước mắm Phú Quốc"] for a in answers)
        assert cache.stats.misses == 1
        assert cache.stats.joined + cache.stats.hits == 7


async def test_the_cache_is_bounded_by_bytes_least_recently_used_out(db: Database) -> None:
    cache = response_cache.ResponseCache(ttl_s=30, max_bytes=4 * (1_000 + response_cache.ENTRY_OVERHEAD))
    groups = frozenset({"registry"})
    for key in ("a", "b", "c", "d", "e"):

        async def render() -> response_cache.Answer:
            return response_cache.Answer(b"x" * 1_000, keep=True)

        await cache.fetch(key, groups, render)
        if key == "c":
            await cache.fetch("a", groups, render)  # "a" used again: "b" is now the oldest
    assert cache.size <= cache.max_bytes
    assert len(cache) == 4
    assert cache.stats.evicted == 1
    assert "b" not in cache._entries
    assert "a" in cache._entries


async def test_trusted_get_answers_carry_the_same_etag_from_the_cache(db: Database) -> None:
    await make_product(name="Chè Thái Nguyên", isPublished=True)
    entries = trusted_documents.read_manifest({hashlib.sha256(PRODUCTS.encode()).hexdigest(): PRODUCTS})
    validate = validator(graphql_schema.schema, graphql_schema.LIMITS)
    await trusted_documents.register(entries, validate=validate, reach=SYSTEM, registered_by="test")
    url = f"/graphql?documentId=sha256:{hashlib.sha256(PRODUCTS.encode()).hexdigest()}"
    async with cached_app() as (client, cache):
        first = await client.get(url)
        second = await client.get(url)
        assert cache.stats.hits == 1
        assert first.status_code == second.status_code == 200
        assert first.headers["etag"] == second.headers["etag"]
        assert first.headers["cache-control"].startswith("public, max-age=")
        assert first.headers["etag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'
        again = await client.get(url, headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304
        admin = await token_for(Role.CENTRAL_ADMIN)
        signed_in = await client.get(url, headers={"authorization": f"Bearer {admin}"})
        assert signed_in.headers["cache-control"] == "private, no-store"


def test_the_settings_are_checked_at_start_up() -> None:
    assert load_settings({"OCOP_RESPONSE_CACHE_TTL_S": "5"}).response_cache_ttl_s == 5.0
    assert load_settings({"OCOP_RESPONSE_CACHE_TTL_S": "0"}).response_cache_ttl_s == 0.0
    assert load_settings({"OCOP_RESPONSE_CACHE_MAX_BYTES": "1000"}).response_cache_max_bytes == 1000
    for name, value in (
        ("OCOP_RESPONSE_CACHE_TTL_S", "-1"),
        ("OCOP_RESPONSE_CACHE_TTL_S", "soon"),
        ("OCOP_RESPONSE_CACHE_MAX_BYTES", "-5"),
        ("OCOP_RESPONSE_CACHE_MAX_BYTES", "32MB"),
    ):
        with pytest.raises(ValueError, match=name):
            load_settings({name: value})


async def test_a_product_written_on_one_replica_drops_the_cached_answer_on_the_other(
    replicas: tuple[Server, Server], db: Database
) -> None:
    a, b = replicas
    product = await make_product(name="Gạo ST25", isPublished=True)
    admin = await token_for(Role.CENTRAL_ADMIN)
    body = {"query": PRODUCTS}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{b.port}") as on_b:
        assert names((await on_b.post("/graphql", json=body)).json()) == ["Gạo ST25"]
        # Behind the bus's back (no message): B keeps answering from its response cache.
        await connections.get("default").execute_query(
            "UPDATE product SET name = $1 WHERE id = $2", ["Gạo ST24", product.id]
        )
        assert names((await on_b.post("/graphql", json=body)).json()) == ["Gạo ST25"]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{a.port}") as on_a:
            variables = {"input": {"id": to_base64("Product", product.id), "name": "Gạo ST25 Sóc Trăng"}}
            written = await on_a.post(
                "/graphql",
                json={"query": RENAME, "variables": variables},
                headers={"authorization": f"Bearer {admin}"},
            )
            assert written.json()["data"] == {"updateProduct": {"errors": []}}
        start = time.monotonic()
        while names((await on_b.post("/graphql", json=body)).json()) != ["Gạo ST25 Sóc Trăng"]:
            assert time.monotonic() - start < 5, "the write never reached replica B's response cache"
            await asyncio.sleep(0.02)
