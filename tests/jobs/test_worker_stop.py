"""A rolling update stops a worker with SIGTERM while it renders: the worker claims nothing new, finishes
its job within the grace period (OCOP_SHUTDOWN_GRACE_S) or, past it, puts the job back in the queue and
kills its render child, so that another worker completes it: no job lost, none finished twice. Real
`server.py worker` processes on each database, rendering the demo fair's catalog."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from services.common import db
from tests.conftest import BACKENDS, POSTGRES_DSN, ROOT

# Real `server.py migrate` and `worker` processes rendering a catalog: `make test-slow` (CI runs it).
pytestmark = pytest.mark.slow

SLUG = "hoi-cho-ocop-du-lich-2019"
SUBMIT = f"""
import asyncio, sys
from services.common import db, settings
from services.fairs.catalog import job as catalog_job
async def main():
    s = settings.load_settings()
    await db.connect(s.database_url)
    job = await catalog_job.generate_catalog_for_slug({SLUG!r}, "vi", "A4", base_url=s.public_base_url)
    print(job.id)
    await db.disconnect()
asyncio.run(main())
"""


class Env:
    def __init__(self, env: dict[str, str], query: Any) -> None:
        self.env = env
        self.query = query

    def job(self, job_id: int) -> dict[str, Any]:
        rows: list[dict[str, Any]] = self.query(
            f"SELECT status, progress, attempts, worker FROM job WHERE id = {int(job_id)}"  # noqa: S608 an int
        )
        return rows[0]


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    base = {
        **os.environ,
        "LOG_LEVEL": "INFO",
        "OCOP_ENV": "development",
        "OCOP_MEDIA_DIR": str(tmp_path / "media"),
    }
    if request.param == "sqlite":
        path = tmp_path / "ocop.sqlite3"
        base["DATABASE_URL"] = f"sqlite://{path}"

        def query(sql: str) -> list[dict[str, Any]]:
            with sqlite3.connect(path) as conn:
                conn.row_factory = sqlite3.Row
                return [dict(row) for row in conn.execute(sql)]

        _run(["migrate", "--demo-if-empty"], base)
        yield Env(base, query)
        return
    assert POSTGRES_DSN is not None
    schema = f"ocop_stop_{uuid.uuid4().hex[:8]}"
    asyncio.run(db.create_pg_schema(POSTGRES_DSN, schema))
    base["DATABASE_URL"] = f"{POSTGRES_DSN}?schema={schema}"

    def pg_query(sql: str) -> list[dict[str, Any]]:
        async def go() -> list[dict[str, Any]]:
            conn = await asyncpg.connect(POSTGRES_DSN)
            try:
                await conn.execute(f'SET search_path TO "{schema}"')
                return [dict(row) for row in await conn.fetch(sql)]
            finally:
                await conn.close()

        return asyncio.run(go())

    try:
        _run(["migrate", "--demo-if-empty"], base)
        yield Env(base, pg_query)
    finally:
        asyncio.run(db.drop_pg_schema(POSTGRES_DSN, schema))


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and server.py
        [sys.executable, "server.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _submit(env: Env) -> int:
    result = subprocess.run(  # noqa: S603 - our own interpreter and a constant script
        [sys.executable, "-c", SUBMIT], cwd=ROOT, env=env.env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return int(result.stdout.strip().splitlines()[-1])


def _worker(env: Env, grace_s: float, metrics_port: int | None = None) -> subprocess.Popen[str]:
    metrics = ["--metrics-port", str(metrics_port)] if metrics_port is not None else []
    return subprocess.Popen(  # noqa: S603 - our own interpreter, server.py and a port number
        [sys.executable, "server.py", "worker", "--local", *metrics],
        cwd=ROOT,
        env={**env.env, "OCOP_SHUTDOWN_GRACE_S": str(grace_s)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> set[int]:
    """Live processes whose parent is `pid` (the render child of a worker)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads children from /proc (Linux)")
def test_a_worker_stopped_mid_render_hands_its_job_to_another_that_finishes_it(env: Env) -> None:
    job_id = _submit(env)
    assert env.job(job_id)["status"] == "queued"

    # Worker A starts rendering; SIGTERM with a grace period too short for the render.
    first = _worker(env, grace_s=0.2)
    _wait(lambda: env.job(job_id)["status"] == "running" and _children(first.pid), 120, "A to render")
    render_children = _children(first.pid)
    first.send_signal(signal.SIGTERM)
    output = first.communicate(timeout=60)[0]
    assert first.returncode == 0, output[-3000:]
    assert "job put back in the queue" in output
    job = env.job(job_id)
    assert (job["status"], job["worker"], job["attempts"]) == ("queued", None, 0)
    # Killed with its worker (a dead child may linger a moment as a zombie until init reaps it).
    _wait(lambda: not any(_alive(pid) for pid in render_children), 10, "the render child to die with A")

    # Worker B takes it; SIGTERM mid-render again, now with time to finish: it completes the job, then stops.
    port = _free_port()
    second = _worker(env, grace_s=120, metrics_port=port)
    _wait(lambda: env.job(job_id)["status"] == "running", 120, "B to claim")
    # B shows its own metrics on --metrics-port (docs/monitoring.md): readiness, the queue it reads.
    scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
    assert "ocop_ready 1.0" in scraped
    assert "ocop_jobs_sampled_timestamp_seconds" in scraped
    assert "# TYPE ocop_render_duration_seconds histogram" in scraped
    second.send_signal(signal.SIGTERM)
    output = second.communicate(timeout=180)[0]
    assert second.returncode == 0, output[-3000:]
    job = env.job(job_id)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 1  # one counted run: the put-back did not count, and nothing ran it twice
    assert job["worker"] is not None
    assert "job succeeded" in output
