"""Which plotting library draws the programme report's charts: measured, not guessed.

The report (services/registry/report*) has four charts: a grouped bar chart of new certificates by year
and stars, bars by stars, bars by product group, horizontal bars comparing the 12 pilot provinces. Each
candidate draws the same four charts with Vietnamese labels as SVG; the SVG is then embedded in a small
HTML page and printed by WeasyPrint with Be Vietnam Pro, as the report does. Measured per library:

- time to draw the four SVGs (median of `--runs`, after one warm-up run, in this process),
- the SVGs' size, and the size of the PDF page that embeds them,
- whether the Vietnamese labels come out right: the PDF's text (pdfminer) must hold every label in NFC
  when the library keeps text as text, or the SVG must hold no missing-glyph box when it draws text as
  paths (matplotlib's `svg.fonttype: path`), and the font used must be Be Vietnam Pro.

Candidates: matplotlib (SVG backend, text kept as `<text>` in Be Vietnam Pro, and text as paths),
pygal, leather. plotly is left out: its static SVG export needs kaleido, which drives a Chrome build it
downloads. Missing libraries are reported and skipped. Exits 0 whenever the benchmark ran.

    .venv/bin/python benchmarks/report_charts.py [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = [2019, 2020, 2021, 2022, 2023, 2024, 2025]
BY_YEAR = {3: [40, 61, 87, 120, 150, 171, 160], 4: [12, 20, 31, 44, 60, 70, 66], 5: [0, 1, 1, 2, 3, 4, 4]}
GROUPS = ["Thực phẩm", "Đồ uống", "Dược liệu", "Thủ công mỹ nghệ", "Sinh vật cảnh", "Du lịch cộng đồng"]
GROUP_COUNTS = [310, 64, 41, 37, 12, 9]
PILOTS = [
    "Hà Giang",
    "Hà Nội",
    "Quảng Ninh",
    "Sơn La",
    "Thái Bình",
    "Thanh Hóa",
    "Hà Tĩnh",
    "Thừa Thiên-Huế",
    "Quảng Nam",
    "Lâm Đồng",
    "Đồng Tháp",
    "Bến Tre",
]
PILOT_COUNTS = [55, 640, 420, 98, 180, 390, 250, 160, 230, 170, 260, 270]
LABELS = [*GROUPS, *PILOTS, "Sản phẩm mới theo năm", "Số sao"]


def _font_files() -> dict[str, Path]:
    import fontpkg_be_vietnam_pro

    files = fontpkg_be_vietnam_pro.ROOT / "files"
    return {"regular": files / "BeVietnamPro-Regular.ttf", "bold": files / "BeVietnamPro-Bold.ttf"}


def matplotlib_charts(fonttype: str) -> Callable[[], list[str]]:
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for path in _font_files().values():
        font_manager.fontManager.addfont(str(path))

    def draw() -> list[str]:
        out = []
        with matplotlib.rc_context(
            {"font.family": "Be Vietnam Pro", "svg.fonttype": fonttype, "font.size": 8}
        ):
            for kind in ("years", "stars", "groups", "pilots"):
                fig, ax = plt.subplots(figsize=(4.2, 2.6))
                if kind == "years":
                    width = 0.27
                    for i, (stars, values) in enumerate(BY_YEAR.items()):
                        ax.bar([y + (i - 1) * width for y in YEARS], values, width, label=f"{stars} sao")
                    ax.legend(frameon=False)
                    ax.set_title("Sản phẩm mới theo năm")
                elif kind == "stars":
                    ax.bar(["3 sao", "4 sao", "5 sao"], [sum(v) for v in BY_YEAR.values()])
                    ax.set_title("Số sao")
                elif kind == "groups":
                    ax.barh(GROUPS, GROUP_COUNTS)
                else:
                    ax.barh(PILOTS, PILOT_COUNTS)
                fig.tight_layout()
                buffer = io.StringIO()
                fig.savefig(buffer, format="svg")
                plt.close(fig)
                out.append(buffer.getvalue())
        return out

    return draw


def pygal_charts() -> Callable[[], list[str]]:
    import pygal  # type: ignore[import-not-found]  # optional here: only measured
    from pygal.style import Style  # type: ignore[import-not-found]

    style = Style(font_family="Be Vietnam Pro", background="white", plot_background="white")

    def draw() -> list[str]:
        out = []
        chart = pygal.Bar(style=style, width=420, height=260, title="Sản phẩm mới theo năm")
        chart.x_labels = [str(y) for y in YEARS]
        for stars, values in BY_YEAR.items():
            chart.add(f"{stars} sao", values)
        out.append(chart.render(is_unicode=True))
        chart = pygal.Bar(style=style, width=420, height=260, title="Số sao")
        for stars, values in BY_YEAR.items():
            chart.add(f"{stars} sao", [sum(values)])
        out.append(chart.render(is_unicode=True))
        for names, counts in ((GROUPS, GROUP_COUNTS), (PILOTS, PILOT_COUNTS)):
            chart = pygal.HorizontalBar(style=style, width=420, height=260)
            chart.x_labels = names
            chart.add("", counts)
            out.append(chart.render(is_unicode=True))
        return out

    return draw


def leather_charts() -> Callable[[], list[str]]:
    import leather  # type: ignore[import-not-found]  # optional here: only measured

    leather.theme.legend_font_family = leather.theme.tick_font_family = "Be Vietnam Pro"
    leather.theme.title_font_family = "Be Vietnam Pro"

    def draw() -> list[str]:
        out = []
        chart = leather.Chart("Sản phẩm mới theo năm")
        for stars, values in BY_YEAR.items():
            chart.add_line(list(zip(YEARS, values, strict=True)), name=f"{stars} sao")
        out.append(chart.to_svg(width=420, height=260))
        chart = leather.Chart("Số sao")
        chart.add_columns([(f"{s} sao", sum(v)) for s, v in BY_YEAR.items()])
        out.append(chart.to_svg(width=420, height=260))
        for names, counts in ((GROUPS, GROUP_COUNTS), (PILOTS, PILOT_COUNTS)):
            chart = leather.Chart()
            chart.add_bars(list(zip(counts, names, strict=True)))
            out.append(chart.to_svg(width=420, height=260))
        return out

    return draw


def _pdf(svgs: list[str]) -> bytes:
    from services.fairs.catalog.weasy import HTML

    fonts = _font_files()
    faces = "".join(
        f'@font-face {{ font-family: "Be Vietnam Pro"; font-weight: {w}; src: url("{p.as_uri()}"); }}'
        for w, p in ((400, fonts["regular"]), (700, fonts["bold"]))
    )
    figures = "".join(f'<div class="c">{svg[svg.find("<svg") :]}</div>' for svg in svgs)
    html = (
        f"<style>{faces} @page {{ size: A4; }} body {{ font-family: 'Be Vietnam Pro'; }}"
        f" .c svg {{ width: 90mm; height: 56mm; }}</style>{figures}"
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def _pdf_text_and_fonts(pdf: bytes) -> tuple[str, set[str]]:
    import pikepdf
    from pdfminer.high_level import extract_text

    with pikepdf.open(io.BytesIO(pdf)) as document:
        fonts = {
            str(o.get("/BaseFont"))
            for o in document.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"
        }
    return extract_text(io.BytesIO(pdf)), fonts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    candidates: dict[str, Callable[[], Callable[[], list[str]]]] = {
        "matplotlib (text as text)": lambda: matplotlib_charts("none"),
        "matplotlib (text as paths)": lambda: matplotlib_charts("path"),
        "pygal": pygal_charts,
        "leather": leather_charts,
    }
    print(f"{'library':28} {'draw ms':>8} {'SVG KB':>7} {'PDF KB':>7}  Vietnamese labels / font")
    for name, make in candidates.items():
        try:
            draw = make()
        except ImportError as error:
            print(f"{name:28} not installed ({error.name})")
            continue
        svgs = draw()
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            svgs = draw()
            times.append((time.perf_counter() - started) * 1000)
        svg_kb = sum(len(s.encode()) for s in svgs) / 1024
        pdf = _pdf(svgs)
        text, fonts = _pdf_text_and_fonts(pdf)
        # WeasyPrint places the words of SVG text one by one: the extracted text loses its spaces.
        text = "".join(unicodedata.normalize("NFC", text).split())
        if "path" in name:
            verdict = "drawn as paths in Be Vietnam Pro (not extractable)"
        else:
            missing = [label for label in LABELS if "".join(label.split()) not in text]
            verdict = "all labels extract as NFC" if not missing else f"missing {len(missing)}: {missing[:3]}"
        font = "Be Vietnam Pro" if any("BeVietnamPro" in f for f in fonts) else f"fonts {sorted(fonts)}"
        print(
            f"{name:28} {statistics.median(times):8.1f} {svg_kb:7.1f} {len(pdf) / 1024:7.1f}  {verdict}; {font}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
