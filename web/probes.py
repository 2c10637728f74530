"""Liveness and readiness probes for the orchestrator: /healthz (the process answers) and /readyz (the
database does too); and /metrics, the event loop's lag (`LoopLag`), in Prometheus' text format."""

from __future__ import annotations

import asyncio
from collections import deque

import structlog
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from services.common import bus, db
from web.responses import ORJSONResponse

log = structlog.get_logger("ocop")


class LoopLag:
    """How late the event loop wakes a sleep of `interval_s`: the time every request waits behind whatever
    holds the loop. `run()` (a task of the app's lifespan) samples it; a lag above `warn_ms` is logged as a
    warning `event_loop_lag`; `/metrics` shows the last sample and the largest of the last `window_s`."""

    def __init__(self, interval_s: float, warn_ms: float, window_s: float = 60.0) -> None:
        self.interval_s = interval_s
        self.warn_ms = warn_ms
        self.window_s = window_s
        self.last_ms = 0.0
        self._samples: deque[tuple[float, float]] = deque()  # (loop time, lag ms), the window's

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
        return max((lag for _, lag in self._samples), default=0.0)


async def healthz(request: Request) -> Response:
    return ORJSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    ready, reason = await db.is_ready()
    return ORJSONResponse(
        {"status": "ok" if ready else "unavailable", "reason": reason}, status_code=200 if ready else 503
    )


async def metrics(request: Request) -> Response:
    lag: LoopLag | None = getattr(request.app.state, "loop_lag", None)
    last, most = (lag.last_ms, lag.max_ms()) if lag is not None else (0.0, 0.0)
    window = f"{lag.window_s:g}s" if lag is not None else "60s"
    return PlainTextResponse(
        "# HELP ocop_event_loop_lag_seconds How late the event loop woke a timed sleep.\n"
        "# TYPE ocop_event_loop_lag_seconds gauge\n"
        f'ocop_event_loop_lag_seconds{{sample="last"}} {last / 1000:.6f}\n'
        f'ocop_event_loop_lag_seconds{{sample="max_{window}"}} {most / 1000:.6f}\n' + bus_metrics(),
        headers={"Cache-Control": "no-store"},
        media_type="text/plain; version=0.0.4",
    )


def bus_metrics() -> str:
    """The bus's counters (services/common/bus.py): a `reconnects` that grows means the listening connection
    to PostgreSQL keeps dropping, and each reconnection flushed this process's caches."""
    stats = bus.stats()
    lines = []
    for name, value, help_text in (
        ("published", stats.published, "Messages this process published on the bus."),
        ("received", stats.received, "Bus messages that reached this process."),
        ("dropped", stats.dropped, "Bus messages lost by subscribers that did not keep up."),
        ("reconnects", stats.reconnects, "Times the bus's listening connection was lost and reopened."),
        ("flushes", stats.flushes, "Flushes of caches and subscribers (after a reconnection)."),
    ):
        lines += [
            f"# HELP ocop_bus_{name}_total {help_text}",
            f"# TYPE ocop_bus_{name}_total counter",
            f"ocop_bus_{name}_total {value}",
        ]
    lines += [
        "# HELP ocop_bus_listening Whether the bus's listening connection is up (PostgreSQL; 1 on SQLite).",
        "# TYPE ocop_bus_listening gauge",
        f"ocop_bus_listening {int(stats.listening or not bus.BUS.postgres)}",
    ]
    return "\n".join(lines) + "\n"


routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)]
