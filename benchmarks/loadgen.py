"""A small HTTP/1.1 load generator: N keep-alive connections, each sending the same request as soon as the
previous response is in (closed loop), for a warm-up then a measured duration.

Raw asyncio streams on uvloop, responses framed by Content-Length (chunked bodies are refused), loopback
targets only. Latency is measured per request, from writing the request to reading the last body byte.

    python -m benchmarks.loadgen --url http://127.0.0.1:8000/graphql --body '{"query": "..."}' \\
        --connections 16 --duration 10 --warmup 2

    python -m benchmarks.loadgen --url http://127.0.0.1:8000/p/abc/10/LOT1 --method GET --follow \\
        --connections 16 --duration 10 --warmup 2

`--method GET` sends no body; `--follow` follows a 3xx response's Location (a path on the same server) and
counts the request and its redirect target as one completed exchange, timed from the first write to the
last byte of the final body. Prints one JSON object (see LoadResult) on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import ipaddress
import math
import resource
import socket
import sys
import time
from array import array
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson
import uvloop

RESPONSE_TIMEOUT = 30.0  # seconds after the end of the window: a run still waiting then is an error


class LoadError(Exception):
    pass


# What ends a load run with exit status 2 (and a line on stderr) rather than a traceback.
FAILURES = (LoadError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError)


@dataclass(slots=True)
class LoadResult:
    url: str
    connections: int
    warmup_s: float
    duration_s: float  # measured window
    requests: int  # responses completed inside the measured window
    errors: int  # non-200 statuses or GraphQL `errors` inside the measured window
    throughput_rps: float
    latency_ms: dict[str, float]  # p50, p90, p99, max, mean
    per_second_rps: list[int]  # completions in each second of the window
    client_cpu_s: float  # CPU time of this load generator over warm-up + window
    reconnects: int
    response_bytes: int  # size of the last response body
    first_error: str | None = None
    method: str = "POST"
    redirects_followed: int = 0  # inside the measured window, with --follow
    # Latencies by the app's response cache, when its answers say (RFC 9211 Cache-Status: "hit", "miss"):
    # {"hit": {"requests": n, "p50": ms, "p99": ms}, ...}; empty when no answer carried the header.
    by_cache: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_values: array[float], p: float) -> float:
    """Nearest-rank percentile of an ascending array."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def build_request(
    host: str, port: int, path: str, body: bytes, method: str = "POST", headers: tuple[str, ...] = ()
) -> bytes:
    extra = "".join(f"{header}\r\n" for header in headers)
    if method == "GET":
        return (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: ocop-bench\r\nAccept: */*\r\n{extra}\r\n"
        ).encode("ascii")
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "User-Agent: ocop-bench\r\n"
        "Accept: application/json\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"{extra}"
        "\r\n"
    )
    return head.encode("ascii") + body


def parse_head(head: bytes) -> tuple[int, int, bool]:
    """(status, content length, server closes) of a response head ending in CRLF CRLF."""
    status_line, _, rest = head.partition(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise LoadError(f"not an HTTP/1.x response: {status_line[:80]!r}")
    status = int(parts[1])
    length = -1
    close = parts[0] == b"HTTP/1.0"
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == b"content-length":
            length = int(value)
        elif key == b"transfer-encoding" and b"chunked" in value.lower():
            raise LoadError("chunked responses are not supported: the server must send Content-Length")
        elif key == b"connection":
            close = value.strip().lower() == b"close"
    if length < 0:
        raise LoadError("response without Content-Length")
    return status, length, close


def cache_class(head: bytes) -> str | None:
    """ "hit" or "miss" from the app's Cache-Status header (web/graphql.py), None without one."""
    at = head.find(b"\r\ncache-status:")
    if at < 0:
        at = head.lower().find(b"\r\ncache-status:")
        if at < 0:
            return None
    value = head[at + 15 : head.find(b"\r\n", at + 2)]
    return "hit" if value.split(b";")[1:2] == [b" hit"] else "miss"


def location_of(head: bytes) -> str | None:
    """The Location header of a response head, if any."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"location":
            return value.strip().decode("latin-1")
    return None


def redirect_path(location: str) -> str:
    """The path (and query) of a Location: the redirect is followed on the same server."""
    parts = urlsplit(location)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def check_loopback(host: str) -> None:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise LoadError(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_loopback:
            raise LoadError(f"refusing to load a non-loopback target: {host} ({address})")


class State:
    """What the connections of one run share: the window, and what completed in it."""

    def __init__(self, warm_end: float, end: float, start: float) -> None:
        self.warm_end = warm_end
        self.end = end
        self.start = start
        self.latencies: array[float] = array("d")
        self.per_second: list[int] = [0] * max(1, math.ceil(end - warm_end - 1e-6))
        self.errors = 0
        self.reconnects = 0
        self.first_error: str | None = None
        self.last_body = b""
        self.redirects = 0
        self.by_cache: dict[str, array[float]] = {}

    def record(self, started: float, done: float, redirected: bool, cached: str | None = None) -> bool:
        """Count an exchange that completed at `done` if that is inside the measured window; says whether it
        was."""
        if not self.warm_end <= done <= self.end:
            return False
        self.redirects += redirected
        self.latencies.append(done - started)
        if cached is not None:
            self.by_cache.setdefault(cached, array("d")).append(done - started)
        second = int(done - self.warm_end)
        if second < len(self.per_second):
            self.per_second[second] += 1
        return True

    def fail(self, status: int, body: bytes) -> None:
        """Count a failed exchange of the measured window; the first one is kept for the report."""
        self.errors += 1
        if self.first_error is None:
            self.first_error = f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}"


async def _connection(
    host: str, port: int, requests: list[bytes], state: State, follow: bool = False, start: int = 0
) -> None:
    """One closed-loop connection sending `requests` in turn, from `start` (one request: the same each time)."""
    reader, writer = await asyncio.open_connection(host, port)
    turn = start
    clock = time.perf_counter
    followed: dict[str, bytes] = {}  # Location -> GET request for it
    try:
        while True:
            started = clock()
            if started >= state.end:
                return
            writer.write(requests[turn % len(requests)])
            turn += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status, length, close = parse_head(head)
            body = await reader.readexactly(length)
            redirected = False
            if follow and 300 <= status < 400 and not close:
                location = location_of(head)
                if location is None:
                    raise LoadError(f"HTTP {status} without Location")
                target = followed.get(location)
                if target is None:
                    target = followed[location] = build_request(
                        host, port, redirect_path(location), b"", "GET"
                    )
                writer.write(target)
                head = await reader.readuntil(b"\r\n\r\n")
                status, length, close = parse_head(head)
                body = await reader.readexactly(length)
                redirected = True
            done = clock()
            if state.record(started, done, redirected, cache_class(head)) and (
                status != 200 or b'"errors"' in body
            ):
                state.fail(status, body)
            state.last_body = body
            if close:
                writer.close()
                state.reconnects += 1
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def run_load(
    url: str,
    body: bytes,
    *,
    connections: int,
    duration: float,
    warmup: float,
    method: str = "POST",
    follow: bool = False,
    bodies: list[bytes] | None = None,
    headers: tuple[str, ...] = (),
) -> LoadResult:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise LoadError(f"only plain http:// URLs are supported: {url}")
    host, port = parts.hostname, parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    check_loopback(host)
    requests = [build_request(host, port, path, each, method, headers) for each in (bodies or [body])]
    spread = max(1, len(requests) // connections)  # each connection starts elsewhere in the list
    state, client_cpu_s = await drive(
        lambda state: (
            _connection(host, port, requests, state, follow, n * spread) for n in range(connections)
        ),
        warmup=warmup,
        duration=duration,
    )
    return result_of(
        state,
        client_cpu_s,
        url=url,
        connections=connections,
        warmup=warmup,
        duration=duration,
        method=method,
    )


async def drive(
    connections: Callable[[State], Iterable[Awaitable[None]]], *, warmup: float, duration: float
) -> tuple[State, float]:
    """Run the closed-loop `connections` (made for the run's state) through the warm-up and the measured
    window; returns the state they filled and this process's CPU seconds meanwhile."""
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    state = State(start + warmup, start + warmup + duration, start)
    gc.collect()
    gc.freeze()
    gc.disable()  # no collector pauses in the client's measurements
    try:
        # One deadline for the whole run rather than a timer per read, which would cost the client CPU.
        async with asyncio.timeout(warmup + duration + RESPONSE_TIMEOUT):
            await asyncio.gather(*connections(state))
    finally:
        gc.enable()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    return state, (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)


def result_of(
    state: State,
    client_cpu_s: float,
    *,
    url: str,
    connections: int,
    warmup: float,
    duration: float,
    method: str,
) -> LoadResult:
    latencies = array("d", sorted(state.latencies))
    n = len(latencies)
    ms = 1000.0
    return LoadResult(
        url=url,
        connections=connections,
        warmup_s=warmup,
        duration_s=duration,
        requests=n,
        errors=state.errors,
        throughput_rps=n / duration,
        latency_ms={
            "p50": percentile(latencies, 50) * ms,
            "p90": percentile(latencies, 90) * ms,
            "p99": percentile(latencies, 99) * ms,
            "max": (latencies[-1] if n else math.nan) * ms,
            "mean": (sum(latencies) / n if n else math.nan) * ms,
        },
        per_second_rps=state.per_second,
        client_cpu_s=client_cpu_s,
        reconnects=state.reconnects,
        response_bytes=len(state.last_body),
        first_error=state.first_error,
        method=method,
        redirects_followed=state.redirects,
        by_cache={
            name: {
                "requests": len(values),
                "p50": percentile(ordered, 50) * ms,
                "p99": percentile(ordered, 99) * ms,
            }
            for name, values in sorted(state.by_cache.items())
            for ordered in (array("d", sorted(values)),)
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--body", default="", help="request body (JSON), sent as POST application/json")
    parser.add_argument("--method", choices=("POST", "GET"), default="POST", help="POST (default) or GET")
    parser.add_argument(
        "--follow", action="store_true", help="follow a 3xx to its Location; the pair counts as one"
    )
    parser.add_argument(
        "--bodies", help="a JSON file holding a list of request bodies, sent in turn (instead of --body)"
    )
    parser.add_argument(
        "--header", action="append", default=[], help="an extra request header, 'Name: value' (repeatable)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args(argv)
    bodies = None
    if args.bodies:
        with open(args.bodies, "rb") as file:
            bodies = [
                orjson.dumps(each) if not isinstance(each, str) else each.encode()
                for each in orjson.loads(file.read())
            ]
    if args.method == "POST" and not args.body and not bodies:
        parser.error("--body or --bodies is required with POST")
    try:
        result = uvloop.run(
            run_load(
                args.url,
                args.body.encode("utf-8"),
                connections=args.connections,
                duration=args.duration,
                warmup=args.warmup,
                method=args.method,
                follow=args.follow,
                bodies=bodies,
                headers=tuple(args.header),
            )
        )
    except FAILURES as exc:
        sys.stderr.write(f"loadgen: {type(exc).__name__}: {exc}\n")
        return 2
    sys.stdout.buffer.write(orjson.dumps(result.as_dict()) + b"\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
