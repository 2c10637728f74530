"""Load phases: one run of a load generator, in its own process so that it shares no process with the
server it loads, with the CPU the server and PostgreSQL spent meanwhile; and the table that reports them.
Shared by `run.py` and `trace_bench.py`, whose tables have the same columns."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from benchmarks.servers import ROOT, Server, postgres_cpu_seconds
from benchmarks.session import BenchError


@dataclass
class Phase:
    name: str
    server: Server
    result: dict[str, Any] = field(default_factory=dict)
    wall_s: float = 0.0
    server_cpu_s: float | None = None
    db_cpu_s: float | None = None

    @property
    def rps(self) -> float:
        return float(self.result["throughput_rps"])

    @property
    def cpu_ms_per_request(self) -> float | None:
        """The server's CPU time per completed request (warm-up included), when it could be read."""
        if self.server_cpu_s is None or not self.rps:
            return None
        return 1000 * self.server_cpu_s / (self.rps * self.wall_s)

    def latency(self, key: str) -> float:
        return float(self.result["latency_ms"][key])

    def as_dict(self) -> dict[str, Any]:
        def share(cpu: float | None) -> float | None:
            return None if cpu is None or not self.wall_s else round(100 * cpu / self.wall_s, 1)

        return {
            "name": self.name,
            "server": self.server.name,
            **self.result,
            "wall_s": round(self.wall_s, 3),
            "server_cpu_pct": share(self.server_cpu_s),
            "db_cpu_pct": share(self.db_cpu_s),
            "client_cpu_pct": share(float(self.result["client_cpu_s"])),
            "p99_over_p50": self.latency("p99") / self.latency("p50"),
        }


def loadgen_command(
    url: str,
    args: argparse.Namespace,
    *,
    body: str | None = None,
    follow: bool = False,
    bodies: Path | None = None,
    headers: tuple[str, ...] = (),
) -> list[str]:
    """`benchmarks/loadgen.py` on `url` with the run's connections, duration and warm-up: a POST of `body`
    (or of the bodies listed in the JSON file `bodies`, in turn), or a GET without one; `headers` are added
    to every request ("Name: value")."""
    command = [sys.executable, "-m", "benchmarks.loadgen", "--url", url]
    if bodies is not None:
        command += ["--bodies", str(bodies)]
    else:
        command += ["--body", body] if body is not None else ["--method", "GET"]
    for header in headers:
        command += ["--header", header]
    command += [
        "--connections",
        str(args.connections),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
    ]
    return command + (["--follow"] if follow else [])


def run_load(phase: Phase, command: list[str]) -> None:
    """Run the load generator `command` against `phase.server`; keep its result and the CPU the server and
    PostgreSQL spent meanwhile. Fails on any failed response or an empty measured window."""
    cpu_before, db_before, started = phase.server.cpu_seconds(), postgres_cpu_seconds(), time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    phase.wall_s = time.perf_counter() - started
    cpu_after, db_after = phase.server.cpu_seconds(), postgres_cpu_seconds()
    if completed.returncode != 0:
        raise BenchError(
            f"load generator failed on {phase.name} (exit {completed.returncode}): "
            f"{completed.stderr.decode('utf-8', 'replace').strip()}\n{phase.server.log_tail()}"
        )
    phase.result = orjson.loads(completed.stdout)
    if cpu_before is not None and cpu_after is not None:
        phase.server_cpu_s = cpu_after - cpu_before
    if db_before is not None and db_after is not None:
        phase.db_cpu_s = db_after - db_before
    if phase.result["errors"]:
        raise BenchError(
            f"{phase.name}: {phase.result['errors']} failed responses, first: {phase.result['first_error']}"
        )
    if not phase.result["requests"]:
        raise BenchError(f"{phase.name}: no response completed in the measured window")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def table(phases: list[Phase]) -> Iterator[str]:
    width = max([9, *(len(phase.name) for phase in phases)])
    header = (
        f"{'phase':<{width}} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'p99/p50':>7} {'server':>7} {'postgres':>8} {'client':>7} {'CPU ms/req':>10}"
    )
    yield header
    yield "-" * len(header)
    for phase in phases:
        row = phase.as_dict()
        cpu_ms = phase.cpu_ms_per_request
        per_request = "-" if cpu_ms is None else f"{cpu_ms:.2f}"
        yield (
            f"{phase.name:<{width}} {phase.rps:>8.0f} {phase.latency('p50'):>8.2f} {phase.latency('p90'):>8.2f} "
            f"{phase.latency('p99'):>8.2f} {phase.latency('max'):>8.2f} {row['p99_over_p50']:>7.2f} "
            f"{_pct(row['server_cpu_pct']):>7} {_pct(row['db_cpu_pct']):>8} {_pct(row['client_cpu_pct']):>7} "
            f"{per_request:>10}"
        )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"
