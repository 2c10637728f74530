"""Command files for thermal label printers: ZPL (Zebra and compatibles) and TSPL (TSC, Xprinter and the other
cheap 203 dpi printers common in Vietnam).

- The QR is the printer's own (`^BQN` / `QRCODE`), error correction M, with a magnification (dots per
  module) that meets GS1's 0.396 mm minimum at the printer's resolution: 4 at 203 dpi (0.50 mm), 5 at
  300 dpi (0.42 mm); larger where the label has room, never above 0.99 mm.
- Vietnamese text does not depend on the printer's fonts (most cheap printers have no Vietnamese glyphs):
  the text every label shares is drawn once with Be Vietnam Pro into a 1-bit graphic, stored in the printer
  at the top of the file (`~DG` / `DOWNLOAD`) and recalled on each label. The serial and the link under the
  code are ASCII and use the printer's font. ZPL also switches to UTF-8 (`^CI28`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from services.labels import layout as lay
from services.labels import qr

GRAPHIC = "OCOPTXT"
DPIS = (203, 300)


@dataclass(frozen=True, slots=True)
class ThermalPlan:
    dpi: int
    dot_mm: float
    width_dots: int
    height_dots: int
    magnification: int  # dots per QR module
    qr_x: int  # top-left of the symbol (inside its quiet zone), dots
    qr_y: int
    layout: lay.Layout
    text: Image.Image  # 1-bit, the shared text, cropped to what is drawn
    text_x: int  # where it goes, dots
    text_y: int

    @property
    def module_mm(self) -> float:
        return self.magnification * self.dot_mm


def _dots(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def plan(job: lay.LabelJob, dpi: int) -> ThermalPlan:
    if dpi not in DPIS:
        raise ValueError(f"dpi must be one of {DPIS}")
    dot_mm = 25.4 / dpi
    lo = lay.layout(job, dot_mm=dot_mm)
    magnification = round(lo.module_mm / dot_mm)
    assert magnification >= qr.dots_per_module(dpi)
    t = job.template
    w, h = _dots(t.label_width_mm, dpi), _dots(t.label_height_mm, dpi)
    text, text_x, text_y = _cropped(_text_image(job, lo, dpi, w, h))
    return ThermalPlan(
        text=text,
        text_x=text_x,
        text_y=text_y,
        dpi=dpi,
        dot_mm=dot_mm,
        width_dots=w,
        height_dots=h,
        magnification=magnification,
        qr_x=_dots(lo.qr_x_mm, dpi),
        qr_y=_dots(lo.qr_y_mm, dpi),
        layout=lo,
    )


def _cropped(img: Image.Image) -> tuple[Image.Image, int, int]:
    box = Image.eval(img.convert("L"), lambda v: 255 - v).getbbox() or (0, 0, 1, 1)
    return img.crop(box), box[0], box[1]


def _font(name: str, size_pt: float, dpi: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(lay.FONT_FILES[name]), max(6, round(size_pt / 72 * dpi)))


def _text_image(job: lay.LabelJob, lo: lay.Layout, dpi: int, w: int, h: int) -> Image.Image:
    # Drawn on a canvas twice the label's size: text that ran off the label would show in the graphic's
    # extent (and be caught by the tests) instead of being clipped silently.
    img = Image.new("1", (w * 2, h * 2), 1)
    draw = ImageDraw.Draw(img)
    for line in lo.lines:
        draw.text(
            (_dots(line.x_mm, dpi), _dots(line.baseline_mm, dpi)),
            line.text,
            font=_font(line.font, line.size, dpi),
            fill=0,
            anchor="ls",
        )
    if lo.stars:
        x, baseline, star_mm, count = lo.stars
        font = _font(lay.FONT_BOLD, star_mm * lay.PT_PER_MM * 0.9, dpi)
        label = lay.WORDS["vi"]["stars"] + " "
        draw.text((_dots(x, dpi), _dots(baseline, dpi)), label, font=font, fill=0, anchor="ls")
        sx = _dots(x, dpi) + round(draw.textlength(label, font=font))
        size = _dots(star_mm, dpi)
        for k in range(count):
            cx = sx + k * size * 1.08 + size / 2
            cy = _dots(baseline, dpi) - size * 0.45
            draw.polygon(lay.star_points(cx, cy, size / 2, y_down=True), fill=0)
    return img


def _zpl_graphic(img: Image.Image) -> str:
    """`~DG` download of a 1-bit image (ZPL: 1 = black dot, rows padded to whole bytes), hex encoded."""
    inverted = Image.eval(img.convert("L"), lambda v: 255 - v).convert("1")
    data = inverted.tobytes()
    per_row = (img.width + 7) // 8
    return f"~DGR:{GRAPHIC}.GRF,{len(data)},{per_row},{data.hex().upper()}\n"


def _ascii(text: str) -> str:
    return text.replace(lay.ELLIPSIS, "...").encode("ascii", "replace").decode()


def _fit_chars(text: str, chars: int) -> str:
    """`text` in at most `chars` characters of a fixed-pitch font: cut in the middle, its end (lot, serial)
    kept."""
    if len(text) <= chars:
        return text
    head = min(10, chars // 4)
    tail = max(0, chars - head - 3)
    return text[:head] + "..." + (text[len(text) - tail :] if tail else "")


def zpl_lines(job: lay.LabelJob, dpi: int = 203) -> Iterator[str]:
    """The ZPL program, one label per `^XA … ^XZ`, the shared text downloaded once at the start."""
    p = plan(job, dpi)
    lo = p.layout
    yield f"^XA^CI28^PW{p.width_dots}^LL{p.height_dots}^XZ\n"
    yield _zpl_graphic(p.text)
    link_h = max(10, _dots(lo.link_line.size / lay.PT_PER_MM, dpi))
    link_x, link_y = _dots(lo.link_line.x_mm, dpi), _dots(lo.link_line.baseline_mm, dpi) - link_h
    sl = lo.serial_line
    for index in range(job.count):
        link = job.link(index)
        parts = [
            "^XA^CI28",
            f"^PW{p.width_dots}^LL{p.height_dots}^LH0,0",
            f"^FO{p.text_x},{p.text_y}^XGR:{GRAPHIC}.GRF,1,1^FS",
            f"^FO{p.qr_x},{p.qr_y}^BQN,2,{p.magnification}^FDMA,{link}^FS",
        ]
        if lo.link_shown:
            parts.append(
                f"^FO{link_x},{link_y}^A0N,{link_h},{round(link_h * 0.8)}^FB{p.width_dots - 2 * link_x},1,0,L,0^FD"
                f"{_ascii(lay.cut_middle(lay.display_link(link), lo.link_cut))}^FS"
            )
        serial = job.serial(index)
        if sl is not None and serial is not None:
            sh = max(10, _dots(sl.size / lay.PT_PER_MM, dpi))
            sx = _dots(sl.x_mm, dpi)
            parts.append(
                f"^FO{sx},{_dots(sl.baseline_mm, dpi) - sh}^A0N,{sh},{round(sh * 0.8)}"
                f"^FB{p.width_dots - _dots(lay.PAD_MM, dpi) - sx},1,0,L,0^FD{sl.text}: {serial}^FS"
            )
        parts.append("^PQ1^XZ\n")
        yield "".join(parts)


def zpl(job: lay.LabelJob, dpi: int = 203) -> bytes:
    return "".join(zpl_lines(job, dpi)).encode()


def _bmp(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="BMP")
    return out.getvalue()


def tspl_chunks(job: lay.LabelJob, dpi: int = 203) -> Iterator[bytes]:
    """The TSPL program: set-up, the shared text as a BMP downloaded once, then `CLS … PRINT` per label."""
    p = plan(job, dpi)
    lo = p.layout
    t = job.template
    gap = 2 if t.kind == "roll" else 0
    bmp = _bmp(p.text)
    yield (
        (
            f"SIZE {t.label_width_mm:g} mm,{t.label_height_mm:g} mm\r\nGAP {gap} mm,0 mm\r\n"
            "DIRECTION 1,0\r\nREFERENCE 0,0\r\nCODEPAGE UTF-8\r\n"
            f'DOWNLOAD "{GRAPHIC}.BMP",{len(bmp)},'
        ).encode()
        + bmp
        + b"\r\n"
    )
    # TSPL bitmap font "1" is 8 x 12 dots at 203 dpi: scale it to the layout's sizes. Fixed pitch: the link
    # is narrowed (x multiplier), then shortened in the middle, rather than run off the label.
    link_mult = max(1, round(_dots(lo.link_line.size / lay.PT_PER_MM, dpi) / 12))
    link_x, link_y = _dots(lo.link_line.x_mm, dpi), _dots(lo.link_line.baseline_mm, dpi) - 12 * link_mult
    link_room = p.width_dots - 2 * link_x
    longest = len(_ascii(lay.cut_middle(lay.display_link(job.longest_link), lo.link_cut)))
    link_xmult = max(1, min(link_mult, link_room // (8 * longest)))
    sl = lo.serial_line
    for index in range(job.count):
        link = job.link(index)
        shown = _ascii(lay.cut_middle(lay.display_link(link), lo.link_cut))
        lines = [
            "CLS",
            f'PUTBMP {p.text_x},{p.text_y},"{GRAPHIC}.BMP"',
            f'QRCODE {p.qr_x},{p.qr_y},M,{p.magnification},A,0,M2,"{link}"',
        ]
        if lo.link_shown:
            lines.append(
                f'TEXT {link_x},{link_y},"1",0,{link_xmult},{link_mult},'
                f'"{_fit_chars(shown, link_room // (8 * link_xmult))}"'
            )
        serial = job.serial(index)
        if sl is not None and serial is not None:
            mult = max(1, round(_dots(sl.size / lay.PT_PER_MM, dpi) / 12))
            lines.append(
                f'TEXT {_dots(sl.x_mm, dpi)},{_dots(sl.baseline_mm, dpi) - 12 * mult},"1",0,{mult},{mult},'
                f'"{sl.text}: {serial}"'
            )
        lines.append("PRINT 1,1\r\n")
        yield "\r\n".join(lines).encode()


def tspl(job: lay.LabelJob, dpi: int = 203) -> bytes:
    return b"".join(tspl_chunks(job, dpi))
