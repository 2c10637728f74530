"""One benchmark run against PostgreSQL, from start to exit status: a schema of its own, created by the run
and dropped at its end whatever happens (an error, Ctrl-C, SIGTERM), the servers it started stopped, their
logs kept only after a failure. Shared by `run.py` and `trace_bench.py`, so that both clean up the same way.

Exit status: 0 when the benchmark ran (whether or not its targets are met), 1 on an error, 130 on
interruption.
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import asyncpg

if TYPE_CHECKING:
    from benchmarks.servers import Server

DEFAULT_DSN = "postgres://postgres@127.0.0.1:5432/test"


class BenchError(Exception):
    """A failure that makes the figures meaningless: reported, and the run exits 1."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# -- the database ---------------------------------------------------------------------------------------


def tortoise_url(dsn: str, schema: str) -> str:
    return f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


async def postgres_version(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def drop_schema(dsn: str, schema: str) -> None:
    from services.common import db

    await db.drop_pg_schema(dsn, schema)


@asynccontextmanager
async def connected(dsn: str, schema: str, *, migrate: bool = False) -> AsyncIterator[None]:
    """Tortoise connected to the run's schema (migrated first if asked) for the length of the block."""
    from services.common import db

    if migrate:
        await db.migrate(dsn, pg_schema=schema)
    await db.connect(dsn, pg_schema=schema)
    try:
        yield
    finally:
        await db.disconnect()


def environment(postgres: str) -> dict[str, Any]:
    """Where the figures were taken, for the results JSON."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "postgres": postgres,
    }


# -- the run --------------------------------------------------------------------------------------------


@dataclass
class Session:
    dsn: str
    schema: str  # created by the run: dropped at its end
    logs: Path  # the servers' logs: removed after a successful run
    postgres: str  # the server's version
    servers: list[Server] = field(default_factory=list)  # stopped at the end, in this order


def clean_up(servers: Iterable[Server], logs: Path, status: int, dsn: str, schema: str | None) -> int:
    """Stop the servers, keep their logs only after a failure, drop the benchmark schema. Must finish:
    further Ctrl-C / SIGTERM are ignored while it runs. Returns the exit status."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for server in servers:
        server.stop()
    if status == 0:
        shutil.rmtree(logs, ignore_errors=True)
    else:
        print(f"server logs: {logs}", file=sys.stderr)
    if schema is not None:
        try:
            asyncio.run(drop_schema(dsn, schema))
        except Exception as exc:
            print(f"could not drop schema {schema}: {exc}", file=sys.stderr)
            status = status or 1
    return status


def run_session(dsn: str, schema_prefix: str, logs_prefix: str, body: Callable[[Session], None]) -> int:
    """Run `body` in a fresh session: the schema `{schema_prefix}_<random>` (which `body` creates, by
    migrating it) and a log folder; report its failure, clean up, and return the exit status."""
    # Ctrl-C and SIGTERM end the run through the cleanup below (also when started in the background,
    # where a shell leaves SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    schema = f"{schema_prefix}_{secrets.token_hex(4)}"
    logs = Path(tempfile.mkdtemp(prefix=logs_prefix))
    session: Session | None = None
    status = 0
    try:
        try:
            version = asyncio.run(postgres_version(dsn))
        except (OSError, asyncpg.PostgresError) as exc:
            raise BenchError(f"cannot connect to PostgreSQL ({dsn}): {exc}") from exc
        print(f"PostgreSQL {version}, schema {schema}", flush=True)
        session = Session(dsn, schema, logs, version)  # from here on, drop the schema whatever happens
        body(session)
    except BenchError as exc:
        print(f"\nbenchmark error: {exc}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        status = 130
    except Exception as exc:  # anything else: still clean up, then report it
        traceback.print_exc()
        print(f"\nbenchmark error: {type(exc).__name__}: {exc}", file=sys.stderr)
        status = 1
    finally:
        servers = session.servers if session else []
        status = clean_up(servers, logs, status, dsn, schema if session else None)
    return status
