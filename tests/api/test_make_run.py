"""`make run` on an empty database: migrations, reference data and the demo load, then the server answers
the search a newcomer tries first. Runs the real command line in a child process, on each database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import BACKENDS, POSTGRES_DSN, ROOT

SEARCH = '{ products(first: 5, filter: {search: "banh phong son doc"}) { totalCount edges { node { name stars producer { name } } } } }'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "server.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(params=BACKENDS)
def server_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "PORT": str(_free_port()),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "OCOP_ENV": "development",
    }
    if request.param == "sqlite":
        env["DATABASE_URL"] = f"sqlite://{tmp_path_factory.mktemp('run') / 'ocop.sqlite3'}"
        yield env
        return
    import asyncio

    from services.common import db

    schema = f"ocop_run_{uuid.uuid4().hex[:8]}"
    assert POSTGRES_DSN is not None
    asyncio.run(db.create_pg_schema(POSTGRES_DSN, schema))
    env["DATABASE_URL"] = f"{POSTGRES_DSN}?schema={schema}"
    try:
        yield env
    finally:
        asyncio.run(db.drop_pg_schema(POSTGRES_DSN, schema))


def _wait(url: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# Real `server.py serve` and `migrate` processes (seconds of start-up each): `make test-slow` (CI runs it).
@pytest.mark.slow
def test_a_fresh_database_is_not_ready_until_migrated_then_serves_the_demo(
    server_env: dict[str, str],
) -> None:
    base = f"http://127.0.0.1:{server_env['PORT']}"
    server = subprocess.Popen([sys.executable, "server.py", "serve"], cwd=ROOT, env=server_env)
    try:
        not_ready = _wait(f"{base}/readyz")
        assert not_ready.status_code == 503
        _run(["migrate", "--demo-if-empty"], server_env)
        assert httpx.get(f"{base}/readyz").status_code == 200
        body = httpx.post(f"{base}/graphql", json={"query": SEARCH}).json()
        # No OCOP_PUBLIC_BASE_URL: the links handed out follow PORT.
        scanned = httpx.get(f"{base}/01/08936131800023/10/KDSR-190520")
        assert scanned.headers["location"].startswith(f"{base}/t/"), scanned.headers
    finally:
        server.terminate()
        server.wait(timeout=10)
    products = body["data"]["products"]
    assert products["totalCount"] >= 2
    assert all(e["node"]["name"].startswith("Bánh phồng Sơn Đốc") for e in products["edges"])
    assert all(e["node"]["producer"]["name"].endswith("(demo)") for e in products["edges"])
    # A second `make run` (or `make demo`) must not duplicate anything.
    _run(["demo"], server_env)
    server = subprocess.Popen([sys.executable, "server.py", "serve"], cwd=ROOT, env=server_env)
    try:
        _wait(f"{base}/healthz")
        again = httpx.post(f"{base}/graphql", json={"query": SEARCH}).json()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert again["data"]["products"]["totalCount"] == products["totalCount"]


@pytest.mark.slow
def test_a_production_server_hides_its_schema_masks_errors_and_needs_a_secret(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    env = {
        **os.environ,
        "PORT": str(_free_port()),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "OCOP_ENV": "production",
        "OCOP_METRICS_TOKEN": "a-test-metrics-token-of-enough-length",
        "DATABASE_URL": f"sqlite://{tmp_path_factory.mktemp('prod') / 'ocop.sqlite3'}",
    }
    env.pop("OCOP_SECRET_KEY", None)
    _run(["migrate", "--demo-if-empty"], env)
    refused = subprocess.run(
        [sys.executable, "server.py", "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0
    assert "OCOP_SECRET_KEY must be set in production" in refused.stderr
    env["OCOP_SECRET_KEY"] = "a-test-secret-of-enough-length-1234567890"
    base = f"http://127.0.0.1:{env['PORT']}"
    server = subprocess.Popen([sys.executable, "server.py", "serve"], cwd=ROOT, env=env)
    try:
        _wait(f"{base}/healthz")
        introspection = httpx.post(
            f"{base}/graphql", json={"query": "{ __schema { types { name } } }"}
        ).json()
        typo = httpx.post(f"{base}/graphql", json={"query": "{ produts { totalCount } }"}).json()
        demo = httpx.post(f"{base}/graphql", json={"query": SEARCH}).json()
        graphiql = httpx.get(f"{base}/graphql", headers={"accept": "text/html"})
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert introspection["data"] is None
    assert "introspection" in introspection["errors"][0]["message"].lower()
    assert "Did you mean" not in typo["errors"][0]["message"]
    assert "products" not in typo["errors"][0]["message"]
    assert demo["data"]["products"]["totalCount"] == 0  # no demo data in production
    assert graphiql.status_code == 405


def test_make_run_installs_the_runtime_only() -> None:
    """`make run` (and the other targets that only run the server or its commands) syncs without the dev
    group (pytest, ruff, mypy); `make test` and `make lint` still install it. Read from `make -n`, which
    prints the commands without running them."""
    make = shutil.which("make")
    assert make is not None, "make is one of the README's two commands: it must be installed"

    def syncs(target: str) -> list[str]:
        result = subprocess.run(
            [make, "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
        )
        return [line for line in result.stdout.splitlines() if " sync " in f"{line} "]

    for target in ("run", "migrate", "demo", "worker"):
        [sync] = syncs(target)
        assert "--frozen" in sync
        assert "--no-dev" in sync, (target, sync)
    for target in ("test", "lint"):
        [sync] = syncs(target)
        assert "--frozen" in sync
        assert "--no-dev" not in sync, (target, sync)
