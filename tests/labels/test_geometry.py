"""Where things land on the printed page, measured in the PDF (pdfminer's layout of the drawing operators)
against the label sheets' figures written out in tests/labels/pdfcheck.py from the domain notes, not read
from templates.json: each QR and its 4-module quiet zone inside its own label, at the position the layout
computed, with a module GS1 accepts; the calibration page outlining every slot; and no text, however long,
running off its label.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from services.labels import layout as lay
from services.labels import pdf
from services.labels.templates import builtin
from tests.labels.pdfcheck import (
    GRIDS,
    ROLLS,
    SHEETS,
    TEMPLATES,
    Box,
    Char,
    Grid,
    Page,
    content,
    job,
    lines_of,
    pdf_pages,
)

TOLERANCE_MM = 0.2
GS1_MIN_MODULE_MM = 0.396
GS1_MAX_MODULE_MM = 0.990


@pytest.mark.parametrize("code", SHEETS)
def test_the_sheet_figures_fill_an_a4_page_symmetrically(code: str) -> None:
    """A check of the figures the other tests trust: the grids sit centred on the A4 page."""
    grid = GRIDS[code]
    first, last = grid.label(0), grid.label(grid.per_page - 1)
    assert first.x0 == pytest.approx(grid.page_width - last.x1, abs=0.01)
    assert first.top == pytest.approx(grid.page_height - last.bottom, abs=0.01)


def labelled(grid: Grid, box: Box) -> tuple[int, Box]:
    slot = grid.slot_at(*box.centre)
    assert slot is not None, f"something at {box} lies outside every label"
    return slot, grid.label(slot)


@pytest.mark.parametrize("serialized", [False, True], ids=["lot", "serial"])
@pytest.mark.parametrize("code", TEMPLATES)
def test_each_qr_with_its_quiet_zone_sits_inside_its_label_where_the_layout_says(
    code: str, serialized: bool
) -> None:
    grid = GRIDS[code]
    count = 2 if code in ROLLS else grid.per_page
    j = job(code, count, serialized=serialized)
    lo = lay.layout(j)
    pages = pdf_pages(pdf.labels_pdf(j))
    assert len(pages) == j.pages
    for page in pages:
        assert (page.width, page.height) == pytest.approx((grid.page_width, grid.page_height), abs=0.01)
        used = set()
        for image in page.images:
            slot, label = labelled(grid, image.box)
            used.add(slot)
            qr = image.box
            modules = image.modules[0]
            assert image.modules == (lo.modules, lo.modules)
            module = qr.width / modules
            assert qr.height == pytest.approx(qr.width, abs=0.01)  # square modules
            assert GS1_MIN_MODULE_MM <= module <= GS1_MAX_MODULE_MM
            assert module == pytest.approx(lo.module_mm, abs=0.005)
            assert qr.x0 - label.x0 == pytest.approx(lo.qr_x_mm, abs=TOLERANCE_MM)
            assert qr.top - label.top == pytest.approx(lo.qr_y_mm, abs=TOLERANCE_MM)
            quiet = qr.grown(4 * module)
            assert quiet.inside(label), f"{code} slot {slot + 1}: quiet zone {quiet} leaves label {label}"
            assert_quiet_zone_clear(page, quiet, f"{code} slot {slot + 1}")
        assert len(page.images) == len(used)  # one code per label
    assert sum(len(p.images) for p in pages) == count


def assert_quiet_zone_clear(page: Page, quiet: Box, where: str) -> None:
    """Nothing else is printed in a code's quiet zone (a scanner needs it white)."""
    for char in page.chars:
        if char.text.strip():
            assert not char.box.overlaps(quiet), f"{where}: {char.text!r} at {char.box} in the quiet zone"
    for curve in page.curves:
        assert not curve.overlaps(quiet), f"{where}: a drawing at {curve} in the quiet zone"


@pytest.mark.parametrize("code", TEMPLATES)
def test_the_calibration_page_outlines_every_slot(code: str) -> None:
    grid = GRIDS[code]
    template = builtin(code)
    assert template is not None
    (page,) = pdf_pages(pdf.calibration_pdf(template))
    assert (page.width, page.height) == pytest.approx((grid.page_width, grid.page_height), abs=0.01)
    outlines = [
        r for r in page.rects if abs(r.width - grid.label_width) < 1 and abs(r.height - grid.label_height) < 1
    ]
    assert len(outlines) == grid.per_page
    for slot in range(grid.per_page):
        label = grid.label(slot)
        matches = [r for r in outlines if r.near(label, TOLERANCE_MM)]
        assert len(matches) == 1, f"{code} slot {slot + 1}: no outline at {label}"
    # The slot numbers (10 pt; the captions are 6.5 pt), 1 to N, each in its own slot.
    numbers: dict[int, str] = {}
    for char in page.chars:
        holder = grid.slot_at(*char.box.centre)
        if holder is not None and char.text.isdigit() and char.box.height > 3.0:
            numbers[holder] = numbers.get(holder, "") + char.text
    if code in SHEETS:  # on a roll the scale bar's caption covers the middle of the only label
        assert numbers == {n: str(n + 1) for n in range(grid.per_page)}
    # Crosshairs through the first label's top-left corner: where the sheet must start.
    corner = grid.label(0)
    horizontal = [ln for ln in page.lines if ln.height < 0.01 and abs(ln.top - corner.top) < TOLERANCE_MM]
    vertical = [ln for ln in page.lines if ln.width < 0.01 and abs(ln.x0 - corner.x0) < TOLERANCE_MM]
    assert any(ln.x0 < corner.x0 < ln.x1 for ln in horizontal)
    assert any(ln.top < corner.top < ln.bottom for ln in vertical)
    # The scale bar is as long as its caption says: a reader checks the printer's scale with a ruler.
    bar = min(100.0, grid.page_width - 10)
    assert any(ln.height < 0.01 and abs(ln.width - bar) < 0.05 for ln in page.lines)
    caption = "".join(c.text for c in sorted(page.chars, key=lambda c: (round(c.box.bottom, 1), c.box.x0)))
    assert f"{code}: {bar:g} mm" in caption


LONG_NAME = (
    "Bánh phồng Sơn Đốc nướng than hồng truyền thống vị nước cốt dừa béo ngậy, đóng gói hút chân không "
    "hộp quà Tết cao cấp đặc sản Bến Tre"
)[:120]
LONG_PRODUCER = "Hợp tác xã Nông nghiệp Dịch vụ Sản xuất Kinh doanh Bánh phồng Sơn Đốc xã Hưng Nhượng (demo)"


@pytest.mark.parametrize("code", TEMPLATES)
def test_long_text_is_shortened_visibly_and_never_leaves_its_label(code: str) -> None:
    assert len(LONG_NAME) == 120
    grid = GRIDS[code]
    count = 2 if code in ROLLS else grid.per_page
    label = content(product_name=LONG_NAME, producer_name=LONG_PRODUCER, stars=5)
    j = job(code, count, serialized=True, first_serial=49_990, label=label)
    pages = pdf_pages(pdf.labels_pdf(j))
    assert len(pages) == j.pages
    for number, page in enumerate(pages):
        by_slot: dict[int, list[Char]] = defaultdict(list)
        for char in page.chars:
            slot, box = labelled(grid, char.box)
            where = f"{code} page {number + 1} slot {slot + 1}"
            assert char.box.inside(box), f"{where}: {char.text!r} at {char.box} leaves the label {box}"
            by_slot[slot].append(char)
        for curve in page.curves:  # the stars
            slot, box = labelled(grid, curve)
            assert curve.inside(box), f"{code} slot {slot + 1}: a star at {curve} leaves the label {box}"
        for image in page.images:
            qr = image.box
            assert_quiet_zone_clear(page, qr.grown(4 * qr.width / image.modules[0]), code)
        assert len(by_slot) == (1 if code in ROLLS else grid.per_page)
        for slot, chars in by_slot.items():
            bold = lines_of([c for c in chars if "SemiBold" in c.font])
            regular = lines_of([c for c in chars if "SemiBold" not in c.font])
            where = f"{code} page {number + 1} slot {slot + 1}"
            # The name wraps over two lines, the second cut with "…": a prefix of the real name, not garbled.
            name_lines = [ln for ln in bold if ln != "OCOP"]
            assert len(name_lines) == 2, (where, bold)
            shown = " ".join(name_lines)
            assert shown.endswith("…"), (where, shown)
            assert LONG_NAME.startswith(shown[:-1].rstrip()), (where, shown)
            assert len(shown) > 15, (where, shown)
            (producer,) = [ln for ln in regular if ln.startswith("Hợp tác xã")]
            assert producer.endswith("…"), (where, producer)
            assert LONG_PRODUCER.startswith(producer[:-1].rstrip()), (where, producer)
            serial = j.first_serial + number * grid.per_page + slot if j.first_serial else None
            assert f"S/N: {serial}" in regular, (where, regular)
