"""The app behind PgBouncer in transaction pooling mode (issue 15 item 6): a real `server.py serve` process
connects through PgBouncer (deploy/pgbouncer/run-local.sh) with asyncpg's statement cache off
(`?statement_cache_size=0` in DATABASE_URL); migrations run on a direct connection (they hold a session
advisory lock). Signs in, reads, records events and serves many concurrent requests through the pool."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import POSTGRES_DSN, ROOT

# Real `server.py migrate` and `serve` processes behind PgBouncer: `make test-slow` (CI runs it).
pytestmark = pytest.mark.slow

RUN_LOCAL = ROOT / "deploy" / "pgbouncer" / "run-local.sh"
LOGIN = 'mutation { login(input: {email: "producer@demo.ocop.vn", password: "ocop-demo-2019"}) { token errors { code } } }'
LOTS = "{ batches(first: 20) { edges { node { id lotCode events { bizStep } } } } }"
EVENT = "mutation($input: EventRecordInput!) { recordEvent(input: $input) { event { eventHash bizStep } errors { field code } } }"
SEARCH = (
    '{ products(first: 5, filter: {search: "banh phong son doc"}) { totalCount edges { node { name } } } }'
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120  # a loaded CI machine starts the server slowly
    while True:
        assert process.poll() is None, f"process exited with {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def through_pgbouncer() -> Iterator[tuple[str, str]]:
    """(direct URL, URL through PgBouncer) of a fresh schema; PgBouncer runs while the test does."""
    if shutil.which("pgbouncer") is None:
        pytest.fail("pgbouncer is not installed: apt-get install -y -q pgbouncer")
    if POSTGRES_DSN is None:
        pytest.skip("PostgreSQL only: set OCOP_TEST_POSTGRES_DSN")
    from services.common import db

    schema = f"ocop_pgb_{uuid.uuid4().hex[:8]}"
    asyncio.run(db.create_pg_schema(POSTGRES_DSN, schema))
    upstream = urlsplit(POSTGRES_DSN)
    dbname = upstream.path.lstrip("/")
    port = _free_port()
    env = {**os.environ, "PGHOST": upstream.hostname or "127.0.0.1", "PGPORT": str(upstream.port or 5432)}
    bouncer = subprocess.Popen([str(RUN_LOCAL), str(port), dbname, schema], env=env)  # noqa: S603
    try:
        _wait_port(port, bouncer)
        pooled = (
            f"postgres://{upstream.username}@127.0.0.1:{port}/{dbname}?schema={schema}&statement_cache_size=0"
        )
        yield f"{POSTGRES_DSN}?schema={schema}", pooled
    finally:
        _stop(bouncer)
        asyncio.run(db.drop_pg_schema(POSTGRES_DSN, schema))


def test_the_server_works_behind_pgbouncer_in_transaction_mode(through_pgbouncer: tuple[str, str]) -> None:
    direct, pooled = through_pgbouncer
    base_env = {**os.environ, "LOG_LEVEL": "WARNING", "OCOP_ENV": "development", "HOST": "127.0.0.1"}
    migrated = subprocess.run(
        [sys.executable, "server.py", "migrate", "--demo-if-empty"],
        cwd=ROOT, env={**base_env, "DATABASE_URL": direct}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "server.py", "serve"],
        cwd=ROOT,
        env={**base_env, "DATABASE_URL": pooled, "PORT": str(port)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_port(port, server)
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/readyz").status_code == 200  # every migration seen through the pool
            token = client.post("/graphql", json={"query": LOGIN}).json()["data"]["login"]["token"]
            assert token.startswith("ocop_")
            auth = {"Authorization": f"Bearer {token}"}
            lots = client.post("/graphql", json={"query": LOTS}, headers=auth).json()["data"]["batches"][
                "edges"
            ]
            lot = next(e["node"] for e in lots if e["node"]["lotCode"] == "DX-190515")  # the member's lot
            before = len(lot["events"])
            recorded = []
            for hour in range(
                3
            ):  # each append locks the lot's head and writes several rows in one transaction
                event = {"eventTime": f"2026-11-0{hour + 1}T08:00:00+07:00", "lots": [{"batchId": lot["id"]}],
                         "bizStep": "inspecting", "disposition": "conformant"}  # fmt: skip
                payload = client.post(
                    "/graphql", json={"query": EVENT, "variables": {"input": event}}, headers=auth
                )
                recorded.append(payload.json()["data"]["recordEvent"])
            assert [r["errors"] for r in recorded] == [[], [], []]
            after = client.post("/graphql", json={"query": LOTS}, headers=auth).json()["data"]["batches"][
                "edges"
            ]
            assert len(next(e["node"] for e in after if e["node"]["id"] == lot["id"])["events"]) == before + 3

        async def many() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                calls = [
                    client.post("/graphql", json={"query": SEARCH if i % 2 else LOTS}) for i in range(200)
                ]
                calls += [client.get("/01/08936131800023/10/KDSR-190520") for _ in range(40)]
                return await asyncio.gather(*calls)

        responses = asyncio.run(many())
    finally:
        _stop(server)
    graphql = [r for r in responses if r.request.url.path == "/graphql"]
    assert all(r.status_code == 200 and "errors" not in r.json() for r in graphql), [
        r.text[:300] for r in graphql if r.status_code != 200 or "errors" in r.json()
    ][:3]
    assert all(
        r.json()["data"]["products"]["totalCount"] >= 2 for r in graphql if "products" in r.json()["data"]
    )
    scans = [r for r in responses if r.request.url.path != "/graphql"]
    assert {r.status_code for r in scans} <= {302, 303, 307, 429}, {r.status_code for r in scans}
