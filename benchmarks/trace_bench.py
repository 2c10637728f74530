"""Trace benchmark: the public trace page and a depth-10 lineage at ~1,000 events and at ~1,000,000 events,
and resolver-plus-trace-page throughput against a static response of the same server, on PostgreSQL.

    .venv/bin/python benchmarks/trace_bench.py [--batches 100000] [--repeat 200] [--duration 10]

1. creates a fresh schema `ocop_trace_<random>`, migrates it, loads the reference data, seeds a small
   registry, records a probe lot and its ten-deep ancestry through services.trace (real hashes and chain),
   and bulk-inserts ~100 lots (~1,000 events);
2. measures, in process, the trace page of the probe lot (find_batch + build + render) and
   lineage(probe, backward, depth=10): medians over --repeat runs;
3. bulk-inserts lots up to --batches (10 events each, chains of 11 lots joined by transformations), then
   measures the same two things again and prints large/small (target <= 1.5x);
4. starts the app (`python server.py serve`, production settings) and loads GET /healthz, then QR scans
   (a lot's Digital Link, following its 307 to the trace page: one pair = one request) in two mixes, then
   /healthz again. Hot scans: 50 popular lots scanned over and over (Zipf popularity, 1 in 5 in English),
   answered once warm by the front cache (web.middleware.FrontCacheMiddleware: no handler runs). Cold scans: a different lot of the full table on every scan, so
   every resolver answer and every page is a cache miss. Each mix's throughput is given as a share of
   /healthz from the same run (target >= 50% for the hot mix), and from the server's CPU time per request.
   Each mix runs in its own process (`python -m benchmarks.trace_bench --scan-load SPEC.json`). Bulk lots
   carry placeholder hashes, so a cold page's integrity check stops at the first event: the first view of
   a real lot costs somewhat more;
5. prints the table, writes benchmarks/results/trace-latest.json, stops the server, drops the schema (also
   on failure or Ctrl-C).

Exits 0 when the benchmark ran (whether or not the targets are met), 1 on an error, 130 on interruption.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks`, `services`, `models` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.phases import Phase, loadgen_command, run_load, table, verdict  # noqa: E402
from benchmarks.scan_load import (  # noqa: E402
    ENGLISH_SHARE,
    HOT_LOTS,
    scan_load,
    scan_main,
    scan_targets,
    warm_up,
)
from benchmarks.servers import app_server, free_port, request  # noqa: E402
from benchmarks.session import (  # noqa: E402
    DEFAULT_DSN,
    BenchError,
    Session,
    connected,
    environment,
    run_session,
)
from benchmarks.trace_data import (  # noqa: E402
    BASE_URL,
    CHAIN,
    Probe,
    bulk_fill,
    record_probe,
    seed_registry,
    table_counts,
)

RESULTS = ROOT / "benchmarks" / "results" / "trace-latest.json"
DEPTH = 10
TARGET_GROWTH = 1.5  # large/small, at most
TARGET_SHARE = 50.0  # percent of the static response, at least


@dataclass(slots=True)
class Timing:
    wall_ms: float  # median
    cpu_ms: float  # median, this process only
    p90_ms: float
    repeat: int

    def as_dict(self) -> dict[str, float]:
        return {
            "median_ms": self.wall_ms,
            "cpu_median_ms": self.cpu_ms,
            "p90_ms": self.p90_ms,
            "n": self.repeat,
        }


# -- in-process measurements ----------------------------------------------------------------------------


async def _time(action: Callable[[], Awaitable[object]], repeat: int) -> Timing:
    for _ in range(max(3, repeat // 10)):  # warm-up: caches, prepared statements, buffers
        await action()
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        await action()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    walls.sort()
    return Timing(
        1000 * statistics.median(walls),
        1000 * statistics.median(cpus),
        1000 * walls[int(0.9 * (len(walls) - 1))],
        repeat,
    )


async def measure(probe: Probe, repeat: int) -> dict[str, Any]:
    from services.trace import lineage as trace_lineage
    from services.trace import page as pages
    from services.trace.identity import product_code

    code = product_code(probe.product_id)

    async def page() -> str:
        found = await pages.find_batch(code, probe.lot_code)
        if found is None:
            raise BenchError(f"the probe lot {probe.lot_code} is not found by the trace page")
        return pages.render(await pages.build(*found, "vi", BASE_URL, pages.today()))

    body = await page()
    if probe.lot_code not in body:
        raise BenchError("the probe's trace page does not show its lot code")
    found = await pages.find_batch(code, probe.lot_code)
    assert found is not None
    built = await pages.build(*found, "vi", BASE_URL, pages.today())
    levels = await trace_lineage.lineage([probe.batch_id], backward=True, depth=DEPTH)
    if len(levels) != DEPTH:
        raise BenchError(f"the probe's backward lineage has {len(levels)} levels, not {DEPTH}")

    async def lineage() -> object:
        return await trace_lineage.lineage([probe.batch_id], backward=True, depth=DEPTH)

    return {
        "counts": await table_counts(),
        "page": (await _time(page, repeat)).as_dict(),
        "lineage": (await _time(lineage, repeat)).as_dict(),
        "page_bytes": len(body.encode()),
        "page_stages": len(built.stages),
        "page_integrity_valid": built.integrity_valid,
        "lineage_levels": len(levels),
    }


EXPLAINED = {
    "events_of": "SELECT * FROM trace_event WHERE id IN (SELECT event_id FROM event_quantity WHERE batch_id = {b})",
    "lineage_level": "SELECT * FROM batch WHERE id IN (SELECT batch_id FROM event_quantity WHERE role = 'input' "
    "AND event_id IN (SELECT event_id FROM event_quantity WHERE role = 'output' AND batch_id IN ({b}))) "
    "ORDER BY id",
    "integrity_quantities": "SELECT * FROM event_quantity q JOIN batch b ON b.id = q.batch_id "
    "JOIN product p ON p.id = b.product_id WHERE q.event_id IN "
    "(SELECT event_id FROM event_quantity WHERE batch_id = {b}) ORDER BY q.id",
    "last_chain_hash": "SELECT * FROM event_quantity q JOIN trace_event e ON e.id = q.event_id "
    "WHERE q.batch_id = {b} ORDER BY q.event_id DESC LIMIT 1",
}


async def explain(probe: Probe) -> dict[str, Any]:
    """The plans of the queries behind events_of, lineage and the page's integrity check, at full size."""
    from tortoise import connections

    conn = connections.get("default")
    out: dict[str, Any] = {}
    for name, sql in EXPLAINED.items():
        rows = await conn.execute_query_dict("EXPLAIN (ANALYZE, FORMAT JSON) " + sql.format(b=probe.batch_id))
        plan = rows[0]["QUERY PLAN"]
        plan = orjson.loads(plan) if isinstance(plan, str) else plan
        seq: list[str] = []

        def walk(node: dict[str, Any], seq: list[str] = seq) -> None:
            if node.get("Node Type") == "Seq Scan":
                seq.append(str(node.get("Relation Name")))
            for child in node.get("Plans", []):
                walk(child)

        walk(plan[0]["Plan"])
        out[name] = {"execution_ms": plan[0]["Execution Time"], "seq_scans": seq}
    return out


async def small_phase(dsn: str, schema: str, args: argparse.Namespace) -> tuple[Probe, dict[str, Any]]:
    timings: dict[str, Any] = {}
    started = time.perf_counter()
    async with connected(dsn, schema, migrate=True):
        products, probe_product, locations = await seed_registry()
        timings["registry_s"] = time.perf_counter() - started
        mark = time.perf_counter()
        probe = await record_probe(products, probe_product, locations)
        timings["probe_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        timings["fill"] = await bulk_fill(args.small_batches, probe, 0)
        timings["fill_s"] = time.perf_counter() - mark
        print(
            f"small: registry in {timings['registry_s']:.1f} s, probe chain through services.trace in "
            f"{timings['probe_s']:.1f} s, {timings['fill']['events']} bulk events in {timings['fill_s']:.1f} s",
            flush=True,
        )
        result = await measure(probe, args.repeat)
        result["seeding"] = timings
    return probe, result


async def large_phase(dsn: str, schema: str, probe: Probe, args: argparse.Namespace) -> dict[str, Any]:
    async with connected(dsn, schema):
        started = time.perf_counter()
        fill = await bulk_fill(max(0, args.batches - args.small_batches), probe, 1)
        seconds = time.perf_counter() - started
        print(
            f"large: bulk-inserted {fill['batches']} lots, {fill['events']} events, {fill['quantities']} "
            f"quantities in {seconds:.1f} s ({fill['events'] / max(seconds, 1e-9):.0f} events/s, "
            "vacuum and analyze included)",
            flush=True,
        )
        result = await measure(probe, args.repeat)
        result["seeding"] = {"fill": fill, "fill_s": seconds}
        result["explain"] = await explain(probe)
    return result


# -- over HTTP ------------------------------------------------------------------------------------------


def load(phase: Phase, url: str, args: argparse.Namespace) -> None:
    print(
        f"  {phase.name}: {args.connections} connections, {args.warmup:g} s + {args.duration:g} s ...",
        flush=True,
    )
    run_load(phase, loadgen_command(url, args))


def check_link(port: int, probe: Probe) -> dict[str, Any]:
    import http.client
    from urllib.parse import urlsplit

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", probe.path)
        response = conn.getresponse()
        response.read()
        location = response.getheader("location") or ""
    finally:
        conn.close()
    if response.status != 307 or not location:
        raise BenchError(
            f"GET {probe.path} answered {response.status}, Location {location!r}; expected a 307"
        )
    target = urlsplit(location)
    status, body = request("GET", port, target.path + (f"?{target.query}" if target.query else ""))
    if status != 200 or probe.lot_code.encode() not in body:
        raise BenchError(f"the trace page {location} answered {status}")
    return {
        "link": probe.path,
        "status": 307,
        "location": location,
        "page_status": status,
        "page_bytes": len(body),
    }


# -- report ---------------------------------------------------------------------------------------------


def growth(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("page", "lineage"):
        ratio = large[key]["median_ms"] / small[key]["median_ms"]
        out[key] = {
            "small_ms": small[key]["median_ms"],
            "large_ms": large[key]["median_ms"],
            "ratio": ratio,
            "cpu_ratio": large[key]["cpu_median_ms"] / small[key]["cpu_median_ms"],
            "target": TARGET_GROWTH,
            "pass": ratio <= TARGET_GROWTH,
        }
    return out


def print_report(
    small: dict[str, Any], large: dict[str, Any], grown: dict[str, Any], phases: list[Phase]
) -> None:
    print()
    header = f"{'in process (median ms)':<24} {'~' + format(small['counts']['events'], ',') + ' ev':>12} "
    header += (
        f"{'~' + format(large['counts']['events'], ',') + ' ev':>14} {'large/small':>11} {'CPU ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    names = {"page": f"trace page ({large['page_stages']} stages)", "lineage": f"lineage depth {DEPTH}"}
    for key, row in grown.items():
        print(
            f"{names[key]:<24} {row['small_ms']:>12.2f} {row['large_ms']:>14.2f} {row['ratio']:>10.2f}x "
            f"{row['cpu_ratio']:>8.2f}x  target <= {TARGET_GROWTH:g}x {verdict(row['pass'])}"
        )
    print("(wall-clock medians over the repetitions; CPU ratio: this process's CPU, PostgreSQL excluded)")
    slow = {k: v for k, v in large["explain"].items() if v["seq_scans"]}
    plans = ", ".join(f"{k} {v['execution_ms']:.2f} ms" for k, v in large["explain"].items())
    print(f"plans at full size: {plans}; seq scans: {slow or 'none'}")
    print()
    for line in table(phases):
        print(line)
    shares = scan_shares(phases)
    print(
        f"\nresolver + trace page (one pair = a scan's 307 and the page it leads to), as a share of GET /healthz "
        f"({shares['static_rps']:.0f} req/s, the mean of its two runs):"
    )
    print(
        f"  hot scans  (front cache, warm: {HOT_LOTS} popular lots over and over, Zipf, "
        f"{ENGLISH_SHARE:.0%} in English): {shares['hot_rps']:.0f} pairs/s = {shares['hot_share_pct']:.1f}%   "
        f"target >= {TARGET_SHARE:g}%   {verdict(shares['hot_share_pct'] >= TARGET_SHARE)}"
    )
    print(
        f"  cold scans (a lot not scanned before on every scan, among {large['counts']['batches']:,} lots: "
        f"every request a cache miss): {shares['cold_rps']:.0f} pairs/s = {shares['cold_share_pct']:.1f}%   "
        "(what a first scan costs; no cache helps it)"
    )
    if shares["hot_cpu_share_pct"] is not None and shares["cold_cpu_share_pct"] is not None:
        print(
            f"  by server CPU per request (/healthz {shares['static_cpu_ms']:.3f} ms): hot "
            f"{shares['hot_cpu_ms']:.3f} ms a pair = {shares['hot_cpu_share_pct']:.1f}%, cold "
            f"{shares['cold_cpu_ms']:.2f} ms a pair = {shares['cold_cpu_share_pct']:.2f}% (the throughput shares "
            "above also depend on how much of a core the server got)"
        )


def scan_shares(phases: list[Phase]) -> dict[str, Any]:
    """healthz, hot, cold, healthz: the scan mixes' throughput as shares of the mean /healthz, and the same
    from the server's CPU time per request (steadier than throughput on a shared machine)."""
    static = (phases[0].rps + phases[3].rps) / 2
    cpu = [phase.cpu_ms_per_request for phase in phases]
    static_cpu = (cpu[0] + cpu[3]) / 2 if cpu[0] is not None and cpu[3] is not None else None
    return {
        "static_rps": static,
        "hot_rps": phases[1].rps,
        "hot_share_pct": 100 * phases[1].rps / static,
        "cold_rps": phases[2].rps,
        "cold_share_pct": 100 * phases[2].rps / static,
        "static_cpu_ms": static_cpu,
        "hot_cpu_ms": cpu[1],
        "cold_cpu_ms": cpu[2],
        "hot_cpu_share_pct": 100 * static_cpu / cpu[1] if static_cpu and cpu[1] else None,
        "cold_cpu_share_pct": 100 * static_cpu / cpu[2] if static_cpu and cpu[2] else None,
    }


# -- main -----------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/trace_bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=100_000, help="lots at full size (100000 = 1M events)")
    parser.add_argument("--small-batches", type=int, default=100, help="bulk lots at the small size (100)")
    parser.add_argument(
        "--repeat", type=int, default=200, help="repetitions per in-process measurement (200)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per load phase (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per load phase (2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (16)")
    parser.add_argument("--dsn", default=os.environ.get("OCOP_BENCH_POSTGRES_DSN", DEFAULT_DSN))
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.batches < args.small_batches + CHAIN or args.small_batches < CHAIN or args.repeat < 5:
        parser.error("--small-batches >= 11, --batches > --small-batches and --repeat >= 5 are required")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_session(args.dsn, "ocop_trace", "ocop-trace-bench-", lambda session: benchmark(session, args))


def benchmark(session: Session, args: argparse.Namespace) -> None:
    schema = session.schema
    probe, small = asyncio.run(small_phase(args.dsn, schema, args))
    large = asyncio.run(large_phase(args.dsn, schema, probe, args))
    grown = growth(small, large)
    targets = asyncio.run(scan_targets(args.dsn, schema, probe))

    port = free_port()
    server = app_server(args.dsn, schema, port, session.logs)
    session.servers.append(server)
    server.start()
    server.wait_ready()
    link = check_link(port, probe)
    print(
        f"server on port {port}: {probe.path} -> 307 {link['location']} -> 200 ({link['page_bytes']} bytes)"
    )
    base = f"http://127.0.0.1:{port}"
    phases = [
        Phase("healthz", server),
        Phase("hot", server),
        Phase("cold", server),
        Phase("healthz", server),
    ]
    load(phases[0], base + "/healthz", args)
    warmed = warm_up(port, targets.hot)
    print(f"  hot lots scanned once in each language (cache warm) in {warmed:.1f} s", flush=True)
    scan_load(phases[1], port, "hot", targets.hot, args, session.logs)
    scan_load(phases[2], port, "cold", targets.cold, args, session.logs)
    load(phases[3], base + "/healthz", args)
    print_report(small, large, grown, phases)
    shares = scan_shares(phases)
    document = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        | {"schema": schema},
        "environment": environment(session.postgres),
        "probe": {"batch_id": probe.batch_id, "lot_code": probe.lot_code, **link},
        "small": small,
        "large": large,
        "growth": grown,
        "load": [phase.as_dict() for phase in phases],
        "headline": {
            "page_growth": grown["page"]["ratio"],
            "page_growth_pass": grown["page"]["pass"],
            "lineage_growth": grown["lineage"]["ratio"],
            "lineage_growth_pass": grown["lineage"]["pass"],
            **shares,
            "hot_share_pass": shares["hot_share_pct"] >= TARGET_SHARE,
            "hot_lots": len(targets.hot),
            "cold_lots_available": len(targets.cold),
            "cold_distinct_links_measured": phases[2].result["distinct_links"],
            "cold_requests_measured": phases[2].result["requests"],
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"\nresults: {args.output}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--scan-load"]:  # the scan load generator, run in its own process by scan_load
        raise SystemExit(scan_main(sys.argv[2:]))
    raise SystemExit(main())
