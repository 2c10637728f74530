"""Zero-downtime upgrades (docs/upgrades.md): while a release rolls out, the previous release's replicas keep
running against the database the new release migrated. So every migration after the last released one only
*expands*: it may add tables, nullable columns (or columns with a database default) and indexes, and must not
drop or rename a table or column the previous release reads, nor add a NOT NULL column without a database
default to a table the previous release writes. A deliberate *contract* step (dropping what the release
before stopped using) is listed in CONTRACT with the reason, and ships one release after the code that
stopped using it.

The check reads the migrations' operations (Tortoise's operation objects, and the SQL text of RunSQL and
RunPython), replaying those up to the last release to know what that release reads."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from tortoise.fields.base import DB_DEFAULT_NOT_SET
from tortoise.fields.relational import ManyToManyFieldInstance
from tortoise.migrations import operations as ops

import models.migrations
from tests.conftest import ROOT

# The last migration of each release (schema/released/schema-<version>.graphql is that release's API).
# Releasing X.Y.Z: add "X.Y.Z": "<its newest migration>" here when its schema is copied to schema/released/.
RELEASES = {"0.1.0": "0011_producer_logo"}

# Deliberate contract steps after the last release: (migration, "table" or "table.column") -> why it is safe.
# Only for what the previous release no longer reads or writes (docs/upgrades.md, "Contract").
CONTRACT: dict[tuple[str, str], str] = {}

_SQL_CONTRACT = re.compile(
    r"\bDROP\s+(TABLE|COLUMN)\b|\bRENAME\b|\bALTER\s+COLUMN\s+\S+\s+(SET\s+NOT\s+NULL|TYPE)\b|\bTRUNCATE\b",
    re.IGNORECASE,
)


@dataclass
class Schema:
    """What a release's database holds: model -> table, and each model's fields (by name)."""

    tables: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)


def migration_modules() -> list[tuple[str, list[Any]]]:
    names = sorted(info.name for info in pkgutil.iter_modules(models.migrations.__path__))
    return [
        (name, list(importlib.import_module(f"models.migrations.{name}").Migration.operations))
        for name in names
        if re.match(r"\d{4}_", name)
    ]


def replay(schema: Schema, operations: list[Any]) -> None:
    for op in operations:
        if isinstance(op, ops.CreateModel):
            schema.tables[op.name] = (op.options or {}).get("table") or op.name.lower()
            schema.fields[op.name] = dict(op.fields)
        elif isinstance(op, ops.AddField):
            schema.fields[op.model_name][op.name] = op.field
        elif isinstance(op, ops.RemoveField):
            schema.fields[op.model_name].pop(op.name, None)
        elif isinstance(op, ops.RenameField):
            schema.fields[op.model_name][op.new_name] = schema.fields[op.model_name].pop(op.old_name)
        elif isinstance(op, ops.DeleteModel):
            schema.tables.pop(op.name, None)
            schema.fields.pop(op.name, None)
        elif isinstance(op, ops.RenameModel):
            schema.tables[op.new_name] = schema.tables.pop(op.old_name)
            schema.fields[op.new_name] = schema.fields.pop(op.old_name)


def _sql_texts(op: Any) -> list[str]:
    if isinstance(op, ops.RunSQL):
        sql = op.sql
        if isinstance(sql, str):
            return [sql]
        if isinstance(sql, dict):
            return [text for value in sql.values() for text in ([value] if isinstance(value, str) else value)]
        return [text if isinstance(text, str) else str(text[0]) for text in sql]
    if isinstance(op, ops.RunPython):
        try:
            return [inspect.getsource(op.code)]
        except (OSError, TypeError):
            return []
    return []


def _no_db_default(field_: Any) -> bool:
    """No DEFAULT in the column's DDL (a Python-side `default` does not help the previous release's INSERTs)."""
    return getattr(field_, "db_default", DB_DEFAULT_NOT_SET) is DB_DEFAULT_NOT_SET


def contract_steps(released: Schema, later: list[tuple[str, list[Any]]]) -> list[tuple[str, str, str]]:
    """(migration, "table" or "table.column", what it does) for each step the previous release would break on."""
    found: list[tuple[str, str, str]] = []
    current = Schema(dict(released.tables), {model: dict(f) for model, f in released.fields.items()})

    def released_table(model: str) -> str | None:
        table = current.tables.get(model)
        return table if table is not None and table in released.tables.values() else None

    def released_column(model: str, name: str) -> bool:
        original = next((m for m, t in released.tables.items() if t == current.tables.get(model)), None)
        return original is not None and name in released.fields.get(original, {})

    for migration, operations in later:
        for op in operations:
            if isinstance(op, ops.DeleteModel) and (table := released_table(op.name)):
                found.append((migration, table, "drops the table"))
            elif isinstance(op, ops.RenameModel) and (table := released_table(op.old_name)):
                found.append((migration, table, f"renames the table (model {op.new_name})"))
            elif isinstance(op, ops.RemoveField | ops.RenameField | ops.AlterField | ops.AddField):
                table = released_table(op.model_name)
                name = op.old_name if isinstance(op, ops.RenameField) else op.name
                if table is None:
                    pass
                elif isinstance(op, ops.RemoveField) and released_column(op.model_name, name):
                    found.append((migration, f"{table}.{name}", "drops the column"))
                elif isinstance(op, ops.RenameField) and released_column(op.model_name, name):
                    found.append((migration, f"{table}.{name}", f"renames the column to {op.new_name}"))
                elif isinstance(op, ops.AlterField) and released_column(op.model_name, name):
                    before, after = current.fields[op.model_name][name], op.field
                    if (
                        getattr(before, "null", False)
                        and not getattr(after, "null", False)
                        and _no_db_default(after)
                    ):
                        found.append((migration, f"{table}.{name}", "makes the column NOT NULL"))
                    if getattr(before, "source_field", None) != getattr(op.field, "source_field", None):
                        found.append((migration, f"{table}.{name}", "renames the column (source_field)"))
                    if type(before) is not type(op.field):
                        found.append((migration, f"{table}.{name}", "changes the column's type"))
                elif isinstance(op, ops.AddField):
                    f = op.field
                    if (
                        # (a many-to-many field adds a table of its own, not a column)
                        not isinstance(f, ManyToManyFieldInstance)
                        and not getattr(f, "null", False)
                        and _no_db_default(f)
                        and not getattr(f, "generated", False)
                    ):
                        found.append(
                            (
                                migration,
                                f"{table}.{name}",
                                "adds a NOT NULL column without a database default",
                            )
                        )
            for text in _sql_texts(op):
                for statement in text.split(";"):
                    if _SQL_CONTRACT.search(statement):
                        tables = [
                            t for t in released.tables.values() if re.search(rf'\b"?{t}"?\b', statement)
                        ]
                        for table in tables or ["?"]:
                            found.append((migration, table, f"SQL: {' '.join(statement.split())[:120]}"))
            replay(current, [op])
    return found


def released_and_later(release: str) -> tuple[Schema, list[tuple[str, list[Any]]]]:
    modules = migration_modules()
    names = [name for name, _ in modules]
    assert RELEASES[release] in names, f"release {release}'s migration {RELEASES[release]} is not on disk"
    cut = names.index(RELEASES[release]) + 1
    released = Schema()
    for _, operations in modules[:cut]:
        replay(released, operations)
    return released, modules[cut:]


def last_release() -> str:
    return max(RELEASES, key=lambda version: tuple(int(p) for p in version.split(".")))


def test_every_released_schema_names_its_last_migration() -> None:
    versions = {
        path.name.removeprefix("schema-").removesuffix(".graphql")
        for path in (ROOT / "schema" / "released").glob("schema-*.graphql")
    }
    assert versions, "no released schema"
    assert versions == set(RELEASES), "add the new release's last migration to RELEASES"


def test_no_migration_after_the_last_release_breaks_the_release_still_running() -> None:
    released, later = released_and_later(last_release())
    assert len(released.tables) > 30  # the replay understood the released migrations
    steps = contract_steps(released, later)
    unlisted = [(m, target, what) for m, target, what in steps if (m, target) not in CONTRACT]
    assert not unlisted, (
        "these migrations break the previous release while it still runs (docs/upgrades.md): split them into "
        "expand now / contract one release later, or list a deliberate contract step in CONTRACT: "
        f"{unlisted}"
    )
    # Every CONTRACT entry is still a real step after the last release (stale entries are removed).
    assert set(CONTRACT) <= {(m, target) for m, target, _ in steps}


# The checker itself, on migrations written for the test: each kind of breaking step is found, and the
# expand steps are not.
def _synthetic(*operations: Any) -> list[tuple[str, str, str]]:
    released, _ = released_and_later(last_release())
    return contract_steps(released, [("9999_synthetic", list(operations))])


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        (ops.RemoveField(model_name="Product", name="name"), ("product.name", "drops the column")),
        (
            ops.RenameField(model_name="Product", old_name="name", new_name="title"),
            ("product.name", "renames the column to title"),
        ),
        (ops.DeleteModel(name="Product"), ("product", "drops the table")),
        (ops.RenameModel(old_name="Product", new_name="Item"), ("product", "renames the table (model Item)")),
        (
            ops.RunSQL('ALTER TABLE "product" DROP COLUMN "name"'),
            ("product", 'SQL: ALTER TABLE "product" DROP COLUMN "name"'),
        ),
    ],
)
def test_the_check_finds_each_breaking_step(operation: Any, expected: tuple[str, str]) -> None:
    assert [(target, what) for _, target, what in _synthetic(operation)] == [expected]


def test_the_check_finds_a_new_not_null_column_without_a_database_default() -> None:
    from tortoise import fields

    breaking = ops.AddField(model_name="Product", name="weight_g", field=fields.IntField())
    assert [t for _, t, _ in _synthetic(breaking)] == ["product.weight_g"]
    nullable = ops.AddField(model_name="Product", name="weight_g", field=fields.IntField(null=True))
    with_default = ops.AddField(
        model_name="Product", name="weight_g", field=fields.IntField(default=0, db_default=0)
    )
    assert _synthetic(nullable, with_default) == []


def test_expand_steps_and_dropping_what_the_release_never_had_pass() -> None:
    from tortoise import fields

    added = ops.AddField(
        model_name="Product", name="subtitle", field=fields.CharField(max_length=80, null=True)
    )
    dropped_again = ops.RemoveField(model_name="Product", name="subtitle")
    index = ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_product_x" ON "product" ("name")')
    assert _synthetic(added, dropped_again, index) == []
