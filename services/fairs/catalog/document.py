"""The catalog as HTML: the Jinja environment (autoescaped), the structures the directory and indexes
list, and one HTML document for the whole book or for a part of it."""

from __future__ import annotations

import base64
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import fontpkg_be_vietnam_pro
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.common.paths import TEMPLATES
from services.fairs.catalog import images, plan
from services.fairs.catalog.data import CatalogData, Exhibitor, ProductEntry, Session, SponsorInfo, Text
from services.fairs.catalog.fetcher import STATIC_DIR, CatalogFetcher, local_uri
from services.fairs.catalog.sorting import collation_key, initial
from services.fairs.catalog.wording import Edition
from services.labels import qr

__all__ = ["BASE_URL", "FRONT", "REFERRING", "Part", "build_html", "entry_runs", "qr_png_uri", "qr_svg"]

BASE_URL = STATIC_DIR.as_uri() + "/"  # relative URLs in the catalog resolve among its static files
INTRO, DIRECTORY, ENTRIES, BACK, FOLIO = "intro", "directory", "entries", "back", "folio"
INDEXES = ("index-province", "index-group", "index-stars")
REFERRING = (DIRECTORY, *INDEXES)  # the sections that print the entries' page numbers
FRONT = frozenset({INTRO, *REFERRING})  # cover to indexes
_COLOR = re.compile(r"^#[0-9a-fA-F]{3,8}$")
_STAR_PATH = "M12 1.5l3.1 6.6 7.2.9-5.3 5 1.4 7.1L12 17.6l-6.4 3.5 1.4-7.1-5.3-5 7.2-.9z"
SPONSOR_ORDER = ("diamond", "gold", "silver", "partner")
# The entries are cut into runs of about this many products, each starting a new page, in every edition:
# a large catalog renders each run as its own document, and the book reads the same either way.
ENTRY_RUN_PRODUCTS = 120


@dataclass(frozen=True, slots=True)
class Part:
    """Which sections one document holds. `exhibitors` is a slice [start, stop) of `data.exhibitors` for
    the entries; `first_page` the number its first page carries; `folio`: whether its pages carry their
    numbers and running heads (@page margin boxes) themselves. `page_numbers`: the page of each entry's
    anchor, for a directory or index rendered without the entries (None: target-counter()s of the
    anchors in the same document); `row_text` false leaves their rows empty (to count pages).
    `folio_titles` (the folio part only): the running head of each page (None for the cover) and whether
    the page is landscape."""

    sections: frozenset[str]
    exhibitors: tuple[int, int] = (0, 0)
    breaks: frozenset[int] = frozenset()  # exhibitors (indexes) whose entry starts a new page
    first_page: int = 1
    folio: bool = True
    page_numbers: dict[str, int] | None = None
    row_text: bool = True
    folio_titles: tuple[tuple[str | None, bool], ...] = ()  # (running head, landscape) of each page
    qr_inline_svg: bool = False  # the naive way, for the benchmark: far slower in WeasyPrint

    @classmethod
    def whole(cls, data: CatalogData) -> Part:
        runs = entry_runs(data.exhibitors)
        breaks = frozenset(start for start, _ in runs[1:])
        return cls(FRONT | {ENTRIES, BACK}, (0, len(data.exhibitors)), breaks)


def entry_runs(exhibitors: Sequence[Exhibitor]) -> list[tuple[int, int]]:
    """Consecutive exhibitor ranges [start, stop) of about ENTRY_RUN_PRODUCTS products each."""
    out: list[tuple[int, int]] = []
    start = weight = 0
    for index, exhibitor in enumerate(exhibitors):
        weight += max(1, len(exhibitor.products))
        if weight >= ENTRY_RUN_PRODUCTS:
            out.append((start, index + 1))
            start, weight = index + 1, 0
    if start < len(exhibitors):
        out.append((start, len(exhibitors)))
    return out


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "css"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["media_src"] = media_src
    env.filters["css_url"] = css_url
    env.filters["safe_color"] = lambda value: value if _COLOR.match(str(value)) else "#e8f1e4"
    env.globals["paragraphs"] = paragraphs
    return env


def media_src(url: str | None) -> str:
    """Where an image is read from (`fetcher.local_uri`: our /media/ and /static/ files)."""
    return local_uri(url)


def css_url(url: str) -> str:
    """A URL safe inside CSS `url('...')`: quotes, brackets, backslashes and white space escaped."""
    return re.sub(r"[\s'\"()\\]", lambda m: f"%{ord(m.group()):02X}", url)


def paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    return [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n|\n", text) if p.strip()]


@cache
def font_urls() -> dict[str, str]:
    files = fontpkg_be_vietnam_pro.ROOT / "files"
    return {
        "regular": (files / "BeVietnamPro-Regular.ttf").as_uri(),
        "italic": (files / "BeVietnamPro-Italic.ttf").as_uri(),
        "bold": (files / "BeVietnamPro-Bold.ttf").as_uri(),
    }


@cache
def star_images() -> dict[int, str]:
    """1 to 5 stars as small SVG images (Be Vietnam Pro has no ★ glyph); one URL per count, so that
    WeasyPrint decodes each once per document."""
    out = {}
    for count in range(1, 6):
        shapes = "".join(
            f'<path transform="translate({i * 24} 0)" d="{_STAR_PATH}" fill="#d49b00"/>' for i in range(count)
        )
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {count * 24} 24">{shapes}</svg>'
        out[count] = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return out


def qr_png_uri(link: str) -> str:
    """A QR code as a small 1-bit PNG data URI (4 px a module, printed ~0.5 mm a module): one image
    XObject in the PDF, against hundreds of vector rectangles for an inline SVG."""
    return "data:image/png;base64," + base64.b64encode(qr.png(qr.encode(link), module_px=4)).decode()


def qr_svg(link: str) -> str:
    return qr.svg(qr.encode(link)).split("\n", 1)[1]  # without the XML declaration, to inline in HTML


def svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# The table of contents: each section's anchor and its word (services.fairs.catalog.wording.WORDS).
CONTENTS = (
    ("s-foreword", "foreword"),
    ("s-programme", "programme"),
    ("s-practical", "practical"),
    ("s-floorplan", "floorplan"),
    ("s-plan-zones", "plan_zones"),
    ("s-directory", "directory"),
    ("s-index-province", "index_province"),
    ("s-index-group", "index_group"),
    ("s-index-stars", "index_stars"),
    ("s-entries", "exhibitors"),
    ("s-tourism", "tourism"),
    ("s-sponsors", "sponsors"),
)


def contents(data: CatalogData) -> list[tuple[str, str]]:
    """The sections this catalog has, in order: (anchor, word)."""
    absent = set()
    if not data.sessions:
        absent.add("s-programme")
    if not plan.zone_drawings_wanted(data):
        absent.add("s-plan-zones")
    if not data.offerings:
        absent.add("s-tourism")
    if not data.sponsors:
        absent.add("s-sponsors")
    return [(anchor, word) for anchor, word in CONTENTS if anchor not in absent]


def _group_directory(exhibitors: Sequence[Exhibitor], e: Edition) -> list[tuple[str, list[Exhibitor]]]:
    out: list[tuple[str, list[Exhibitor]]] = []
    for x in exhibitors:  # already in Vietnamese order of the edition's names
        letter = initial(e.main(x.name))
        if not out or out[-1][0] != letter:
            out.append((letter, []))
        out[-1][1].append(x)
    return out


def _by_province(exhibitors: Sequence[Exhibitor]) -> list[tuple[str, list[Exhibitor]]]:
    groups: dict[tuple[str, str], list[Exhibitor]] = defaultdict(list)
    for x in exhibitors:
        groups[(x.province_sort, x.province)].append(x)
    ordered = sorted(groups, key=lambda k: collation_key(k[0]))
    return [(k[1] or "—", groups[k]) for k in ordered]


@dataclass(frozen=True, slots=True)
class GroupHeading:
    code: str
    name: Text


def _by_group(exhibitors: Sequence[Exhibitor]) -> list[tuple[GroupHeading, list[Exhibitor]]]:
    groups: dict[tuple[str, str], list[Exhibitor]] = defaultdict(list)
    names: dict[tuple[str, str], Text] = {}
    for x in exhibitors:
        seen: set[tuple[str, str]] = set()
        for p in x.products:
            key = (p.group_code, p.group.vi)
            names[key] = p.group
            if key not in seen:
                seen.add(key)
                groups[key].append(x)
    ordered = sorted(groups, key=lambda k: (_code_key(k[0]), collation_key(k[1])))
    return [(GroupHeading(k[0], names[k]), groups[k]) for k in ordered]


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


def _by_stars(
    exhibitors: Sequence[Exhibitor], e: Edition
) -> list[tuple[int, list[tuple[ProductEntry, Exhibitor]]]]:
    rated: dict[int, list[tuple[ProductEntry, Exhibitor]]] = defaultdict(list)
    for x in exhibitors:
        for p in x.products:
            if p.stars:
                rated[p.stars].append((p, x))
    return [
        (count, sorted(rated[count], key=lambda px: collation_key(e.main(px[0].name))))
        for count in sorted(rated, reverse=True)
    ]


def _sessions_by_day(sessions: Iterable[Session]) -> list[tuple[object, list[Session]]]:
    days: dict[object, list[Session]] = defaultdict(list)
    for s in sessions:
        days[s.day].append(s)
    return sorted(days.items(), key=lambda item: str(item[0]))


def _sponsors_by_level(sponsors: Iterable[SponsorInfo]) -> list[tuple[str, list[SponsorInfo]]]:
    levels: dict[str, list[SponsorInfo]] = defaultdict(list)
    for s in sponsors:
        levels[s.level].append(s)
    rank = {level: i for i, level in enumerate(SPONSOR_ORDER)}
    return sorted(levels.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def build_html(data: CatalogData, part: Part, fetcher: CatalogFetcher | None = None) -> str:
    """The HTML of `part` of the catalog of `data`; pictures are read through `fetcher`."""
    e = Edition(data.language)
    fetcher = fetcher if fetcher is not None else CatalogFetcher()
    start, stop = part.exhibitors
    exhibitors = data.exhibitors[start:stop] if ENTRIES in part.sections else ()
    qr_images: dict[int, str] = {}
    pictures: dict[int, str] = {}  # product id -> its photo, or its initials tile
    tiles: dict[int, str] = {}  # exhibitor id -> its producer's logo, or its initials tile
    if ENTRIES in part.sections:
        for x in exhibitors:
            first_group = x.products[0].group_code.split(".")[0] if x.products else ""
            logo = images.print_tile_logo(media_src(x.logo_url), fetcher) if x.logo_url else None
            tiles[x.id] = logo or images.initials_tile(images.initials(e.main(x.name)), first_group)
            for p in x.products:
                qr_images[p.id] = qr_svg(p.link) if part.qr_inline_svg else qr_png_uri(p.link)
                photo = images.print_image(media_src(p.image_url), fetcher) if p.image_url else None
                pictures[p.id] = photo or images.initials_tile(
                    images.initials(e.main(p.name)), p.group_code.split(".")[0]
                )
    offering_qr: list[str] = []
    offering_photos: list[str] = []
    sponsor_logos: dict[str, str] = {}
    if BACK in part.sections:
        offering_qr = [qr_png_uri(o.link) if o.link else "" for o in data.offerings]
        offering_photos = [
            (images.print_image(media_src(o.image_url), fetcher) or "") if o.image_url else ""
            for o in data.offerings
        ]
        for s in data.sponsors:
            logo = images.print_image(media_src(s.logo_url), fetcher, square=False) if s.logo_url else None
            if logo:
                sponsor_logos[s.name] = logo
    context: dict[str, object] = {
        "data": data,
        "e": e,
        "parts": part.sections,
        "first_page": part.first_page,
        "folio": part.folio,
        "folio_titles": part.folio_titles,
        "page_numbers": part.page_numbers,
        "row_text": part.row_text,
        "fonts": font_urls(),
        "star_images": star_images(),
        "exhibitors": exhibitors,
        "first_chunk": start == 0,
        "first_index": start,
        "breaks": part.breaks,
        "qr_images": qr_images,
        "qr_inline": part.qr_inline_svg,
        "offering_qr": offering_qr,
        "offering_photos": offering_photos,
        "sponsor_logos": sponsor_logos,
        "pictures": pictures,
        "tiles": tiles,
        "contents": contents(data),
    }
    sections = part.sections
    if INTRO in sections:
        legend_mm = plan.legend_height_mm(data)
        overview = plan.overview(data, legend_mm)
        context["plan_overview"] = (svg_uri(overview.svg), overview)
        context["plan_zones"] = [(svg_uri(d.svg), d) for d in plan.zone_drawings(data)]
        context["booth_types"] = plan.booth_types(data)
        context["sessions_by_day"] = _sessions_by_day(data.sessions)
    if DIRECTORY in sections:
        context["directory"] = _group_directory(data.exhibitors, e)
    if "index-province" in sections:
        context["by_province"] = _by_province(data.exhibitors)
    if "index-group" in sections:
        context["by_group"] = _by_group(data.exhibitors)
    if "index-stars" in sections:
        context["by_stars"] = _by_stars(data.exhibitors, e)
    if BACK in part.sections:
        context["sponsors_by_level"] = _sponsors_by_level(data.sponsors)
    return environment().get_template("catalog/catalog.html").render(context)
