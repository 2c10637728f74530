"""Tortoise configuration for a database URL (SQLite file or PostgreSQL via asyncpg)."""

from __future__ import annotations

from typing import Any

APP_LABEL = "models"
MIGRATIONS_MODULE = "models.migrations"


def tortoise_config(database_url: str, *, pg_schema: str | None = None) -> dict[str, Any]:
    connection: str | dict[str, Any] = database_url
    if pg_schema is not None:
        from tortoise.backends.base.config_generator import expand_db_url

        connection = expand_db_url(database_url)
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


# For Tortoise's own CLI (`python -m tortoise makemigrations`), see [tool.tortoise] in pyproject.toml.
TORTOISE_ORM = tortoise_config(database_url_from_env())
