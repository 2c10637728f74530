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


def tortoise_config(database_url: str, *, pg_schema: str | None = None) -> dict[str, Any]:
    connection: str | dict[str, Any] = database_url
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        from tortoise.backends.base.config_generator import expand_db_url

        connection = expand_db_url(database_url)
        connection["credentials"]["connection_class"] = NoResetConnection
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
