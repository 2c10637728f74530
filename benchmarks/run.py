"""Load benchmark of the GraphQL API against a plain Starlette + asyncpg floor, on PostgreSQL.

    .venv/bin/python benchmarks/run.py [--duration 10] [--warmup 2] [--connections 16] [--products 2000]

1. creates a fresh schema `ocop_bench_<random>` in the database of OCOP_BENCH_POSTGRES_DSN (default
   postgres://postgres@127.0.0.1:5432/test), migrates it, loads the reference data and seeds a registry;
2. starts the app (`python server.py serve`) and the floor (`benchmarks/floor_app.py`) as single-worker
   uvicorn subprocesses on free loopback ports, and checks that both answer the query with the same JSON
   (and that the app agrees with the floor's SQL over every published product);
3. runs the phases in order (`PHASES`, one function each, `phase_<name>`), each a load generator in its own
   process (`benchmarks/loadgen.py`, `benchmarks/scan_load.py`): the floor, `products(first: 50)`
   repeated by anonymous callers (the response cache answers), distinct anonymous queries (random search
   words, filters and cursors: mostly cache misses), the same listing by a signed-in province officer (never
   cached), /healthz, cold QR scans (a lot not scanned before on every scan: every answer a cache miss),
   and the floor again; the app's resident memory is read after each phase;
4. prints the table and each phase's ratio to its baseline (the mean of the two floor runs, /healthz for
   the cold scans) against the issue's targets, p99/p50 per phase, the floor's drift, writes
   benchmarks/results/latest.json, stops the servers and drops the schema (also on failure or Ctrl-C).

A new phase is a function `phase_<name>(run: Run) -> Phase` added to `PHASES` (and to `TARGETS` when it
has one).

Exits 0 when the benchmark ran (whether or not the targets are met), 1 on an error, 130 on interruption.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks`, `services`, `models` importable
    sys.path.insert(0, str(ROOT))

from benchmarks import api_workloads  # noqa: E402
from benchmarks.api_workloads import OFFICER  # noqa: E402
from benchmarks.ceiling import graphql_core_ms  # noqa: E402
from benchmarks.phases import Phase, loadgen_command, run_load, table, verdict  # noqa: E402
from benchmarks.scan_load import scan_load  # noqa: E402
from benchmarks.servers import Server, app_server, free_port, graphql  # noqa: E402
from benchmarks.session import DEFAULT_DSN, Session, connected, environment, run_session  # noqa: E402
from benchmarks.verify import QUERY, verify  # noqa: E402

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


@dataclass
class Run:
    """What the phases share: the servers, the run's arguments, what was prepared for them, and results."""

    args: argparse.Namespace
    session: Session
    app: Server
    floor: Server
    distinct: Path
    officer: str
    lots: list[str]
    officer_document: str = ""  # the officer's listing registered as a trusted document: its documentId
    rss_mb: dict[str, float | None] = field(default_factory=dict)


def _announce(name: str, args: argparse.Namespace, what: str = "") -> None:
    print(
        f"  {name}: {what}{args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s ...",
        flush=True,
    )


def _post(run: Run, phase: Phase, **options: Any) -> Phase:
    _announce(phase.name, run.args)
    body = orjson.dumps({"query": QUERY}).decode()
    run_load(phase, loadgen_command(phase.server.url, run.args, body=body, **options))
    return phase


def phase_floor_1(run: Run) -> Phase:
    return _post(run, Phase("floor #1", run.floor))


def phase_floor_2(run: Run) -> Phase:
    return _post(run, Phase("floor #2", run.floor))


def phase_repeated(run: Run) -> Phase:
    """The benchmarked listing by anonymous callers, over and over: the response cache's case."""
    return _post(run, Phase("repeated", run.app))


def phase_distinct(run: Run) -> Phase:
    """Anonymous listings with random search words, filters and cursors (benchmarks/api_workloads.py)."""
    phase = Phase("distinct", run.app)
    _announce(phase.name, run.args, "random queries, ")
    run_load(phase, loadgen_command(run.app.url, run.args, bodies=run.distinct))
    return phase


def phase_officer(run: Run) -> Phase:
    """A province officer's listing: signed in, so never from the response cache."""
    phase = Phase("officer", run.app)
    _announce(phase.name, run.args)
    body = orjson.dumps({"query": OFFICER}).decode()
    headers = (f"Authorization: Bearer {run.officer}",)
    run_load(phase, loadgen_command(run.app.url, run.args, body=body, headers=headers))
    return phase


def phase_officer_compiled(run: Run) -> Phase:
    """The same listing sent by its trusted-document hash: run on a compiled plan (schema/compiled/)."""
    phase = Phase("officer (compiled)", run.app)
    _announce(phase.name, run.args)
    body = orjson.dumps({"documentId": run.officer_document}).decode()
    headers = (f"Authorization: Bearer {run.officer}",)
    run_load(phase, loadgen_command(run.app.url, run.args, body=body, headers=headers))
    return phase


def phase_healthz(run: Run) -> Phase:
    phase = Phase("healthz", run.app)
    _announce(phase.name, run.args)
    run_load(phase, loadgen_command(run.app.url.removesuffix("/graphql") + "/healthz", run.args))
    return phase


def phase_cold_scan(run: Run) -> Phase:
    """QR scans of lots never scanned before (resolver 307 + trace page, one pair = one request)."""
    phase = Phase("cold scan", run.app)
    scan_load(phase, run.app.port, "cold", run.lots, run.args, run.session.logs)
    return phase


def phase_name(measure: Callable[[Run], Phase]) -> str:
    """The name a phase function's Phase has (`phase_officer_compiled` -> "officer (compiled)")."""
    name = measure.__name__.removeprefix("phase_")
    special = {"floor_1": "floor #1", "floor_2": "floor #2", "officer_compiled": "officer (compiled)"}
    return special.get(name, name.replace("_", " "))


PHASES: list[Callable[[Run], Phase]] = [
    phase_floor_1,
    phase_repeated,
    phase_distinct,
    phase_officer,
    phase_officer_compiled,
    phase_healthz,
    phase_cold_scan,
    phase_floor_2,
]
# phase name -> (baseline: "floor" or a phase name, target share of it in percent)
TARGETS: dict[str, tuple[str, float]] = {
    "repeated": ("floor", 60.0),
    "distinct": ("floor", 20.0),
    "officer": ("floor", 15.0),
    "officer (compiled)": ("floor", 15.0),
    "cold scan": ("healthz", 10.0),
}


def rss_mb(pid: int | None) -> float | None:
    """The resident memory of a process (Linux /proc), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, TypeError):
        return None
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), None)
    return int(line.split()[1]) / 1024 if line else None


# -- report ---------------------------------------------------------------------------------------------


def headline(phases: list[Phase], rss: dict[str, float | None]) -> dict[str, Any]:
    floors = [p for p in phases if p.name.startswith("floor")]
    floor_rps = sum(p.rps for p in floors) / len(floors)
    drift = 100 * abs(floors[-1].rps - floors[0].rps) / floor_rps
    by_name = {p.name: p for p in phases}
    shares: dict[str, Any] = {}
    for phase in phases:
        ratio = phase.latency("p99") / phase.latency("p50")
        row: dict[str, Any] = {
            "rps": phase.rps,
            "p50_ms": phase.latency("p50"),
            "p99_ms": phase.latency("p99"),
            "p99_over_p50": ratio,
            "p99_over_p50_pass": ratio <= TARGET_P99_OVER_P50,
            "app_rss_mb_after": rss.get(phase.name),
        }
        if phase.result.get("by_cache"):  # the app said how its response cache gave each answer
            row["by_cache"] = phase.result["by_cache"]
        if phase.name in TARGETS:
            base_name, target = TARGETS[phase.name]
            base = floor_rps if base_name == "floor" else by_name[base_name].rps
            row |= {
                "baseline": base_name,
                "baseline_rps": base,
                "share_pct": 100 * phase.rps / base,
                "target_pct": target,
                "pass": 100 * phase.rps / base >= target,
            }
        shares[phase.name] = row
    return {
        "floor_rps_mean": floor_rps,
        "floor_drift_pct": drift,
        "floor_stable": drift <= FLOOR_DRIFT_WARNING,
        "phases": shares,
    }


def ceiling(phases: list[Phase], graphql_ms: float) -> dict[str, Any]:
    """The most the app could reach if everything but graphql-core's own execution cost nothing."""
    per_request = [
        ms
        for p in phases
        if p.name.startswith("floor") and p.server_cpu_s and (ms := p.cpu_ms_per_request) is not None
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
    print(f"floor: {summary['floor_rps_mean']:.0f} req/s (mean of its two runs)")
    for name, row in summary["phases"].items():
        rss = row["app_rss_mb_after"]
        memory = f"   app RSS after: {rss:.0f} MB" if rss is not None else ""
        p99 = f"p99/p50 {row['p99_over_p50']:.2f} {verdict(row['p99_over_p50_pass'])}"
        if "share_pct" in row:
            print(
                f"{name:<18} {row['rps']:>7.0f} req/s = {row['share_pct']:5.1f}% of {row['baseline']} "
                f"(target >= {row['target_pct']:g}% {verdict(row['pass'])})   {p99}{memory}"
            )
        else:
            print(f"{name:<18} {row['rps']:>7.0f} req/s{'':37}{p99}{memory}")
        if "by_cache" in row:  # a mix of hits and misses: each population's own latency
            parts = [
                f"{kind} {v['requests']:.0f} (p50 {v['p50']:.2f} ms, p99 {v['p99']:.2f} ms, "
                f"p99/p50 {v['p99'] / v['p50']:.2f})"
                for kind, v in row["by_cache"].items()
                if v["requests"] and v["p50"]
            ]
            print(f"{'':18} response cache: {'; '.join(parts)}")
    if summary.get("ceiling_share_of_floor_pct"):
        print(
            f"ceiling:   graphql-core alone executes the listing over in-memory dicts in "
            f"{summary['graphql_core_ms_per_request']:.2f} ms of CPU; the floor serves a whole request in "
            f"{summary['floor_cpu_ms_per_request']:.2f} ms: no execution with graphql-core can pass "
            f"{summary['ceiling_share_of_floor_pct']:.1f}% of the floor (a response-cache hit does not execute)"
        )
    stability = "stable" if summary["floor_stable"] else f"UNSTABLE (> {FLOOR_DRIFT_WARNING:g}%): rerun"
    print(f"floor drift: {summary['floor_drift_pct']:.1f}% between its two runs, {stability}")


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
    parser.add_argument("--distinct", type=int, default=20000, help="distinct anonymous queries (20000)")
    parser.add_argument(
        "--lots", type=int, default=1500, help="lots recorded through the services for the cold scans (1500)"
    )
    parser.add_argument(
        "--dsn",
        default=os.environ.get("OCOP_BENCH_POSTGRES_DSN", DEFAULT_DSN),
        help="PostgreSQL DSN (env OCOP_BENCH_POSTGRES_DSN; a schema is created in it and dropped)",
    )
    parser.add_argument(
        "--phases",
        default="",
        help="comma-separated phases to run besides the two floor runs (all by default; `cold scan` brings "
        "`healthz`, its baseline): for a quick look at one figure while working on it",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help=f"results JSON ({RESULTS.relative_to(ROOT)})"
    )
    args = parser.parse_args(argv)
    names = [phase_name(p) for p in PHASES]
    args.selected = {n.strip() for n in args.phases.split(",") if n.strip()} or set(names)
    if unknown := args.selected - set(names):
        parser.error(f"--phases: no phase {sorted(unknown)}; the phases are {names}")
    args.selected |= {"floor #1", "floor #2"} | ({"healthz"} if "cold scan" in args.selected else set())
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

    known = asyncio.run(api_workloads.facts(args.dsn, session.schema))
    bodies = api_workloads.distinct_bodies(known, api_workloads.cursors(app_port), args.distinct)
    distinct = api_workloads.write_bodies(session.logs / "distinct.json", bodies)
    officer = asyncio.run(api_workloads.officer_token(args.dsn, session.schema, app.env["OCOP_SECRET_KEY"]))
    started = time.perf_counter()
    lots = (
        asyncio.run(api_workloads.seed_real_lots(args.dsn, session.schema, args.lots))
        if "cold scan" in args.selected
        else []
    )
    print(
        f"prepared: {len(bodies)} distinct queries ({len(set(map(orjson.dumps, bodies)))} different) over "
        f"{len(known['words'])} words, {len(known['groups'])} groups, {len(known['provinces'])} provinces; "
        f"an officer's token; {len(lots)} lots to scan cold (in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    officer_document = asyncio.run(api_workloads.register_officer_document(args.dsn, session.schema))
    run = Run(args, session, app, floor, distinct, officer, lots, officer_document=officer_document)
    phases = []
    for measure in PHASES:
        if phase_name(measure) not in args.selected:
            continue
        phase = measure(run)
        phases.append(phase)
        run.rss_mb[phase.name] = rss_mb(app.process.pid if app.process else None)
    summary = headline(phases, run.rss_mb)
    _, document_for_ceiling = graphql(floor.port, QUERY)
    summary.update(ceiling(phases, graphql_core_ms(QUERY, document_for_ceiling)))
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
            "distinct_queries": args.distinct,
            "lots": args.lots,
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
