"""A cluster on this machine, as deployed (issue 15 item 7): nginx round-robin in front of two API replicas,
one job worker, PgBouncer in transaction mode, the machine's PostgreSQL and an S3-compatible store.

    make cluster                        # or: .venv/bin/python deploy/cluster/cluster.py [--port 8080]

Runs until Ctrl-C, printing the URLs; everything it made (processes, the schema, temporary directories)
is removed on exit. tests/test_cluster.py (`make test-cluster`) starts the same cluster through `Cluster`.

    PostgreSQL  the machine's own (OCOP_CLUSTER_POSTGRES_DSN, default postgres://postgres@127.0.0.1:5432/test),
                in a fresh schema `ocop_cluster_<random>`, dropped on exit
    PgBouncer   deploy/pgbouncer/run-local.sh, transaction pooling, the schema set server-side
    S3          moto's standalone server (a dev dependency) on loopback, one bucket; replicas and worker get
                OCOP_STORAGE_URL=s3://BUCKET?endpoint=URL and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
                With --no-s3 (or without moto: `make setup` installs it) each process keeps its files in
                its own working directory: what one process wrote is then missing on the others.
    replicas    two `server.py serve` processes, each started in its own temporary working directory
                (its own var/: nothing is shared through a local disk), each running `server.py migrate
                --demo-if-empty` first on a direct connection (the advisory lock: both start at once, the
                migrations and the demo data are applied once), then serving through PgBouncer, with the
                bus LISTENing on PostgreSQL directly (OCOP_SESSION_DATABASE_URL); OCOP_JOBS=off
    worker      one `server.py worker --local` (the job table's queue, SKIP LOCKED, through PgBouncer)
    nginx       the Debian package (`apt-get install -y nginx-light`), round-robin over the two replicas,
                WebSocket upgrades passed, each answer naming its replica in `X-Upstream`

Development settings (the demo accounts sign in: producer@demo.ocop.vn / ocop-demo-2019), one secret key
shared by the replicas and the worker (signed links made by one are checked by the other), public base URL
= the balancer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `services` importable
    sys.path.insert(0, str(ROOT))

DEFAULT_DSN = "postgres://postgres@127.0.0.1:5432/test"
RUN_PGBOUNCER = ROOT / "deploy" / "pgbouncer" / "run-local.sh"
BUCKET = "ocop-cluster"
READY_TIMEOUT_S = 240.0  # a loaded 2-core machine migrates and loads the demo slowly

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 64m;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
    upstream ocop {{
        # round-robin (nginx's default)
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://ocop;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 120s;
            proxy_buffering off;
            proxy_request_buffering off;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class ClusterError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@dataclass
class Process:
    """One process of the cluster: its command, environment, working directory and log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603 - our own commands
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the cluster script only, which stops them in order
            )

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def send(self, sig: int) -> None:
        if self.running():
            assert self.popen is not None
            self.popen.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        return self.popen.returncode


def s3_available() -> bool:
    """An S3-compatible store can be started (moto's server, a dev dependency) and the app stores its files
    by OCOP_STORAGE_URL (services/common/storage.py)."""
    return all(importlib.util.find_spec(name) is not None for name in ("moto", "services.common.storage"))


@dataclass
class Cluster:
    """The cluster; `start()` brings every piece up and waits until both replicas are ready, `stop()` (also
    as a context manager's exit) takes it down and removes what it made."""

    port: int = 0  # the balancer's; 0: a free port
    dsn: str = field(default_factory=lambda: os.environ.get("OCOP_CLUSTER_POSTGRES_DSN", DEFAULT_DSN))
    s3: bool | None = None  # None: when available
    log_level: str = "INFO"
    worker_grace_s: float | None = None  # the worker's OCOP_SHUTDOWN_GRACE_S (None: the default, 25 s)
    schema: str = field(default_factory=lambda: f"ocop_cluster_{uuid.uuid4().hex[:8]}")
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ocop-cluster-")))
    processes: dict[str, Process] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    _schema_made: bool = False
    _worker_count: int = 0

    # -- URLs ----------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['nginx']}"

    def replica_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def upstream_name(self, upstream: str) -> str:
        """'a' or 'b' for an `X-Upstream` header's value (127.0.0.1:PORT)."""
        port = int(upstream.rsplit(":", 1)[1])
        return next(name for name in ("a", "b") if self.ports[name] == port)

    @property
    def direct_url(self) -> str:
        return f"{self.dsn}?schema={self.schema}"

    @property
    def pooled_url(self) -> str:
        upstream = urlsplit(self.dsn)
        user = upstream.username or "postgres"
        dbname = upstream.path.lstrip("/")
        return (
            f"postgres://{user}@127.0.0.1:{self.ports['pgbouncer']}/{dbname}"
            f"?schema={self.schema}&statement_cache_size=0"
        )

    @property
    def storage_url(self) -> str | None:
        if not self.s3:
            return None
        return f"s3://{BUCKET}?endpoint=http://127.0.0.1:{self.ports['s3']}&region=us-east-1"

    def summary(self) -> str:
        lines = [
            f"balancer (nginx, round-robin)  {self.url}/graphql   {self.url}/",
            f"replica a                      {self.replica_url('a')}  (working directory {self.root / 'a'})",
            f"replica b                      {self.replica_url('b')}  (working directory {self.root / 'b'})",
            f"worker                         server.py worker --local  (working directory {self.root / 'worker'})",
            f"PgBouncer (transaction)        {self.pooled_url}",
            f"PostgreSQL                     {self.direct_url}",
            (
                f"S3 (moto server)               http://127.0.0.1:{self.ports['s3']}  bucket {BUCKET}"
                if self.s3
                else "S3                             off: each process keeps its files in its own var/media"
            ),
            f"logs                           {self.root}/*.log",
            "sign in                        producer@demo.ocop.vn, organiser@demo.ocop.vn, admin@demo.ocop.vn"
            " / ocop-demo-2019",
        ]
        return "\n".join(lines)

    # -- environment ---------------------------------------------------------------------------------------

    def app_env(self, workdir: Path, port: int | None = None) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("OCOP_", "AWS_")) and key not in ("DATABASE_URL", "HOST", "PORT")
        }
        env.update(
            {
                "DATABASE_URL": self.pooled_url,
                "OCOP_SESSION_DATABASE_URL": self.direct_url,
                "OCOP_ENV": "development",
                "OCOP_SECRET_KEY": self.secret_key,
                "OCOP_PUBLIC_BASE_URL": self.url,
                "OCOP_JOBS": "off",
                "OCOP_MEDIA_DIR": str(workdir / "var" / "media"),
                "LOG_LEVEL": self.log_level,
                "PYTHONUNBUFFERED": "1",
            }
        )
        if port is not None:
            env.update({"HOST": "127.0.0.1", "PORT": str(port)})
        if self.storage_url:
            env.update(
                {
                    "OCOP_STORAGE_URL": self.storage_url,
                    "AWS_ACCESS_KEY_ID": "ocop-cluster",
                    "AWS_SECRET_ACCESS_KEY": "ocop-cluster-secret",
                    "AWS_DEFAULT_REGION": "us-east-1",
                }
            )
        return env

    def _workdir(self, name: str) -> Path:
        path = self.root / name
        (path / "var" / "media").mkdir(parents=True, exist_ok=True)
        return path

    # -- start ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        for tool in ("nginx", "pgbouncer"):
            if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
                package = "nginx-light" if tool == "nginx" else tool
                raise ClusterError(f"{tool} is not installed: apt-get install -y -q {package}")
        if self.s3 is None:
            self.s3 = s3_available()
        elif self.s3 and not s3_available():
            raise ClusterError("S3 needs moto (make setup: a dev dependency) and services/common/storage.py")
        self.root.chmod(0o755)
        self.ports = {
            "nginx": self.port or free_port(),
            "a": free_port(),
            "b": free_port(),
            "pgbouncer": free_port(),
            "s3": free_port(),
        }
        from services.common import db

        asyncio.run(db.create_pg_schema(self.dsn, self.schema))
        self._schema_made = True
        self._start_pgbouncer()
        if self.s3:
            self._start_s3()
        self._start_nginx()
        self.start_replicas(("a", "b"))
        self.wait_ready(("a", "b"))
        self.start_worker()

    def _start_pgbouncer(self) -> None:
        upstream = urlsplit(self.dsn)
        env = {
            **os.environ,
            "PGHOST": upstream.hostname or "127.0.0.1",
            "PGPORT": str(upstream.port or 5432),
            "PGUSER": upstream.username or "postgres",
        }
        port = self.ports["pgbouncer"]
        bouncer = Process(
            "pgbouncer",
            [str(RUN_PGBOUNCER), str(port), upstream.path.lstrip("/"), self.schema],
            env,
            self.root,
            self.root / "pgbouncer.log",
        )
        self.processes["pgbouncer"] = bouncer
        bouncer.start()
        self._wait_port(bouncer, port, 30)

    def _start_s3(self) -> None:
        port = self.ports["s3"]
        moto = Process(
            "s3",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            {**os.environ},
            self.root,
            self.root / "s3.log",
        )
        self.processes["s3"] = moto
        moto.start()
        self._wait_port(moto, port, 60)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:  # moto's server creates a bucket on an unsigned PUT
            conn.request("PUT", f"/{BUCKET}")
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise ClusterError(f"could not create bucket {BUCKET}: HTTP {response.status}")
        finally:
            conn.close()

    def _start_nginx(self) -> None:
        folder = self.root / "nginx"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
            (folder / sub).chmod(0o777)  # nginx's workers (nobody) buffer request bodies there
        folder.chmod(0o755)
        user = "user nobody nogroup;" if os.getuid() == 0 else ""
        conf = NGINX_CONF.format(
            dir=folder, user=user, port=self.ports["nginx"], a=self.ports["a"], b=self.ports["b"]
        )
        (folder / "nginx.conf").write_text(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        check = subprocess.run(  # noqa: S603
            [nginx, "-t", "-q", "-p", str(folder), "-c", str(folder / "nginx.conf")],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise ClusterError(f"nginx refused its configuration: {check.stderr}")
        proxy = Process(
            "nginx",
            [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")],
            {**os.environ},
            folder,
            self.root / "nginx.log",
        )
        self.processes["nginx"] = proxy
        proxy.start()
        self._wait_port(proxy, self.ports["nginx"], 30)

    def start_replicas(self, names: tuple[str, ...]) -> None:
        """Start replicas at once, each `migrate --demo-if-empty` (direct) then `serve` (through PgBouncer)."""
        for name in names:
            workdir = self._workdir(name)
            env = self.app_env(workdir, self.ports[name])
            # migrate: on PostgreSQL itself (it holds a session advisory lock); serve: through the pool.
            env["CLUSTER_MIGRATE_URL"] = self.direct_url
            command = [
                "/bin/sh",
                "-c",
                'DATABASE_URL="$CLUSTER_MIGRATE_URL" "$0" "$1" migrate --demo-if-empty && exec "$0" "$1" serve',
                sys.executable,
                str(ROOT / "server.py"),
            ]
            replica = Process(f"replica {name}", command, env, workdir, self.root / f"replica-{name}.log")
            self.processes[name] = replica
            replica.start()

    def wait_ready(self, names: tuple[str, ...], timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        for name in names:
            replica = self.processes[name]
            while True:
                if not replica.running():
                    raise ClusterError(f"{replica.name} exited while starting:\n{replica.log_tail()}")
                with contextlib.suppress(OSError):
                    if http_get(self.ports[name], "/readyz")[0] == 200:
                        break
                if time.monotonic() > deadline:
                    raise ClusterError(f"{replica.name} not ready in {timeout:.0f} s:\n{replica.log_tail()}")
                time.sleep(0.2)

    def start_worker(self, *, grace_s: float | None = None) -> Process:
        """One more `server.py worker --local`, in a working directory of its own."""
        self._worker_count += 1
        name = "worker" if self._worker_count == 1 else f"worker-{self._worker_count}"
        workdir = self._workdir(name)
        env = self.app_env(workdir)
        grace_s = self.worker_grace_s if grace_s is None else grace_s
        if grace_s is not None:
            env["OCOP_SHUTDOWN_GRACE_S"] = str(grace_s)
        worker = Process(
            name,
            [sys.executable, str(ROOT / "server.py"), "worker", "--local"],
            env,
            workdir,
            self.root / f"{name}.log",
        )
        self.processes[name] = worker
        worker.start()
        return worker

    def _wait_port(self, process: Process, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not port_open(port):
            if not process.running():
                raise ClusterError(f"{process.name} exited while starting:\n{process.log_tail()}")
            if time.monotonic() > deadline:
                raise ClusterError(f"{process.name} did not listen on {port} in {timeout:.0f} s")
            time.sleep(0.1)

    def log_tails(self, lines: int = 30) -> str:
        """The last lines of every process's log (a failed test's report)."""
        parts = [f"--- {p.name} ({p.log_path}) ---\n{p.log_tail(lines)}\n" for p in self.processes.values()]
        return "".join(parts)

    # -- stop ----------------------------------------------------------------------------------------------

    def stop(self) -> None:
        order = [n for n in self.processes if n.startswith("worker")] + ["nginx", "a", "b", "pgbouncer", "s3"]
        for name in order:
            process = self.processes.get(name)
            if process is not None:
                process.stop(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        if self._schema_made:
            from services.common import db

            with contextlib.suppress(Exception):
                asyncio.run(db.drop_pg_schema(self.dsn, self.schema))
            self._schema_made = False
        if not os.environ.get("OCOP_CLUSTER_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT") or 8080))
    parser.add_argument("--no-s3", action="store_true", help="each process keeps its files on its own disk")
    args = parser.parse_args(argv)
    cluster = Cluster(port=args.port, s3=False if args.no_s3 else None)
    stop = False

    def interrupted(*_: object) -> None:
        nonlocal stop
        stop = True

    print(f"starting the cluster (logs in {cluster.root}) ...", flush=True)
    try:
        cluster.start()
        signal.signal(signal.SIGINT, interrupted)
        signal.signal(signal.SIGTERM, interrupted)
        print(cluster.summary(), flush=True)
        print("Ctrl-C stops the cluster.", flush=True)
        while not stop:
            dead = [p.name for p in cluster.processes.values() if p.popen is not None and not p.running()]
            if dead:
                print(f"stopped on its own: {', '.join(dead)} (see the logs)", file=sys.stderr)
                os.environ["OCOP_CLUSTER_KEEP"] = "1"
                return 1
            time.sleep(0.5)
        return 0
    except ClusterError as error:
        print(f"the cluster did not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        print("stopping the cluster ...", flush=True)
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main())
