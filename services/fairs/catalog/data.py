"""The snapshot a fair catalog is printed from: everything it shows, read in a fixed number of queries
(whatever the number of exhibitors) and held in frozen dataclasses of plain values, so that it can be
pickled to the process that renders it.

What is shown follows the public rules: only approved exhibitors, only their published products that
they listed on their application, only public contacts (the producer's website: phone, e-mail and
representative are private, see `services.policy.registry.sees_private_contacts`), and stars only when the
product's certificate is valid on the fair's first day (`services.stars.is_valid_on`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

from models import (
    AdminUnit,
    ApplicationProduct,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    Evaluation,
    ExhibitorApplication,
    Fair,
    ProductGroup,
    ProductImage,
    ProgrammeSession,
    Sponsor,
    TourismOffering,
    UnitLevel,
    Zone,
)
from services.common import clock
from services.common.text import nfc, nfc_or_none
from services.fairs.catalog.sorting import collation_key, sort_vietnamese
from services.registry import admin_units, stars
from services.trace.identity import product_code

__all__ = [
    "LANGUAGES",
    "PAPERS",
    "BoothInfo",
    "CatalogData",
    "CatalogError",
    "Exhibitor",
    "FairInfo",
    "FloorInfo",
    "Offering",
    "Organiser",
    "ProductEntry",
    "Session",
    "SponsorInfo",
    "Text",
    "ZoneInfo",
    "load_catalog",
]

type Language = Literal["vi", "en", "bilingual"]
type Paper = Literal["A4", "A5"]
LANGUAGES: tuple[Language, ...] = ("vi", "en", "bilingual")
PAPERS: tuple[Paper, ...] = ("A4", "A5")

# Division types written before a unit's name ("Tỉnh Bến Tre"): indexes sort by the name that follows.
_DIVISION_PREFIXES = ("Thành phố ", "Tỉnh ", "Huyện ", "Quận ", "Thị xã ", "Thị trấn ", "Phường ", "Xã ")


class CatalogError(ValueError):
    """A catalog that cannot be made: unknown fair, language or paper size."""


@dataclass(frozen=True, slots=True)
class Text:
    """A text users read: Vietnamese, and English where there is one."""

    vi: str
    en: str | None = None

    @classmethod
    def of(cls, vi: str | None, en: str | None = None) -> Text | None:
        vi_text = nfc_or_none(vi)
        en_text = nfc_or_none(en)
        if vi_text is None and en_text is None:
            return None
        return cls(vi_text or cast(str, en_text), en_text)


@dataclass(frozen=True, slots=True)
class Organiser:
    name: Text
    role: Text | None = None


@dataclass(frozen=True, slots=True)
class FairInfo:
    id: int
    slug: str
    name: Text
    theme: Text | None
    starts_on: dt.date
    ends_on: dt.date
    opening_hours: str | None
    venue: str
    address: str | None
    province: str | None
    organisers: tuple[Organiser, ...]
    foreword: Text | None
    practical_info: Text | None

    @property
    def place(self) -> tuple[str, ...]:
        """Venue, address and province, each once: the province is left out when the address names it
        ("…, tỉnh Bến Tre" is not followed by "Tỉnh Bến Tre")."""
        lines = [self.venue, *([self.address] if self.address else [])]
        said = ", ".join(lines).casefold()
        if self.province and self.province.casefold() not in said:
            lines.append(self.province)
        return tuple(lines)


@dataclass(frozen=True, slots=True)
class Session:
    kind: str  # models.SessionKind value
    title: Text
    day: dt.date  # local (Viet Nam) date and times
    starts: str  # "08:00"
    ends: str
    place: str | None
    speakers: tuple[str, ...]
    description: Text | None


@dataclass(frozen=True, slots=True)
class ZoneInfo:
    code: str
    name: Text
    color: str
    product_groups: tuple[str, ...]
    x_m: float = 0.0  # where it lies on the floor
    y_m: float = 0.0
    width_m: float = 0.0
    depth_m: float = 0.0


@dataclass(frozen=True, slots=True)
class BoothInfo:
    code: str
    zone: str  # the zone's code
    booth_type: str  # models.BoothType value
    x_m: float
    y_m: float
    width_m: float
    depth_m: float
    exhibitor: str | None  # the name the edition shows, when an approved exhibitor holds it


@dataclass(frozen=True, slots=True)
class FloorInfo:
    width_m: float
    depth_m: float
    booths: tuple[BoothInfo, ...]


@dataclass(frozen=True, slots=True)
class ProductEntry:
    id: int
    anchor: str  # HTML id of the entry, target of the indexes
    code: str  # services.trace.identity.product_code
    name: Text
    group_code: str
    group: Text
    stars: int | None  # only while the certificate is valid on the fair's first day
    certificate_number: str | None
    certificate_valid_until: dt.date | None
    description: Text | None
    image_url: str | None
    link: str  # the product page, printed as a QR code


@dataclass(frozen=True, slots=True)
class Exhibitor:
    id: int  # the application
    anchor: str
    name: Text
    kind: str  # models.ProducerKind value
    address: str
    province: str  # "Tỉnh Bến Tre"
    province_sort: str  # "Bến Tre"
    website: str | None
    logo_url: str | None  # the producer's logo, as stored (services.fairs.catalog.images prints it)
    booths: tuple[str, ...]
    description: Text | None
    products: tuple[ProductEntry, ...]


@dataclass(frozen=True, slots=True)
class Offering:
    kind: str  # models.OfferingKind value
    name: Text
    place: str | None
    address: str | None
    description: Text | None
    contact: str | None
    image_url: str | None
    link: str | None  # its OCOP product page, where there is one


@dataclass(frozen=True, slots=True)
class SponsorInfo:
    name: str
    level: str
    logo_url: str | None
    website: str | None


@dataclass(frozen=True, slots=True)
class CatalogData:
    language: Language
    paper: Paper
    base_url: str
    edition_date: dt.date
    fair: FairInfo
    sessions: tuple[Session, ...]
    zones: tuple[ZoneInfo, ...]
    floor: FloorInfo  # drawn by services.fairs.catalog.plan, with the exhibitors' names
    exhibitors: tuple[Exhibitor, ...]  # in Vietnamese alphabetical order
    offerings: tuple[Offering, ...]
    sponsors: tuple[SponsorInfo, ...]

    @property
    def product_count(self) -> int:
        return sum(len(e.products) for e in self.exhibitors)


def floor_info(
    width_m: float, depth_m: float, zones: Sequence[Zone], booths: Sequence[Booth], names: Mapping[int, str]
) -> FloorInfo:
    """The floor's geometry; `names` maps booth ids to the names of the exhibitors holding them."""
    zone_code = {z.id: z.code for z in zones}
    return FloorInfo(
        width_m=width_m,
        depth_m=depth_m,
        booths=tuple(
            BoothInfo(
                code=b.code,
                zone=zone_code.get(b.zone_id, ""),
                booth_type=str(b.booth_type),
                x_m=b.x_m,
                y_m=b.y_m,
                width_m=b.width_m,
                depth_m=b.depth_m,
                exhibitor=nfc_or_none(names.get(b.id)),
            )
            for b in booths
        ),
    )


def bare_unit_name(name: str) -> str:
    """'Tỉnh Bến Tre' -> 'Bến Tre': the name indexes sort and print under."""
    for prefix in _DIVISION_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


async def _units_with_ancestors(ids: set[int]) -> dict[int, AdminUnit]:
    """The units and their parents up to the province: one query per level at most (cached)."""
    found: dict[int, AdminUnit] = {}
    wanted = {i for i in ids if i}
    for _ in range(3):  # commune -> district -> province
        if not wanted:
            break
        units = await admin_units.get_many(wanted)
        found.update(units)
        wanted = {
            parent for u in units.values() if (parent := u.parent_id) is not None and parent not in found
        }
    return found


def _place(unit_id: int | None, units: dict[int, AdminUnit]) -> str | None:
    names = []
    while unit_id is not None and unit_id in units:
        unit = units[unit_id]
        names.append(unit.name)
        unit_id = unit.parent_id
    return ", ".join(names) or None


def _province_of(unit_id: int | None, units: dict[int, AdminUnit]) -> AdminUnit | None:
    while unit_id is not None and unit_id in units:
        unit = units[unit_id]
        if unit.level == UnitLevel.PROVINCE:
            return unit
        unit_id = unit.parent_id
    return None


def _organisers(raw: object) -> tuple[Organiser, ...]:
    out = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            name = Text.of(item)
            role = None
        elif isinstance(item, dict):
            name = Text.of(str(item.get("name") or ""), item.get("name_en"))
            role = Text.of(item.get("role"), item.get("role_en"))
        else:
            continue
        if name is not None:
            out.append(Organiser(name, role))
    return tuple(out)


def _session(s: ProgrammeSession) -> Session:
    start = s.starts_at.astimezone(clock.VIETNAM) if s.starts_at.tzinfo else s.starts_at
    end = s.ends_at.astimezone(clock.VIETNAM) if s.ends_at.tzinfo else s.ends_at
    return Session(
        kind=str(s.kind),
        title=Text.of(s.title, s.title_en) or Text("—"),
        day=start.date(),
        starts=start.strftime("%H:%M"),
        ends=end.strftime("%H:%M"),
        place=nfc_or_none(s.place),
        speakers=tuple(nfc(x) for x in s.speakers or [] if isinstance(x, str) and x.strip()),
        description=Text.of(s.description, s.description_en),
    )


def _check(language: str, paper: str) -> tuple[Language, Paper]:
    if language not in LANGUAGES:
        raise CatalogError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    if paper not in PAPERS:
        raise CatalogError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    return language, paper


async def load_catalog(
    fair_id: int, language: str, paper: str, base_url: str, today: dt.date | None = None
) -> CatalogData:
    """The snapshot of fair `fair_id` for a catalog in `language` ("vi", "en" or "bilingual") on `paper`
    ("A4" or "A5"), with product links on `base_url`. `today` is the edition date printed in the colophon.
    Twelve queries or fewer (and the administrative units, cached), whatever the number of exhibitors."""
    lang, size = _check(language, paper)
    fair = await Fair.get_or_none(id=fair_id)
    if fair is None:
        raise CatalogError(f"no fair {fair_id}")
    base = base_url.rstrip("/")

    def shown(text: Text) -> str:  # the name a reader of this edition looks up
        return (text.en or text.vi) if lang == "en" else text.vi

    first_day = fair.starts_on

    sessions = await ProgrammeSession.filter(fair_id=fair_id).order_by("starts_at", "id")
    zones = await Zone.filter(fair_id=fair_id).order_by("code")
    booths = await Booth.filter(fair_id=fair_id).order_by("code")
    applications = (
        await ExhibitorApplication.filter(fair_id=fair_id, status=ApplicationStatus.APPROVED)
        .select_related("producer")
        .order_by("id")
    )
    application_ids = [a.id for a in applications]
    approved = set(application_ids)
    assignments = await BoothAssignment.filter(fair_id=fair_id)
    listed = (
        await ApplicationProduct.filter(
            application__fair_id=fair_id,
            application__status=ApplicationStatus.APPROVED,
            product__is_published=True,
        )
        .select_related("product")
        .order_by("id")
    )
    products = {ap.product.id: ap.product for ap in listed}
    group_ids = {p.group_id for p in products.values()}
    groups = {g.id: g for g in await ProductGroup.filter(id__in=sorted(group_ids))} if group_ids else {}
    certificate_ids = sorted({cid for p in products.values() if (cid := p.latest_certificate_id) is not None})
    # Keyed by `int | None` so that a product without a certificate looks up None and finds nothing.
    certificates: dict[int | None, Evaluation] = (
        {e.id: e for e in await Evaluation.filter(id__in=certificate_ids)} if certificate_ids else {}
    )
    images: dict[int, str] = {}
    if products:
        for image in await ProductImage.filter(product_id__in=sorted(products)).order_by("-position", "-id"):
            images[image.product_id] = image.url  # lowest position wins
    offerings = await TourismOffering.filter(fair_id=fair_id).select_related("product").order_by("id")
    sponsors = await Sponsor.filter(fair_id=fair_id).order_by("id")

    unit_ids = {a.producer.commune_id for a in applications}
    unit_ids |= {a.producer.province_id for a in applications}
    unit_ids |= {o.commune_id for o in offerings if o.commune_id}
    if fair.province_id:
        unit_ids.add(fair.province_id)
    units = await _units_with_ancestors(unit_ids)

    booths_of: dict[int, list[str]] = defaultdict(list)
    booth_code = {b.id: b.code for b in booths}
    for assignment in assignments:
        if assignment.application_id not in approved:
            continue
        booths_of[assignment.application_id].append(booth_code[assignment.booth_id])
    products_of: dict[int, list[ProductEntry]] = defaultdict(list)
    for ap in listed:
        product = ap.product
        group = groups[product.group_id]
        certificate = certificates.get(product.latest_certificate_id)
        valid = certificate is not None and stars.is_valid_on(certificate, first_day)
        code = product_code(product.id)
        products_of[ap.application_id].append(
            ProductEntry(
                id=product.id,
                anchor=f"p-{product.id}",
                code=code,
                name=Text.of(product.name, product.name_en) or Text(code),
                group_code=group.code,
                group=Text(nfc(group.name), nfc_or_none(group.name_en)),
                stars=int(certificate.stars) if valid and certificate else None,
                certificate_number=certificate.decision_number if valid and certificate else None,
                certificate_valid_until=certificate.valid_until if valid and certificate else None,
                description=Text.of(product.description, product.description_en),
                image_url=images.get(product.id),
                link=f"{base}/products/{code}",
            )
        )

    exhibitors = []
    for application in applications:
        producer = application.producer
        province = _province_of(producer.commune_id, units) or units.get(producer.province_id)
        place = _place(producer.commune_id, units)
        address = ", ".join(p for p in (nfc_or_none(producer.address_line), place) if p)
        description = Text.of(application.description, application.description_en) or Text.of(
            producer.description, producer.description_en
        )
        province_name = province.name if province else ""
        exhibitors.append(
            Exhibitor(
                id=application.id,
                anchor=f"e-{application.id}",
                name=Text.of(producer.name, producer.name_en) or Text(str(producer.id)),
                kind=str(producer.kind),
                address=address,
                province=province_name,
                province_sort=bare_unit_name(province_name),
                website=nfc_or_none(producer.website),
                logo_url=producer.logo_url,
                booths=tuple(sorted(booths_of[application.id], key=collation_key)),
                description=description,
                products=tuple(sort_vietnamese(products_of[application.id], key=lambda p: shown(p.name))),
            )
        )

    names = {x.id: shown(x.name) for x in exhibitors}
    province_unit = units.get(fair.province_id) if fair.province_id else None
    zone_infos = tuple(
        ZoneInfo(
            code=z.code,
            name=Text.of(z.name, z.name_en) or Text(z.code),
            color=z.color,
            product_groups=tuple(str(g) for g in z.product_groups or []),
            x_m=z.x_m,
            y_m=z.y_m,
            width_m=z.width_m,
            depth_m=z.depth_m,
        )
        for z in zones
    )
    booth_names = {  # the floor plan names the catalog's exhibitors on their booths
        a.booth_id: names[a.application_id] for a in assignments if a.application_id in names
    }
    return CatalogData(
        language=lang,
        paper=size,
        base_url=base,
        edition_date=today or clock.today(),
        fair=FairInfo(
            id=fair.id,
            slug=fair.slug,
            name=Text.of(fair.name, fair.name_en) or Text(fair.slug),
            theme=Text.of(fair.theme, fair.theme_en),
            starts_on=fair.starts_on,
            ends_on=fair.ends_on,
            opening_hours=nfc_or_none(fair.opening_hours),
            venue=nfc(fair.venue),
            address=nfc_or_none(fair.address),
            province=province_unit.name if province_unit else None,
            organisers=_organisers(fair.organisers),
            foreword=Text.of(fair.foreword, fair.foreword_en),
            practical_info=Text.of(fair.practical_info, fair.practical_info_en),
        ),
        sessions=tuple(_session(s) for s in sessions),
        zones=zone_infos,
        floor=floor_info(fair.floor_width_m, fair.floor_depth_m, zones, booths, booth_names),
        exhibitors=tuple(sort_vietnamese(exhibitors, key=lambda e: shown(e.name))),
        offerings=tuple(
            Offering(
                kind=str(o.kind),
                name=Text.of(o.name, o.name_en) or Text("—"),
                place=_place(o.commune_id, units),
                address=nfc_or_none(o.address),
                description=Text.of(o.description, o.description_en),
                contact=nfc_or_none(o.contact),
                image_url=nfc_or_none(o.image_url),
                link=f"{base}/products/{product_code(o.product.id)}"
                if o.product is not None and o.product.is_published
                else None,
            )
            for o in offerings
        ),
        sponsors=tuple(
            SponsorInfo(
                name=nfc(s.name),
                level=s.level,
                logo_url=nfc_or_none(s.logo_url),
                website=nfc_or_none(s.website),
            )
            for s in sponsors
        ),
    )
