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
import os
import sys
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks`, `services`, `models` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.ceiling import graphql_core_ms  # noqa: E402
from benchmarks.phases import Phase, loadgen_command, run_load, table, verdict  # noqa: E402
from benchmarks.servers import Server, app_server, free_port, graphql  # noqa: E402
from benchmarks.session import DEFAULT_DSN, Session, connected, environment, run_session  # noqa: E402
from benchmarks.verify import QUERY, verify  # noqa: E402

TARGET_SHARE_OF_FLOOR = 10.0  # percent, at least
TARGET_P99_OVER_P50 = 3.0  # at most
FLOOR_DRIFT_WARNING = 10.0  # percent between the two floor runs
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


async def prepare_database(dsn: str, schema: str, producers: int, products: int) -> dict[str, int]:
    from benchmarks import seed
    from services.registry import reference

    async with connected(dsn, schema, migrate=True):
        await reference.sync_all()
        counts = await seed.seed(producers, products)
    return counts.as_dict()


def run_phase(phase: Phase, args: argparse.Namespace) -> None:
    print(
        f"  {phase.name}: {args.connections} connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s ...",
        flush=True,
    )
    run_load(phase, loadgen_command(phase.server.url, args, body=orjson.dumps({"query": QUERY}).decode()))


# -- report ---------------------------------------------------------------------------------------------


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
        ms for p in (floor_1, floor_2) if p.server_cpu_s and (ms := p.cpu_ms_per_request) is not None
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
    return run_session(args.dsn, "ocop_bench", "ocop-bench-", lambda session: benchmark(session, args))


def benchmark(session: Session, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    counts = asyncio.run(prepare_database(args.dsn, session.schema, args.producers, args.products))
    print(
        f"seeded in {time.perf_counter() - started:.1f} s: {counts['producers']} producers, "
        f"{counts['products']} products ({counts['published']} published), {counts['evaluations']} "
        f"evaluations; {counts['valid_certificates']} valid and {counts['expired_certificates']} expired "
        "latest certificates",
        flush=True,
    )
    app_port, floor_port = free_port(), free_port()
    app = app_server(args.dsn, session.schema, app_port, session.logs)
    floor = Server(
        "floor",
        [sys.executable, "benchmarks/floor_app.py"],
        {"FLOOR_DSN": args.dsn, "FLOOR_SCHEMA": session.schema, "HOST": "127.0.0.1", "PORT": str(floor_port)},
        floor_port,
        session.logs / "floor.log",
    )
    session.servers += [app, floor]
    for server in session.servers:
        server.start()
    for server in session.servers:
        server.wait_ready()
    print(f"servers: app {app.url} (pid {app.process.pid if app.process else '?'}), floor {floor.url}")

    checks = verify(app, floor, args.dsn, session.schema)
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
            "schema": session.schema,
        },
        "environment": environment(session.postgres),
        "seed": counts,
        "verification": checks,
        "phases": [phase.as_dict() for phase in phases],
        "headline": summary,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"\nresults: {args.output}")


if __name__ == "__main__":
    raise SystemExit(main())
