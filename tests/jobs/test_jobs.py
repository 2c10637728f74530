"""The job queue: one job per input, rendering in a child process under limits, progress, restart safety."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient

from models import Job, JobStatus
from services.accounts import auth as accounts
from services.common import settings, storage
from services.jobs import queue as jobs
from tests.conftest import Database
from tests.factories import make_user
from tests.jobs import kinds
from tests.jobs.conftest import fake_kind, until


async def run_all() -> int:
    return await jobs.LocalWorker("test-worker").drain()


async def test_the_same_input_twice_is_one_job(db: Database, echo: jobs.JobKind) -> None:
    first = await jobs.submit(echo.name, {"text": "kẹo dừa"}, user_id=None)
    again = await jobs.submit(echo.name, {"text": "kẹo dừa"}, user_id=None)
    assert again.id == first.id
    assert again.status == JobStatus.QUEUED
    assert await Job.filter(kind=echo.name).count() == 1

    assert await run_all() == 1
    cached = await jobs.submit(echo.name, {"text": "kẹo dừa"}, user_id=None)
    assert cached.id == first.id
    assert cached.status == JobStatus.SUCCEEDED  # the cached result, nothing to run
    assert await run_all() == 0

    other = await jobs.submit(echo.name, {"text": "bánh phồng"}, user_id=None)
    assert other.id != first.id
    assert await Job.filter(kind=echo.name).count() == 2


async def test_the_input_hash_is_of_the_prepared_data(db: Database, echo: jobs.JobKind) -> None:
    """Parameters that prepare to the same data give the same job (here `extra` is not read)."""
    first = await jobs.submit(echo.name, {"text": "bưởi", "extra": 1}, user_id=None)
    second = await jobs.submit(echo.name, {"text": "bưởi", "extra": 2}, user_id=None)
    assert second.id == first.id
    data = await kinds.prepare_echo({"text": "bưởi"})
    assert first.input_hash == jobs.input_hash(echo, data)
    assert jobs.input_hash(echo, {**data, "text": "bưởi da xanh"}) != first.input_hash


async def test_concurrent_submissions_of_one_input_make_one_job(db: Database, echo: jobs.JobKind) -> None:
    made = await asyncio.gather(*(jobs.submit(echo.name, {"text": "rượu"}, user_id=None) for _ in range(5)))
    assert len({job.id for job in made}) == 1
    assert await Job.filter(kind=echo.name).count() == 1


async def test_a_job_runs_in_a_child_process_and_reports_progress(
    db: Database, echo: jobs.JobKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "PROGRESS_WRITE_S", 0.0)
    job = await jobs.submit(echo.name, {"text": "kẹo dừa", "steps": 4, "pause": 0.3}, user_id=None)
    seen_by_callback: list[int] = []
    claimed = await jobs.claim("test-worker", job.id)
    assert claimed is not None
    assert claimed.status == JobStatus.RUNNING
    assert claimed.attempts == 1
    running = asyncio.create_task(jobs.execute(claimed, "test-worker", on_progress=seen_by_callback.append))
    seen_in_row: set[int] = set()
    while not running.done():
        seen_in_row.add((await Job.get(id=job.id)).progress)
        await asyncio.sleep(0.05)
    done = await running

    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.progress == 100
    assert seen_by_callback == [jobs.DATA_READ, 20, 40, 60, 80]  # input read, then the render's
    assert any(0 < p < 100 for p in seen_in_row), seen_in_row  # written to the row while it ran
    key = jobs.result_key(done)
    assert key is not None
    pid, _, text = (await storage.current().read_bytes(key)).decode().partition(":")
    assert int(pid) != os.getpid()
    assert text == "kẹo dừa"
    assert done.result_name == f"{echo.name}-kẹo dừa.txt"
    assert jobs.content_type(done) == "text/plain"
    assert done.started_at is not None
    assert done.finished_at is not None


async def test_a_render_over_its_memory_limit_fails_and_the_server_goes_on(
    db: Database, client: AsyncClient, register: Any, echo: jobs.JobKind
) -> None:
    hog = register(fake_kind(kinds.render_memory_hog, memory_mb=512))
    job = await jobs.submit(hog.name, {"text": "x"}, user_id=None)
    assert await run_all() == 1
    failed = await Job.get(id=job.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error == "the render needed more memory than its limit (512 MB) and was stopped"
    assert failed.result_sha256 is None

    assert (await client.get("/healthz")).status_code == 200
    fine = await jobs.submit(echo.name, {"text": "after"}, user_id=None)
    await run_all()
    assert (await Job.get(id=fine.id)).status == JobStatus.SUCCEEDED


async def test_a_render_over_its_time_limit_is_killed(
    db: Database, client: AsyncClient, register: Any
) -> None:
    sleeper = register(fake_kind(kinds.render_sleeper, timeout_s=1.5))
    job = await jobs.submit(sleeper.name, {"text": "x"}, user_id=None)
    started = time.monotonic()
    await run_all()
    assert time.monotonic() - started < 15  # not the 60 s the render wanted
    failed = await Job.get(id=job.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error == "the render took longer than its time limit (1.5 s) and was stopped"
    assert (await client.get("/healthz")).status_code == 200


async def test_a_render_that_raises_or_dies_fails_with_the_reason(db: Database, register: Any) -> None:
    bug = register(fake_kind(kinds.render_bug))
    dies = register(fake_kind(kinds.render_segfault))
    buggy = await jobs.submit(bug.name, {"text": "x"}, user_id=None)
    killed = await jobs.submit(dies.name, {"text": "x"}, user_id=None)
    await run_all()
    buggy = await Job.get(id=buggy.id)
    assert buggy.status == JobStatus.FAILED
    assert buggy.error is not None
    assert buggy.error.startswith("the render failed: KeyError: 'exhibitors' (kinds.py:")
    killed = await Job.get(id=killed.id)
    assert killed.status == JobStatus.FAILED
    assert killed.error is not None
    assert "killed (SIGKILL)" in killed.error


async def test_a_failed_input_is_tried_again_when_asked_again(db: Database, register: Any) -> None:
    bug = register(fake_kind(kinds.render_bug))
    first = await jobs.submit(bug.name, {"text": "x"}, user_id=None)
    await run_all()
    second = await jobs.submit(bug.name, {"text": "x"}, user_id=None)
    assert second.id != first.id
    assert second.status == JobStatus.QUEUED


async def test_only_one_worker_gets_each_job(db: Database, echo: jobs.JobKind) -> None:
    made = [await jobs.submit(echo.name, {"text": f"lot {i}"}, user_id=None) for i in range(3)]
    claims = await asyncio.gather(*(jobs.claim(f"worker-{i}") for i in range(6)))
    taken = [job.id for job in claims if job is not None]
    assert sorted(taken) == sorted(job.id for job in made)
    assert await jobs.claim("late-worker") is None


async def _crash_while_running(job_id: int, worker: str) -> None:
    """What a worker killed mid-render leaves behind: the row running, its heartbeat getting old."""
    claimed = await jobs.claim(worker, job_id)
    assert claimed is not None
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    await Job.filter(id=job_id).update(heartbeat_at=old, progress=40)


async def test_a_job_interrupted_by_a_crash_runs_again_once(db: Database, echo: jobs.JobKind) -> None:
    job = await jobs.submit(echo.name, {"text": "interrupted"}, user_id=None)
    await _crash_while_running(job.id, "dead-host:4242:aaaaaa")

    requeued, failed = await jobs.recover_interrupted()
    assert (requeued, failed) == ([job.id], [])
    again = await Job.get(id=job.id)
    assert again.status == JobStatus.QUEUED
    assert again.worker is None
    assert again.attempts == 1

    assert await run_all() == 1
    done = await Job.get(id=job.id)
    assert done.status == JobStatus.SUCCEEDED
    assert done.attempts == 2
    assert done.worker == "test-worker"


async def test_a_second_crash_fails_the_job(db: Database, echo: jobs.JobKind) -> None:
    job = await jobs.submit(echo.name, {"text": "cursed"}, user_id=None)
    await _crash_while_running(job.id, "dead-host:1:aaaaaa")
    await jobs.recover_interrupted()
    await _crash_while_running(job.id, "dead-host:2:bbbbbb")

    requeued, failed = await jobs.recover_interrupted()
    assert (requeued, failed) == ([], [job.id])
    dead = await Job.get(id=job.id)
    assert dead.status == JobStatus.FAILED
    assert dead.attempts == 2
    assert dead.error == "interrupted 2 times (its worker stopped answering): not run again"
    assert await run_all() == 0


async def test_recovery_leaves_jobs_of_live_workers_alone(db: Database, echo: jobs.JobKind) -> None:
    job = await jobs.submit(echo.name, {"text": "alive"}, user_id=None)
    assert await jobs.claim("live-worker", job.id) is not None
    assert await jobs.recover_interrupted() == ([], [])
    assert (await Job.get(id=job.id)).status == JobStatus.RUNNING


async def test_a_worker_loop_started_after_a_crash_recovers_and_finishes(
    db: Database, echo: jobs.JobKind
) -> None:
    """The web process's start-up: its worker task looks for interrupted jobs first."""
    job = await jobs.submit(echo.name, {"text": "restart"}, user_id=None)
    await _crash_while_running(job.id, "previous-process")
    loop_task = asyncio.create_task(jobs.LocalWorker("new-process", poll_s=0.1).run())
    try:
        async with asyncio.timeout(30):
            await jobs.wait_for(job.id, poll_s=0.1)
    finally:
        loop_task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop_task
    assert (await Job.get(id=job.id)).attempts == 2


async def test_a_worker_stopped_on_purpose_puts_its_job_back(
    db: Database, register: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "PROGRESS_WRITE_S", 0.0)
    sleeper = register(fake_kind(kinds.render_sleeper, timeout_s=60))
    job = await jobs.submit(sleeper.name, {"text": "x"}, user_id=None)
    loop_task = asyncio.create_task(jobs.LocalWorker("stopping", poll_s=0.1).run())

    async def rendering() -> bool:  # the child reports 10 % before it sleeps
        return (await Job.get(id=job.id)).progress == 10

    await until(rendering)
    loop_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop_task
    back = await Job.get(id=job.id)
    assert back.status == JobStatus.QUEUED
    assert back.attempts == 0  # a shutdown does not use up the retry
    assert back.worker is None


async def test_a_worker_that_lost_its_job_stops_rendering_it(
    db: Database, register: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose heartbeat was taken for dead (its job recovered by another) gives the job up."""
    monkeypatch.setattr(jobs, "HEARTBEAT_S", 0.2)
    sleeper = register(fake_kind(kinds.render_sleeper, timeout_s=60))
    job = await jobs.submit(sleeper.name, {"text": "x"}, user_id=None)
    claimed = await jobs.claim("slow-worker", job.id)
    assert claimed is not None
    running = asyncio.create_task(jobs.execute(claimed, "slow-worker"))

    async def beating() -> bool:  # the worker's heartbeat runs (the child renders meanwhile)
        return (await Job.get(id=job.id)).heartbeat_at != claimed.heartbeat_at

    await until(beating)
    await Job.filter(id=job.id).update(status=JobStatus.QUEUED, worker=None)  # as recovery would
    async with asyncio.timeout(10):
        after = await running
    assert after.status == JobStatus.QUEUED


async def test_a_result_is_downloaded_with_a_signed_link_or_a_token(
    db: Database, client: AsyncClient, echo: jobs.JobKind, media: Path
) -> None:
    owner = await make_user("owner.jobs@test.ocop.vn")
    stranger = await make_user("stranger.jobs@test.ocop.vn")
    job = await jobs.submit(echo.name, {"text": "tải về"}, user_id=owner.id)
    url = jobs.download_url("http://ocop.test", job.id).removeprefix("http://ocop.test")
    assert (await client.get(url)).status_code == 409  # not made yet
    await run_all()
    done = await Job.get(id=job.id)

    response = await client.get(url)
    assert response.status_code == 200
    assert response.content.endswith("tải về".encode())
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["etag"] == f'"{done.result_sha256}"'
    assert "filename*=utf-8''" in response.headers["content-disposition"]
    assert response.headers["content-disposition"].startswith("attachment")
    cached = await client.get(url, headers={"if-none-match": f'"{done.result_sha256}"'})
    assert cached.status_code == 304

    bare = f"/jobs/{job.id}/result"
    assert (await client.get(bare)).status_code == 403
    assert (await client.get(url.replace("sig=", "sig=0"))).status_code == 403
    owner_token = await accounts.issue_session(owner.id)
    stranger_token = await accounts.issue_session(stranger.id)
    as_owner = await client.get(bare, headers={"authorization": f"Bearer {owner_token}"})
    assert as_owner.status_code == 200
    as_stranger = await client.get(bare, headers={"authorization": f"Bearer {stranger_token}"})
    assert as_stranger.status_code == 404
    assert (
        await client.get("/jobs/999999/result", headers={"authorization": f"Bearer {owner_token}"})
    ).status_code == 404


def test_who_runs_jobs_is_chosen_by_ocop_jobs() -> None:
    def ocop_jobs(value: str | None) -> contextlib.AbstractContextManager[settings.Settings]:
        """The settings a process started with OCOP_JOBS=value (unset: None) would have."""
        return settings.overridden(jobs=settings.load_settings({"OCOP_JOBS": value} if value else {}).jobs)

    with ocop_jobs(None):
        assert jobs.backend("sqlite://var/ocop.sqlite3") == "local"
    with ocop_jobs("off"):
        assert jobs.backend("sqlite://var/ocop.sqlite3") == "off"
    with ocop_jobs("procrastinate"):
        assert jobs.backend("postgres://db/ocop?schema=hub") == "procrastinate"
        with pytest.raises(ValueError, match="needs a PostgreSQL"):
            jobs.backend("sqlite://var/ocop.sqlite3")
    with ocop_jobs("celery"), pytest.raises(ValueError, match="local, procrastinate or off"):
        jobs.backend("sqlite://var/ocop.sqlite3")


def test_a_worker_that_imports_only_the_queue_finds_the_catalog_kind() -> None:
    """The queue names no domain: a worker process (procrastinate's, `server.py worker`) that imports only
    services/jobs still runs catalog jobs, whose kind registers itself in services/fairs/catalog/job.py."""
    code = (
        "import sys\n"
        "from services.jobs import queue\n"
        "assert 'services.fairs.catalog.job' not in sys.modules\n"
        "kind = queue.kind_of('catalog')\n"
        "print(kind.name, kind.render.__module__, queue.kind_of('no-such-kind'))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["catalog", "services.fairs.catalog.job", "None"]
    source = (root / "services/jobs/queue.py").read_text(encoding="utf-8")
    assert "services.fairs" not in source
    assert "Fair" not in source
