"""A fair's floor plan drawn as SVG: zones as coloured areas with their names, booths with their codes and,
once exhibitors are public, their exhibitors' names shortened to fit, and a legend of zones and booth types.

Every text is NFC, stripped of characters XML cannot carry, and escaped; a booth's full exhibitor name is
in its <title> (a tooltip in browsers, read by screen readers). Sizes are 20 SVG units per metre."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence

from models import Booth, BoothAssignment, BoothType, Fair, Zone
from services.common.text import nfc

SCALE = 20.0  # SVG units per metre
MARGIN = 20.0
TITLE_HEIGHT = 44.0
LEGEND_ROW = 22.0
LEGEND_COLUMN = 280.0
CHAR_WIDTH = 0.6  # average advance of a sans-serif character, in ems
FONT = "'Be Vietnam Pro', 'Noto Sans', Arial, sans-serif"
TYPE_FILLS = {
    BoothType.STANDARD: ("#ffffff", "Gian tiêu chuẩn", "Standard booth"),
    BoothType.CORNER: ("#fff3c4", "Gian góc", "Corner booth"),
    BoothType.PREMIUM: ("#fde0dc", "Gian cao cấp", "Premium booth"),
    BoothType.OUTDOOR: ("#dcefff", "Gian ngoài trời", "Outdoor booth"),
}
# Usual abbreviations of Vietnamese producer names, as they are written on booth signs.
ABBREVIATIONS = (
    ("hợp tác xã", "HTX"),
    ("tổ hợp tác", "THT"),
    ("công ty tnhh", "Cty TNHH"),
    ("công ty cổ phần", "Cty CP"),
    ("doanh nghiệp tư nhân", "DNTN"),
    ("cơ sở", "CS"),
    ("hộ kinh doanh", "HKD"),
)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """NFC, without the control characters XML 1.0 cannot carry."""
    return nfc(_NOT_XML.sub("", text))


def esc(text: str) -> str:
    return html.escape(clean(text), quote=True)


def abbreviate(name: str) -> str:
    folded = name.casefold()
    for long, short in ABBREVIATIONS:
        if folded.startswith(long + " "):
            return short + name[len(long) :]
    return name


def fit_lines(text: str, max_chars: int, max_lines: int) -> list[str]:
    """`text` wrapped at spaces into at most `max_lines` lines of `max_chars` characters, the last one
    ending with "…" when something was left out. NFC text cuts between letters, never inside one."""
    if max_chars < 1 or max_lines < 1:
        return []
    words = abbreviate(clean(text)).split(" ")
    lines: list[str] = []
    i = 0
    while i < len(words) and len(lines) < max_lines:
        line = words[i]
        i += 1
        while i < len(words) and len(line) + 1 + len(words[i]) <= max_chars:
            line += " " + words[i]
            i += 1
        lines.append(line)
    left_out = i < len(words)
    fitted = []
    for n, line in enumerate(lines):
        if len(line) > max_chars or (left_out and n == len(lines) - 1):
            line = line[: max_chars - 1].rstrip() + "…"
        fitted.append(line)
    return fitted


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def render(
    fair: Fair,
    zones: Sequence[Zone],
    booths: Sequence[Booth],
    exhibitors: Mapping[int, str],
    language: str = "vi",
) -> str:
    """The SVG document. `exhibitors` maps booth ids to exhibitor names (empty while they are not public)."""
    english = language == "en"
    floor_w = fair.floor_width_m * SCALE
    floor_d = fair.floor_depth_m * SCALE
    width = max(floor_w, 2 * LEGEND_COLUMN) + 2 * MARGIN
    columns = max(1, int((width - 2 * MARGIN) // LEGEND_COLUMN))
    legend_height = 30 + LEGEND_ROW * (math.ceil(len(zones) / columns) + math.ceil(len(TYPE_FILLS) / columns))
    height = MARGIN + TITLE_HEIGHT + floor_d + 16 + legend_height + MARGIN
    top = MARGIN + TITLE_HEIGHT
    title = (fair.name_en or fair.name) if english else fair.name
    dates = f"{fair.starts_on:%d/%m/%Y} – {fair.ends_on:%d/%m/%Y}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" font-family="{esc(FONT)}" role="img">',
        f"<title>{esc(title)}</title>",
        f'<rect x="0" y="0" width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
        f'<text x="{_num(MARGIN)}" y="{_num(MARGIN + 18)}" font-size="18" font-weight="bold">{esc(title)}</text>',
        f'<text x="{_num(MARGIN)}" y="{_num(MARGIN + 36)}" font-size="12" fill="#555555">'
        f"{esc(fair.venue)} · {esc(dates)}</text>",
        f'<rect class="floor" x="{_num(MARGIN)}" y="{_num(top)}" width="{_num(floor_w)}" height="{_num(floor_d)}" '
        'fill="#fafafa" stroke="#888888" stroke-width="1"/>',
    ]
    for zone in zones:
        out.append(
            f'<rect class="zone" data-zone="{esc(zone.code)}" x="{_num(MARGIN + zone.x_m * SCALE)}" '
            f'y="{_num(top + zone.y_m * SCALE)}" width="{_num(zone.width_m * SCALE)}" '
            f'height="{_num(zone.depth_m * SCALE)}" fill="{esc(zone.color)}" stroke="#7a8f7a" stroke-width="1"/>'
        )
    for booth in booths:
        out.append(_booth(booth, exhibitors.get(booth.id), top, english))
    for zone in zones:  # names last, over the booths: a white halo, then the name on it
        name = (zone.name_en or zone.name) if english else zone.name
        at = f'x="{_num(MARGIN + zone.x_m * SCALE + 4)}" y="{_num(top + zone.y_m * SCALE + 14)}"'
        label = f"{esc(zone.code)} · {esc(name)}"
        out.append(
            f'<g class="zone-name" font-size="12" font-weight="bold">'
            f'<text {at} fill="#ffffff" stroke="#ffffff" stroke-width="3" aria-hidden="true">{label}</text>'
            f'<text {at} fill="#2f4f2f">{label}</text></g>'
        )
    y = top + floor_d + 16
    out.append(
        f'<text x="{_num(MARGIN)}" y="{_num(y + 12)}" font-size="13" font-weight="bold">'
        f"{'Legend' if english else 'Chú thích'}</text>"
    )
    y += 30
    items: list[tuple[str, str]] = []
    for zone in zones:
        name = (zone.name_en or zone.name) if english else zone.name
        groups = ", ".join(zone.product_groups or [])
        label = f"{zone.code} · {name}"
        if groups:
            label += f" ({'groups' if english else 'nhóm'} {groups})"
        items.append((zone.color, label))
    rows_of_zones = math.ceil(len(zones) / columns)
    for n, (fill, label) in enumerate(items):
        out.append(
            _legend_item(MARGIN + (n % columns) * LEGEND_COLUMN, y + (n // columns) * LEGEND_ROW, fill, label)
        )
    y += rows_of_zones * LEGEND_ROW
    for n, (fill, label_vi, label_en) in enumerate(TYPE_FILLS.values()):
        out.append(
            _legend_item(
                MARGIN + (n % columns) * LEGEND_COLUMN,
                y + (n // columns) * LEGEND_ROW,
                fill,
                label_en if english else label_vi,
            )
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend_item(x: float, y: float, fill: str, label: str) -> str:
    max_chars = int((LEGEND_COLUMN - 30) / (11 * CHAR_WIDTH))
    text = fit_lines(label, max_chars, 1)
    return (
        f'<g class="legend-item"><rect x="{_num(x)}" y="{_num(y)}" width="16" height="14" fill="{esc(fill)}" '
        f'stroke="#555555" stroke-width="1"/><text x="{_num(x + 22)}" y="{_num(y + 11)}" font-size="11">'
        f"{esc(text[0] if text else '')}</text></g>"
    )


def _booth(booth: Booth, exhibitor: str | None, top: float, english: bool) -> str:
    x = MARGIN + booth.x_m * SCALE
    y = top + booth.y_m * SCALE
    w = booth.width_m * SCALE
    h = booth.depth_m * SCALE
    fill = TYPE_FILLS[BoothType(booth.booth_type)][0]
    code_size = max(4.0, min(12.0, h * 0.28, (w - 4) / (max(len(booth.code), 1) * 0.62)))
    tooltip = booth.code + (f" – {exhibitor}" if exhibitor else "")
    parts = [
        f'<g class="booth" data-booth="{esc(booth.code)}">',
        f"<title>{esc(tooltip)}</title>",
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" fill="{fill}" '
        'stroke="#555555" stroke-width="0.8"/>',
        f'<text x="{_num(x + w / 2)}" y="{_num(y + code_size + 2)}" font-size="{_num(code_size)}" '
        f'font-weight="bold" text-anchor="middle">{esc(booth.code)}</text>',
    ]
    if exhibitor:
        size = min(8.0, code_size * 0.85)
        line_height = size * 1.15
        max_chars = int((w - 4) / (size * CHAR_WIDTH))
        max_lines = min(3, int((h - code_size - 6) / line_height))
        lines = fit_lines(exhibitor, max_chars, max_lines)
        if lines:
            spans = "".join(
                f'<tspan x="{_num(x + w / 2)}" dy="{_num(line_height if n else 0)}">{esc(line)}</tspan>'
                for n, line in enumerate(lines)
            )
            parts.append(
                f'<text class="exhibitor" x="{_num(x + w / 2)}" y="{_num(y + code_size + 4 + size)}" '
                f'font-size="{_num(size)}" text-anchor="middle">{spans}</text>'
            )
    parts.append("</g>")
    return "".join(parts)


async def floor_plan_svg(fair: Fair, *, show_exhibitors: bool, language: str = "vi") -> str:
    """The fair's floor plan; exhibitors' names only when `show_exhibitors` (see policy.sees_exhibitors)."""
    zones = await Zone.filter(fair_id=fair.id).order_by("code", "id")
    booths = await Booth.filter(fair_id=fair.id).order_by("code", "id")
    exhibitors: dict[int, str] = {}
    if show_exhibitors:
        rows = await BoothAssignment.filter(fair_id=fair.id).values_list(
            "booth_id", "application__producer__name"
        )
        exhibitors = {booth_id: name for booth_id, name in rows}
    return render(fair, zones, booths, exhibitors, language)
