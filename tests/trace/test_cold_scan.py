"""A cold scan (issue 18, item 3): a lot scanned for the first time, every page cache missed. The page is the
stored one while nothing it shows has changed (its key: template, snapshot version, lot and product fields,
chain head, integrity verdict, language, day, base URL); on PostgreSQL the integrity verdict is the stored one
while the rows it was computed from keep their fingerprint (ids, xmin, ctid), so a tamper by raw SQL shows at
the very next scan. On SQLite the page's verdict is the live check's (`integrity_cached`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from httpx import AsyncClient
from tortoise import connections

from models import (
    Batch,
    EventQuantity,
    EventType,
    Location,
    LocationKind,
    LotHead,
    Product,
    TraceEvent,
    TraceSnapshot,
)
from services.common import clock, instance, page_cache
from services.policy import SYSTEM
from services.trace import events as trace
from services.trace import page as trace_pages
from services.trace.events import EventInput, QuantityData
from services.trace.identity import batch_link, product_code
from services.trace.integrity import _integrity_cache
from tests.conftest import Database, SQLCounter
from tests.factories import make_batch, make_producer, make_product
from web import public

BASE = "https://ocop.test"
T0 = dt.datetime(2024, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
INTACT = "Dữ liệu truy xuất toàn vẹn: chuỗi mã băm của 2 sự kiện khớp."
WARNING = "Cảnh báo: dữ liệu truy xuất đã bị thay đổi sau khi ghi nhận."


async def recorded_lot(expiry: dt.date | None = None) -> tuple[str, str, Batch]:
    """A lot recorded through the services (two events at a named farm): its Digital Link path, its trace
    page's path, the lot."""
    producer = await make_producer(name="HTX Dừa Giồng Trôm (demo)")
    item = await make_product(producer, name="Kẹo dừa sáp", isPublished=True)
    lot = await make_batch(item, "KD-0520", expiry_date=expiry)
    farm = await Location.create(name="Vườn dừa ông Sáu", kind=LocationKind.FARM, address_line="Ấp 2")
    for hours, step in enumerate(("commissioning", "packing")):
        await trace.record_event(
            EventInput(
                EventType.OBJECT,
                T0 + dt.timedelta(hours=hours),
                subjects=[QuantityData(lot.id, Decimal(300), "KGM")],
                biz_step=step,
                read_point_id=farm.id,
                note=f"Ghi chú {step}",
            ),
            SYSTEM,
            BASE,
        )
    link = batch_link(BASE, product_id=item.id, gtin=item.gtin, lot_code=lot.lot_code).removeprefix(BASE)
    return link, f"/t/{product_code(item.id)}/{lot.lot_code}", lot


async def cold(client: AsyncClient, path: str, **headers: str) -> str:
    """A first scan of the page in this process: every cache of the process empty."""
    page_cache.clear()
    if not postgres():
        _integrity_cache.clear()  # SQLite: the live check, kept per process for INTEGRITY_MAX_AGE
    response = await client.get(path, headers=headers)
    assert response.status_code == 200
    return response.text


def postgres() -> bool:
    return bool(connections.get("default").capabilities.dialect == "postgres")


async def test_a_recorded_lot_is_scanned_from_its_stored_page(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    link, path, lot = await recorded_lot()
    # Other lots written since: the lot's rows are not theirs (its stored verdict stands).
    other = await make_batch(await Product.get(id=lot.product_id), "KD-0521")
    await trace.record_event(
        EventInput(EventType.OBJECT, T0, subjects=[QuantityData(other.id)], biz_step="commissioning"),
        SYSTEM,
        BASE,
    )
    page_cache.clear()
    _integrity_cache.clear()
    sql_counter.statements.clear()
    redirect = await client.get(link, headers={"accept": "text/html"})
    assert redirect.status_code == 307
    assert redirect.headers["location"] == BASE + path
    assert len(sql_counter.statements) == 1, sql_counter.statements  # the 307: one light statement
    stored = await TraceSnapshot.get(batch_id=lot.id)
    for lang, html in (("vi", stored.page_vi), ("en", stored.page_en)):
        sql_counter.statements.clear()
        text = await cold(client, path + ("?lang=en" if lang == "en" else ""))
        assert text == html  # the bytes rendered when the last event was recorded
        if postgres():  # the lot, its snapshot, head and rows' fingerprint: one statement, no hashing
            assert len(sql_counter.statements) == 1, sql_counter.statements
    assert INTACT in (await cold(client, path))
    # What a scan serves is what the slow path renders from the rows, in both languages.
    for lang in ("vi", "en"):
        fresh = await Batch.get(id=lot.id).select_related("product")
        slow = await trace_pages.build(fresh, fresh.product, lang, BASE, trace_pages.today())
        shown = await trace_pages.scan(
            product_code(fresh.product_id), lot.lot_code, lang, BASE, trace_pages.today()
        )
        assert shown is not None
        assert shown.stored
        assert shown.html == trace_pages.render(slow)


async def test_a_phones_scan_reads_the_lot_once(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    """A browser's plain scan of a lot, every cache empty: the 307 reads the lot with its trace page (the one
    statement the page would read), so the page the phone asks for next comes from memory. On PostgreSQL the
    two requests cost one statement; on SQLite, whose verdicts are the live check's, the page reads the lot
    again. Either way the phone gets the stored bytes, in its language."""
    link, path, lot = await recorded_lot()
    await instance.identity_base(BASE)  # as every server's start-up (web/commands.py announce_identity)
    stored = await TraceSnapshot.get(batch_id=lot.id)
    for accept_language, query, html in (
        ("vi-VN,vi;q=0.9", "", stored.page_vi),
        ("en-US,en;q=0.9", "?lang=en", stored.page_en),
    ):
        page_cache.clear()
        _integrity_cache.clear()
        sql_counter.statements.clear()
        headers = {"accept": "text/html,*/*;q=0.8", "accept-language": accept_language}
        redirect = await client.get(link, headers=headers)
        assert redirect.status_code == 307
        assert redirect.headers["location"] == BASE + path + query
        page = await client.get(path + query, headers=headers)
        assert page.status_code == 200
        assert page.text == html
        if postgres():
            assert len(sql_counter.statements) == 1, sql_counter.statements
        else:
            assert len(sql_counter.statements) > 1
    # A client that is not a browser (it may never ask for the page) gets the light statement alone.
    page_cache.clear()
    sql_counter.statements.clear()
    redirect = await client.get(link, headers={"accept": "application/json"})
    assert redirect.status_code == 307
    assert len(sql_counter.statements) == 1
    assert "trace_snapshot" not in sql_counter.statements[0]


async def test_a_write_after_the_redirect_is_on_the_page(client: AsyncClient, db: Database) -> None:
    """The page read with the redirect is not served once something it shows was written: here a third
    event, recorded between the phone's two requests."""
    link, path, lot = await recorded_lot()
    await instance.identity_base(BASE)
    page_cache.clear()
    headers = {"accept": "text/html"}
    offered = public.pages.stats.offered
    assert (await client.get(link, headers=headers)).status_code == 307
    assert public.pages.stats.offered == offered + postgres()  # the page was at hand (PostgreSQL) ...
    await trace.record_event(
        EventInput(
            EventType.OBJECT, T0 + dt.timedelta(hours=5), subjects=[QuantityData(lot.id)], biz_step="shipping"
        ),
        SYSTEM,
        BASE,
    )
    page = await client.get(path, headers=headers)  # ... and is not what the phone gets
    assert page.status_code == 200
    assert "chuỗi mã băm của 3 sự kiện khớp" in page.text


async def test_tampering_by_raw_sql_shows_at_the_next_scan(client: AsyncClient, db: Database) -> None:
    """Each row the check reads, changed behind the services' back after the verdict was stored: the next
    scan warns (on PostgreSQL, no per-process cache to clear: the rows' fingerprint moved)."""
    _, path, lot = await recorded_lot()
    client_db = connections.get("default")
    packing = await TraceEvent.get(biz_step="packing")
    quantity = await EventQuantity.filter(event_id=packing.id).first()
    assert quantity is not None
    tampers = [
        ("trace_event", "note", "'Đạt chuẩn hữu cơ'", "id", packing.id),
        ("event_quantity", "quantity", "500", "id", quantity.id),
        ("lot_head", "chain_hash", "'f00d'", "batch_id", lot.id),
        ("location", "name", "'Trang trại khác'", "id", packing.read_point_id),
        ("batch", "origin_place", "'Chợ Lách'", "id", lot.id),
    ]
    for table, column, value, key, row_id in tampers:
        assert INTACT in await cold(client, path), table  # the stored verdict, still true
        where = f"FROM {table} WHERE {key} = {row_id}"
        [saved] = await client_db.execute_query_dict(f"SELECT {column} AS value {where}")
        await client_db.execute_script(f"UPDATE {table} SET {column} = {value} WHERE {key} = {row_id}")  # noqa: S608
        page_cache.clear()  # a new process would have nothing cached; PostgreSQL's next scan needs no more
        response = await client.get(path)
        assert WARNING in response.text or not postgres(), table
        assert WARNING in await cold(client, path), table
        # Put back as it was (a new row version: the whole check runs again and finds it intact).
        await client_db.execute_query(
            f"UPDATE {table} SET {column} = {'$1' if postgres() else '?'} WHERE {key} = {row_id}",  # noqa: S608
            [saved["value"]],
        )
        assert INTACT in await cold(client, path), table


async def test_a_deleted_or_added_event_shows_at_the_next_scan(client: AsyncClient, db: Database) -> None:
    _, path, lot = await recorded_lot()
    assert INTACT in await cold(client, path)
    last = await TraceEvent.get(biz_step="packing")
    await EventQuantity.filter(event_id=last.id).delete()
    await TraceEvent.filter(id=last.id).delete()
    page_cache.clear()
    text = (await client.get(path)).text
    if postgres():
        assert "Các sự kiện cuối cùng của lô đã bị xoá." in text
    assert "Các sự kiện cuối cùng của lô đã bị xoá." in await cold(client, path)
    await LotHead.filter(batch_id=lot.id).update(
        event_count=1, chain_hash=(await TraceEvent.get()).chain_hash
    )
    assert "Dữ liệu truy xuất toàn vẹn: chuỗi mã băm của 1 sự kiện khớp." in await cold(client, path)


async def test_the_stored_page_is_of_its_day(client: AsyncClient, db: Database) -> None:
    """A page stored on its day is not served on another: the expiry shows on the day it passes."""
    today = clock.today()
    lot = (await recorded_lot(expiry=today + dt.timedelta(days=1)))[2]
    code = product_code((await Batch.get(id=lot.id)).product_id)
    on_the_day = await trace_pages.scan(code, lot.lot_code, "vi", BASE, today)
    assert on_the_day is not None
    assert on_the_day.stored
    assert "LÔ HÀNG ĐÃ HẾT HẠN SỬ DỤNG" not in on_the_day.html
    later = await trace_pages.scan(code, lot.lot_code, "vi", BASE, today + dt.timedelta(days=2))
    assert later is not None
    assert not later.stored
    assert "LÔ HÀNG ĐÃ HẾT HẠN SỬ DỤNG" in later.html
    again = await trace_pages.scan(code, lot.lot_code, "vi", BASE, today + dt.timedelta(days=2))
    assert again is not None
    assert again.stored  # the last render was kept (one page a language: the latest day's)
    assert again.html == later.html
    elsewhere = await trace_pages.scan(code, lot.lot_code, "vi", "https://truyxuat.example.vn", today)
    assert elsewhere is not None
    assert not elsewhere.stored  # the base URL is part of the key too
    assert "https://truyxuat.example.vn/products/" in elsewhere.html


async def test_a_product_edited_behind_the_services_back_is_shown_as_it_is(
    client: AsyncClient, db: Database
) -> None:
    """The lot's and the product's own fields are part of the stored page's key: a QuerySet update (no signal,
    no snapshot emptied) shows at the next scan."""
    _, path, lot = await recorded_lot()
    assert "Kẹo dừa sáp" in await cold(client, path)
    await Product.filter(id=(await Batch.get(id=lot.id)).product_id).update(name="Kẹo dừa lá dứa")
    text = await cold(client, path)
    assert "Kẹo dừa lá dứa" in text
    assert INTACT in text
