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

from models.db import DEFAULT_DATABASE_URL

# Printed in QR codes and part of the hashed EPCIS identifiers of lots without a GTIN: it must not change
# once labels are printed or events recorded, so it does not follow PORT.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_MEDIA_DIR = Path("var/media")
DEFAULT_UPLOAD_MAX_MB = 25.0


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
    # The largest POST /graphql body (OCOP_GRAPHQL_MAX_BYTES), refused while streaming, before parsing.
    graphql_max_bytes: int = 1_000_000

    @property
    def is_production(self) -> bool:
        return self.environment == Environment.PRODUCTION


def _float_or_none(value: str | None) -> float | None:
    return float(value) if value else None


def _lenient_float(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from `environ` (the process environment by default): the one place it is read."""
    env = os.environ if environ is None else environ
    return Settings(
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        environment=Environment(env.get("OCOP_ENV", Environment.DEVELOPMENT)),
        public_base_url=env.get("OCOP_PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL).rstrip("/"),
        host=env.get("HOST", "127.0.0.1"),
        port=int(env.get("PORT", "8000")),
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        max_query_cost=int(env.get("OCOP_MAX_QUERY_COST", "10000")),
        request_timeout_s=float(env.get("OCOP_REQUEST_TIMEOUT_S", "10")),
        media_dir=Path(env.get("OCOP_MEDIA_DIR", str(DEFAULT_MEDIA_DIR))),
        upload_max_mb=_lenient_float(env.get("OCOP_UPLOAD_MAX_MB"), DEFAULT_UPLOAD_MAX_MB),
        jobs=env.get("OCOP_JOBS", "local").strip().lower() or "local",
        job_timeout_s=_float_or_none(env.get("OCOP_JOB_TIMEOUT_S")),
        job_memory_mb=_float_or_none(env.get("OCOP_JOB_MEMORY_MB")),
        job_stale_s=float(env.get("OCOP_JOB_STALE_S") or 60.0),
        secret_key=env.get("OCOP_SECRET_KEY") or None,
        region_header=env.get("OCOP_REGION_HEADER", "").strip().lower() or None,
        fast_password_hash=env.get("OCOP_ENV") == Environment.TEST
        and env.get("OCOP_PASSWORD_HASH") == "fast",
        graphql_max_bytes=int(env.get("OCOP_GRAPHQL_MAX_BYTES") or 1_000_000),
    )


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
