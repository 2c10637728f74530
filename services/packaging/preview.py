"""A true-size preview of a design version's declared label panel, so that reviewers see what will be
printed: a PDF whose page is the version's width × height in millimetres, or a PNG of the same at 300 dpi.

What it draws, from the declared content (services/packaging/declared.py), never from the product row:
- the product name in bold at its declared type size (a cap height in mm, as measured on artwork);
- the mandatory texts in label order (responsible party, origin, net quantity, dates, ingredients,
  instructions, warnings, ethanol content, lot code position, health-supplement statements), then the
  texts in other languages, each at its declared size (1.5 mm cap height where none is declared);
- the QR code of the declared link, encoded and drawn as services/labels does (zxing-cpp, a PDF image
  mask), its module size such that the symbol with its quiet zone is the declared printed size;
- an OCOP mark with its stars when one is declared (a plain drawn stand-in of the mark's size and place,
  not the official artwork).
Text that does not fit the panel is not shrunk (sizes are what will be printed): what is left is counted in
a red note at the bottom of the text area, the overflow a reviewer should see.

The render runs in a child process (services/common/sandbox.py): the bytes land in the store's work folder,
then in the shared store (services/common/storage.py) under packaging/previews by their sha256, and are
reused while the version's content is the same. The child gets plain
values (`Panel`) and opens no database connection.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfgen.canvas import Canvas

from services.common import sandbox, signing, storage
from services.common.text import fold
from services.labels import layout as lay
from services.labels import qr
from services.labels.pdf import _qr_literal, fill_star
from services.packaging.declared import TEXT_ITEMS

MM = lay.PT_PER_MM
DPI = 300
PX_PER_MM = DPI / 25.4
FORMATS = ("pdf", "png")
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png"}
DEFAULT_NAME_MM = 4.0  # cap height of a product name without a declared size
DEFAULT_TEXT_MM = 1.5  # cap height of the other texts without a declared size
DEFAULT_MODULE_MM = 0.5  # QR module when the printed size is not declared
LINE_GAP = 1.25  # line height / font size
URL_LIFETIME = dt.timedelta(days=1)
LIMITS = sandbox.Limits(timeout_s=120, memory_bytes=1536 * sandbox.MIB)
PreviewFailed = sandbox.ChildFailed  # the render broke a limit or raised
RENDER_VERSION = "1"  # part of the cache key: change it when the drawing changes
RED = (0.78, 0.06, 0.18)
GREY = (0.6, 0.6, 0.6)
# Captions printed before a declared text, unless the text already starts with them.
CAPTIONS = {
    "net_quantity": "Định lượng",
    "manufacture_date_format": "NSX",
    "expiry": "HSD",
    "ingredients": "Thành phần",
    "instructions_use": "Hướng dẫn sử dụng",
    "instructions_storage": "Bảo quản",
    "warnings": "Cảnh báo",
    "ethanol_content": "Độ cồn",
    "lot_code_position": "Số lô",
}


@dataclass(frozen=True, slots=True)
class PanelText:
    text: str  # may hold line breaks
    cap_mm: float
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Panel:
    """What one preview draws: plain values, pickled to the render's child process."""

    title: str  # the PDF's title
    width_mm: float
    height_mm: float
    product_name: PanelText | None
    texts: tuple[PanelText, ...]
    qr_link: str | None
    qr_size_mm: float | None  # the printed symbol's side, quiet zone included
    qr_error_correction: str = "M"
    ocop_mark: bool = False
    ocop_stars: int | None = None

    def key(self, fmt: str) -> str:
        return hashlib.sha256(repr((RENDER_VERSION, fmt, self)).encode()).hexdigest()


def _caption(item: str, text: str) -> str:
    caption = CAPTIONS.get(item)
    if caption is None or fold(text).startswith(fold(caption)):
        return text
    return f"{caption}: {text}"


def panel_of(declared: Any, *, title: str, width_mm: float | None, height_mm: float | None) -> Panel | None:
    """The panel of a version's declared content (a DeclaredContent), or None without both dimensions."""
    if not width_mm or not height_mm:
        return None
    d = declared
    sizes = dict(d.mandatory_text_sizes or {})

    def text(item: str, value: str) -> PanelText:
        return PanelText(_caption(item, value), sizes.get(item) or DEFAULT_TEXT_MM)

    texts: list[PanelText] = []
    if d.responsible_party is not None:
        party = ", ".join(p for p in (d.responsible_party.name, d.responsible_party.address) if p)
        texts.append(PanelText(party, sizes.get("responsible_party") or DEFAULT_TEXT_MM, bold=True))
    for item in TEXT_ITEMS:
        value = getattr(d, item)
        if value:
            texts.append(text(item, value))
    for statement in d.health_supplement_statements:
        texts.append(PanelText(statement, sizes.get("health_supplement_statements") or DEFAULT_TEXT_MM))
    for other in d.other_languages:
        texts.append(PanelText(other.text, other.type_size_mm or DEFAULT_TEXT_MM))
    name = None
    if d.product_name is not None and d.product_name.text:
        name = PanelText(d.product_name.text, d.product_name.type_size_mm or DEFAULT_NAME_MM, bold=True)
    mark = d.ocop_mark
    return Panel(
        title=title,
        width_mm=float(width_mm),
        height_mm=float(height_mm),
        product_name=name,
        texts=tuple(texts),
        qr_link=d.qr.link if d.qr is not None else None,
        qr_size_mm=d.qr.printed_size_mm if d.qr is not None else None,
        qr_error_correction=d.qr.error_correction if d.qr is not None else "M",
        ocop_mark=bool(mark and mark.present),
        ocop_stars=mark.stars if mark and mark.present else None,
    )


# -- layout (millimetres from the panel's top-left corner) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    font: str
    size_pt: float
    x_mm: float
    baseline_mm: float
    colour: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class QrPlace:
    matrix: qr.QrMatrix
    x_mm: float  # top-left of the symbol with its quiet zone
    y_mm: float
    module_mm: float


@dataclass(frozen=True, slots=True)
class MarkPlace:
    cx_mm: float
    cy_mm: float
    radius_mm: float
    stars: int


@dataclass(frozen=True, slots=True)
class Drawing:
    lines: tuple[Line, ...]
    qr: QrPlace | None
    mark: MarkPlace | None
    overflow_lines: int  # text lines that did not fit


def size_pt(cap_mm: float, font: str) -> float:
    """The font size whose capitals are `cap_mm` high."""
    lay.register_fonts()
    from reportlab.pdfbase import pdfmetrics

    cap = pdfmetrics.getFont(font).face.capHeight / 1000 or 0.7  # type: ignore[attr-defined]
    return cap_mm / cap * MM


def _wrap(text: str, font: str, size: float, width_pt: float) -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}".strip()
            if not current or lay.width_pt(candidate, font, size) <= width_pt:
                current = candidate
            else:
                out.append(current)
                current = word
        if current:
            out.append(current)
    return out


def arrange(panel: Panel) -> Drawing:
    w, h = panel.width_mm, panel.height_mm
    margin = min(5.0, max(1.0, min(w, h) * 0.04))
    inner_pt = (w - 2 * margin) * MM
    lines: list[Line] = []
    y = margin
    if panel.product_name is not None:
        font = lay.FONT_BOLD
        size = size_pt(panel.product_name.cap_mm, font)
        for text in _wrap(panel.product_name.text, font, size, inner_pt):
            y += size / MM  # ascent ≈ font size above the baseline (Be Vietnam Pro: 1.0 em)
            lines.append(Line(text, font, size, margin, y))
            y += size * (LINE_GAP - 1) / MM
        y += 1.0
    # The bottom band: the QR code at the right, the OCOP mark at the left.
    code = None
    band = 0.0
    if panel.qr_link:
        try:
            matrix = qr.encode(panel.qr_link, panel.qr_error_correction)
        except Exception:  # too long for a QR code: compliance reports it; the preview shows no code
            matrix = None
        if matrix is not None:
            side = panel.qr_size_mm or (matrix.size + 2 * qr.QUIET_ZONE) * DEFAULT_MODULE_MM
            module = qr.module_mm_for(side, matrix)
            code = QrPlace(matrix, w - margin - side, h - margin - side, module)
            band = side
    mark = None
    if panel.ocop_mark:
        diameter = min(max(8.0, (code and band * 0.8) or 12.0), 25.0, w / 3, h / 3)
        mark = MarkPlace(
            margin + diameter / 2, h - margin - diameter / 2, diameter / 2, panel.ocop_stars or 0
        )
        band = max(band, diameter)
    limit = h - margin - band - (1.0 if band else 0.0)
    overflow = 0
    for item in panel.texts:
        font = lay.FONT_BOLD if item.bold else lay.FONT
        size = size_pt(item.cap_mm, font)
        for text in _wrap(item.text, font, size, inner_pt):
            bottom = y + size * LINE_GAP / MM
            if overflow or bottom > limit:
                overflow += 1
                continue
            y += size / MM
            lines.append(Line(text, font, size, margin, y))
            y = bottom
    if overflow:
        note_size = max(5.0, size_pt(DEFAULT_TEXT_MM, lay.FONT))
        lines.append(
            Line(
                f"… {overflow} dòng không vừa nhãn / {overflow} lines do not fit",
                lay.FONT_BOLD,
                note_size,
                margin,
                min(limit, h - margin) - 0.3,
                RED,
            )
        )
    return Drawing(tuple(lines), code, mark, overflow)


# -- drawing ---------------------------------------------------------------------------------------------------


def _pdf(panel: Panel, drawing: Drawing) -> bytes:
    lay.register_fonts()
    buf = io.BytesIO()
    w, h = panel.width_mm * MM, panel.height_mm * MM
    cv = Canvas(buf, pagesize=(w, h), invariant=1, pageCompression=1)
    cv.setTitle(panel.title)
    cv.setCreator("ocop-hub")
    cv.setSubject(f"Packaging preview at true size: {panel.width_mm:g} × {panel.height_mm:g} mm")
    cv.setStrokeColorRGB(*GREY)
    cv.setLineWidth(0.25)
    cv.rect(0.125, 0.125, w - 0.25, h - 0.25)  # the panel's edge (trim line)
    for line in drawing.lines:
        cv.setFillColorRGB(*line.colour)
        cv.setFont(line.font, line.size_pt)
        cv.drawString(line.x_mm * MM, h - line.baseline_mm * MM, line.text)
    cv.setFillColorRGB(0, 0, 0)
    if drawing.qr is not None:
        c = drawing.qr
        m = c.module_mm * MM
        x = c.x_mm * MM + qr.QUIET_ZONE * m
        y = h - c.y_mm * MM - qr.QUIET_ZONE * m
        cv.addLiteral(_qr_literal(c.matrix.size, c.matrix.packed_bits().hex(), m, x, y))
    if drawing.mark is not None:
        _pdf_mark(cv, drawing.mark, h)
    cv.showPage()
    cv.save()
    return buf.getvalue()


def _pdf_mark(cv: Canvas, mark: MarkPlace, page_h: float) -> None:
    cx, cy, r = mark.cx_mm * MM, page_h - mark.cy_mm * MM, mark.radius_mm * MM
    cv.setStrokeColorRGB(*RED)
    cv.setFillColorRGB(*RED)
    cv.setLineWidth(max(0.5, r * 0.06))
    cv.circle(cx, cy, r * 0.94, stroke=1, fill=0)
    size = r * 0.46
    cv.setFont(lay.FONT_BOLD, size)
    cv.drawCentredString(cx, cy - size * 0.1, "OCOP")
    for sx, sy, sr in _stars(mark, cx, cy - r * 0.45, r):
        fill_star(cv, sx, sy, sr)


def _stars(mark: MarkPlace, cx: float, cy: float, r: float) -> list[tuple[float, float, float]]:
    n = mark.stars
    if n <= 0:
        return []
    star = min(r * 0.28, r * 1.3 / n)
    start = cx - (n - 1) * star * 1.1 / 2
    return [(start + k * star * 1.1, cy, star / 2) for k in range(n)]


def _png(panel: Panel, drawing: Drawing) -> bytes:
    px = PX_PER_MM
    width, height = max(1, round(panel.width_mm * px)), max(1, round(panel.height_mm * px))
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    grey = tuple(round(c * 255) for c in GREY)
    draw.rectangle((0, 0, width - 1, height - 1), outline=grey, width=max(1, round(0.1 * px)))
    fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}
    for line in drawing.lines:
        pixels = max(1, round(line.size_pt / 72 * DPI))
        font = fonts.get((line.font, pixels))
        if font is None:
            font = fonts[line.font, pixels] = ImageFont.truetype(str(lay.FONT_FILES[line.font]), pixels)
        colour = tuple(round(c * 255) for c in line.colour)
        draw.text((line.x_mm * px, line.baseline_mm * px), line.text, font=font, fill=colour, anchor="ls")
    if drawing.qr is not None:
        c = drawing.qr
        x0 = c.x_mm + qr.QUIET_ZONE * c.module_mm
        y0 = c.y_mm + qr.QUIET_ZONE * c.module_mm
        for x, y, n in c.matrix.dark_runs():
            left = round((x0 + x * c.module_mm) * px)
            right = round((x0 + (x + n) * c.module_mm) * px) - 1
            top = round((y0 + y * c.module_mm) * px)
            bottom = round((y0 + (y + 1) * c.module_mm) * px) - 1
            draw.rectangle((left, top, right, bottom), fill=(0, 0, 0))
    if drawing.mark is not None:
        m = drawing.mark
        red = tuple(round(c * 255) for c in RED)
        cx, cy, r = m.cx_mm * px, m.cy_mm * px, m.radius_mm * px
        ring = r * 0.94
        draw.ellipse(
            (cx - ring, cy - ring, cx + ring, cy + ring),
            outline=red,
            width=max(1, round(r * 0.06)),
        )
        size = max(1, round(r * 0.46))
        font = ImageFont.truetype(str(lay.FONT_FILES[lay.FONT_BOLD]), size)
        draw.text((cx, cy + size * 0.1), "OCOP", font=font, fill=red, anchor="ms")
        for sx, sy, sr in _stars(m, cx, cy + r * 0.45, r):
            draw.polygon(lay.star_points(sx, sy, sr, y_down=True), fill=red)
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(DPI, DPI), optimize=False)
    return out.getvalue()


def render_bytes(data: tuple[Panel, str], progress: sandbox.Progress | None = None) -> bytes:
    """One preview (runs in the child process)."""
    panel, fmt = data
    drawing = arrange(panel)
    if fmt == "pdf":
        return _pdf(panel, drawing)
    if fmt == "png":
        return _png(panel, drawing)
    raise ValueError(fmt)


# -- rendering out of the request's process, kept by content -----------------------------------------------------


AREA = "packaging/previews"  # kept in the shared store under packaging/previews/{sha[:2]}/{sha}.{fmt}


@dataclass(frozen=True, slots=True)
class Kept:
    """A rendered preview in the store: its key, sha256 and size, and the pid of the child that drew it."""

    key: str
    sha256: str
    size: int
    pid: int


_done: OrderedDict[str, Kept] = OrderedDict()  # panel -> its kept file (this process's memo)
_KEEP = 512


async def render(panel: Panel, fmt: str) -> Kept:
    """The preview's file in the shared store, rendered in a child process on first request. Concurrent
    requests for the same preview share one render (sandbox.single_flight), which waits for one of the
    process's render slots. Raises sandbox.ChildFailed."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    key = panel.key(fmt)
    done = _done.get(key)
    if done is not None and await storage.current().exists(done.key):
        _done.move_to_end(key)
        return done
    return await sandbox.single_flight(("preview", key), lambda: _render(panel, fmt, key))


async def _render(panel: Panel, fmt: str, key: str) -> Kept:
    store = storage.current()
    output = await sandbox.run(
        render_bytes,
        (panel, fmt),
        LIMITS,
        store.work_dir(AREA),
        f".{fmt}",
        name=f"preview-{fmt}",
        capped=True,
    )
    kept = Kept(storage.content_key(AREA, output.sha256, f".{fmt}"), output.sha256, output.size, output.pid)
    await store.put_file(kept.key, output.path, move=True)
    _done[key] = kept
    while len(_done) > _KEEP:
        _done.popitem(last=False)
    return kept


async def version_panel(version_id: int) -> Panel | None:
    """The panel of a stored version (None when it has no width and height)."""
    from models import DesignVersion
    from services.packaging.declared import DeclaredContent

    version = await DesignVersion.get_or_none(id=version_id).select_related("design")
    if version is None:
        return None
    declared, _ = DeclaredContent.parse(version.declared)
    return panel_of(
        declared,
        title=f"{version.design.name} – v{version.number}",
        width_mm=version.width_mm,
        height_mm=version.height_mm,
    )


# -- signed links ------------------------------------------------------------------------------------------------


def _signature(version_id: int, fmt: str, expires: int) -> str:
    return signing.sign("packaging-preview", version_id, fmt, expires=expires)


def preview_url(base_url: str, version_id: int, fmt: str, *, now: float | None = None) -> str:
    """A link a reviewer's browser opens without a token, valid for a day (rounded to the hour, so that the
    same link is handed out for an hour and browsers can cache it)."""
    expires = signing.expires_in(URL_LIFETIME.total_seconds(), now=now, round_to=3600)
    return (
        f"{base_url}/packaging/versions/{version_id}/preview.{fmt}"
        f"?expires={expires}&sig={_signature(version_id, fmt, expires)}"
    )


def verify_url(version_id: int, fmt: str, expires: str, signature: str, *, now: float | None = None) -> bool:
    return signing.verify("packaging-preview", version_id, fmt, expires=expires, signature=signature, now=now)
