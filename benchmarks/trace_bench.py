"""Trace benchmark: the public trace page and a depth-10 lineage at ~1,000 events and at ~1,000,000 events,
and resolver-plus-trace-page throughput against a static response of the same server, on PostgreSQL.

    .venv/bin/python benchmarks/trace_bench.py [--batches 100000] [--repeat 200] [--duration 10]

1. creates a fresh schema `ocop_trace_<random>`, migrates it, loads the reference data, seeds a small
   registry, records a probe lot and its ten-deep ancestry through services.trace (real hashes and chain),
   and bulk-inserts ~100 lots (~1,000 events);
2. measures, in process, the trace page of the probe lot (find_batch + build + render) and
   trace.lineage(probe, backward, depth=10): medians over --repeat runs;
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
import platform
import random
import secrets
import signal
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks`, `services`, `models` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.run import (  # noqa: E402
    DEFAULT_DSN,
    BenchError,
    Phase,
    Server,
    _interrupt,
    clean_up,
    free_port,
    postgres_version,
    request,
    run_load,
    table,
    tortoise_url,
)

RESULTS = ROOT / "benchmarks" / "results" / "trace-latest.json"
BASE_URL = "https://ocop.bench.invalid"
EVENTS_PER_BATCH = 10
CHAIN = 11  # lots per transformation chain: the last one has ten levels of ancestry
DEPTH = 10
TARGET_GROWTH = 1.5  # large/small, at most
TARGET_SHARE = 50.0  # percent of the static response, at least
STEPS = ("packing", "inspecting", "storing", "shipping", "receiving", "storing", "retail_selling")
FILL_CHUNK = 1000  # lots per round of bulk inserts
HOT_LOTS = 50  # the popular lots of the hot scan mix
ENGLISH_SHARE = 0.2  # of the hot scans, sent with Accept-Language: en
SCAN_SEED = 2019


@dataclass(slots=True)
class Probe:
    batch_id: int
    product_id: int
    lot_code: str
    path: str  # /p/{code}/10/{lot}
    products: list[int]
    locations: list[int]


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


# -- data -----------------------------------------------------------------------------------------------


async def _probe(products: list[int], probe_product: int, locations: list[int]) -> Probe:
    """The probe lot and its ancestry, recorded through services.trace: real CBV hashes and chain."""
    from models import EventAction, EventType
    from services.policy import SYSTEM
    from services.trace import events as trace
    from services.trace.identity import batch_link

    made = dt.date.today() - dt.timedelta(days=60)
    lots = []
    for level in range(CHAIN):
        product_id = probe_product if level == CHAIN - 1 else products[level % len(products)]
        data = trace.BatchData(
            product_id=product_id,
            lot_code=f"PROBE{level:02d}",
            production_date=made,
            quantity=Decimal(100),
            unit="KGM",
            origin_place="Giồng Trôm, Bến Tre",
        )
        lots.append(await trace.create_batch(data, SYSTEM))
    start = dt.datetime.now(trace.VIETNAM).replace(microsecond=0) - dt.timedelta(days=30)
    await trace.record_event(
        trace.EventInput(
            event_type=EventType.OBJECT,
            event_time=start,
            subjects=[trace.QuantityData(lots[0].id, Decimal(100), "KGM")],
            action=EventAction.ADD,
            biz_step="commissioning",
            read_point_id=locations[0],
        ),
        SYSTEM,
        BASE_URL,
    )
    for level in range(1, CHAIN):
        await trace.record_event(
            trace.EventInput(
                event_type=EventType.TRANSFORMATION,
                event_time=start + dt.timedelta(hours=level),
                inputs=[trace.QuantityData(lots[level - 1].id, Decimal(100), "KGM")],
                outputs=[trace.QuantityData(lots[level].id, Decimal(90), "KGM")],
                biz_step="creating_class_instance",
                read_point_id=locations[level % len(locations)],
            ),
            SYSTEM,
            BASE_URL,
        )
    probe = lots[-1]
    for n in range(EVENTS_PER_BATCH - 1):  # the transformation that made it, then nine more
        await trace.record_event(
            trace.EventInput(
                event_type=EventType.OBJECT,
                event_time=start + dt.timedelta(days=1 + n),
                subjects=[trace.QuantityData(probe.id)],
                biz_step=STEPS[n % len(STEPS)],
                read_point_id=locations[n % len(locations)],
                note=f"Bước {n + 1}",
            ),
            SYSTEM,
            BASE_URL,
        )
    link = batch_link(BASE_URL, product_id=probe_product, gtin=None, lot_code=probe.lot_code)
    return Probe(probe.id, probe_product, probe.lot_code, link.removeprefix(BASE_URL), products, locations)


async def _next_id(table_name: str) -> int:
    from tortoise import connections

    rows = await connections.get("default").execute_query_dict(
        f"SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {table_name}"  # noqa: S608 (a constant table name)
    )
    return int(rows[0]["n"])


async def bulk_fill(lots: int, probe: Probe, serial: int) -> dict[str, int]:
    """Bulk-insert `lots` lots with EVENTS_PER_BATCH events each, in chains of CHAIN lots: the first lot of a
    chain is commissioned, each next one is made from the previous one by a transformation. The hashes are
    unique placeholders (not CBV hashes); the rows are otherwise what services.trace stores."""
    from tortoise import connections

    from models import Batch, EventAction, EventQuantity, EventType, QuantityRole, TraceEvent

    batch_id, event_id, quantity_id = (
        await _next_id("batch"),
        await _next_id("trace_event"),
        await _next_id("event_quantity"),
    )
    made = dt.date.today() - dt.timedelta(days=90)
    base_time = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(days=80)
    counts = {"batches": 0, "events": 0, "quantities": 0}
    for first in range(0, lots, FILL_CHUNK):
        batches: list[Batch] = []
        events: list[TraceEvent] = []
        quantities: list[EventQuantity] = []
        for n in range(first, min(lots, first + FILL_CHUNK)):
            bid = batch_id + n
            batches.append(
                Batch(
                    id=bid,
                    product_id=probe.products[n % len(probe.products)],
                    lot_code=f"L{serial}X{n:08d}",
                    production_date=made,
                    quantity=Decimal(500),
                    unit="KGM",
                    origin_place="Bến Tre",
                )
            )
            previous: str | None = None
            for k in range(EVENTS_PER_BATCH):
                eid = event_id + n * EVENTS_PER_BATCH + k
                transformation = k == 0 and n % CHAIN != 0
                chain = f"{eid:064x}"
                events.append(
                    TraceEvent(
                        id=eid,
                        event_type=EventType.TRANSFORMATION if transformation else EventType.OBJECT,
                        action=None
                        if transformation
                        else (EventAction.ADD if k == 0 else EventAction.OBSERVE),
                        biz_step="creating_class_instance"
                        if transformation
                        else "commissioning"
                        if k == 0
                        else STEPS[k % len(STEPS)],
                        event_time=base_time + dt.timedelta(minutes=n % 50_000, hours=k),
                        time_zone_offset="+07:00",
                        read_point_id=probe.locations[(n + k) % len(probe.locations)],
                        event_hash=f"ni:///sha-256;bench{eid:020d}?ver=CBV2.0",
                        chain_hash=chain,
                    )
                )
                roles = (
                    [(bid - 1, QuantityRole.INPUT, None), (bid, QuantityRole.OUTPUT, previous)]
                    if transformation
                    else [(bid, QuantityRole.SUBJECT, previous)]
                )
                for lot, role, prev in roles:
                    quantities.append(
                        EventQuantity(
                            id=quantity_id + counts["quantities"] + len(quantities),
                            event_id=eid,
                            batch_id=lot,
                            role=role,
                            quantity=Decimal(10),
                            unit="KGM",
                            previous_chain_hash=prev,
                        )
                    )
                previous = chain
        await Batch.bulk_create(batches, batch_size=FILL_CHUNK)
        await TraceEvent.bulk_create(events, batch_size=5000)
        await EventQuantity.bulk_create(quantities, batch_size=5000)
        counts["batches"] += len(batches)
        counts["events"] += len(events)
        counts["quantities"] += len(quantities)
    conn = connections.get("default")
    for table_name in ("batch", "trace_event", "event_quantity"):
        await conn.execute_script(
            f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), (SELECT MAX(id) FROM {table_name}))"  # noqa: S608
        )
    for table_name in ("batch", "trace_event", "event_quantity"):
        await conn.execute_script(f"VACUUM (ANALYZE) {table_name}")
    return counts


async def _table_counts() -> dict[str, int]:
    from models import Batch, EventQuantity, TraceEvent

    return {
        "batches": await Batch.all().count(),
        "events": await TraceEvent.all().count(),
        "quantities": await EventQuantity.all().count(),
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
    from services.trace import events as trace
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
    levels = await trace.lineage([probe.batch_id], backward=True, depth=DEPTH)
    if len(levels) != DEPTH:
        raise BenchError(f"the probe's backward lineage has {len(levels)} levels, not {DEPTH}")

    async def lineage() -> object:
        return await trace.lineage([probe.batch_id], backward=True, depth=DEPTH)

    return {
        "counts": await _table_counts(),
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
    from benchmarks import seed
    from models import Location, LocationKind, Product
    from services.common import db
    from services.registry import reference

    timings: dict[str, Any] = {}
    started = time.perf_counter()
    await db.migrate(dsn, pg_schema=schema)
    await db.connect(dsn, pg_schema=schema)
    try:
        await reference.sync_all()
        await seed.seed(30, 200)
        products = [p.id for p in await Product.filter(is_published=True).order_by("id").only("id")]
        bare = await Product.filter(is_published=True, gtin=None).order_by("id").first()
        if bare is None:
            raise BenchError("no published product without a GTIN to carry the probe lot")
        locations = []
        for n, kind in enumerate(
            (LocationKind.FARM, LocationKind.FACILITY, LocationKind.WAREHOUSE, LocationKind.SHOP)
        ):
            location = await Location.create(name=f"Điểm {n + 1} Bến Tre", kind=kind, address_line="Bến Tre")
            locations.append(location.id)
        timings["registry_s"] = time.perf_counter() - started
        mark = time.perf_counter()
        probe = await _probe(products, bare.id, locations)
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
    finally:
        await db.disconnect()
    return probe, result


async def large_phase(dsn: str, schema: str, probe: Probe, args: argparse.Namespace) -> dict[str, Any]:
    from services.common import db

    await db.connect(dsn, pg_schema=schema)
    try:
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
    finally:
        await db.disconnect()
    return result


# -- load -----------------------------------------------------------------------------------------------


def load(phase: Phase, url: str, args: argparse.Namespace, follow: bool) -> None:
    print(
        f"  {phase.name}: {args.connections} connections, {args.warmup:g} s + {args.duration:g} s ...",
        flush=True,
    )
    command = [
        sys.executable,
        "-m",
        "benchmarks.loadgen",
        "--url",
        url,
        "--method",
        "GET",
        "--connections",
        str(args.connections),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
    ] + (["--follow"] if follow else [])
    run_load(phase, command)


@dataclass(slots=True)
class ScanTargets:
    hot: list[str]  # Digital Link paths, most popular first (the probe lot first)
    cold: list[str]  # every other published lot, shuffled


async def scan_targets(dsn: str, schema: str, probe: Probe) -> ScanTargets:
    """The Digital Links of every published lot: HOT_LOTS popular ones (the probe and a random sample) and
    the rest, shuffled, for the cold mix."""
    from models import Batch
    from services.common import db
    from services.trace.identity import batch_link

    await db.connect(dsn, pg_schema=schema)
    try:
        rows = await Batch.filter(is_published=True, product__is_published=True).values_list(
            "id", "lot_code", "product_id", "product__gtin"
        )
    finally:
        await db.disconnect()
    links = {
        batch_id: batch_link(BASE_URL, product_id=product_id, gtin=gtin, lot_code=lot).removeprefix(BASE_URL)
        for batch_id, lot, product_id, gtin in rows
    }
    rng = random.Random(SCAN_SEED)
    others = sorted(i for i in links if i != probe.batch_id)
    rng.shuffle(others)
    hot = [probe.batch_id, *others[: HOT_LOTS - 1]]
    return ScanTargets([links[i] for i in hot], [links[i] for i in others[HOT_LOTS - 1 :]])


def _scan_request(host: str, port: int, path: str, english: bool) -> bytes:
    """A phone's GET: HTML wanted, Vietnamese unless the phone prefers English."""
    language = "Accept-Language: en-US,en;q=0.9\r\n" if english else "Accept-Language: vi-VN,vi;q=0.9\r\n"
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: ocop-bench\r\n"
        f"Accept: text/html,*/*;q=0.8\r\n{language}\r\n"
    ).encode("ascii")


async def _scan_connection(
    host: str, port: int, next_scan: Callable[[], tuple[bytes, bool]], state: Any, unique: set[bytes] | None
) -> None:
    """One phone after another on a keep-alive connection: GET the Digital Link, expect a 307, GET its
    Location (with the same Accept-Language); the pair is one completed request."""
    from benchmarks import loadgen

    reader, writer = await asyncio.open_connection(host, port)
    clock = time.perf_counter
    try:
        while True:
            started = clock()
            if started >= state.end:
                return
            request, english = next_scan()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status, length, close = loadgen.parse_head(head)
            body = await reader.readexactly(length)
            location = loadgen.location_of(head) if status == 307 and not close else None
            if location is not None:
                target = _scan_request(host, port, loadgen.redirect_path(location), english)
                writer.write(target)
                head = await reader.readuntil(b"\r\n\r\n")
                status, length, close = loadgen.parse_head(head)
                body = await reader.readexactly(length)
            done = clock()
            if state.warm_end <= done <= state.end:
                state.redirects += location is not None
                state.latencies.append(done - started)
                second = int(done - state.warm_end)
                if second < len(state.per_second):
                    state.per_second[second] += 1
                if location is None or status != 200:
                    state.errors += 1
                    if state.first_error is None:
                        state.first_error = f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}"
                if unique is not None:
                    unique.add(request)
            state.last_body = body
            if close:
                writer.close()
                state.reconnects += 1
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def run_scans(spec: dict[str, Any]) -> dict[str, Any]:
    """The scan load described by `spec` (see `scan_load`), as loadgen's LoadResult plus the number of
    distinct links scanned in the measured window."""
    import gc
    import math
    import resource
    from array import array

    from benchmarks import loadgen

    host, port, paths = spec["host"], spec["port"], spec["paths"]
    loadgen.check_loopback(host)
    connections, warmup, duration = spec["connections"], spec["warmup"], spec["duration"]
    if spec["mix"] == "hot":
        # Zipf popularity over the hot lots; each scan in English with probability ENGLISH_SHARE.
        weights = [1 / (rank + 1) for rank in range(len(paths))]
        requests = [
            (_scan_request(host, port, p, english), english) for p in paths for english in (False, True)
        ]
        cumulative = []
        total = 0.0
        for weight in weights:
            for share in (1 - ENGLISH_SHARE, ENGLISH_SHARE):
                total += weight * share
                cumulative.append(total)
        rngs = [random.Random(SCAN_SEED + n) for n in range(connections)]

        def picker(n: int) -> Callable[[], tuple[bytes, bool]]:
            rng = rngs[n]
            return lambda: rng.choices(requests, cum_weights=cumulative)[0]

        pickers = [picker(n) for n in range(connections)]
    else:
        # Every scan a lot not scanned before in this run (all connections share one sequence).
        sequence: Iterator[str] = iter(paths)

        def next_cold() -> tuple[bytes, bool]:
            try:
                return _scan_request(host, port, next(sequence), False), False
            except StopIteration:
                raise loadgen.LoadError(f"the cold mix ran out of lots ({len(paths)})") from None

        pickers = [next_cold] * connections
    unique: set[bytes] = set()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    state = loadgen._State(start + warmup, start + warmup + duration, start)
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        async with asyncio.timeout(warmup + duration + loadgen.RESPONSE_TIMEOUT):
            await asyncio.gather(
                *(_scan_connection(host, port, pickers[n], state, unique) for n in range(connections))
            )
    finally:
        gc.enable()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    latencies = array("d", sorted(state.latencies))
    n = len(latencies)
    result = loadgen.LoadResult(
        url=f"http://{host}:{port} ({spec['mix']} scans of {len(paths)} lots)",
        connections=connections,
        warmup_s=warmup,
        duration_s=duration,
        requests=n,
        errors=state.errors,
        throughput_rps=n / duration,
        latency_ms={
            "p50": loadgen.percentile(latencies, 50) * 1000,
            "p90": loadgen.percentile(latencies, 90) * 1000,
            "p99": loadgen.percentile(latencies, 99) * 1000,
            "max": (latencies[-1] if n else math.nan) * 1000,
            "mean": (sum(latencies) / n if n else math.nan) * 1000,
        },
        per_second_rps=state.per_second,
        client_cpu_s=(cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime),
        reconnects=state.reconnects,
        response_bytes=len(state.last_body),
        first_error=state.first_error,
        method="GET",
        redirects_followed=state.redirects,
    )
    return result.as_dict() | {"mix": spec["mix"], "distinct_links": len(unique)}


def scan_main(argv: list[str]) -> int:
    """`python -m benchmarks.trace_bench --scan-load SPEC.json`: run one scan mix, print its result."""
    import uvloop

    from benchmarks import loadgen

    spec = orjson.loads(Path(argv[0]).read_bytes())
    try:
        result = uvloop.run(run_scans(spec))
    except (
        loadgen.LoadError,
        OSError,
        asyncio.IncompleteReadError,
        asyncio.LimitOverrunError,
        TimeoutError,
    ) as exc:
        sys.stderr.write(f"scan load: {type(exc).__name__}: {exc}\n")
        return 2
    sys.stdout.buffer.write(orjson.dumps(result) + b"\n")
    return 0


def scan_load(
    phase: Phase, port: int, mix: str, paths: list[str], args: argparse.Namespace, logs: Path
) -> None:
    """Like `load`, for a scan mix: run in its own process (`scan_main`), so that it shares no process with
    the server."""
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "mix": mix,
        "paths": paths,
        "connections": args.connections,
        "duration": args.duration,
        "warmup": args.warmup,
    }
    spec_path = logs / f"scan-{mix}.json"
    spec_path.write_bytes(orjson.dumps(spec))
    command = [sys.executable, "-m", "benchmarks.trace_bench", "--scan-load", str(spec_path)]
    print(
        f"  {phase.name}: {len(paths)} lots, {args.connections} connections, {args.warmup:g} s + "
        f"{args.duration:g} s ...",
        flush=True,
    )
    run_load(phase, command)


def warm_up(port: int, paths: list[str]) -> float:
    """Scan each hot lot once in each language, following the redirect: the hot mix measures popular lots
    whose answers are already cached (a lot that is popular was scanned before). Returns the seconds taken."""
    import http.client
    from urllib.parse import urlsplit

    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for path in paths:
            for language in ("vi-VN,vi;q=0.9", "en-US,en;q=0.9"):
                headers = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": language}
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                location = urlsplit(response.getheader("location") or "")
                if response.status != 307:
                    raise BenchError(f"warm-up: GET {path} answered {response.status}")
                conn.request(
                    "GET", location.path + (f"?{location.query}" if location.query else ""), headers=headers
                )
                page = conn.getresponse()
                page.read()
                if page.status != 200:
                    raise BenchError(f"warm-up: the trace page of {path} answered {page.status}")
    finally:
        conn.close()
    return time.perf_counter() - started


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


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


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


def _cpu_ms(phase: Phase) -> float | None:
    """The server's CPU time per completed request (a pair for the scan mixes), warm-up included."""
    if phase.server_cpu_s is None or not phase.rps:
        return None
    return 1000 * phase.server_cpu_s / (phase.rps * phase.wall_s)


def scan_shares(phases: list[Phase]) -> dict[str, Any]:
    """healthz, hot, cold, healthz: the scan mixes' throughput as shares of the mean /healthz, and the same
    from the server's CPU time per request (steadier than throughput on a shared machine)."""
    static = (phases[0].rps + phases[3].rps) / 2
    cpu = [_cpu_ms(phase) for phase in phases]
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
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    schema = f"ocop_trace_{secrets.token_hex(4)}"
    logs = Path(tempfile.mkdtemp(prefix="ocop-trace-bench-"))
    server: Server | None = None
    schema_created = False
    status = 0
    try:
        try:
            version = asyncio.run(postgres_version(args.dsn))
        except (OSError, asyncpg.PostgresError) as exc:
            raise BenchError(f"cannot connect to PostgreSQL ({args.dsn}): {exc}") from exc
        print(f"PostgreSQL {version}, schema {schema}", flush=True)
        schema_created = True
        probe, small = asyncio.run(small_phase(args.dsn, schema, args))
        large = asyncio.run(large_phase(args.dsn, schema, probe, args))
        grown = growth(small, large)
        targets = asyncio.run(scan_targets(args.dsn, schema, probe))

        port = free_port()
        server = Server(
            "app",
            [sys.executable, "server.py", "serve"],
            {
                "DATABASE_URL": tortoise_url(args.dsn, schema),
                "OCOP_ENV": "production",
                "OCOP_SECRET_KEY": secrets.token_urlsafe(32),
                "LOG_LEVEL": "WARNING",
                "HOST": "127.0.0.1",
                "PORT": str(port),
            },
            port,
            logs / "app.log",
        )
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
        load(phases[0], base + "/healthz", args, follow=False)
        warmed = warm_up(port, targets.hot)
        print(f"  hot lots scanned once in each language (cache warm) in {warmed:.1f} s", flush=True)
        scan_load(phases[1], port, "hot", targets.hot, args, logs)
        scan_load(phases[2], port, "cold", targets.cold, args, logs)
        load(phases[3], base + "/healthz", args, follow=False)
        print_report(small, large, grown, phases)
        shares = scan_shares(phases)
        document = {
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
            | {"schema": schema},
            "environment": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "postgres": version,
            },
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
    except BenchError as exc:
        print(f"\nbenchmark error: {exc}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        status = 130
    except Exception as exc:
        traceback.print_exc()
        print(f"\nbenchmark error: {type(exc).__name__}: {exc}", file=sys.stderr)
        status = 1
    finally:
        status = clean_up(
            [server] if server else [], logs, status, args.dsn, schema if schema_created else None
        )
    return status


if __name__ == "__main__":
    if sys.argv[1:2] == ["--scan-load"]:  # the scan load generator, run in its own process by scan_load
        raise SystemExit(scan_main(sys.argv[2:]))
    raise SystemExit(main())
