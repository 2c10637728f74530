"""Loop-lag benchmark: does any hostile request of issue 12 stall the event loop of a real server?

    .venv/bin/python benchmarks/loop_lag.py [--duration 6] [--sensor-reports 20000]

1. creates a fresh schema `ocop_lag_<random>` (OCOP_BENCH_POSTGRES_DSN, as `run.py`), migrates it and seeds
   a small registry; accounts (one with no lots, a producer member, an administrator, twenty login targets);
   a published lot with one event of `--sensor-reports` sensor reports, recorded as before the per-event caps
   existed (a legacy event: its hashes are real); and fresh label runs for the download bursts;
2. starts the app as deployed (`python server.py serve`, production settings, one uvicorn worker);
3. for each phase, a prober in its own process asks `GET /healthz` then `GET /metrics` in a closed loop
   (20 ms apart) for `--duration` seconds, while this process sends one hostile request after the other
   (the first phase, `at rest`, sends nothing: the baseline, measured in the same run; it is repeated
   at the end to see the machine's drift);
4. prints, per phase, the /healthz latency (p50, p99, max), its p99 as a multiple of the baseline's, and
   the largest event-loop lag the server itself saw (`/metrics`' last sample, polled, and every
   `event_loop_lag` warning it logged during the phase); writes benchmarks/results/loop-lag-latest.json.

Exits 0 when the benchmark ran, 1 on an error (a server that does not start, a hostile request answered
with a status other than its expected refusal), 130 on interruption.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks`, `services`, `models` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.servers import Server, app_server, free_port  # noqa: E402
from benchmarks.session import DEFAULT_DSN, Session, connected, environment, run_session  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "loop-lag-latest.json"
BASE_URL = "https://ocop.bench.invalid"
PASSWORD = secrets.token_urlsafe(16)  # the accounts'; every login sent is wrong
LOGIN_TARGETS = 20
LABEL_RUNS = 40
PROBE_PAUSE_S = 0.02
PRODUCTS = "query($s: String) { products(filter: {search: $s}) { totalCount } }"
_LAG_LOGGED = re.compile(rb'lag_ms"?\s*[:=]\s*([0-9.]+)')


# -- the data ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Seeded:
    nobody: str  # a session token of an account with no role anywhere
    member: str  # a producer member's, with lots
    admin: str  # a central administrator's (label downloads)
    login_emails: list[str]
    label_runs: list[int]
    sensor_lot: str  # the global ID of the lot with the legacy event
    sensor_reports: int
    gtin_link: str  # a Digital Link of the member's lot, for capture documents


async def seed(sensor_reports: int) -> Seeded:
    from benchmarks import seed as registry_seed
    from models import EventType, Membership, Product, Role, User
    from services.accounts import auth
    from services.labels.runs import LabelRunData, create_label_run
    from services.policy import SYSTEM
    from services.registry import reference
    from services.trace import events as trace
    from services.trace.batches import BatchData, create_batch
    from services.trace.identity import batch_link

    started = time.perf_counter()

    def step(what: str) -> None:
        print(f"  {what}: {time.perf_counter() - started:.1f} s", flush=True)

    await reference.sync_all()
    await registry_seed.seed(30, 200)
    step("registry")
    product = await Product.filter(is_published=True).exclude(gtin=None).order_by("id").first()
    if product is None:
        raise RuntimeError("no published product with a GTIN")
    password_hash = auth.hash_password(PASSWORD)  # once: argon2 is slow on purpose

    async def account(email: str, role: Role | None = None, **scope: Any) -> User:
        user = await User.create(email=email, display_name=email.split("@")[0], password_hash=password_hash)
        if role is not None:
            await Membership.create(user_id=user.id, role=role, **scope)
        return user

    nobody = await account("nobody@bench.ocop.vn")
    member = await account("member@bench.ocop.vn", Role.PRODUCER_MEMBER, producer_id=product.producer_id)
    admin = await account("admin@bench.ocop.vn", Role.CENTRAL_ADMIN)
    emails = [f"target{n}@bench.ocop.vn" for n in range(LOGIN_TARGETS)]
    for email in emails:
        await account(email)

    made = dt.date.today() - dt.timedelta(days=10)
    lot = await create_batch(
        BatchData(product_id=product.id, lot_code="SENSOR1", production_date=made, quantity=Decimal(100)),
        SYSTEM,
    )
    # An event recorded before the per-event caps: thousands of sensor reports, real hashes and chain.
    report = {"type": "Temperature", "value": 4.5, "uom": "CEL", "time": "2026-01-01T07:00:00+07:00"}
    caps = trace.MAX_SENSOR_REPORTS, trace.MAX_FREE_JSON_BYTES
    trace.MAX_SENSOR_REPORTS, trace.MAX_FREE_JSON_BYTES = 10**9, 10**12
    try:
        await trace.record_event(
            trace.EventInput(
                event_type=EventType.OBJECT,
                event_time=dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=5),
                subjects=[trace.QuantityData(lot.id)],
                biz_step="storing",
                sensor_elements=[{"sensorReport": [report] * sensor_reports}],
            ),
            SYSTEM,
            BASE_URL,
        )
    finally:
        trace.MAX_SENSOR_REPORTS, trace.MAX_FREE_JSON_BYTES = caps
    step(f"an event of {sensor_reports:,} sensor reports")
    runs = []
    for n in range(LABEL_RUNS):
        batch = await create_batch(
            BatchData(product_id=product.id, lot_code=f"LABEL{n}", production_date=made), SYSTEM
        )
        run = await create_label_run(
            LabelRunData(batch_id=batch.id, template="L7651", count=65),
            SYSTEM,
            user_id=admin.id,
            base_url=BASE_URL,
        )
        runs.append(run.id)
    step(f"{LABEL_RUNS} label runs")
    return Seeded(
        nobody=await auth.issue_session(nobody.id),
        member=await auth.issue_session(member.id),
        admin=await auth.issue_session(admin.id),
        login_emails=emails,
        label_runs=runs,
        sensor_lot=base64.b64encode(f"Batch:{lot.id}".encode()).decode(),
        sensor_reports=sensor_reports,
        gtin_link=batch_link(BASE_URL, product_id=product.id, gtin=product.gtin, lot_code="SENSOR1"),
    )


# -- raw HTTP, so that a refusal before the body is read is an answer, not an error ------------------------


def http(
    port: int,
    method: str,
    path: str,
    body: bytes | Iterator[bytes] = b"",
    headers: dict[str, str] | None = None,
) -> int:
    """One request on its own connection (`Connection: close`); `body` as bytes (Content-Length) or as an
    iterator (chunked). Returns the status, also when the server answered before taking the whole body and
    closed (a reset while sending is then read past); 0 when nothing came back."""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    head.append(f"Content-Length: {len(body)}" if isinstance(body, bytes) else "Transfer-Encoding: chunked")
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            if isinstance(body, bytes):
                sock.sendall(body)
            else:
                for chunk in body:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered early: read the answer below
        received = b""
        try:
            while b"\r\n" not in received:
                data = sock.recv(65536)
                if not data:
                    break
                received += data
            while sock.recv(1 << 20):  # drain, so the server is not slowed by a full socket buffer
                pass
        except (ConnectionResetError, TimeoutError):
            pass
    line = received.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) >= 2 and line[1].isdigit() else 0


def graphql_body(query: str, variables: dict[str, Any] | None = None) -> bytes:
    return orjson.dumps({"query": query, "variables": variables or {}})


def spaces(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        sent += chunk
        yield b" " * chunk


# -- the hostile requests ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Attack:
    name: str
    send: Callable[[], list[int]]  # one round: the statuses it got (a burst gets several)
    expected: frozenset[int]


def capture_document(link: str, events: int, pad: int = 0) -> bytes:
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-01-01T07:00:00+07:00",
        "eventTimeZoneOffset": "+07:00",
        "action": "OBSERVE",
        "bizStep": "https://ref.gs1.org/cbv/BizStep-storing",
        "quantityList": [{"epcClass": link, "quantity": 1, "uom": "KGM"}],
    }
    if pad:
        event["sourceList"] = [{"type": "urn:example:s", "source": f"urn:example:{'x' * pad}"}]
    return orjson.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-01-01T07:00:00+07:00",
            "epcisBody": {"eventList": [event] * events},
        }
    )


def attacks(port: int, data: Seeded) -> list[Attack]:
    json_type = {"Content-Type": "application/json"}
    long_search = graphql_body(PRODUCTS, {"s": " ".join(f"w{i}" for i in range(40_000))[:120_000]})
    huge_search = graphql_body(PRODUCTS, {"s": "ab " * 2_000_000})
    capture_big = capture_document(data.gtin_link, 17_500)
    nodes = graphql_body(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [base64.b64encode(f"Product:{i}".encode()).decode() for i in range(1, 1001)]},
    )
    sensor_view = graphql_body(
        "query($id: ID!) { batch(id: $id) { integrity { valid eventsChecked } epcisDocument } }",
        {"id": data.sensor_lot},
    )
    login = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }"
    runs = iter(data.label_runs)
    pool = ThreadPoolExecutor(max_workers=20)

    def post(path: str, body: bytes | Iterator[bytes], headers: dict[str, str]) -> Callable[[], list[int]]:
        return lambda: [http(port, "POST", path, body() if callable(body) else body, headers)]

    def capture(token: str, body: bytes | Callable[[], Iterator[bytes]]) -> Callable[[], list[int]]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"}
        return lambda: [http(port, "POST", "/epcis/capture", body() if callable(body) else body, headers)]

    def logins() -> list[int]:
        targets = data.login_emails
        bodies = [graphql_body(login, {"e": targets[0], "p": f"sai-{n}"}) for n in range(20)]
        targets.append(targets.pop(0))  # the next burst aims at the next account
        return list(pool.map(lambda b: http(port, "POST", "/graphql", b, json_type), bodies))

    def downloads() -> list[int]:
        run = next(runs, None)
        if run is None:
            raise RuntimeError(f"more than {LABEL_RUNS} download bursts: raise LABEL_RUNS")
        headers = {"Authorization": f"Bearer {data.admin}"}
        return list(pool.map(lambda _: http(port, "GET", f"/labels/runs/{run}/pdf", b"", headers), range(10)))

    assert 4_000_000 < len(capture_big) < 5_000_000, len(capture_big)
    return [
        Attack("search 120 KB of words", post("/graphql", long_search, json_type), frozenset({200})),
        Attack("search 6 MB", post("/graphql", huge_search, json_type), frozenset({413})),
        Attack("capture 4.6 MB, no lots", capture(data.nobody, capture_big), frozenset({403})),
        Attack("capture 4.6 MB, member", capture(data.member, capture_big), frozenset({413})),
        Attack("capture body > 5 MB", capture(data.member, lambda: spaces(6_000_000)), frozenset({413})),
        Attack(
            "graphql body > 1 MB",
            post("/graphql", lambda: spaces(2_000_000), json_type),  # type: ignore[arg-type]
            frozenset({413}),
        ),
        Attack("20 parallel wrong logins", logins, frozenset({200})),
        Attack("10 downloads, fresh run", downloads, frozenset({200})),
        Attack(
            f"lot of {data.sensor_reports:,} sensor reports",
            post("/graphql", sensor_view, json_type),
            frozenset({200}),
        ),
        Attack("nodes(ids) x 1000", post("/graphql", nodes, json_type), frozenset({200})),
    ]


# -- the prober (its own process) -------------------------------------------------------------------------


def probe(port: int, seconds: float, token: str = "") -> dict[str, Any]:
    """GET /healthz, then GET /metrics, 20 ms apart, each on one keep-alive connection: /healthz latencies
    and the largest `last` lag /metrics showed."""
    import http.client

    def get(
        conn: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        # A connection the server closed meanwhile (its keep-alive timer runs out during a long stall) is
        # opened again: the time counts from the first attempt.
        for attempt in range(3):
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    healthz = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    metrics = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    latencies: list[float] = []
    lags: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        status, _ = get(healthz, "/healthz")
        latencies.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"/healthz answered {status}")
        text = get(metrics, "/metrics", {"authorization": f"Bearer {token}"})[1].decode()
        for line in text.splitlines():
            if line.startswith('ocop_event_loop_lag_seconds{sample="last"}'):
                lags.append(float(line.rsplit(" ", 1)[1]) * 1000)
        time.sleep(PROBE_PAUSE_S)
    return {"latencies_ms": latencies, "lags_ms": lags}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


# -- a phase ----------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    attack: Attack | None
    healthz_ms: list[float] = field(default_factory=list)
    polled_lag_ms: float = 0.0
    logged_lag_ms: float = 0.0
    rounds: int = 0
    round_s: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def p(self, q: float) -> float:
        return _percentile(self.healthz_ms, q)

    @property
    def max_lag_ms(self) -> float:
        return max(self.polled_lag_ms, self.logged_lag_ms)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "healthz_requests": len(self.healthz_ms),
            "healthz_p50_ms": self.p(0.5),
            "healthz_p99_ms": self.p(0.99),
            "healthz_max_ms": max(self.healthz_ms),
            "max_loop_lag_ms": self.max_lag_ms,
            "polled_loop_lag_ms": self.polled_lag_ms,
            "logged_loop_lag_ms": self.logged_lag_ms,
            "hostile_rounds": self.rounds,
            "hostile_round_median_s": statistics.median(self.round_s) if self.round_s else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def run_phase(phase: Phase, app: Server, seconds: float) -> None:
    log_start = app.log_path.stat().st_size
    prober = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.loop_lag",
            "--probe",
            str(app.port),
            str(seconds),
            app.env["OCOP_METRICS_TOKEN"],
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    stop = threading.Event()
    failure: list[BaseException] = []

    def hostile() -> None:
        assert phase.attack is not None
        try:
            while not stop.is_set():
                started = time.perf_counter()
                statuses = phase.attack.send()
                phase.round_s.append(time.perf_counter() - started)
                phase.rounds += 1
                phase.statuses.update(statuses)
        except BaseException as exc:  # reported by the phase
            failure.append(exc)

    worker = threading.Thread(target=hostile, daemon=True) if phase.attack else None
    time.sleep(0.3)  # the prober is up before the first hostile request
    if worker:
        worker.start()
    out, _ = prober.communicate(timeout=seconds + 300)
    stop.set()
    if worker:
        worker.join(timeout=300)
    if prober.returncode != 0:
        raise RuntimeError(f"the prober failed in phase {phase.name}")
    if failure:
        raise RuntimeError(f"phase {phase.name}: {failure[0]!r}")
    result = json.loads(out)
    phase.healthz_ms = result["latencies_ms"]
    phase.polled_lag_ms = max(result["lags_ms"], default=0.0)
    with app.log_path.open("rb") as log:
        log.seek(log_start)
        logged = [
            float(m.group(1))
            for line in log.read().splitlines()
            if b"event_loop_lag" in line
            for m in [_LAG_LOGGED.search(line)]
            if m
        ]
    phase.logged_lag_ms = max(logged, default=0.0)
    unexpected = set(phase.statuses) - set(phase.attack.expected) if phase.attack else set()
    if unexpected:
        raise RuntimeError(f"phase {phase.name}: unexpected statuses {dict(phase.statuses)}")


# -- the report -------------------------------------------------------------------------------------------


def report(phases: list[Phase]) -> list[str]:
    baseline = phases[0].p(0.99)
    lines = [
        f"{'phase':<34} {'rounds':>6} {'round s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'p99/base':>8} {'max lag ms':>10}",
        "-" * 95,
    ]
    for phase in phases:
        median = statistics.median(phase.round_s) if phase.round_s else None
        lines.append(
            f"{phase.name:<34} {phase.rounds if phase.attack else '':>6} "
            f"{f'{median:.2f}' if median is not None else '':>8} {phase.p(0.5):>7.1f} {phase.p(0.99):>7.1f} "
            f"{max(phase.healthz_ms):>7.1f} {phase.p(0.99) / baseline:>7.1f}x {phase.max_lag_ms:>10.0f}"
        )
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/loop_lag.py",
        description="/healthz latency and the server's loop lag while each hostile request of issue 12 is sent.",
    )
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per phase (6)")
    parser.add_argument(
        "--sensor-reports", type=int, default=10_000, help="sensor reports of the legacy event (10000)"
    )
    parser.add_argument("--dsn", default=os.environ.get("OCOP_BENCH_POSTGRES_DSN", DEFAULT_DSN))
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--probe", nargs=3, metavar=("PORT", "SECONDS", "TOKEN"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.probe:
        port, seconds, token = args.probe
        sys.stdout.write(json.dumps(probe(int(port), float(seconds), token)))
        return 0
    return run_session(args.dsn, "ocop_lag", "ocop-lag-", lambda session: benchmark(session, args))


def benchmark(session: Session, args: argparse.Namespace) -> None:
    from services.common import settings

    app = app_server(args.dsn, session.schema, free_port(), session.logs)
    app.env["OCOP_PUBLIC_BASE_URL"] = BASE_URL  # the base the legacy event was hashed with

    async def prepare() -> Seeded:
        # The app's secret: the session tokens issued here are stored as its MAC.
        with settings.overridden(secret_key=app.env["OCOP_SECRET_KEY"]):
            async with connected(args.dsn, session.schema, migrate=True):
                return await seed(args.sensor_reports)

    started = time.perf_counter()
    data = asyncio.run(prepare())
    print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
    session.servers.append(app)
    app.start()
    app.wait_ready()
    phases = [Phase("at rest (baseline)", None)]
    phases += [Phase(attack.name, attack) for attack in attacks(app.port, data)]
    phases.append(Phase("at rest (again)", None))
    for phase in phases:
        print(f"  {phase.name} ...", flush=True)
        run_phase(phase, app, args.duration)
    lines = report(phases)
    print()
    print("\n".join(lines))
    print(
        "\nround s: median time of one hostile round (a burst for logins and downloads); p50/p99/max: GET "
        "/healthz, sent every 20 ms by a separate process; max lag: the largest event-loop lag the server "
        "measured (its /metrics, polled, and its event_loop_lag warnings)"
    )
    document = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": {"duration_s": args.duration, "sensor_reports": args.sensor_reports},
        "environment": environment(session.postgres),
        "phases": [phase.as_dict() for phase in phases],
        "table": lines,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"\nresults: {args.output}")


if __name__ == "__main__":
    raise SystemExit(main())
