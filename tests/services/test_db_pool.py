"""The database pool of a process: how many statements it runs at once (OCOP_DB_POOL_SIZE, models/db.py
DEFAULT_POOL_SIZE). Tortoise's own default of 5 made the other requests of a busy replica queue for a
connection, which tripled the p99 latency of every benchmark phase that reads the database."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections

from models.db import DEFAULT_POOL_SIZE, tortoise_config
from services.common.metrics import _pool_figures
from services.common.settings import load_settings
from tests.conftest import Database

PG = "postgres://ocop@db.internal:5432/ocop"


async def test_a_process_runs_as_many_statements_at_once_as_its_pool_holds(db: Database) -> None:
    """What /metrics shows as ocop_db_pool_max_connections, and what the pool really opens when that many
    statements are in flight at once (SQLite: its one connection)."""
    client = connections.get("default")
    await client.execute_query("SELECT 1")  # the pool opens at the first statement
    figures = _pool_figures()
    assert figures is not None
    if db.backend == "sqlite":
        assert figures[2] == 1
        return
    assert figures[2] == DEFAULT_POOL_SIZE
    sleeping = [
        asyncio.create_task(client.execute_query("SELECT pg_sleep(0.5)"))
        for _ in range(DEFAULT_POOL_SIZE + 2)
    ]
    try:
        in_use = 0
        for _ in range(40):  # until every connection the pool may open is taken (at most 2 s)
            await asyncio.sleep(0.05)
            figures = _pool_figures()
            assert figures is not None
            in_use = max(in_use, figures[0])
            if in_use >= DEFAULT_POOL_SIZE:
                break
        assert in_use == DEFAULT_POOL_SIZE  # all of them, and no more than the pool's size
    finally:
        await asyncio.gather(*sleeping)


def test_the_pool_size_is_a_setting() -> None:
    assert load_settings({"DATABASE_URL": PG}).db_pool_size == DEFAULT_POOL_SIZE
    assert load_settings({"DATABASE_URL": PG, "OCOP_DB_POOL_SIZE": "24"}).db_pool_size == 24
    # Tortoise's own URL parameter says the same, and is honoured alone or when both agree.
    assert load_settings({"DATABASE_URL": f"{PG}?maxsize=7"}).db_pool_size == 7
    both = {"DATABASE_URL": f"{PG}?schema=a&maxsize=7", "OCOP_DB_POOL_SIZE": "7"}
    assert load_settings(both).db_pool_size == 7


@pytest.mark.parametrize(
    ("value", "url", "says"),
    [
        ("0", PG, "between 1 and 500"),
        ("many", PG, "is not a number"),
        ("2.5", PG, "whole number"),
        ("20", f"{PG}?maxsize=7", "set the pool size in one of them"),
    ],
)
def test_a_pool_size_that_is_not_one_is_refused_at_start_up(value: str, url: str, says: str) -> None:
    with pytest.raises(ValueError, match="OCOP_DB_POOL_SIZE") as refused:
        load_settings({"DATABASE_URL": url, "OCOP_DB_POOL_SIZE": value})
    assert says in str(refused.value)


def test_the_pool_size_reaches_tortoise_unless_the_url_names_one() -> None:
    def maxsize(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> object:
        return tortoise_config(url, pool_size=pool_size)["connections"]["default"]["credentials"]["maxsize"]

    assert maxsize(PG) == DEFAULT_POOL_SIZE
    assert maxsize(PG, 3) == 3
    assert maxsize(f"{PG}?maxsize=7", 3) == "7"
