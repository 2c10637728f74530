"""Run one CPU-heavy function in a child process with a wall-clock and a memory limit, so that a runaway
render (a huge catalog, a bug that loops or allocates without end) costs the child, never the server.

The child is started with the `spawn` method (a fresh interpreter: no copy of the parent's event loop,
database connections or threads), caps its address space with RLIMIT_AS and its CPU time with RLIMIT_CPU
(a backstop should the parent die and leave it running), calls `fn(data, progress)`, writes the bytes it
returns to `out_dir/<sha256[:2]>/<sha256><suffix>` and reports back through a pipe: progress (percent)
while it runs, then the result's sha256 and size, or an error. The parent polls the pipe from its event
loop and kills the child at the deadline.

Renders asked for by requests go through `single_flight` (concurrent requests for one file share one render)
and `run(..., capped=True)` (at most `render_concurrency` such children per process, the others wait in line
before their own deadline starts), so that ten downloads of one fresh file start one child, not ten.

This module imports the standard library only: the child imports it before running `fn`, and every
module it imports counts against the child's memory limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import multiprocessing
import os
import resource
import signal
import sys
import time
import traceback
import types
import weakref
from collections.abc import Awaitable, Callable, Hashable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from services.common import settings

Progress = Callable[[int], None]
Render = Callable[[Any, Progress | None], bytes]

POLL_S = 0.05
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    timeout_s: float
    memory_bytes: int  # the child's whole address space (RLIMIT_AS), interpreter and imports included


@dataclass(frozen=True, slots=True)
class Output:
    sha256: str
    size: int
    path: Path
    pid: int  # the child's, for logs (and for tests that check the work left the parent)


class ChildFailed(Exception):
    """The function raised, or the child broke a limit or died. The message is for the job's `error`."""


def output_path(out_dir: Path, sha: str, suffix: str) -> Path:
    return out_dir / sha[:2] / f"{sha}{suffix}"


def _child_main(
    fn: Render,
    data: Any,
    limits: Limits,
    out_dir: str,
    suffix: str,
    conn: Connection,
    configured: settings.Settings | None = None,
    parent: int | None = None,
) -> None:
    """Entry point of the child process."""
    _die_with_parent(parent)
    # A spawned child starts without the parent's configured settings: it gets them here, so that a
    # render sees the same media directory and limits as the process that asked for it.
    settings.configure(configured)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = math.ceil(limits.timeout_s) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    last = -1

    def progress(percent: int) -> None:
        nonlocal last
        value = max(0, min(100, int(percent)))
        if value != last:
            last = value
            conn.send(("progress", value))

    try:
        body = fn(data, progress)
        if not isinstance(body, bytes | bytearray):
            raise TypeError(f"the job returned {type(body).__name__}, not bytes")
        sha = hashlib.sha256(body).hexdigest()
        path = output_path(Path(out_dir), sha, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(body)
        tmp.replace(path)
        conn.send(("done", sha, len(body), str(path), os.getpid()))
    except MemoryError:
        del data  # give back what can be given back before reporting
        conn.send(("memory", None))
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1:]
        place = f" ({where[0].filename.rsplit('/', 1)[-1]}:{where[0].lineno})" if where else ""
        conn.send(("error", f"{type(exc).__name__}: {exc}{place}"))
    finally:
        conn.close()


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int | None) -> None:
    """A child must not outlive its parent: a server killed with SIGKILL (OOM killer, `kill -9`, a
    container stop) runs no `finally`, and a render would go on for up to its CPU limit, holding memory.
    On Linux the kernel sends the child SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); elsewhere a
    daemon thread checks the parent's pid every second. Should the parent have died before this ran (the
    child is then adopted by another process), the child exits at once."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        parent_watch = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0
    else:  # pragma: no cover - the server runs on Linux
        parent_watch = True
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    if parent_watch and parent is not None:  # pragma: no cover
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    """`spawn` runs the parent's main script again in the child, as `__mp_main__`: for `python server.py`
    the whole server (seconds of imports, and memory counted against the child's limit). The child needs
    none of it, its target and data are pickled by module name, so the script is hidden while the child
    is started. (A render function defined in a main script would not be found: keep them in modules.)"""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def _describe_exit(code: int | None, limits: Limits) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == signal.SIGXCPU:
            return f"the render used more CPU time than its limit ({limits.timeout_s:g} s) and was stopped"
        if -code == signal.SIGKILL:
            return (
                "the render process was killed (SIGKILL), most likely out of memory "
                f"(limit {limits.memory_bytes // MIB} MB)"
            )
        return f"the render process died ({name})"
    return f"the render process exited ({code}) without a result"


# Per event loop (a test run has several): the semaphore of capped children, keyed by its capacity so that a
# test can change the setting; and the renders in flight, by key.
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)
_flights: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, asyncio.Task[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _slot() -> asyncio.Semaphore:
    capacity = max(1, settings.current().render_concurrency)
    slots = _slots.setdefault(asyncio.get_running_loop(), {})
    if capacity not in slots:
        slots[capacity] = asyncio.Semaphore(capacity)
    return slots[capacity]


async def single_flight[T](key: Hashable, work: Callable[[], Awaitable[T]]) -> T:
    """`work()`'s result, computed once for all the concurrent callers with the same `key`. The work runs as
    its own task: a caller that goes away (a client that disconnects) neither cancels it for the others
    nor kills its child; its outcome, success or error, is every waiting caller's."""
    flights = _flights.setdefault(asyncio.get_running_loop(), {})
    task = flights.get(key)
    if task is None:

        async def flight() -> T:
            try:
                return await work()
            finally:
                flights.pop(key, None)

        task = asyncio.create_task(flight(), name=f"single-flight {key!r}")
        # Retrieved here, so that a render every caller gave up on logs no "never retrieved" warning.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        flights[key] = task
    result: T = await asyncio.shield(task)
    return result


async def run(
    fn: Render,
    data: Any,
    limits: Limits,
    out_dir: Path,
    suffix: str,
    on_progress: Callable[[int], Awaitable[None]] | None = None,
    *,
    name: str = "render",
    capped: bool = False,
) -> Output:
    """Run `fn(data, progress)` in a child process; its bytes end up in `out_dir` (see `output_path`).
    Raises ChildFailed with a message a user can read; cancelling the caller kills the child. `capped`:
    wait for one of the process's `render_concurrency` slots first (the time limit starts once it is got)."""
    if capped:
        async with _slot():
            return await _timed(fn, data, limits, out_dir, suffix, on_progress, name)
    return await _timed(fn, data, limits, out_dir, suffix, on_progress, name)


async def _timed(
    fn: Render,
    data: Any,
    limits: Limits,
    out_dir: Path,
    suffix: str,
    on_progress: Callable[[int], Awaitable[None]] | None,
    name: str,
) -> Output:
    """`_run`, its duration in `ocop_render_duration_seconds` by render function and outcome (a cancelled
    render is not counted: nobody waited for its end). Metrics are imported here, not by the module: a child
    imports this module, and needs neither prometheus-client nor the page caches."""
    from services.common import metrics, tracing

    started = time.perf_counter()
    outcome = "failed"
    try:
        with tracing.span("render", **{"ocop.render": metrics.render_label(fn)}):
            output = await _run(fn, data, limits, out_dir, suffix, on_progress, name)
        outcome = "ok"
        return output
    except asyncio.CancelledError:
        outcome = ""
        raise
    finally:
        if outcome:
            metrics.RENDER_DURATION.labels(metrics.render_label(fn), outcome).observe(
                time.perf_counter() - started
            )


async def _run(
    fn: Render,
    data: Any,
    limits: Limits,
    out_dir: Path,
    suffix: str,
    on_progress: Callable[[int], Awaitable[None]] | None,
    name: str,
) -> Output:
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main,
        args=(fn, data, limits, str(out_dir), suffix, writer, settings.configured()),
        kwargs={"parent": os.getpid()},
        name=name,
        daemon=True,  # killed with the parent on a normal exit; on SIGKILL, see _die_with_parent
    )
    loop = asyncio.get_running_loop()
    # On the event loop's thread, so that nothing else sees the bare __main__; start() returns once the
    # new interpreter has read `data` from its pipe (tens of milliseconds).
    with _bare_main():
        process.start()
    writer.close()  # the child holds the only write end: EOF once it is gone
    deadline = loop.time() + limits.timeout_s
    outcome: tuple[Any, ...] | None = None
    exitcode: int | None = None
    try:
        while outcome is None:
            try:
                while reader.poll():
                    message = reader.recv()
                    if message[0] == "progress":
                        if on_progress is not None:
                            await on_progress(int(message[1]))
                    else:
                        outcome = message
                        break
            except (EOFError, OSError):
                break  # the child is gone without a word
            if outcome is None and not process.is_alive() and not reader.poll():
                break
            if outcome is None and loop.time() > deadline:
                raise ChildFailed(
                    f"the render took longer than its time limit ({limits.timeout_s:g} s) and was stopped"
                )
            if outcome is None:
                await asyncio.sleep(POLL_S)
    finally:
        if process.is_alive() and outcome is None:
            process.kill()
        await asyncio.to_thread(process.join, 10)
        if process.is_alive():  # pragma: no cover - join timed out after a finished message
            process.kill()
            await asyncio.to_thread(process.join)
        exitcode = process.exitcode
        reader.close()
        with contextlib.suppress(ValueError):
            process.close()
    if outcome is None:
        raise ChildFailed(_describe_exit(exitcode, limits))
    kind = outcome[0]
    if kind == "done":
        _, sha, size, path, pid = outcome
        return Output(sha, int(size), Path(path), int(pid))
    if kind == "memory":
        raise ChildFailed(
            f"the render needed more memory than its limit ({limits.memory_bytes // MIB} MB) and was stopped"
        )
    raise ChildFailed(f"the render failed: {outcome[1]}")
