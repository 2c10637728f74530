"""/metrics as Prometheus scrapes it (docs/monitoring.md): what a real app exports after real requests,
that the Grafana dashboard and the alert rules in deploy/ name only metrics it exports, that label values
stay bounded, and that production never serves it to the public."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from httpx import ASGITransport, AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from models import Job, JobStatus
from services.common import metrics, sandbox
from services.common.settings import Environment, load_settings, serving_problem
from tests.conftest import Database, app_settings, make_app
from tests.jobs import kinds
from tests.labels.test_scan_poisoning import phone, serialised_lot
from tests.trace.page_samples import candy_lot, page_of
from web import probes

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "ocop-hub.json"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
# Series Prometheus makes itself, not the app.
PROMETHEUS_OWN = {"up"}
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def exported(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Series name → (labels, value) of every sample, and every family's series names even without a
    sample yet (a labelled counter nobody incremented is still exported by name)."""
    series: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for suffix in _SUFFIXES.get(family.type, ("",)):
            series.setdefault(family.name + suffix, [])
        for sample in family.samples:
            series.setdefault(sample.name, []).append((sample.labels, sample.value))
    return series


def value(series: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for found, v in series.get(name, []) if all(found.get(k) == w for k, w in labels.items()))


def named_metrics(expressions: list[str]) -> set[str]:
    """The metric names a set of PromQL expressions read (ours, the process collector's, Prometheus' own)."""
    names: set[str] = set()
    for expression in expressions:
        names |= set(re.findall(r"\b((?:ocop|process|python)_[a-z0-9_]+)\b", expression))
        names |= {word for word in PROMETHEUS_OWN if re.search(rf"\b{word}\{{", expression)}
    return names


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"]
    assert dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int)
    expressions = []
    for panel in dashboard["panels"]:
        assert panel["type"] in ("timeseries", "stat"), panel["title"]
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["type"] == "prometheus"
        expressions += [target["expr"] for target in panel["targets"]]
    return expressions


def alert_rules() -> list[dict[str, object]]:
    rules = yaml.safe_load(ALERTS.read_text())
    return [rule for group in rules["groups"] for rule in group["rules"]]


async def scrape(http: AsyncClient, **headers: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return exported(response.text)


async def test_a_real_app_exports_every_metric_the_dashboard_and_the_alerts_read(db: Database) -> None:
    app = make_app()
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http,
    ):
        before = await scrape(http)
        answered = await http.post(
            "/graphql", json={"query": "query CountProducts { products(first: 1) { totalCount } }"}
        )
        assert answered.status_code == 200
        assert "errors" not in answered.json()
        refused = await http.post("/graphql", json={"query": "query Broken { nothing }"})
        assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert (await http.get("/t/8936131800023/LOT-1")).status_code == 404
        assert (await http.get("/no/such/page")).status_code == 404
        await metrics.sample()  # what the lifespan's sampler does every SAMPLE_S on a connected app
        after = await scrape(http)

    # Requests by route template (never the raw path) and status, with their latency histogram.
    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("ocop_http_requests_total", method="POST", route="/graphql", status="200") == 2
    assert grew("ocop_http_requests_total", method="GET", route="/t/{code}/{lot:path}", status="404") == 1
    assert grew("ocop_http_requests_total", method="GET", route=metrics.UNMATCHED, status="404") == 1
    assert grew("ocop_http_request_duration_seconds_count", method="POST", route="/graphql") == 2
    assert not any("LOT-1" in labels.get("route", "") for labels, _ in after["ocop_http_requests_total"])
    # GraphQL operations by name, type and outcome.
    assert grew("ocop_graphql_operations_total", operation="CountProducts", type="query", code="OK") == 1
    assert grew("ocop_graphql_operations_total", operation="Broken", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert grew("ocop_graphql_operation_duration_seconds_count", operation="CountProducts") == 1
    assert value(after, "ocop_ready") == 1
    assert value(after, "ocop_jobs_sampled_timestamp_seconds") > 0

    needed = named_metrics(dashboard_expressions()) | named_metrics([str(r["expr"]) for r in alert_rules()])
    missing = needed - set(after) - PROMETHEUS_OWN
    assert not missing, f"named in deploy/ but not exported: {sorted(missing)}"
    assert {"ocop_http_requests_total", "ocop_jobs_oldest_queued_age_seconds"} <= needed


def test_the_alert_rules_parse_and_cover_what_the_issue_asks() -> None:
    rules = alert_rules()
    names = {str(rule["alert"]) for rule in rules}
    assert {"OcopNotReady", "OcopHighErrorRate", "OcopHighLatencyP99", "OcopEventLoopLag"} <= names
    assert "OcopJobQueueStuck" in names
    for rule in rules:
        assert set(rule) >= {"alert", "expr", "labels", "annotations"}, rule
        assert rule["labels"]["severity"] in ("warning", "critical")  # type: ignore[index]
    promtool = shutil.which("promtool")
    if promtool is not None:  # Prometheus' own check, where it is installed
        subprocess.run([promtool, "check", "rules", str(ALERTS)], check=True, capture_output=True)


async def test_the_job_queue_figures_are_read_from_the_database(db: Database) -> None:
    job = await Job.create(kind="echo", params={}, input_hash="0" * 64)
    await Job.filter(id=job.id).update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    await Job.create(kind="echo", params={}, input_hash="1" * 64, status=JobStatus.RUNNING)
    await metrics.sample()
    series = exported(metrics.exposition().decode())
    assert value(series, "ocop_jobs_queued") == 1
    assert value(series, "ocop_jobs_running") == 1
    assert 299 <= value(series, "ocop_jobs_oldest_queued_age_seconds") < 400
    await Job.filter(id=job.id).update(status=JobStatus.SUCCEEDED)
    await metrics.sample()
    series = exported(metrics.exposition().decode())
    assert value(series, "ocop_jobs_queued") == 0
    assert value(series, "ocop_jobs_oldest_queued_age_seconds") == 0


async def test_renders_are_timed_by_render_function_and_outcome(tmp_path: Path) -> None:
    label = metrics.render_label(kinds.render_echo)
    assert label == "tests.jobs.kinds.render_echo"
    before = exported(metrics.exposition().decode())
    limits = sandbox.Limits(timeout_s=60, memory_bytes=512 * 1024 * 1024)
    await sandbox.run(kinds.render_echo, {"text": "x", "steps": 1, "pause": 0.0}, limits, tmp_path, ".txt")
    with pytest.raises(sandbox.ChildFailed):
        await sandbox.run(kinds.render_bug, {}, limits, tmp_path, ".txt")
    after = exported(metrics.exposition().decode())
    bug = metrics.render_label(kinds.render_bug)
    for render, outcome in ((label, "ok"), (bug, "failed")):
        name, labels = "ocop_render_duration_seconds_count", {"render": render, "outcome": outcome}
        assert value(after, name, **labels) - value(before, name, **labels) == 1


def test_operation_names_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_names", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)
    assert [metrics.operation_label(n) for n in ("A", "B", "C", "A")] == ["A", "B", metrics.OTHER, "A"]
    assert metrics.operation_label("Registered", registered=True) == "Registered"  # registered: always named
    assert metrics.operation_label(None) == metrics.ANONYMOUS
    assert metrics.operation_label("not a name; DROP") == metrics.OTHER
    assert metrics.code_label("TIMEOUT") == "TIMEOUT"
    assert metrics.code_label("<script>") == metrics.OTHER


async def test_a_token_guards_metrics_and_a_metrics_port_moves_them_off_the_app() -> None:
    async def status(app: Starlette, **headers: str) -> int:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http:
            return (await http.get("/metrics", headers=headers)).status_code

    guarded = make_app(metrics_token="a-long-random-scrape-token")
    assert await status(guarded) == 401
    assert await status(guarded, authorization="Bearer wrong") == 401
    assert await status(guarded, authorization="Bearer a-long-random-scrape-token") == 200
    assert await status(make_app(metrics_port=9464)) == 404
    assert await status(make_app(environment=Environment.PRODUCTION)) == 404
    production = make_app(environment=Environment.PRODUCTION, metrics_token="t" * 32)
    assert await status(production, authorization=f"Bearer {'t' * 32}") == 200


async def test_the_metrics_port_serves_them_on_a_listener_of_its_own() -> None:
    lag = probes.LoopLag(interval_s=0.05, warn_ms=1000)
    monitoring = probes.Monitoring.start(lag, app_settings(), queue=False, port=0)
    try:
        assert monitoring.listener is not None
        async with httpx.AsyncClient() as http:
            response = await http.get(f"http://127.0.0.1:{monitoring.listener.port}/metrics")
    finally:
        monitoring.stop()
    assert response.status_code == 200
    assert "ocop_event_loop_lag_seconds" in exported(response.text)


def test_production_refuses_to_serve_public_metrics_at_start_up() -> None:
    production = {"OCOP_ENV": "production", "OCOP_SECRET_KEY": "k" * 40}
    assert serving_problem(load_settings(production)) is not None
    assert serving_problem(load_settings({**production, "OCOP_METRICS_TOKEN": "t" * 32})) is None
    assert serving_problem(load_settings({**production, "OCOP_METRICS_PORT": "9464"})) is None
    assert serving_problem(load_settings({"OCOP_ENV": "development"})) is None
    with pytest.raises(ValueError, match="OCOP_METRICS_PORT"):
        load_settings({"OCOP_METRICS_PORT": "metrics"})
    env = {**os.environ, **production, "DATABASE_URL": "sqlite://:memory:", "PORT": "9401"}
    env.pop("OCOP_METRICS_TOKEN", None)
    env.pop("OCOP_METRICS_PORT", None)
    refused = subprocess.run(
        [sys.executable, "server.py", "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2
    assert "set OCOP_METRICS_TOKEN" in refused.stderr
    assert "OCOP_METRICS_PORT" in refused.stderr


async def test_qr_scans_and_copy_warnings_are_counted(db: Database) -> None:
    app = make_app()
    lot, _ = await serialised_lot()
    before = exported(metrics.exposition().decode())
    location = ""
    for n in range(5):  # five networks scan serial 4: a copied code (scan_flag_networks)
        async with phone(app, f"203.0.{n}.7") as someone:
            location = (await someone.get(f"{lot}/21/4")).headers["location"]
    async with phone(app, "203.0.0.7") as again:
        await again.get(f"{lot}/21/4")  # the same network within the hour: not counted again
        await again.get(f"{lot}/21/99")  # never issued
    async with phone(app, "203.0.9.7") as buyer:
        page = await buyer.get(urlsplit(location).path + "?serial=4")
    assert 'id="scan-warning"' in page.text
    after = exported(metrics.exposition().decode())

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("ocop_qr_scans_total", result="counted") == 5
    assert grew("ocop_qr_scans_total", result="repeat") == 1
    assert grew("ocop_qr_scans_total", result="not_issued") == 1
    assert grew("ocop_scan_warnings_total", warning="copy") == 1


async def test_front_cache_hits_count_under_their_route_and_as_cache_hits(db: Database) -> None:
    app = make_app()
    product, _ = await candy_lot()
    phone = {"accept": "text/html,*/*;q=0.8", "accept-language": "vi-VN,vi;q=0.9"}
    before = exported(metrics.exposition().decode())
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http:
        for _ in range(3):  # rendered once, then answered by the front cache before routing
            assert (await http.get(page_of(product), headers=phone)).status_code == 200
    after = exported(metrics.exposition().decode())

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("ocop_http_requests_total", method="GET", route="/t/{code}/{lot:path}", status="200") == 3
    assert grew("ocop_page_cache_lookups_total", cache="front", result="hit") == 2
    assert grew("ocop_page_cache_lookups_total", cache="pages", result="miss") == 1
