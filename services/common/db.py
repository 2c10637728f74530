"""Database lifecycle: connect, migrate with Tortoise's built-in migrations, check readiness."""

from __future__ import annotations

import logging
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.executor import MigrationExecutor

from models.db import APP_LABEL, tortoise_config
from services.common import bus

log = logging.getLogger(__name__)


def _ensure_sqlite_dir(database_url: str) -> None:
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        Path(database_url.removeprefix("sqlite://").split("?", 1)[0]).parent.mkdir(
            parents=True, exist_ok=True
        )


async def connect(database_url: str, *, pg_schema: str | None = None) -> None:
    """Initialise Tortoise for this process. The global fallback makes the connection visible to every
    request task (Tortoise >= 1.0 keeps its context per task otherwise)."""
    _ensure_sqlite_dir(database_url)
    # Tortoise caches insert SQL per connection *name*, not per dialect: a process that reconnects
    # "default" to another database (the test suite runs SQLite, then PostgreSQL) must drop it.
    EXECUTOR_CACHE.clear()
    bus.configure(database_url, pg_schema)  # where this process's messages go (services/common/bus.py)
    await Tortoise.init(
        config=tortoise_config(database_url, pg_schema=pg_schema), _enable_global_fallback=True
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
