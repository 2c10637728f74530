"""The printed catalog as a visitor reads it: Vietnamese text, alphabetical directory, indexes whose page
numbers lead to the entries, stars only with a valid certificate, QR codes that open product pages,
embedded fonts, A4 and A5."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient
from PIL import Image

from services.common import settings
from services.fairs.catalog import document, render
from services.fairs.catalog.data import CatalogData, load_catalog
from services.fairs.catalog.render import render_catalog, render_catalog_with_stats
from tests.conftest import Database
from tests.factories import MUST_RENDER
from tests.fairs.catalog_fair import CatalogFair, build_catalog_fair
from tests.fairs.catalog_pdf import CatalogPdf

BASE = "https://ocop.test"


@dataclass
class Rendered:
    world: CatalogFair
    data: CatalogData
    pdf: CatalogPdf


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    """A media folder with the photo of the kẹo dừa."""
    folder = tmp_path / "media"
    (folder / "catalog-test").mkdir(parents=True)
    Image.new("RGB", (120, 90), (200, 160, 60)).save(folder / "catalog-test" / "keo-dua.png")
    with settings.overridden(media_dir=folder):
        yield folder


@pytest.fixture
async def world(db: Database, media: Path) -> CatalogFair:
    return await build_catalog_fair()


async def rendered_catalog(world: CatalogFair, language: str = "vi", paper: str = "A4") -> Rendered:
    data = await load_catalog(world.fair.id, language, paper, BASE)
    return Rendered(world, data, CatalogPdf(render_catalog(data)))


@pytest.fixture
async def vi_a4(world: CatalogFair) -> Rendered:
    return await rendered_catalog(world)


def entry_page(pdf: CatalogPdf, name: str) -> int:
    """The page (1-based) of an exhibitor's or product's entry: the last page naming it, since the
    directory and indexes come before the entries."""
    pages = pdf.pages_with(name)
    assert pages, f"{name} is not in the catalog"
    return pages[-1] + 1


def section_pages(pdf: CatalogPdf, title: str) -> list[int]:
    """0-based pages of the section whose title starts a page, up to the next section title."""
    start = next(i for i, rows in enumerate(pdf.rows) if any(r.text == title for r in rows[:4]))
    titles = {
        "Danh bạ đơn vị tham gia",
        "Chỉ mục theo tỉnh, thành phố",
        "Chỉ mục theo nhóm sản phẩm",
        "Chỉ mục theo hạng sao OCOP",
        "Đơn vị tham gia và sản phẩm",
    } - {title}
    end = next(
        (i for i in range(start + 1, len(pdf.rows)) if any(r.text in titles for r in pdf.rows[i][:4])),
        len(pdf.rows),
    )
    return list(range(start, end))


async def test_vietnamese_strings_render_exactly(vi_a4: Rendered) -> None:
    text = "\n".join(vi_a4.pdf.texts)
    for expected in MUST_RENDER:
        assert unicodedata.is_normalized("NFC", expected)
        assert expected in text, expected
    rows = "\n".join(r.text for page in vi_a4.pdf.rows for r in page)
    assert "Tỉnh Bến Tre" in rows
    assert "Sản phẩm OCOP – Tiềm năng và Phát triển" in rows


async def test_only_approved_exhibitors_appear(vi_a4: Rendered) -> None:
    text = "\n".join(vi_a4.pdf.texts)
    for name in vi_a4.world.exhibitors:
        assert name in text
    for name in [*vi_a4.world.hidden_exhibitors, *vi_a4.world.hidden_products]:
        assert name not in text


async def test_directory_lists_exhibitors_in_vietnamese_order_with_booths(vi_a4: Rendered) -> None:
    pdf = vi_a4.pdf
    rows = [r for page in section_pages(pdf, "Danh bạ đơn vị tham gia") for r in pdf.row_texts(page)]
    order = [next(i for i, row in enumerate(rows) if row.startswith(name)) for name in vi_a4.world.exhibitors]
    names = [name for _, name in sorted(zip(order, vi_a4.world.exhibitors, strict=True))]
    assert names.index("Dừa Xanh Chợ Lách (demo)") < names.index("Đồng Tháp Sen Hồng (demo)")
    assert names.index("Đồng Tháp Sen Hồng (demo)") < names.index("Em Út Phú Lễ (demo)")
    assert names == [x.name.vi for x in vi_a4.data.exhibitors]
    assert any(re.fullmatch(r"HTX Bánh phồng Sơn Đốc \(demo\) A01, A02 \d+", row) for row in rows)
    # letter headings: Đ is a letter of its own
    assert {"C", "D", "Đ", "E", "H"} <= set(rows)


async def test_index_page_numbers_are_the_pages_of_the_entries(vi_a4: Rendered) -> None:
    pdf = vi_a4.pdf
    checked = 0
    for title in ("Danh bạ đơn vị tham gia", "Chỉ mục theo tỉnh, thành phố", "Chỉ mục theo nhóm sản phẩm"):
        for page in section_pages(pdf, title):
            for name in vi_a4.world.exhibitors:
                number = pdf.index_number(page, name)
                if number is not None:
                    assert number == entry_page(pdf, name), (title, name)
                    checked += 1
    for page in section_pages(pdf, "Chỉ mục theo hạng sao OCOP"):
        for name, stars in vi_a4.world.stars.items():
            number = pdf.index_number(page, name)
            if number is not None:
                assert stars is not None, f"{name} has no valid certificate"
                assert number == entry_page(pdf, name), name
                checked += 1
    rated = sum(1 for s in vi_a4.world.stars.values() if s)
    assert checked == 3 * len(vi_a4.world.exhibitors) + rated


async def test_printed_page_numbers_count_from_the_cover(vi_a4: Rendered) -> None:
    pdf = vi_a4.pdf
    assert pdf.printed_number(0) is None  # the cover
    for page in range(1, len(pdf.pages)):
        assert pdf.printed_number(page) == page + 1


async def test_expired_certificate_shows_no_stars(vi_a4: Rendered) -> None:
    pdf = vi_a4.pdf
    for name, stars in vi_a4.world.stars.items():
        rows = pdf.row_texts(entry_page(pdf, name) - 1)
        at = rows.index(name)
        assert rows[at + 1].startswith("Nhóm "), rows[at : at + 3]  # name, group, then the stars
        if stars is None:
            assert "sao OCOP" not in rows[at + 2], name
        else:
            assert rows[at + 2].startswith(f"{stars} sao OCOP · hiệu lực đến "), name
    assert vi_a4.world.stars["Bánh phồng tôm Sơn Đốc"] is None


async def test_every_qr_code_opens_a_product_page(world: CatalogFair, client: AsyncClient) -> None:
    rendered = await rendered_catalog(world)
    links = [link for page in rendered.pdf.qr_codes() for link in page]

    expected = {p.link for x in rendered.data.exhibitors for p in x.products}
    assert set(links) == expected
    assert len(links) == len(world.products)
    for link in links:
        path = urlsplit(link).path
        assert re.fullmatch(r"/products/[0-9A-Z]+", path)
        response = await client.get(path)
        assert response.status_code in (200, 307), link


async def test_fonts_are_embedded(vi_a4: Rendered) -> None:
    fonts = vi_a4.pdf.fonts()
    assert fonts
    assert all(embedded for _, embedded in fonts), fonts
    assert any("Be-Vietnam-Pro" in name for name, _ in fonts)


@pytest.mark.parametrize(
    ("language", "paper", "size", "title"),
    [
        ("vi", "A5", (148.0, 210.0), "Danh bạ đơn vị tham gia"),
        ("en", "A5", (148.0, 210.0), "Exhibitor directory"),
        ("bilingual", "A4", (210.0, 297.0), "Danh bạ đơn vị tham gia / Exhibitor directory"),
    ],
)
async def test_editions_and_paper_sizes(
    world: CatalogFair, language: str, paper: str, size: tuple[float, float], title: str
) -> None:
    rendered = await rendered_catalog(world, language, paper)
    pdf = rendered.pdf

    assert set(pdf.page_sizes_mm()) == {size}
    text = "\n".join(r.text for page in pdf.rows for r in page)
    assert title in text
    if language != "vi":
        assert "OCOP-Tourism Fair 2019 of the Southwest and Southeast" in text
    for page in range(1, len(pdf.pages)):
        assert pdf.printed_number(page) == page + 1


async def test_a4_page_size(vi_a4: Rendered) -> None:
    assert set(vi_a4.pdf.page_sizes_mm()) == {(210.0, 297.0)}


async def test_progress_is_reported_up_to_100(world: CatalogFair) -> None:
    data = await load_catalog(world.fair.id, "vi", "A5", BASE)
    seen: list[int] = []
    render_catalog(data, seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 100


async def test_a_catalog_rendered_in_parts_reads_the_same(
    world: CatalogFair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parallel way (entries in several documents, the front matter laid out twice, the folio laid
    over) prints the same book as one document."""
    pytest.importorskip("pikepdf")
    monkeypatch.setattr(render, "SPLIT_MIN_PRODUCTS", 0)
    monkeypatch.setattr(document, "ENTRY_RUN_PRODUCTS", 2)  # a page break every 2 products, both ways
    data = await load_catalog(world.fair.id, "vi", "A4", BASE)
    single = CatalogPdf(render_catalog_with_stats(data, workers=1)[0])
    seen: list[int] = []
    pdf_bytes, stats = render_catalog_with_stats(data, seen.append, workers=2)
    pdf = CatalogPdf(pdf_bytes)

    assert stats.mode == "parallel"
    assert stats.documents > 4
    assert seen[-1] == 100
    assert seen == sorted(seen)
    assert len(pdf.pages) == len(single.pages)
    assert pdf.printed_number(0) is None
    for page in range(1, len(pdf.pages)):
        assert pdf.printed_number(page) == page + 1
    for page in range(len(pdf.pages)):
        assert pdf.row_texts(page) == single.row_texts(page), page
    for page in section_pages(pdf, "Chỉ mục theo tỉnh, thành phố"):
        for name in world.exhibitors:
            number = pdf.index_number(page, name)
            if number is not None:
                assert number == entry_page(pdf, name)
    assert all(embedded for _, embedded in pdf.fonts())
    assert [link for page in pdf.qr_codes() for link in page] == [
        link for page in single.qr_codes() for link in page
    ]
