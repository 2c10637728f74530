"""Liveness and readiness probes for the orchestrator: /healthz (the process answers) and /readyz (the
database does too); and /metrics, every metric of services/common/metrics.py in Prometheus' text format
(docs/monitoring.md): open in development and tests, behind OCOP_METRICS_TOKEN (a bearer token) when it is
set, absent from the app's port when OCOP_METRICS_PORT gives it a listener of its own (and no token is set).
`Monitoring` is what a process runs for its metrics: the loop-lag sampler, the job queue's reader, the
listener."""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass

import structlog
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from services.common import db, metrics
from services.common.metrics import LoopLag
from services.common.settings import Settings
from web.responses import ORJSONResponse

log = structlog.get_logger("ocop")

__all__ = ["LoopLag", "Monitoring", "routes"]


@dataclass(slots=True)
class Monitoring:
    """The tasks and the listener of a process's metrics, started together, stopped together."""

    tasks: list[asyncio.Task[None]]
    listener: metrics.Listener | None

    @classmethod
    def start(
        cls, loop_lag: LoopLag, settings: Settings, *, queue: bool = True, port: int | None = None
    ) -> Monitoring:
        """Sample the loop's lag; read the job queue (`queue`: the process has the database); listen on
        `port` (default OCOP_METRICS_PORT) when there is one."""
        tasks = [asyncio.create_task(loop_lag.run(), name="loop-lag")]
        if queue:
            tasks.append(asyncio.create_task(metrics.sample_forever(), name="metrics-queue"))
        listen = port if port is not None else settings.metrics_port
        return cls(tasks, metrics.start_listener(listen, settings.host))

    def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.listener is not None:
            self.listener.close()


async def healthz(request: Request) -> Response:
    return ORJSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    ready, reason = await db.is_ready()
    return ORJSONResponse(
        {"status": "ok" if ready else "unavailable", "reason": reason}, status_code=200 if ready else 503
    )


async def metrics_page(request: Request) -> Response:
    """GET /metrics. With OCOP_METRICS_TOKEN, only for `Authorization: Bearer <token>` (401 otherwise);
    without it but with OCOP_METRICS_PORT, not here (404: it is served on that port); in production
    without either, not here either (`server.py serve` refuses to start that way)."""
    config: Settings = request.app.state.settings
    token = config.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        scheme, _, value = sent.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            return PlainTextResponse(
                "A bearer token is needed (OCOP_METRICS_TOKEN)",
                status_code=401,
                headers={"www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store"},
            )
    elif config.metrics_port is not None or config.is_production:
        return PlainTextResponse("Not Found", status_code=404)
    body = await asyncio.to_thread(metrics.exposition)
    return Response(body, headers={"cache-control": "no-store"}, media_type=metrics.CONTENT_TYPE)


routes: list[BaseRoute] = [
    Route("/healthz", healthz),
    Route("/readyz", readyz),
    Route("/metrics", metrics_page),
]
