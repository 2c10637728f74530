"""procrastinate as the job runner on PostgreSQL: the web process defers, a procrastinate worker runs the
same job functions. Skipped where procrastinate is not installed, and on SQLite."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from tortoise import connections

from models import Job, JobStatus
from services.jobs import queue as jobs
from services.jobs.procrastinate_backend import RUN_TASK, Procrastinate, connection_options
from tests.conftest import Database

pytest.importorskip("procrastinate")
pytest.importorskip("psycopg")


@pytest.fixture
async def runner(db: Database) -> AsyncIterator[Procrastinate]:
    if db.backend != "postgres":
        pytest.skip("procrastinate runs on PostgreSQL")
    runner = Procrastinate(db.server_url)
    await runner.open()  # creates procrastinate's tables in the test schema, defers from now on
    try:
        yield runner
    finally:
        await runner.close()
        await connections.get("default").execute_script("TRUNCATE procrastinate_jobs CASCADE")


async def _deferred(job_id: int) -> int:
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM procrastinate_jobs WHERE task_name = $1 AND args->>'job_id' = $2",
        [RUN_TASK, str(job_id)],
    )
    return int(rows[0]["n"])


def test_the_schema_of_the_database_url_is_the_search_path() -> None:
    options = connection_options("postgres://ocop:secret@db:5432/ocop?schema=hub&sslmode=require")
    assert options == {
        "conninfo": "postgresql://ocop:secret@db:5432/ocop?sslmode=require",
        "kwargs": {"options": "-c search_path=hub"},
    }
    assert connection_options("postgres://db/ocop") == {"conninfo": "postgresql://db/ocop"}


async def test_a_procrastinate_worker_runs_a_deferred_job(runner: Procrastinate, echo: jobs.JobKind) -> None:
    job = await jobs.submit(echo.name, {"text": "procrastinate"}, user_id=None)
    again = await jobs.submit(echo.name, {"text": "procrastinate"}, user_id=None)
    assert again.id == job.id
    assert await _deferred(job.id) == 1

    await runner.run_worker(wait=False)  # until its queue is empty

    done = await Job.get(id=job.id)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.worker == runner.worker
    assert jobs.has_result(done)


async def test_the_sweep_defers_what_nobody_deferred_and_what_was_interrupted(
    runner: Procrastinate, echo: jobs.JobKind
) -> None:
    jobs.set_dispatcher(None)  # queued while procrastinate was not in use
    forgotten = await jobs.submit(echo.name, {"text": "forgotten"}, user_id=None)
    interrupted = await jobs.submit(echo.name, {"text": "interrupted"}, user_id=None)
    jobs.set_dispatcher(runner.defer)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    await Job.filter(id=forgotten.id).update(created_at=long_ago)
    assert await jobs.claim("crashed-worker", interrupted.id) is not None
    await Job.filter(id=interrupted.id).update(heartbeat_at=long_ago)

    await runner.sweep()
    assert await _deferred(forgotten.id) == 1
    assert await _deferred(interrupted.id) == 1
    await runner.run_worker(wait=False)

    for job_id, attempts in ((forgotten.id, 1), (interrupted.id, 2)):
        done = await Job.get(id=job_id)
        assert done.status == JobStatus.SUCCEEDED, done.error
        assert done.attempts == attempts
