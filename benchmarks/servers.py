"""The servers a benchmark loads, each a subprocess on a free loopback port: started, waited for
(`/healthz`), stopped gracefully; the CPU time they and PostgreSQL use, read from /proc; and plain HTTP
requests to them for the checks made before any load."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from benchmarks.session import BenchError, tortoise_url
from benchmarks.trace_data import BASE_URL

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the benchmark only, which stops the servers in order
            )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float = 30.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with {self.process.returncode} while starting:\n{self.log_tail()}"
                )
            try:
                status, _ = request("GET", self.port, "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"{self.name} did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown (lifespan closes the pool)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def cpu_seconds(self) -> float | None:
        return None if self.process is None else process_cpu_seconds(self.process.pid)


def app_server(dsn: str, schema: str, port: int, logs: Path) -> Server:
    """The app exactly as it is deployed (`python server.py serve`, one uvicorn worker, production
    settings), on the run's schema."""
    return Server(
        "app",
        [sys.executable, "server.py", "serve"],
        {
            "DATABASE_URL": tortoise_url(dsn, schema),
            "OCOP_ENV": "production",
            "OCOP_SECRET_KEY": secrets.token_urlsafe(32),
            "OCOP_METRICS_TOKEN": secrets.token_urlsafe(32),
            "LOG_LEVEL": "WARNING",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            # The address its lots were recorded under, as in production (writes and scans share it): the
            # pages stored at each write are of this base URL.
            "OCOP_PUBLIC_BASE_URL": BASE_URL,
        },
        port,
        logs / "app.log",
    )


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process from /proc (Linux), None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def postgres_cpu_seconds() -> float | None:
    """CPU time of every local `postgres` process (the backends serving both servers), if visible."""
    total, seen = 0.0, False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            cpu = process_cpu_seconds(int(entry.name))
        except OSError:
            continue
        if cpu is not None:
            total, seen = total + cpu, True
    return total if seen else None


def request(method: str, port: int, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json", "Accept": "application/json"} if body else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def graphql(port: int, query: str, variables: dict[str, Any] | None = None) -> tuple[bytes, Any]:
    payload: dict[str, Any] = {"query": query}
    if variables:
        payload["variables"] = variables
    status, raw = request("POST", port, "/graphql", orjson.dumps(payload))
    if status != 200:
        raise BenchError(f"POST /graphql on port {port} answered HTTP {status}: {raw[:500]!r}")
    return raw, orjson.loads(raw)
