"""Every OCOP_ variable the deployment files set is one the app reads (a misspelt name would be ignored
silently, leaving the default in production), and the image's defaults load as settings."""

from __future__ import annotations

import re

from services.common.settings import Environment, load_settings
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
FILES = [
    DEPLOY / "compose.yaml",
    DEPLOY / ".env.example",
    DEPLOY / "Dockerfile",
    DEPLOY / "kubernetes" / "base" / "config.env",
    *sorted((DEPLOY / "kubernetes" / "overlays").glob("*/kustomization.yaml")),
]
# Read by code on other branches of the same release (issue 15: media in S3; issue 16 items 4-5: metrics,
# traces), merged together with these files. A name here that settings.py reads too is simply redundant.
PENDING = {"OCOP_STORAGE_URL", "OCOP_METRICS_PORT", "OCOP_METRICS_TOKEN"}
# Compose's own variables (interpolated into compose.yaml, never given to the app).
COMPOSE_ONLY = {"OCOP_S3_BUCKET", "OCOP_S3_ACCESS_KEY", "OCOP_S3_SECRET_KEY", "OCOP_IMAGE", "OCOP_HTTP_PORT"}


def test_every_ocop_variable_of_the_deployment_files_is_read_by_the_app() -> None:
    read = set(re.findall(r'"(OCOP_[A-Z0-9_]+)"', (ROOT / "services" / "common" / "settings.py").read_text()))
    assert "OCOP_SHUTDOWN_GRACE_S" in read  # the pattern finds them
    for path in FILES:
        used = set(re.findall(r"\b(OCOP_[A-Z0-9_]+)\b", path.read_text())) - {"OCOP_UID", "OCOP_VENV"}
        unknown = used - read - PENDING - COMPOSE_ONLY
        assert not unknown, f"{path.relative_to(ROOT)}: {sorted(unknown)} are read by nothing"


def test_the_images_environment_loads_as_production_settings() -> None:
    # The runtime stage's ENV instruction (the last one), its continuation lines joined.
    dockerfile = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    instruction = [line for line in dockerfile.splitlines() if line.startswith("ENV ")][-1]
    env = dict(re.findall(r"\b([A-Z_]+)=(\S+)", instruction))
    assert env["OCOP_ENV"] == "production"
    settings = load_settings(env | {"DATABASE_URL": "postgres://ocop@db/ocop"})
    assert settings.environment == Environment.PRODUCTION
    assert (settings.host, settings.port) == ("0.0.0.0", 8000)  # noqa: S104 - the container's interface
    assert str(settings.media_dir) == "/var/lib/ocop/media"
    config = dict(
        line.split("=", 1)
        for line in (DEPLOY / "kubernetes" / "base" / "config.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    k8s = load_settings(config | {"DATABASE_URL": "postgres://ocop@db/ocop"})
    assert k8s.is_production
    assert k8s.jobs == "procrastinate"
    assert k8s.shutdown_grace_s == 25
