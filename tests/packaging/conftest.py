"""Fixtures of the packaging tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common import settings


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    """Uploads of each test in their own media directory, with the default size limit."""
    with settings.overridden(media_dir=tmp_path / "media", upload_max_mb=settings.DEFAULT_UPLOAD_MAX_MB):
        yield tmp_path / "media"
