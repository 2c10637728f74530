"""A sandboxed render child dies with its parent (services/common/sandbox.py `_die_with_parent`): a server
killed with SIGKILL runs no clean-up, and its renders must not run on, holding memory, until their CPU limit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def slow_render(data: Any, progress: Any) -> bytes:
    """A render that writes its pid where the test can read it, then works for a minute."""
    Path(data).write_text(str(os.getpid()))
    time.sleep(60)
    return b""


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a reaper (a container's PID 1 may never reap it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "Z" not in state.split()[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_render_child_dies_when_its_parent_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = textwrap.dedent(
        f"""
        import asyncio
        from pathlib import Path
        from services.common import sandbox
        from tests.services.test_sandbox_orphans import slow_render

        limits = sandbox.Limits(timeout_s=120, memory_bytes=1024 * 1024 * 1024)
        asyncio.run(sandbox.run(slow_render, {str(pid_file)!r}, limits, Path({str(tmp_path)!r}), ".bin"))
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)  # noqa: S603 - our own script
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()):
            assert parent.poll() is None, "the parent exited before its child started"
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.1)
        child = int(pid_file.read_text())
        assert _alive(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        still_alive = _alive(child)
        if still_alive:
            os.kill(child, signal.SIGKILL)  # leave nothing behind, then fail
        assert not still_alive, "the render child outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
