"""deploy/install.sh, the container image's install steps, run on this machine the way deploy/Dockerfile runs
them: on a copy of the repository's files in a clean directory, into a fresh venv from uv.lock with the
runtime dependencies only (no project .venv, no dev tools), then the image's commands from that venv with
the image's environment: migrate, create-admin, serve; the server answers /healthz, /readyz and a GraphQL
query, and deploy/healthcheck.py (the image's HEALTHCHECK) follows it. Slow (a venv is built): `make
test-slow`, which .ci/run runs after `make test`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

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
    for step in ("venv", "verify"):
        result = subprocess.run(
            ["bash", "deploy/install.sh", step],
            cwd=source,
            env={**env, "OCOP_VENV": str(venv), "PYTHON": python, "TMPDIR": str(tmp)},
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, f"install.sh {step}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "verified" in result.stdout
    # Runtime only: no test runner, linter or type checker in the venv.
    for tool in ("pytest", "ruff", "mypy", "docker-compose"):
        assert not (venv / "bin" / tool).exists(), f"{tool} is a dev dependency but was installed"
    port = _free_port()
    image_env = {
        **env,
        # deploy/Dockerfile's ENV, with the volumes as directories of this test
        "PATH": f"{venv / 'bin'}{os.pathsep}{path}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OCOP_ENV": "production",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OCOP_MEDIA_DIR": str(base / "media"),
        "HOME": str(tmp),
        "XDG_CACHE_HOME": str(tmp / ".cache"),
        "MPLCONFIGDIR": str(tmp / "matplotlib"),
        # what an operator sets
        "DATABASE_URL": f"sqlite://{base / 'ocop.sqlite3'}",
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


def test_the_installed_image_migrates_creates_an_admin_and_serves(
    installed: tuple[Path, dict[str, str]],
) -> None:
    source, env = installed
    # The entrypoint runs server.py from /app in the image; here the copy stands for /app.
    entrypoint = (source / "deploy" / "entrypoint.sh").read_text()
    (source / "deploy" / "entrypoint.sh").write_text(
        entrypoint.replace("cd /app", f"cd {source}").replace("/app/server.py", f"{source}/server.py")
    )
    _entrypoint(source, env, "migrate")
    _entrypoint(source, env, "create-admin", "--email", "admin@ocop.example.vn", stdin="Mật-khẩu-dài-2026!\n")

    base = f"http://127.0.0.1:{env['PORT']}"
    server = subprocess.Popen(["sh", "deploy/entrypoint.sh", "serve"], cwd=source, env=env)
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
        assert health.json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        # A GraphQL query: the reference data migrate loaded (provinces), and the admin signs in.
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": "{ provinces { code name } }"},
            timeout=10,
        ).json()
        assert "errors" not in answer, answer
        print(f"server up in {time.monotonic() - started:.1f} s")
        names = {p["name"] for p in answer["data"]["provinces"]}
        assert "Hà Nội" in " ".join(names), sorted(names)[:5]
        login = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation($input: LoginInput!) { login(input: $input) { token user { email } } }",
                "variables": {"input": {"email": "admin@ocop.example.vn", "password": "Mật-khẩu-dài-2026!"}},
            },
            timeout=10,
        ).json()
        assert login["data"]["login"]["user"] == {"email": "admin@ocop.example.vn"}, login
        # The image's HEALTHCHECK against the running server, then without one.
        check = [str(Path(env["PATH"].split(os.pathsep)[0]) / "python"), "deploy/healthcheck.py"]
        assert subprocess.run(check, cwd=source, env=env, timeout=30).returncode == 0
        assert subprocess.run([*check, "/healthz"], cwd=source, env=env, timeout=30).returncode == 0
    finally:
        stopping = time.monotonic()
        server.terminate()
        server.wait(timeout=60)
        stopped_in_s = time.monotonic() - stopping
    # uvicorn finishes its shutdown, then re-raises the signal it caught: killed by SIGTERM, not an error.
    assert server.returncode in (0, -signal.SIGTERM), f"the server failed on SIGTERM: {server.returncode}"
    print(f"stopped in {stopped_in_s:.1f} s")
    assert stopped_in_s < 25, f"an idle server took {stopped_in_s:.1f} s to stop"
    assert subprocess.run(check, cwd=source, env=env, timeout=30, capture_output=True).returncode == 1
