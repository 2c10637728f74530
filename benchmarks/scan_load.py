"""QR scans under load, for the trace benchmark: a phone's scan is a pair on one keep-alive connection (GET a
lot's Digital Link, read the 307, GET its Location with the same headers), counted as one request.

Two mixes: hot (HOT_LOTS popular lots, Zipf popularity, ENGLISH_SHARE of them with Accept-Language: en,
scanned once in each language beforehand by `warm_up`, as a popular lot has been) and cold (every scan a lot
not scanned before in the run). Each mix runs in its own process, started by `scan_load` as
`python -m benchmarks.trace_bench --scan-load SPEC.json` (`scan_main`), on loadgen's closed loop, window and
result.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from benchmarks import loadgen
from benchmarks.phases import Phase, run_load
from benchmarks.session import BenchError, connected
from benchmarks.trace_data import BASE_URL, Probe

HOT_LOTS = 50  # the popular lots of the hot scan mix
ENGLISH_SHARE = 0.2  # of the hot scans, sent with Accept-Language: en
SCAN_SEED = 2019


@dataclass(slots=True)
class ScanTargets:
    hot: list[str]  # Digital Link paths, most popular first (the probe lot first)
    cold: list[str]  # every other published lot, shuffled


async def scan_targets(dsn: str, schema: str, probe: Probe) -> ScanTargets:
    """The Digital Links of every published lot: HOT_LOTS popular ones (the probe and a random sample) and
    the rest, shuffled, for the cold mix."""
    from models import Batch
    from services.trace.identity import batch_link

    async with connected(dsn, schema):
        rows = await Batch.filter(is_published=True, product__is_published=True).values_list(
            "id", "lot_code", "product_id", "product__gtin"
        )
    links = {
        batch_id: batch_link(BASE_URL, product_id=product_id, gtin=gtin, lot_code=lot).removeprefix(BASE_URL)
        for batch_id, lot, product_id, gtin in rows
    }
    rng = random.Random(SCAN_SEED)
    others = sorted(i for i in links if i != probe.batch_id)
    rng.shuffle(others)
    hot = [probe.batch_id, *others[: HOT_LOTS - 1]]
    return ScanTargets([links[i] for i in hot], [links[i] for i in others[HOT_LOTS - 1 :]])


# -- the load generator (in its own process) ------------------------------------------------------------


def _scan_request(host: str, port: int, path: str, english: bool) -> bytes:
    """A phone's GET: HTML wanted, Vietnamese unless the phone prefers English."""
    language = "Accept-Language: en-US,en;q=0.9\r\n" if english else "Accept-Language: vi-VN,vi;q=0.9\r\n"
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: ocop-bench\r\n"
        f"Accept: text/html,*/*;q=0.8\r\n{language}\r\n"
    ).encode("ascii")


async def _scan_connection(
    host: str,
    port: int,
    next_scan: Callable[[], tuple[bytes, bool]],
    state: loadgen.State,
    unique: set[bytes] | None,
) -> None:
    """One phone after another on a keep-alive connection: GET the Digital Link, expect a 307, GET its
    Location (with the same Accept-Language); the pair is one completed request.

    The request/response exchanges are written out as in loadgen's own connection loop rather than shared in
    a helper coroutine: one more await per exchange would add to the client's CPU, which shares the cores
    with the server it measures."""
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
            if state.record(started, clock(), location is not None):
                if location is None or status != 200:
                    state.fail(status, body)
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
    state, client_cpu_s = await loadgen.drive(
        lambda state: (_scan_connection(host, port, pickers[n], state, unique) for n in range(connections)),
        warmup=warmup,
        duration=duration,
    )
    result = loadgen.result_of(
        state,
        client_cpu_s,
        url=f"http://{host}:{port} ({spec['mix']} scans of {len(paths)} lots)",
        connections=connections,
        warmup=warmup,
        duration=duration,
        method="GET",
    )
    return result.as_dict() | {"mix": spec["mix"], "distinct_links": len(unique)}


def scan_main(argv: list[str]) -> int:
    """`python -m benchmarks.trace_bench --scan-load SPEC.json`: run one scan mix, print its result."""
    import uvloop

    spec = orjson.loads(Path(argv[0]).read_bytes())
    try:
        result = uvloop.run(run_scans(spec))
    except loadgen.FAILURES as exc:
        sys.stderr.write(f"scan load: {type(exc).__name__}: {exc}\n")
        return 2
    sys.stdout.buffer.write(orjson.dumps(result) + b"\n")
    return 0


# -- driving it (in the benchmark's process) ------------------------------------------------------------


def scan_load(
    phase: Phase, port: int, mix: str, paths: list[str], args: argparse.Namespace, logs: Path
) -> None:
    """Like a loadgen phase, for a scan mix: run in its own process (`scan_main`), so that it shares no
    process with the server."""
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
