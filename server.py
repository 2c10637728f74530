"""ocop-hub: the Starlette application (routes, lifespan, middleware) and its command line.

python server.py serve                  serve the API (HOST, PORT)
python server.py migrate [--demo-if-empty]
python server.py demo                   load the demo data set (idempotent)
python server.py export-schema [--output schema.graphql]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

import schema as graphql_schema
from schema.context import Context, build_context
from services import db, reference
from services import logging as ocop_logging
from services.settings import Settings, load_settings

log = structlog.get_logger("ocop")


class ORJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context and orjson (Vietnamese stays UTF-8, not \\u-escaped)."""

    async def get_context(self, request: Any, response: Any = None) -> Context:
        return await build_context(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


class RequestLogMiddleware:
    """One structured log line per request, with a request id echoed in `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 2),
                request_id=request_id,
            )


async def graphql_post(request: Request) -> Response:
    """POST /graphql with a JSON body, executed without strawberry's generic HTTP view (which handles
    uploads, batching and subscriptions we do not offer, at ~1.5 ms a request). Only application/json is
    accepted, so a browser form cannot post a query across sites."""
    if request.headers.get("content-type", "").split(";", 1)[0].strip().lower() != "application/json":
        return ORJSONResponse(
            {"errors": [{"message": "Content-Type must be application/json"}]}, status_code=415
        )
    try:
        body = orjson.loads(await request.body())
        query = body["query"]
        variables = body.get("variables")
        operation_name = body.get("operationName")
        if not isinstance(query, str) or not isinstance(variables, dict | None):
            raise TypeError
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        message = "The body must be a JSON object with a 'query' string and optional 'variables' object"
        return ORJSONResponse({"errors": [{"message": message}]}, status_code=400)
    result = await graphql_schema.schema.execute(
        query,
        variable_values=variables,
        context_value=await build_context(request),
        operation_name=operation_name,
    )
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return ORJSONResponse(payload)


async def healthz(request: Request) -> Response:
    return ORJSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    ready, reason = await db.is_ready()
    return ORJSONResponse(
        {"status": "ok" if ready else "unavailable", "reason": reason}, status_code=200 if ready else 503
    )


def create_app(settings: Settings | None = None, *, connect: bool = True) -> Starlette:
    """The application. `connect=False` leaves the database to the caller (tests connect once per run)."""
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if connect:
            await db.connect(settings.database_url)
        # Objects created at start-up are never freed: keep them out of the cyclic GC's scans, which
        # otherwise cause the p99 latency spikes measured under load.
        gc.collect()
        gc.freeze()
        log.info(
            "started", environment=settings.environment.value, database=settings.database_url.split("://")[0]
        )
        try:
            yield
        finally:
            if connect:
                await db.disconnect()

    graphql_app = GraphQLApp(
        graphql_schema.schema,
        graphql_ide=None if settings.is_production else "graphiql",
        allow_queries_via_get=not settings.is_production,
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql_post, methods=["POST"]),
            Route("/graphql", graphql_app, methods=["GET"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(RequestLogMiddleware)
    return app


# -- command line ---------------------------------------------------------------------------------------


async def _migrate(settings: Settings, demo_if_empty: bool) -> None:
    await db.migrate(settings.database_url)
    await db.connect(settings.database_url)
    try:
        await reference.sync_all()
        if demo_if_empty and not settings.is_production:
            from services import demo

            if await demo.is_empty():
                counts = await demo.load()
                log.info("demo data loaded", **counts)
    finally:
        await db.disconnect()


async def _demo(settings: Settings) -> None:
    from services import demo

    await db.connect(settings.database_url)
    try:
        await reference.sync_all()
        counts = await demo.load()
        log.info("demo data loaded", **counts)
    finally:
        await db.disconnect()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="server.py", description="ocop-hub")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the API")
    migrate = commands.add_parser("migrate", help="apply migrations and load reference data")
    migrate.add_argument(
        "--demo-if-empty", action="store_true", help="load the demo data into an empty database"
    )
    commands.add_parser("demo", help="load the demo data set (idempotent)")
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path)
    args = parser.parse_args(argv)

    settings = load_settings()
    ocop_logging.configure(settings.log_level, json=settings.is_production)
    if args.command == "export-schema":
        text = graphql_schema.sdl()
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "migrate":
        asyncio.run(_migrate(settings, args.demo_if_empty))
        return 0
    if args.command == "demo":
        asyncio.run(_demo(settings))
        return 0
    import uvicorn

    log.info("serving", url=f"http://{settings.host}:{settings.port}/graphql")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
