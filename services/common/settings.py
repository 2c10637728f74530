"""Settings from the environment, read once at start-up.

`load_settings()` is the only place that reads the environment (besides models/db.py's database URL, which
it calls). The process that starts the service (`create_app`, a CLI command) calls `configure(settings)`
once; every module then asks `current()` when it needs a value, never `os.environ`, and no module reads
the environment when it is imported. A process nobody configured (a test, a script, a tool) gets the
environment as it is at the call; sandboxed children get their parent's settings (services/common/sandbox).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from models.db import DEFAULT_DATABASE_URL, DEFAULT_POOL_SIZE
from services.common import storage_location

# Printed in QR codes. Without OCOP_PUBLIC_BASE_URL it follows HOST and PORT (127.0.0.1 for a wildcard host),
# so that `PORT=8101 make run` prints links that open. Changing it later is safe: hashed identifiers keep the
# base URL the installation minted them with (services/common/instance.py).
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


def default_public_base_url(host: str, port: int) -> str:
    """http://{host}:{port}, with 127.0.0.1 for a host that listens everywhere (0.0.0.0, ::, empty)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host  # noqa: S104 - compared, not bound
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


DEFAULT_MEDIA_DIR = Path("var/media")
DEFAULT_UPLOAD_MAX_MB = 25.0


class TrustedDocuments(StrEnum):
    """OCOP_TRUSTED_DOCUMENTS: which GraphQL documents /graphql runs (docs/operators.md)."""

    OFF = "off"  # free-form documents only; a document id is refused (PERSISTED_QUERY_NOT_SUPPORTED)
    ALLOW = "allow"  # both
    ONLY = "only"  # anonymous callers run registered documents only; signed-in callers may send any


def trusted_documents_mode(value: str | None) -> TrustedDocuments:
    """The mode written in OCOP_TRUSTED_DOCUMENTS (`allow` when unset); a ValueError naming the fix otherwise,
    so that a typo stops the start-up instead of opening (or closing) the API by surprise."""
    text = (value or "").strip().lower() or TrustedDocuments.ALLOW
    try:
        return TrustedDocuments(text)
    except ValueError:
        raise ValueError(
            f"OCOP_TRUSTED_DOCUMENTS={value!r} is not a mode: set it to off, allow or only"
            " (docs/operators.md, 'Trusted documents')"
        ) from None


class GraphQLCompiled(StrEnum):
    """OCOP_GRAPHQL_COMPILED: which GraphQL queries run on a compiled plan (schema/compiled/, docs/operators.md)."""

    OFF = "off"  # graphql-core runs every operation
    REGISTERED = "registered"  # trusted documents run by their hash
    SEEN = "seen"  # those, and any document run OCOP_GRAPHQL_COMPILED_AFTER times in this process


def graphql_compiled_mode(value: str | None) -> GraphQLCompiled:
    """The mode written in OCOP_GRAPHQL_COMPILED (`seen` when unset); a ValueError naming the fix."""
    text = (value or "").strip().lower() or GraphQLCompiled.SEEN
    try:
        return GraphQLCompiled(text)
    except ValueError:
        raise ValueError(
            f"OCOP_GRAPHQL_COMPILED={value!r} is not a mode: set it to off, registered or seen"
            " (docs/operators.md, 'Compiled execution')"
        ) from None


def graphql_compiled_after(value: str | None) -> int:
    """OCOP_GRAPHQL_COMPILED_AFTER: a count of executions >= 1 (3 when unset)."""
    text = (value or "").strip() or "3"
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(
            f"OCOP_GRAPHQL_COMPILED_AFTER={value!r}: write how many executions of a document come before it is"
            " compiled, a whole number >= 1 (docs/operators.md, 'Compiled execution')"
        )
    return count


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    environment: Environment
    public_base_url: str
    host: str
    port: int
    log_level: str
    # Budget of one operation's cost (see schema/limits.py) and the time one GraphQL request may take.
    max_query_cost: int = 10_000
    request_timeout_s: float = 10.0
    # Label files, job results, uploads and previews live under it (OCOP_MEDIA_DIR).
    media_dir: Path = DEFAULT_MEDIA_DIR
    # The largest accepted upload (OCOP_UPLOAD_MAX_MB); a value that is not a number falls back to 25.
    upload_max_mb: float = DEFAULT_UPLOAD_MAX_MB
    # Who runs jobs (OCOP_JOBS), as written: services/jobs/queue.backend() checks it against the database.
    jobs: str = "local"
    # Overrides of every job kind's own limits (OCOP_JOB_TIMEOUT_S, OCOP_JOB_MEMORY_MB), and when a
    # running job without a heartbeat is taken for interrupted (OCOP_JOB_STALE_S).
    job_timeout_s: float | None = None
    job_memory_mb: float | None = None
    job_stale_s: float = 60.0
    # OCOP_SECRET_KEY; None outside production means "the key kept in var/secret_key" (services/common/
    # signing.py). Not in the repr, so that logging the settings never prints it.
    secret_key: str | None = field(default=None, repr=False)
    # OCOP_REGION_HEADER: a proxy's header naming the visitor's region, lower-cased, for scan statistics.
    region_header: str | None = None
    # Cheapest argon2 parameters (OCOP_PASSWORD_HASH=fast): honoured only when OCOP_ENV=test, so that no
    # deployment can weaken its password hashes by a stray variable (services/accounts/auth.py).
    fast_password_hash: bool = False
    # OCOP_RENDER_CONCURRENCY: sandboxed child processes (renders, upload checks) one process runs at once;
    # more wait in line (services/common/sandbox.py). Each child may take hundreds of MB.
    render_concurrency: int = 2
    # OCOP_PASSWORD_HASH_THREADS: argon2 hashes and checks at once, in worker threads (a login flood queues
    # instead of taking every thread; services/accounts/auth.py).
    password_hash_threads: int = 2
    # OCOP_LOOP_LAG_INTERVAL_S and OCOP_LOOP_LAG_WARN_MS: how often the event loop's lag is sampled, and the
    # lag above which `event_loop_lag` is logged as a warning (web/probes.py).
    loop_lag_interval_s: float = 0.1
    loop_lag_warn_ms: float = 200.0
    # Serial scans (services/labels/scans.py, docs/labels.md): the window a copy is looked for in
    # (OCOP_SCAN_WINDOW_H), the distinct networks (OCOP_SCAN_FLAG_NETWORKS) or regions
    # (OCOP_SCAN_FLAG_REGIONS, with at least two networks) that flag a serial, one counted scan per serial
    # and network per OCOP_SCAN_NETWORK_INTERVAL_S, and at most OCOP_SCAN_NETWORK_MAX_PER_HOUR counted scans
    # of one network per clock hour, all serials and (on PostgreSQL) all replicas together.
    scan_window_h: float = 24.0
    scan_flag_networks: int = 5
    scan_flag_regions: int = 3
    scan_network_interval_s: float = 3600.0
    scan_network_max_per_hour: int = 120
    # The largest POST /graphql body (OCOP_GRAPHQL_MAX_BYTES), refused while streaming, before parsing.
    graphql_max_bytes: int = 1_000_000
    # A lot's integrity check (services/trace/integrity.py) hashes in worker threads, at most
    # OCOP_INTEGRITY_THREADS at once, and answers "not verified yet" when it takes longer than
    # OCOP_INTEGRITY_TIMEOUT_S seconds (neither valid nor a tamper warning).
    integrity_timeout_s: float = 3.0
    integrity_threads: int = 2
    # createLabelRun warns (LOT_EXPIRES_SOON) when a lot's expiry date is this many days away or fewer
    # (OCOP_LABEL_EXPIRY_WARNING_DAYS); an expired lot needs confirmExpired (docs/labels.md).
    label_expiry_warning_days: int = 30
    # OCOP_SHUTDOWN_GRACE_S: on SIGTERM, how long a replica finishes its in-flight requests and a worker its
    # running job before it stops anyway (a job still running then goes back to the queue for another
    # worker). Keep it below the orchestrator's own grace period (Kubernetes: 30 s by default).
    shutdown_grace_s: float = 25.0
    # Expiry reminders by e-mail (docs/operators.md): off unless OCOP_SMTP_URL names a server, e.g.
    # smtp://user:password@mail.example.vn:587 (STARTTLS), smtps://…:465 (TLS) or smtp+plain://127.0.0.1:25
    # (no encryption: a local relay only). A malformed URL is refused at start-up. OCOP_SMTP_FROM: the sender.
    smtp: SmtpSettings | None = None
    # OCOP_TRUSTED_DOCUMENTS (off, allow, only) and how long a shared cache may keep a public answer to a
    # registered query sent by GET (OCOP_TRUSTED_DOCUMENTS_MAX_AGE_S; web/graphql.py).
    trusted_documents: TrustedDocuments = TrustedDocuments.ALLOW
    trusted_documents_max_age_s: int = 60
    # The response cache of anonymous GraphQL reads (services/api/response_cache.py, docs/operators.md):
    # how long an answer is kept (OCOP_RESPONSE_CACHE_TTL_S, 0 turns it off) and how many bytes of answers
    # each process keeps at most (OCOP_RESPONSE_CACHE_MAX_BYTES).
    response_cache_ttl_s: float = 30.0
    response_cache_max_bytes: int = 32 * 1024 * 1024
    # GraphQL subscriptions over graphql-transport-ws (web/subscriptions.py, docs/frontend.md): at most
    # OCOP_WS_MAX_SUBSCRIPTIONS operations per connection, OCOP_WS_MAX_CONNECTIONS open connections per
    # account (all processes together, services/accounts/seats.py), a ping every OCOP_WS_HEARTBEAT_S
    # seconds (no pong by the next one closes the connection), and OCOP_WS_INIT_TIMEOUT_S seconds for the
    # client's connection_init.
    ws_max_subscriptions: int = 20
    ws_max_connections: int = 5
    ws_heartbeat_s: float = 30.0
    ws_init_timeout_s: float = 10.0
    # OCOP_WEBHOOK_ALLOW_PRIVATE: EPCIS subscription webhooks may go to private, loopback and link-local
    # addresses (services/trace/epcis_subscriptions.py). Off in production unless set: a webhook must not
    # reach into the operator's own network; on by default elsewhere (a developer's local receiver).
    webhook_allow_private: bool = True
    # /metrics (docs/monitoring.md): OCOP_METRICS_TOKEN, a bearer token Prometheus sends (then /metrics on the
    # app's port answers it only), and/or OCOP_METRICS_PORT, a listener of its own (then the app's port
    # serves /metrics only with the token). Production serves neither publicly: `serving_problem`.
    metrics_token: str | None = field(default=None, repr=False)
    metrics_port: int | None = None
    # OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): traces are exported over OTLP there;
    # unset, tracing is off and costs nothing (services/common/tracing.py, docs/monitoring.md).
    otel_endpoint: str | None = None
    # Compiled execution of GraphQL queries (schema/compiled/): OCOP_GRAPHQL_COMPILED (off, registered,
    # seen), OCOP_GRAPHQL_COMPILED_AFTER (executions before a document is compiled in `seen` mode), and
    # OCOP_GRAPHQL_DEBUG=1: responses say under extensions.execution whether they ran compiled, and if not why.
    graphql_compiled: GraphQLCompiled = GraphQLCompiled.SEEN
    graphql_compiled_after: int = 3
    graphql_debug: bool = False
    # OCOP_SESSION_DATABASE_URL: where the connections that need a session go (the bus's LISTEN,
    # services/common/bus.py; the WebSocket seats' advisory locks, services/accounts/seats.py) when
    # DATABASE_URL is a transaction pool (PgBouncer): PostgreSQL itself or a session-mode pool. None:
    # DATABASE_URL's server. The bus's channel still follows DATABASE_URL's ?schema=.
    session_database_url: str | None = None
    # OCOP_DB_POOL_SIZE: the most PostgreSQL connections one process (a replica's worker, a job worker) opens
    # (models/db.py DEFAULT_POOL_SIZE when unset). DATABASE_URL's own `?maxsize=` is the same setting: naming
    # both, with different values, is refused at start-up.
    db_pool_size: int = DEFAULT_POOL_SIZE
    # Shared file storage (services/common/storage.py, docs/operators.md "File storage"): OCOP_STORAGE_URL,
    # None meaning the OCOP_MEDIA_DIR folder (file://var/media); OCOP_STORAGE_DOWNLOADS: stream or redirect.
    storage: storage_location.Location | None = None
    storage_downloads: storage_location.Downloads = storage_location.Downloads.STREAM

    @property
    def is_production(self) -> bool:
        return self.environment == Environment.PRODUCTION


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "tls" or "plain"
    username: str | None
    password: str | None = field(repr=False)
    sender: str


_SMTP_SCHEMES = {"smtp": ("starttls", 587), "smtps": ("tls", 465), "smtp+plain": ("plain", 25)}


def parse_smtp_url(url: str | None, sender: str | None) -> SmtpSettings | None:
    """OCOP_SMTP_URL and OCOP_SMTP_FROM as settings; None when no URL is set (reminders off). A URL that
    does not parse, or a sender that is not an address, raises ValueError: start-up stops with the reason."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in _SMTP_SCHEMES:
        raise ValueError(f"OCOP_SMTP_URL: the scheme must be one of {', '.join(_SMTP_SCHEMES)}")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"OCOP_SMTP_URL: {error}") from None
    if not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise ValueError("OCOP_SMTP_URL: scheme://[user:password@]host[:port], nothing else")
    security, default_port = _SMTP_SCHEMES[parts.scheme]
    address = (sender or "").strip() or f"ocop-hub@{parts.hostname}"
    if (
        address.count("@") != 1
        or any(c.isspace() for c in address)
        or address.startswith("@")
        or address.endswith("@")
    ):
        raise ValueError(f"OCOP_SMTP_FROM: {address!r} is not an e-mail address")
    return SmtpSettings(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=address,
    )


def _float_or_none(value: str | None) -> float | None:
    return float(value) if value else None


def _lenient_float(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def _flag(value: str | None, name: str, *, default: bool) -> bool:
    """A yes/no variable; anything but the usual spellings is refused at start-up with the fix."""
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={value!r}: write 1/true/yes/on or 0/false/no/off")


def _bounded(value: str | None, name: str, default: float, low: float, high: float) -> float:
    """The variable `name`'s `value`, a number between `low` and `high` (`default` when unset); anything else
    is refused at start-up."""
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(
            f"{name}={value!r} is not a number: write one between {low:g} and {high:g}"
        ) from None
    if not low <= number <= high:
        raise ValueError(f"{name}={value!r} is out of range: write a number between {low:g} and {high:g}")
    return number


def pool_size(value: str | None, database_url: str) -> int:
    """OCOP_DB_POOL_SIZE as a number of connections (DEFAULT_POOL_SIZE when unset, or DATABASE_URL's
    `maxsize` when only it is given); a ValueError naming the fix when it is not a whole number from 1 to 500
    or when DATABASE_URL names another `maxsize`."""
    in_url = parse_qs(urlsplit(database_url).query).get("maxsize", [None])[-1]
    if value is None or not value.strip():
        return int(in_url) if in_url is not None and in_url.isdigit() else DEFAULT_POOL_SIZE
    size = _bounded(value, "OCOP_DB_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 500)
    if size != int(size):
        raise ValueError(f"OCOP_DB_POOL_SIZE={value!r}: write a whole number of connections")
    if in_url is not None and in_url != str(int(size)):
        raise ValueError(
            f"OCOP_DB_POOL_SIZE={value!r} and DATABASE_URL's maxsize={in_url} disagree: set the pool size in "
            "one of them"
        )
    return int(size)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from `environ` (the process environment by default): the one place it is read."""
    env = os.environ if environ is None else environ
    media_dir = Path(env.get("OCOP_MEDIA_DIR", str(DEFAULT_MEDIA_DIR)))
    storage = storage_location.parse(env["OCOP_STORAGE_URL"]) if env.get("OCOP_STORAGE_URL") else None
    host, port = env.get("HOST", "127.0.0.1"), int(env.get("PORT", "8000"))
    return Settings(
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        environment=Environment(env.get("OCOP_ENV", Environment.DEVELOPMENT)),
        public_base_url=(env.get("OCOP_PUBLIC_BASE_URL") or default_public_base_url(host, port)).rstrip("/"),
        host=host,
        port=port,
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        max_query_cost=int(env.get("OCOP_MAX_QUERY_COST", "10000")),
        request_timeout_s=float(env.get("OCOP_REQUEST_TIMEOUT_S", "10")),
        media_dir=media_dir,
        upload_max_mb=_lenient_float(env.get("OCOP_UPLOAD_MAX_MB"), DEFAULT_UPLOAD_MAX_MB),
        jobs=env.get("OCOP_JOBS", "local").strip().lower() or "local",
        job_timeout_s=_float_or_none(env.get("OCOP_JOB_TIMEOUT_S")),
        job_memory_mb=_float_or_none(env.get("OCOP_JOB_MEMORY_MB")),
        job_stale_s=float(env.get("OCOP_JOB_STALE_S") or 60.0),
        secret_key=env.get("OCOP_SECRET_KEY") or None,
        region_header=env.get("OCOP_REGION_HEADER", "").strip().lower() or None,
        fast_password_hash=env.get("OCOP_ENV") == Environment.TEST
        and env.get("OCOP_PASSWORD_HASH") == "fast",
        render_concurrency=max(1, int(env.get("OCOP_RENDER_CONCURRENCY") or 2)),
        password_hash_threads=max(1, int(env.get("OCOP_PASSWORD_HASH_THREADS") or 2)),
        loop_lag_interval_s=max(0.01, float(env.get("OCOP_LOOP_LAG_INTERVAL_S") or 0.1)),
        loop_lag_warn_ms=float(env.get("OCOP_LOOP_LAG_WARN_MS") or 200.0),
        scan_window_h=float(env.get("OCOP_SCAN_WINDOW_H") or 24.0),
        scan_flag_networks=max(2, int(env.get("OCOP_SCAN_FLAG_NETWORKS") or 5)),
        scan_flag_regions=max(2, int(env.get("OCOP_SCAN_FLAG_REGIONS") or 3)),
        scan_network_interval_s=float(env.get("OCOP_SCAN_NETWORK_INTERVAL_S") or 3600.0),
        scan_network_max_per_hour=int(env.get("OCOP_SCAN_NETWORK_MAX_PER_HOUR") or 120),
        graphql_max_bytes=int(env.get("OCOP_GRAPHQL_MAX_BYTES") or 1_000_000),
        integrity_timeout_s=max(0.0, float(env.get("OCOP_INTEGRITY_TIMEOUT_S") or 3.0)),
        integrity_threads=max(1, int(env.get("OCOP_INTEGRITY_THREADS") or 2)),
        label_expiry_warning_days=max(0, int(env.get("OCOP_LABEL_EXPIRY_WARNING_DAYS") or 30)),
        shutdown_grace_s=max(0.0, float(env.get("OCOP_SHUTDOWN_GRACE_S") or 25.0)),
        smtp=parse_smtp_url(env.get("OCOP_SMTP_URL"), env.get("OCOP_SMTP_FROM")),
        trusted_documents=trusted_documents_mode(env.get("OCOP_TRUSTED_DOCUMENTS")),
        trusted_documents_max_age_s=max(0, int(env.get("OCOP_TRUSTED_DOCUMENTS_MAX_AGE_S") or 60)),
        session_database_url=env.get("OCOP_SESSION_DATABASE_URL") or None,
        db_pool_size=pool_size(env.get("OCOP_DB_POOL_SIZE"), env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        response_cache_ttl_s=_bounded(
            env.get("OCOP_RESPONSE_CACHE_TTL_S"), "OCOP_RESPONSE_CACHE_TTL_S", 30.0, 0.0, 3600.0
        ),
        response_cache_max_bytes=int(
            _bounded(
                env.get("OCOP_RESPONSE_CACHE_MAX_BYTES"),
                "OCOP_RESPONSE_CACHE_MAX_BYTES",
                32 * 1024 * 1024,
                0,
                2**34,
            )
        ),
        ws_max_subscriptions=max(1, int(env.get("OCOP_WS_MAX_SUBSCRIPTIONS") or 20)),
        ws_max_connections=max(1, int(env.get("OCOP_WS_MAX_CONNECTIONS") or 5)),
        ws_heartbeat_s=max(0.05, float(env.get("OCOP_WS_HEARTBEAT_S") or 30.0)),
        ws_init_timeout_s=max(0.05, float(env.get("OCOP_WS_INIT_TIMEOUT_S") or 10.0)),
        webhook_allow_private=_flag(
            env.get("OCOP_WEBHOOK_ALLOW_PRIVATE"),
            "OCOP_WEBHOOK_ALLOW_PRIVATE",
            default=env.get("OCOP_ENV", Environment.DEVELOPMENT) != Environment.PRODUCTION,
        ),
        metrics_token=env.get("OCOP_METRICS_TOKEN", "").strip() or None,
        metrics_port=_port_or_none(env.get("OCOP_METRICS_PORT"), "OCOP_METRICS_PORT"),
        otel_endpoint=(
            env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
            or env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
            or None
        ),
        graphql_compiled=graphql_compiled_mode(env.get("OCOP_GRAPHQL_COMPILED")),
        graphql_compiled_after=graphql_compiled_after(env.get("OCOP_GRAPHQL_COMPILED_AFTER")),
        graphql_debug=_flag(env.get("OCOP_GRAPHQL_DEBUG"), "OCOP_GRAPHQL_DEBUG", default=False),
        storage=storage,
        storage_downloads=storage_location.downloads_mode(
            env.get("OCOP_STORAGE_DOWNLOADS"), storage or storage_location.FileLocation(media_dir)
        ),
    )


def _port_or_none(value: str | None, name: str) -> int | None:
    if value is None or not value.strip():
        return None
    if not value.strip().isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"{name}={value!r}: write a port number (1-65535), or leave it unset")
    return int(value)


def serving_problem(settings: Settings) -> str | None:
    """Why `server.py serve` must not start with these settings (the message names the fix), or None:
    in production /metrics is not for the public (it names routes, operations and volumes)."""
    if settings.is_production and settings.metrics_token is None and settings.metrics_port is None:
        return (
            "OCOP_ENV=production does not serve /metrics to the public: set OCOP_METRICS_TOKEN to a long random"
            " value (Prometheus sends it as a bearer token) or OCOP_METRICS_PORT to a port of its own that"
            " only Prometheus reaches, e.g. 9464 (docs/monitoring.md)"
        )
    return None


_configured: Settings | None = None


def configure(settings: Settings | None) -> Settings | None:
    """Make `settings` the process's settings (None: back to the environment); returns the previous ones."""
    global _configured
    previous, _configured = _configured, settings
    return previous


def current() -> Settings:
    """The process's settings: those configured at start-up, else the environment as it is now."""
    return _configured if _configured is not None else load_settings()


def configured() -> Settings | None:
    """The settings `configure` set, if any (handed to sandboxed children)."""
    return _configured


@contextlib.contextmanager
def overridden(**changes: Any) -> Iterator[Settings]:
    """The current settings with `changes`, for the duration of the block (tests)."""
    changed = dataclasses.replace(current(), **changes)
    previous = configure(changed)
    try:
        yield changed
    finally:
        configure(previous)
