"""Test set-up. Every database test runs on SQLite and, when OCOP_TEST_POSTGRES_DSN is set, on
PostgreSQL too, in a fresh database per test process (a copy of the run's migrated template: a SQLite file,
a PostgreSQL database holding one schema); the tables a test wrote are emptied after it. When that
variable is set and PostgreSQL cannot be reached, the PostgreSQL tests fail (they are never skipped)."""

# ruff: noqa: E402 - the environment below is set before the application is imported
from __future__ import annotations

import asyncio
import atexit
import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Cheap argon2 parameters (services/accounts/auth.py): honoured only in the test environment, and child
# processes that play a real server (tests/api/test_make_run.py) set their own OCOP_ENV.
os.environ["OCOP_ENV"] = "test"
os.environ["OCOP_PASSWORD_HASH"] = "fast"
# Each test process (one per pytest-xdist worker) writes files to a media directory of its own, not to the
# developer's var/media, and signs with a fixed key rather than racing to create var/secret_key. The
# suite configures no settings, so services read these through settings.current() at each call.
_MEDIA = tempfile.mkdtemp(prefix="ocop-test-media-")
atexit.register(shutil.rmtree, _MEDIA, ignore_errors=True)
os.environ["OCOP_MEDIA_DIR"] = _MEDIA
os.environ.setdefault("OCOP_SECRET_KEY", "ocop-test-suite-signing-key-not-a-secret")

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette
from tortoise import connections

from server import create_app
from services.common import db as dbs
from services.common import instance
from services.common.settings import Environment, Settings
from services.registry import reference

POSTGRES_DSN = os.environ.get("OCOP_TEST_POSTGRES_DSN")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_DSN else ["sqlite"]
# Child tables first; the product -> evaluation pointer is cleared before either is emptied.
MUTABLE_TABLES = (
    "reminder_digest",
    "trusted_document",
    "review_comment",
    "design_version_file",
    "design_version",
    "packaging_design",
    "stored_file",
    "job",
    "fair_booth_assignment",
    "fair_application_product",
    "fair_application",
    "fair_booth",
    "fair_zone",
    "fair_session",
    "fair_tourism_offering",
    "fair_sponsor",
    "fair",
    "scan_quota",
    "serial_scan",
    "label_run",
    "serial_counter",
    "label_template",
    "external_location_name",
    "trace_snapshot",
    "lot_head",
    "instance",
    "trace_event_field",
    "trace_event_identifier",
    "event_quantity",
    "trace_event",
    "batch",
    "location",
    "audit_entry",
    "login_attempt",
    "access_token",
    "membership",
    "app_user",
    "evaluation",
    "certification",
    "product_image",
    "product",
    "producer",
    "programme_target_province",
    "programme_target",
    "provincial_plan",
)


@dataclass(frozen=True)
class Database:
    backend: str
    url: str
    pg_schema: str | None

    @property
    def server_url(self) -> str:
        """The URL a separate server process would use for this same database."""
        return f"{self.url}?schema={self.pg_schema}" if self.pg_schema else self.url


# Migrating is the costliest part of a test process's start (Tortoise renders the models' states at every
# migration: seconds of CPU per database). So each run migrates each database once, into a template that
# every test process copies: a SQLite file, a PostgreSQL database (CREATE DATABASE ... TEMPLATE, a file
# copy on the server). The template is made by the real path (`dbs.migrate`, then the reference data) and
# tests/test_migrations.py checks what it holds; the copies are byte for byte. The run's name for it comes
# from the controller (`pytest_configure_node`), which drops the PostgreSQL template at the end.
def _run_id(config: pytest.Config) -> str:
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None:
        return str(workerinput["ocop_template_run"])
    run: str = config.stash.setdefault(_RUN_ID, uuid.uuid4().hex[:10])
    return run


_RUN_ID = pytest.StashKey[str]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, in the controller: every worker of this run shares its templates."""
    node.workerinput["ocop_template_run"] = _run_id(node.config)


def _pg_url(database: str) -> str:
    assert POSTGRES_DSN is not None
    return urlsplit(POSTGRES_DSN)._replace(path=f"/{database}").geturl()


async def _pg_admin(statement: str) -> None:
    """A statement on the suite's PostgreSQL database (OCOP_TEST_POSTGRES_DSN), outside Tortoise."""
    import asyncpg

    assert POSTGRES_DSN is not None
    conn = await asyncpg.connect(POSTGRES_DSN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller (or the only process) drops this run's PostgreSQL template, if one was made."""
    if POSTGRES_DSN is None or hasattr(config, "workerinput") or _RUN_ID not in config.stash:
        return
    with contextlib.suppress(Exception):  # unreachable: the PostgreSQL tests said so already
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "ocop_tmpl_{config.stash[_RUN_ID]}" WITH (FORCE)'))


@dataclass(frozen=True)
class _Template:
    backend: str
    run: str
    shared: Path  # a directory every test process of this run sees

    @property
    def pg_schema(self) -> str:
        return f"ocop_test_{self.run}"

    @property
    def sqlite_file(self) -> Path:
        return self.shared / "ocop-template.sqlite3"

    @property
    def url(self) -> str:
        return (
            f"sqlite://{self.sqlite_file}" if self.backend == "sqlite" else _pg_url(f"ocop_tmpl_{self.run}")
        )

    async def ensure(self) -> None:
        """Made once per run: the first process to need it migrates it, under a file lock; the others wait
        for it (or find it made)."""
        ready = self.shared / f"ocop-template-{self.backend}.ready"
        with (self.shared / f"ocop-template-{self.backend}.lock").open("w") as lock:
            await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
            try:
                if not ready.exists():
                    await self._make()
                    ready.touch()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    async def _make(self) -> None:
        if self.backend == "postgres":
            await _pg_admin(f'DROP DATABASE IF EXISTS "ocop_tmpl_{self.run}" WITH (FORCE)')
            await _pg_admin(f'CREATE DATABASE "ocop_tmpl_{self.run}"')
        schema = self.pg_schema if self.backend == "postgres" else None
        await dbs.migrate(self.url, pg_schema=schema)
        await dbs.connect(self.url, pg_schema=schema)
        try:
            await reference.sync_all()
        finally:
            await dbs.disconnect()  # a PostgreSQL template must have no connections to be copied


def _template(config: pytest.Config, backend: str, tmp_path_factory: pytest.TempPathFactory) -> _Template:
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if hasattr(config, "workerinput") else base  # xdist: .../pytest-N/popen-gw0
    return _Template(backend, _run_id(config), shared)


@pytest.fixture(scope="session", params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    backend: str = request.param
    template = _template(request.config, backend, tmp_path_factory)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if backend == "sqlite" and POSTGRES_DSN and worker != "gw0":
        # While the first worker migrates the SQLite template, this one migrates PostgreSQL's, which every
        # worker needs later; it still runs its SQLite tests first (if this fails, the PostgreSQL tests say why).
        with contextlib.suppress(Exception):
            await _template(request.config, "postgres", tmp_path_factory).ensure()
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "ocop-test.sqlite3"
        await template.ensure()
        shutil.copyfile(template.sqlite_file, path)
        url = f"sqlite://{path}"
        schema = None
    else:
        name = f"{template.pg_schema}_{uuid.uuid4().hex[:6]}"
        try:
            await template.ensure()
            await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "ocop_tmpl_{template.run}"')
        except OSError as exc:
            pytest.fail(f"OCOP_TEST_POSTGRES_DSN is set but PostgreSQL is unreachable: {exc}")
        url = _pg_url(name)
        schema = template.pg_schema
    await dbs.connect(url, pg_schema=schema)
    try:
        yield Database(backend, url, schema)
    finally:
        await dbs.disconnect()
        if schema:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Which mutable tables hold rows, in one round trip; most tests write to a few tables, or none.
_NON_EMPTY = " UNION ALL ".join(
    f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})"  # noqa: S608 - table names are constants
    for table in MUTABLE_TABLES
)
# PostgreSQL: the sequences owned by each mutable table, reset after it is emptied so that ids restart
# from 1 as after `TRUNCATE ... RESTART IDENTITY`.
_SEQUENCES = """
    SELECT t.relname AS table_name, s.relname AS sequence_name
    FROM pg_class s
    JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace
"""
_sequences: dict[str, list[str]] = {}


async def _empty_mutable_tables(backend: str) -> None:
    """Deletes the rows of the tables a test wrote, children first. Cheaper than a TRUNCATE of every
    table on PostgreSQL (new files for each table and index, after every test) and the same end state."""
    conn = connections.get("default")
    _, rows = await conn.execute_query(_NON_EMPTY)
    written = {next(iter(dict(row).values())) for row in rows}
    if not written:
        return
    statements = []
    if "product" in written:
        statements.append("UPDATE product SET latest_certificate_id = NULL")  # product <-> evaluation
    if "trace_event" in written:
        statements.append("DELETE FROM event_quantity")
        statements.append("DELETE FROM trace_event_identifier")
        statements.append("DELETE FROM trace_event_field")
        statements.append("DELETE FROM trace_event WHERE corrects_id IS NOT NULL")  # declarations first
    statements += [f"DELETE FROM {table}" for table in MUTABLE_TABLES if table in written]  # noqa: S608
    if backend == "postgres":
        if not _sequences:
            for row in (await conn.execute_query(_SEQUENCES))[1]:
                _sequences.setdefault(row["table_name"], []).append(row["sequence_name"])
        statements += [
            f"ALTER SEQUENCE {sequence} RESTART"
            for table in MUTABLE_TABLES
            if table in written
            for sequence in _sequences.get(table, [])
        ]
    for statement in statements:
        await conn.execute_query(statement)


async def forget_writes(database: Database) -> None:
    """Empties what was written and the per-process memos of it: after every test (`db`), and in a fixture
    of a wider scope that writes, keeps what it read (a rendered file) and leaves the database empty."""
    from services.api import trusted_documents
    from services.labels import scans

    await _empty_mutable_tables(database.backend)
    scans.forget_counted()  # its per-process memos are keyed by ids, which the next test reuses
    instance.forget()  # the installation's minted base URL, read again from the emptied table
    trusted_documents.forget()  # documents found by hash, kept per process


@pytest.fixture
async def db(database: Database) -> AsyncIterator[Database]:
    yield database
    await forget_writes(database)


def app_settings(**overrides: Any) -> Settings:
    """Settings of an app under test (the test environment unless `environment` says otherwise); the
    database is the suite's, connected once per run, so the app does not connect."""
    values: dict[str, Any] = {
        "database_url": "sqlite://:memory:",
        "environment": Environment.TEST,
        "public_base_url": "https://ocop.test",
        "host": "127.0.0.1",
        "port": 0,
        "log_level": "WARNING",
        # Off unless a test turns it on (tests/api/test_response_cache.py): most tests read what they wrote.
        "response_cache_ttl_s": 0.0,
    }
    return Settings(**(values | overrides))


def make_app(**overrides: Any) -> Starlette:
    return create_app(app_settings(**overrides), connect=False)


@pytest.fixture(scope="session")
def app() -> Starlette:
    return make_app()


@pytest.fixture
async def client(db: Database, app: Starlette) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http:
        yield http


@pytest.fixture
async def admin_token(db: Database) -> str:
    """A session token of a central admin."""
    from models import Role
    from tests.factories import token_for

    return await token_for(Role.CENTRAL_ADMIN)


@pytest.fixture
async def admin_client(client: AsyncClient, admin_token: str) -> AsyncClient:
    """The test client acting as a central admin."""
    client.headers["authorization"] = f"Bearer {admin_token}"
    return client


class SQLCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends (it logs each one on `tortoise.db_client`)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)


@pytest.fixture
def sql_counter() -> Iterator[SQLCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = SQLCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)


async def gql(
    client: AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    lang: str | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    headers = {"accept-language": lang} if lang else {}
    if token:
        headers["authorization"] = f"Bearer {token}"
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def replicas(db: Database, tmp_path: Path) -> AsyncIterator[tuple[Any, Any]]:
    """Two API replicas as deployed (`server.py serve`, production settings; benchmarks/replicas.py) on the
    test's PostgreSQL schema, started together and stopped after the test. They share the suite's secret
    key, so they accept the tokens the test issues. SQLite has no replicas: the test is skipped there."""
    from benchmarks.replicas import replica
    from benchmarks.servers import free_port

    if db.backend != "postgres":
        pytest.skip("SQLite is the one-process embedded database: there are no replicas to keep in step")
    key = os.environ["OCOP_SECRET_KEY"]
    servers = [replica(name, db.server_url, free_port(), tmp_path, key) for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        for server in servers:
            await asyncio.to_thread(server.wait_ready, 60.0)
        yield servers[0], servers[1]
    finally:
        for server in servers:
            await asyncio.to_thread(server.stop)


ROOT = Path(__file__).resolve().parent.parent
