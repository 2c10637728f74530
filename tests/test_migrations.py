"""The checked-in migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.migrations.autodetector import MigrationAutodetector

from models.db import APP_LABEL, tortoise_config
from tests.conftest import Database


async def _columns(db: Database, table: str) -> set[str]:
    conn = connections.get("default")
    if db.backend == "sqlite":
        _, rows = await conn.execute_query(f"PRAGMA table_info('{table}')")
        return {row["name"] for row in rows}
    _, rows = await conn.execute_query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
        [db.pg_schema, table],
    )
    return {row["column_name"] for row in rows}


async def _indexed_columns(db: Database, table: str) -> set[str]:
    conn = connections.get("default")
    if db.backend == "sqlite":
        _, indexes = await conn.execute_query(f"PRAGMA index_list('{table}')")
        columns: set[str] = set()
        for index in indexes:
            _, info = await conn.execute_query(f"PRAGMA index_info('{index['name']}')")
            if info:
                columns.add(info[0]["name"])  # leading column
        return columns
    _, rows = await conn.execute_query(
        "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
        "WHERE n.nspname = $1 AND c.relname = $2",
        [db.pg_schema, table],
    )
    return {row["attname"] for row in rows}


async def test_every_model_column_exists_in_the_migrated_database(db: Database) -> None:
    for model in Tortoise.apps[APP_LABEL].values():
        expected = set(model._meta.fields_db_projection.values())
        assert expected <= await _columns(db, model._meta.db_table), model.__name__


async def test_every_foreign_key_is_indexed(db: Database) -> None:
    for model in Tortoise.apps[APP_LABEL].values():
        indexed = await _indexed_columns(db, model._meta.db_table)
        for name in model._meta.fk_fields:
            field = model._meta.fields_map[name]
            assert isinstance(field, ForeignKeyFieldInstance)
            assert field.source_field in indexed, f"{model.__name__}.{name} has no index"


async def test_the_migrations_on_disk_match_the_models(db: Database) -> None:
    apps = {APP_LABEL: tortoise_config("sqlite://:memory:")["apps"][APP_LABEL]}
    detector = MigrationAutodetector(Tortoise.apps, apps)
    assert await detector.changes() == [], "run `python -m tortoise makemigrations` and commit the migration"
