"""Each test starts with empty page caches (services/common/page_cache.py), as it starts with empty tables."""

from __future__ import annotations

import pytest

from services.common import page_cache


@pytest.fixture(autouse=True)
def empty_page_caches() -> None:
    page_cache.clear()
