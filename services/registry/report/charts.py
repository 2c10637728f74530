"""The programme report's charts, drawn by matplotlib's SVG backend (chosen by measurement:
benchmarks/report_charts.py, docs/coordination.md) and embedded inline in the report's HTML.

Bars, lines and axes are vector paths; text is kept as SVG text (`svg.fonttype: none`) in Be Vietnam Pro,
which WeasyPrint draws with the report's embedded font, so Vietnamese labels print right and can be copied
from the PDF. matplotlib measures the labels with the same font files (registered here), so the layout
leaves them the room they need.

Imported only in the render's child process (matplotlib and numpy are heavy; never on the server's loop)."""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Sequence

import fontpkg_be_vietnam_pro
import matplotlib

matplotlib.use("svg")

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

FONT = "Be Vietnam Pro"
GREEN, LIGHT, GOLD, GREY, RED = "#1f6b3a", "#7fb069", "#d9a400", "#9aa597", "#b23a2f"
STAR_COLOURS = (LIGHT, GREEN, GOLD)  # 3★, 4★, 5★
WIDTH_IN, HEIGHT_IN = 4.3, 2.7


@functools.cache
def _fonts() -> None:
    files = fontpkg_be_vietnam_pro.ROOT / "files"
    for name in ("BeVietnamPro-Regular.ttf", "BeVietnamPro-Bold.ttf"):
        font_manager.fontManager.addfont(str(files / name))


def _style() -> dict[str, object]:
    return {
        "font.family": FONT,
        "font.size": 7.5,
        "svg.fonttype": "none",
        "svg.hashsalt": "ocop-report",  # the same figures draw the same SVG (ids are salted hashes)
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": GREY,
        "axes.titlesize": 8.5,
        "axes.titleweight": "bold",
        "xtick.color": "#33402f",
        "ytick.color": "#33402f",
    }


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # The figure's size is set by the page's CSS (the chart's column), not by matplotlib's points.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)


def _figure(height: float = HEIGHT_IN) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH_IN, height))  # no pyplot: no global figure registry, a lighter import
    return fig, fig.add_subplot()


def _label_bars(ax: Axes, bars: BarContainer) -> None:
    ax.bar_label(bars, padding=2, fontsize=6.5, color="#33402f", fmt="%d")


def years_chart(
    years: Sequence[int],
    by_stars: Sequence[tuple[int, int, int]],
    expired: Sequence[int],
    words: dict[str, str],
) -> str:
    """New certificates per year by stars (grouped bars) and certificates expired (a line)."""
    _fonts()
    with matplotlib.rc_context(_style()):  # type: ignore[arg-type]
        fig, ax = _figure()
        width = 0.26
        positions = list(range(len(years)))
        for i, colour in enumerate(STAR_COLOURS):
            values = [row[i] for row in by_stars]
            ax.bar(
                [p + (i - 1) * width for p in positions],
                values,
                width,
                color=colour,
                label=f"{i + 3} {words['stars']}",
            )
        ax.plot(
            positions,
            list(expired),
            color=RED,
            marker="o",
            markersize=3,
            linewidth=1.2,
            label=words["expired"],
        )
        ax.set_xticks(positions, [str(y) for y in years])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False, fontsize=6.5, ncols=4, loc="upper left", bbox_to_anchor=(0, 1.12))
        fig.tight_layout()
        return _svg(fig)


def bars(labels: Sequence[str], values: Sequence[int], colours: Sequence[str] | None = None) -> str:
    """Vertical bars with their values (products by stars)."""
    _fonts()
    with matplotlib.rc_context(_style()):  # type: ignore[arg-type]
        fig, ax = _figure(2.2)
        drawn = ax.bar(list(labels), list(values), color=list(colours) if colours else GREEN, width=0.6)
        _label_bars(ax, drawn)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(y=0.15)
        fig.tight_layout()
        return _svg(fig)


def horizontal_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    reference: float | None = None,
    percent: bool = False,
) -> str:
    """Horizontal bars, one group per label (top to bottom in the given order), one bar per series
    (name, values, colour); `reference` draws a vertical line (100 % of a target)."""
    _fonts()
    rows = max(len(labels), 1)
    height = min(max(1.1 + 0.24 * rows * max(len(series), 1) ** 0.5, 1.6), 5.0)
    with matplotlib.rc_context(_style()):  # type: ignore[arg-type]
        fig, ax = _figure(height)
        positions = list(range(len(labels)))[::-1]
        width = 0.8 / max(len(series), 1)
        for i, (name, values, colour) in enumerate(series):
            offset = (len(series) - 1) / 2 * width - i * width
            drawn = ax.barh([p + offset for p in positions], list(values), width, color=colour, label=name)
            ax.bar_label(drawn, padding=2, fontsize=6, color="#33402f", fmt="%.0f%%" if percent else "%d")
        ax.set_yticks(positions, [textwrap.fill(label, 28) for label in labels])
        if reference is not None:
            ax.axvline(reference, color=RED, linewidth=0.8, linestyle="--")
        if len(series) > 1:
            ax.legend(
                frameon=False, fontsize=6.5, ncols=len(series), loc="lower right", bbox_to_anchor=(1, 1)
            )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(x=0.18)
        fig.tight_layout()
        return _svg(fig)
