"""`jobProgress`: a job's progress, reported by the worker that runs it, reaches a subscriber over
graphql-transport-ws (tests/live.py): a worker task of this process on both databases, and on PostgreSQL a
`server.py worker` process of its own, whose messages come through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from strawberry.relay import to_base64
from websockets.asyncio.client import ClientConnection

from models import Role
from services.jobs import queue as jobs
from tests.conftest import ROOT, Database
from tests.factories import token_for
from tests.jobs.conftest import fake_kind
from tests.jobs.kinds import render_echo
from tests.live import connected, receive, serve, subscribe

JOB_PROGRESS = "subscription ($id: ID!) { jobProgress(id: $id) { status progress } }"


@pytest.fixture
async def url(db: Database) -> AsyncIterator[str]:
    async for address in serve():
        yield address


async def progress_until_done(ws: ClientConnection) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while True:
        message = await receive(ws, timeout_s=60)
        if message["type"] == "complete":
            return seen
        assert message["type"] == "next", message
        seen.append(message["payload"]["data"]["jobProgress"])


async def watching_a_queued_job(url: str, register: Any) -> tuple[jobs.JobKind, ClientConnection]:
    """A queued job of a slow echo kind (three steps of 0.4 s), and a connection subscribed to it, which has
    received the job as it is now."""
    kind = register(fake_kind(render_echo))
    token = await token_for(Role.CENTRAL_ADMIN)
    job = await jobs.submit(kind.name, {"text": "hi", "steps": 3, "pause": 0.4}, user_id=None)
    ws = await connected(url, token)
    await subscribe(ws, "1", JOB_PROGRESS, {"id": to_base64("Job", job.id)})
    assert (await receive(ws))["payload"]["data"]["jobProgress"] == {"status": "QUEUED", "progress": 0}
    return kind, ws


async def test_job_progress_reaches_its_subscriber_until_the_job_is_done(url: str, register: Any) -> None:
    _, ws = await watching_a_queued_job(url, register)
    worker = asyncio.create_task(jobs.LocalWorker().drain())
    seen = await progress_until_done(ws)
    await worker
    assert seen[-1] == {"status": "SUCCEEDED", "progress": 100}
    assert any(s["status"] == "RUNNING" and 0 < s["progress"] < 100 for s in seen)
    await ws.close()


WORKER = """
import asyncio, sys
from services.common import db, settings
from services.jobs import queue as jobs
from tests.jobs.kinds import prepare_echo, render_echo

async def main() -> None:
    settings.configure(settings.load_settings())
    await db.connect(sys.argv[1])
    jobs.register(jobs.JobKind(name=sys.argv[2], prepare=prepare_echo, render=render_echo,
                               version=lambda: "1", file_name=lambda params: "echo.txt"))
    print("ran", await jobs.LocalWorker().drain(), flush=True)
    await db.disconnect()

asyncio.run(main())
"""


async def test_progress_from_a_worker_process_reaches_the_subscriber_through_postgresql(
    url: str, db: Database, register: Any, media: Any
) -> None:
    if db.backend != "postgres":
        pytest.skip("SQLite is one process: its worker is a task of the web process (the test above)")
    kind, ws = await watching_a_queued_job(url, register)
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER, db.server_url, kind.name,
        cwd=ROOT, env={**os.environ, "OCOP_MEDIA_DIR": str(media)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    seen = await progress_until_done(ws)
    output, _ = await worker.communicate()
    assert worker.returncode == 0, output.decode()
    assert b"ran 1" in output
    assert seen[-1] == {"status": "SUCCEEDED", "progress": 100}
    assert any(s["status"] == "RUNNING" and 0 < s["progress"] < 100 for s in seen)
    await ws.close()
