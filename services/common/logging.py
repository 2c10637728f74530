"""Structured logs: one JSON object a line in production, readable key=value lines in development.

Quiet where a library is loud: epcis-event-hash-generator logs `#events = 1` and a dump of every event it
hashes at INFO on the root logger (dropped below WARNING by `QuietLibraries`); uvicorn adds a
`color_message` with ANSI escapes to its records (removed). GraphQL errors are logged by `schema`'s
`process_errors`: a client's mistake at INFO without traceback, a server error at ERROR with it."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Packages whose records below WARNING are dropped: they log on the root logger, so no logger level can
# quiet them (matched on the file that logged).
QUIET_PACKAGES = ("epcis_event_hash_generator",)


class QuietLibraries(logging.Filter):
    """Drops the INFO and DEBUG records of QUIET_PACKAGES before they are formatted (an event dump of a lot
    with many sensor reports is megabytes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        path = record.pathname.replace("\\", "/")
        return not any(f"/{package}/" in path for package in QUIET_PACKAGES)


def drop_color_message(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """uvicorn's `color_message` (the message again, with ANSI escapes) is noise in a log line."""
    event.pop("color_message", None)
    return event


def configure(level: str, *, json: bool, cache: bool = True) -> None:
    """Logging for this process. `cache=False` (tests) keeps structlog from binding module loggers for good,
    so that a test can configure and restore it."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        drop_color_message,
        # Tracebacks as text: a masked error's request id must lead to its traceback in the logs.
        structlog.processors.format_exc_info,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.filters[:] = [f for f in root.filters if not isinstance(f, QuietLibraries)]
    root.addFilter(QuietLibraries())  # on the logger: dropped before any handler formats them
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        cache_logger_on_first_use=cache,
    )
