"""A stalled event loop is visible: the app's lifespan samples the loop's lag, /metrics shows it, and a lag
above OCOP_LOOP_LAG_WARN_MS is logged as a warning `event_loop_lag`."""

from __future__ import annotations

import asyncio
import time

from httpx import ASGITransport, AsyncClient
from structlog.testing import capture_logs

from tests.conftest import make_app
from web import probes


def lag_lines(text: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line.startswith("ocop_event_loop_lag_seconds{"):
            label, _, value = line.partition(" ")
            values[label.split('"')[1]] = float(value)
    return values


async def test_a_blocked_loop_is_logged_and_shown_at_metrics() -> None:
    app = make_app(loop_lag_interval_s=0.05, loop_lag_warn_ms=200)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http,
    ):
        await asyncio.sleep(0.2)
        quiet = lag_lines((await http.get("/metrics")).text)
        assert quiet["max_60s"] < 0.2
        with capture_logs() as logs:
            time.sleep(0.3)  # noqa: ASYNC251 - on purpose: a request that holds the loop, as CPU work would
            await asyncio.sleep(0.1)
        metrics = await http.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    shown = lag_lines(metrics.text)
    assert shown["max_60s"] >= 0.25
    warnings = [entry for entry in logs if entry["event"] == "event_loop_lag"]
    assert len(warnings) == 1
    assert warnings[0]["log_level"] == "warning"
    assert warnings[0]["lag_ms"] >= 250
    assert warnings[0]["threshold_ms"] == 200


def test_the_window_forgets_old_lags_and_small_ones_are_not_warnings() -> None:
    lag = probes.LoopLag(interval_s=0.1, warn_ms=200, window_s=60)
    with capture_logs() as logs:
        lag.record(now=0.0, lag_ms=500)
        lag.record(now=30.0, lag_ms=150)
        assert (lag.last_ms, lag.max_ms()) == (150, 500)
        lag.record(now=61.0, lag_ms=-1)  # a sleep woken early is no lag
    assert (lag.last_ms, lag.max_ms()) == (0, 150)
    assert [entry["lag_ms"] for entry in logs] == [500]
