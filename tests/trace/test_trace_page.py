"""What a consumer sees after scanning a lot's QR code on a phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from httpx import AsyncClient

from models import EventType
from services.common import page_cache
from services.common.clock import today as vietnam_today
from services.policy import SYSTEM
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from services.trace.identity import product_code
from tests.conftest import Database
from tests.factories import certify, make_batch, make_producer, make_product

T0 = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


async def pomelo_lot(**product: object) -> tuple[str, int]:
    producer = await make_producer(
        name="HTX Bưởi Da Xanh Sơn Định (demo)", nameEn="Son Dinh Pomelo Co-op (demo)"
    )
    values: dict[str, object] = {"name": "Bưởi da xanh Chợ Lách", "nameEn": "Cho Lach green-skin pomelo"}
    values.update(product)
    item = await make_product(producer, subgroup="1.1", standards=["TCCS 01:2019/HTX-BSD"], **values)
    lot = await make_batch(item, "BDX-190520", harvest_date=dt.date(2019, 5, 20), production_date=None)
    await trace.record_event(
        EventInput(EventType.OBJECT, T0, subjects=[QuantityData(lot.id, Decimal(1200), "KGM")], biz_step="commissioning",
                   disposition="active", note="Thu hoạch bưởi", note_en="Pomelo harvest"),
        SYSTEM, "https://ocop.test",
    )  # fmt: skip
    return f"/t/{product_code(item.id)}/BDX-190520", item.id


async def test_the_page_tells_the_lots_story_in_vietnamese(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot()
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    for text in ("Bưởi da xanh Chợ Lách", "HTX Bưởi Da Xanh Sơn Định (demo)", "Xã Hưng Nhượng", "Thu hoạch bưởi",
                 "Hành trình của lô hàng", "TCCS 01:2019/HTX-BSD", "Dữ liệu truy xuất toàn vẹn"):  # fmt: skip
        assert text in html, text
    assert "<script" not in html  # no JavaScript needed
    assert len(response.content) < 50_000


async def test_english_on_request(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot()
    by_header = await client.get(path, headers={"accept-language": "en-US,en;q=0.9"})
    by_query = await client.get(path + "?lang=en")
    for response in (by_header, by_query):
        assert "Cho Lach green-skin pomelo" in response.text
        assert "The lot&#39;s journey" in response.text or "The lot's journey" in response.text
        assert response.headers["content-language"] == "en"


async def test_stars_only_while_the_certificate_is_valid(client: AsyncClient, db: Database) -> None:
    path, product_id = await pomelo_lot()
    from models import Product

    product = await Product.get(id=product_id)
    await certify(product, stars=4, decided=dt.date(2019, 12, 20))  # expired in 2022
    assert "★" not in (await client.get(path)).text
    await certify(
        product, stars=4, decided=vietnam_today() - dt.timedelta(days=10), decision_number="99/QĐ-UBND"
    )
    html = (await client.get(path)).text
    assert "★★★★" in html
    assert "99/QĐ-UBND" in html


async def test_a_recalled_lot_shows_a_banner(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot()
    from models import Batch

    lot = await Batch.get(lot_code="BDX-190520")
    await trace.record_recall(lot.id, "Nghi nhiễm", SYSTEM, "https://ocop.test")
    html = (await client.get(path)).text
    assert 'id="recall"' in html
    assert "LÔ HÀNG ĐÃ BỊ THU HỒI" in html


async def test_caching_headers_and_not_modified(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot()
    first = await client.get(path)
    assert "max-age" in first.headers["cache-control"]
    again = await client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


async def test_unknown_or_unpublished_lots_are_not_found(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot(isPublished=False)
    assert (await client.get(path)).status_code == 404
    assert (await client.get("/t/ZZZZ/NOPE")).status_code == 404


async def test_text_is_escaped(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot(name="Bưởi <script>alert(1)</script>")
    html = (await client.get(path)).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


async def test_the_qr_link_leads_to_this_page(client: AsyncClient, db: Database) -> None:
    path, product_id = await pomelo_lot()
    redirect = await client.get(f"/p/{product_code(product_id)}/10/BDX-190520")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == f"https://ocop.test{path}"


async def test_a_corrected_stage_is_marked_and_the_declaration_not_repeated(
    client: AsyncClient, db: Database
) -> None:
    path, _ = await pomelo_lot()
    from models import TraceEvent

    harvest = await TraceEvent.get(biz_step="commissioning")
    await trace.declare_error(trace.Correction(harvest.id, "did_not_occur"), SYSTEM, "https://ocop.test")
    html = (await client.get(path)).text
    assert html.count("Thu hoạch bưởi") == 1
    assert "Đã được đính chính" in html


# -- what a consumer could not see before (issue 13, item 3) ------------------------------------------------


async def test_attached_documents_show_on_their_stage(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot()
    from models import Batch

    lot = await Batch.get(lot_code="BDX-190520")
    documents = [
        {"type": "testResult", "url": "https://lab.example.vn/kq/KN-2019-0522.pdf", "title": "Phiếu kết quả KN-2019-0522"},
        {"type": "certificate", "url": "https://cert.example.vn/vietgap/123"},
    ]  # fmt: skip
    await trace.record_event(
        EventInput(EventType.OBJECT, T0 + dt.timedelta(days=1), subjects=[QuantityData(lot.id)],
                   biz_step="inspecting", disposition="conformant", documents=documents),
        SYSTEM, "https://ocop.test",
    )  # fmt: skip
    html = (await client.get(path)).text
    assert (
        '<a href="https://lab.example.vn/kq/KN-2019-0522.pdf" rel="nofollow noopener">Phiếu kết quả KN-2019-0522</a>'
        in html
    )
    assert '<a href="https://cert.example.vn/vietgap/123" rel="nofollow noopener">Giấy chứng nhận</a>' in html
    english = (await client.get(path + "?lang=en")).text
    assert ">Certificate</a>" in english


async def test_an_expired_lot_says_so_and_a_valid_one_does_not(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot()
    from models import Batch

    today = vietnam_today()
    await Batch.filter(lot_code="BDX-190520").update(expiry_date=today)  # still good today
    assert 'id="expired"' not in (await client.get(path)).text
    await Batch.filter(lot_code="BDX-190520").update(expiry_date=today - dt.timedelta(days=1))
    page_cache.clear()  # a bulk update sends no signal; in real life the day changes (the cache key holds it)
    html = (await client.get(path)).text
    assert 'id="expired"' in html
    assert "LÔ HÀNG ĐÃ HẾT HẠN SỬ DỤNG" in html
    assert (today - dt.timedelta(days=1)).strftime("%d/%m/%Y") in html
    assert "THIS LOT HAS EXPIRED" in (await client.get(path + "?lang=en")).text


async def test_a_recall_reads_as_a_recall_and_the_recall_anchor_is_always_there(
    client: AsyncClient, db: Database
) -> None:
    path, _ = await pomelo_lot()
    from models import Batch

    before = (await client.get(path)).text
    assert 'id="recall"' in before  # the resolver's gs1:recallStatus link lands here, recalled or not
    assert "Lô hàng không bị thu hồi." in before
    lot = await Batch.get(lot_code="BDX-190520")
    await trace.record_recall(lot.id, "Nghi nhiễm", SYSTEM, "https://ocop.test")
    after = (await client.get(path)).text
    assert after.count('id="recall"') == 1
    assert "<strong>Thu hồi</strong>" in after
    assert "Tạm giữ" not in after
    assert "<strong>Recall</strong>" in (await client.get(path + "?lang=en")).text


async def test_the_page_links_its_product_page_and_names_its_codes_apart(
    client: AsyncClient, db: Database
) -> None:
    path, product_id = await pomelo_lot()
    html = (await client.get(path)).text
    assert f'<a href="https://ocop.test/products/{product_code(product_id)}">' in html
    assert html.count("Mã truy xuất sản phẩm") == 1  # the lot's code
    assert html.count("Mã sự kiện") == 1  # the stage's event ID: another name
    english = (await client.get(path + "?lang=en")).text
    assert f'href="https://ocop.test/products/{product_code(product_id)}?lang=en"' in english
    assert english.count("Product tracing code") == english.count("Event ID") == 1


async def test_a_serialised_labels_serial_is_shown(client: AsyncClient, db: Database) -> None:
    path, _ = await pomelo_lot()
    from models import Batch
    from services.labels.runs import LabelRunData
    from tests.labels.factories import system_run

    lot = await Batch.get(lot_code="BDX-190520")
    await system_run(LabelRunData(batch_id=lot.id, template="L7160", count=2, serialized=True))
    first = (await client.get(path + "?serial=1")).text
    second = (await client.get(path + "?serial=2")).text  # not the first one's cached page
    assert "Số sê-ri</dt><dd>1</dd>" in first
    assert "Số sê-ri</dt><dd>2</dd>" in second
    assert "Số sê-ri" not in (await client.get(path)).text


@pytest.mark.parametrize("phone", ["ko-KR,ko;q=0.9", "zh-CN,zh;q=0.9", "fr-FR,fr;q=0.9", "ja"])
async def test_a_phone_in_another_language_gets_english_not_vietnamese(
    client: AsyncClient, db: Database, phone: str
) -> None:
    path, product_id = await pomelo_lot()
    for page in (path, f"/products/{product_code(product_id)}"):
        response = await client.get(page, headers={"accept-language": phone})
        assert response.headers["content-language"] == "en", page
        assert "Cho Lach green-skin pomelo" in response.text
    vietnamese = await client.get(path, headers={"accept-language": "vi-VN"})
    assert vietnamese.headers["content-language"] == "vi"
