"""The integrity check off the event loop, and over the lot's own fields (issue 12, items 1 and 3).

Hashing runs in a worker thread with a deadline: a lot holding a legacy event with 20,000 sensor reports (stored
before the caps) never stalls the loop, and a check that runs out of time says "not verified yet", never
"valid" and never a tamper warning. The lot's head also covers the lot's shown fields (an expiry date edited in
the database is seen), and every lot has a head from its creation (deleting its events and head is seen)."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
from decimal import Decimal
from typing import Any, cast

from httpx import ASGITransport, AsyncClient, Response
from strawberry.relay import to_base64
from tortoise import connections

from models import Batch, EventQuantity, EventType, LotHead, TraceEvent, TraceSnapshot
from services.common import page_cache, settings
from services.policy import SYSTEM
from services.trace import epcis_hash
from services.trace import events as trace
from services.trace import integrity as checks
from services.trace.events import EventInput, QuantityData
from services.trace.identity import product_code
from services.trace.integrity import Broken, IntegrityStatus, integrity
from tests.api.test_input_limits import healthz_while
from tests.conftest import Database, gql, make_app
from tests.factories import make_batch, make_product
from tests.trace.test_integrity import BASE, T0, _delete, _page, pomelo_lot

LOT = """query($id: ID!) { batch(id: $id) {
  integrity { valid status reason eventsChecked legacyEvents brokenAt }
} }"""
DOCUMENT = "query($id: ID!) { batch(id: $id) { epcisDocument } }"
REPORTS = 3_000  # ~4.5 s of hashing: on the loop, a stall far past the 1 s the test allows


def _forget() -> None:
    """As a fresh process: no page, no integrity result and no event hash remembered."""
    page_cache.invalidate()
    checks._integrity_cache.clear()
    epcis_hash._known.clear()


async def _integrity_of(client: AsyncClient, lot: Batch) -> dict[str, Any]:
    body = await gql(client, LOT, {"id": to_base64("Batch", lot.id)})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["batch"]["integrity"]
    return result


async def test_a_legacy_event_of_thousands_of_sensor_reports_never_stalls_the_loop(
    client: AsyncClient, db: Database
) -> None:
    item = await make_product(name="Bưởi da xanh")
    lot = await make_batch(item, "BDX-SENSOR")
    loaded = await Batch.get(id=lot.id).select_related("product")
    reports = [{"type": "Temperature", "value": i / 10, "uom": "CEL"} for i in range(REPORTS)]
    # Stored as the service stored it before the caps (MAX_SENSOR_REPORTS): appended without the checks.
    legacy = EventInput(
        EventType.OBJECT,
        T0,
        subjects=[QuantityData(lot.id, Decimal(1200), "KGM")],
        biz_step="storing",
        sensor_elements=[{"sensorReport": reports}],
    )
    await trace._append(legacy, {lot.id: loaded}, BASE, None)
    await trace.record_event(
        EventInput(
            EventType.OBJECT, T0 + dt.timedelta(hours=1), subjects=[QuantityData(lot.id)], biz_step="shipping"
        ),
        SYSTEM,
        BASE,
    )
    _forget()
    path = f"/t/{product_code(item.id)}/BDX-SENSOR"
    epcis = f"/epcis/events?MATCH_epcClass={BASE}/p/{product_code(item.id)}/10/BDX-SENSOR"

    async def views() -> Any:
        return await asyncio.gather(
            client.get(path),
            _integrity_of(client, lot),
            gql(client, DOCUMENT, {"id": to_base64("Batch", lot.id)}),
            client.get(epcis),
        )

    # Deadlines long enough for the whole check (seconds of hashing, in a child process): every answer is
    # complete.
    app = make_app(request_timeout_s=600)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as patient:
        client = patient
        with settings.overridden(integrity_timeout_s=600):
            answers: Any = await healthz_while(client, views)
    page, checked, document, events = cast(tuple[Response, dict[str, Any], dict[str, Any], Response], answers)
    assert page.status_code == 200
    assert "Dữ liệu truy xuất toàn vẹn: chuỗi mã băm của 2 sự kiện khớp." in page.text
    assert checked == {
        "valid": True,
        "status": "VALID",
        "reason": None,
        "eventsChecked": 2,
        "legacyEvents": 0,
        "brokenAt": None,
    }
    [stored, _] = document["data"]["batch"]["epcisDocument"]["epcisBody"]["eventList"]
    assert len(stored["sensorElementList"][0]["sensorReport"]) == REPORTS
    assert events.status_code == 200
    assert len(events.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2


async def test_a_check_past_its_deadline_is_neither_valid_nor_a_tamper_warning(
    client: AsyncClient, db: Database
) -> None:
    path, lot = await pomelo_lot()
    _forget()
    # A lot whose verdict is not known yet (recorded before migration 0019): the page runs the check.
    await TraceSnapshot.filter(batch_id=lot.id).update(verdict=None, fingerprint=None)
    with settings.overridden(integrity_timeout_s=0):
        result = await integrity(lot.id, BASE)
        assert (result.status, result.valid, result.reason) == (IntegrityStatus.UNVERIFIED, False, None)
        html = await _page(client, path)
        response = await client.get(path, headers={"accept-language": "en"}, params={"lang": "en"})
        checked = await _integrity_of(client, lot)
    assert "Chưa kiểm tra xong tính toàn vẹn của dữ liệu truy xuất" in html
    assert "Cảnh báo" not in html
    assert "toàn vẹn:" not in html
    assert "has not been verified yet" in response.text
    assert "Warning" not in response.text
    assert "max-age=5," in response.headers["cache-control"]  # not kept as long as a verified page
    assert (checked["status"], checked["valid"], checked["reason"]) == ("UNVERIFIED", False, None)
    # Not remembered: the next view, with time enough, verifies.
    page_cache.invalidate()
    assert "Dữ liệu truy xuất toàn vẹn" in (await client.get(path)).text
    assert (await _integrity_of(client, lot))["status"] == "VALID"


async def test_an_expiry_date_edited_in_the_database_is_detected_and_the_page_warns(
    client: AsyncClient, db: Database
) -> None:
    path, lot = await pomelo_lot()
    await Batch.filter(id=lot.id).update(expiry_date=dt.date(2030, 1, 1))
    result = await integrity(lot.id, BASE)
    assert (result.status, result.reason, result.broken_at) == (
        IntegrityStatus.BROKEN,
        Broken.LOT_CHANGED,
        None,
    )
    html = await _page(client, path)
    assert "Cảnh báo: dữ liệu truy xuất đã bị thay đổi sau khi ghi nhận." in html
    assert "Thông tin của lô (ngày, số lượng, nguồn gốc, trạng thái) đã bị sửa." in html
    assert "01/01/2030" in html
    checked = await _integrity_of(client, lot)
    assert (checked["status"], checked["reason"]) == ("BROKEN", "LOT_CHANGED")


async def test_every_shown_field_of_a_lot_without_events_is_covered(db: Database) -> None:
    item = await make_product(name="Kẹo dừa")
    lot = await make_batch(item, "KD-1", quantity=Decimal("12.5"), unit="KGM", origin_place="Ấp 3")
    assert (await integrity(lot.id, BASE)).status == IntegrityStatus.VALID
    for change in (
        {"production_date": dt.date(2019, 4, 30)},
        {"quantity": Decimal("125")},
        {"origin_place": "Ấp 4"},
        {"lot_code": "KD-2"},
        {"status": "recalled"},
    ):
        original = {name: getattr(lot, name) for name in change}
        await Batch.filter(id=lot.id).update(**change)
        assert (await integrity(lot.id, BASE)).reason == Broken.LOT_CHANGED, change
        await Batch.filter(id=lot.id).update(**original)
        assert (await integrity(lot.id, BASE)).valid, change


async def test_a_recall_through_the_service_keeps_the_lot_valid(db: Database) -> None:
    _, lot = await pomelo_lot()
    await trace.record_recall(lot.id, "Vượt ngưỡng dư lượng", SYSTEM, BASE)
    result = await integrity(lot.id, BASE)
    assert (result.status, result.events_checked) == (IntegrityStatus.VALID, 4)


async def test_a_lot_whose_events_and_head_are_deleted_is_head_missing(
    client: AsyncClient, db: Database
) -> None:
    path, lot = await pomelo_lot()
    for event in await TraceEvent.all():
        await _delete(event)
    await LotHead.filter(batch_id=lot.id).delete()
    result = await integrity(lot.id, BASE)
    assert (result.status, result.reason, result.events_checked) == (
        IntegrityStatus.BROKEN,
        Broken.HEAD_MISSING,
        0,
    )
    assert "Bản ghi đầu chuỗi của lô bị mất." in await _page(client, path)
    # A lot that never had an event has a head from its creation too.
    fresh = await make_batch(await make_product(name="Bánh phồng"), "BP-1")
    assert (await integrity(fresh.id, BASE)).valid
    await LotHead.filter(batch_id=fresh.id).delete()
    assert (await integrity(fresh.id, BASE)).reason == Broken.HEAD_MISSING


async def test_the_migration_gives_lots_without_events_a_head(db: Database) -> None:
    """Migration 0008 gives each lot without a head an empty one (the same SQL, run again here); the fields of
    lots recorded before it are not covered (no digest)."""
    from tortoise.migrations import operations as ops

    migration = importlib.import_module("models.migrations.0008_lot_digest").Migration
    [backfill] = [op for op in migration.operations if isinstance(op, ops.RunSQL)]
    _, with_events = await pomelo_lot()
    without = await make_batch(await make_product(name="Bánh phồng"), "BP-1")
    await LotHead.filter(batch_id=without.id).delete()
    sql = backfill.sql if isinstance(backfill.sql, str) else backfill.sql[0]
    await connections.get("default").execute_script(sql)
    head = await LotHead.get(batch_id=without.id)
    assert (head.event_count, head.chain_hash, head.lot_digest) == (0, "", None)
    assert await LotHead.filter(batch_id=with_events.id).count() == 1
    assert (await integrity(without.id, BASE)).valid


async def test_a_lot_with_many_events_shows_its_first_and_last_stages(
    client: AsyncClient, db: Database
) -> None:
    item = await make_product(name="Bưởi da xanh")
    lot = await make_batch(item, "BDX-MANY")
    for minute in range(60):
        await trace.record_event(
            EventInput(
                EventType.OBJECT,
                T0 + dt.timedelta(minutes=minute),
                subjects=[QuantityData(lot.id)],
                biz_step="storing",
                note=f"Lần đo {minute:02d}",
            ),
            SYSTEM,
            BASE,
        )
    html = await _page(client, f"/t/{product_code(item.id)}/BDX-MANY")
    shown = [minute for minute in range(60) if f"Lần đo {minute:02d}" in html]
    assert shown == [*range(10), *range(20, 60)]
    assert "… 10 công đoạn khác không hiển thị" in html
    assert "chuỗi mã băm của 60 sự kiện khớp" in html  # every event is still checked
    assert await EventQuantity.filter(batch_id=lot.id).count() == 60
