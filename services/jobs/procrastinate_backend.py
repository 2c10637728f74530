"""procrastinate (PostgreSQL task queue) as the runner of jobs: `server.py worker` on PostgreSQL, and the
web process with OCOP_JOBS=procrastinate, which then defers instead of running a local worker loop.

The `job` table stays the source of truth (status, progress, attempts, results, who may read them);
procrastinate only delivers "run job N" to one of its workers, woken by LISTEN/NOTIFY. Its task claims
the row with the same conditional UPDATE as the local loop (`jobs.claim`), so a job delivered twice, or
also picked up by a local loop, still runs once. A periodic task (every minute, and at each worker start)
re-queues interrupted jobs (`jobs.recover_interrupted`) and defers queued rows that no procrastinate job
carries (a defer lost with a crashed web process, a job queued while procrastinate was off).

procrastinate needs psycopg 3 and its own tables (`procrastinate_*`, created on first use in the same
database and schema). It is imported only here and only when used, so the project runs without it on
SQLite; it is typed `Any` for that reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import importlib.util
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import structlog

from models import Job, JobStatus
from services.common import clock
from services.jobs import queue as jobs

log = structlog.get_logger("ocop.jobs")

QUEUE = "ocop-jobs"
RUN_TASK = "ocop.run_job"
SWEEP_TASK = "ocop.sweep_jobs"
UNCLAIMED_AFTER = dt.timedelta(seconds=30)  # a queued row this old is deferred (again) by the sweep
SCHEMA_LOCK = 7_406_211  # advisory lock key: one process creates procrastinate's tables


def available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("procrastinate", "psycopg"))


def connection_options(database_url: str) -> dict[str, Any]:
    """psycopg's pool arguments for our DATABASE_URL: its `?schema=name` becomes the search path."""
    parts = urlsplit(database_url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", None)
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(query), ""))
    options: dict[str, Any] = {"conninfo": conninfo}
    if schema:
        options["kwargs"] = {"options": f"-c search_path={schema}"}
    return options


class Procrastinate:
    """The procrastinate app of this process, its two tasks and the dispatcher the web process uses."""

    def __init__(self, database_url: str) -> None:
        procrastinate = importlib.import_module("procrastinate")
        self.errors = importlib.import_module("procrastinate.exceptions")
        self.options = connection_options(database_url)
        self.app: Any = procrastinate.App(connector=procrastinate.PsycopgConnector(**self.options))
        self.worker = jobs.worker_name()

        async def run_job(job_id: int) -> None:
            job = await jobs.claim(self.worker, job_id)
            if job is not None:  # else another worker has it, or it is done
                await jobs.execute(job, self.worker)

        async def sweep_jobs(timestamp: int) -> None:
            await self.sweep()

        self.run_job: Any = self.app.task(name=RUN_TASK, queue=QUEUE)(run_job)
        self.app.periodic(cron="* * * * *")(
            self.app.task(name=SWEEP_TASK, queue=QUEUE, queueing_lock=SWEEP_TASK)(sweep_jobs)
        )

    async def ensure_schema(self) -> None:
        """Create procrastinate's tables unless they are there (one process at a time)."""
        psycopg = importlib.import_module("psycopg")
        options = dict(self.options)
        conninfo = options.pop("conninfo")
        connection = await psycopg.AsyncConnection.connect(conninfo, **options.get("kwargs", {}))
        async with connection as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
            cursor = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            row = await cursor.fetchone()
            if row is not None and row[0]:
                return
            log.info("creating procrastinate's tables")
            await conn.execute(self.app.schema_manager.get_schema())

    async def defer(self, job_id: int) -> None:
        """Hand job `job_id` to procrastinate; a job already waiting for it is enough."""
        with contextlib.suppress(self.errors.AlreadyEnqueued):
            await self.run_job.configure(queueing_lock=f"ocop-job-{job_id}").defer_async(job_id=job_id)

    async def sweep(self) -> None:
        await jobs.recover_interrupted()  # defers what it queues again, through the dispatcher
        cutoff = clock.now() - UNCLAIMED_AFTER
        waiting = await Job.filter(status=JobStatus.QUEUED, created_at__lt=cutoff).values_list(
            "id", flat=True
        )
        for job_id in waiting:
            await self.defer(int(job_id))  # type: ignore[call-overload]

    async def open(self) -> None:
        """For the web process: open the pool, make sure of the tables, defer every job queued."""
        await self.app.open_async()
        await self.ensure_schema()
        jobs.set_dispatcher(self.defer)

    async def close(self) -> None:
        jobs.set_dispatcher(None)
        await self.app.close_async()

    async def run_worker(self, *, concurrency: int = 1, wait: bool = True, graceful_s: float = 30.0) -> None:
        """A procrastinate worker in this process, until SIGINT/SIGTERM (`wait=False`: until the queue is
        empty). On stop, running renders get `graceful_s` to finish, then go back to the queue."""
        await self.open()
        try:
            await self.sweep()
            await self.app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                wait=wait,
                name=self.worker,
                shutdown_graceful_timeout=graceful_s,
                install_signal_handlers=wait,
            )
        finally:
            await self.close()
