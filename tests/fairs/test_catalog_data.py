"""The catalog's snapshot of a fair: what it shows and what it leaves out, in a fixed number of queries."""

from __future__ import annotations

import pickle
import unicodedata

import pytest

from models import ApplicationProduct, ApplicationStatus, ExhibitorApplication
from services.fairs.catalog.data import CatalogData, CatalogError, load_catalog
from services.trace.identity import product_code
from tests.conftest import Database, SQLCounter
from tests.factories import make_producer, make_product
from tests.fairs.catalog_fair import FAIR_NAME, PHU_LE, CatalogFair, build_catalog_fair

BASE = "https://ocop.test"


@pytest.fixture
async def world(db: Database) -> CatalogFair:
    return await build_catalog_fair()


async def test_only_approved_exhibitors_with_their_published_listed_products(world: CatalogFair) -> None:
    data = await load_catalog(world.fair.id, "vi", "A4", BASE)

    assert {x.name.vi for x in data.exhibitors} == set(world.exhibitors)
    shown = {p.name.vi for x in data.exhibitors for p in x.products}
    assert shown == set(world.products)
    assert not shown & set(world.hidden_products)
    assert data.fair.name.vi == FAIR_NAME


async def test_directory_is_in_vietnamese_order(world: CatalogFair) -> None:
    data = await load_catalog(world.fair.id, "vi", "A4", BASE)

    assert [x.name.vi for x in data.exhibitors] == [
        "Cơ sở Kẹo dừa Thanh Long (demo)",
        "Dừa Xanh Chợ Lách (demo)",
        "Đồng Tháp Sen Hồng (demo)",
        "Em Út Phú Lễ (demo)",
        "HTX Bánh phồng Sơn Đốc (demo)",
    ]


async def test_stars_only_while_the_certificate_is_valid_on_the_opening_day(world: CatalogFair) -> None:
    data = await load_catalog(world.fair.id, "vi", "A4", BASE)
    products = {p.name.vi: p for x in data.exhibitors for p in x.products}

    assert {name: p.stars for name, p in products.items()} == world.stars
    expired = products["Bánh phồng tôm Sơn Đốc"]
    assert expired.stars is None
    assert expired.certificate_valid_until is None
    assert products["Bánh phồng Sơn Đốc"].certificate_valid_until is not None


async def test_public_contacts_address_booths_and_links(world: CatalogFair) -> None:
    data = await load_catalog(world.fair.id, "vi", "A4", BASE + "/")
    son_doc = next(x for x in data.exhibitors if x.name.vi.startswith("HTX Bánh phồng"))
    keo_dua = next(x for x in data.exhibitors if x.name.vi.startswith("Cơ sở Kẹo dừa"))

    assert son_doc.website == "https://sondoc.demo.ocop.vn"
    flat = repr(data)
    for private in ("0275 123 4567", "sondoc@demo.ocop.vn", "Nguyễn Văn Sơn"):
        assert private not in flat  # phone, e-mail and representative are not public
    assert son_doc.booths == ("A01", "A02")
    assert son_doc.kind == "cooperative"
    assert "Mỏ Cày Bắc" in keo_dua.address
    assert "Bến Tre" in keo_dua.address
    assert keo_dua.province == "Tỉnh Bến Tre"
    assert keo_dua.province_sort == "Bến Tre"
    product = keo_dua.products[0]
    assert product.link == f"{BASE}/products/{product_code(product.id)}"
    assert product.image_url == "/media/catalog-test/keo-dua.png"
    assert data.sessions[0].starts == "08:00"
    assert data.sessions[0].day.isoformat() == "2019-06-06"
    assert [o.name.vi for o in data.offerings] == ["Điểm du lịch Cồn Phụng"]
    assert data.sponsors[0].level == "gold"
    booths = {b.code: b for b in data.floor.booths}
    assert booths["A03"].exhibitor == "Cơ sở Kẹo dừa Thanh Long (demo)"
    assert booths["A03"].zone == "A"
    assert booths["A06"].exhibitor is None  # free


async def test_snapshot_is_frozen_and_picklable(world: CatalogFair) -> None:
    data = await load_catalog(world.fair.id, "bilingual", "A5", BASE)

    assert pickle.loads(pickle.dumps(data)) == data  # noqa: S301 - our own bytes
    with pytest.raises(AttributeError):
        data.language = "vi"  # type: ignore[misc]


async def test_text_arriving_decomposed_is_shown_composed(world: CatalogFair) -> None:
    application = world.applications["Em Út Phú Lễ (demo)"]
    application.description = unicodedata.normalize("NFD", "Rượu Phú Lễ nấu bằng nếp than")
    await application.save()

    data = await load_catalog(world.fair.id, "vi", "A4", BASE)
    x = next(x for x in data.exhibitors if x.name.vi.startswith("Em Út"))
    assert x.description is not None
    assert x.description.vi == "Rượu Phú Lễ nấu bằng nếp than"
    assert unicodedata.is_normalized("NFC", x.description.vi)


async def test_english_edition_sorts_by_english_names(world: CatalogFair) -> None:
    data = await load_catalog(world.fair.id, "en", "A4", BASE)
    assert data.language == "en"
    assert data.fair.name.en == "OCOP-Tourism Fair 2019 of the Southwest and Southeast"


async def test_query_count_does_not_grow_with_exhibitors(world: CatalogFair, sql_counter: SQLCounter) -> None:
    await load_catalog(world.fair.id, "vi", "A4", BASE)  # warms the administrative unit cache
    sql_counter.statements.clear()
    await load_catalog(world.fair.id, "vi", "A4", BASE)
    few = len(sql_counter.statements)

    for n in range(6):
        producer = await make_producer(name=f"HTX Thêm {n} (demo)", communeCode=PHU_LE)
        application = await ExhibitorApplication.create(
            fair=world.fair, producer=producer, status=ApplicationStatus.APPROVED
        )
        for k in range(3):
            product = await make_product(producer, name=f"Sản phẩm {n}-{k}")
            await ApplicationProduct.create(application=application, product=product)
    await load_catalog(world.fair.id, "vi", "A4", BASE)  # new communes into the cache
    sql_counter.statements.clear()
    data = await load_catalog(world.fair.id, "vi", "A4", BASE)

    assert len(data.exhibitors) == 11
    assert len(sql_counter.statements) == few <= 12


@pytest.mark.parametrize(("language", "paper"), [("fr", "A4"), ("vi", "Letter")])
async def test_unknown_language_or_paper_is_refused(world: CatalogFair, language: str, paper: str) -> None:
    with pytest.raises(CatalogError):
        await load_catalog(world.fair.id, language, paper, BASE)


async def test_unknown_fair_is_refused(db: Database) -> None:
    with pytest.raises(CatalogError):
        await load_catalog(999_999, "vi", "A4", BASE)


def test_catalog_data_is_plain_values() -> None:
    assert CatalogData.__dataclass_params__.frozen  # type: ignore[attr-defined]
