"""Rendering a fair catalog to PDF.

A small catalog is one WeasyPrint document: the directory's and indexes' page numbers are
`target-counter(attr(href), page)` of the entries' anchors (WeasyPrint lays the index pages out again
once it has found the entries), and the @page margin boxes print the page numbers.

A large catalog is cut into documents that two worker processes lay out and draw at the same time, then
joined with pikepdf, in two passes:

1. lay out the introduction (cover to floor plan), the runs of entries (`document.entry_runs`: each
   starts a page in every edition, so the book reads the same either way), the back matter (tourism,
   sponsors), and the directory and each index with empty rows, to count their pages: their rows have a
   fixed height, so the names and page numbers they will hold cannot change that count. None of these
   documents prints page numbers, so none waits for the pages before it;
2. now that every entry's page is known, lay out the directory and indexes again with their numbers,
   and the folio: blank pages whose @page margin boxes hold the page numbers and running heads, laid
   over every page of the joined book.

Each worker takes the next part when it is free; it reports a part's pages as soon as it is laid out,
then draws it, so that the second pass can start while the last parts of the first are drawn.
QR codes are small 1-bit PNG backgrounds: an inline SVG per product makes WeasyPrint draw hundreds of
rectangles for each, and a float per product costs more layout than the text beside it.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from typing import Any

from services.fairs.catalog import worker
from services.fairs.catalog.data import CatalogData
from services.fairs.catalog.document import BACK, ENTRIES, FOLIO, INTRO, REFERRING, Part, entry_runs
from services.fairs.catalog.wording import Edition

__all__ = ["RenderError", "RenderStats", "render_catalog", "render_catalog_with_stats"]

log = logging.getLogger(__name__)

try:  # joins the documents of a catalog rendered in parts; without it, one document (slower)
    pikepdf: Any = importlib.import_module("pikepdf")
except ImportError:  # pragma: no cover
    pikepdf = None

SPLIT_MIN_PRODUCTS = 150  # below this, one document is faster than starting workers
MAX_WORKERS = 2

SECTION_WORDS = {
    "s-contents": "contents",
    "s-foreword": "foreword",
    "s-programme": "programme",
    "s-practical": "practical",
    "s-floorplan": "floorplan",
    "s-plan-zones": "plan_zones",
    "s-directory": "directory",
    "s-index-province": "index_province",
    "s-index-group": "index_group",
    "s-index-stars": "index_stars",
    "s-entries": "exhibitors",
    "s-tourism": "tourism",
    "s-sponsors": "sponsors",
}


class RenderError(RuntimeError):
    """A worker failed or died; the message carries its traceback."""


@dataclass
class RenderStats:
    mode: str  # "single" or "parallel"
    seconds: float = 0.0
    pages: int = 0
    documents: int = 0
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # per process
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per process (the parent's since start)
    refused: list[str] = field(default_factory=list)  # URLs the fetcher did not load


def render_catalog(data: CatalogData, progress: Callable[[int], None] | None = None) -> bytes:
    """The catalog of `data` as a PDF. `progress` is called with a percentage now and then."""
    pdf, _ = render_catalog_with_stats(data, progress)
    return pdf


def render_catalog_with_stats(
    data: CatalogData, progress: Callable[[int], None] | None = None, *, workers: int | None = None
) -> tuple[bytes, RenderStats]:
    """The catalog and how it was made. `workers`: how many worker processes (default: up to 2, one per
    core); below 2, or for a small catalog, one document in this process."""
    started = time.perf_counter()
    cpu_started = worker.cpu_seconds()
    count = available_workers() if workers is None else workers
    report = _Progress(progress)
    report(STARTED)
    split = (
        count >= 2
        and pikepdf is not None
        and data.product_count >= SPLIT_MIN_PRODUCTS
        and worker.may_start_workers()
    )
    if split:
        stats = RenderStats("parallel")
        pdf = _Parallel(data, count, report, stats).run()
    else:
        stats = RenderStats("single", documents=1)
        steps = _SingleSteps(report, estimated_pages(data))
        document, info = worker.layout(data, Part.whole(data), steps.layout)
        report(LAID_OUT)
        steps.pages = info.pages
        pdf = worker.draw(document, steps.drawn)
        report(DRAWN)
        stats.pages = info.pages
        stats.refused = list(info.refused)
        del document
    report(100)
    stats.seconds = time.perf_counter() - started
    stats.peak_rss_mb["parent"] = worker.peak_rss_mb()
    stats.cpu_seconds["parent"] = worker.cpu_seconds() - cpu_started
    return pdf, stats


def available_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return min(cores, MAX_WORKERS)


# Progress of a catalog in one document, in percent: where each stage ends (measured on the demo fair:
# building the HTML ~5 %, WeasyPrint's parsing ~20 %, laying out the pages ~35 %, drawing them ~30 %).
STARTED, HTML_BUILT, PARSED, LAID_OUT, DRAWN = 3, 8, 24, 60, 97


def estimated_pages(data: CatalogData) -> int:
    """About how many pages the book takes, before laying it out (the bar's scale while it is laid out)."""
    per_product = 0.25 if data.paper == "A4" else 0.4
    front = 9 + len(data.exhibitors) // (30 if data.paper == "A4" else 20) * 4
    return max(10, int(front + per_product * data.product_count + 0.1 * len(data.exhibitors)))


class _SingleSteps:
    """Turns WeasyPrint's steps into the percentages of a catalog in one document."""

    def __init__(self, report: Callable[[int], None], estimate: int) -> None:
        self.report = report
        self.estimate = estimate
        self.pages = estimate

    def layout(self, step: str, n: int) -> None:
        if step == "html":
            self.report(HTML_BUILT)
        elif step == "parse":
            self.report(HTML_BUILT + (PARSED - HTML_BUILT) * n // 4)
        elif step == "page":  # a second pass (page numbers settled) stays where the first one got
            self.report(PARSED + (LAID_OUT - 2 - PARSED) * min(n, self.estimate) // self.estimate)

    def drawn(self, n: int) -> None:
        self.report(LAID_OUT + (DRAWN - LAID_OUT) * min(n, self.pages) // max(self.pages, 1))


class _Progress:
    def __init__(self, callback: Callable[[int], None] | None) -> None:
        self.callback = callback
        self.last = -1

    def __call__(self, percent: int) -> None:
        percent = max(0, min(100, int(percent)))
        if self.callback is not None and percent > self.last:
            self.last = percent
            self.callback(percent)


@dataclass
class _Worker:
    index: int
    process: worker.Process
    conn: Connection
    busy: bool = False


class _Parallel:
    """The plan of a render in parts and its bookkeeping; `run()` drives the workers."""

    def __init__(
        self, data: CatalogData, workers: int, report: Callable[[int], None], stats: RenderStats
    ) -> None:
        self.data = data
        self.worker_count = workers
        self.report = report
        self.stats = stats
        self.edition = Edition(data.language)
        runs = entry_runs(data.exhibitors)
        self.runs = [f"run{i}" for i in range(len(runs))]
        self.parts: dict[str, Part] = {}
        for key, span in zip(self.runs, runs, strict=True):
            self.parts[key] = Part(frozenset({ENTRIES}), span, folio=False)
        # The introduction (its table of contents), the directory and the indexes: counted, then laid out
        # with the page numbers.
        self.referring = [INTRO, *REFERRING]
        for section in self.referring:
            self.parts[f"count-{section}"] = Part(
                frozenset({section}), folio=False, page_numbers={}, row_text=False
            )
        self.has_back = bool(data.offerings or data.sponsors)
        if self.has_back:
            self.parts["back"] = Part(frozenset({BACK}), folio=False)
        self.book = [*self.referring, *self.runs, *(["back"] if self.has_back else [])]
        self.counts = [f"count-{section}" for section in self.referring]
        self.to_lay_out: deque[str] = deque([*self.counts, *self.book[len(self.referring) :]])
        self.front_to_lay_out: deque[str] = deque()
        self.laid: dict[str, worker.PartLayout] = {}
        self.pdfs: dict[str, bytes] = {}
        self.folio: list[str] = []
        self.folio_to_render: deque[str] = deque()
        # progress: a layout and a draw per part of the book, the counts, the folio documents
        self.total_steps = 2 * len(self.book) + len(self.counts) + 2 * workers
        self.done_steps = 0
        self.in_flight: dict[str, float] = {}  # parts being laid out: how far (0 to 1, from their pages)

    # -- the plan ---------------------------------------------------------------------------------

    def _pages(self, key: str) -> int:
        """Pages of a part of the book (a directory or index: as counted)."""
        return self.laid[key if key in self.laid else f"count-{key}"].pages

    def _plan_front(self) -> None:
        """The introduction, directory and indexes, with the page each section and entry starts on."""
        number = 0
        pages: dict[str, int] = {}
        for key in self.book:
            for anchors in self.laid[key if key in self.laid else f"count-{key}"].anchors:
                number += 1
                for anchor in anchors:
                    pages.setdefault(anchor, number)
        for section in self.referring:
            self.parts[section] = Part(frozenset({section}), folio=False, page_numbers=pages)
            self.front_to_lay_out.append(section)

    def _plan_folio(self) -> None:
        """The running head of every page, and the folio documents, one per worker."""
        titles: list[tuple[str | None, bool]] = []
        current: str | None = None
        for key in self.book:
            laid = self.laid[key if key in self.laid else f"count-{key}"]
            for page, anchors in enumerate(laid.anchors):
                for anchor in anchors:
                    if anchor == "s-cover":
                        current = None
                        break
                    if anchor in SECTION_WORDS:
                        current = self.edition.word(SECTION_WORDS[anchor])
                        break
                titles.append((current, bool(laid.landscape and laid.landscape[page])))
        size = max(40, -(-len(titles) // self.worker_count))
        for start in range(0, len(titles), size):
            key = f"folio{start}"
            self.parts[key] = Part(
                frozenset({FOLIO}), first_page=start + 1, folio_titles=tuple(titles[start : start + size])
            )
            self.folio.append(key)
            self.folio_to_render.append(key)
        self.stats.pages = len(titles)

    def _after_layout(self) -> None:
        counted = all(
            k in self.laid for k in [*self.counts, *self.runs, *(["back"] if self.has_back else [])]
        )
        if counted and not self.parts.get(self.referring[0]):
            self._plan_front()
        if counted and not self.folio and (not self.has_back or "back" in self.laid):
            self._plan_folio()

    def _next_request(self) -> tuple[str, str, Any] | None:
        """The next work for an idle worker: the directory and indexes as soon as they can be laid out
        (the book waits for them), then the parts in the book's order, then the folio. A part is drawn
        right after its layout: its page count is reported in between, so waiting gains nothing."""
        for queue in (self.front_to_lay_out, self.to_lay_out, self.folio_to_render):
            if queue:
                key = queue.popleft()
                return ("count" if key in self.counts else "render", key, self.parts[key])
        return None

    def _finished(self) -> bool:
        return bool(self.folio) and all(key in self.pdfs for key in [*self.book, *self.folio])

    # -- the processes ----------------------------------------------------------------------------

    def run(self) -> bytes:
        workers: list[_Worker] = []
        try:
            for index in range(self.worker_count):
                parent_end, child_end = Pipe(duplex=True)
                process = worker.start(index, self.data, child_end)
                child_end.close()
                workers.append(_Worker(index, process, parent_end))
            self._loop(workers)
        finally:
            self._stop(workers)
        self.stats.documents = len(self.book) + len(self.counts) + len(self.folio)
        return self._join()

    def _dispatch(self, workers: list[_Worker]) -> None:
        for w in workers:
            if not w.busy:
                request = self._next_request()
                if request is not None:
                    w.conn.send(request)
                    w.busy = True

    def _loop(self, workers: list[_Worker]) -> None:
        by_conn = {id(w.conn): w for w in workers}
        self._dispatch(workers)
        while not self._finished():
            ready = wait([w.conn for w in workers], timeout=1.0)
            if not ready:
                for w in workers:
                    if not w.process.is_alive():
                        raise RenderError(f"catalog worker {w.index} died (exit code {w.process.exitcode})")
                if not any(w.busy for w in workers):  # pragma: no cover - a bug in the plan
                    raise RenderError("catalog render stalled with the book unfinished")
                continue
            for conn in ready:
                w = by_conn[id(conn)]
                try:
                    kind, key, payload = w.conn.recv()
                except EOFError as exc:
                    raise RenderError(
                        f"catalog worker {w.index} died (exit code {w.process.exitcode})"
                    ) from exc
                self._handle(w, kind, key, payload)
            self._dispatch(workers)

    def _handle(self, w: _Worker, kind: str, key: str, payload: Any) -> None:
        if kind == "error":
            raise RenderError(f"catalog worker {w.index} failed on {key}:\n{payload}")
        if kind == "tick":  # a page of a part laid out: about 30 pages a part
            self.in_flight[key] = min(0.8, payload / 30)
            self._report()
            return
        if kind == "laid":
            self.in_flight.pop(key, None)
            self.laid[key] = payload
            self.stats.refused.extend(payload.refused)
            if key in self.referring and payload.pages != self.laid[f"count-{key}"].pages:
                raise RenderError(f"{key}: {payload.pages} pages, counted {self.laid[f'count-{key}'].pages}")
            if key in self.counts:
                w.busy = False  # counted and forgotten; the others are drawn next
            self._after_layout()
        elif kind == "pdf":
            self.pdfs[key] = payload
            w.busy = False
        self.done_steps += 1
        self._report()

    def _report(self) -> None:
        done = self.done_steps + sum(self.in_flight.values())
        self.report(int(5 + 90 * done / max(self.total_steps, self.done_steps + 1)))

    def _stop(self, workers: list[_Worker]) -> None:
        for w in workers:
            with contextlib.suppress(OSError):
                w.conn.send(None)
        deadline = time.monotonic() + 10
        for w in workers:
            with contextlib.suppress(OSError, EOFError):
                while w.conn.poll(max(0.0, deadline - time.monotonic())):
                    kind, _, payload = w.conn.recv()
                    if kind == "bye":
                        rss, cpu = payload
                        self.stats.peak_rss_mb[f"worker-{w.index}"] = rss
                        self.stats.cpu_seconds[f"worker-{w.index}"] = cpu
                        break
            w.process.join(max(0.1, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
            w.conn.close()

    # -- the book ---------------------------------------------------------------------------------

    def _join(self) -> bytes:
        """The parts joined in order, the folio laid over every page, one bookmark per section."""
        sources = [pikepdf.Pdf.open(io.BytesIO(self.pdfs[key])) for key in [*self.book, *self.folio]]
        book = sources[0]
        for source in sources[1 : len(self.book)]:
            book.pages.extend(source.pages)
        folio_pages = [page for source in sources[len(self.book) :] for page in source.pages]
        if len(folio_pages) != len(book.pages):
            raise RenderError(f"folio of {len(folio_pages)} pages for a book of {len(book.pages)}")
        for page, folio in zip(book.pages, folio_pages, strict=True):
            page.add_overlay(folio, pikepdf.Rectangle(page.mediabox))
        with book.open_outline() as outline:
            outline.root.clear()
            number = 0
            for key in self.book:
                for anchors in self.laid[key].anchors:
                    for anchor in anchors:
                        if anchor in SECTION_WORDS:
                            title = self.edition.word(SECTION_WORDS[anchor])
                            outline.root.append(pikepdf.OutlineItem(title, number))
                    number += 1
        out = io.BytesIO()
        book.save(out)
        for source in sources:
            source.close()
        return out.getvalue()
