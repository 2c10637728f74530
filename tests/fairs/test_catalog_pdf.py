"""The printed catalog as a visitor reads it: Vietnamese text, alphabetical directory, indexes whose page
numbers lead to the entries, stars only with a valid certificate, QR codes that open product pages,
embedded fonts, A4 and A5."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient
from PIL import Image, ImageChops

from services.common import settings
from services.fairs.catalog import document, images, render
from services.fairs.catalog.data import CatalogData, load_catalog
from services.fairs.catalog.render import render_catalog, render_catalog_with_stats
from tests.conftest import Database, forget_writes
from tests.factories import MUST_RENDER
from tests.fairs.catalog_fair import CatalogFair, build_catalog_fair
from tests.fairs.catalog_pdf import CatalogPdf

BASE = "https://ocop.test"


@dataclass
class Rendered:
    world: CatalogFair
    data: CatalogData
    pdf: CatalogPdf


def media_folder(folder: Path) -> Path:
    """A media folder with the photo of the kẹo dừa."""
    (folder / "catalog-test").mkdir(parents=True)
    Image.new("RGB", (120, 90), (200, 160, 60)).save(folder / "catalog-test" / "keo-dua.png")
    return folder


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    folder = media_folder(tmp_path / "media")
    with settings.overridden(media_dir=folder):
        yield folder


@pytest.fixture
async def world(db: Database, media: Path) -> CatalogFair:
    return await build_catalog_fair()


async def rendered_catalog(world: CatalogFair, language: str = "vi", paper: str = "A4") -> Rendered:
    data = await load_catalog(world.fair.id, language, paper, BASE)
    return Rendered(world, data, CatalogPdf(render_catalog(data)))


@pytest.fixture(scope="module")
async def vi_a4(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The Vietnamese A4 catalog, rendered once per database for the tests that only read the PDF (and the
    fair it was made from); what it wrote is emptied before they run, as after a test."""
    with settings.overridden(media_dir=media_folder(tmp_path_factory.mktemp("media"))):
        try:
            return await rendered_catalog(await build_catalog_fair())
        finally:
            await forget_writes(database)


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

    assert set(pdf.page_sizes_mm()) == {size, size[::-1]}  # the floor plan's pages are landscape
    text = "\n".join(r.text for page in pdf.rows for r in page)
    assert title in text
    if language != "vi":
        assert "OCOP-Tourism Fair 2019 of the Southwest and Southeast" in text
    for page in range(1, len(pdf.pages)):
        assert pdf.printed_number(page) == page + 1


async def test_a4_page_size(vi_a4: Rendered) -> None:
    sizes = vi_a4.pdf.page_sizes_mm()
    assert set(sizes) == {(210.0, 297.0), (297.0, 210.0)}
    assert sizes.count((297.0, 210.0)) == len(vi_a4.pdf.landscape_pages()) <= 3  # the floor plan only


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


PORTRAIT = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}


@pytest.mark.parametrize(("language", "paper"), [("vi", "A4"), ("vi", "A5"), ("en", "A5")])
async def test_the_floor_plan_is_printed_on_landscape_pages_with_no_text_under_6_pt(
    world: CatalogFair, language: str, paper: str
) -> None:
    """The plan used to fill 40 % of a portrait page, exhibitor names at ~2 pt: now the whole floor
    with its booth codes, then each zone with the exhibitors' names, on landscape pages."""
    pdf = (await rendered_catalog(world, language, paper)).pdf
    sizes = pdf.page_sizes_mm()
    plan = pdf.landscape_pages()

    assert plan, "no landscape page"
    assert {sizes[i] for i in plan} == {PORTRAIT[paper][::-1]}
    assert plan == list(range(plan[0], plan[0] + len(plan)))  # together
    title = "Sơ đồ mặt bằng" if language == "vi" else "Floor plan"
    assert title in pdf.row_texts(plan[0])[:3]
    smallest = min(size for i in plan for size in pdf.char_sizes(i))
    assert round(smallest, 2) >= 6.0, smallest
    overview = " ".join(pdf.row_texts(plan[0]))
    for code in ("A01", "A02", "A03", "A04", "A05", "A06", "B01", "B02", "B03"):  # every booth
        assert code in overview, code
    text = "\n".join(row for i in plan for row in pdf.row_texts(i))
    # the exhibitors are named on their booths (abbreviated and wrapped as on booth signs)
    for words in ("Kẹo dừa", "Phú Lễ", "Đồng Tháp"):
        assert words in text, words
    assert ("Thực phẩm" if language == "vi" else "Food") in text


async def _contents(pdf: CatalogPdf) -> dict[str, int]:
    page = next(i for i, rows in enumerate(pdf.rows) if rows and "Mục lục" in [r.text for r in rows[:3]])
    out = {}
    for row in pdf.row_texts(page):
        match = re.fullmatch(r"(.+?) (\d+)", row)
        if match and not row.startswith("Hội chợ"):
            out[match.group(1)] = int(match.group(2))
    return out


async def test_the_table_of_contents_gives_the_page_of_every_section(vi_a4: Rendered) -> None:
    pdf = vi_a4.pdf
    contents = await _contents(pdf)

    assert list(contents)[:4] == ["Lời ngỏ", "Chương trình", "Thông tin thiết thực", "Sơ đồ mặt bằng"]
    assert {"Danh bạ đơn vị tham gia", "Đơn vị tham gia và sản phẩm", "Nhà tài trợ"} <= set(contents)
    for title, number in contents.items():
        starts = [i + 1 for i, rows in enumerate(pdf.rows) if title in [r.text for r in rows[:3]]]
        assert number in starts, (title, number, starts)
        assert pdf.printed_number(number - 1) == number
    assert list(contents.values()) == sorted(contents.values())


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_no_text_slips(world: CatalogFair, language: str) -> None:
    """Doubled words, a label before a label, the province twice, Vietnamese hours in English, internal
    product codes: gone in both editions."""
    rendered = await rendered_catalog(world, language, "A4")
    rows = [r for page in rendered.pdf.rows for r in page]
    text = "\n".join(r.text for r in rows)

    for doubled in (
        "Lễ Lễ",
        "Hội thảo Hội thảo",
        "Seminar Seminar",
        "Tour Tour",
        "Ceremony Opening ceremony",
    ):
        assert doubled not in text, doubled
    assert ": Hướng dẫn viên:" not in text
    assert "Speakers: Hướng dẫn viên" not in text
    if language == "vi":
        assert "Lễ khai mạc" in text
        assert "Hội thảo kết nối cung – cầu sản phẩm OCOP" in text
        assert "Hướng dẫn viên: Lê Thị Kim Thoa (demo)" in text
        assert "Diễn giả: ThS. Phan Thị Mỹ Duyên (demo)" in text
        assert "8:00 – 22:00 hằng ngày" in text
    else:
        assert "Seminar: matching OCOP supply and demand" in text
        assert "Guide: Lê Thị Kim Thoa (demo)" in text
        assert "8:00 – 22:00 daily" in text
        assert "hằng ngày" not in text
    assert "tỉnh Bến Tre, Tỉnh Bến Tre" not in text
    assert "thành phố Bến Tre, tỉnh Bến Tre" in text  # the cover's address, once
    codes = {p.code for x in rendered.data.exhibitors for p in x.products}
    for row in rows:
        assert not any(row.text.endswith(f"· {code}") for code in codes), row.text


async def test_product_photos_are_embedded_downscaled_and_the_others_get_a_tile(
    world: CatalogFair, media: Path
) -> None:
    """A camera-sized photo is printed from a copy of a few hundred pixels (read through the catalog's
    fetcher, in the render); products without a photo get an initials tile, never an empty space."""
    from models import ProductImage

    Image.new("RGB", (4000, 3000), (40, 120, 60)).save(media / "catalog-test" / "ruou.jpg", quality=90)
    await ProductImage.create(product=world.products["Rượu Phú Lễ"], url="/media/catalog-test/ruou.jpg")
    rendered = await rendered_catalog(world)
    pdf = rendered.pdf

    for name in ("Rượu Phú Lễ", "Trà sen Tháp Mười", "Kẹo dừa sầu riêng lá dứa"):
        page = entry_page(pdf, name) - 1
        pictures = [size for size in pdf.images(page) if size[0] == size[1]]  # photos and tiles are square
        assert pictures, name
        assert all(max(size) <= 400 for size in pdf.images(page)), pdf.images(page)
    assert len(rendered.pdf.pdf) < 2_000_000


MAGENTA = (200, 30, 160)


def magenta_pixels(pdf: CatalogPdf, page: int) -> int:
    """Pixels of the test logo's magenta (±30 a channel) on the page painted at 100 dpi."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf.pdf)
    try:
        image = document[page].render(scale=100 / 72).to_pil().convert("RGB")
    finally:
        document.close()
    masks = [
        band.point(lambda v, c=c: 255 if abs(v - c) < 30 else 0)
        for band, c in zip(image.split(), MAGENTA, strict=True)
    ]
    both = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return int(both.histogram()[255])


async def test_an_exhibitor_with_a_producer_logo_gets_it_printed_the_others_keep_the_tile(
    world: CatalogFair, media: Path
) -> None:
    """A producer's logo (a large, wide PNG with transparency, in the media folder) is printed beside its
    entry instead of the initials tile: read through the catalog's fetcher, downscaled whole into a small
    square. A producer without a logo, or with one the fetcher refuses (an https address), keeps its tile."""
    logo = Image.new("RGBA", (2400, 1200), (0, 0, 0, 0))
    logo.paste((*MAGENTA, 255), (200, 200, 2200, 1000))
    logo.save(media / "catalog-test" / "logo-phu-le.png")
    names = sorted(world.exhibitors)
    with_logo, refused = world.exhibitors[names[0]], world.exhibitors[names[1]]
    with_logo.logo_url = "/media/catalog-test/logo-phu-le.png"
    await with_logo.save()
    refused.logo_url = "https://example.com/logo.png"
    await refused.save()

    rendered = await rendered_catalog(world)
    pdf = rendered.pdf
    logo_page = entry_page(pdf, with_logo.name) - 1
    tile_logo = (images.TILE_LOGO_PX, images.TILE_LOGO_PX)
    assert tile_logo in pdf.images(logo_page)  # the logo, downscaled from 2400 px wide, kept square
    assert magenta_pixels(pdf, logo_page) > 100
    everywhere = [size for page in range(len(pdf.pages)) for size in pdf.images(page)]
    assert everywhere.count(tile_logo) == 1  # only the producer with a logo of ours
    tile = (images.TILE_PX, images.TILE_PX)
    for name in names[1:]:
        page = entry_page(pdf, name) - 1
        assert tile in pdf.images(page), name
        if page != logo_page:
            assert magenta_pixels(pdf, page) == 0, name


async def test_a_catalog_job_reports_its_progress_as_it_goes(world: CatalogFair) -> None:
    """Input read, HTML built, pages laid out, pages drawn: many steps in order, not 0 then 100; and the
    job's row shows them while it runs (written about every second)."""
    from models import Job, JobStatus
    from services.fairs.catalog import job as catalog_job
    from services.jobs import queue as jobs

    job = await catalog_job.generate_catalog_for_slug(world.fair.slug, "vi", "A4", base_url=BASE)
    claimed = await jobs.claim("test-worker", job.id)
    assert claimed is not None
    seen: list[int] = []
    running = asyncio.create_task(jobs.execute(claimed, "test-worker", on_progress=seen.append))
    in_row: list[int] = []
    while not running.done():
        row = await Job.get(id=job.id)
        if not in_row or in_row[-1] != row.progress:
            in_row.append(row.progress)
        await asyncio.sleep(0.1)
    done = await running

    assert done.status == JobStatus.SUCCEEDED, done.error
    assert seen == sorted(seen)
    assert seen[0] == jobs.DATA_READ
    assert seen[-1] == 100
    steps = [p for p in seen if 0 < p < 100]
    assert len(steps) >= 10, seen
    assert any(10 < p < 50 for p in steps)  # laying out
    assert any(60 < p < 100 for p in steps)  # drawing
    assert in_row == sorted(in_row)
    assert any(0 < p < 100 for p in in_row), in_row
