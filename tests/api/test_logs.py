"""Logs an operator can read: a client's mistake is one INFO line without traceback, a server error an ERROR
with it; the hash library's per-event dump is gone; no ANSI escapes (`color_message`) in JSON lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from httpx import AsyncClient
from structlog.testing import capture_logs

from services.common import logging as ocop_logging
from services.registry import search as catalog
from services.trace import epcis_hash
from tests.conftest import Database, gql
from tests.trace.test_epcis_hash import REFERENCE_EVENT


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The production configuration (JSON lines, INFO), its handler writing to a buffer instead of stderr;
    restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.filters[:], root.level
    ocop_logging.configure("INFO", json=True, cache=False)
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], root.filters[:] = saved[0], saved[1]
        root.setLevel(saved[2])
        structlog.reset_defaults()


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_hashing_an_event_logs_nothing(json_logs: io.StringIO) -> None:
    epcis_hash.event_hash(REFERENCE_EVENT)
    logging.getLogger("ocop.test").info("after the hash")  # INFO lines still come through
    assert [line["event"] for line in lines(json_logs)] == ["after the hash"]
    # The library's warnings still do.
    logging.warning("a root warning")
    assert [line["event"] for line in lines(json_logs)] == ["a root warning"]


def test_json_lines_carry_no_color_message(json_logs: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]",
        42,
        extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]"},
    )
    [line] = lines(json_logs)
    assert line["event"] == "Started server process [42]"
    assert "color_message" not in line
    assert "\x1b" not in json.dumps(line)


async def test_client_mistakes_are_info_without_traceback_and_server_errors_stay_errors(
    client: AsyncClient, db: Database, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    mistakes = {
        "INVALID": "{ products(first: 101) { totalCount } }",
        "QUERY_TOO_COMPLEX": "{ products(first: 100) { edges { node { evaluations(first: 100) { edges "
        "{ node { id } } } producer { products(first: 100) { edges { node { name } } } } } } } }",
        "GRAPHQL_VALIDATION_FAILED": "{ products { edges { node { nmae } } } }",
        "GRAPHQL_PARSE_FAILED": "{ products { ",
        "TOO_LONG": '{ products(filter: {search: "a b c d e f g h i j k"}) { totalCount } }',
    }
    for code, query in mistakes.items():
        with capture_logs() as logs:
            body = await gql(client, query)
        assert body["errors"][0]["extensions"]["code"] == code, body
        refused = [entry for entry in logs if entry["event"] == "graphql refused"]
        assert [(entry["log_level"], entry["code"]) for entry in refused] == [("info", code)], logs
        assert not any("exc_info" in entry or "exception" in entry for entry in logs)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.records

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the catalog is broken")

    monkeypatch.setattr(catalog, "product_query", broken)
    with capture_logs() as logs:
        body = await gql(client, "{ products { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert not [entry for entry in logs if entry["event"] == "graphql refused"]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.name == "strawberry.execution"
    assert record.exc_info is not None
    assert "the catalog is broken" in str(record.exc_info[1])
