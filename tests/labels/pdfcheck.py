"""What the label tests look at: the sheet geometry written out from the domain notes (deliberately not read
from services/labels/templates.json, so a wrong figure there is caught), the label jobs the tests print, and
what a PDF page holds (pdfminer) or what a scanner reads from it (pypdfium2 + zxing-cpp), in millimetres
from the page's top-left corner.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2
import zxingcpp
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage, LTItem, LTLine, LTPage, LTRect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from services.labels import layout as lay
from services.labels.templates import builtin

MM_PER_PT = 25.4 / 72
PRODUCT = "Bánh phồng Sơn Đốc"
PRODUCER = "HTX Bánh phồng Sơn Đốc (demo)"
LOT = "BP-2026-11"
LOT_LINK = "https://ocop.test/p/3F/10/BP-2026-11"
SHEETS = ("L7160", "L7163", "L7651")
ROLLS = ("ROLL-60x40", "ROLL-50x30", "ROLL-40x25")
TEMPLATES = SHEETS + ROLLS


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in mm, `top` < `bottom` (measured down from the page's top edge)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2

    def grown(self, by: float) -> Box:
        return Box(self.x0 - by, self.top - by, self.x1 + by, self.bottom + by)

    def inside(self, other: Box, tolerance: float = 0.01) -> bool:
        return (
            self.x0 >= other.x0 - tolerance
            and self.top >= other.top - tolerance
            and self.x1 <= other.x1 + tolerance
            and self.bottom <= other.bottom + tolerance
        )

    def overlaps(self, other: Box, tolerance: float = 0.05) -> bool:
        return (
            self.x0 < other.x1 - tolerance
            and other.x0 < self.x1 - tolerance
            and self.top < other.bottom - tolerance
            and other.top < self.bottom - tolerance
        )

    def near(self, other: Box, tolerance: float) -> bool:
        return all(
            abs(a - b) <= tolerance
            for a, b in zip(
                (self.x0, self.top, self.x1, self.bottom),
                (other.x0, other.top, other.x1, other.bottom),
                strict=True,
            )
        )

    def __str__(self) -> str:
        return f"({self.x0:.2f}, {self.top:.2f})-({self.x1:.2f}, {self.bottom:.2f}) mm"


@dataclass(frozen=True, slots=True)
class Grid:
    """Where the labels are on a page, from the domain notes (gs1-traceability.md, "Printing QR labels")."""

    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    top: float = 0.0
    left: float = 0.0
    column_gap: float = 0.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def label(self, slot: int) -> Box:
        """The label rectangle of 0-based `slot` (row by row)."""
        row, column = divmod(slot, self.columns)
        x = self.left + column * (self.label_width + self.column_gap)
        y = self.top + row * self.label_height
        return Box(x, y, x + self.label_width, y + self.label_height)

    def slot_at(self, x: float, y: float) -> int | None:
        for slot in range(self.per_page):
            box = self.label(slot)
            if box.x0 <= x <= box.x1 and box.top <= y <= box.bottom:
                return slot
        return None


GRIDS = {
    # 3 × 7 labels 63.5 × 38.1 mm; top 15.15, left 7.25, column gap 2.5 (the domain notes).
    "L7160": Grid(210, 297, 3, 7, 63.5, 38.1, top=15.15, left=7.25, column_gap=2.5),
    # 2 × 7 labels 99.1 × 38.1 mm; the notes give no margins: the grid centred on A4 with a 2.5 mm gap
    # ((210 - 2 × 99.1 - 2.5) / 2 = 4.65, (297 - 7 × 38.1) / 2 = 15.15), as on the commercial sheets.
    "L7163": Grid(210, 297, 2, 7, 99.1, 38.1, top=15.15, left=4.65, column_gap=2.5),
    # 5 × 13 labels 38.1 × 21.2 mm, centred likewise: (210 - 5 × 38.1 - 4 × 2.5) / 2, (297 - 13 × 21.2) / 2.
    "L7651": Grid(210, 297, 5, 13, 38.1, 21.2, top=10.7, left=4.75, column_gap=2.5),
    # Thermal rolls: one label per page.
    "ROLL-60x40": Grid(60, 40, 1, 1, 60, 40),
    "ROLL-50x30": Grid(50, 30, 1, 1, 50, 30),
    "ROLL-40x25": Grid(40, 25, 1, 1, 40, 25),
}


def content(**changes: object) -> lay.LabelContent:
    values: dict[str, object] = {
        "product_name": PRODUCT,
        "producer_name": PRODUCER,
        "lot_code": LOT,
        "link": LOT_LINK,
        "production_date": "2026-01-02",
        "expiry_date": "2027-01-02",
        "net_quantity": "500 g",
        "stars": 4,
    }
    values.update(changes)
    return lay.LabelContent(**values)  # type: ignore[arg-type]


def job(
    code: str,
    count: int,
    *,
    serialized: bool,
    start_slot: int = 1,
    first_serial: int = 1,
    label: lay.LabelContent | None = None,
) -> lay.LabelJob:
    template = builtin(code)
    assert template is not None, code
    return lay.LabelJob(
        template,
        label or content(),
        count,
        first_serial=first_serial if serialized else None,
        start_slot=start_slot,
    )


def placement(j: lay.LabelJob, index: int) -> tuple[int, int]:
    """(0-based page, 0-based slot) where label `index` of a job is printed."""
    return divmod(j.start_slot - 1 + index, j.template.per_page)


def expected_by_page(j: lay.LabelJob) -> list[dict[int, str]]:
    """For each page, slot -> the link printed there."""
    pages: list[dict[int, str]] = [{} for _ in range(j.pages)]
    for index in range(j.count):
        page, slot = placement(j, index)
        pages[page][slot] = j.link(index)
    return pages


# -- what a scanner reads --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Read:
    text: str
    ec_level: str
    is_qr: bool
    centre_mm: tuple[float, float]


def scan_pages(data: bytes, dpi: int) -> list[list[Read]]:
    """Every page rasterised at `dpi` in grey, as a printer would, and every code zxing-cpp finds on it."""
    pdf = pypdfium2.PdfDocument(data)
    pages = []
    try:
        for page in pdf:
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            px_per_mm = dpi / 25.4
            reads = []
            for code in zxingcpp.read_barcodes(image):
                p = code.position
                corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
                cx = sum(c.x for c in corners) / 4 / px_per_mm
                cy = sum(c.y for c in corners) / 4 / px_per_mm
                reads.append(
                    Read(code.text, code.ec_level, code.format == zxingcpp.BarcodeFormat.QRCode, (cx, cy))
                )
            pages.append(reads)
    finally:
        pdf.close()
    return pages


# -- what a page holds -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Char:
    text: str
    font: str
    box: Box


@dataclass(frozen=True, slots=True)
class Image:
    box: Box
    modules: tuple[int, int]  # the image's pixels: one per QR module


@dataclass(slots=True)
class Page:
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    rects: list[Box] = field(default_factory=list)
    lines: list[Box] = field(default_factory=list)
    curves: list[Box] = field(default_factory=list)  # other paths (the stars)


def _items(item: LTItem) -> Iterator[LTItem]:
    yield item
    if isinstance(item, LTContainer) and not isinstance(item, LTChar):
        for child in item:
            yield from _items(child)


def pdf_pages(data: bytes) -> list[Page]:
    """The pages as pdfminer lays them out, without its text grouping (form XObjects flattened to page
    coordinates)."""
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    pages = []
    for pdf_page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(pdf_page)
        layout: LTPage = device.get_result()
        height_pt = layout.y1
        page = Page(layout.width * MM_PER_PT, layout.height * MM_PER_PT)

        def box(item: LTItem, height_pt: float = height_pt) -> Box:
            x0, y0, x1, y1 = item.bbox  # type: ignore[attr-defined]
            return Box(
                x0 * MM_PER_PT, (height_pt - y1) * MM_PER_PT, x1 * MM_PER_PT, (height_pt - y0) * MM_PER_PT
            )

        for item in _items(layout):
            if isinstance(item, LTChar):
                page.chars.append(Char(item.get_text(), item.fontname, box(item)))
            elif isinstance(item, LTImage):
                page.images.append(Image(box(item), (int(item.srcsize[0]), int(item.srcsize[1]))))
            elif isinstance(item, LTRect):
                page.rects.append(box(item))
            elif isinstance(item, LTLine):
                page.lines.append(box(item))
            elif isinstance(item, LTCurve):
                page.curves.append(box(item))
        pages.append(page)
    return pages


def lines_of(chars: list[Char]) -> list[str]:
    """Text lines from characters, top to bottom (characters on one baseline make a line)."""
    rows: dict[float, list[Char]] = {}
    for char in chars:
        rows.setdefault(round(char.box.bottom, 1), []).append(char)
    return ["".join(c.text for c in sorted(row, key=lambda c: c.box.x0)) for _, row in sorted(rows.items())]
