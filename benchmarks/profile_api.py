"""Where the API benchmark's slow phases spend their CPU: cProfile over the app in this process (no
server, no load generator), on a fresh PostgreSQL schema, for the distinct anonymous queries, the officer's
listing and cold QR scans (each lot scanned once). Prints the functions with the most own time per workload.

    .venv/bin/python benchmarks/profile_api.py [--requests 300] [--top 15]

The figures are CPU shares, not throughput: `make bench` measures that."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import api_workloads  # noqa: E402
from benchmarks.session import DEFAULT_DSN, Session, connected, run_session  # noqa: E402


async def profile(session: Session, args: argparse.Namespace) -> None:
    import httpx

    from benchmarks import seed
    from server import create_app
    from services.common.settings import Environment, Settings
    from services.registry import reference

    os.environ.setdefault("OCOP_SECRET_KEY", secrets.token_urlsafe(32))
    async with connected(args.dsn, session.schema, migrate=True):
        await reference.sync_all()
        await seed.seed(100, 600)
    known = await api_workloads.facts(args.dsn, session.schema)
    bodies = api_workloads.distinct_bodies(known, [], args.requests)
    token = await api_workloads.officer_token(args.dsn, session.schema, os.environ["OCOP_SECRET_KEY"])
    document = await api_workloads.register_officer_document(args.dsn, session.schema)
    lots = await api_workloads.seed_real_lots(args.dsn, session.schema, args.requests + 10)
    settings = Settings(
        database_url="sqlite://:memory:",
        environment=Environment.PRODUCTION,
        public_base_url="https://ocop.bench.invalid",
        secret_key=os.environ["OCOP_SECRET_KEY"],
        host="127.0.0.1",
        port=0,
        log_level="WARNING",
    )
    logging.getLogger().setLevel(logging.WARNING)  # the request log is not what is profiled
    from services.common import settings as settings_store

    settings_store.configure(settings)  # as `server.py serve` does: no environment read per request
    async with connected(args.dsn, session.schema):
        app = create_app(settings, connect=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ocop.bench.invalid") as client:
            officer = {"authorization": f"Bearer {token}"}

            async def distinct(n: int) -> None:
                await client.post("/graphql", json=bodies[n % len(bodies)])

            async def listing(_n: int) -> None:
                await client.post("/graphql", json={"query": api_workloads.OFFICER}, headers=officer)

            async def compiled(_n: int) -> None:
                await client.post("/graphql", json={"documentId": document}, headers=officer)

            async def trivial(_n: int) -> None:
                await client.post("/graphql", json={"query": "{ __typename }"}, headers=officer)

            async def one(_n: int) -> None:
                query = api_workloads.OFFICER.replace("first: 50", "first: 1")
                await client.post("/graphql", json={"query": query}, headers=officer)

            async def cold(n: int) -> None:
                scan = await client.get(lots[n + 5])
                await client.get(scan.headers["location"])

            workloads = (
                ("distinct", distinct),
                ("officer", listing),
                ("officer (compiled)", compiled),
                ("cold scan", cold),
                ("officer: { __typename }", trivial),
                ("officer: first 1", one),
            )
            for name, work in workloads:
                if args.only in (None, name):
                    await run(name, work, args)


async def run(name: str, work: Callable[[int], Awaitable[None]], args: argparse.Namespace) -> None:
    for n in range(5):  # warm: imports, prepared statements
        await work(n)
    if args.sql:
        await print_sql(name, work)
        return
    if args.cpu:
        cpu = time.process_time()
        for n in range(5, args.requests):
            await work(n)
        per_request = 1000 * (time.process_time() - cpu) / (args.requests - 5)
        print(f"=== {name}: {per_request:.2f} ms of CPU a request in process (client included, no profiler)")
        return
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(5, args.requests):
        await work(n)
    profiler.disable()
    per_request = 1000 * (time.perf_counter() - started) / (args.requests - 5)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
    if args.by_package:
        print_packages(name, stats)
    if args.callers:
        stats.print_callers(args.callers)
    stats.print_stats(args.top)
    print(f"\n=== {name}: {per_request:.2f} ms a request in process (profiler on) ===")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def print_packages(name: str, stats: pstats.Stats) -> None:
    """Own time summed per package (site-packages name, the stdlib module, or the project's folder)."""
    totals: dict[str, float] = {}
    for (filename, _line, _function), row in stats.stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif filename.startswith(str(ROOT)):
            key = "/".join(Path(filename).relative_to(ROOT).parts[:2])
        elif filename.startswith("<") or filename == "~":
            key = "builtins"
        else:
            key = "stdlib/" + Path(filename).stem
        totals[key] = totals.get(key, 0.0) + row[2]
    whole = sum(totals.values())
    print(f"\n=== {name}: own time per package ===")
    for key, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{100 * seconds / whole:5.1f}%  {key}")


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.seen.append(message)


async def print_sql(name: str, work: Callable[[int], Awaitable[None]]) -> None:
    """The SQL statements one (warm) request of the workload sends, as Tortoise logs them."""
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(), logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        await work(5)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    print(f"\n=== {name}: {len(handler.seen)} SQL statements ===")
    for statement in handler.seen:
        print(statement[:4000])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/profile_api.py", description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime (default), cumulative")
    parser.add_argument("--only", help="one workload: distinct, officer, officer (compiled) or cold scan")
    parser.add_argument("--callers", help="also print the callers of functions matching this pattern")
    parser.add_argument("--by-package", action="store_true", help="also sum own time per package")
    parser.add_argument("--cpu", action="store_true", help="CPU per request without the profiler")
    parser.add_argument(
        "--sql", action="store_true", help="print the SQL of one request instead of profiling"
    )
    parser.add_argument("--dsn", default=os.environ.get("OCOP_BENCH_POSTGRES_DSN", DEFAULT_DSN))
    args = parser.parse_args(argv)
    return run_session(args.dsn, "ocop_prof", "ocop-prof-", lambda s: asyncio.run(profile(s, args)))


if __name__ == "__main__":
    raise SystemExit(main())
