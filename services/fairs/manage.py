"""Fairs and what their catalog lists besides exhibitors: creating a fair, moving it through its statuses,
its programme sessions, tourism offerings and sponsors."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Booth,
    ExhibitorApplication,
    Fair,
    FairKind,
    FairStatus,
    OfferingKind,
    Product,
    ProgrammeSession,
    SessionKind,
    Sponsor,
    TourismOffering,
    UnitEra,
)
from services.common import clock
from services.common.errors import Problems
from services.common.text import nfc_or_none
from services.fairs.common import deny, error, managed_fair, require_authenticated, require_not_closed
from services.fairs.errors import FairErrorCode
from services.policy import Reach
from services.policy import fairs as fair_policy
from services.registry.manage import find_commune, find_province

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_FLOOR_M = 2000.0
SPONSOR_LEVELS = ("diamond", "gold", "silver", "partner")
TOURISM_GROUP = "6"

# Where a fair may go from each status. Going back to DRAFT hides the fair again: only while nobody applied.
TRANSITIONS: dict[FairStatus, frozenset[FairStatus]] = {
    FairStatus.DRAFT: frozenset({FairStatus.ACCEPTING, FairStatus.PUBLISHED}),
    FairStatus.ACCEPTING: frozenset({FairStatus.DRAFT, FairStatus.PUBLISHED, FairStatus.CLOSED}),
    FairStatus.PUBLISHED: frozenset({FairStatus.CLOSED}),
    FairStatus.CLOSED: frozenset(),
}


def text(
    problems: Problems, name: str, value: str | None, max_length: int, *, required: bool = False
) -> str | None:
    """NFC text, checked for presence and length."""
    cleaned = nfc_or_none(value)
    if cleaned is None:
        if required:
            problems.add(name, FairErrorCode.REQUIRED, "Bắt buộc.", "Required.")
        return None
    if len(cleaned) > max_length:
        problems.add(
            name, FairErrorCode.TOO_LONG, f"Tối đa {max_length} ký tự.", f"At most {max_length} characters."
        )
    return cleaned


def web_url(problems: Problems, name: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 500 or not url.isascii():
        problems.add(
            name,
            FairErrorCode.INVALID,
            "Cần một địa chỉ http(s) (ký tự có dấu phải được mã hoá %).",
            "An http(s) URL is required (non-ASCII characters percent-encoded).",
        )
    return url


# -- fairs -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class OrganiserData:
    """An organising body: the host (đơn vị chủ trì), a co-organiser, an implementing agency."""

    name: str
    role: str | None = None  # e.g. "Đơn vị chủ trì", "Đơn vị thực hiện"
    website: str | None = None


@dataclass(slots=True)
class FairData:
    slug: str
    name: str
    kind: FairKind
    venue: str
    starts_on: dt.date
    ends_on: dt.date
    name_en: str | None = None
    theme: str | None = None
    theme_en: str | None = None
    regions: list[str] = field(default_factory=list)
    address: str | None = None
    province_code: str | None = None
    province_era: UnitEra | None = None  # None: the current province, else the legacy one of that code
    opening_hours: str | None = None
    organisers: list[OrganiserData] = field(default_factory=list)
    foreword: str | None = None
    foreword_en: str | None = None
    practical_info: str | None = None
    practical_info_en: str | None = None
    floor_width_m: float = 100.0
    floor_depth_m: float = 60.0


async def create_fair(data: FairData, reach: Reach) -> Fair:
    """A new fair, in DRAFT. Central admins create any fair; an organiser the fair its membership names."""
    require_authenticated(reach)
    slug = data.slug.strip().lower()
    if not fair_policy.may_create_fair(reach, slug):
        raise deny(reach, "slug")
    problems = Problems()
    if not SLUG.match(slug) or len(slug) > 100:
        problems.add(
            "slug",
            FairErrorCode.INVALID,
            "Mã hội chợ gồm chữ thường không dấu, số và dấu gạch nối (vd. hoi-cho-ocop-2019).",
            "A slug has lower-case ASCII letters, digits and hyphens (e.g. hoi-cho-ocop-2019).",
        )
    elif await Fair.exists(slug=slug):
        problems.add("slug", FairErrorCode.UNIQUE, "Mã hội chợ đã được dùng.", "This slug is taken.")
    values: dict[str, Any] = {
        "slug": slug,
        "kind": data.kind,
        "name": text(problems, "name", data.name, 255, required=True),
        "name_en": text(problems, "nameEn", data.name_en, 255),
        "theme": text(problems, "theme", data.theme, 255),
        "theme_en": text(problems, "themeEn", data.theme_en, 255),
        "venue": text(problems, "venue", data.venue, 255, required=True),
        "address": text(problems, "address", data.address, 255),
        "opening_hours": text(problems, "openingHours", data.opening_hours, 100),
        "foreword": text(problems, "foreword", data.foreword, 20_000),
        "foreword_en": text(problems, "forewordEn", data.foreword_en, 20_000),
        "practical_info": text(problems, "practicalInfo", data.practical_info, 20_000),
        "practical_info_en": text(problems, "practicalInfoEn", data.practical_info_en, 20_000),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
    }
    if data.ends_on < data.starts_on:
        problems.add(
            "endsOn",
            FairErrorCode.INVALID_DATE_RANGE,
            "Ngày kết thúc trước ngày khai mạc.",
            "Ends before it starts.",
        )
    elif (data.ends_on - data.starts_on).days > 60:
        problems.add("endsOn", FairErrorCode.OUT_OF_RANGE, "Tối đa 60 ngày.", "At most 60 days long.")
    regions = []
    for index, region in enumerate(data.regions):
        cleaned = text(problems, f"regions.{index}", region, 100, required=True)
        if cleaned and cleaned not in regions:
            regions.append(cleaned)
    values["regions"] = regions
    organisers = []
    for index, organiser in enumerate(data.organisers):
        entry = {"name": text(problems, f"organisers.{index}.name", organiser.name, 255, required=True)}
        if role := text(problems, f"organisers.{index}.role", organiser.role, 100):
            entry["role"] = role
        if website := web_url(problems, f"organisers.{index}.website", organiser.website):
            entry["website"] = website
        organisers.append(entry)
    values["organisers"] = organisers
    for name, size in (("floorWidthM", data.floor_width_m), ("floorDepthM", data.floor_depth_m)):
        if not 0 < size <= MAX_FLOOR_M:
            problems.add(
                name, FairErrorCode.OUT_OF_RANGE, f"Từ 0 đến {MAX_FLOOR_M:g} m.", f"0 to {MAX_FLOOR_M:g} m."
            )
    values["floor_width_m"] = data.floor_width_m
    values["floor_depth_m"] = data.floor_depth_m
    values["province_id"] = None
    if data.province_code:
        province = await find_province(data.province_code, data.province_era)
        if province is None:
            problems.add(
                "provinceCode", FairErrorCode.NOT_FOUND, "Không có tỉnh/thành này.", "No such province."
            )
        else:
            values["province_id"] = province.id
    problems.raise_if_any()
    try:
        async with in_transaction():
            return await Fair.create(**values)
    except IntegrityError as exc:  # a concurrent creation of the same slug
        raise error("slug", FairErrorCode.UNIQUE, "Mã hội chợ đã được dùng.", "This slug is taken.") from exc


async def change_status(fair_id: int, status: FairStatus, reach: Reach) -> Fair:
    """Move a fair along draft → accepting → published → closed (see TRANSITIONS). Publishing needs a floor
    plan with booths; a fair goes back to draft only while nobody applied."""
    fair = await managed_fair(fair_id, reach)
    current = FairStatus(fair.status)
    if status == current:
        return fair
    if status not in TRANSITIONS[current]:
        raise error(
            "status",
            FairErrorCode.NOT_ALLOWED,
            f"Không thể chuyển hội chợ từ {current.value} sang {status.value}.",
            f"A fair cannot go from {current.value} to {status.value}.",
        )
    if status == FairStatus.PUBLISHED and not await Booth.exists(fair_id=fair.id):
        raise error(
            "status",
            FairErrorCode.NOT_ALLOWED,
            "Cần nhập sơ đồ gian hàng trước khi công bố.",
            "Import the booths of the floor plan before publishing.",
        )
    if status == FairStatus.DRAFT and await ExhibitorApplication.exists(fair_id=fair.id):
        raise error(
            "status",
            FairErrorCode.NOT_ALLOWED,
            "Đã có đơn đăng ký: không thể trở lại bản nháp.",
            "Producers have applied: the fair cannot go back to draft.",
        )
    # A conditional update: two organisers changing the status at once cannot both succeed from `current`.
    changed = await Fair.filter(id=fair.id, status=current).update(status=status)
    if not changed:
        raise error(
            "status",
            FairErrorCode.NOT_ALLOWED,
            "Trạng thái vừa được người khác thay đổi, hãy thử lại.",
            "The status was just changed by someone else; try again.",
        )
    await fair.refresh_from_db()
    return fair


# -- programme, tourism, sponsors --------------------------------------------------------------------------


@dataclass(slots=True)
class SessionData:
    fair_id: int
    kind: SessionKind
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    title_en: str | None = None
    place: str | None = None
    speakers: list[str] = field(default_factory=list)
    description: str | None = None
    description_en: str | None = None


async def create_session(data: SessionData, reach: Reach) -> ProgrammeSession:
    """A ceremony, seminar, business-matching session or tour, held on the fair's days (Viet Nam time)."""
    fair = await managed_fair(data.fair_id, reach)
    require_not_closed(fair)
    problems = Problems()
    title = text(problems, "title", data.title, 255, required=True)
    title_en = text(problems, "titleEn", data.title_en, 255)
    place = text(problems, "place", data.place, 255)
    speakers = [
        s
        for i, v in enumerate(data.speakers)
        if (s := text(problems, f"speakers.{i}", v, 200, required=True))
    ]
    description = text(problems, "description", data.description, 5000)
    description_en = text(problems, "descriptionEn", data.description_en, 5000)
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        problems.add(
            "startsAt", FairErrorCode.INVALID, "Cần múi giờ (vd. +07:00).", "A time-zone offset is required."
        )
    else:
        if data.ends_at < data.starts_at:
            problems.add(
                "endsAt",
                FairErrorCode.INVALID_DATE_RANGE,
                "Kết thúc trước khi bắt đầu.",
                "Ends before it starts.",
            )
        for name, moment in (("startsAt", data.starts_at), ("endsAt", data.ends_at)):
            if not fair.starts_on <= clock.vietnam_date(moment) <= fair.ends_on:
                problems.add(
                    name,
                    FairErrorCode.OUT_OF_RANGE,
                    "Ngoài thời gian hội chợ.",
                    "Outside the days of the fair.",
                )
    problems.raise_if_any()
    assert title is not None
    return await ProgrammeSession.create(
        fair_id=fair.id,
        kind=data.kind,
        title=title,
        title_en=title_en,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=place,
        speakers=speakers,
        description=description,
        description_en=description_en,
    )


@dataclass(slots=True)
class OfferingData:
    fair_id: int
    kind: OfferingKind
    name: str
    name_en: str | None = None
    commune_code: str | None = None
    commune_era: UnitEra = UnitEra.CURRENT
    address: str | None = None
    description: str | None = None
    description_en: str | None = None
    product_id: int | None = None  # its OCOP group-6 product (a tourism service or site), if it has one
    contact: str | None = None
    image_url: str | None = None


async def create_offering(data: OfferingData, reach: Reach) -> TourismOffering:
    """A community-tourism site, craft village, homestay or tour presented at the fair."""
    fair = await managed_fair(data.fair_id, reach)
    require_not_closed(fair)
    problems = Problems()
    values: dict[str, Any] = {
        "fair_id": fair.id,
        "kind": data.kind,
        "name": text(problems, "name", data.name, 255, required=True),
        "name_en": text(problems, "nameEn", data.name_en, 255),
        "address": text(problems, "address", data.address, 255),
        "description": text(problems, "description", data.description, 5000),
        "description_en": text(problems, "descriptionEn", data.description_en, 5000),
        "contact": text(problems, "contact", data.contact, 255),
        "image_url": web_url(problems, "imageUrl", data.image_url),
        "commune_id": None,
        "product_id": None,
    }
    if data.commune_code:
        commune = await find_commune(data.commune_code, data.commune_era)
        if commune is None:
            problems.add(
                "communeCode", FairErrorCode.NOT_FOUND, "Không có xã/phường này.", "No such commune."
            )
        else:
            values["commune_id"] = commune.id
    if data.product_id is not None:
        product = await Product.get_or_none(id=data.product_id, is_published=True).select_related("group")
        if product is None:
            problems.add("productId", FairErrorCode.NOT_FOUND, "Không có sản phẩm này.", "No such product.")
        elif product.group.code != TOURISM_GROUP:
            problems.add(
                "productId",
                FairErrorCode.INVALID,
                "Cần một sản phẩm OCOP nhóm 6 (du lịch cộng đồng, điểm du lịch).",
                "An OCOP group 6 product (community tourism, tourist site) is required.",
            )
        else:
            values["product_id"] = product.id
    problems.raise_if_any()
    return await TourismOffering.create(**values)


@dataclass(slots=True)
class SponsorData:
    fair_id: int
    name: str
    level: str = "partner"
    logo_url: str | None = None
    website: str | None = None


async def create_sponsor(data: SponsorData, reach: Reach) -> Sponsor:
    fair = await managed_fair(data.fair_id, reach)
    require_not_closed(fair)
    problems = Problems()
    name = text(problems, "name", data.name, 255, required=True)
    level = data.level.strip().lower()
    if level not in SPONSOR_LEVELS:
        problems.add(
            "level",
            FairErrorCode.INVALID,
            f"Hạng tài trợ: {', '.join(SPONSOR_LEVELS)}.",
            f"Levels: {', '.join(SPONSOR_LEVELS)}.",
        )
    logo_url = web_url(problems, "logoUrl", data.logo_url)
    website = web_url(problems, "website", data.website)
    problems.raise_if_any()
    return await Sponsor.create(fair_id=fair.id, name=name, level=level, logo_url=logo_url, website=website)
