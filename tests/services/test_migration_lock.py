"""Replicas that start together on one PostgreSQL database migrate it once: the others wait for the
first one's advisory lock, then find nothing to do. Real processes (`server.py migrate --demo-if-empty`,
what `make run` and the Kubernetes migration Job run), started at the same moment on an empty schema."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import asyncpg
import pytest

from services.common import db
from tests.conftest import POSTGRES_DSN, ROOT

pytestmark = pytest.mark.skipif(POSTGRES_DSN is None, reason="PostgreSQL only: SQLite is one process")


def _start(database_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "INFO", "OCOP_ENV": "development"}
    return subprocess.Popen(
        [sys.executable, "server.py", "migrate", "--demo-if-empty"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def _count(schema: str, sql: str) -> int:
    assert POSTGRES_DSN is not None
    conn = await asyncpg.connect(POSTGRES_DSN)
    try:
        await conn.execute(f'SET search_path TO "{schema}"')
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


# Real `server.py migrate --demo-if-empty` processes: `make test-slow` (CI runs it after `make test`).
@pytest.mark.slow
def test_three_replicas_starting_at_once_migrate_and_load_the_demo_once() -> None:
    assert POSTGRES_DSN is not None
    schema = f"ocop_lock_{uuid.uuid4().hex[:8]}"
    asyncio.run(db.create_pg_schema(POSTGRES_DSN, schema))
    try:
        url = f"{POSTGRES_DSN}?schema={schema}"
        processes = [_start(url) for _ in range(3)]
        outputs = [p.communicate(timeout=300)[0] for p in processes]
        for process, output in zip(processes, outputs, strict=True):
            assert process.returncode == 0, output[-3000:]
        # The demo was loaded by one of them, once: its producers are not doubled.
        loaded = [output for output in outputs if "demo data loaded" in output]
        assert len(loaded) == 1, outputs
        assert sum("waiting for another replica's migration" in output for output in outputs) >= 1, outputs
        assert asyncio.run(_count(schema, "SELECT count(*) FROM producer")) > 0
        # Every migration on disk is applied, once.
        applied = asyncio.run(_count(schema, "SELECT count(*) FROM tortoise_migrations"))
        on_disk = len([p for p in (ROOT / "models" / "migrations").glob("0*.py")])
        assert applied == on_disk
    finally:
        asyncio.run(db.drop_pg_schema(POSTGRES_DSN, schema))


def test_the_lock_is_per_schema() -> None:
    assert db.migration_lock_key("a") != db.migration_lock_key("b")
    assert db.migration_lock_key(None) == db.migration_lock_key("public")
