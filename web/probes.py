"""Liveness and readiness probes for the orchestrator: /healthz (the process answers) and /readyz (the
database does too)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.common import db
from web.responses import ORJSONResponse


async def healthz(request: Request) -> Response:
    return ORJSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    ready, reason = await db.is_ready()
    return ORJSONResponse(
        {"status": "ok" if ready else "unavailable", "reason": reason}, status_code=200 if ready else 503
    )


routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/readyz", readyz)]
