"""Durable background jobs on the `job` table (e.g. fair catalog renders): prepared from the database, rendered out of the request path in a child process with time and memory limits, kept
as files by sha256.

- A kind (`JobKind`) registers itself (`register`) in the domain it belongs to, in a `job.py` module of
  that domain's package (the fair catalog: services/fairs/catalog/job.py); this module names no domain and
  imports those modules when it first meets a kind it does not know (`kind_of`).
- A kind is an async `prepare` step that reads the database and returns plain picklable data,
  and a sync, CPU-heavy `render` step (a top-level function) that turns that data into bytes in a child
  process (`services/common/sandbox.py`).
- Identical input, identical output: a job's input hash is the sha256 of its kind, the kind's version and
  the *prepared data* in canonical form (`input_hash`), so "the same catalog" means the same data, not only
  the same parameters. `submit` prepares and hashes, then `enqueue` returns a succeeded job with that hash
  as it is (its file is reused), or the queued or running one (no duplicate), or queues a new job.
- Workers claim queued jobs with one conditional UPDATE (`... FOR UPDATE SKIP LOCKED` on PostgreSQL), so
  any number of worker processes share one queue; a running job's row gets a heartbeat every few seconds.
  A job whose heartbeat went stale (its worker crashed or was killed) is queued again once
  (`recover_interrupted`), and fails the second time: "a job interrupted by a crash runs again, once".
  A worker stopped on purpose (shutdown) puts its job back without counting the attempt.
- The embedded default runs `LocalWorker` as a task of the web process; `server.py worker` runs it (or
  procrastinate, see `services/jobs/procrastinate_backend.py`) in a process of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import decimal
import enum
import functools
import hashlib
import importlib
import mimetypes
import os
import pickle
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import orjson
import structlog
from tortoise import connections
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models import Job, JobStatus
from services.common import bus, clock, paths, sandbox, settings, signing, storage
from services.common.errors import DomainError, FieldProblem
from services.jobs.errors import JobErrorCode
from services.policy import Reach

log = structlog.get_logger("ocop.jobs")

MAX_ATTEMPTS = 2  # a job interrupted by a crash runs again, once
HEARTBEAT_S = 5.0
PROGRESS_WRITE_S = 1.0  # at most one progress write a second per job
DATA_READ = 2  # percent reported once a job's input is read (the render reports the rest)
URL_LIFETIME = dt.timedelta(days=7)
MIB = 1024 * 1024
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


def stale_after_s() -> float:
    """A running job whose heartbeat is older than this is taken for interrupted (OCOP_JOB_STALE_S)."""
    return settings.current().job_stale_s


AREA = "jobs"  # results are kept in the shared store under jobs/{sha[:2]}/{sha}{suffix}


def backend(database_url: str) -> str:
    """Who runs jobs (OCOP_JOBS): `local` (the default: a loop in the web process, and in `server.py
    worker`), `procrastinate` (PostgreSQL only: the web process defers, procrastinate workers run) or `off`
    (the web process runs none: separate `server.py worker` processes do)."""
    wanted = settings.current().jobs
    if wanted not in ("local", "procrastinate", "off"):
        raise ValueError(f"OCOP_JOBS={wanted!r}: local, procrastinate or off")
    if wanted == "procrastinate" and not database_url.startswith(("postgres://", "postgresql://")):
        raise ValueError("OCOP_JOBS=procrastinate needs a PostgreSQL DATABASE_URL")
    return wanted


# -- kinds ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job. Subclassing is not needed: give the two steps and how to name the result.

    `render` runs in a child process and is pickled by reference: it must be a module-level function, and
    `prepare`'s result must pickle. `version` names the renderer (its code, its libraries): part of the
    input hash, so that a new renderer does not serve files of the old one."""

    name: str
    prepare: Callable[[Mapping[str, Any]], Awaitable[Any]]
    render: sandbox.Render
    version: Callable[[], str]
    file_name: Callable[[Mapping[str, Any]], str]
    timeout_s: float = 600.0
    memory_mb: int = 2048
    # Who, besides the job's creator and central admins, may read the job and its result.
    readable_by: Callable[[Job, Reach], Awaitable[bool]] | None = None
    # An async step after the render, in the worker, with the database: it reads the render's output and
    # returns the job's result (a spreadsheet import checks and writes the rows its child read). The
    # render then only does the CPU-heavy part, under the sandbox's limits.
    finish: Callable[[Job, Any, Path], Awaitable[bytes]] | None = None

    def limits(self) -> sandbox.Limits:
        """The kind's limits; OCOP_JOB_TIMEOUT_S and OCOP_JOB_MEMORY_MB override them for every kind."""
        overrides = settings.current()
        timeout = self.timeout_s if overrides.job_timeout_s is None else overrides.job_timeout_s
        memory = int(self.memory_mb if overrides.job_memory_mb is None else overrides.job_memory_mb)
        return sandbox.Limits(timeout_s=timeout, memory_bytes=memory * MIB)


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    KINDS.pop(name, None)


@functools.cache
def discover() -> None:
    """Import every `job.py` module under services/, where kinds register themselves. Once per process:
    the web process and every worker (local loop, procrastinate, `server.py worker`) find the same kinds
    without a list of domains here."""
    for path in sorted((paths.ROOT / "services").rglob("job.py")):
        importlib.import_module(".".join(path.relative_to(paths.ROOT).with_suffix("").parts))


def kind_of(name: str) -> JobKind | None:
    """The registered kind of this name (its domain's module imported when needed), or None."""
    if name not in KINDS:
        discover()
    return KINDS.get(name)


# -- input hash ----------------------------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """A JSON-able form of prepared data in which equal data gives equal bytes: dataclasses as their fields
    (with the class name), sets sorted, bytes by their sha256, dates in ISO 8601, decimals as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__qualname__, **fields}
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(
            (canonical(v) for v in value), key=lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS)
        )
    if isinstance(value, bytes | bytearray | memoryview):
        return {"__bytes__": hashlib.sha256(bytes(value)).hexdigest()}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | PurePath):
        return str(value)
    return {"__pickle__": hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()}


def input_hash(kind: JobKind, data: Any) -> str:
    document = {"kind": kind.name, "version": kind.version(), "data": canonical(data)}
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


# -- results -------------------------------------------------------------------------------------------------


def result_key(job: Job) -> str | None:
    """The storage key of a job's file (services/common/storage.py; it may be shared with other jobs of the
    same input)."""
    if not job.result_sha256:
        return None
    return storage.content_key(AREA, job.result_sha256, PurePath(job.result_name or "").suffix)


def has_result(job: Job) -> bool:
    """Whether the job succeeded with a file (as its row says: `result_kept` asks the store)."""
    return job.status == JobStatus.SUCCEEDED and result_key(job) is not None


async def result_kept(job: Job) -> bool:
    """Whether a succeeded job's file is in the store (an operator may have removed old files)."""
    key = result_key(job)
    return has_result(job) and key is not None and await storage.current().exists(key)


def content_type(job: Job) -> str:
    guessed, _ = mimetypes.guess_type(job.result_name or "")
    return guessed or "application/octet-stream"


def _signature(job_id: int, expires: int) -> str:
    return signing.sign("job", job_id, expires=expires)


def download_url(base_url: str, job_id: int, *, now: float | None = None) -> str:
    """A link to a job's result that works without a token, for a week."""
    expires = signing.expires_in(URL_LIFETIME.total_seconds(), now=now)
    return f"{base_url}/jobs/{job_id}/result?expires={expires}&sig={_signature(job_id, expires)}"


def verify_download(job_id: int, expires: str, signature: str, *, now: float | None = None) -> bool:
    return signing.verify("job", job_id, expires=expires, signature=signature, now=now)


# -- queue ---------------------------------------------------------------------------------------------------


_now = clock.now


def _on_postgres() -> bool:
    return str(connections.get("default").capabilities.dialect) == "postgres"


# Set by services/jobs/procrastinate_backend.py when the web process defers to procrastinate workers.
Dispatcher = Callable[[int], Awaitable[None]]
_dispatcher: Dispatcher | None = None
_wakeup: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    global _dispatcher
    _dispatcher = dispatcher


def _wake_event() -> asyncio.Event:
    global _wakeup
    loop = asyncio.get_running_loop()
    if _wakeup is None or _wakeup[0] is not loop:
        _wakeup = (loop, asyncio.Event())
    return _wakeup[1]


async def _dispatch(job_ids: list[int]) -> None:
    """Tell workers there is work: wake this process's local worker, and defer to procrastinate if used."""
    if not job_ids:
        return
    _wake_event().set()
    if _dispatcher is not None:
        for job_id in job_ids:
            await _dispatcher(job_id)


async def reusable(kind: str, digest: str) -> Job | None:
    """A job whose result serves this input: the newest succeeded one whose file is there, else the
    queued or running one."""
    candidates = await Job.filter(
        kind=kind, input_hash=digest, status__in=[JobStatus.SUCCEEDED, *ACTIVE]
    ).order_by("-id")
    for job in candidates:
        if job.status == JobStatus.SUCCEEDED and has_result(job):
            return job
    return next((job for job in candidates if job.status in ACTIVE), None)


async def enqueue(kind: str, params: Mapping[str, Any], input_hash: str, user_id: int | None) -> Job:
    """The job for this input: the succeeded one (its file is reused), the queued or running one, or a new
    queued job. Two concurrent calls with the same input get the same job (on PostgreSQL an advisory lock
    on the hash serialises them; SQLite serialises writers)."""
    if kind_of(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}")
    async with in_transaction() as conn:
        if _on_postgres():
            await conn.execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [input_hash])
        found = await reusable(kind, input_hash)
        if found is not None:
            return found
        job = await Job.create(
            kind=kind, params=dict(params), input_hash=input_hash, created_by_id=user_id, using_db=conn
        )
    log.info("job queued", job_id=job.id, kind=kind)
    await _dispatch([job.id])
    return job


async def submit(kind: str, params: Mapping[str, Any], *, user_id: int | None) -> Job:
    """Prepare the input (database reads, no rendering), hash it and enqueue."""
    job_kind = kind_of(kind)
    if job_kind is None:
        raise ValueError(f"unknown job kind {kind!r}")
    data = await job_kind.prepare(params)
    return await enqueue(kind, params, input_hash(job_kind, data), user_id)


async def claim(worker: str, job_id: int | None = None) -> Job | None:
    """Take a queued job (this one, or the oldest) for `worker`; None when there is none to take. Only one
    worker ever gets a job: the UPDATE is conditional on the row still being queued."""
    now = _now()
    values: dict[str, Any] = {
        "status": JobStatus.RUNNING,
        "worker": worker[:100],
        "attempts": F("attempts") + 1,
        "started_at": now,
        "heartbeat_at": now,
        "progress": 0,
    }
    job = await _take(worker, job_id, values)
    if job is not None:
        await announce(job.id, job.status, 0)
    return job


async def _take(worker: str, job_id: int | None, values: dict[str, Any]) -> Job | None:
    now = values["started_at"]
    if job_id is not None:
        taken = await Job.filter(id=job_id, status=JobStatus.QUEUED).update(**values)
        return await Job.get(id=job_id) if taken else None
    if _on_postgres():
        rows = await connections.get("default").execute_query_dict(
            "UPDATE job SET status = 'running', worker = $1, attempts = attempts + 1, started_at = $2, "
            "heartbeat_at = $2, progress = 0 WHERE id = (SELECT id FROM job WHERE status = 'queued' "
            "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id",
            [worker[:100], now],
        )
        return await Job.get(id=rows[0]["id"]) if rows else None
    for _ in range(5):  # another worker may take the row between the read and the update
        candidate = await Job.filter(status=JobStatus.QUEUED).order_by("id").first()
        if candidate is None:
            return None
        taken = await Job.filter(id=candidate.id, status=JobStatus.QUEUED).update(**values)
        if taken:
            return await Job.get(id=candidate.id)
    return None


class _JobLost(Exception):
    """The row is no longer this worker's (recovered as interrupted while the worker was unresponsive)."""


class _Reporter:
    """Progress and heartbeat of a running job: written to its row at most once per PROGRESS_WRITE_S, and
    at least every HEARTBEAT_S while the child works."""

    def __init__(self, job: Job, worker: str, on_progress: Callable[[int], None] | None) -> None:
        self.job, self.worker, self.on_progress = job, worker, on_progress
        self.percent = 0
        self.written_at = time.monotonic()

    async def progress(self, percent: int) -> None:
        self.percent = percent
        if self.on_progress is not None:
            self.on_progress(percent)
        if time.monotonic() - self.written_at >= PROGRESS_WRITE_S:
            await self.write()

    async def write(self) -> None:
        self.written_at = time.monotonic()
        mine = Job.filter(id=self.job.id, status=JobStatus.RUNNING, worker=self.worker)
        if not await mine.update(progress=self.percent, heartbeat_at=_now()):
            raise _JobLost(self.job.id)
        await announce(self.job.id, JobStatus.RUNNING, self.percent)

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            try:
                await self.write()
            except _JobLost:
                raise
            except Exception:  # the database hiccuped: the next beat may get through
                log.exception("job heartbeat failed", job_id=self.job.id)


async def _finish(job: Job, worker: str, **values: Any) -> Job:
    now = _now()
    updated = await Job.filter(id=job.id, status=JobStatus.RUNNING, worker=worker).update(
        heartbeat_at=now, finished_at=now, **values
    )
    if not updated:
        log.warning("job lost before it finished", job_id=job.id, worker=worker)
    await job.refresh_from_db()
    await announce(job.id, job.status, job.progress)
    return job


def job_topic(job_id: int) -> str:
    """The bus topic of a job's progress (services/common/bus.py), heard by `jobProgress` subscribers."""
    return f"job:{job_id}"


async def announce(job_id: int, status: str, progress: int) -> None:
    """Tell every process that a job moved (ids and figures only: subscribers read the row)."""
    await bus.publish(job_topic(job_id), {"status": str(status), "progress": progress})


async def _fail(job: Job, worker: str, message: str) -> Job:
    log.warning("job failed", job_id=job.id, kind=job.kind, error=message)
    return await _finish(job, worker, status=JobStatus.FAILED, error=message[:2000])


async def execute(job: Job, worker: str, *, on_progress: Callable[[int], None] | None = None) -> Job:
    """Run a job claimed by `worker` to its end: succeeded (with its file) or failed (with a message).
    Cancelled (shutdown), it kills the child and puts the job back in the queue without counting the
    attempt. `on_progress` sees every percent (the command line's progress bar)."""
    kind = kind_of(job.kind)
    if kind is None:
        return await _fail(job, worker, f"unknown job kind {job.kind!r} (not registered in this worker)")
    started = time.monotonic()
    try:
        try:
            data = await kind.prepare(job.params)
        except (DomainError, ValueError, LookupError) as exc:  # e.g. the fair was deleted meanwhile
            return await _fail(job, worker, f"could not read the input: {exc}")
        digest = input_hash(kind, data)
        if digest != job.input_hash:  # the data changed since it was queued: this job renders the new data
            await Job.filter(id=job.id).update(input_hash=digest)
            job.input_hash = digest
        name = kind.file_name(job.params)
        done = await reusable(kind.name, digest)
        if done is not None and done.status == JobStatus.SUCCEEDED:
            return await _finish(
                job, worker, status=JobStatus.SUCCEEDED, progress=100, error=None,
                result_sha256=done.result_sha256, result_name=name,
            )  # fmt: skip
        reporter = _Reporter(job, worker, on_progress)
        await reporter.progress(DATA_READ)
        store = storage.current()
        render = asyncio.create_task(
            sandbox.run(
                kind.render,
                data,
                kind.limits(),
                store.work_dir(AREA),
                PurePath(name).suffix,
                reporter.progress,
                name=f"job-{job.id}",
            )
        )
        beat = asyncio.create_task(reporter.beat())
        beat.add_done_callback(
            lambda t: render.cancel() if not t.cancelled() and isinstance(t.exception(), _JobLost) else None
        )
        try:
            output = await render
            if kind.finish is not None:  # the heartbeat goes on while it runs
                output = await _finished(kind, job, data, output, PurePath(name).suffix)
            else:  # kept in the shared store, where any replica serves it
                key = storage.content_key(AREA, output.sha256, PurePath(name).suffix)
                await store.put_file(key, output.path, move=True)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if beat.done() and not beat.cancelled() and (current is None or not current.cancelling()):
                raise _JobLost(job.id) from None
            raise
        finally:
            beat.cancel()
    except sandbox.ChildFailed as exc:
        return await _fail(job, worker, str(exc))
    except _JobLost:
        log.warning("job taken back from this worker (stale heartbeat)", job_id=job.id, worker=worker)
        await job.refresh_from_db()
        return job
    except asyncio.CancelledError:
        await Job.filter(id=job.id, status=JobStatus.RUNNING, worker=worker).update(
            status=JobStatus.QUEUED, worker=None, heartbeat_at=None, progress=0, attempts=F("attempts") - 1
        )
        log.info("job put back in the queue (worker stopping)", job_id=job.id)
        raise
    except Exception as exc:  # a bug in prepare, or the database: the job fails, the worker goes on
        log.exception("job crashed", job_id=job.id)
        return await _fail(job, worker, f"internal error: {type(exc).__name__}: {exc}")
    log.info(
        "job succeeded",
        job_id=job.id,
        kind=job.kind,
        bytes=output.size,
        seconds=round(time.monotonic() - started, 2),
        child_pid=output.pid,
    )
    return await _finish(
        job, worker, status=JobStatus.SUCCEEDED, progress=100, error=None,
        result_sha256=output.sha256, result_name=name,
    )  # fmt: skip


async def _finished(
    kind: JobKind, job: Job, data: Any, output: sandbox.Output, suffix: str
) -> sandbox.Output:
    """The kind's `finish` step on the render's (local) output; its bytes are kept in the store by sha256 like
    a render's. The render's own output is an intermediate: it stays only where the store is this folder."""
    assert kind.finish is not None
    body = await kind.finish(job, data, output.path)
    sha = hashlib.sha256(body).hexdigest()
    store = storage.current()
    key = storage.content_key(AREA, sha, suffix)
    if not await store.exists(key):
        await store.put_bytes(key, body)
    if store.local_path(key) is None:
        await asyncio.to_thread(output.path.unlink, missing_ok=True)
    return sandbox.Output(sha256=sha, size=len(body), path=store.local_path(key) or Path(key), pid=output.pid)


def eta_seconds(job: Job, now: dt.datetime | None = None) -> int | None:
    """Seconds until a running job is done, extrapolated from its progress so far (its renderer reports
    progress in proportion to the work: pages laid out, pages drawn, parts joined); None when it is not
    running or has not reported any progress yet."""
    if job.status != JobStatus.RUNNING or job.started_at is None or not 0 < job.progress < 100:
        return None
    elapsed = ((now or _now()) - job.started_at).total_seconds()
    if elapsed <= 0:
        return None
    return max(1, round(elapsed * (100 - job.progress) / job.progress))


async def recover_interrupted(stale_s: float | None = None) -> tuple[list[int], list[int]]:
    """Jobs left running by a worker that stopped answering (crashed, killed, machine lost): queued again
    when they have run once, failed when they had already been given their second chance. Returns the ids
    (queued again, failed). Safe to run from several workers at once."""
    cutoff = _now() - dt.timedelta(seconds=stale_after_s() if stale_s is None else stale_s)
    stale = await Job.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True), status=JobStatus.RUNNING
    )
    requeued: list[int] = []
    failed: list[int] = []
    for job in stale:
        same = Job.filter(id=job.id, status=JobStatus.RUNNING, worker=job.worker, attempts=job.attempts)
        if job.attempts < MAX_ATTEMPTS:
            if await same.update(status=JobStatus.QUEUED, worker=None, heartbeat_at=None, progress=0):
                requeued.append(job.id)
        elif await same.update(
            status=JobStatus.FAILED,
            finished_at=_now(),
            error=f"interrupted {job.attempts} times (its worker stopped answering): not run again",
        ):
            failed.append(job.id)
    if requeued or failed:
        log.warning("interrupted jobs recovered", queued_again=requeued, failed=failed)
    for job_id in requeued:
        await announce(job_id, JobStatus.QUEUED, 0)
    for job_id in failed:
        await announce(job_id, JobStatus.FAILED, 0)
    await _dispatch(requeued)
    return requeued, failed


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]


class LocalWorker:
    """Runs queued jobs one at a time in this process (each in its own child process): a task of the web
    process in the embedded default, or the loop of `server.py worker`. Several may run, in several
    processes, on one database."""

    def __init__(
        self, name: str | None = None, *, poll_s: float = 2.0, recover_every_s: float = 15.0
    ) -> None:
        self.name = name or worker_name()
        self.poll_s = poll_s
        self.recover_every_s = recover_every_s
        self._stopping = asyncio.Event()
        self.busy = False

    def stop_claiming(self) -> None:
        """A graceful stop: claim no new job; `run` returns once the running one (if any) has finished.
        Cancel the task to stop at once (its job goes back to the queue)."""
        self._stopping.set()

    async def run(self) -> None:
        """Until cancelled. Looks for interrupted jobs at start and every `recover_every_s`."""
        log.info("job worker started", worker=self.name)
        loop = asyncio.get_running_loop()
        next_recovery = 0.0
        while not self._stopping.is_set():
            try:
                if loop.time() >= next_recovery:
                    next_recovery = loop.time() + self.recover_every_s
                    await recover_interrupted()
                event = _wake_event()
                event.clear()  # before looking, so that a job queued meanwhile wakes the wait below
                job = await claim(self.name)
                if job is None:
                    stopping = asyncio.ensure_future(self._stopping.wait())
                    woken = asyncio.ensure_future(event.wait())
                    try:
                        await asyncio.wait(
                            {stopping, woken}, timeout=self.poll_s, return_when="FIRST_COMPLETED"
                        )
                    finally:
                        stopping.cancel()
                        woken.cancel()
                    continue
                self.busy = True
                try:
                    await execute(job, self.name)
                finally:
                    self.busy = False
            except asyncio.CancelledError:
                log.info("job worker stopped", worker=self.name)
                raise
            except Exception:  # the database went away: keep trying, do not die
                log.exception("job worker error", worker=self.name)
                await asyncio.sleep(self.poll_s)
        log.info("job worker stopped", worker=self.name)

    async def drain(self) -> int:
        """Run queued jobs until none is left (tests, one-off commands). Returns how many ran."""
        ran = 0
        while (job := await claim(self.name)) is not None:
            await execute(job, self.name)
            ran += 1
        return ran


async def wait_for(
    job_id: int, *, poll_s: float = 0.5, on_progress: Callable[[int], None] | None = None
) -> Job:
    """Wait until a job (run by some worker) has finished."""
    while True:
        job = await Job.get(id=job_id)
        if on_progress is not None:
            on_progress(job.progress)
        if job.status not in ACTIVE:
            return job
        await asyncio.sleep(poll_s)


# -- who may read a job --------------------------------------------------------------------------------------


async def may_read(job: Job, reach: Reach) -> bool:
    """Its creator, central admins, and whom the kind allows (for catalogs: the fair's organisers)."""
    if reach.everything:
        return True
    user_id = reach.actor.user_id
    if user_id is not None and job.created_by_id == user_id:
        return True
    kind = kind_of(job.kind)
    return kind is not None and kind.readable_by is not None and await kind.readable_by(job, reach)


async def jobs_by_ids(ids: set[int], reach: Reach) -> dict[int, Job]:
    found = await Job.filter(id__in=sorted(ids))
    return {job.id: job for job in found if await may_read(job, reach)}


# -- live progress -------------------------------------------------------------------------------------------


async def watch(job_id: int, reach: Reach) -> AsyncIterator[Job]:
    """A job as it moves, for `jobProgress`: refused (NOT_FOUND, as for a job one may not read) before
    anything is sent; then the job now and again each time its status or progress changes (the worker
    announces it on the bus, about once a second), until it has succeeded or failed."""
    job = await Job.get_or_none(id=job_id)
    if job is None or not await may_read(job, reach):
        raise DomainError(
            [FieldProblem("id", JobErrorCode.NOT_FOUND, "Không tìm thấy công việc.", "No such job.")]
        )
    return _moves(job_id)


async def _moves(job_id: int) -> AsyncIterator[Job]:
    async with bus.subscribe(job_topic(job_id)) as messages:  # before reading: nothing is missed
        job = await Job.get(id=job_id)
        yield job
        shown = (job.status, job.progress)
        while job.status in ACTIVE:
            await anext(messages)  # a move, or a flush: either way, read the row
            job = await Job.get(id=job_id)
            if (job.status, job.progress) != shown:
                shown = (job.status, job.progress)
                yield job
