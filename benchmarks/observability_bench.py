"""What metrics and traces cost a request (docs/monitoring.md), in one process, without a network.

Three apps, each called straight through ASGI (no HTTP client, no socket: only the app's own time is
measured), on requests that need no database (`GET /healthz`, the resolver's description, a 404 no route
answers, and `POST /graphql { __typename }`):

- **bare**: metrics' per-request hooks replaced by no-ops, tracing off: the baseline, measured in the same run
  (between two measures of the next app, whose difference shows the run's noise);
- **metrics** (the default, and production without OTEL_EXPORTER_OTLP_ENDPOINT): the HTTP and GraphQL
  counters and histograms, tracing off: its cost over bare is what Prometheus costs, and tracing off costs
  its `if tracing.ENABLED` tests only;
- **traced**: tracing on, spans batched to an in-memory exporter (what an OTLP endpoint costs the request,
  less the export, which runs in the exporter's thread).

Prints µs per request (median of --rounds rounds of --requests requests) and each app's ratio to bare.
Exit status 0 when it ran."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LOG_LEVEL", "WARNING")

import structlog

from server import create_app
from services.common import metrics, tracing
from services.common.settings import Environment, Settings

REQUESTS: list[tuple[str, str, bytes]] = [
    ("GET", "/healthz", b""),
    ("GET", "/.well-known/gs1resolver", b""),
    ("GET", "/no/such/page", b""),
    ("POST", "/graphql", b'{"query":"{ __typename }"}'),
]


def settings() -> Settings:
    return Settings(
        database_url="sqlite://:memory:",
        environment=Environment.PRODUCTION,
        public_base_url="https://ocop.test",
        host="127.0.0.1",
        port=0,
        log_level="WARNING",
        metrics_token="bench",  # noqa: S106 - not a secret: the benchmark scrapes nothing
    )


async def call(app: Any, method: str, path: str, body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"ocop.test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1234),
        "server": ("ocop.test", 80),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(app: Any, method: str, path: str, body: bytes, requests: int, rounds: int) -> float:
    for _ in range(200):  # warm-up: caches, first-call imports
        await call(app, method, path, body)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(requests):
            await call(app, method, path, body)
        timings.append((time.perf_counter() - start) / requests * 1e6)
    return statistics.median(timings)


async def run(requests: int, rounds: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    observe_request, observe_operation = metrics.observe_request, metrics.observe_operation

    def bare_hooks() -> Callable[[], None]:
        metrics.observe_request = lambda *a: None
        metrics.observe_operation = lambda *a: None

        def undo() -> None:
            metrics.observe_request, metrics.observe_operation = observe_request, observe_operation

        return undo

    # Metrics first and last: the difference between its two figures is the run's noise (the machine's load,
    # a process that grows warmer), which the ratios should be read against.
    for name in ("metrics", "bare", "traced", "metrics again"):
        undo = bare_hooks() if name == "bare" else (lambda: None)
        if name == "traced":
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
            from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

            tracing.enable(BatchSpanProcessor(InMemorySpanExporter(), max_queue_size=100_000))
        app = create_app(settings(), connect=False)
        try:
            async with app.router.lifespan_context(app):
                results[name] = {}
                for method, path, body in REQUESTS:
                    status = await call(app, method, path, body)
                    assert status in (200, 404), (path, status)
                    results[name][f"{method} {path}"] = await measure(
                        app, method, path, body, requests, rounds
                    )
        finally:
            undo()
            tracing.disable()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    results = asyncio.run(run(args.requests, args.rounds))
    print(
        f"{'request':32} {'bare µs':>8} {'metrics µs (again)':>19} {'ratio':>12} {'traced µs':>10} {'ratio':>6}"
    )
    for request, bare in results["bare"].items():
        first, again = results["metrics"][request], results["metrics again"][request]
        traced = results["traced"][request]
        print(
            f"{request:32} {bare:8.1f} {first:9.1f} ({again:7.1f}) {first / bare:5.2f} ({again / bare:4.2f})"
            f" {traced:10.1f} {traced / bare:6.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
