"""The hourly scan quota of a network is one count for every replica on PostgreSQL (services/labels/scans.py,
the scan_quota table), not one per process: before, N replicas let one network write N times its quota."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from models import SerialScan
from services.common import clock, settings
from services.labels import scans
from tests.conftest import Database
from tests.labels.test_scan_poisoning import serialised_lot

ADDRESS = "198.51.100.7"


async def test_two_replicas_share_one_network_quota(db: Database) -> None:
    if db.backend != "postgres":
        pytest.skip("SQLite is one process: its quota is counted in the process (test_scan_poisoning.py)")
    _, batch_id = await serialised_lot(count=200)
    with settings.overridden(scan_network_max_per_hour=30):
        # Replica A counts 20 scans of the network this hour.
        first = [
            await scans.record_scan(batch_id, str(n), address=ADDRESS, language="vi", region=None)
            for n in range(1, 21)
        ]
        assert sum(first) == 20
        # Replica B: a process of its own (no memo of A's) with connections of its own, racing with A for the
        # 10 scans left: 40 more scans from A and 40 quota takes from B, all at once.
        scans.forget_counted()
        replica_b = await asyncpg.create_pool(
            db.url, min_size=4, max_size=4, server_settings={"search_path": str(db.pg_schema)}
        )
        try:
            network = scans.network_of(ADDRESS)
            hour = int(clock.now().timestamp() // 3600)

            async def take_on_b() -> bool:
                return bool(await replica_b.fetch(scans._TAKE_QUOTA, network, hour, 30))

            async def scan_on_a(n: int) -> bool:
                return await scans.record_scan(batch_id, str(n), address=ADDRESS, language="vi", region=None)

            answers = await asyncio.gather(
                *(scan_on_a(n) for n in range(21, 61)), *(take_on_b() for _ in range(40))
            )
            used = await replica_b.fetchval(
                "SELECT used FROM scan_quota WHERE network = $1 AND hour = $2", network, hour
            )
        finally:
            await replica_b.close()
        assert sum(answers) == 10  # the quota left, once, between both replicas
        assert used == 30
        a_counted = sum(answers[:40])
        assert await SerialScan.filter(batch_id=batch_id).count() == 20 + a_counted
        # Another network still has its own quota.
        assert await scans.record_scan(batch_id, "150", address="192.0.2.1", language="vi", region=None)
