"""The demo's sample spreadsheet (services/demo/spreadsheet.py): the Bến Tre 2019 list of the demo's
products, kept in step with the demo data, and importing it into the demo changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from httpx import AsyncClient

from models import Evaluation, Producer, Product
from services.common import settings
from services.demo import loader as demo
from services.demo import spreadsheet
from services.registry.spreadsheets import export, parse
from tests.conftest import Database
from tests.registry.spreadsheet_helpers import import_file


@pytest.fixture(autouse=True)
def media(tmp_path: Path) -> Iterator[Path]:
    with settings.overridden(media_dir=tmp_path / "media", job_timeout_s=None, job_memory_mb=None):
        yield tmp_path / "media"


async def test_the_sample_is_the_demo_s_ben_tre_2019_list_and_imports_unchanged(
    client: AsyncClient, db: Database, admin_token: str
) -> None:
    await demo.load()
    sample = spreadsheet.SAMPLE.read_bytes()
    expected = parse.read_bytes(export.xlsx_bytes(await spreadsheet.sample_rows()), "xlsx")
    assert parse.read_bytes(sample, "xlsx") == expected, "run: .venv/bin/python -m services.demo.spreadsheet"
    names = [cells[7] for cells in expected[2:]]
    assert "Kẹo dừa truyền thống Phú Hưng" in names
    assert len(names) >= 5
    before = (await Producer.all().count(), await Product.all().count(), await Evaluation.all().count())
    found = await import_file(client, admin_token, sample, dry_run=False)
    assert found["problemCount"] == 0, found["problems"]
    assert found["applied"]
    assert found["counts"]["producers"]["unchanged"] == len({cells[2] for cells in expected[2:]})
    for part in ("producers", "products", "evaluations"):
        assert found["counts"][part]["create"] == 0
        assert found["counts"][part]["update"] == 0
    assert (
        await Producer.all().count(),
        await Product.all().count(),
        await Evaluation.all().count(),
    ) == before
