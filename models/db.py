"""Tortoise configuration for a database URL (SQLite file or PostgreSQL via asyncpg)."""

from __future__ import annotations

from typing import Any

import asyncpg

APP_LABEL = "models"


class NoResetConnection(asyncpg.Connection):
    """Skips the reset statement asyncpg sends each time a connection returns to the pool (advisory
    unlock, CLOSE ALL, UNLISTEN, RESET ALL): an extra round trip per query, since Tortoise takes a pooled
    connection per statement. We hold no advisory locks, cursors, listeners or session settings across
    statements; an open transaction is still rolled back by the pool on release."""

    def get_reset_query(self) -> str:
        return ""


MIGRATIONS_MODULE = "models.migrations"
# The most connections a process's PostgreSQL pool opens (OCOP_DB_POOL_SIZE; a `maxsize` in the URL wins).
# Tortoise's own default, 5, is fewer than the requests one replica serves at once: the rest queued for a
# connection, one more turn of the event loop each, which tripled the p99 latency of every phase of
# `make bench` that reads the database (benchmarks/README.md). 10 is asyncpg's own default.
DEFAULT_POOL_SIZE = 10


def tortoise_config(
    database_url: str, *, pg_schema: str | None = None, pool_size: int = DEFAULT_POOL_SIZE
) -> dict[str, Any]:
    """Tortoise's configuration for `database_url`; on PostgreSQL a pool of at most `pool_size` connections
    unless the URL names its own `maxsize`."""
    connection: str | dict[str, Any] = database_url
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        from tortoise.backends.base.config_generator import expand_db_url

        connection = expand_db_url(database_url)
        connection["credentials"]["connection_class"] = NoResetConnection
        connection["credentials"].setdefault("maxsize", pool_size)
        if pg_schema is not None:
            connection["credentials"]["schema"] = pg_schema
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": ["models"],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "Asia/Ho_Chi_Minh",
    }


DEFAULT_DATABASE_URL = "sqlite://var/ocop.sqlite3"


def database_url_from_env() -> str:
    import os

    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def __getattr__(name: str) -> Any:
    """`TORTOISE_ORM`, for Tortoise's own CLI (`python -m tortoise makemigrations`, see [tool.tortoise] in
    pyproject.toml), built when the CLI asks for it: importing models must not read the environment."""
    if name == "TORTOISE_ORM":
        return tortoise_config(database_url_from_env())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
