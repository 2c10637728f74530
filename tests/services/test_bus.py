"""The bus (services/common/bus.py): what one process publishes reaches subscribers; on PostgreSQL through
LISTEN/NOTIFY, announced inside the writer's transaction (nothing rolled back is heard), and a listener that
loses its connection reconnects and flushes the caches."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from services.common import bus, page_cache, settings
from tests.conftest import Database


@pytest.fixture
async def listening(db: Database) -> bus.Bus:
    await bus.start()
    await bus.BUS.wait_listening()
    return bus.BUS


async def next_message(subscription: bus.Subscription, timeout_s: float = 5.0) -> bus.Message:
    async with asyncio.timeout(timeout_s):
        return await anext(subscription)


async def test_a_message_reaches_the_subscribers_of_its_topic(listening: bus.Bus) -> None:
    async with bus.subscribe("job:*") as jobs, bus.subscribe("lot:1") as lot:
        await bus.publish("lot:2", {"event": 5})  # nobody's
        await bus.publish("job:7", {"progress": 40})
        await bus.publish("lot:1", {"event": 6})
        got = await next_message(jobs)
        assert (got.topic, dict(got.payload), got.local) == ("job:7", {"progress": 40}, True)
        got = await next_message(lot)
        assert (got.topic, dict(got.payload)) == ("lot:1", {"event": 6})
        assert jobs.queue.empty()


async def announce_then_fail() -> None:
    async with in_transaction():
        await bus.publish("lot:1", {"event": 1})
        raise RuntimeError("rolled back")


async def test_a_rolled_back_write_announces_nothing_and_a_committed_one_at_commit(
    listening: bus.Bus, db: Database
) -> None:
    async with bus.subscribe("lot:*") as lot:
        with pytest.raises(RuntimeError):
            await announce_then_fail()
        async with in_transaction():
            await bus.publish("lot:1", {"event": 2})
            if db.backend == "postgres":  # delivered when the transaction commits, not before
                await asyncio.sleep(0.2)
                assert lot.queue.empty()
        got = await next_message(lot)
        if db.backend == "postgres":
            assert dict(got.payload) == {"event": 2}
        else:  # one process: delivered at once, the subscriber re-reads the rows (nothing there)
            assert dict(got.payload) == {"event": 1}


async def test_a_message_too_large_for_notify_is_refused(listening: bus.Bus) -> None:
    with pytest.raises(ValueError, match="at most"):
        await bus.publish("lot:1", {"ids": list(range(3000))})


async def test_a_slow_subscriber_loses_the_oldest_and_is_told_to_reread(listening: bus.Bus) -> None:
    async with bus.subscribe("job:1", maxsize=3) as slow:
        dropped = bus.stats().dropped
        for percent in range(5):
            await bus.publish("job:1", {"progress": percent})
        await asyncio.sleep(0.3)
        seen = []
        while not slow.queue.empty():
            seen.append(await next_message(slow))
        assert any(m.is_flush for m in seen)
        assert bus.stats().dropped > dropped


async def test_a_cache_message_of_another_process_invalidates_the_page_caches(db: Database) -> None:
    before = page_cache.generation()
    bus.BUS.deliver(bus.Message(page_cache.CACHE_TOPIC, {}, origin="another-process"))
    assert page_cache.generation() == before + 1
    bus.BUS.deliver(bus.Message(page_cache.CACHE_TOPIC, {}))  # our own: already bumped when published
    assert page_cache.generation() == before + 1


async def test_a_lost_listening_connection_reconnects_and_flushes(listening: bus.Bus, db: Database) -> None:
    if db.backend != "postgres":
        pytest.skip("SQLite has no listening connection")  # one process, nothing to lose
    cache = page_cache.MicroCache[str]("bus-test")

    async def render() -> tuple[str, float]:
        return "page", 60

    await cache.fetch("key", render)
    assert len(cache) == 1
    reconnects, flushes = bus.stats().reconnects, bus.stats().flushes
    assert listening.dsn is not None
    admin = await asyncpg.connect(**listening.dsn)
    try:
        async with bus.subscribe("job:*") as subscription:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN %' AND query LIKE $1",
                f"%{listening.channel}%",
            )
            assert killed == 1
            got = await next_message(subscription, timeout_s=15)
            assert got.is_flush
            assert dict(got.payload) == {"reason": "reconnected"}
        assert bus.stats().reconnects == reconnects + 1
        assert bus.stats().flushes == flushes + 1
        assert len(cache) == 0  # the caches were emptied: messages may have been missed
        await bus.BUS.wait_listening()
        async with bus.subscribe("job:*") as subscription:  # and messages flow again
            await bus.publish("job:3", {"progress": 1})
            assert (await next_message(subscription)).topic == "job:3"
    finally:
        await admin.close()


def test_behind_a_transaction_pool_the_listener_goes_to_postgresql_itself() -> None:
    """DATABASE_URL names PgBouncer (transaction pooling, which cannot hold a LISTEN); OCOP_SESSION_DATABASE_URL
    names PostgreSQL: the listening connection goes there, the channel still follows DATABASE_URL's schema.
    The whole path is run by tests/test_cluster.py (a recall through PgBouncer reaching the other replica)."""
    pooled = "postgres://ocop@127.0.0.1:6432/ocop?schema=prov83&statement_cache_size=0"
    probe = bus.Bus()
    with settings.overridden(session_database_url="postgres://ocop:pw@db.internal:5432/ocop?schema=prov83"):
        probe.configure(pooled)
    assert probe.dsn == {
        "host": "db.internal",
        "port": 5432,
        "user": "ocop",
        "password": "pw",
        "database": "ocop",
    }
    assert probe.channel == "ocop_events.prov83"
    with settings.overridden(session_database_url=None):
        probe.configure(pooled)
    assert (probe.dsn["host"], probe.dsn["port"]) == ("127.0.0.1", 6432)
    assert settings.load_settings({"OCOP_SESSION_DATABASE_URL": "postgres://x@y/z"}).session_database_url == (
        "postgres://x@y/z"
    )
