"""Load benchmark of `products(first: 50)` against a plain Starlette + asyncpg floor, on PostgreSQL.

    .venv/bin/python benchmarks/run.py [--duration 10] [--warmup 2] [--connections 16] [--products 2000]

1. creates a fresh schema `ocop_bench_<random>` in the database of OCOP_BENCH_POSTGRES_DSN (default
   postgres://postgres@127.0.0.1:5432/test), migrates it, loads the reference data and seeds a registry;
2. starts the app (`python server.py serve`) and the floor (`benchmarks/floor_app.py`) as single-worker
   uvicorn subprocesses on free loopback ports, and checks that both answer the query with the same JSON
   (and that the app agrees with the floor's SQL over every published product);
3. loads the floor, the app, then the floor again with `benchmarks/loadgen.py` in its own process;
4. prints the table and the headline (app throughput as a share of the floor, app p99/p50), writes
   benchmarks/results/latest.json, stops the servers and drops the schema (also on failure or Ctrl-C).

Exits 0 when the benchmark ran (whether or not the targets are met), 1 on an error, 130 on interruption.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg
import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks`, `services`, `models` importable
    sys.path.insert(0, str(ROOT))

from benchmarks import floor_app  # noqa: E402
from benchmarks.ceiling import graphql_core_ms  # noqa: E402

DEFAULT_DSN = "postgres://postgres@127.0.0.1:5432/test"
QUERY = "{ products(first: 50) { edges { node { name stars producer { name } } } } }"
FULL_QUERY = """query ($after: String) {
  products(first: 100, after: $after) {
    edges { node { name stars producer { name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
TARGET_SHARE_OF_FLOOR = 10.0  # percent, at least
TARGET_P99_OVER_P50 = 3.0  # at most
FLOOR_DRIFT_WARNING = 10.0  # percent between the two floor runs
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


class BenchError(Exception):
    """A failure that makes the figures meaningless: reported, and the run exits 1."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# -- database -------------------------------------------------------------------------------------------


def tortoise_url(dsn: str, schema: str) -> str:
    return f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


async def prepare_database(dsn: str, schema: str, producers: int, products: int) -> dict[str, int]:
    from benchmarks import seed
    from services.common import db
    from services.registry import reference

    await db.migrate(dsn, pg_schema=schema)
    await db.connect(dsn, pg_schema=schema)
    try:
        await reference.sync_all()
        counts = await seed.seed(producers, products)
    finally:
        await db.disconnect()
    return counts.as_dict()


async def expected_products(dsn: str, schema: str) -> list[dict[str, Any]]:
    """Every published product as the floor's SQL sees it, in page order."""
    pool = await floor_app.create_pool(dsn, schema, 1)
    try:
        return floor_app.edges(await pool.fetch(floor_app.PRODUCTS_SQL))
    finally:
        await pool.close()


async def postgres_version(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def drop_schema(dsn: str, schema: str) -> None:
    from services.common import db

    await db.drop_pg_schema(dsn, schema)


# -- servers --------------------------------------------------------------------------------------------


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
                start_new_session=True,  # Ctrl-C reaches run.py only, which stops the servers in order
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


# -- checks ---------------------------------------------------------------------------------------------


def describe_differences(app_edges: list[Any], floor_edges: list[Any], limit: int = 10) -> list[str]:
    lines: list[str] = []
    if len(app_edges) != len(floor_edges):
        lines.append(f"app has {len(app_edges)} edges, floor has {len(floor_edges)}")
    for index, (app_edge, floor_edge) in enumerate(zip(app_edges, floor_edges, strict=False)):
        if app_edge != floor_edge:
            app_text, floor_text = orjson.dumps(app_edge).decode(), orjson.dumps(floor_edge).decode()
            lines.append(f"edge {index}: app={app_text} floor={floor_text}")
            if len(lines) >= limit:
                lines.append("...")
                break
    return lines


def edges_of(document: Any) -> list[Any]:
    try:
        edges = document["data"]["products"]["edges"]
    except (KeyError, TypeError):
        return []
    return edges if isinstance(edges, list) else []


def verify(app: Server, floor: Server, dsn: str, schema: str) -> dict[str, Any]:
    body = orjson.dumps({"query": QUERY})
    app_status, app_raw = request("POST", app.port, "/graphql", body)
    floor_status, floor_raw = request("POST", floor.port, "/graphql", body)
    if app_status != 200 or floor_status != 200:
        raise BenchError(
            f"benchmarked query failed: app HTTP {app_status} {app_raw[:300]!r}, "
            f"floor HTTP {floor_status} {floor_raw[:300]!r}"
        )
    app_doc, floor_doc = orjson.loads(app_raw), orjson.loads(floor_raw)
    # The app adds `extensions.cost` (the query cost it charged); the data must be the same.
    if isinstance(app_doc, dict):
        app_doc.pop("extensions", None)
    if app_doc != floor_doc:
        details = describe_differences(edges_of(app_doc), edges_of(floor_doc))
        if isinstance(app_doc, dict) and "errors" in app_doc:
            details.insert(0, f"app errors: {orjson.dumps(app_doc['errors']).decode()[:1000]}")
        raise BenchError(
            "the app and the floor disagree on the benchmarked query; the comparison would be "
            "meaningless:\n  " + "\n  ".join(details or ["documents differ outside the edges"])
        )
    page = edges_of(app_doc)
    with_stars = sum(1 for e in page if e["node"]["stars"] is not None)
    if len(page) != floor_app.PAGE_SIZE or not 0 < with_stars < len(page):
        raise BenchError(
            f"unexpected page: {len(page)} edges, {with_stars} with stars; is the data set seeded?"
        )

    # Beyond the first page: the app, page by page, against the floor's SQL over every published product.
    expected = asyncio.run(expected_products(dsn, schema))
    got: list[Any] = []
    after: str | None = None
    while True:
        _, doc = graphql(app.port, FULL_QUERY, {"after": after} if after else None)
        if "errors" in doc:
            raise BenchError(f"app errors while paging: {orjson.dumps(doc['errors']).decode()[:1000]}")
        got += edges_of(doc)
        info = doc["data"]["products"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    if got != expected:
        raise BenchError(
            "the app disagrees with the floor's SQL beyond the first page:\n  "
            + "\n  ".join(describe_differences(got, expected))
        )
    ready_status, ready_raw = request("GET", app.port, "/readyz")
    return {
        "identical_bytes": app_raw == floor_raw,
        "identical_json": True,
        "response_bytes": len(app_raw),
        "page_edges": len(page),
        "page_with_stars": with_stars,
        "all_published_checked": len(got),
        "all_published_with_stars": sum(1 for e in got if e["node"]["stars"] is not None),
        "app_readyz": f"{ready_status} {ready_raw.decode('utf-8', 'replace')}",
    }


# -- load -----------------------------------------------------------------------------------------------


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


def run_phase(phase: Phase, args: argparse.Namespace) -> None:
    print(
        f"  {phase.name}: {args.connections} connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s ...",
        flush=True,
    )
    command = [
        sys.executable,
        "-m",
        "benchmarks.loadgen",
        "--url",
        phase.server.url,
        "--body",
        orjson.dumps({"query": QUERY}).decode(),
        "--connections",
        str(args.connections),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
    ]
    run_load(phase, command)


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


# -- report ---------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def table(phases: list[Phase]) -> Iterator[str]:
    header = (
        f"{'phase':<9} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'p99/p50':>7} {'server':>7} {'postgres':>8} {'client':>7} {'CPU ms/req':>10}"
    )
    yield header
    yield "-" * len(header)
    for phase in phases:
        row = phase.as_dict()
        per_request = (
            f"{1000 * phase.server_cpu_s / (phase.rps * phase.wall_s):.2f}"
            if phase.server_cpu_s is not None and phase.rps
            else "-"
        )
        yield (
            f"{phase.name:<9} {phase.rps:>8.0f} {phase.latency('p50'):>8.2f} {phase.latency('p90'):>8.2f} "
            f"{phase.latency('p99'):>8.2f} {phase.latency('max'):>8.2f} {row['p99_over_p50']:>7.2f} "
            f"{_pct(row['server_cpu_pct']):>7} {_pct(row['db_cpu_pct']):>8} {_pct(row['client_cpu_pct']):>7} "
            f"{per_request:>10}"
        )


def headline(floor_1: Phase, app: Phase, floor_2: Phase) -> dict[str, Any]:
    floor_rps = (floor_1.rps + floor_2.rps) / 2
    share = 100 * app.rps / floor_rps
    ratio = app.latency("p99") / app.latency("p50")
    drift = 100 * abs(floor_2.rps - floor_1.rps) / floor_rps
    return {
        "floor_rps_mean": floor_rps,
        "app_rps": app.rps,
        "app_share_of_floor_pct": share,
        "app_share_target_pct": TARGET_SHARE_OF_FLOOR,
        "app_share_pass": share >= TARGET_SHARE_OF_FLOOR,
        "app_p99_over_p50": ratio,
        "app_p99_over_p50_target": TARGET_P99_OVER_P50,
        "app_p99_over_p50_pass": ratio <= TARGET_P99_OVER_P50,
        "floor_drift_pct": drift,
        "floor_stable": drift <= FLOOR_DRIFT_WARNING,
    }


def ceiling(floor_1: Phase, floor_2: Phase, graphql_ms: float) -> dict[str, Any]:
    """The most the app could reach if everything but graphql-core's own execution cost nothing."""
    per_request = [
        1000 * p.server_cpu_s / (p.rps * p.wall_s) for p in (floor_1, floor_2) if p.server_cpu_s and p.rps
    ]
    floor_ms = sum(per_request) / len(per_request) if per_request else None
    return {
        "graphql_core_ms_per_request": graphql_ms,
        "floor_cpu_ms_per_request": floor_ms,
        "ceiling_share_of_floor_pct": 100 * floor_ms / graphql_ms if floor_ms else None,
    }


def print_report(phases: list[Phase], summary: dict[str, Any]) -> None:
    print()
    for line in table(phases):
        print(line)
    print(
        "(latency per request at the client; server/postgres/client: CPU used over the phase's wall time, "
        "100% = one core; CPU ms/req: server process only, warm-up included)"
    )
    print()

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(
        f"app throughput: {summary['app_rps']:.0f} req/s = {summary['app_share_of_floor_pct']:.1f}% of the "
        f"floor ({summary['floor_rps_mean']:.0f} req/s)   target >= {TARGET_SHARE_OF_FLOOR:g}%   "
        f"{verdict(summary['app_share_pass'])}"
    )
    print(
        f"app p99/p50:    {summary['app_p99_over_p50']:.2f}   target <= {TARGET_P99_OVER_P50:g}   "
        f"{verdict(summary['app_p99_over_p50_pass'])}"
    )
    if summary.get("ceiling_share_of_floor_pct"):
        print(
            f"ceiling:        graphql-core alone executes this query over in-memory dicts in "
            f"{summary['graphql_core_ms_per_request']:.2f} ms of CPU; the floor serves a whole request in "
            f"{summary['floor_cpu_ms_per_request']:.2f} ms: no app executing with graphql-core can pass "
            f"{summary['ceiling_share_of_floor_pct']:.1f}% of the floor"
        )
    stability = "stable" if summary["floor_stable"] else f"UNSTABLE (> {FLOOR_DRIFT_WARNING:g}%): rerun"
    print(f"floor drift:    {summary['floor_drift_pct']:.1f}% between its two runs, {stability}")


# -- main -----------------------------------------------------------------------------------------------


def clean_up(servers: Iterable[Server], logs: Path, status: int, dsn: str, schema: str | None) -> int:
    """Stop the servers, keep their logs only after a failure, drop the benchmark schema. Must finish:
    further Ctrl-C / SIGTERM are ignored while it runs. Returns the exit status."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for server in servers:
        server.stop()
    if status == 0:
        shutil.rmtree(logs, ignore_errors=True)
    else:
        print(f"server logs: {logs}", file=sys.stderr)
    if schema is not None:
        try:
            asyncio.run(drop_schema(dsn, schema))
        except Exception as exc:
            print(f"could not drop schema {schema}: {exc}", file=sys.stderr)
            status = status or 1
    return status


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Load benchmark: products(first: 50) on the app against a plain Starlette floor.",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per phase (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds before each phase (2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (16)")
    parser.add_argument("--products", type=int, default=2000, help="products to seed (2000)")
    parser.add_argument("--producers", type=int, default=300, help="producers to seed (300)")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("OCOP_BENCH_POSTGRES_DSN", DEFAULT_DSN),
        help="PostgreSQL DSN (env OCOP_BENCH_POSTGRES_DSN; a schema is created in it and dropped)",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help=f"results JSON ({RESULTS.relative_to(ROOT)})"
    )
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.warmup < 0 or args.connections < 1:
        parser.error("--duration must be > 0, --warmup >= 0, --connections >= 1")
    if args.products < 100 or args.producers < 1:
        parser.error("--products must be >= 100 (the page is 50 rows) and --producers >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Ctrl-C and SIGTERM end the run through the cleanup below (also when started in the background,
    # where a shell leaves SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    schema = f"ocop_bench_{secrets.token_hex(4)}"
    logs = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    servers: list[Server] = []
    schema_created = False
    status = 0
    try:
        try:
            version = asyncio.run(postgres_version(args.dsn))
        except (OSError, asyncpg.PostgresError) as exc:
            raise BenchError(f"cannot connect to PostgreSQL ({args.dsn}): {exc}") from exc
        print(f"PostgreSQL {version}, schema {schema}", flush=True)
        started = time.perf_counter()
        schema_created = True  # from here on, drop it whatever happens
        counts = asyncio.run(prepare_database(args.dsn, schema, args.producers, args.products))
        print(
            f"seeded in {time.perf_counter() - started:.1f} s: {counts['producers']} producers, "
            f"{counts['products']} products ({counts['published']} published), {counts['evaluations']} "
            f"evaluations; {counts['valid_certificates']} valid and {counts['expired_certificates']} expired "
            "latest certificates",
            flush=True,
        )
        app_port, floor_port = free_port(), free_port()
        app = Server(
            "app",
            [sys.executable, "server.py", "serve"],
            {
                "DATABASE_URL": tortoise_url(args.dsn, schema),
                "OCOP_ENV": "production",
                "OCOP_SECRET_KEY": secrets.token_urlsafe(32),
                "LOG_LEVEL": "WARNING",
                "HOST": "127.0.0.1",
                "PORT": str(app_port),
            },
            app_port,
            logs / "app.log",
        )
        floor = Server(
            "floor",
            [sys.executable, "benchmarks/floor_app.py"],
            {"FLOOR_DSN": args.dsn, "FLOOR_SCHEMA": schema, "HOST": "127.0.0.1", "PORT": str(floor_port)},
            floor_port,
            logs / "floor.log",
        )
        servers = [app, floor]
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        print(f"servers: app {app.url} (pid {app.process.pid if app.process else '?'}), floor {floor.url}")

        checks = verify(app, floor, args.dsn, schema)
        print(
            f"responses match: {checks['page_edges']} edges ({checks['page_with_stars']} with stars), "
            f"{checks['response_bytes']} bytes, byte-identical: {checks['identical_bytes']}; app agrees with "
            f"the SQL on all {checks['all_published_checked']} published products; /readyz: "
            f"{checks['app_readyz']}",
            flush=True,
        )

        phases = [Phase("floor #1", floor), Phase("app", app), Phase("floor #2", floor)]
        for phase in phases:
            run_phase(phase, args)
        summary = headline(*phases)
        _, document_for_ceiling = graphql(floor.port, QUERY)
        summary.update(ceiling(phases[0], phases[2], graphql_core_ms(QUERY, document_for_ceiling)))
        print_report(phases, summary)
        document = {
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "query": QUERY,
            "config": {
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "connections": args.connections,
                "products": args.products,
                "producers": args.producers,
                "schema": schema,
            },
            "environment": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "postgres": version,
            },
            "seed": counts,
            "verification": checks,
            "phases": [phase.as_dict() for phase in phases],
            "headline": summary,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
        print(f"\nresults: {args.output}")
    except BenchError as exc:
        print(f"\nbenchmark error: {exc}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        status = 130
    except Exception as exc:  # anything else: still clean up, then report it
        traceback.print_exc()
        print(f"\nbenchmark error: {type(exc).__name__}: {exc}", file=sys.stderr)
        status = 1
    finally:
        status = clean_up(servers, logs, status, args.dsn, schema if schema_created else None)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
