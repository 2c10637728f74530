"""Reference data every database needs before users write anything."""

from __future__ import annotations

from services.registry import admin_units, product_groups


async def sync_all() -> None:
    await admin_units.sync()
    await product_groups.sync()
