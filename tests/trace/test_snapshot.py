"""The trace page's per-lot snapshot (issue 18 item 3): after every kind of write the page a scan gets equals
the page the slow path builds from the rows, the snapshot is either equal to what the slow path reads or
emptied (then rebuilt by the next scan), and a cold scan costs a handful of SQL statements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from httpx import AsyncClient
from strawberry.relay import to_base64

from models import Batch, EventType, Location, LocationKind, Product, TraceSnapshot
from services.common import page_cache
from services.policy import SYSTEM
from services.trace import events as trace
from services.trace import page as trace_pages
from services.trace import snapshot
from services.trace.events import EventInput, QuantityData
from services.trace.identity import product_code
from services.trace.integrity import _integrity_cache
from tests.conftest import Database, SQLCounter, gql
from tests.factories import certify, make_batch, make_producer, make_product

BASE = "https://ocop.test"
T0 = dt.datetime(2019, 5, 20, 6, 0, tzinfo=dt.UTC)
TODAY = dt.date(2024, 12, 1)
UPDATE_PRODUCT = "mutation ($input: ProductUpdateInput!) { updateProduct(input: $input) { errors { code } } }"
UPDATE_PRODUCER = (
    "mutation ($input: ProducerUpdateInput!) { updateProducer(input: $input) { errors { code } } }"
)


async def event(lot_id: int, hours: int, step: str, *, location: int | None = None, **more: object) -> None:
    await trace.record_event(
        EventInput(
            EventType.OBJECT,
            T0 + dt.timedelta(hours=hours),
            subjects=[QuantityData(lot_id, Decimal(100), "KGM")],
            biz_step=step,
            read_point_id=location,
            **more,  # type: ignore[arg-type]
        ),
        SYSTEM,
        BASE,
    )


async def lots() -> tuple[Product, Batch, Batch]:
    """A pomelo lot with events at a farm, and a candied-pomelo lot made from it (its page shows its input)."""
    producer = await make_producer(name="HTX Bưởi Sơn Định (demo)", nameEn="Son Dinh Co-op (demo)")
    pomelo = await make_product(producer, name="Bưởi da xanh", nameEn="Green pomelo", isPublished=True)
    candy = await make_product(producer, name="Mứt bưởi", nameEn="Candied pomelo", isPublished=True)
    farm = await Location.create(name="Vườn ông Tư", kind=LocationKind.FARM, address_line="Ấp 3")
    source = await make_batch(pomelo, "BDX-1", harvest_date=dt.date(2019, 5, 20), production_date=None)
    await event(source.id, 0, "commissioning", location=farm.id, note="Thu hoạch", note_en="Harvest")
    child = await make_batch(candy, "MB-1")
    await trace.record_event(
        EventInput(
            EventType.TRANSFORMATION,
            T0 + dt.timedelta(days=2),
            inputs=[QuantityData(source.id, Decimal(50), "KGM")],
            outputs=[QuantityData(child.id, Decimal(10), "KGM")],
            biz_step="creating_class_instance",
            read_point_id=farm.id,
        ),
        SYSTEM,
        BASE,
    )
    return pomelo, source, child


async def check(lot_id: int, *, rebuilt_now: bool = False) -> None:
    """The snapshot is what the slow path reads (or emptied, to be rebuilt); the page a scan gets equals the
    slow path's, in both languages; after that scan the snapshot is current."""
    lot = await Batch.get(id=lot_id).select_related("product")
    row = await TraceSnapshot.get(batch_id=lot_id)
    slow = await trace_pages.collect(lot, lot.product)
    if rebuilt_now:
        assert row.data == slow
    else:
        assert row.data is None or row.data == slow
    for lang in ("vi", "en"):
        _integrity_cache.clear()
        fast = trace_pages.render(await trace_pages.view(lot, lot.product, lang, BASE, TODAY))
        reference = trace_pages.render(await trace_pages.build(lot, lot.product, lang, BASE, TODAY))
        assert fast == reference
    assert (await TraceSnapshot.get(batch_id=lot_id)).data == slow


async def test_the_snapshot_follows_every_kind_of_write(db: Database, admin_client: AsyncClient) -> None:
    pomelo, source, child = await lots()
    await check(source.id, rebuilt_now=True)  # recorded through the services: built in their transaction
    await check(child.id, rebuilt_now=True)

    await event(source.id, 5, "packing", note="Đóng gói")  # an event
    await check(source.id, rebuilt_now=True)
    assert "Đóng gói" in str((await TraceSnapshot.get(batch_id=source.id)).data)

    await trace.record_recall(source.id, "Nghi nhiễm", SYSTEM, BASE)  # a recall
    await check(source.id, rebuilt_now=True)

    variables = {"input": {"id": to_base64("Product", pomelo.id), "name": "Bưởi da xanh Chợ Lách"}}
    answer = await gql(admin_client, UPDATE_PRODUCT, variables)  # a product edit: its lots and the child's
    assert answer["data"]["updateProduct"]["errors"] == []
    assert (await TraceSnapshot.get(batch_id=child.id)).data is None
    await check(source.id)
    await check(child.id)
    assert "Bưởi da xanh Chợ Lách" in str((await TraceSnapshot.get(batch_id=child.id)).data)

    variables = {
        "input": {"id": to_base64("Producer", pomelo.producer_id), "name": "HTX Bưởi Chợ Lách (demo)"}
    }
    answer = await gql(admin_client, UPDATE_PRODUCER, variables)  # a producer edit
    assert answer["data"]["updateProducer"]["errors"] == []
    assert (await TraceSnapshot.get(batch_id=source.id)).data is None
    await check(source.id)
    await check(child.id)
    assert "HTX Bưởi Chợ Lách (demo)" in str((await TraceSnapshot.get(batch_id=source.id)).data)

    await certify(pomelo, stars=4, decided=dt.date(2024, 6, 20))  # a certificate: the stars show
    await check(source.id)
    certified = await Product.get(id=pomelo.id)
    assert (await trace_pages.view(source, certified, "vi", BASE, TODAY)).stars == 4


async def test_a_snapshot_read_at_another_chain_head_is_not_served(db: Database) -> None:
    _, source, _ = await lots()
    lot = await Batch.get(id=source.id).select_related("product")
    stale = dict((await TraceSnapshot.get(batch_id=source.id)).data or {})
    await event(source.id, 9, "storing", note="Lưu kho")
    await TraceSnapshot.filter(batch_id=source.id).update(data=stale)  # as if a rebuild had been lost
    page = await trace_pages.view(lot, lot.product, "vi", BASE, TODAY)
    assert "Lưu kho" in [stage.note for stage in page.stages]


async def test_a_cold_scan_costs_a_few_sql_statements(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    pomelo, source, _ = await lots()
    path = f"/t/{product_code(pomelo.id)}/{source.lot_code}"

    async def cold_scan() -> int:
        page_cache.clear()
        _integrity_cache.clear()
        sql_counter.statements.clear()
        response = await client.get(path)
        assert response.status_code == 200
        assert "Bưởi da xanh" in response.text
        return len(sql_counter.statements)

    from_snapshot = await cold_scan()
    await TraceSnapshot.filter(batch_id=source.id).update(data=None, version=99)
    slow = await cold_scan()  # rebuilds the snapshot: every row the page shows is read
    # From the snapshot: the lot (1), the snapshot and the chain head it was read at (2), and the integrity
    # check, which reads the events every time so that tampering shows (the rest: 8 on this lot).
    assert from_snapshot <= 11, from_snapshot
    assert slow - from_snapshot >= 7, (slow, from_snapshot)  # producer, image, events, places, lineage...


async def test_lots_without_a_snapshot_get_one_from_the_upgrade_command(db: Database) -> None:
    _, source, child = await lots()
    await TraceSnapshot.filter(batch_id=source.id).delete()  # as after migration 0018: no row
    await TraceSnapshot.filter(batch_id=child.id).update(data=None)
    assert await snapshot.build_missing() == 2
    for lot_id in (source.id, child.id):
        lot = await Batch.get(id=lot_id).select_related("product")
        assert (await TraceSnapshot.get(batch_id=lot_id)).data == await trace_pages.collect(lot, lot.product)
    assert await snapshot.build_missing() == 0
