"""Database lifecycle: connect, migrate with Tortoise's built-in migrations, check readiness.

Replicas that start together on one PostgreSQL migrate once: `migration_lock` holds a PostgreSQL advisory
lock around the whole start-up step (migrations, reference data, the first demo load), the others wait
for it and then find nothing left to do; `/readyz` answers 503 until every migration is applied."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.executor import MigrationExecutor

from models.db import APP_LABEL, DEFAULT_POOL_SIZE, tortoise_config
from services.common import bus

log = logging.getLogger(__name__)


def _ensure_sqlite_dir(database_url: str) -> None:
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        Path(database_url.removeprefix("sqlite://").split("?", 1)[0]).parent.mkdir(
            parents=True, exist_ok=True
        )


async def connect(
    database_url: str, *, pg_schema: str | None = None, pool_size: int = DEFAULT_POOL_SIZE
) -> None:
    """Initialise Tortoise for this process (on PostgreSQL a pool of at most `pool_size` connections, unless
    the URL names its `maxsize`). The global fallback makes the connection visible to every request task
    (Tortoise >= 1.0 keeps its context per task otherwise)."""
    _ensure_sqlite_dir(database_url)
    # Tortoise caches insert SQL per connection *name*, not per dialect: a process that reconnects
    # "default" to another database (the test suite runs SQLite, then PostgreSQL) must drop it.
    EXECUTOR_CACHE.clear()
    bus.configure(database_url, pg_schema)  # where this process's messages go (services/common/bus.py)
    await Tortoise.init(
        config=tortoise_config(database_url, pg_schema=pg_schema, pool_size=pool_size),
        _enable_global_fallback=True,
    )


async def disconnect() -> None:
    await bus.stop()
    await Tortoise.close_connections()


async def _pg_execute(database_url: str, statement: str) -> None:
    """One statement on a connection of its own, outside Tortoise (which may not be connected yet)."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_pg_schema(database_url: str, pg_schema: str) -> None:
    await _pg_execute(database_url, f'CREATE SCHEMA IF NOT EXISTS "{pg_schema}"')


async def drop_pg_schema(database_url: str, pg_schema: str) -> None:
    await _pg_execute(database_url, f'DROP SCHEMA IF EXISTS "{pg_schema}" CASCADE')


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def migration_lock_key(pg_schema: str | None) -> int:
    """The advisory lock's key: one per schema (the test suite migrates a schema per worker at once)."""
    digest = hashlib.sha256(f"ocop-hub:migrate:{pg_schema or 'public'}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.asynccontextmanager
async def migration_lock(database_url: str, *, pg_schema: str | None = None) -> AsyncIterator[None]:
    """Hold the installation's migration lock (PostgreSQL session advisory lock, on a connection of its
    own) while the body runs; another replica's start-up waits here until the first one is done. The
    lock dies with its connection, so a replica killed mid-migration never leaves the others stuck.
    SQLite is the one-process embedded default: nothing to take."""
    if not is_postgres(database_url):
        yield
        return
    import asyncpg
    from tortoise.backends.base.config_generator import expand_db_url

    credentials = expand_db_url(database_url)["credentials"]
    key = migration_lock_key(pg_schema or credentials.get("schema"))
    conn = await asyncpg.connect(
        host=credentials["host"],
        port=credentials["port"],
        user=credentials["user"],
        password=credentials["password"],
        database=credentials["database"],
        ssl=credentials.get("ssl") or credentials.get("sslmode"),
    )
    try:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
            log.info("waiting for another replica's migration (PostgreSQL advisory lock %s)", key)
            started = time.monotonic()
            await conn.execute("SELECT pg_advisory_lock($1)", key)
            log.info("migration lock taken after %.1f s", time.monotonic() - started)
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
    finally:
        await conn.close()


async def migrate(database_url: str, *, pg_schema: str | None = None) -> None:
    _ensure_sqlite_dir(database_url)
    if pg_schema is not None:
        await create_pg_schema(database_url, pg_schema)
    await tortoise_migrate(config=tortoise_config(database_url, pg_schema=pg_schema))


async def pending_migrations() -> list[str]:
    """Names of migrations on disk that the connected database has not applied."""
    app_config = tortoise_config("sqlite://:memory:")["apps"][APP_LABEL]
    executor = MigrationExecutor(connections.get("default"), {APP_LABEL: app_config})
    plan = await executor.plan(None)
    return [f"{step.migration.app_label}.{step.migration.name}" for step in plan if not step.backward]


async def is_ready() -> tuple[bool, str]:
    """Readiness: the database answers and every migration is applied."""
    try:
        conn = connections.get("default")
        await conn.execute_query("SELECT 1")
        pending = await pending_migrations()
    except Exception as exc:  # any failure means "not ready"; the reason is reported, not raised
        log.warning("readiness check failed: %s", exc)
        return False, f"database unavailable: {type(exc).__name__}"
    if pending:
        return False, f"{len(pending)} migration(s) not applied"
    return True, "ok"
