"""Settings from the environment, read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

from models.db import database_url_from_env

# Printed in QR codes and part of the hashed EPCIS identifiers of lots without a GTIN: it must not change
# once labels are printed or events recorded, so it does not follow PORT.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


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

    @property
    def is_production(self) -> bool:
        return self.environment == Environment.PRODUCTION


def load_settings() -> Settings:
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "127.0.0.1")
    return Settings(
        database_url=database_url_from_env(),
        environment=Environment(os.environ.get("OCOP_ENV", Environment.DEVELOPMENT)),
        public_base_url=os.environ.get("OCOP_PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL).rstrip("/"),
        host=host,
        port=port,
        log_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        max_query_cost=int(os.environ.get("OCOP_MAX_QUERY_COST", "10000")),
        request_timeout_s=float(os.environ.get("OCOP_REQUEST_TIMEOUT_S", "10")),
    )
