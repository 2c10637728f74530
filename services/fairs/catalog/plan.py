"""The floor plan as printed in the catalog: an overview of the whole floor (zones and booth codes) and one
drawing per zone at a common, larger scale with the exhibitors' names in their booths, all on landscape
pages. No text is smaller than MIN_PT: sizes are in points on paper (the SVG's user unit is the point and
the image is printed at its own size), and names are fitted with the real advance widths of the font the
catalog prints with (Be Vietnam Pro), so that a name never runs out of its booth.

The web's floor plan (services/fairs/floorplan.py) is drawn for screens, where a reader zooms; paper
cannot zoom, hence this second drawing."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache

import fontpkg_be_vietnam_pro
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from models import BoothType
from services.fairs.catalog.data import BoothInfo, CatalogData, ZoneInfo
from services.fairs.floorplan import TYPE_FILLS, abbreviate, clean

__all__ = [
    "MIN_PT",
    "PlanDrawing",
    "booth_types",
    "legend_height_mm",
    "overview",
    "page_box_mm",
    "zone_drawings",
    "zone_drawings_wanted",
]

MIN_PT = 6.0  # the smallest text on a plan page
MM = 72 / 25.4  # points per millimetre
FONT = "Be Vietnam Pro"
# Printable box of a landscape page (width, height in mm), less the section title and the running head.
_LANDSCAPE = {"A4": (297.0, 210.0), "A5": (210.0, 148.0)}
_MARGINS = {"A4": (17.0, 15.0, 18.0), "A5": (13.0, 11.0, 14.0)}  # top, sides, bottom (catalog.css)
_TYPES = {str(t) for t in BoothType}
MAX_ZONE_MM_PER_M = 9.0  # a small fair's booths are not blown up beyond this


@dataclass(frozen=True, slots=True)
class PlanDrawing:
    """An SVG to print at `width_mm` × `height_mm`; `title` is the zone's heading (None: the overview)."""

    svg: str
    width_mm: float
    height_mm: float
    zone: ZoneInfo | None = None


class _Metrics:
    """Advance widths of one font file, in ems."""

    def __init__(self, file: str) -> None:
        font = TTFont(file, lazy=True)
        units = font["head"].unitsPerEm
        advances = font["hmtx"].metrics
        self.widths = {code: advances[glyph][0] / units for code, glyph in font.getBestCmap().items()}
        self.fallback = advances.get(".notdef", (units * 0.6, 0))[0] / units
        font.close()

    def width(self, text: str, size: float) -> float:
        return float(sum(self.widths.get(ord(ch), self.fallback) for ch in text) * size)


@cache
def metrics(bold: bool = False) -> _Metrics:
    name = "BeVietnamPro-Bold.ttf" if bold else "BeVietnamPro-Regular.ttf"
    return _Metrics(str(fontpkg_be_vietnam_pro.ROOT / "files" / name))


def fit(text: str, width: float, size: float, max_lines: int, *, bold: bool = False) -> list[str]:
    """`text` wrapped at spaces into at most `max_lines` lines no wider than `width` points at `size`,
    the last one ending with "…" when something was left out."""
    m = metrics(bold)
    words = [w for w in abbreviate(clean(text)).split(" ") if w]
    lines: list[str] = []
    i = 0
    while i < len(words) and len(lines) < max_lines:
        line = words[i]
        i += 1
        while i < len(words) and m.width(f"{line} {words[i]}", size) <= width:
            line = f"{line} {words[i]}"
            i += 1
        lines.append(line)
    if not lines:
        return []
    if i < len(words) or m.width(lines[-1], size) > width:
        lines[-1] = _ellipsis(lines[-1] + (" " if i < len(words) else ""), width, size, m)
    return [_ellipsis(line, width, size, m) if m.width(line, size) > width else line for line in lines]


def _ellipsis(line: str, width: float, size: float, m: _Metrics) -> str:
    line = line.rstrip()
    while line and m.width(line + "…", size) > width:
        line = line[:-1].rstrip()
    return line + "…" if line else ""


def _esc(text: str) -> str:
    return html.escape(clean(text), quote=True)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def page_box_mm(paper: str) -> tuple[float, float]:
    """Width and height (mm) that a drawing may take on a landscape plan page."""
    width, height = _LANDSCAPE[paper]
    top, side, bottom = _MARGINS[paper]
    return width - 2 * side, height - top - bottom


def _booth_rect(b: BoothInfo, x0: float, y0: float, k: float) -> tuple[float, float, float, float]:
    return (b.x_m - x0) * k, (b.y_m - y0) * k, b.width_m * k, b.depth_m * k


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}pt" height="{_n(height)}pt" font-family="{FONT}" role="img">'
        f"<title>{_esc(label)}</title>" + "".join(body) + "</svg>"
    )


def overview(data: CatalogData, legend_mm: float) -> PlanDrawing:
    """The whole floor, zones and booth codes, as large as the page allows above a legend `legend_mm` high."""
    floor = data.floor
    box_w, box_h = page_box_mm(data.paper)
    box_h -= 14 + legend_mm  # the section title, the legend
    mm_per_m = min(box_w / max(floor.width_m, 1), box_h / max(floor.depth_m, 1))
    k = mm_per_m * MM  # points per metre
    width, height = floor.width_m * k, floor.depth_m * k
    body = [
        f'<rect x="0" y="0" width="{_n(width)}" height="{_n(height)}" fill="#fafafa" stroke="#888888" '
        'stroke-width="0.6"/>'
    ]
    for z in data.zones:
        body.append(
            f'<rect class="zone" x="{_n(z.x_m * k)}" y="{_n(z.y_m * k)}" width="{_n(z.width_m * k)}" '
            f'height="{_n(z.depth_m * k)}" fill="{_esc(z.color)}" stroke="#7a8f7a" stroke-width="0.6"/>'
        )
    for b in floor.booths:
        x, y, w, h = _booth_rect(b, 0, 0, k)
        body.append(_booth_box(b, x, y, w, h))
        em = max(metrics(True).width(b.code, 1.0), 0.1)
        size = min(9.0, h * 0.45, (w - 4) / em)  # 2 pt clear on each side
        if size < MIN_PT and w / em >= MIN_PT and h >= MIN_PT:
            size = MIN_PT  # touching the booth's sides rather than left out
        if size >= MIN_PT:
            body.append(
                f'<text x="{_n(x + w / 2)}" y="{_n(y + h / 2 + size * 0.35)}" font-size="{_n(size)}" '
                f'font-weight="bold" text-anchor="middle">{_esc(b.code)}</text>'
            )
    e_name = _zone_name_getter(data)
    for z in data.zones:  # names last, over the booths, on a white halo
        size = 7.0
        lines = fit(f"{z.code} · {e_name(z)}", z.width_m * k - 4, size, 1, bold=True) or [z.code]
        label_w = metrics(True).width(lines[0], size)
        body.append(
            f'<rect x="{_n(z.x_m * k + 1)}" y="{_n(z.y_m * k + 0.5)}" width="{_n(label_w + 2)}" '
            f'height="{_n(size * 1.25)}" fill="#ffffff" fill-opacity="0.85"/>'
            f'<text x="{_n(z.x_m * k + 2)}" y="{_n(z.y_m * k + size)}" font-size="{_n(size)}" '
            f'font-weight="bold" fill="#2f4f2f">{_esc(lines[0])}</text>'
        )
    return PlanDrawing(_svg(width, height, body, e_name(None)), width / MM, height / MM)


def _zone_name_getter(data: CatalogData):  # type: ignore[no-untyped-def]
    english = data.language == "en"

    def name(zone: ZoneInfo | None) -> str:
        if zone is None:
            return (data.fair.name.en or data.fair.name.vi) if english else data.fair.name.vi
        return (zone.name.en or zone.name.vi) if english else zone.name.vi

    return name


def _booth_box(b: BoothInfo, x: float, y: float, w: float, h: float) -> str:
    fill = TYPE_FILLS[BoothType(b.booth_type)][0] if b.booth_type in _TYPES else "#ffffff"
    return (
        f'<rect class="booth" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}" '
        'stroke="#555555" stroke-width="0.5"/>'
    )


def _extent(zone: ZoneInfo, data: CatalogData) -> tuple[float, float, float, float]:
    """x, y, width and depth (m) of a zone and of its booths, should some lie outside it."""
    boxes = [(zone.x_m, zone.y_m, zone.x_m + zone.width_m, zone.y_m + zone.depth_m)]
    boxes += [
        (b.x_m, b.y_m, b.x_m + b.width_m, b.y_m + b.depth_m) for b in data.floor.booths if b.zone == zone.code
    ]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    return x0, y0, max(b[2] for b in boxes) - x0, max(b[3] for b in boxes) - y0


def zone_drawings(data: CatalogData) -> list[PlanDrawing]:
    """One drawing per zone, all at the scale that fits the largest zone on a page, with the names of the
    exhibitors on their booths."""
    zones = [z for z in data.zones if z.width_m > 0 and z.depth_m > 0]
    if not zone_drawings_wanted(data):
        return []
    box_w, box_h = page_box_mm(data.paper)
    box_w -= 6  # the space after a drawing (catalog.css: figure.plan-zone)
    box_h -= 45  # the section title (first page), the zone's heading, the space under it
    extents = {z.code: _extent(z, data) for z in zones}
    mm_per_m = min(MAX_ZONE_MM_PER_M, *(min(box_w / e[2], box_h / e[3]) for e in extents.values()))
    k = mm_per_m * MM
    name_size = 7.0 if data.paper == "A4" else MIN_PT
    code_size = 8.0 if data.paper == "A4" else 7.0
    out = []
    for z in zones:
        x0, y0, width_m, depth_m = extents[z.code]
        width, height = width_m * k, depth_m * k
        body = [
            f'<rect x="{_n((z.x_m - x0) * k)}" y="{_n((z.y_m - y0) * k)}" width="{_n(z.width_m * k)}" '
            f'height="{_n(z.depth_m * k)}" fill="{_esc(z.color)}" stroke="#7a8f7a" stroke-width="0.6"/>'
        ]
        for b in data.floor.booths:
            if b.zone != z.code:
                continue
            x, y, w, h = _booth_rect(b, x0, y0, k)
            body.append(_booth_box(b, x, y, w, h))
            body.append(
                f'<text x="{_n(x + w / 2)}" y="{_n(y + 2 + code_size)}" font-size="{_n(code_size)}" '
                f'font-weight="bold" text-anchor="middle">{_esc(b.code)}</text>'
            )
            if b.exhibitor:
                line_height = name_size * 1.2
                max_lines = min(5, int((h - code_size - 6) / line_height))
                lines = fit(b.exhibitor, w - 4, name_size, max_lines)
                spans = "".join(
                    f'<tspan x="{_n(x + w / 2)}" y="{_n(y + code_size + 4 + name_size + n * line_height)}">'
                    f"{_esc(line)}</tspan>"
                    for n, line in enumerate(lines)
                )
                if spans:
                    body.append(
                        f'<text class="exhibitor" font-size="{_n(name_size)}" text-anchor="middle">{spans}</text>'
                    )
        out.append(PlanDrawing(_svg(width, height, body, z.code), width / MM, height / MM, z))
    return out


def legend_columns(paper: str) -> int:
    return 3 if paper == "A4" else 2


def legend_height_mm(data: CatalogData) -> float:
    """The height the HTML legend under the overview takes (catalog.css: 7.5 pt rows of 4 mm)."""
    rows = -(-len(data.zones) // legend_columns(data.paper)) + 1  # zones, then the booth types on one row
    return 6.0 + 4.0 * rows


def booth_types(data: CatalogData) -> list[tuple[str, str, str]]:
    """(fill, Vietnamese, English) of the booth types on this floor."""
    present = {b.booth_type for b in data.floor.booths}
    return [(fill, vi, en) for kind, (fill, vi, en) in TYPE_FILLS.items() if str(kind) in present]


def zone_drawings_wanted(data: CatalogData) -> bool:
    return any(z.width_m > 0 and z.depth_m > 0 for z in data.zones) and bool(data.floor.booths)
