"""Reading a rendered catalog back: text per page (pdfminer.six), rows of text by position, QR codes
(pypdfium2 at 200 dpi, zxing-cpp), fonts and page sizes (pypdfium2, the raw PDF objects)."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import pypdfium2
import zxingcpp
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTPage
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjectNotFound, resolve1
from pdfminer.psparser import LIT

MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Row:
    """One line of text on a page, rebuilt from its glyphs left to right."""

    y: float
    x0: float
    x1: float
    text: str


def _chars(item: object) -> list[LTChar]:
    if isinstance(item, LTChar):
        return [item]
    out: list[LTChar] = []
    for child in getattr(item, "_objs", []) or []:
        out.extend(_chars(child))
    return out


def _rows(page: LTPage) -> list[Row]:
    chars = sorted(_chars(page), key=lambda c: (-round(c.y0, 0), c.x0))
    lines: list[list[LTChar]] = []
    for ch in chars:
        if lines and abs(lines[-1][0].y0 - ch.y0) < 1.5:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    rows = []
    for line in lines:
        line.sort(key=lambda c: c.x0)
        text = ""
        previous: LTChar | None = None
        for ch in line:
            if previous is not None and ch.x0 - previous.x1 > 0.15 * ch.size:
                text += " "
            text += ch.get_text()
            previous = ch
        rows.append(Row(line[0].y0, line[0].x0, line[-1].x1, unicodedata.normalize("NFC", text).strip()))
    return rows


class CatalogPdf:
    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf

    @cached_property
    def pages(self) -> list[LTPage]:
        return list(extract_pages(io.BytesIO(self.pdf), laparams=LAParams()))

    @cached_property
    def texts(self) -> list[str]:
        """Text of each page as pdfminer extracts it (not normalised)."""
        out = []
        for page in self.pages:
            out.append("".join(ch.get_text() for ch in _chars(page)))
        return out

    @cached_property
    def rows(self) -> list[list[Row]]:
        return [_rows(page) for page in self.pages]

    def row_texts(self, page: int) -> list[str]:
        return [r.text for r in self.rows[page]]

    def pages_with(self, text: str) -> list[int]:
        """0-based indexes of the pages where `text` appears in a row."""
        return [i for i, rows in enumerate(self.rows) if any(text in r.text for r in rows)]

    def printed_number(self, page: int) -> int | None:
        """The page number printed at the bottom of the page (the lowest row that is a number)."""
        bottom = [r for r in self.rows[page] if r.y < 60 and re.fullmatch(r"\d+", r.text)]
        return int(bottom[0].text) if bottom else None

    def index_number(self, page: int, name: str) -> int | None:
        """The page number at the end of the index row on `page` that starts with `name`."""
        for row in self.rows[page]:
            if row.text.startswith(name):
                match = re.search(r"(\d+)$", row.text)
                return int(match.group(1)) if match else None
        return None

    def char_sizes(self, page: int) -> list[float]:
        """The size (points, as printed) of every glyph on the page."""
        return [ch.size for ch in _chars(self.pages[page])]

    def landscape_pages(self) -> list[int]:
        return [i for i, (w, h) in enumerate(self.page_sizes_mm()) if w > h]

    def images(self, page: int) -> list[tuple[int, int]]:
        """(width, height) in pixels of every image drawn on the page (backgrounds included)."""
        document = pypdfium2.PdfDocument(self.pdf)
        try:
            out = []
            for obj in document[page].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE], max_depth=5):
                meta = obj.get_metadata()
                out.append((int(meta.width), int(meta.height)))
            return out
        finally:
            document.close()

    def page_sizes_mm(self) -> list[tuple[float, float]]:
        document = pypdfium2.PdfDocument(self.pdf)
        try:
            return [
                (round(w * MM_PER_PT, 1), round(h * MM_PER_PT, 1))
                for w, h in (document.get_page_size(i) for i in range(len(document)))
            ]
        finally:
            document.close()

    def qr_codes(self, dpi: int = 200) -> list[list[str]]:
        """The QR codes decoded on each page."""
        document = pypdfium2.PdfDocument(self.pdf)
        out = []
        try:
            for index in range(len(document)):
                page = document[index]
                image = page.render(scale=dpi / 72, grayscale=True).to_pil()
                out.append([b.text for b in zxingcpp.read_barcodes(image)])
                page.close()
        finally:
            document.close()
        return out

    def fonts(self) -> list[tuple[str, bool]]:
        """(BaseFont, embedded) of every font dictionary but Type0 (judged by its descendant CIDFont),
        embedded meaning a /FontFile2 or /FontFile3 in its descriptor."""
        document = PDFDocument(PDFParser(io.BytesIO(self.pdf)))
        out = []
        for xref in document.xrefs:
            for objid in xref.get_objids():
                try:
                    obj = resolve1(document.getobj(objid))
                except PDFObjectNotFound:
                    continue
                if not isinstance(obj, dict) or obj.get("Type") is not LIT("Font"):
                    continue
                if obj.get("Subtype") is LIT("Type0"):
                    continue
                descriptor = resolve1(obj.get("FontDescriptor"))
                embedded = isinstance(descriptor, dict) and any(
                    k in descriptor for k in ("FontFile2", "FontFile3")
                )
                out.append((str(resolve1(obj.get("BaseFont"))), embedded))
        return out
