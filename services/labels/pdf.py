"""Label PDFs written directly with ReportLab (no HTML layout engine): ~2,000 serialised labels/s here
against ~77/s for the same labels as one WeasyPrint HTML document (see `make bench`).

How it stays fast and small:
- what every label of a run shares (text, and for lot-level runs the QR) is drawn once into a PDF form
  XObject and placed on each label;
- each serialised QR is an inline image mask, one bit per module, scaled to the module size: crisp at any
  printer resolution (PDF image masks are not interpolated), and a few hundred bytes;
- pages go out as they are drawn; only the small page streams are held until the end (~40 MB for 10,000
  labels).

Output is byte-for-byte reproducible (ReportLab's invariant mode: no dates or random IDs), so a run
downloaded again, or rendered again after its file was lost, has the same checksum.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from services.labels import layout as lay
from services.labels import qr
from services.labels.templates import Template

rl_config.useA85 = 0  # ASCII85 is pure Python in ReportLab: a third of the time, for no gain in a binary PDF
MM = lay.PT_PER_MM
Progress = Callable[[int, int], None]  # (labels done, total)


def fill_star(canvas: Canvas, cx: float, cy: float, r: float) -> None:
    """A filled five-pointed star of outer radius `r` points around (cx, cy): the labels' stars and those of
    the OCOP mark in a packaging preview (services/packaging/preview.py) are drawn alike."""
    points = lay.star_points(cx, cy, r)
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _star_path(canvas: Canvas, x: float, y: float, size: float) -> None:
    """A filled five-pointed star, `size` points wide, its bounding box's bottom-left at (x, y)."""
    fill_star(canvas, x + size / 2, y + size * 0.475, size / 2)


def _qr_literal(size: int, bits_hex: str, module_pt: float, x: float, y: float) -> str:
    """PDF operators painting a symbol of `size` modules as an image mask, its top-left module at (x, y)."""
    side = size * module_pt
    return (
        f"q {side:.4f} 0 0 {side:.4f} {x:.4f} {y - side:.4f} cm "
        f"BI /IM true /W {size} /H {size} /BPC 1 /F /AHx ID {bits_hex}> EI Q"
    )


def _encoded(job: lay.LabelJob) -> Iterator[tuple[int, str]]:
    """(modules, packed bits as hex) of every label's QR, in order. (Encoding in a process pool was tried
    and measured slower on two cores: the drawing process and the encoders compete for them, and a spawned
    pool costs seconds to start.)"""
    for index in range(job.count):
        matrix = qr.encode(job.link(index))
        yield matrix.size, matrix.packed_bits().hex()


class LabelPdf:
    """Draws the labels of one job on a ReportLab canvas."""

    def __init__(self, job: lay.LabelJob, out: BinaryIO) -> None:
        lay.register_fonts()
        self.job = job
        self.t: Template = job.template
        self.layout = lay.layout(job)
        self.canvas = Canvas(
            out,
            pagesize=(self.t.page_width_mm * MM, self.t.page_height_mm * MM),
            invariant=1,
            pageCompression=1,
        )
        c = job.content
        self.canvas.setTitle(f"{c.product_name} – {c.lot_code}")
        self.canvas.setAuthor(c.producer_name)
        self.canvas.setCreator("ocop-hub")
        self.canvas.setSubject(f"{job.count} labels, template {self.t.code}")
        self.height_pt = self.t.label_height_mm * MM
        self._define_form()

    def _y(self, mm_from_top: float) -> float:
        return self.height_pt - mm_from_top * MM

    def _define_form(self) -> None:
        cv = self.canvas
        cv.beginForm("label", 0, 0, self.t.label_width_mm * MM, self.height_pt)
        for line in self.layout.lines:
            cv.setFont(line.font, line.size)
            cv.drawString(line.x_mm * MM, self._y(line.baseline_mm), line.text)
        if self.layout.stars:
            x, baseline, star_mm, count = self.layout.stars
            size = star_mm * MM
            cv.setFont(lay.FONT_BOLD, size * 0.9)
            cv.drawString(x * MM, self._y(baseline), lay.WORDS["vi"]["stars"])
            sx = x * MM + lay.width_pt(lay.WORDS["vi"]["stars"] + " ", lay.FONT_BOLD, size * 0.9)
            for k in range(count):
                _star_path(cv, sx + k * size * 1.08, self._y(baseline) - size * 0.08, size)
        if not self.job.serialized:
            matrix = qr.encode_cached(self.job.link(0))
            self._draw_variable(0, (matrix.size, matrix.packed_bits().hex()))
        cv.endForm()

    def _draw_variable(self, index: int, code: tuple[int, str]) -> None:
        """What differs between labels of a serialised run: the QR, the link under it and the serial."""
        cv = self.canvas
        lo = self.layout
        link = self.job.link(index)
        cv.addLiteral(_qr_literal(*code, lo.module_mm * MM, lo.qr_x_mm * MM, self._y(lo.qr_y_mm)))
        if lo.link_shown:
            ll = lo.link_line
            cv.setFont(ll.font, ll.size)
            text = lay.cut_middle(lay.display_link(link), lo.link_cut)
            cv.drawString(ll.x_mm * MM, self._y(ll.baseline_mm), text)
        serial = self.job.serial(index)
        if lo.serial_line is not None and serial is not None:
            sl = lo.serial_line
            cv.setFont(sl.font, sl.size)
            cv.drawString(sl.x_mm * MM, self._y(sl.baseline_mm), f"{sl.text}: {serial}")

    def render(self, progress: Progress | None = None) -> None:
        cv = self.canvas
        job, t = self.job, self.t
        slot = job.start_slot - 1
        page_h = t.page_height_mm * MM
        codes = _encoded(job) if job.serialized else None
        for index in range(job.count):
            if index and slot % t.per_page == 0:
                cv.showPage()
                if progress:
                    progress(index, job.count)
            x_mm, y_mm = t.slot_origin(slot)
            cv.saveState()
            cv.translate(x_mm * MM, page_h - (y_mm + t.label_height_mm) * MM)
            cv.doForm("label")
            if codes is not None:
                self._draw_variable(index, next(codes))
            cv.restoreState()
            slot += 1
        cv.showPage()
        cv.save()
        if progress:
            progress(job.count, job.count)


def render_labels(job: lay.LabelJob, out: BinaryIO, progress: Progress | None = None) -> None:
    LabelPdf(job, out).render(progress)


def labels_pdf(job: lay.LabelJob) -> bytes:
    buf = io.BytesIO()
    render_labels(job, buf)
    return buf.getvalue()


def calibration_pdf(t: Template) -> bytes:
    """One page with every label's outline and number, a 100 mm scale and instructions: printed on plain
    paper and held against a label sheet, it shows whether the printer shifts or scales the page."""
    lay.register_fonts()
    buf = io.BytesIO()
    cv = Canvas(buf, pagesize=(t.page_width_mm * MM, t.page_height_mm * MM), invariant=1, pageCompression=1)
    cv.setTitle(f"Calibration {t.code}")
    cv.setCreator("ocop-hub")
    page_h = t.page_height_mm * MM
    cv.setLineWidth(0.3)
    for slot in range(t.per_page):
        x, y = t.slot_origin(slot)
        cv.rect(x * MM, page_h - (y + t.label_height_mm) * MM, t.label_width_mm * MM, t.label_height_mm * MM)
        size = min(10.0, t.label_height_mm * MM * 0.3)
        cv.setFont(lay.FONT, size)
        cv.drawCentredString(
            (x + t.label_width_mm / 2) * MM,
            page_h - (y + t.label_height_mm / 2) * MM - size / 3,
            str(slot + 1),
        )
    # Crosshairs at the first label's corner: where the sheet's first label must start.
    x0, y0 = t.slot_origin(0)
    cv.setLineWidth(0.15)
    cv.line((x0 - 3) * MM, page_h - y0 * MM, (x0 + 3) * MM, page_h - y0 * MM)
    cv.line(x0 * MM, page_h - (y0 - 3) * MM, x0 * MM, page_h - (y0 + 3) * MM)
    # A scale bar in the top margin where there is room (A4 sheets), else across the middle of the page
    # (rolls), on a white band so that it reads over the outlines.
    bar = min(100.0, t.page_width_mm - 10)
    bx = (t.page_width_mm - bar) / 2 * MM
    in_margin = t.margin_top_mm >= 9.0
    box_h = (min(9.0, t.margin_top_mm - 1) if in_margin else min(16.0, t.page_height_mm * 0.45)) * MM
    by = page_h - (t.margin_top_mm / 2) * MM + box_h * 0.18 if in_margin else page_h / 2
    cv.setFillGray(1)
    cv.rect(bx - 3 * MM, by - box_h / 2, bar * MM + 6 * MM, box_h, stroke=0, fill=1)
    cv.setFillGray(0)
    cv.setLineWidth(0.4)
    cv.line(bx, by, bx + bar * MM, by)
    for k in range(int(bar) + 1):
        tick = 2.5 if k % 10 == 0 else (1.6 if k % 5 == 0 else 0.9)
        cv.line(bx + k * MM, by, bx + k * MM, by + tick * MM)
    text_size = min(6.5, box_h / 3.2)
    cv.setFont(lay.FONT, text_size)
    cv.drawCentredString(
        bx + bar * MM / 2,
        by - text_size * 1.2,
        f"{t.code}: {bar:g} mm. In ở tỷ lệ 100% (tắt 'Vừa trang') / Print at 100% (no 'Fit to page')",
    )
    cv.drawCentredString(
        bx + bar * MM / 2,
        by - text_size * 2.4,
        f"{t.per_page} × {t.label_width_mm:g} × {t.label_height_mm:g} mm",
    )
    cv.showPage()
    cv.save()
    return buf.getvalue()
