"""Tamper evidence covers what consumers see: every field the trace page or the EPCIS document shows is under
the hash chain, and the lot's head (kept apart from its events) makes a deleted last event visible."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from httpx import AsyncClient
from tortoise import connections

from models import Batch, EventQuantity, EventType, Location, LocationKind, LotHead, TraceEvent
from services.common import page_cache
from services.policy import SYSTEM
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from services.trace.identity import product_code
from services.trace.integrity import Broken, _integrity_cache, integrity
from tests.conftest import Database
from tests.factories import make_batch, make_producer, make_product

BASE = "https://ocop.test"
T0 = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
STEPS = ("commissioning", "packing", "inspecting")


async def pomelo_lot() -> tuple[str, Batch]:
    """A lot with three events, each at a named farm, with a note."""
    producer = await make_producer(name="HTX Bưởi Da Xanh Sơn Định (demo)")
    item = await make_product(producer, name="Bưởi da xanh Chợ Lách", subgroup="1.1")
    lot = await make_batch(item, "BDX-190520", harvest_date=dt.date(2019, 5, 20), production_date=None)
    farm = await Location.create(name="Vườn ông Tư", kind=LocationKind.FARM, address_line="Ấp 3")
    for hours, step in enumerate(STEPS):
        await trace.record_event(
            EventInput(
                EventType.OBJECT,
                T0 + dt.timedelta(hours=hours),
                subjects=[QuantityData(lot.id, Decimal(1200), "KGM")],
                biz_step=step,
                read_point_id=farm.id,
                note=f"Ghi chú {step}",
            ),
            SYSTEM,
            BASE,
        )
    return f"/t/{product_code(item.id)}/BDX-190520", lot


async def _page(client: AsyncClient, path: str) -> str:
    page_cache.invalidate()
    _integrity_cache.clear()
    response = await client.get(path)
    assert response.status_code == 200
    return response.text


async def _delete(event: TraceEvent) -> None:
    await EventQuantity.filter(event_id=event.id).delete()
    await TraceEvent.filter(id=event.id).delete()


async def test_an_untouched_lot_is_valid_and_every_event_fully_covered(
    client: AsyncClient, db: Database
) -> None:
    path, lot = await pomelo_lot()
    result = await integrity(lot.id, BASE)
    assert (result.valid, result.reason, result.events_checked, result.legacy_events) == (True, None, 3, 0)
    head = await LotHead.get(batch_id=lot.id)
    last = await TraceEvent.filter(biz_step="inspecting").first()
    assert last is not None
    assert (head.event_count, head.chain_hash) == (3, last.chain_hash)
    assert "Dữ liệu truy xuất toàn vẹn" in await _page(client, path)


async def test_an_edited_note_breaks_the_chain_and_the_page_warns(client: AsyncClient, db: Database) -> None:
    path, lot = await pomelo_lot()
    packing = await TraceEvent.get(biz_step="packing")
    await TraceEvent.filter(id=packing.id).update(note="Đạt chuẩn VietGAP")
    result = await integrity(lot.id, BASE)
    assert (result.valid, result.reason) == (False, Broken.DETAILS_CHANGED)
    assert result.broken_at is not None
    assert result.broken_at.id == packing.id
    html = await _page(client, path)
    assert "Đạt chuẩn VietGAP" in html
    assert "Cảnh báo: dữ liệu truy xuất đã bị thay đổi" in html
    assert "Ghi chú, địa điểm hoặc đính chính của một sự kiện đã bị sửa." in html
    assert "toàn vẹn" not in html


async def test_an_edited_english_note_breaks_the_chain(db: Database) -> None:
    _, lot = await pomelo_lot()
    await TraceEvent.filter(biz_step="commissioning").update(note_en="Organic harvest")
    assert (await integrity(lot.id, BASE)).reason == Broken.DETAILS_CHANGED


async def test_a_renamed_read_point_breaks_the_chain_and_the_page_warns(
    client: AsyncClient, db: Database
) -> None:
    path, lot = await pomelo_lot()
    await Location.filter(name="Vườn ông Tư").update(name="Trang trại hữu cơ Bến Tre")
    result = await integrity(lot.id, BASE)
    assert (result.valid, result.reason) == (False, Broken.DETAILS_CHANGED)
    html = await _page(client, path)
    assert "Trang trại hữu cơ Bến Tre" in html
    assert "Cảnh báo: dữ liệu truy xuất đã bị thay đổi" in html


async def test_an_edited_address_or_gln_of_a_read_point_breaks_the_chain(db: Database) -> None:
    _, lot = await pomelo_lot()
    await Location.filter(name="Vườn ông Tư").update(address_line="Ấp 4")
    assert (await integrity(lot.id, BASE)).reason == Broken.DETAILS_CHANGED
    await Location.filter(name="Vườn ông Tư").update(address_line="Ấp 3", gln="8936131800011")
    assert (await integrity(lot.id, BASE)).reason == Broken.EVENT_CHANGED  # the read point's URI changed


async def test_a_deleted_last_event_is_detected_and_the_page_warns(client: AsyncClient, db: Database) -> None:
    path, lot = await pomelo_lot()
    await _delete(await TraceEvent.get(biz_step="inspecting"))
    result = await integrity(lot.id, BASE)
    assert (result.valid, result.reason, result.events_checked) == (False, Broken.TRUNCATED, 2)
    html = await _page(client, path)
    assert "Các sự kiện cuối cùng của lô đã bị xoá." in html
    english = await client.get(path + "?lang=en")
    assert "The lot&#39;s last events were deleted." in english.text


async def test_the_last_two_events_deleted_are_detected(db: Database) -> None:
    _, lot = await pomelo_lot()
    for step in ("inspecting", "packing"):
        await _delete(await TraceEvent.get(biz_step=step))
    result = await integrity(lot.id, BASE)
    assert (result.valid, result.reason, result.events_checked) == (False, Broken.TRUNCATED, 1)


async def test_every_event_deleted_is_detected(db: Database) -> None:
    _, lot = await pomelo_lot()
    for event in await TraceEvent.all():
        await _delete(event)
    assert (await integrity(lot.id, BASE)).reason == Broken.TRUNCATED


async def test_a_deleted_head_is_detected_and_not_recreated_from_the_events(db: Database) -> None:
    _, lot = await pomelo_lot()
    await LotHead.filter(batch_id=lot.id).delete()
    assert (await integrity(lot.id, BASE)).reason == Broken.HEAD_MISSING
    await trace.record_event(
        EventInput(
            EventType.OBJECT, T0 + dt.timedelta(days=1), subjects=[QuantityData(lot.id)], biz_step="shipping"
        ),
        SYSTEM,
        BASE,
    )
    assert (
        await integrity(lot.id, BASE)
    ).reason == Broken.EXTRA_EVENTS  # a new head counts the new event only


async def test_a_declaration_moved_to_another_event_is_detected(db: Database) -> None:
    _, lot = await pomelo_lot()
    packing = await TraceEvent.get(biz_step="packing")
    declaration, _ = await trace.declare_error(trace.Correction(packing.id, "did_not_occur"), SYSTEM, BASE)
    result = await integrity(lot.id, BASE)
    assert (result.valid, result.events_checked) == (True, 4)
    await TraceEvent.filter(id=declaration.id).update(correction_reason="incorrect_data")
    assert (await integrity(lot.id, BASE)).reason == Broken.DETAILS_CHANGED
    await TraceEvent.filter(id=declaration.id).update(correction_reason="did_not_occur")
    assert (await integrity(lot.id, BASE)).valid
    commissioning = await TraceEvent.get(biz_step="commissioning", corrects_id=None)
    await TraceEvent.filter(id=declaration.id).update(corrects_id=commissioning.id)
    assert (await integrity(lot.id, BASE)).reason == Broken.DETAILS_CHANGED


async def test_events_of_the_first_scheme_keep_verifying_and_the_page_says_what_is_not_covered(
    client: AsyncClient, db: Database
) -> None:
    """An event stored before migration 0007 (scheme 1, whose chain hash does not cover notes and places)."""
    path, lot = await pomelo_lot()
    previous: str | None = None
    for event in sorted(await TraceEvent.all(), key=lambda e: e.id):
        links = await EventQuantity.filter(event_id=event.id)
        old = trace.chain_hash(event.event_hash, [(q.batch_id, previous) for q in links])
        await TraceEvent.filter(id=event.id).update(chain_hash=old, hash_version=1)
        await EventQuantity.filter(event_id=event.id).update(previous_chain_hash=previous)
        previous = old
    await LotHead.filter(batch_id=lot.id).update(chain_hash=previous)
    result = await integrity(lot.id, BASE)
    assert (result.valid, result.legacy_events) == (True, 3)
    html = await _page(client, path)
    assert "toàn vẹn" not in html
    assert "ghi chú và địa điểm của 3 sự kiện ghi trước khi được bảo vệ (đánh dấu †)" in html
    assert html.count("†") == 4  # each stage and the explanation
    await TraceEvent.filter(biz_step="packing").update(biz_step="shipping")
    assert (
        await integrity(lot.id, BASE)
    ).reason == Broken.EVENT_CHANGED  # what scheme 1 covered stays covered


async def test_the_migration_gives_existing_lots_their_head(db: Database) -> None:
    """Migration 0007 takes each lot's head from its events at upgrade time (the same SQL, run again here)."""
    import importlib

    from tortoise.migrations import operations as ops

    migration = importlib.import_module("models.migrations.0007_lot_head").Migration
    [backfill] = [op for op in migration.operations if isinstance(op, ops.RunSQL)]
    _, lot = await pomelo_lot()
    expected = await LotHead.get(batch_id=lot.id)
    await LotHead.all().delete()
    sql = backfill.sql if isinstance(backfill.sql, str) else backfill.sql[0]
    await connections.get("default").execute_script(sql)
    head = await LotHead.get(batch_id=lot.id)
    assert (head.event_count, head.chain_hash) == (expected.event_count, expected.chain_hash)
    assert (await integrity(lot.id, BASE)).valid


async def test_the_demo_lots_are_valid_and_fully_covered(db: Database) -> None:
    from services.demo import loader as demo

    await demo.load(with_accounts=False, base_url=BASE)
    for batch in await Batch.all():
        result = await integrity(batch.id, BASE)
        assert (result.valid, result.legacy_events) == (True, 0), batch.lot_code
