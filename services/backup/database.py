"""The database's part of a backup. PostgreSQL: the real `pg_dump` (custom format: compressed, restored
table by table, in parallel if wanted) and `pg_restore`, whose major version must be at least the server's
(pg_dump refuses a newer server; an older pg_restore cannot read a newer dump). SQLite: the online backup
API, a consistent copy while the service keeps writing.

Connection details go to the tools in the PG* environment variables, never on the command line (a
password in argv is visible to every user of the machine)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg


class BackupError(RuntimeError):
    """A backup or restore that cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Target:
    """A database named by a DATABASE_URL: SQLite's file, or PostgreSQL's server, database and schema."""

    url: str
    kind: str  # "postgres" or "sqlite"
    sqlite_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 5432
    user: str | None = None
    password: str | None = None
    database: str | None = None
    schema: str | None = None  # ?schema=NAME of the URL (Tortoise's search path), else every schema

    def environment(self) -> dict[str, str]:
        """The PG* variables that make pg_dump, pg_restore and psql reach this database."""
        env = dict(os.environ)  # PGSSLMODE, PGSSLROOTCERT, PGPASSFILE… stay as the operator set them
        env |= {"PGHOST": self.host, "PGPORT": str(self.port), "PGDATABASE": self.database or ""}
        if self.user:
            env["PGUSER"] = self.user
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def dsn(self) -> str:
        """A DSN for asyncpg without the `schema` parameter (which asyncpg does not know)."""
        parts = urlsplit(self.url)
        return parts._replace(scheme="postgresql", query="").geturl()


def target(url: str) -> Target:
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        if not path or path == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up or restored")
        return Target(url, "sqlite", sqlite_path=Path(path))
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "asyncpg"):
        raise BackupError(f"DATABASE_URL: {parts.scheme!r} is neither sqlite:// nor postgres://")
    schema: str | None = (parse_qs(parts.query).get("schema") or [""])[0] or None
    if schema is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
        raise BackupError(f"schema {schema!r}: letters, digits and _ only")
    return Target(
        url,
        "postgres",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        database=parts.path.lstrip("/") or None,
        schema=schema,
    )


# -- PostgreSQL ------------------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client of the server's version")
    return found


def tool_major(name: str) -> int:
    """The major version of pg_dump or pg_restore on the PATH ("pg_dump (PostgreSQL) 15.20" -> 15)."""
    out = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"\)\s*(\d+)", out)
    if match is None:
        raise BackupError(f"{name} --version said {out.strip()!r}")
    return int(match[1])


async def server_major(where: Target) -> int:
    conn = await asyncpg.connect(where.dsn())
    try:
        return int(await conn.fetchval("SHOW server_version_num")) // 10000
    finally:
        await conn.close()


async def check_versions(where: Target, tool: str) -> tuple[int, int]:
    """(tool's major, server's major); refused when the tool is older than the server."""
    mine, server = tool_major(tool), await server_major(where)
    if mine < server:
        raise BackupError(
            f"{tool} {mine} is older than the PostgreSQL server ({server}): install the client of version "
            f"{server} (e.g. postgresql-client-{server}) or run the tool from the server's image"
        )
    return mine, server


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


async def pg_dump(where: Target, output: Path) -> dict[str, object]:
    """`pg_dump --format=custom` of the database (only its schema when the URL names one) into `output`."""
    tool, server = await check_versions(where, "pg_dump")
    args = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={output}"]
    if where.schema:
        args.append(f"--schema={where.schema}")
    _run(args, where.environment())
    return {"tool": f"pg_dump {tool}", "server_major": server, "schema": where.schema}


async def tables_in(where: Target, schema: str) -> int:
    conn = await asyncpg.connect(where.dsn())
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", schema
            )
        )
    finally:
        await conn.close()


async def pg_restore(dump: Path, where: Target, dumped_schema: str | None, *, force: bool) -> None:
    """Restore a custom-format dump into `where`. The dump's schema (public, or the one the source URL named)
    must be empty there unless `force`, which first drops what the dump holds (`--clean --if-exists`)."""
    await check_versions(where, "pg_restore")
    schema = dumped_schema or "public"
    if where.schema and where.schema != schema:
        raise BackupError(
            f"the dump holds schema {schema!r}, the target URL names {where.schema!r}: pg_restore keeps "
            f"schema names, so name {schema!r} (or no schema) in the target URL"
        )
    existing = await tables_in(where, schema)
    if existing and not force:
        raise BackupError(
            f"the target's schema {schema!r} holds {existing} tables: restore into a fresh database "
            "(createdb NAME), or pass --force to replace what the dump holds"
        )
    args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force and existing:
        args += ["--clean", "--if-exists"]
    args += [f"--dbname={where.database}", str(dump)]
    _run(args, where.environment())


# -- SQLite ----------------------------------------------------------------------------------------------------


def sqlite_backup(source: Path, output: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API, page by page)."""
    if not source.is_file():
        raise BackupError(f"{source}: no such SQLite database")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(output) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def sqlite_restore(backup: Path, destination: Path, *, force: bool) -> None:
    """The backup copied into `destination` (through the backup API: a service holding it open sees the
    new content, not a half-written file); refused onto a database with tables unless `force`."""
    if destination.exists() and destination.stat().st_size > 0 and not force:
        with sqlite3.connect(destination) as existing:
            tables = existing.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        existing.close()
        if tables:
            raise BackupError(
                f"{destination} holds {tables} tables: restore into a new file, or pass --force to replace it"
            )
    destination.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(backup) as src, sqlite3.connect(destination) as dst:
        src.backup(dst)
    dst.close()
    src.close()
