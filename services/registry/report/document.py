"""The programme report as HTML (templates/report/): a cover, the contents, then one section per figure,
each a chart (services/registry/report/charts.py, inline SVG) with its table beside it, and the
certificates about to expire. In Vietnamese, English or both (`bilingual`: Vietnamese first).

Everything shown comes from `Figures` (services/registry/report/figures.py), the same object GraphQL's
`programmeFigures` is made of. Text is NFC before WeasyPrint sees it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import fontpkg_be_vietnam_pro
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.common import paths
from services.common.text import nfc
from services.registry.report import charts
from services.registry.report.figures import Figures, ReportData

LANGUAGES = ("vi", "en", "bilingual")
MAX_EXPIRING_ROWS = 300  # the rest is counted, not listed (GraphQL pages through all of them)

WORDS: dict[str, tuple[str, str]] = {
    "title": ("Báo cáo Chương trình OCOP", "OCOP programme report"),
    "period": ("Kỳ báo cáo", "Period"),
    "generated": ("Lập ngày", "Generated on"),
    "as_of": ("Số sản phẩm tính đến ngày", "Products counted on"),
    "contents": ("Mục lục", "Contents"),
    "summary": ("Tóm tắt", "Summary"),
    "targets": ("Tiến độ so với mục tiêu", "Progress against targets"),
    "stars": ("sao", "stars"),
    "stars_col": ("Sao", "Stars"),
    "by_stars": ("Sản phẩm theo số sao", "Products by stars"),
    "by_group": ("Sản phẩm theo nhóm", "Products by group"),
    "by_year": ("Chứng nhận mới và hết hạn theo năm", "New and expired certificates by year"),
    "pilots": ("So sánh các tỉnh chỉ đạo điểm 2019", "The 2019 pilot provinces compared"),
    "provinces": ("Theo tỉnh, thành phố", "By province"),
    "expiring": ("Chứng nhận sắp hết hạn", "Certificates about to expire"),
    "products": ("Sản phẩm còn hiệu lực", "Products with a valid certificate"),
    "new": ("Chứng nhận mới", "New certificates"),
    "expired": ("Hết hạn", "Expired"),
    "year": ("Năm", "Year"),
    "group": ("Nhóm", "Group"),
    "count": ("Số sản phẩm", "Products"),
    "province": ("Tỉnh", "Province"),
    "five_stars": ("5 sao", "5 stars"),
    "programme": ("Chương trình", "Programme"),
    "metric": ("Chỉ tiêu", "Target"),
    "target": ("Mục tiêu", "Target"),
    "actual": ("Đạt", "Actual"),
    "ratio": ("Tỷ lệ", "Achieved"),
    "product": ("Sản phẩm", "Product"),
    "producer": ("Chủ thể", "Producer"),
    "valid_until": ("Hiệu lực đến", "Valid until"),
    "days_left": ("Còn (ngày)", "Days left"),
    "none": ("Không có số liệu trong kỳ.", "No figures in this period."),
    "no_targets": (
        "Không có mục tiêu nào trùng kỳ và phạm vi này.",
        "No target overlaps this period and scope.",
    ),
    "no_pilots": ("Phạm vi này không có tỉnh chỉ đạo điểm.", "This scope holds no pilot province."),
    "no_expiring": ("Không có chứng nhận nào sắp hết hạn.", "No certificate is about to expire."),
    "more_expiring": (
        "và {n} chứng nhận khác (xem expiringCertificates).",
        "and {n} more (see expiringCertificates).",
    ),
    "within": ("trong {n} ngày tới", "within the next {n} days"),
    "page": ("Trang", "Page"),
    "definitions": (
        "Sản phẩm còn hiệu lực: chứng nhận mới nhất của sản phẩm còn hiệu lực vào ngày tính. Chứng nhận mới: "
        "quyết định trong kỳ. Hết hạn: hết hiệu lực trong kỳ, trước hôm nay (không tính chứng nhận bị thu hồi).",
        "Products with a valid certificate: the product's latest certificate is valid on the counting day. New "
        "certificates: decided within the period. Expired: validity ended within the period, before today "
        "(revoked certificates are not counted).",
    ),
}

METRICS: dict[str, tuple[str, str]] = {
    "provincial_level_products": ("Sản phẩm 3-4 sao", "3-4 star products"),
    "national_level_products": ("Sản phẩm 5 sao", "5 star products"),
    "model_examples": ("Mô hình tiêu biểu", "Model examples"),
    "participants_trained_share": ("% chủ thể được tập huấn", "% participants trained"),
    "provinces_with_plan_share": ("% tỉnh có đề án", "% provinces with a plan"),
}


class Wording:
    def __init__(self, language: str) -> None:
        self.language = language

    def pick(self, pair: tuple[str, str]) -> str:
        vi, en = pair
        if self.language == "en":
            return en
        if self.language == "bilingual":
            return f"{vi} / {en}"
        return vi

    def word(self, key: str, **values: object) -> str:
        return self.pick(WORDS[key]).format(**values)

    def chart_word(self, key: str) -> str:
        """Charts are small: one language (Vietnamese when bilingual)."""
        vi, en = WORDS[key]
        return en if self.language == "en" else vi

    def chart_metric(self, metric: str) -> str:
        vi, en = METRICS.get(metric, (metric, metric))
        return en if self.language == "en" else vi

    def metric(self, metric: str) -> str:
        return self.pick(METRICS.get(metric, (metric, metric)))

    def name(self, vi: str, en: str) -> str:
        if self.language == "en":
            return en or vi
        if self.language == "bilingual" and en and en != vi:
            return f"{vi} / {en}"
        return vi

    def date(self, day: dt.date) -> str:
        return day.isoformat() if self.language == "en" else day.strftime("%d/%m/%Y")

    def number(self, value: str | int | Decimal | None) -> str:
        if value is None:
            return "—"
        return format(Decimal(str(value)).normalize(), "f")

    def percent(self, ratio: str | None) -> str:
        if ratio is None:
            return "—"
        return f"{(Decimal(ratio) * 100).quantize(Decimal('0.1'))} %"


def font_urls() -> dict[str, str]:
    files = fontpkg_be_vietnam_pro.ROOT / "files"
    return {
        "regular": (files / "BeVietnamPro-Regular.ttf").as_uri(),
        "italic": (files / "BeVietnamPro-Italic.ttf").as_uri(),
        "bold": (files / "BeVietnamPro-Bold.ttf").as_uri(),
    }


def short_unit(name: str) -> str:
    """A province's name without its division type, as tables and charts print it: "Bến Tre"."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(paths.TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "css"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short_unit"] = short_unit
    return env


def _charts(f: Figures, w: Wording) -> dict[str, str]:
    stars = w.chart_word("stars")
    drawn = {
        "by_year": charts.years_chart(
            [y.year for y in f.by_year],
            [y.new_by_stars for y in f.by_year],
            [y.expired for y in f.by_year],
            {"stars": stars, "expired": w.chart_word("expired")},
        ),
        "by_stars": charts.bars(
            [f"{s.key} {stars}" for s in f.by_stars], [s.count for s in f.by_stars], charts.STAR_COLOURS
        ),
    }
    if f.by_group:
        drawn["by_group"] = charts.horizontal_bars(
            [s.name_en if w.language == "en" else s.name for s in f.by_group],
            [(w.chart_word("count"), [s.count for s in f.by_group], charts.GREEN)],
        )
    if f.pilots:
        drawn["pilots"] = charts.horizontal_bars(
            [short_unit(p.name) for p in f.pilots],
            [
                (w.chart_word("products"), [p.products for p in f.pilots], charts.GREEN),
                (w.chart_word("new"), [p.new_certificates for p in f.pilots], charts.LIGHT),
            ],
        )
    if f.targets:
        drawn["targets"] = charts.horizontal_bars(
            [f"{w.chart_metric(t.metric)} ({t.period_end.year})" for t in f.targets],
            [("", [float(t.ratio or 0) * 100 for t in f.targets], charts.GREEN)],
            reference=100.0,
            percent=True,
        )
    return drawn


def build_html(data: ReportData) -> str:
    f = data.figures
    w = Wording(data.language)
    template = environment().get_template("report/report.html")
    sections = [
        ("s-targets", "targets"),
        ("s-stars", "by_stars"),
        ("s-groups", "by_group"),
        ("s-years", "by_year"),
        ("s-pilots", "pilots"),
        ("s-provinces", "provinces"),
        ("s-expiring", "expiring"),
    ]
    html = template.render(
        f=f,
        w=w,
        data=data,
        charts=_charts(f, w),
        sections=sections,
        fonts=font_urls(),
        html_lang="en" if data.language == "en" else "vi",
        expiring=f.expiring[:MAX_EXPIRING_ROWS],
        more_expiring=max(0, len(f.expiring) - MAX_EXPIRING_ROWS),
    )
    return nfc(html)
