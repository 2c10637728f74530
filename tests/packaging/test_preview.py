"""True-size previews of a design version's label panel (services/packaging/preview.py): the PDF page is
the declared width × height, the PNG is the same at 300 dpi, the QR code reads the declared link at the
declared printed size, the product name has its declared type size; rendered in a child process and
served through a signed link."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from httpx import AsyncClient
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTChar, LTContainer, LTImage, LTItem
from PIL import Image, ImageFont

from services.accounts import auth as accounts
from services.common import settings, storage
from services.labels import layout as lay
from services.labels import qr
from services.packaging import preview
from services.packaging.declared import DeclaredContent
from tests.conftest import Database, gql
from tests.packaging.test_designs import FOOD, new_design, new_version, world

MM_PER_PT = 25.4 / 72
LINK = "https://ocop.test/01/08936131800023"


def panel(declared: dict[str, Any] | None = None, width: float = 90, height: float = 120) -> preview.Panel:
    content = DeclaredContent.from_json(FOOD if declared is None else declared)
    made = preview.panel_of(content, title="Hộp 400 g – v1", width_mm=width, height_mm=height)
    assert made is not None
    return made


def walk(item: LTItem) -> list[LTItem]:
    out = [item]
    if isinstance(item, LTContainer):
        for child in item:
            out += walk(child)
    return out


def cap_ratio(font: str) -> float:
    """Cap height / font size, measured on the font file itself (not ReportLab's metrics)."""
    _, top, _, _ = ImageFont.truetype(str(lay.FONT_FILES[font]), 1000).getbbox("H", anchor="ls")
    return -top / 1000


@pytest.mark.parametrize(("width", "height"), [(90, 120), (50, 80), (200.5, 150)])
def test_the_pdf_page_is_the_declared_size_and_its_qr_reads_the_link(width: float, height: float) -> None:
    body = preview.render_bytes((panel(width=width, height=height), "pdf"))
    document = pypdfium2.PdfDocument(body)
    assert len(document) == 1
    w_pt, h_pt = document[0].get_size()
    assert w_pt * MM_PER_PT == pytest.approx(width, abs=0.01)
    assert h_pt * MM_PER_PT == pytest.approx(height, abs=0.01)
    image = document[0].render(scale=600 / 72).to_pil()
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [LINK]
    # The symbol (without its quiet zone) is the declared 20 mm less 8 modules.
    (page,) = extract_pages(io.BytesIO(body))
    assert page.width * MM_PER_PT == pytest.approx(width, abs=0.01)
    (symbol,) = [i for i in walk(page) if isinstance(i, LTImage)]
    modules = qr.encode(LINK).size
    module = 20 / (modules + 8)
    assert symbol.width * MM_PER_PT == pytest.approx(modules * module, abs=0.01)


def test_texts_at_their_declared_sizes() -> None:
    declared = {**FOOD, "ocop_mark": {"present": True, "stars": 4}}
    body = preview.render_bytes((panel(declared), "pdf"))
    text = extract_text(io.BytesIO(body))
    for expected in (
        "Kẹo dừa Giồng Trôm",
        "HTX P1 Giồng Trôm (demo)",
        "Sản xuất tại Việt Nam",
        "Định lượng: 400 g",
        "NSX: dd/mm/yyyy",
        "HSD: 12 tháng kể từ NSX",
        "Thành phần: Cơm dừa, mạch nha, đường",
        "Bảo quản: Nơi khô ráo, thoáng mát",
        "OCOP",
    ):
        assert expected in text, expected
    (page,) = extract_pages(io.BytesIO(body))
    chars = [c for c in walk(page) if isinstance(c, LTChar)]

    def cap_mm(letter: str, *, bold: bool) -> float:
        sizes = {
            round(c.size, 3) for c in chars if c.get_text() == letter and ("SemiBold" in c.fontname) == bold
        }
        assert len(sizes) == 1, (letter, sizes)
        return sizes.pop() * cap_ratio(lay.FONT_BOLD if bold else lay.FONT) * MM_PER_PT

    # The product name's capitals are the declared 6 mm; the net quantity's 2.5 mm.
    assert cap_mm("K", bold=True) == pytest.approx(6.0, abs=0.05)
    net = [c for c in chars if c.get_text() == "Đ"]
    assert net
    assert net[0].size * cap_ratio(lay.FONT) * MM_PER_PT == pytest.approx(2.5, abs=0.05)
    without = extract_text(io.BytesIO(preview.render_bytes((panel(), "pdf"))))
    assert "OCOP" not in without


def test_the_png_is_300_dpi_at_true_size() -> None:
    body = preview.render_bytes((panel(width=90, height=120), "png"))
    image = Image.open(io.BytesIO(body))
    assert image.size == (round(90 / 25.4 * 300), round(120 / 25.4 * 300))
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    (code,) = zxingcpp.read_barcodes(image)
    assert code.text == LINK
    # The symbol's dark modules span its declared size less the quiet zone, at 300 dpi (within a pixel).
    modules = qr.encode(LINK).size
    px = 300 / 25.4
    corner = image.crop((round((90 - 26) * px), round((120 - 26) * px), *image.size)).convert("L")
    box = corner.point(lambda v: 255 if v < 100 else 0).getbbox()
    assert box is not None
    symbol_mm = 20 * modules / (modules + 8)
    assert (box[2] - box[0]) / px == pytest.approx(symbol_mm, abs=1.5 / px)
    assert (box[3] - box[1]) / px == pytest.approx(symbol_mm, abs=1.5 / px)


def test_text_that_does_not_fit_is_counted_not_shrunk() -> None:
    long = {**FOOD, "ingredients": "Cơm dừa tươi nạo sợi, mạch nha, đường mía. " * 30}
    drawing = preview.arrange(panel(long, width=40, height=50))
    assert drawing.overflow_lines > 0
    assert drawing.lines[-1].text.endswith("lines do not fit")
    text = extract_text(io.BytesIO(preview.render_bytes((panel(long, width=40, height=50), "pdf"))))
    assert f"{drawing.overflow_lines} dòng không vừa nhãn" in text
    assert preview.panel_of(DeclaredContent.from_json(FOOD), title="x", width_mm=None, height_mm=80) is None


async def test_rendered_in_a_child_process_and_reused(tmp_path: Path) -> None:
    made = panel(width=61.5, height=43)
    with settings.overridden(media_dir=tmp_path):
        first = await preview.render(made, "pdf")
        assert first.pid != os.getpid()
        path = storage.current().local_path(first.key)
        assert path is not None
        assert path.is_relative_to(tmp_path)
        assert path.read_bytes() == preview.render_bytes((made, "pdf"))
        again = await preview.render(made, "pdf")
    assert again == first  # served from the file, no second render


def test_signed_links() -> None:
    url = preview.preview_url("https://ocop.test", 7, "pdf", now=1_000_000.0)
    query = dict(part.split("=") for part in url.split("?")[1].split("&"))
    assert url.startswith("https://ocop.test/packaging/versions/7/preview.pdf?")
    assert preview.verify_url(7, "pdf", query["expires"], query["sig"], now=1_000_000.0)
    assert not preview.verify_url(8, "pdf", query["expires"], query["sig"], now=1_000_000.0)
    assert not preview.verify_url(7, "png", query["expires"], query["sig"], now=1_000_000.0)
    assert not preview.verify_url(7, "pdf", query["expires"], query["sig"], now=1_000_000.0 + 2 * 86400)
    assert not preview.verify_url(7, "pdf", "soon", query["sig"])


async def test_the_preview_route(client: AsyncClient, db: Database) -> None:
    w = await world()
    design = await new_design(w)
    version = await new_version(w, design)
    bare = await new_version(w, design, width_mm=None, height_mm=None)
    path = f"/packaging/versions/{version.id}/preview.pdf"
    member1 = await accounts.issue_session(w.member1.actor.user_id or 0)
    member2 = await accounts.issue_session(w.member2.actor.user_id or 0)
    assert (await client.get(path)).status_code == 403  # neither signed nor a token
    assert (await client.get(path + "?expires=9999999999&sig=0123")).status_code == 403
    assert (await client.get(path, headers={"authorization": f"Bearer {member2}"})).status_code == 404
    assert (await client.get(f"/packaging/versions/{version.id}/preview.svg")).status_code == 404
    own = await client.get(path, headers={"authorization": f"Bearer {member1}"})
    assert own.status_code == 200
    assert own.headers["content-type"] == "application/pdf"
    expired = preview.preview_url("", version.id, "pdf", now=time.time() - 3 * 86400)
    assert (await client.get(expired)).status_code == 403
    # GraphQL hands out the links only where there is a page to draw.
    query = "query($id: ID!) { node(id: $id) { ... on DesignVersion { previewPdfUrl previewPngUrl } } }"
    from strawberry.relay import to_base64

    data = (await gql(client, query, {"id": to_base64("DesignVersion", bare.id)}, token=member1))["data"]
    assert data["node"] == {"previewPdfUrl": None, "previewPngUrl": None}
    data = (await gql(client, query, {"id": to_base64("DesignVersion", version.id)}, token=member1))["data"]
    png = data["node"]["previewPngUrl"]
    response = await client.get(png.removeprefix("https://ocop.test"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    no_page = f"/packaging/versions/{bare.id}/preview.png"
    assert (await client.get(no_page, headers={"authorization": f"Bearer {member1}"})).status_code == 422
