"""What goes on one label and where: the QR at the left with its quiet zone, the human-readable link under it
across the label, the text column to its right. Sizes are chosen so that text fits; text that still does not
fit is shortened visibly with "…", never drawn over the next label. A template too small for the code is
refused rather than printed unreadable.

Pure functions of a `LabelJob` (a frozen snapshot of what a label run prints): the PDF and thermal writers
both use them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import fontpkg_be_vietnam_pro
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from services.common.text import nfc
from services.labels import qr
from services.labels.templates import Template

FONT = "BeVietnamPro"
FONT_BOLD = "BeVietnamPro-SemiBold"
_FONT_DIR = Path(fontpkg_be_vietnam_pro.ROOT) / "files"
FONT_FILES = {
    FONT: _FONT_DIR / "BeVietnamPro-Regular.ttf",
    FONT_BOLD: _FONT_DIR / "BeVietnamPro-SemiBold.ttf",
}
PT_PER_MM = 72 / 25.4
PAD_MM = 1.0  # kept clear at every label edge: sheets shift by up to a millimetre in office printers
MIN_TEXT_PT = 4.5
MAX_TEXT_PT = 10.0
MIN_LINK_PT = 3.6
MAX_DOTS_PER_MODULE = 10  # thermal printers: ZPL ^BQ magnification and TSPL QRCODE cell width are 1-10
ELLIPSIS = "…"

WORDS = {
    "vi": {"lot": "Lô", "mfg": "NSX", "exp": "HSD", "net": "KL tịnh", "serial": "S/N", "stars": "OCOP"},
    "en": {"lot": "Lot", "mfg": "MFG", "exp": "EXP", "net": "Net", "serial": "S/N", "stars": "OCOP"},
}


class LabelTooSmall(ValueError):
    """The template cannot hold the QR code at GS1's minimum module size."""

    def __init__(self, needed_mm: float, available_mm: float, modules: int) -> None:
        self.needed_mm = needed_mm
        self.available_mm = available_mm
        self.modules = modules
        super().__init__(
            f"the QR code ({modules} modules) needs a label at least {needed_mm:.1f} mm high; "
            f"this one is {available_mm:.1f} mm"
        )

    def __reduce__(self) -> tuple[type[LabelTooSmall], tuple[float, float, int]]:  # crosses process pools
        return LabelTooSmall, (self.needed_mm, self.available_mm, self.modules)


@cache
def register_fonts() -> None:
    for name, path in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))


def width_pt(text: str, font: str, size: float) -> float:
    register_fonts()
    return float(pdfmetrics.stringWidth(text, font, size))


@dataclass(frozen=True, slots=True)
class LabelContent:
    """What a label says, frozen when the run is created (NFC text, ISO dates)."""

    product_name: str
    producer_name: str
    lot_code: str
    link: str  # the lot's Digital Link; serialised labels add /21/{serial}
    production_date: str | None = None
    expiry_date: str | None = None
    net_quantity: str | None = None
    stars: int | None = None  # only when the certificate is valid on the print date
    language: str = "vi"

    def to_json(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LabelContent:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class LabelJob:
    template: Template
    content: LabelContent
    count: int
    first_serial: int | None = None  # None: lot-level labels, all alike
    start_slot: int = 1  # 1-based slot of the first label on the first sheet (part-used sheets)

    @property
    def serialized(self) -> bool:
        return self.first_serial is not None

    def serial(self, index: int) -> str | None:
        return None if self.first_serial is None else str(self.first_serial + index)

    def link(self, index: int) -> str:
        serial = self.serial(index)
        return self.content.link if serial is None else f"{self.content.link}/21/{serial}"

    @property
    def longest_link(self) -> str:
        return self.link(self.count - 1)

    @property
    def pages(self) -> int:
        per_page = self.template.per_page
        return (self.start_slot - 1 + self.count + per_page - 1) // per_page


def display_link(link: str) -> str:
    return link.split("://", 1)[-1]


def fit_text(text: str, font: str, size: float, max_width_pt: float) -> str:
    """`text` if it fits, else its longest prefix that fits followed by "…"."""
    if width_pt(text, font, size) <= max_width_pt:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if width_pt(text[:mid].rstrip() + ELLIPSIS, font, size) <= max_width_pt:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ELLIPSIS


def middle_cut(text: str, font: str, size: float, max_width_pt: float) -> tuple[int, int] | None:
    """How to shorten `text` in the middle to fit: (head, tail) characters to keep, or None if it fits. The
    end of a link (lot, serial) is the part a reader needs, so the tail is kept whole where possible."""
    if width_pt(text, font, size) <= max_width_pt:
        return None
    head = min(14, len(text) // 3)
    for tail in range(len(text) - head - 1, 0, -1):
        if width_pt(text[:head] + ELLIPSIS + text[-tail:], font, size) <= max_width_pt:
            return head, tail
    return 0, 0


def cut_middle(text: str, cut: tuple[int, int] | None) -> str:
    if cut is None or len(text) <= cut[0] + cut[1]:
        return text
    head, tail = cut
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def fit_middle(text: str, font: str, size: float, max_width_pt: float) -> str:
    """Shortened in the middle ("host/…/21/123"): the end of a link (lot, serial) is the part that matters."""
    if width_pt(text, font, size) <= max_width_pt:
        return text
    keep_head = 0
    tail = text
    for cut in range(1, len(text)):
        candidate_head = text[: max(0, 14 - cut // 2)]
        tail = text[cut:]
        candidate = candidate_head + ELLIPSIS + tail
        if width_pt(candidate, font, size) <= max_width_pt:
            return candidate
        keep_head = len(candidate_head)
    return text[:keep_head] + ELLIPSIS


def wrap(text: str, font: str, size: float, max_width_pt: float, max_lines: int) -> list[str]:
    """Greedy word wrap into at most `max_lines`, the last one shortened with "…" if text remains."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if width_pt(candidate, font, size) <= max_width_pt or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[i:])
            break
    if current:
        lines.append(current)
    return [fit_text(line, font, size, max_width_pt) for line in lines]


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    font: str
    size: float  # pt
    x_mm: float  # from the label's left edge
    baseline_mm: float  # from the label's top edge


@dataclass(frozen=True, slots=True)
class Layout:
    """Positions on one label, in mm from its top-left corner."""

    module_mm: float
    modules: int
    qr_x_mm: float  # top-left of the symbol itself (inside its quiet zone)
    qr_y_mm: float
    lines: tuple[TextLine, ...]  # the same on every label of the run
    serial_line: TextLine | None  # position and font of "S/N …"; text set per label
    link_line: TextLine  # position and font of the human-readable link; text set per label
    link_width_mm: float
    link_cut: tuple[int, int] | None  # (head, tail) characters kept when links are shortened in the middle
    stars: tuple[float, float, float, int] | None = None  # x, baseline, star size (mm), count
    dropped: tuple[str, ...] = field(default=())  # lines left out for lack of room
    link_shown: bool = True  # False: the lot's own line took the link's place (a short label, a long lot)

    @property
    def symbol_mm(self) -> float:
        return self.modules * self.module_mm


def _date(value: str | None) -> str | None:
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else None


# What gives way when a label is short of room, first to last: each is left out only once every size down to
# MIN_TEXT_PT has been tried with it. The lot code and the serial are never shortened nor left out; the
# product name is shortened with "…" but always shown; the others are printed whole or not at all (a cut
# date, quantity or star rank would print something false).
DROP_ORDER = ("net", "producer", "stars", "mfg", "exp")
WHOLE_MARGIN = 0.97  # whole lines keep 3% of the width spare: thermal fonts are set in whole pixels


def whole_size(text: str, font: str, largest: float, max_width_pt: float) -> float | None:
    """The largest size ≤ `largest` (in 0.05 pt steps) at which `text` fits `max_width_pt` whole, or None when
    it does not fit even at MIN_TEXT_PT (or at `largest`, when that is smaller)."""
    at_one = width_pt(text, font, 1.0)
    if at_one <= 0:
        return largest
    size = min(largest, math.floor(max_width_pt * WHOLE_MARGIN / at_one * 20) / 20)
    return size if size >= min(MIN_TEXT_PT, largest) - 1e-9 else None


def stars_width_pt(size: float, count: int) -> float:
    """Width of the "OCOP ★★★★" row set at `size` (as pdf.py and thermal.py draw it)."""
    star = size * 0.95
    return width_pt(WORDS["vi"]["stars"] + " ", FONT_BOLD, star * 0.9) + (count - 1) * star * 1.08 + star


def stars_size(largest: float, count: int, max_width_pt: float) -> float | None:
    at_one = stars_width_pt(1.0, count)
    size = min(largest, math.floor(max_width_pt * WHOLE_MARGIN / at_one * 20) / 20)
    return size if size >= MIN_TEXT_PT - 1e-9 else None


def lot_text(job: LabelJob) -> str:
    return f"{WORDS.get(job.content.language, WORDS['vi'])['lot']}: {job.content.lot_code}"


def serial_text(job: LabelJob) -> str:
    """The serial line of the run's longest serial (the last one)."""
    return f"{WORDS['vi']['serial']}: {job.serial(job.count - 1)}"


def layout(job: LabelJob, *, dot_mm: float | None = None) -> Layout:
    """Where everything goes. `dot_mm` (thermal printers): the module size is a whole number of dots.

    The lot code goes in the text column beside the code; when even MIN_TEXT_PT is too wide for it there, it
    gets a line of its own across the label above the link, and the code shrinks (not below GS1's module) to
    make room; on a label too short for that, the lot's line takes the place of the human-readable link
    (the link is in the code, and its end is the lot anyway)."""
    try:
        return _layout(job, dot_mm=dot_mm, lot_band="")
    except _LotTooWide:
        pass
    try:
        return _layout(job, dot_mm=dot_mm, lot_band="above-link")
    except LabelTooSmall:
        return _layout(job, dot_mm=dot_mm, lot_band="instead-of-link")


class _LotTooWide(Exception):
    pass


def _layout(job: LabelJob, *, dot_mm: float | None, lot_band: str) -> Layout:
    t = job.template
    matrix = qr.encode_cached(job.longest_link)
    n = matrix.size
    side = n + 2 * qr.QUIET_ZONE
    width, height = t.label_width_mm, t.label_height_mm

    link_text = display_link(job.longest_link)
    inner_w = width - 2 * PAD_MM
    link_size = min(6.0, max(MIN_LINK_PT, inner_w * PT_PER_MM / max(1.0, width_pt(link_text, FONT, 1.0))))
    link_h = link_size * 1.15 / PT_PER_MM if lot_band != "instead-of-link" else 0.0
    link_baseline = height - PAD_MM - link_size * 0.25 / PT_PER_MM
    link_line = TextLine("", FONT, link_size, PAD_MM, link_baseline)
    band: TextLine | None = None
    band_h = 0.0
    if lot_band:
        band_size = whole_size(lot_text(job), FONT, 6.0, inner_w * PT_PER_MM)
        if band_size is None:  # 20 characters (GS1's longest lot) fit any label wide enough for a code
            raise LabelTooSmall(height + 1, height, n)
        band_h = band_size * 1.2 / PT_PER_MM
        band = TextLine(
            lot_text(job), FONT, band_size, PAD_MM, height - PAD_MM - link_h - band_size * 0.25 / PT_PER_MM
        )
    # The symbol with its quiet zone: as large as the height allows, at most half the width, X ≤ 0.99 mm.
    available = min(height - 2 * PAD_MM - link_h - band_h, width * 0.5)
    module = min(qr.MAX_MODULE_MM, available / side)
    if dot_mm is not None:
        module = min(module, MAX_DOTS_PER_MODULE * dot_mm)
        module = math.floor(module / dot_mm + 1e-6) * dot_mm
    if module < qr.MIN_MODULE_MM - 1e-9:
        smallest = (
            qr.MIN_MODULE_MM if dot_mm is None else math.ceil(qr.MIN_MODULE_MM / dot_mm - 1e-6) * dot_mm
        )
        raise LabelTooSmall(side * smallest + 2 * PAD_MM + link_h + band_h, height, n)
    quiet = qr.QUIET_ZONE * module
    qr_x = PAD_MM + quiet
    qr_y = PAD_MM + quiet

    text_x = PAD_MM + side * module
    text_w_pt = (width - PAD_MM - text_x) * PT_PER_MM
    text_h_mm = height - 2 * PAD_MM - link_h - band_h

    fitted = None
    dropped: tuple[str, ...] = ()
    for k in range(len(DROP_ORDER) + 1):
        fitted = _fit_column(
            job, text_x, text_w_pt, text_h_mm, exclude=DROP_ORDER[:k], lot_in_column=band is None
        )
        if fitted is not None:
            dropped = fitted[3]
            break
    if fitted is None:
        raise LabelTooSmall(height + 1, height, n)
    lines, serial_line, stars, _ = fitted
    return Layout(
        module_mm=module,
        modules=n,
        qr_x_mm=qr_x,
        qr_y_mm=qr_y,
        lines=(*lines, band) if band is not None else tuple(lines),
        serial_line=serial_line,
        link_line=link_line,
        link_width_mm=inner_w,
        link_cut=middle_cut(link_text, FONT, link_size, inner_w * PT_PER_MM * 0.97),
        link_shown=lot_band != "instead-of-link",
        stars=stars,
        dropped=dropped,
    )


_Column = tuple[list[TextLine], TextLine | None, tuple[float, float, float, int] | None, tuple[str, ...]]
NAME_WHOLE_MIN_PT = 6.0  # the column is set smaller (down to this) rather than cut the product name


def _fit_column(
    job: LabelJob,
    x_mm: float,
    width_pt_: float,
    height_mm: float,
    *,
    exclude: tuple[str, ...],
    lot_in_column: bool,
) -> _Column | None:
    """The text column at the largest size that fits the height, or None if even the smallest does not.
    Lines that must be whole are each set at the largest size (up to the column's) at which they fit the
    width; a line that may be left out and fits at no size is left out (and named in the result)."""
    c = job.content
    words = WORDS.get(c.language, WORDS["vi"])
    lot = lot_text(job)
    if lot_in_column and whole_size(lot, FONT, MAX_TEXT_PT, width_pt_) is None:
        raise _LotTooWide
    mfg, exp = _date(c.production_date), _date(c.expiry_date)
    fallback: _Column | None = None  # the largest size that fits, the name shortened
    size = MAX_TEXT_PT
    while size >= MIN_TEXT_PT - 1e-9:
        small = max(MIN_TEXT_PT, round(size * 0.82, 2))  # the lines under the name, never below the minimum
        left_out = list(exclude)
        body: list[tuple[str, str, float]] = [
            (line, FONT_BOLD, size) for line in wrap(c.product_name, FONT_BOLD, size, width_pt_, 2)
        ]
        if "producer" not in exclude and c.producer_name:
            body.append((fit_text(c.producer_name, FONT, small, width_pt_), FONT, small))
        if lot_in_column:
            lot_size = whole_size(lot, FONT, small, width_pt_)
            assert lot_size is not None  # checked above at the column's width
            body.append((lot, FONT, lot_size))
        dates = [
            (key, f"{words[key]} {value}")
            for key, value in (("mfg", mfg), ("exp", exp))
            if value and key not in exclude
        ]
        together = " · ".join(text for _, text in dates)
        if len(dates) == 2 and width_pt(together, FONT, small) <= width_pt_ * WHOLE_MARGIN:
            body.append((together, FONT, small))
        else:
            for key, text in dates:
                fitted_size = whole_size(text, FONT, small, width_pt_)
                if fitted_size is None:
                    left_out.append(key)
                else:
                    body.append((text, FONT, fitted_size))
        if "net" not in exclude and c.net_quantity:
            net = f"{words['net']}: {c.net_quantity}"
            net_size = whole_size(net, FONT, small, width_pt_)
            if net_size is None:
                left_out.append("net")
            else:
                body.append((net, FONT, net_size))
        serial_size = None
        if job.serialized:
            serial_size = whole_size(serial_text(job), FONT, small, width_pt_)
            if serial_size is None:
                return None
        star_size = None
        if c.stars and "stars" not in exclude:
            star_size = stars_size(size, int(c.stars), width_pt_)
            if star_size is None:
                left_out.append("stars")
        total_pt = sum(s * 1.2 for _, _, s in body)
        total_pt += serial_size * 1.2 if serial_size else 0
        total_pt += star_size * 1.25 if star_size else 0
        if total_pt / PT_PER_MM <= height_mm:
            name_whole = ELLIPSIS not in "".join(t for t, f, _ in body if f == FONT_BOLD)
            lines: list[TextLine] = []
            y = PAD_MM
            for text, font, s in body:
                y += s * 1.2 / PT_PER_MM
                lines.append(TextLine(text, font, s, x_mm, y - s * 0.25 / PT_PER_MM))
            serial_line = None
            if serial_size:
                y += serial_size * 1.2 / PT_PER_MM
                serial_line = TextLine(
                    words["serial"], FONT, serial_size, x_mm, y - serial_size * 0.25 / PT_PER_MM
                )
            stars = None
            if star_size:
                y += star_size * 1.25 / PT_PER_MM
                stars = (
                    x_mm,
                    y - star_size * 0.2 / PT_PER_MM,
                    star_size * 0.95 / PT_PER_MM,
                    int(c.stars or 0),
                )
            present = {
                "net": c.net_quantity,
                "producer": c.producer_name,
                "stars": c.stars,
                "mfg": mfg,
                "exp": exp,
            }
            result = lines, serial_line, stars, tuple(k for k in DROP_ORDER if k in left_out and present[k])
            if name_whole:
                return result
            fallback = fallback or result
            if size - 0.25 < NAME_WHOLE_MIN_PT - 1e-9:
                return fallback
        size -= 0.25
    return fallback


def star_points(cx: float, cy: float, r_out: float, *, y_down: bool = False) -> list[tuple[float, float]]:
    """The ten corners of a five-pointed star centred on (cx, cy), point up."""
    sign = -1 if y_down else 1
    points = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_out * 0.45
        angle = math.pi / 2 + k * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + sign * r * math.sin(angle)))
    return points


def label_text(value: str) -> str:
    return nfc(value).strip()
