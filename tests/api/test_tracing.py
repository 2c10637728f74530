"""OpenTelemetry traces (docs/monitoring.md): through a real request, the request's span (named by its
route, with the request id), the GraphQL operation's span with its name, the database statements' spans
under it, and renders' spans; exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set, and
nothing set up otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.common import sandbox, tracing
from tests.conftest import Database, make_app
from tests.jobs import kinds

ROOT = Path(__file__).resolve().parents[2]
COUNT = "query CountProducts { products(first: 1) { totalCount } }"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.enable(SimpleSpanProcessor(exporter))
    try:
        yield exporter
    finally:
        tracing.disable()


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


async def test_a_request_is_traced_down_to_its_statements(db: Database, spans: InMemorySpanExporter) -> None:
    app = make_app()  # made while tracing is on: the ASGI middleware is installed
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http:
        response = await http.post("/graphql", json={"query": COUNT})
        assert response.status_code == 200
        assert "errors" not in response.json()
        await http.get("/healthz")  # the orchestrator's polls start no trace
    finished = spans.get_finished_spans()
    by_id = {span.context.span_id: span for span in finished}

    (server,) = [span for span in finished if span.kind == SpanKind.SERVER]
    assert server.name == "POST /graphql"
    assert server.attributes is not None
    assert server.attributes["ocop.request_id"] == response.headers["x-request-id"]
    assert server.attributes["http.route"] == "/graphql"
    assert (
        server.attributes.get("http.response.status_code", server.attributes.get("http.status_code")) == 200
    )

    (operation,) = [span for span in finished if span.name.startswith("graphql")]
    assert operation.name == "graphql CountProducts"
    assert operation.attributes is not None
    assert operation.attributes["graphql.operation.name"] == "CountProducts"
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.attributes["ocop.graphql.code"] == "OK"
    assert ancestors(operation, by_id) == ["POST /graphql"]

    statements = [span for span in finished if span.kind == SpanKind.CLIENT]
    assert statements, [span.name for span in finished]
    for statement in statements:
        assert statement.attributes is not None
        assert statement.attributes["db.system"] == ("postgresql" if db.backend == "postgres" else "sqlite")
        assert "SELECT" in str(statement.attributes["db.statement"]).upper()
        assert statement.context.trace_id == server.context.trace_id
    # The count runs inside the operation's span, which runs inside the request's.
    assert any("graphql CountProducts" in ancestors(statement, by_id) for statement in statements)
    assert {span.context.trace_id for span in finished} == {server.context.trace_id}


async def test_a_caller_s_traceparent_is_continued(db: Database, spans: InMemorySpanExporter) -> None:
    app = make_app()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    traceparent = f"00-{trace_id}-00f067aa0ba902b7-01"
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http:
        await http.post("/graphql", json={"query": COUNT}, headers={"traceparent": traceparent})
    (server,) = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
    assert f"{server.context.trace_id:032x}" == trace_id
    assert server.parent is not None
    assert f"{server.parent.span_id:016x}" == "00f067aa0ba902b7"


async def test_a_render_has_its_span(spans: InMemorySpanExporter, tmp_path: Path) -> None:
    limits = sandbox.Limits(timeout_s=60, memory_bytes=512 * 1024 * 1024)
    await sandbox.run(kinds.render_echo, {"text": "x", "steps": 1, "pause": 0.0}, limits, tmp_path, ".txt")
    (render,) = [span for span in spans.get_finished_spans() if span.name == "render"]
    assert render.attributes is not None
    assert render.attributes["ocop.render"] == "tests.jobs.kinds.render_echo"


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP trace receiver: keeps each request's decoded spans."""

    received: list[ExportTraceServiceRequest] = []  # noqa: RUF012 - the server's, read by the test

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        type(self).received.append(request)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


_PROCESS = """
import asyncio, httpx, os, sys
import server
from services.common import tracing
from services.common.settings import load_settings

async def main():
    for endpoint in (None, sys.argv[1]):  # first without an endpoint, then with one
        if endpoint is not None:
            os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
        app = server.create_app(load_settings(), connect=False)
        print("on" if tracing.ENABLED else "off", "opentelemetry.sdk" in sys.modules,
              [m.cls.__name__ for m in app.user_middleware])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ocop.test") as http:
            await http.get("/no/such/page")
    tracing.disable()  # flushes the batch

asyncio.run(main())
"""


def test_spans_go_over_otlp_only_when_an_endpoint_is_set() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env |= {"LOG_LEVEL": "WARNING", "OTEL_SERVICE_NAME": "ocop-test"}
    collector = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=collector.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{collector.server_port}"
        done = subprocess.run(
            [sys.executable, "-c", _PROCESS, endpoint],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        collector.shutdown()
        collector.server_close()
    assert done.returncode == 0, done.stderr
    off, on = [line for line in done.stdout.splitlines() if line.startswith(("off ", "on "))]
    # Off: no SDK imported, no middleware; on: the ASGI middleware outermost.
    assert off == "off False ['RequestLogMiddleware', 'FrontCacheMiddleware']"
    assert on.startswith("on True ['OpenTelemetryMiddleware', 'RequestLogMiddleware'")
    exported = [
        (resource.resource, span)
        for request in _Collector.received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    # One request was made while tracing was on: one trace of one request span reached the receiver.
    assert [span.name for _, span in exported] == ["GET <unmatched>"]
    resource = exported[0][0]
    service = {a.key: a.value.string_value for a in resource.attributes}["service.name"]
    assert service == "ocop-test"
