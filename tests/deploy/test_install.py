"""deploy/install.sh, the container image's install steps, run on this machine the way deploy/Dockerfile runs
them: on a copy of the repository's files in a clean directory, into a fresh venv from uv.lock with the
runtime dependencies only (no project .venv, no dev tools), then the image's commands from that venv with
the image's environment: migrate, create-admin, serve; the server answers /healthz, /readyz and a GraphQL
query, and deploy/healthcheck.py (the image's HEALTHCHECK) follows it. Slow (a venv is built): `make
test-slow`, which .ci/run runs after `make test`."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest

from tests.conftest import BACKENDS, POSTGRES_DSN, ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tracked_files() -> list[str]:
    """The files a clone has (tracked, plus new ones not ignored: the branch's own work before its commit)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return [name for name in listing.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(the copied source tree, the environment the image gives its processes) after install.sh venv+verify."""
    base = tmp_path_factory.mktemp("install")
    source, venv, tmp = base / "app", base / "venv", base / "tmp"
    tmp.mkdir()
    for name in _tracked_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert not (source / ".venv").exists()
    # The machine's PATH without the project's venv; the interpreter the project's venv was made from.
    project_bin = str(Path(sys.prefix) / "bin")
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != project_bin)
    python = getattr(sys, "_base_executable", sys.executable)
    # The machine's environment (its proxy and CA settings, uv's and pip's caches) less the project's venv
    # and every setting of the app (the suite's OCOP_ENV=test, ...).
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OCOP_", "UV_", "VIRTUAL_ENV", "PYTHON", "PYTEST", "DATABASE_URL"))
    }
    env |= {"PATH": path, "LANG": "C.UTF-8"}
    # The system step in check mode (it would add a user to this machine): the packages the image installs
    # are those this machine has, with which `verify` then renders.
    for step in ("system", "venv", "verify"):
        result = subprocess.run(
            ["bash", "deploy/install.sh", step],
            cwd=source,
            env={
                **env,
                "OCOP_VENV": str(venv),
                "PYTHON": python,
                "TMPDIR": str(tmp),
                "OCOP_SYSTEM_CHECK": "1",
            },
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, f"install.sh {step}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "verified" in result.stdout
    # The entrypoint runs server.py from /app in the image; here the copy stands for /app.
    entrypoint = (source / "deploy" / "entrypoint.sh").read_text()
    (source / "deploy" / "entrypoint.sh").write_text(
        entrypoint.replace("cd /app", f"cd {source}").replace("/app/server.py", f"{source}/server.py")
    )
    # Runtime only: no test runner, linter or type checker in the venv.
    for tool in ("pytest", "ruff", "mypy", "docker-compose"):
        assert not (venv / "bin" / tool).exists(), f"{tool} is a dev dependency but was installed"
    image_env = {
        **env,
        # deploy/Dockerfile's ENV, with the volumes as directories of this test
        "PATH": f"{venv / 'bin'}{os.pathsep}{path}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OCOP_ENV": "production",
        "HOST": "127.0.0.1",
        # (OCOP_METRICS_PORT: 9100 in the image, a free port per deployment here, see `deployment`)
        "HOME": str(tmp),
        "XDG_CACHE_HOME": str(tmp / ".cache"),
        "MPLCONFIGDIR": str(tmp / "matplotlib"),
        # what an operator sets
        "OCOP_SECRET_KEY": "install-test-signing-key-not-a-secret-0123456789",
        "OCOP_PUBLIC_BASE_URL": "https://ocop.example.vn",
        "LOG_LEVEL": "WARNING",
    }
    return source, image_env


def _entrypoint(source: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        ["sh", "deploy/entrypoint.sh", *args],
        cwd=source,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{args}: {result.stderr[-3000:]}"
    return result.stdout + result.stderr


@pytest.fixture(params=BACKENDS)
def deployment(
    request: pytest.FixtureRequest,
    installed: tuple[Path, dict[str, str]],
    tmp_path: Path,
) -> Iterator[tuple[Path, dict[str, str]]]:
    """The installed tree and the environment of one deployment: its database (a SQLite file, or a fresh
    PostgreSQL schema), its media directory and port; on PostgreSQL the API hands jobs to procrastinate as in
    deploy/compose.yaml, on SQLite the worker's local loop takes them (OCOP_JOBS=off)."""
    source, env = installed
    env = {
        **env,
        "PORT": str(_free_port()),
        "OCOP_METRICS_PORT": str(_free_port()),
        "OCOP_MEDIA_DIR": str(tmp_path / "media"),
    }
    if request.param == "sqlite":
        yield source, {**env, "DATABASE_URL": f"sqlite://{tmp_path / 'ocop.sqlite3'}", "OCOP_JOBS": "off"}
        return
    from services.common import db

    assert POSTGRES_DSN is not None
    schema = f"ocop_install_{uuid.uuid4().hex[:8]}"
    asyncio.run(db.create_pg_schema(POSTGRES_DSN, schema))
    try:
        yield source, {**env, "DATABASE_URL": f"{POSTGRES_DSN}?schema={schema}", "OCOP_JOBS": "procrastinate"}
    finally:
        asyncio.run(db.drop_pg_schema(POSTGRES_DSN, schema))


REPORT = """
mutation($input: StartProgrammeReportInput!) {
  startProgrammeReport(input: $input) { job { id } errors { field code message } }
}
"""
JOB = "query($id: ID!) { node(id: $id) { ... on Job { status error downloadUrl } } }"
PASSWORD = "Mật-khẩu-dài-2026!"


def _stop(process: subprocess.Popen[bytes]) -> float:
    """SIGTERM, then the seconds the process took to exit; it must exit cleanly."""
    stopping = time.monotonic()
    process.terminate()
    process.wait(timeout=60)
    # uvicorn finishes its shutdown, then re-raises the signal it caught: killed by SIGTERM, not an error.
    assert process.returncode in (0, -signal.SIGTERM), (
        f"{process.args!r} failed on SIGTERM: {process.returncode}"
    )
    return time.monotonic() - stopping


def test_the_installed_image_migrates_serves_and_its_worker_renders_a_pdf(
    deployment: tuple[Path, dict[str, str]],
) -> None:
    source, env = deployment
    _entrypoint(source, env, "migrate")
    _entrypoint(source, env, "create-admin", "--email", "admin@ocop.example.vn", stdin=f"{PASSWORD}\n")

    base = f"http://127.0.0.1:{env['PORT']}"
    check = [str(Path(env["PATH"].split(os.pathsep)[0]) / "python"), "deploy/healthcheck.py"]
    server = subprocess.Popen(["sh", "deploy/entrypoint.sh", "serve"], cwd=source, env=env)
    # The worker's own metrics listener (a container of its own in production, another port here).
    worker_env = {**env, "OCOP_METRICS_PORT": str(_free_port())}
    worker = subprocess.Popen(["sh", "deploy/entrypoint.sh", "worker"], cwd=source, env=worker_env)
    try:
        started = time.monotonic()
        deadline = started + 60
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not answer in 60 s"
                time.sleep(0.2)
        print(f"server up in {time.monotonic() - started:.1f} s")
        assert health.json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        # The image's HEALTHCHECK against the running server.
        assert subprocess.run(check, cwd=source, env=env, timeout=30).returncode == 0
        assert subprocess.run([*check, "/healthz"], cwd=source, env=env, timeout=30).returncode == 0
        # Production serves /metrics only on its own listener (OCOP_METRICS_PORT), never on the app's port.
        scraped = httpx.get(f"http://127.0.0.1:{env['OCOP_METRICS_PORT']}/metrics", timeout=5)
        assert scraped.status_code == 200, scraped.text[:300]
        assert "ocop_http_requests_total" in scraped.text
        assert httpx.get(f"{base}/metrics", timeout=5).status_code == 404

        def gql(
            query: str, variables: dict[str, Any] | None = None, token: str | None = None
        ) -> dict[str, Any]:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            answer = httpx.post(
                f"{base}/graphql",
                json={"query": query, "variables": variables or {}},
                headers=headers,
                timeout=15,
            ).json()
            assert "errors" not in answer, answer
            return dict(answer["data"])

        # A query on the reference data migrate loaded, and the admin create-admin made signs in.
        names = " ".join(p["name"] for p in gql("{ provinces { code name } }")["provinces"])
        assert "Hà Nội" in names
        login = gql(
            "mutation($input: LoginInput!) { login(input: $input) { token user { email } } }",
            {"input": {"email": "admin@ocop.example.vn", "password": PASSWORD}},
        )["login"]
        assert login["user"] == {"email": "admin@ocop.example.vn"}
        # A render goes through the worker process (WeasyPrint in the sandboxed child, the project's fonts).
        started = gql(
            REPORT,
            {"input": {"scope": {"kind": "COUNTRY"}, "period": {"start": "2019-01-01", "end": "2025-12-31"}}},
            login["token"],
        )["startProgrammeReport"]
        assert started["errors"] == [], started
        job_id = started["job"]["id"]
        deadline = time.monotonic() + 180
        while True:
            job = gql(JOB, {"id": job_id}, login["token"])["node"]
            if job["downloadUrl"] or job["status"] == "FAILED":
                break
            assert worker.poll() is None, "the worker exited"
            assert time.monotonic() < deadline, f"the worker did not finish the report: {job}"
            time.sleep(0.5)
        assert job["downloadUrl"], job
        path = job["downloadUrl"].removeprefix(env["OCOP_PUBLIC_BASE_URL"])
        pdf = httpx.get(f"{base}{path}", timeout=30)
        assert pdf.status_code == 200
        with pikepdf.open(io.BytesIO(pdf.content)) as document:
            fonts = {str(f.get("/BaseFont")) for page in document.pages for f in page.Resources.Font.values()}
        assert any("Be-Vietnam-Pro" in name or "BeVietnamPro" in name for name in fonts), fonts
        print(f"report rendered by the worker: {len(pdf.content)} bytes, fonts {sorted(fonts)}")
    finally:
        worker_stop = _stop(worker)
        server_stop = _stop(server)
    print(f"stopped in {server_stop:.1f} s (server), {worker_stop:.1f} s (worker)")
    assert server_stop < 25, f"an idle server took {server_stop:.1f} s to stop"
    assert subprocess.run(check, cwd=source, env=env, timeout=30, capture_output=True).returncode == 1
