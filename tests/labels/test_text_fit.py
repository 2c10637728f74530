"""A producer prints the demo lot, or the longest text the registry allows, on every template: whatever gives
way, the lot code is printed whole (never "Lô: BDX-190…"), no character leaves its label, the OCOP stars are
all there or not at all, dates are whole, and on thermal printers every field and the text graphic stay on the
label. Read back from the PDF itself (pdfminer, tests/labels/pdfcheck.py) and from the ZPL / TSPL programs.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image

from services.labels import layout as lay
from services.labels import pdf, thermal
from tests.labels.factories import roll_template
from tests.labels.pdfcheck import GRIDS, ROLLS, TEMPLATES, Char, Page, content, job, lines_of, pdf_pages
from tests.labels.test_thermal import tspl_parts, zpl_graphic

DEMO = Path(__file__).parents[2] / "services" / "demo" / "data" / "registry"
LONGEST_LOT = "W" * 20  # GS1 AI 10 allows 20 characters; W is the widest of them in Be Vietnam Pro
LONG_NAME = (
    "Bánh phồng Sơn Đốc nướng than hồng truyền thống vị nước cốt dừa béo ngậy, đóng gói hút chân không "
    "hộp quà Tết cao cấp đặc sản Bến Tre"
)[:120]
LONG_PRODUCER = "Hợp tác xã Nông nghiệp Dịch vụ Sản xuất Kinh doanh Bánh phồng Sơn Đốc xã Hưng Nhượng (demo)"
DATE = re.compile(r"(NSX|HSD|MFG|EXP) \d\d/\d\d/\d{4}")


def _longest(values: list[str]) -> str:
    return max(values, key=lambda v: lay.width_pt(v, lay.FONT_BOLD, 1.0))


def demo_cases() -> dict[str, lay.LabelContent]:
    products = tomllib.loads((DEMO / "products.toml").read_text(encoding="utf-8"))["product"]
    producers = tomllib.loads((DEMO / "producers.toml").read_text(encoding="utf-8"))["producer"]
    lots = [b["lot_code"] for b in json.loads((DEMO / "trace.json").read_text(encoding="utf-8"))["batches"]]
    lot = _longest(lots)
    link = f"http://127.0.0.1:8000/p/1V/10/{quote(lot, safe='')}"
    return {
        # The lot of the report: few text lines, so the text column was set large and the lot cut.
        "demo-BDX-190520": lay.LabelContent(
            product_name="Bưởi da xanh Chợ Lách",
            producer_name="HTX Bưởi Da Xanh Sơn Định (demo)",
            lot_code="BDX-190520",
            link="http://127.0.0.1:8000/p/1V/10/BDX-190520",
            production_date="2019-05-20",
            stars=4,
        ),
        "demo-longest": content(
            product_name=_longest([p["name"] for p in products]),
            producer_name=_longest([p["name"] for p in producers]),
            lot_code=lot,
            link=link,
            stars=5,
        ),
        "worst": content(
            product_name=LONG_NAME,
            producer_name=LONG_PRODUCER,
            lot_code=LONGEST_LOT,
            link=f"https://ocop.test/p/3F/10/{LONGEST_LOT}",
            stars=5,
        ),
    }


CASES = demo_cases()


def _by_slot(code: str, page: Page) -> dict[int, list[Char]]:
    grid = GRIDS[code]
    by_slot: dict[int, list[Char]] = defaultdict(list)
    for char in page.chars:
        slot = grid.slot_at(*char.box.centre)
        assert slot is not None, f"{code}: {char.text!r} at {char.box} lies outside every label"
        box = grid.label(slot)
        assert char.box.inside(box), f"{code} slot {slot + 1}: {char.text!r} at {char.box} leaves {box}"
        by_slot[slot].append(char)
    return by_slot


@pytest.mark.parametrize("serialized", [False, True], ids=["lot", "serial"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("code", TEMPLATES)
def test_the_lot_code_is_whole_and_no_text_leaves_its_label(code: str, case: str, serialized: bool) -> None:
    label = CASES[case]
    grid = GRIDS[code]
    count = 2 if code in ROLLS else grid.per_page
    j = job(code, count, serialized=serialized, first_serial=49_990, label=label)
    (page, *_) = pdf_pages(pdf.labels_pdf(j))
    lot_line = f"Lô: {label.lot_code}"
    for slot, chars in _by_slot(code, page).items():
        where = f"{code} {case} slot {slot + 1}"
        lines = lines_of(chars)
        assert lot_line in lines, (where, lines)
        for line in lines:
            if "NSX" in line or "HSD" in line:  # a date is whole or not printed
                assert all(DATE.fullmatch(part) for part in line.split(" · ")), (where, line)
            if line.startswith("KL tịnh"):
                assert line == f"KL tịnh: {label.net_quantity}", (where, line)
        if serialized:
            assert f"S/N: {49_990 + slot}" in lines, (where, lines)
        assert any(line.startswith(label.product_name[:6]) for line in lines), (where, lines)
    # The stars: all of them, each inside its label, or none (never three and a half).
    stars_by_slot: dict[int, int] = defaultdict(int)
    for curve in page.curves:
        holder = grid.slot_at(*curve.centre)
        assert holder is not None, f"{code} {case}: a star at {curve} is off every label"
        assert curve.inside(grid.label(holder)), f"{code} {case}: a star at {curve} leaves its label"
        stars_by_slot[holder] += 1
    assert set(stars_by_slot.values()) <= {label.stars}, (code, case, stars_by_slot)


@pytest.mark.parametrize("code", ["ROLL-40x25", "ROLL-50x30"])
def test_the_reported_small_rolls_print_the_demo_lot_stars_and_date_whole(code: str) -> None:
    """The report: ROLL-40x25 and ROLL-50x30 printed `Lô: BDX-190…` and ran the fourth star off the edge."""
    label = CASES["demo-BDX-190520"]
    j = job(code, 1, serialized=False, label=label)
    (page,) = pdf_pages(pdf.labels_pdf(j))
    lines = lines_of(page.chars)
    assert "Lô: BDX-190520" in lines
    assert "NSX 20/05/2019" in lines
    assert "Bưởi da xanh" in lines  # set smaller rather than cut
    assert "Chợ Lách" in lines
    assert len(page.curves) == 4
    assert all(curve.x1 <= GRIDS[code].label_width - 0.5 for curve in page.curves)  # clear of the edge
    assert not any("…" in line for line in lines if not line.startswith(("HTX", "127.0.0.1")))


def test_what_gives_way_first_is_the_net_quantity_then_the_producer() -> None:
    """The order of what is left out is the documented one (docs/labels.md)."""
    assert lay.DROP_ORDER == ("net", "producer", "stars", "mfg", "exp")
    # A made-up label short of height: the net quantity goes before anything else.
    squat = roll_template("SQUAT", 60, 19.5)
    long = content(product_name=LONG_NAME, producer_name=LONG_PRODUCER, stars=5)
    lo = lay.layout(lay.LabelJob(squat, long, 1, 1))
    assert lo.dropped == ("net",)
    texts = [line.text for line in lo.lines]
    assert "Lô: BP-2026-11" in texts
    assert "NSX 02/01/2026 · HSD 02/01/2027" in texts
    assert not any(text.startswith("KL tịnh") for text in texts)
    assert lo.stars is not None
    assert lo.stars[3] == 5
    # Everything fits a little higher label: nothing is left out there.
    taller = lay.layout(lay.LabelJob(replace(squat, page_height_mm=21, label_height_mm=21), long, 1, 1))
    assert taller.dropped == ()


# -- thermal printers ----------------------------------------------------------------------------------------

THERMAL = [(code, dpi, case) for code in ROLLS for dpi in thermal.DPIS for case in CASES]


def _dots(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


@pytest.mark.parametrize(("code", "dpi", "case"), THERMAL)
def test_thermal_fields_and_text_stay_on_the_label_with_the_lot_whole(code: str, dpi: int, case: str) -> None:
    label = CASES[case]
    j = job(code, 3, serialized=True, first_serial=49_990, label=label)
    try:
        plan = thermal.plan(j, dpi)
    except lay.LabelTooSmall:
        pytest.skip("the code does not fit this label at this resolution (the run offers no thermal link)")
    assert f"Lô: {label.lot_code}" in [line.text for line in plan.layout.lines]
    width, height = _dots(j.template.label_width_mm, dpi), _dots(j.template.label_height_mm, dpi)
    # ZPL: the graphic's ink, and every text field's origin and block, inside the label.
    program = thermal.zpl(j, dpi).decode()
    name, graphic = zpl_graphic(program)
    ink = graphic.getbbox()
    assert ink is not None
    for block in re.findall(r"\^XA.*?\^XZ", program, re.S)[1:]:
        (placed,) = re.findall(r"\^FO(\d+),(\d+)\^XG" + re.escape(name), block)
        tx, ty = int(placed[0]), int(placed[1])
        assert tx + ink[2] <= width, f"{code} {dpi}: the text graphic runs off the right edge"
        assert ty + ink[3] <= height, f"{code} {dpi}: the text graphic runs off the bottom"
        fields = re.findall(r"\^FO(\d+),(\d+)\^A0N,(\d+),(\d+)\^FB(\d+),1,0,L,0\^FD([^^]*)\^FS", block)
        assert len(fields) == 2, block  # the link and the serial, each in a one-line block
        for x, y, h, _w, block_w, text in fields:
            assert int(x) + int(block_w) <= width, f"{code} {dpi}: {text!r} wider than the label"
            assert int(y) + int(h) <= height, f"{code} {dpi}: {text!r} below the label"
    # TSPL: the same graphic, downloaded as a BMP.
    _, bmp = tspl_parts(thermal.tspl(j, dpi))
    image = Image.open(io.BytesIO(bmp))
    tspl_ink = Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()
    assert tspl_ink is not None
    assert plan.text_x + tspl_ink[2] <= width
    assert plan.text_y + tspl_ink[3] <= height
