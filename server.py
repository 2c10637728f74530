"""ocop-hub: the door. `create_app()` composes the Starlette application from the surfaces of web/ (and
/graphql from schema/); `main()` is the command line (every command but `serve` is in web/commands.py).

python server.py serve                  serve the API (HOST, PORT)
python server.py migrate [--demo-if-empty]
python server.py demo                   load the demo data set (idempotent)
python server.py export-schema [--output schema.graphql]
python server.py labels --batch-id N --template L7651 --count 500 [--serialized] [--format pdf] [-o FILE]
python server.py catalog --fair SLUG [--language vi|en|bilingual] [--paper A4|A5] [-o FILE]
python server.py report --start 2019-01-01 --end 2025-12-31 [--scope country|region|province --code C] [--language vi|en|bilingual] [-o FILE]
python server.py worker [--concurrency N] [--local] [--metrics-port N]   run background jobs (catalog renders)
python server.py reminders send    e-mail expiry reminders not sent this week (off without OCOP_SMTP_URL)
python server.py create-admin --email E [--name N] [--reset-password]   the first administrator (password: stdin)
python server.py export --producer ID [-o FILE.zip]   a producer's own data (products, lots, EPCIS events, labels)
python server.py backup -o DIR [--files] | restore DIR [--database-url URL] [--force] | verify [--manifest DIR]
python server.py storage copy --from URL --to URL (stored files, sha256-checked) | trace-snapshots (after upgrades)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import sys
from collections.abc import AsyncIterator
from typing import Any

import structlog
from starlette.applications import Starlette

import schema as graphql_schema
from services.common import bus, db, page_cache, signing, storage, tracing
from services.common import logging as ocop_logging
from services.common import settings as settings_store
from services.common.settings import Settings, load_settings
from services.jobs import queue as jobs
from services.trace import epcis_capture
from web import (
    commands,
    epcis,
    epcis_subscriptions,
    graphql,
    home,
    labels,
    packaging,
    probes,
    public,
    registry,
    resolver,
)
from web import jobs as job_files
from web.middleware import FrontCacheMiddleware, RequestLogMiddleware, add_tracing
from web.responses import CachedResponse

log = structlog.get_logger("ocop")


def create_app(settings: Settings | None = None, *, connect: bool = True) -> Starlette:
    """The application. `connect=False` leaves the database to the caller (tests connect once per run)."""
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Fail at start, not at the first sign-in: production needs OCOP_SECRET_KEY for the token hashes.
        signing.secret_key()
        if connect:
            await db.connect(settings.database_url, pool_size=settings.db_pool_size)
            try:
                await commands.announce_identity(settings)
            except Exception as exc:  # not migrated yet (/readyz says so): `server.py migrate` mints it
                log.info("identity not read", reason=type(exc).__name__)
        # Objects created at start-up are never freed: keep them out of the cyclic GC's scans, which
        # otherwise cause the p99 latency spikes measured under load.
        gc.collect()
        gc.freeze()
        log.info(
            "started", environment=settings.environment.value, database=settings.database_url.split("://")[0]
        )
        # The bus: on PostgreSQL a connection LISTENing for other processes' messages (cache invalidation,
        # job progress, new events, scans), reconnecting on its own; nothing to start on SQLite.
        await bus.start()
        # Metrics (/metrics, or OCOP_METRICS_PORT): the loop's lag sampled (logged above a threshold), the
        # job queue read every few seconds (docs/monitoring.md).
        monitoring = probes.Monitoring.start(app.state.loop_lag, settings, queue=connect)
        # Background jobs: a local worker task (embedded default), procrastinate's dispatcher
        # (OCOP_JOBS=procrastinate on PostgreSQL) or none (OCOP_JOBS=off: `server.py worker` runs them).
        job_backend = jobs.backend(settings.database_url) if connect else "off"
        job_worker: asyncio.Task[None] | None = None
        deferrer: Any = None
        dispatcher: asyncio.Task[None] | None = None
        if job_backend == "local":
            job_worker = asyncio.create_task(jobs.LocalWorker().run(), name="job-worker")
            # EPCIS subscriptions' deliveries are the job workers' work too (`server.py worker` elsewhere).
            dispatcher = asyncio.create_task(
                commands.subscription_dispatcher(settings), name="epcis-subscriptions"
            )
        elif job_backend == "procrastinate":
            from services.jobs.procrastinate_backend import Procrastinate

            deferrer = Procrastinate(settings.database_url)
            await deferrer.open()
        try:
            yield
        finally:
            monitoring.stop()
            if dispatcher is not None:
                dispatcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await dispatcher
            await graphql.close(app.state.graphql)
            await bus.stop()
            if job_worker is not None:
                job_worker.cancel()  # a running job goes back to the queue, its child is killed
                with contextlib.suppress(asyncio.CancelledError):
                    await job_worker
            if deferrer is not None:
                await deferrer.close()
            await storage.close_clients()
            if connect:
                await db.disconnect()

    schema = graphql_schema.build_schema(production=settings.is_production, max_cost=settings.max_query_cost)
    app = Starlette(
        # Tried in order; no two overlap but for the compressed Digital Links (one path segment of 10
        # characters or more), tried last. The busiest surfaces first: probes, the API, a QR scan's answers.
        routes=[
            *probes.routes,
            *graphql.routes,
            *resolver.routes,
            *public.routes,
            *epcis_subscriptions.routes,
            *epcis.routes,
            *labels.routes,
            *packaging.routes,
            *registry.routes,
            *job_files.routes,
            *home.routes,
            *resolver.compressed_routes,
        ],
        lifespan=lifespan,
    )
    app.state.graphql = graphql.GraphQLConfig.of(
        schema,
        production=settings.is_production,
        timeout_s=settings.request_timeout_s,
        trusted_documents=settings.trusted_documents,
        max_age_s=settings.trusted_documents_max_age_s,
        settings=settings,
    )
    app.state.loop_lag = probes.LoopLag(settings.loop_lag_interval_s, settings.loop_lag_warn_ms)
    app.state.public_base_url = settings.public_base_url
    app.state.settings = settings
    app.state.region_header = settings.region_header
    app.state.capture_jobs = epcis_capture.CaptureJobs()
    # Outermost last: RequestLogMiddleware, then the front cache (its hits are logged, with a request id).
    app.state.front_cache = page_cache.FrontCache[CachedResponse]()
    app.add_middleware(FrontCacheMiddleware, cache=app.state.front_cache)
    app.add_middleware(RequestLogMiddleware)
    tracing.configure(settings)  # OpenTelemetry: on with OTEL_EXPORTER_OTLP_ENDPOINT, else off and free
    add_tracing(app)  # outermost: the request's span around everything
    return app


def main(argv: list[str] | None = None) -> int:
    args = commands.parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValueError as exc:  # a setting that is not one (the message names the fix)
        sys.stderr.write(f"{exc}\n")
        return 2
    # Read once, here: every module asks services.common.settings.current() from now on (child processes
    # get these settings from their parent).
    settings_store.configure(settings)
    ocop_logging.configure(settings.log_level, json=settings.is_production)
    if args.command != "serve":
        return commands.run(args.command, args, settings)
    if problem := settings_store.serving_problem(settings):
        sys.stderr.write(f"{problem}\n")
        return 2
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
        # SIGTERM: stop accepting, let in-flight requests finish for this long, then close (lifespan end:
        # the embedded job worker hands its job back, its render child is killed, the pools close).
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_s),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
