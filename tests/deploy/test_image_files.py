"""deploy/Dockerfile, .dockerignore, the entrypoint and the HEALTHCHECK script, read as the Docker builder
reads them (no Docker engine runs here; tests/deploy/test_install.py runs the install steps themselves)."""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

from tests.conftest import ROOT
from web import commands

DEPLOY = ROOT / "deploy"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in _instructions():
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def test_the_image_is_built_in_stages_with_install_sh_and_runs_as_a_user_not_root() -> None:
    stages = _stages()
    assert len(stages) >= 2, "multi-stage: the build stage's tools stay out of the runtime image"
    names = [re.search(r"\bAS\s+(\S+)", stage[0][1], re.IGNORECASE) for stage in stages]
    assert all(names), "every stage is named"
    final = stages[-1]
    # Each stage installs through deploy/install.sh (the steps the install test runs), none on its own.
    runs = [rest for stage in stages for keyword, rest in stage if keyword == "RUN"]
    assert runs
    assert all("install.sh" in run for run in runs[:2]), runs
    assert not any(re.search(r"\b(pip|uv|apt-get)\s+(install|sync)\b", run) for run in runs), runs
    build_runs = " ".join(rest for keyword, rest in stages[0] if keyword == "RUN")
    assert "install.sh venv" in build_runs
    assert any("install.sh system" in rest for keyword, rest in final if keyword == "RUN")
    assert any("install.sh verify" in rest for keyword, rest in final if keyword == "RUN")
    # The venv comes from the build stage, the uv.lock it was made from is in the build context.
    assert any(keyword == "COPY" and "--from=" in rest for keyword, rest in final)
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users, "the runtime stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users
    assert user.isdigit(), "a numeric uid (Kubernetes' runAsNonRoot checks it)"
    assert int(user) >= 10000
    # The install script creates that uid.
    assert f"OCOP_UID={user}" in (DEPLOY / "install.sh").read_text()


def test_the_healthcheck_uses_the_python_script_and_the_entrypoint_runs_every_command() -> None:
    final = _stages()[-1]
    checks = [rest for keyword, rest in final if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "deploy/healthcheck.py" in checks[0]
    assert "curl" not in checks[0]
    assert "CMD" in checks[0]
    entrypoint = [rest for keyword, rest in final if keyword == "ENTRYPOINT"]
    assert len(entrypoint) == 1
    assert "entrypoint.sh" in entrypoint[0]
    cmd = [rest for keyword, rest in final if keyword == "CMD"]
    assert cmd == ['["serve"]']
    volumes = " ".join(rest for keyword, rest in final if keyword == "VOLUME")
    assert '"/tmp"' in volumes, "a tmp volume: the root file system is read-only"
    env = " ".join(rest for keyword, rest in final if keyword == "ENV")
    for variable in ("PYTHONDONTWRITEBYTECODE=1", "OCOP_ENV=production", "MPLCONFIGDIR=/tmp", "HOME=/tmp"):
        assert variable in env, variable
    # Every server.py command goes to server.py (a new command not listed would run as a program).
    script = (DEPLOY / "entrypoint.sh").read_text()
    case = re.search(r"^\s*(serve\|[^)]*)\)", script, re.MULTILINE)
    assert case is not None
    listed = set(case.group(1).split("|"))
    subparsers = next(a for a in commands.parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) <= listed, set(subparsers.choices) - listed


def _dockerignore() -> list[str]:
    return [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").removeprefix("**/")
        parts = Path(path).parts
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(
            fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(parts[i], pattern) for i, p in enumerate(prefixes)
        ):
            ignored = not negate
    return ignored


def test_the_build_context_leaves_out_local_state_and_keeps_what_the_image_copies() -> None:
    patterns = _dockerignore()
    for local in (
        ".git/HEAD",
        ".venv/bin/python",
        "var/ocop.sqlite3",
        "var/secret_key",
        ".env",
        "tests/conftest.py",
        "services/__pycache__/x.cpython-312.pyc",
        ".tools/bin/uv",
    ):
        assert _ignored(local, patterns), f"{local} would be sent to the builder"
    for needed in (
        "uv.lock",
        "pyproject.toml",
        "server.py",
        "deploy/install.sh",
        "deploy/entrypoint.sh",
        "deploy/healthcheck.py",
        "templates/catalog/catalog.css",
        "static/graphiql/manifest.json",
        "models/migrations/0001_initial.py",
        "docs/operators.md",
    ):
        assert (ROOT / needed).exists(), needed
        assert not _ignored(needed, patterns), f"{needed} is left out of the build context"


def _healthcheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("healthcheck", DEPLOY / "healthcheck.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_healthcheck_probes_the_server_and_trusts_the_other_commands_process() -> None:
    healthcheck = _healthcheck()
    cmdline = "\0".join(shlex.split("python /app/server.py serve")).encode() + b"\0"
    assert healthcheck.main_command(cmdline) == "serve"
    worker = b"/opt/ocop/venv/bin/python\0/app/server.py\0worker\0--concurrency\x002\0"
    assert healthcheck.main_command(worker) == "worker"
    assert healthcheck.main_command(b"/sbin/init\0") is None
    # Nothing listens on this port: unhealthy, not an exception.
    assert healthcheck.probe("http://127.0.0.1:9/readyz", timeout_s=1) == 1
