"""OpenTelemetry traces (docs/monitoring.md): on when OTEL_EXPORTER_OTLP_ENDPOINT (or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, off otherwise, and then free: no SDK is imported or set up, no
instrumentation is installed, and the hooks below cost one module-level flag test.

When on (`configure`), a process exports its spans over OTLP/HTTP (the exporter reads the usual OTEL_*
variables: endpoint, headers, timeout; OTEL_SERVICE_NAME names the service, `ocop-hub` by default) in batches
from a background thread. Its spans:
- one per HTTP request (the ASGI middleware web/middleware.py `add_tracing` installs), named by the route
  template, with the request id (`ocop.request_id`, the `X-Request-ID` header and every log line's);
- one per GraphQL operation (`graphql <name>`: `graphql.operation.name`, `graphql.operation.type`,
  `ocop.graphql.code`), web/graphql.py;
- one per database statement: asyncpg's instrumentation on PostgreSQL; on SQLite, Tortoise's client
  methods wrapped here (aiosqlite runs statements in a thread of its own, where sqlite3's instrumentation
  would lose the request's context);
- one per render in a sandboxed child (`render`, `ocop.render`), services/common/sandbox.py.
Database statements outside any request or render (the bus's keep-alive, the job queue's reader) start
no trace: `_no_orphan_statements` samples them out.

`enable(processor)` turns the same spans on with any span processor (tests: the in-memory exporter);
`disable()` undoes it."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from services.common.settings import Settings

ENABLED = False  # read by every hook: False, nothing else happens
SERVICE_NAME = "ocop-hub"
_provider: Any = None  # the SDK's TracerProvider while enabled
_undo: list[Callable[[], None]] = []

_SQLITE_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")


def configure(settings: Settings) -> bool:
    """Export over OTLP when `settings.otel_endpoint` is set (once per process); whether tracing is on."""
    if ENABLED or settings.otel_endpoint is None:
        return ENABLED
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    enable(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(_provider)  # for libraries that ask the global one
    return True


def enable(processor: Any) -> Any:
    """Trace with `processor` (a SpanProcessor): the SDK's provider, the database instrumentation; returns
    the provider."""
    global ENABLED, _provider
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ParentBased

    disable()
    resource = Resource.create()  # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, as the SDK reads them
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": SERVICE_NAME}))
    _provider = TracerProvider(resource=resource, sampler=ParentBased(root=_no_orphan_statements()))
    _provider.add_span_processor(processor)
    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    instrumentor.instrument(tracer_provider=_provider)
    _undo.append(instrumentor.uninstrument)
    _instrument_sqlite()
    ENABLED = True
    return _provider


def disable() -> None:
    """Back to off: instrumentation removed, spans flushed."""
    global ENABLED, _provider
    ENABLED = False
    while _undo:
        _undo.pop()()
    if _provider is not None:
        _provider.shutdown()
        _provider = None


def tracer_provider() -> Any:
    """The SDK's provider (only while ENABLED)."""
    return _provider


def tracer() -> Any:
    """Our tracer (only while ENABLED)."""
    return _provider.get_tracer("ocop-hub")


@contextlib.contextmanager
def span(name: str, **attributes: Any) -> Iterator[Any]:
    """A span around the block, the current one inside it (None when tracing is off: check ENABLED first
    where even this call matters)."""
    if not ENABLED:
        yield None
        return
    with tracer().start_as_current_span(name, attributes=attributes) as current:
        yield current


def current_span() -> Any:
    """The span of the running request or operation, or None (off, or none)."""
    if not ENABLED:
        return None
    from opentelemetry import trace

    found = trace.get_current_span()
    return found if found.is_recording() else None


def _no_orphan_statements() -> Any:
    """The root sampler: every request and render starts a trace, a database statement with no parent does
    not (the bus's keep-alive every few seconds, the job queue's reader). Made when tracing is turned on:
    the SDK is not imported before."""
    from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
    from opentelemetry.trace import SpanKind

    class NoOrphanStatements(Sampler):
        def should_sample(
            self,
            parent_context: Any,
            trace_id: int,
            name: str,
            kind: Any = None,
            attributes: Any = None,
            *args: Any,
            **kwargs: Any,
        ) -> SamplingResult:
            if kind == SpanKind.CLIENT:
                return SamplingResult(Decision.DROP)
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)  # the span keeps its attributes

        def get_description(self) -> str:
            return "NoOrphanStatements"

    return NoOrphanStatements()


def _instrument_sqlite() -> None:
    """Spans around Tortoise's SQLite client methods, in the caller's context (the request's)."""
    from opentelemetry.trace import SpanKind
    from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

    def traced(method: Callable[..., Any], name: str) -> Callable[..., Any]:
        @functools.wraps(method)
        async def wrapper(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if not ENABLED:
                return await method(self, query, *args, **kwargs)
            statement = query.lstrip().split(None, 1)[0].upper() if query.strip() else name
            attributes = {"db.system": "sqlite", "db.statement": query, "db.operation": statement}
            with tracer().start_as_current_span(statement, kind=SpanKind.CLIENT, attributes=attributes):
                return await method(self, query, *args, **kwargs)

        return wrapper

    for cls in (SqliteClient, SqliteTransactionWrapper):
        for name in _SQLITE_METHODS:
            original = cls.__dict__.get(name)
            if original is None:  # inherited: wrapped in the parent
                continue
            setattr(cls, name, traced(original, name))
            _undo.append(functools.partial(setattr, cls, name, original))
