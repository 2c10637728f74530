"""What a process tells Prometheus: the metrics of docs/monitoring.md, in prometheus-client's default
registry, rendered by `exposition()` (web/probes.py serves it at /metrics) or by a listener of its own
(`start_listener`: OCOP_METRICS_PORT, or `server.py worker --metrics-port N`).

One registry per process, no multi-process mode: an API replica is one process (`server.py serve` runs one
uvicorn worker) and so is a job worker (its renders run in sandboxed children, timed here by the parent),
so Prometheus scrapes every process on its own and tells them apart by its `instance` label. Figures the
services already keep (the bus's, the page caches', the database pool's, the event loop's lag) are read when
scraped (`Collector`s below), so counting them costs a request nothing; the job queue's figures are read
(and readiness) from the database every SAMPLE_S seconds by `sample_forever`, never by a scrape.

Label values are bounded: routes are templates (`/01/{gtin}/10/{lot}`, never a raw path), GraphQL
operations are those of registered documents or the first MAX_OPERATION_NAMES names a process sees
(then `other`), error codes are the API's own."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

import structlog
from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.registry import Collector

from services.common import bus, db, page_cache

log = structlog.get_logger("ocop")

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # what every Prometheus version reads
SAMPLE_S = 15.0  # seconds between two readings of the job queue
MAX_OPERATION_NAMES = 200  # distinct free-form GraphQL operation names per process, then `other`

# Seconds. The API's answers take milliseconds (a QR scan's ~1 ms, a page of products ~10 ms); its timeout
# is OCOP_REQUEST_TIMEOUT_S (10 s by default).
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Renders take from a tenth of a second (a preview) to minutes (a catalog of a thousand booths).
_RENDER_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

HTTP_REQUESTS = Counter(
    "ocop_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "ocop_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)
GRAPHQL_OPERATIONS = Counter(
    "ocop_graphql_operations",
    "GraphQL operations over HTTP, by operation name, type and outcome (`ok`, or the first error's code).",
    ["operation", "type", "code"],
)
GRAPHQL_DURATION = Histogram(
    "ocop_graphql_operation_duration_seconds",
    "Time to authenticate, choose and run one GraphQL operation, by operation name and type.",
    ["operation", "type"],
    buckets=_LATENCY_BUCKETS,
)
RENDER_DURATION = Histogram(
    "ocop_render_duration_seconds",
    "Renders in sandboxed child processes (catalogs, labels, reports, previews, upload checks), by render"
    " function and outcome (ok, failed).",
    ["render", "outcome"],
    buckets=_RENDER_BUCKETS,
)
QR_SCANS = Counter(
    "ocop_qr_scans",
    "Scans of serialised labels' QR codes, by result: counted, repeat (same network within the interval),"
    " not_issued (a serial the lot never had), over_quota (the network's hourly quota).",
    ["result"],
)
COPY_FLAGS = Counter(
    "ocop_scan_warnings",
    "Trace pages opened from a serial's QR code that warned the visitor, by warning: copy (scanned from too"
    " many places) or not_issued.",
    ["warning"],
)
JOBS_QUEUED = Gauge("ocop_jobs_queued", "Background jobs waiting for a worker (the whole installation).")
JOBS_RUNNING = Gauge("ocop_jobs_running", "Background jobs a worker is running (the whole installation).")
JOBS_OLDEST_AGE = Gauge(
    "ocop_jobs_oldest_queued_age_seconds", "How long the oldest waiting job has waited (0: none waits)."
)
READY = Gauge(
    "ocop_ready",
    "1 when the database answers and every migration is applied (what /readyz says), read every SAMPLE_S.",
)
JOBS_SAMPLED = Gauge(
    "ocop_jobs_sampled_timestamp_seconds", "When this process last read the job queue (Unix time; 0: never)."
)


# -- route templates and operation names, bounded ---------------------------------------------------------

UNMATCHED = "<unmatched>"  # a path no route answers (404s, scanners' probes)
ANONYMOUS = "<anonymous>"  # an operation without a name
OTHER = "<other>"  # a name beyond MAX_OPERATION_NAMES, or not a GraphQL name
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}").fullmatch
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,59}").fullmatch
_names: set[str] = set()
_names_lock = threading.Lock()


def operation_label(name: str | None, *, registered: bool = False) -> str:
    """The `operation` label of a GraphQL operation: its name when it has one; a registered document's name
    always, a free-form one only among the first MAX_OPERATION_NAMES distinct names (the others: OTHER)."""
    if not name:
        return ANONYMOUS
    if not _NAME(name):
        return OTHER
    if registered or name in _names:
        return name
    with _names_lock:
        if len(_names) >= MAX_OPERATION_NAMES:
            return OTHER
        _names.add(name)
    return name


def code_label(code: object) -> str:
    """An error code as a label: the API's codes are UPPER_SNAKE; anything else is OTHER."""
    return code if isinstance(code, str) and _CODE(code) else OTHER


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# The labelled children of each request's series, found once (`labels()` checks and locks at every call).
_REQUEST_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_OPERATION_SERIES: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    series = _REQUEST_SERIES.get((method, route, status))
    if series is None:
        label = method if method in _METHODS else OTHER
        series = _REQUEST_SERIES[(method, route, status)] = (
            HTTP_REQUESTS.labels(label, route, str(status)),
            HTTP_DURATION.labels(label, route),
        )
    series[0].inc()
    series[1].observe(seconds)


def observe_operation(operation: str, kind: str, code: str, seconds: float) -> None:
    series = _OPERATION_SERIES.get((operation, kind, code))
    if series is None:
        series = _OPERATION_SERIES[(operation, kind, code)] = (
            GRAPHQL_OPERATIONS.labels(operation, kind, code),
            GRAPHQL_DURATION.labels(operation, kind),
        )
    series[0].inc()
    series[1].observe(seconds)


def render_label(fn: Any) -> str:
    """A render function as a label: its module and name, without the `services.` prefix (a bounded set:
    the functions the code hands to the sandbox)."""
    module = str(getattr(fn, "__module__", "") or "").removeprefix("services.")
    return f"{module}.{getattr(fn, '__qualname__', type(fn).__name__)}"


# -- the event loop's lag ---------------------------------------------------------------------------------


class LoopLag:
    """How late the event loop wakes a sleep of `interval_s`: the time every request waits behind whatever
    holds the loop. `run()` (a task of the app's lifespan, and of a worker) samples it; a lag above
    `warn_ms` is logged as a warning `event_loop_lag`; `ocop_event_loop_lag_seconds` shows the last sample
    and the largest of the last `window_s` (the newest LoopLag of the process is the one shown)."""

    def __init__(self, interval_s: float, warn_ms: float, window_s: float = 60.0) -> None:
        self.interval_s = interval_s
        self.warn_ms = warn_ms
        self.window_s = window_s
        self.last_ms = 0.0
        self._samples: deque[tuple[float, float]] = deque()  # (loop time, lag ms), the window's
        _LOOP.current = self

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self.interval_s)
            now = loop.time()
            self.record(now, (now - start - self.interval_s) * 1000)

    def record(self, now: float, lag_ms: float) -> None:
        lag_ms = max(0.0, lag_ms)
        self.last_ms = lag_ms
        self._samples.append((now, lag_ms))
        while self._samples and self._samples[0][0] < now - self.window_s:
            self._samples.popleft()
        if lag_ms > self.warn_ms:
            log.warning("event_loop_lag", lag_ms=round(lag_ms, 1), threshold_ms=self.warn_ms)

    def max_ms(self) -> float:
        return max((lag for _, lag in list(self._samples)), default=0.0)


class _LoopLagCollector(Collector):
    current: LoopLag | None = None

    def collect(self) -> Iterator[Metric]:
        lag = self.current
        family = GaugeMetricFamily(
            "ocop_event_loop_lag_seconds", "How late the event loop woke a timed sleep.", labels=["sample"]
        )
        window = f"{lag.window_s:g}s" if lag is not None else "60s"
        family.add_metric(["last"], lag.last_ms / 1000 if lag is not None else 0.0)
        family.add_metric([f"max_{window}"], lag.max_ms() / 1000 if lag is not None else 0.0)
        yield family


# -- figures the services keep, read when scraped ---------------------------------------------------------


class _BusCollector(Collector):
    """services/common/bus.py's counters: a `reconnects` that grows means the listening connection to
    PostgreSQL keeps dropping, and each reconnection flushed this process's caches."""

    def collect(self) -> Iterator[Metric]:
        stats = bus.stats()
        for name, value, help_text in (
            ("published", stats.published, "Messages this process published on the bus."),
            ("received", stats.received, "Bus messages that reached this process."),
            ("dropped", stats.dropped, "Bus messages lost by subscribers that did not keep up."),
            ("reconnects", stats.reconnects, "Times the bus's listening connection was lost and reopened."),
            ("flushes", stats.flushes, "Flushes of caches and subscribers (after a reconnection)."),
        ):
            yield CounterMetricFamily(f"ocop_bus_{name}", help_text, value=value)
        yield GaugeMetricFamily(
            "ocop_bus_listening",
            "Whether the bus's listening connection is up (PostgreSQL; 1 on SQLite).",
            value=int(stats.listening or not bus.BUS.postgres),
        )


class _PageCacheCollector(Collector):
    """services/common/page_cache.py's caches: the inner ones by name (`resolver`, `pages`) and the front
    cache (`front`), whose hits are answered before routing."""

    def collect(self) -> Iterator[Metric]:
        lookups = CounterMetricFamily(
            "ocop_page_cache_lookups",
            "Page cache look-ups by cache and result: hit, miss (rendered), joined (waited for a render in"
            " flight), bypassed (credentials, or a write transaction open).",
            labels=["cache", "result"],
        )
        evictions = CounterMetricFamily(
            "ocop_page_cache_evictions",
            "Entries pushed out by newer ones (the cache was full).",
            labels=["cache"],
        )
        entries = GaugeMetricFamily("ocop_page_cache_entries", "Entries kept now.", labels=["cache"])
        for name, figures in page_cache.figures().items():
            for result in ("hit", "miss", "joined", "bypassed"):
                if result in figures:
                    lookups.add_metric([name, result], figures[result])
            evictions.add_metric([name], figures["evicted"])
            entries.add_metric([name], figures["entries"])
        yield lookups
        yield evictions
        yield entries
        invalidations = CounterMetricFamily(
            "ocop_page_cache_invalidations",
            "Times this process's cached pages became stale, by source: write (a write here), bus (another"
            " process wrote) or flush (the bus reconnected: everything dropped).",
            labels=["source"],
        )
        for source, count in page_cache.invalidations().items():
            invalidations.add_metric([source], count)
        yield invalidations


class _PoolCollector(Collector):
    """The database connections of this process: on PostgreSQL asyncpg's pool behind Tortoise; on SQLite its
    one connection (in use while its lock is held)."""

    def collect(self) -> Iterator[Metric]:
        figures = _pool_figures()
        if figures is None:  # not connected
            return
        in_use, idle, most = figures
        used = GaugeMetricFamily(
            "ocop_db_pool_connections", "Connections of the database pool, by state.", labels=["state"]
        )
        used.add_metric(["in_use"], in_use)
        used.add_metric(["idle"], idle)
        yield used
        yield GaugeMetricFamily(
            "ocop_db_pool_max_connections", "The most connections the pool opens.", value=most
        )


def _pool_figures() -> tuple[int, int, int] | None:
    """(in use, idle, most) of the default connection's pool; None when there is none."""
    try:
        from tortoise import connections

        client = connections.get("default")
    except Exception:  # not connected (a unit test, start-up)
        return None
    pool = getattr(client, "_pool", None)
    if pool is not None:
        size, idle = pool.get_size(), pool.get_idle_size()
        return size - idle, idle, pool.get_max_size()
    lock = getattr(client, "_lock", None)
    if getattr(client, "_connection", None) is not None and lock is not None:  # SQLite
        busy = int(lock.locked())
        return busy, 1 - busy, 1
    return None


_LOOP = _LoopLagCollector()
for _collector in (_LOOP, _BusCollector(), _PageCacheCollector(), _PoolCollector()):
    REGISTRY.register(_collector)


# -- the job queue, read every SAMPLE_S seconds -----------------------------------------------------------


async def sample_queue() -> None:
    """Read the queue's depth and its oldest waiting job (three queries on the status index) into the gauges."""
    from models import Job, JobStatus

    queued = await Job.filter(status=JobStatus.QUEUED).count()
    running = await Job.filter(status=JobStatus.RUNNING).count()
    oldest = await (
        Job.filter(status=JobStatus.QUEUED)
        .order_by("created_at")
        .limit(1)
        .values_list("created_at", flat=True)
    )
    now = dt.datetime.now(dt.UTC)
    JOBS_QUEUED.set(queued)
    JOBS_RUNNING.set(running)
    created: Any = oldest[0] if oldest else None
    JOBS_OLDEST_AGE.set(max(0.0, (now - created).total_seconds()) if created is not None else 0.0)
    JOBS_SAMPLED.set(now.timestamp())


_migrated = False  # every migration on disk was found applied once: they stay so


async def sample() -> None:
    """Readiness, then the job queue (when ready). The migrations are compared (~5 ms of CPU) until they
    are found applied once; after that a `SELECT 1` tells whether the database answers."""
    global _migrated
    if _migrated:
        try:
            from tortoise import connections

            await connections.get("default").execute_query("SELECT 1")
            ready = True
        except Exception as exc:
            log.warning("readiness check failed", reason=type(exc).__name__)
            ready = False
    else:
        ready, _reason = await db.is_ready()
        _migrated = ready
    READY.set(int(ready))
    if ready:
        await sample_queue()


async def sample_forever(interval_s: float = SAMPLE_S) -> None:
    """`sample` now and every `interval_s`; a failure (the database away, not migrated yet) is
    logged and the gauges keep their last values (`ocop_jobs_sampled_timestamp_seconds` shows their age)."""
    while True:
        try:
            await sample()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("job queue not read", reason=type(exc).__name__)
        await asyncio.sleep(interval_s)


# -- exposition -------------------------------------------------------------------------------------------


def exposition() -> bytes:
    """Every metric of this process in Prometheus' text format (CONTENT_TYPE)."""
    return generate_latest(REGISTRY)


class Listener:
    """/metrics on a port of its own (prometheus-client's HTTP server, in a thread): reachable by
    Prometheus, not by the public, which only reaches the app's port."""

    def __init__(self, port: int, host: str) -> None:
        self.server, self.thread = start_http_server(port, addr=host)
        log.info("metrics listening", host=host, port=self.server.server_port)

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def start_listener(port: int | None, host: str) -> Listener | None:
    return Listener(port, host) if port is not None else None
