"""Laying out and drawing one part of a catalog with WeasyPrint, in this process or in a worker process
that serves the requests of `services.fair_catalog.render` over a pipe (see there for the plan)."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from services.fairs.catalog import weasy
from services.fairs.catalog.data import CatalogData
from services.fairs.catalog.document import BASE_URL, Part, build_html
from services.fairs.catalog.fetcher import CatalogFetcher
from services.fairs.catalog.weasy import HTML, Document

__all__ = ["PartLayout", "Process", "cpu_seconds", "draw", "layout", "peak_rss_mb", "serve", "start"]

log = logging.getLogger(__name__)
_KEPT_ANCHORS = ("e-", "p-", "s-")  # exhibitors, products, sections
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class PartLayout:
    """What the other parts need to know of a laid-out part: the anchors on each of its pages."""

    anchors: tuple[tuple[str, ...], ...]
    refused: tuple[str, ...] = ()  # URLs the fetcher refused
    landscape: tuple[bool, ...] = ()  # per page: wider than high (the floor plan's pages)

    @property
    def pages(self) -> int:
        return len(self.anchors)


def layout(
    data: CatalogData, part: Part, on_step: Callable[[str, int], None] | None = None
) -> tuple[Document, PartLayout]:
    """Lay `part` out. `on_step(step, n)` hears how far WeasyPrint is: "html" once the HTML is built
    (pictures read and downscaled), then "parse" (n: WeasyPrint's step 1 to 4) and "page" (n: pages laid
    out so far; a second pass over the pages, to settle page numbers, counts again from 1)."""
    started = time.perf_counter()
    fetcher = CatalogFetcher()
    html = build_html(data, part, fetcher)
    if on_step is not None:
        on_step("html", 0)
    with weasy.progress(on_step):
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    seen: set[str] = set()
    anchors = []
    for page in document.pages:
        # An element broken across pages names its anchor on each: the first page is where it starts.
        names = tuple(n for n in page.anchors if n.startswith(_KEPT_ANCHORS) and n not in seen)
        seen.update(names)
        anchors.append(names)
    log.debug(
        "laid out %s in %.2f s: %d pages", sorted(part.sections), time.perf_counter() - started, len(anchors)
    )
    landscape = tuple(page.width > page.height for page in document.pages)
    return document, PartLayout(tuple(anchors), tuple(fetcher.refused), landscape)


def draw(document: Document, on_page: Callable[[int], None] | None = None) -> bytes:
    """The PDF of a laid-out document; `on_page(n)` hears each page drawn (n from 1)."""
    started = time.perf_counter()
    if on_page is not None:
        weasy.count_painted_pages(document, on_page)
    pdf: bytes = document.write_pdf()
    log.debug("drew %d pages in %.2f s", len(document.pages), time.perf_counter() - started)
    return pdf


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serve(index: int, data: CatalogData, conn: Connection, parent: int | None = None) -> None:
    """A worker: requests are ("layout", key, part), ("draw", key, None) for a document it laid out,
    ("render", key, part) for both at once, ("count", key, part) to lay out and forget, and None to
    stop. It answers ("laid", key, PartLayout),
    ("pdf", key, bytes), ("error", key, traceback) and, when stopping, ("bye", None, (peak RSS in MB,
    CPU seconds))."""
    _die_with_parent(parent)
    documents: dict[str, Document] = {}
    while True:
        try:
            request = conn.recv()
        except EOFError:  # the parent is gone
            return
        if request is None:
            conn.send(("bye", None, (peak_rss_mb(), cpu_seconds())))
            return
        op, key, arg = request

        def tick(step: str, n: int, key: str = key) -> None:
            if step == "page":
                conn.send(("tick", key, n))

        try:
            if op in ("layout", "render", "count"):
                document, info = layout(data, arg, tick)
                conn.send(("laid", key, info))
                if op == "render":
                    conn.send(("pdf", key, draw(document)))
                elif op == "layout":
                    documents[key] = document
                del document
            elif op == "draw":
                conn.send(("pdf", key, draw(documents.pop(key))))
            else:
                raise ValueError(f"unknown request {op!r}")
        except Exception:  # reported to the parent, which stops the render
            conn.send(("error", key, traceback.format_exc()))


def _die_with_parent(parent: int | None) -> None:
    """Linux: be killed when the parent dies (the job runner kills a render that overruns its time), and
    stop at once if it died before this was asked."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


class Process:
    """A worker process started with fork (`os.fork`, from a process with a single thread: the child
    shares the imported code and the data at no cost, and this works from a daemonic process, which
    `multiprocessing` refuses to let have children), or else with multiprocessing's fork server."""

    def __init__(self, index: int, data: CatalogData, conn: Connection, *, fork: bool) -> None:
        self.pid: int | None = None
        self._process: Any = None
        if fork:
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:  # the worker: never return into the caller's code
                code = 1
                try:
                    serve(index, data, conn, parent)
                    code = 0
                finally:
                    os._exit(code)
            self.pid = pid
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["services.fairs.catalog.worker"])
            self._process = context.Process(
                target=serve, args=(index, data, conn), name=f"catalog-worker-{index}", daemon=True
            )
            self._process.start()
            self.pid = self._process.pid
        self._exitcode: int | None = None

    def is_alive(self) -> bool:
        if self._process is not None:
            return bool(self._process.is_alive())
        return self._poll(block=False) is None

    @property
    def exitcode(self) -> int | None:
        if self._process is not None:
            return self._process.exitcode  # type: ignore[no-any-return]
        return self._exitcode

    def _poll(self, *, block: bool) -> int | None:
        if self._exitcode is None and self.pid is not None:
            try:
                pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            except ChildProcessError:
                self._exitcode = -1
                return self._exitcode
            if pid:
                self._exitcode = os.waitstatus_to_exitcode(status)
        return self._exitcode

    def join(self, timeout: float) -> None:
        if self._process is not None:
            self._process.join(timeout)
            return
        deadline = time.monotonic() + timeout
        while self._poll(block=False) is None and time.monotonic() < deadline:
            time.sleep(0.02)

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        elif self.pid is not None and self._poll(block=False) is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._poll(block=True)


def start(index: int, data: CatalogData, conn: Connection) -> Process:
    return Process(index, data, conn, fork=single_threaded())


def single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # pragma: no cover - not Linux
        return False


def may_start_workers() -> bool:
    """A daemonic process (the job runner's render child) may fork but not use multiprocessing."""
    return single_threaded() or not multiprocessing.current_process().daemon
