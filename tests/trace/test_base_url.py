"""Moving to another public base URL (issue 13, item 1): identifiers are minted once, with the base URL of the
installation's first start (the `instance` row), and hashed with it ever after. A database recorded under a
trial address and served under its real domain reports no tampering, answers EPCIS queries for both
addresses, and the default base URL follows PORT."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from httpx import ASGITransport, AsyncClient
from strawberry.relay import to_base64

from models import EventType, Instance, Location, LocationKind
from services.common import instance
from services.common.settings import load_settings
from services.policy import SYSTEM
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from services.trace.identity import product_code
from services.trace.integrity import IntegrityStatus, integrity
from tests.conftest import Database, app_settings, gql, make_app
from tests.factories import make_batch, make_product
from web import commands

TRIAL = "https://ocop.test"  # the test app's address: where the lot below is recorded
REAL = "https://truyxuat.example.vn"
T0 = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
QUERY = """query($id: ID!) { batch(id: $id) {
  integrity { status valid reason }
  epcisDocument
} }"""


async def test_a_database_served_under_another_base_url_reports_no_tampering(db: Database) -> None:
    # A product without a GTIN and a farm without a GLN: both identifiers hold the base URL.
    item = await make_product(name="Bánh phồng Sơn Đốc")
    lot = await make_batch(item, "BP-01")
    farm = await Location.create(name="Lò bánh Sơn Đốc", kind=LocationKind.FACILITY)
    event = EventInput(
        EventType.OBJECT, T0, subjects=[QuantityData(lot.id, Decimal(5), "KGM")], biz_step="commissioning"
    )
    event.read_point_id = farm.id
    await trace.record_event(event, SYSTEM, TRIAL)
    instance.forget()  # as a new process, started with the real domain configured

    async with AsyncClient(
        transport=ASGITransport(app=make_app(public_base_url=REAL)), base_url=REAL
    ) as moved:
        page = await moved.get(f"/t/{product_code(item.id)}/BP-01")
        assert page.status_code == 200
        assert "Dữ liệu truy xuất toàn vẹn: chuỗi mã băm của 1 sự kiện khớp." in page.text
        assert "Cảnh báo" not in page.text
        assert f"{REAL}/p/{product_code(item.id)}/10/BP-01" in page.text  # served under the new address
        body = await gql(moved, QUERY, {"id": to_base64("Batch", lot.id)})
        assert body["data"]["batch"]["integrity"] == {"status": "VALID", "valid": True, "reason": None}
        [stored] = body["data"]["batch"]["epcisDocument"]["epcisBody"]["eventList"]
        # The identifiers keep the address they were minted with (the hash covers them).
        assert stored["quantityList"][0]["epcClass"] == f"{TRIAL}/p/{product_code(item.id)}/10/BP-01"
        assert stored["readPoint"]["id"] == f"{TRIAL}/locations/{farm.id}"
        # EPCIS queries name the lot by either address.
        for base in (REAL, TRIAL):
            found = await moved.get(
                "/epcis/events", params={"MATCH_epcClass": f"{base}/p/{product_code(item.id)}/10/BP-01"}
            )
            assert found.status_code == 200
            assert len(found.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1, base
        # A printed QR code of the trial address still resolves (the routes do not depend on the host).
        scanned = await moved.get(f"/p/{product_code(item.id)}/10/BP-01")
        assert scanned.status_code in (302, 307)

    # Events recorded after the move are minted with the same identity: the chain stays whole.
    later = EventInput(EventType.OBJECT, T0 + dt.timedelta(days=1), subjects=[QuantityData(lot.id)])
    later.biz_step, later.read_point_id = "shipping", farm.id
    await trace.record_event(later, SYSTEM, REAL)
    result = await integrity(lot.id, REAL)
    assert (result.status, result.events_checked) == (IntegrityStatus.VALID, 2)
    assert (await integrity(lot.id, TRIAL)).status == IntegrityStatus.VALID


async def test_the_first_start_mints_the_identity_and_a_later_one_keeps_it(db: Database) -> None:
    assert await Instance.all().count() == 0
    assert await commands.announce_identity(app_settings(public_base_url=TRIAL)) == TRIAL
    instance.forget()
    assert await commands.announce_identity(app_settings(public_base_url=REAL)) == TRIAL
    assert [row.minted_base_url for row in await Instance.all()] == [TRIAL]


def test_the_default_base_url_follows_port_and_host() -> None:
    assert load_settings({"PORT": "8101"}).public_base_url == "http://127.0.0.1:8101"
    assert load_settings({"PORT": "8101", "HOST": "0.0.0.0"}).public_base_url == "http://127.0.0.1:8101"  # noqa: S104
    assert load_settings({"PORT": "80", "HOST": "ocop.lan"}).public_base_url == "http://ocop.lan:80"
    assert load_settings({}).public_base_url == "http://127.0.0.1:8000"
    configured = {"PORT": "8101", "OCOP_PUBLIC_BASE_URL": "https://ocop.example.vn/"}
    assert load_settings(configured).public_base_url == "https://ocop.example.vn"
