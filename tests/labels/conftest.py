"""Fixtures of the label tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common import settings


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    """Label files of the test in its own media directory."""
    with settings.overridden(media_dir=tmp_path):
        yield tmp_path
