"""Serial scans an attacker cannot poison (services/labels/scans.py, web/resolver.py, the trace page): one
network cannot make a genuine serial look copied, a serial never issued is not stored but said to be a
likely counterfeit on the page, and one source writes a bounded number of rows. Before: 50 anonymous
requests from one network flagged a genuine serial, and every scan of any serial was stored."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from models import SerialScan
from services.common import settings
from services.labels import scans
from services.labels.runs import LabelRunData
from services.trace.identity import product_code
from tests.conftest import Database
from tests.factories import make_batch, make_product
from tests.labels.factories import system_run


async def serialised_lot(count: int = 10) -> tuple[str, int]:
    """A lot with one serialised run (serials 1..count); the lot's /p/ path."""
    product = await make_product(name="Kẹo dừa sầu riêng")
    batch = await make_batch(product, "KD-2612")
    run = await system_run(LabelRunData(batch_id=batch.id, template="L7160", count=count, serialized=True))
    assert (run.first_serial, run.count) == (1, count)
    return f"/p/{product_code(product.id)}/10/KD-2612", batch.id


def phone(app: Starlette, address: str) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app, client=(address, 40000)), base_url="http://ocop.test")


async def test_fifty_scans_from_one_network_do_not_flag_a_genuine_serial(
    db: Database, app: Starlette
) -> None:
    lot, batch_id = await serialised_lot()
    async with phone(app, "198.51.100.7") as attacker:
        for _ in range(50):
            answer = await attacker.get(f"{lot}/21/3")
            assert answer.status_code == 307
        page = await attacker.get(urlsplit(answer.headers["location"]).path + "?serial=3")
    assert await SerialScan.filter(batch_id=batch_id, serial="3").count() == 1  # one per network and hour
    assert 'id="scan-warning"' not in page.text
    (stats,) = await scans.serial_stats(batch_id)
    assert (stats.flagged, stats.reason) == (False, None)


async def test_a_copy_still_shows_from_several_networks(db: Database, app: Starlette) -> None:
    lot, batch_id = await serialised_lot()
    location = ""
    for n in range(5):  # scan_flag_networks
        async with phone(app, f"203.0.{n}.7") as someone:
            location = (await someone.get(f"{lot}/21/4")).headers["location"]
    async with phone(app, "203.0.9.7") as buyer:
        page = await buyer.get(urlsplit(location).path + "?serial=4", headers={"accept-language": "en"})
    assert "scanned from many places" in page.text
    (stats,) = await scans.serial_stats(batch_id)
    assert (stats.recent_networks, stats.flagged) == (5, True)


async def test_regions_alone_from_one_network_do_not_flag(db: Database) -> None:
    _, batch_id = await serialised_lot()
    for region in ("vn-hn", "vn-sg", "vn-dn", "th", "kh"):  # a forged region header, one network
        await scans.record_scan(batch_id, "5", address="198.51.100.7", language="vi", region=region)
    scans.forget_counted()
    with settings.overridden(scan_network_interval_s=0.0):
        for region in ("vn-hn", "vn-sg", "vn-dn"):
            await scans.record_scan(batch_id, "6", address="198.51.100.7", language="vi", region=region)
    stats = {s.serial: s for s in await scans.serial_stats(batch_id)}
    assert (stats["6"].recent_regions, stats["6"].recent_networks, stats["6"].flagged) == (3, 1, False)
    await scans.record_scan(batch_id, "6", address="192.0.2.1", language="vi", region="vn-ct")
    assert (await scans.serial_stats(batch_id, ["6"]))[0].flagged  # three regions from two networks


async def test_a_serial_never_issued_is_not_stored_and_the_page_says_so(db: Database, app: Starlette) -> None:
    lot, batch_id = await serialised_lot(count=10)
    async with phone(app, "198.51.100.7") as someone:
        for serial in ("11", "999999", "0", "07", "abc"):  # past the run, far past, not as runs write them
            answer = await someone.get(f"{lot}/21/{serial}")
            assert answer.status_code == 307
        path = urlsplit(answer.headers["location"]).path
        vi = await someone.get(path + "?serial=999999", headers={"accept-language": "vi"})
        en = await someone.get(path + "?serial=11", headers={"accept-language": "en"})
        genuine = await someone.get(path + "?serial=10")
    assert await SerialScan.all().count() == 0
    assert "Số sê-ri này chưa từng được cấp" in vi.text
    assert "có thể là giả" in vi.text
    assert "This serial number was never issued" in en.text
    assert "may be counterfeit" in en.text
    assert 'id="scan-warning"' not in genuine.text
    assert await scans.serial_issued(batch_id, "10")


async def test_a_lot_without_serialised_runs_stores_no_scan(db: Database, app: Starlette) -> None:
    product = await make_product(name="Mật ong hoa nhãn")
    batch = await make_batch(product, "MO-01")
    await system_run(LabelRunData(batch_id=batch.id, template="L7160", count=5))  # not serialised
    lot = f"/p/{product_code(product.id)}/10/MO-01"
    async with phone(app, "198.51.100.7") as someone:
        for n in range(1, 30):
            assert (await someone.get(f"{lot}/21/{n}")).status_code == 307
        page = await someone.get(
            f"/t/{product_code(product.id)}/MO-01?serial=1", headers={"accept-language": "en"}
        )
    assert await SerialScan.all().count() == 0
    assert "never issued" in page.text


async def test_one_network_writes_at_most_its_hourly_quota(db: Database) -> None:
    _, batch_id = await serialised_lot(count=100)
    with settings.overridden(scan_network_max_per_hour=20):
        written = [
            await scans.record_scan(batch_id, str(n), address="198.51.100.7", language="vi", region=None)
            for n in range(1, 101)
        ]
        assert sum(written) == 20
        assert await scans.record_scan(batch_id, "50", address="192.0.2.1", language="vi", region=None)
    assert await SerialScan.all().count() == 21


async def test_the_thresholds_are_settings(db: Database) -> None:
    _, batch_id = await serialised_lot()
    for n in range(3):
        await scans.record_scan(batch_id, "2", address=f"203.0.{n}.7", language="vi", region=None)
    assert not (await scans.serial_stats(batch_id))[0].flagged
    with settings.overridden(scan_flag_networks=3):
        (stats,) = await scans.serial_stats(batch_id)
        assert (stats.flagged, stats.reason) == (True, "scanned from 3 networks within 24 h")
    loaded = settings.load_settings(
        {"OCOP_SCAN_FLAG_NETWORKS": "1", "OCOP_SCAN_NETWORK_MAX_PER_HOUR": "7", "OCOP_SCAN_WINDOW_H": "6"}
    )
    assert (loaded.scan_flag_networks, loaded.scan_network_max_per_hour, loaded.scan_window_h) == (2, 7, 6.0)


async def test_healthz_answers_during_a_scan_burst(db: Database, app: Starlette, client: AsyncClient) -> None:
    lot, batch_id = await serialised_lot()

    async def burst(n: int) -> None:
        async with phone(app, f"198.51.{n}.7") as attacker:
            for serial in ("3", "999999", "3", "0"):
                assert (await attacker.get(f"{lot}/21/{serial}")).status_code == 307

    scans_done = asyncio.gather(*(burst(n) for n in range(25)))
    slowest = 0.0
    while not scans_done.done():
        started = time.monotonic()
        assert (await client.get("/healthz")).status_code == 200
        slowest = max(slowest, time.monotonic() - started)
        await asyncio.sleep(0)
    await scans_done
    assert slowest < 1.0
    assert await SerialScan.filter(batch_id=batch_id).count() == 25  # serial 3 once per network, 999999 never
