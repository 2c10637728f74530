"""Compiled execution (schema/compiled/) against graphql-core, on PostgreSQL: CPU per request in process and
throughput through HTTP, with the plain Starlette + one SQL floor measured in the same run.

    .venv/bin/python benchmarks/compiled_bench.py [--rounds 300] [--duration 8] [--connections 16]

1. creates a schema `ocop_cbench_<random>`, seeds the registry (benchmarks/seed.py), a province officer of
   the province with most products, and registers the two documents as trusted documents;
2. in process, for each query (the benchmark's `products(first: 50)` as an anonymous caller, and the
   officer's listing of their province, signed in): CPU per request of graphql-core and of the compiled
   plan, (a) the executor alone (graphql-core's `execute` on the parsed document) and (b) the GraphQL
   request (`schema.execute`: parser and validation caches, limits, extensions, execution), alternating
   the two in rounds so that drift hits both; both answers must be equal; then a profile of what the
   compiled request still spends its CPU on;
3. through HTTP (`python server.py serve`, one worker, production settings, OCOP_GRAPHQL_COMPILED=registered):
   floor, each query sent free-form (graphql-core) and by its hash (compiled), floor again; throughput as a
   share of the floor's mean, server CPU per request, p99/p50.

Exits 0 when the benchmark ran (whatever the figures), 1 on an error, 130 on interruption.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import io
import os
import pstats
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.phases import Phase, loadgen_command, run_load, table  # noqa: E402
from benchmarks.servers import Server, app_server, free_port  # noqa: E402
from benchmarks.session import DEFAULT_DSN, Session, connected, run_session  # noqa: E402
from benchmarks.verify import QUERY as PRODUCTS  # noqa: E402

OFFICER = (
    "query OfficerListing($province: String!) { products(first: 50, filter: {provinceCode: $province}) "
    "{ totalCount edges { cursor node { id name gtin isPublished stars producer { name } group { name } } } "
    "pageInfo { hasNextPage endCursor } } }"
)
OFFICER_EMAIL = "officer.bench@ocop.test"
PASSWORD = "ocop-bench-officer"  # noqa: S105 - a throwaway account in a throwaway schema


def sha(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


async def prepare(dsn: str, schema: str, producers: int, products: int) -> dict[str, Any]:
    from tortoise import connections

    from benchmarks import seed
    from models import AdminUnit, Membership, Role
    from schema import LIMITS
    from schema import schema as graphql_schema
    from schema.trusted import validator
    from services.accounts import auth as accounts
    from services.api import trusted_documents
    from services.policy import SYSTEM
    from services.registry import reference

    async with connected(dsn, schema, migrate=True):
        await reference.sync_all()
        counts = await seed.seed(producers, products)
        _, rows = await connections.get("default").execute_query(
            "SELECT province_id, count(*) AS n FROM product JOIN producer ON producer.id = product.producer_id "
            "GROUP BY province_id ORDER BY n DESC LIMIT 1"
        )
        province = await AdminUnit.get(id=rows[0]["province_id"])
        user = await accounts.create_user(OFFICER_EMAIL, "Officer (bench)", PASSWORD)
        await Membership.create(user_id=user.id, role=Role.PROVINCE_OFFICER, province_id=province.id)
        token = await accounts.issue_session(user.id)
        entries = trusted_documents.read_manifest({sha(PRODUCTS): PRODUCTS, sha(OFFICER): OFFICER})
        validate = validator(graphql_schema, LIMITS)
        await trusted_documents.register(entries, validate=validate, reach=SYSTEM, registered_by="bench")
    return {
        "seed": counts.as_dict(),
        "province": province.code,
        "province_products": rows[0]["n"],
        "token": token,
    }


def _cpu_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median": 1000 * ordered[len(ordered) // 2], "mean": 1000 * sum(ordered) / len(ordered)}


async def in_process(dsn: str, schema: str, token: str, province: str, rounds: int) -> dict[str, Any]:
    from graphql import execute, parse

    from schema import build_schema
    from schema.compiled import policy
    from schema.compiled.executor import CompiledExecutor
    from schema.context import Context
    from services.accounts import auth as accounts
    from services.common import settings
    from services.common.settings import Environment
    from services.policy import reach_of

    environ = {
        "OCOP_ENV": Environment.PRODUCTION,
        "LOG_LEVEL": "WARNING",
        "OCOP_SECRET_KEY": os.environ["OCOP_SECRET_KEY"],
    }
    settings.configure(settings.load_settings(environ))
    served = build_schema(production=True)
    report: dict[str, Any] = {}
    async with connected(dsn, schema):
        officer = await accounts.authenticate(f"Bearer {token}")
        reach = await reach_of(officer)
        cases = {
            "products(first: 50), anonymous": (PRODUCTS, {}, None),
            "officer listing": (OFFICER, {"province": province}, officer),
        }
        for name, (query, variables, actor) in cases.items():

            def context(actor: Any = actor) -> Context:
                if actor is None:
                    return Context(request=None)
                return Context(request=None, actor=actor, reach=reach)

            document = parse(query)

            async def executor_only(
                compiled: bool, document: Any = document, variables: Any = variables
            ) -> Any:
                policy.begin(force=compiled)
                result = execute(
                    served._schema,
                    document,
                    context_value=context(),
                    variable_values=variables,
                    executor_class=CompiledExecutor,
                )
                return await result if isinstance(result, Awaitable) else result

            async def whole(compiled: bool, query: str = query, variables: Any = variables) -> Any:
                execution = policy.begin(force=compiled)
                result = await served.execute(query, variable_values=variables, context_value=context())
                assert execution.compiled is compiled, execution
                return result

            reference, compiled_result = await whole(False), await whole(True)
            assert not reference.errors, reference.errors
            same = orjson.dumps(reference.data, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
                compiled_result.data, option=orjson.OPT_SORT_KEYS
            )
            assert same, "compiled and graphql-core answers differ"
            samples: dict[str, list[float]] = {
                k: [] for k in ("exec_core", "exec_compiled", "req_core", "req_compiled")
            }
            for _ in range(20):  # warm caches, plans, loaders' code paths
                await executor_only(False), await executor_only(True), await whole(False), await whole(True)
            for _ in range(rounds):
                calls: tuple[tuple[str, Callable[[], Awaitable[Any]]], ...] = (
                    ("exec_core", lambda: executor_only(False)),
                    ("exec_compiled", lambda: executor_only(True)),
                    ("req_core", lambda: whole(False)),
                    ("req_compiled", lambda: whole(True)),
                )
                for key, call in calls:
                    started = time.process_time()
                    await call()
                    samples[key].append(time.process_time() - started)
            figures = {key: _cpu_ms(values) for key, values in samples.items()}
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(max(20, rounds // 5)):
                await whole(True)
            profile.disable()
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(14)
            report[name] = {"cpu_ms": figures, "profile": text.getvalue()}
    settings.configure(None)
    return report


def print_in_process(report: dict[str, Any]) -> None:
    print(
        "\nIn process, CPU per request (median of the rounds, ms; the SQL is PostgreSQL's CPU, not counted)"
    )
    print(
        f"{'query':<34} {'executor core':>13} {'compiled':>9} {'ratio':>6} {'request core':>13} {'compiled':>9} {'ratio':>6}"
    )
    for name, entry in report.items():
        cpu = entry["cpu_ms"]
        ec, ex, rc, rx = (
            cpu[k]["median"] for k in ("exec_core", "exec_compiled", "req_core", "req_compiled")
        )
        print(f"{name:<34} {ec:>13.2f} {ex:>9.2f} {ec / ex:>5.2f}x {rc:>13.2f} {rx:>9.2f} {rc / rx:>5.2f}x")
    for name, entry in report.items():
        print(f"\nProfile of the compiled request, {name} (by own time):")
        lines = [line for line in entry["profile"].splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print("\n".join(lines[max(0, start - 1) : start + 15]))


def http_phases(session: Session, args: argparse.Namespace, prepared: dict[str, Any]) -> list[Phase]:
    app_port, floor_port = free_port(), free_port()
    app = app_server(args.dsn, session.schema, app_port, session.logs)
    app.env["OCOP_GRAPHQL_COMPILED"] = "registered"
    app.env["OCOP_SECRET_KEY"] = os.environ["OCOP_SECRET_KEY"]
    floor = Server(
        "floor",
        [sys.executable, "benchmarks/floor_app.py"],
        {"FLOOR_DSN": args.dsn, "FLOOR_SCHEMA": session.schema, "HOST": "127.0.0.1", "PORT": str(floor_port)},
        floor_port,
        session.logs / "floor.log",
    )
    session.servers += [app, floor]
    for server in (app, floor):
        server.start()
    for server in (app, floor):
        server.wait_ready()
    officer_vars = {"province": prepared["province"]}
    auth = [f"Authorization: Bearer {prepared['token']}"]
    bodies: list[tuple[str, Server, str, list[str]]] = [
        ("floor #1", floor, orjson.dumps({"query": PRODUCTS}).decode(), []),
        ("products core", app, orjson.dumps({"query": PRODUCTS}).decode(), []),
        ("products compiled", app, orjson.dumps({"documentId": f"sha256:{sha(PRODUCTS)}"}).decode(), []),
        ("officer core", app, orjson.dumps({"query": OFFICER, "variables": officer_vars}).decode(), auth),
        (
            "officer compiled",
            app,
            orjson.dumps({"documentId": f"sha256:{sha(OFFICER)}", "variables": officer_vars}).decode(),
            auth,
        ),
        ("floor #2", floor, orjson.dumps({"query": PRODUCTS}).decode(), []),
    ]
    phases = []
    for name, server, body, headers in bodies:
        phase = Phase(name, server)
        command = loadgen_command(server.url, args, body=body)
        for header in headers:
            command += ["--header", header]
        print(
            f"  {name}: {args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s ...",
            flush=True,
        )
        run_load(phase, command)
        phases.append(phase)
    return phases


def print_http(phases: list[Phase]) -> dict[str, Any]:
    print("\nThrough HTTP (one uvicorn worker each; loadgen in its own process)")
    for line in table(phases):
        print(line)
    floors = [p for p in phases if p.server.name == "floor"]
    floor = sum(p.rps for p in floors) / len(floors)
    drift = 100 * abs(floors[0].rps - floors[1].rps) / floor
    print(
        f"\nfloor: {floors[0].rps:.0f} and {floors[1].rps:.0f} req/s (mean {floor:.0f}, drift {drift:.1f}%"
        f"{' > 10%: rerun on a quieter machine' if drift > 10 else ''})"
    )
    summary: dict[str, Any] = {"floor_rps": floor, "floor_drift_pct": drift}
    for phase in phases:
        if phase.server.name == "floor":
            continue
        share = 100 * phase.rps / floor
        ratio = phase.latency("p99") / phase.latency("p50")
        summary[phase.name] = {
            "rps": phase.rps,
            "share_of_floor_pct": share,
            "p99_over_p50": ratio,
            "cpu_ms_per_request": phase.cpu_ms_per_request,
        }
        print(
            f"{phase.name:<18} {share:5.1f}% of the floor, p99/p50 {ratio:.2f}, server CPU "
            f"{phase.cpu_ms_per_request or float('nan'):.2f} ms/request"
        )
    for name in ("products", "officer"):
        core, compiled = summary[f"{name} core"], summary[f"{name} compiled"]
        print(f"{name}: compiled/core throughput {compiled['rps'] / core['rps']:.2f}x")
    return summary


def benchmark(session: Session, args: argparse.Namespace) -> None:
    # The officer's token is hashed with the secret key: the bench process and the app share one.
    os.environ["OCOP_SECRET_KEY"] = secrets.token_urlsafe(32)
    started = time.perf_counter()
    prepared = asyncio.run(prepare(args.dsn, session.schema, args.producers, args.products))
    print(
        f"seeded in {time.perf_counter() - started:.1f} s: {prepared['seed']['products']} products; officer of "
        f"province {prepared['province']} ({prepared['province_products']} products); 2 documents registered",
        flush=True,
    )
    report = asyncio.run(
        in_process(args.dsn, session.schema, prepared["token"], prepared["province"], args.rounds)
    )
    print_in_process(report)
    summary: dict[str, Any] = {}
    if args.duration > 0:
        summary = print_http(http_phases(session, args, prepared))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "in_process_cpu_ms": {name: entry["cpu_ms"] for name, entry in report.items()},
        "http": summary,
        "config": {k: str(v) for k, v in vars(args).items()},
    }
    args.output.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"\nresults: {args.output}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/compiled_bench.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=300, help="in-process rounds per query (300)")
    parser.add_argument(
        "--duration", type=float, default=8.0, help="measured seconds per HTTP phase (8; 0: none)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds before each phase (2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (16)")
    parser.add_argument("--products", type=int, default=2000, help="products to seed (2000)")
    parser.add_argument("--producers", type=int, default=300, help="producers to seed (300)")
    parser.add_argument("--dsn", default=os.environ.get("OCOP_BENCH_POSTGRES_DSN", DEFAULT_DSN))
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "compiled.json")
    args = parser.parse_args(argv)
    if args.rounds < 10 or args.duration < 0 or args.connections < 1:
        parser.error("--rounds >= 10, --duration >= 0, --connections >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_session(args.dsn, "ocop_cbench", "ocop-cbench-", lambda session: benchmark(session, args))


if __name__ == "__main__":
    raise SystemExit(main())
