"""The demo's sample spreadsheet (services/demo/data/registry/ben-tre-ocop-2019.xlsx): the Bến Tre 2019 list
of the demo's products, as a provincial coordination office keeps it, in the registry template
(services/registry/spreadsheets/). It is the registry's own export of the demo's Bến Tre products, reduced
to their 2019 decisions, so importing it into the demo changes nothing (tests/registry/test_demo_spreadsheet.py
holds the file to that, and to the demo data). Write it again after changing the demo's registry data:
`.venv/bin/python -m services.demo.spreadsheet`."""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile

from services.common import paths
from services.policy import SYSTEM
from services.registry.search import ProductFilterData
from services.registry.spreadsheets import export

SAMPLE = paths.ROOT / "services" / "demo" / "data" / "registry" / "ben-tre-ocop-2019.xlsx"
PROVINCE = "83"  # Bến Tre, before the 2025 reform
YEAR = 2019


def _decided_in(day: object, year: int) -> bool:
    return isinstance(day, dt.date) and day.year == year


async def sample_rows() -> list[dict[str, object]]:
    """The rows of the sample, read from a database holding the demo."""
    rows = await export.read_rows(ProductFilterData(province_code=PROVINCE), SYSTEM)
    chosen = [row for row in rows if _decided_in(row.get("decision_date"), YEAR)]
    return [dict(row, row_label=number) for number, row in enumerate(chosen, start=1)]


async def _write() -> None:
    from services.common import db, settings
    from services.demo import registry
    from services.registry import reference

    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite://{work}/demo.sqlite3"
        settings.configure(settings.load_settings({"DATABASE_URL": url, "OCOP_MEDIA_DIR": work}))
        await db.migrate(url)
        await db.connect(url)
        try:
            await reference.sync_all()
            await registry.load_registry(
                dict.fromkeys(("producers", "products", "evaluations", "plans", "targets"), 0)
            )
            SAMPLE.write_bytes(export.xlsx_bytes(await sample_rows()))
        finally:
            await db.disconnect()


if __name__ == "__main__":
    asyncio.run(_write())
