"""Inputs of the fair mutations, and how each becomes the service's dataclass."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import relay

from models import BoothType, FairKind, FairStatus, OfferingKind, SessionKind, UnitEra
from schema.fairs.types import (
    Booth,
    ExhibitorApplication,
    Fair,
    ProgrammeSession,
    Sponsor,
    TourismOffering,
    Zone,
)
from schema.mapping import InputMap
from services.fairs import applications, layout, manage
from services.fairs.applications import Decision


@strawberry.input
class FairOrganiserInput:
    name: str
    role: str | None = strawberry.field(default=None, description="e.g. Đơn vị chủ trì.")
    website: str | None = None


@strawberry.input(description="A new fair, created as a DRAFT.")
class FairCreateInput:
    slug: str = strawberry.field(
        description="Lower-case ASCII, digits and hyphens; an organiser creates the fair of its own scope."
    )
    name: str
    kind: FairKind
    venue: str
    starts_on: dt.date
    ends_on: dt.date
    name_en: str | None = None
    theme: str | None = None
    theme_en: str | None = None
    regions: list[str] | None = None
    address: str | None = None
    province_code: str | None = strawberry.field(default=None, description="GSO code of the province.")
    province_era: UnitEra | None = strawberry.field(
        default=None, description="LEGACY for a province before the 2025 reform; default: the current one."
    )
    opening_hours: str | None = strawberry.field(default=None, description="e.g. 8:00 – 22:00.")
    organisers: list[FairOrganiserInput] | None = None
    foreword: str | None = None
    foreword_en: str | None = None
    practical_info: str | None = None
    practical_info_en: str | None = None
    floor_width_m: float = 100.0
    floor_depth_m: float = 60.0


@strawberry.input
class FairStatusInput:
    fair_id: relay.GlobalID
    status: FairStatus


@strawberry.input(description="A zone of the floor plan; a code that exists updates that zone.")
class ZoneRowInput:
    code: str
    name: str
    name_en: str | None = None
    product_groups: list[str] | None = strawberry.field(
        default=None, description="OCOP product groups it hosts ('1'..'6'); none: any group."
    )
    color: str | None = strawberry.field(default=None, description="#rrggbb; a light colour by default.")
    x_m: float = 0.0
    y_m: float = 0.0
    width_m: float = 10.0
    depth_m: float = 10.0


@strawberry.input(description="A booth; a code that exists updates that booth.")
class BoothRowInput:
    code: str = strawberry.field(description="e.g. A01.")
    zone_code: str
    booth_type: BoothType = BoothType.STANDARD
    width_m: float = 3.0
    depth_m: float = 3.0
    x_m: float = strawberry.field(default=0.0, description="Left edge, metres from the floor's left edge.")
    y_m: float = strawberry.field(default=0.0, description="Front edge, metres from the floor's top edge.")
    price_vnd: int | None = None


@strawberry.input(
    description="Zones and booths in bulk, all or nothing: every bad row is reported, its field path naming "
    "its index (`booths.3.code`, from 0) and its message the row number (from 1)."
)
class LayoutImportInput:
    fair_id: relay.GlobalID
    zones: list[ZoneRowInput] | None = None
    booths: list[BoothRowInput] | None = None


@strawberry.input(description="A producer applies to exhibit, with published products of its own.")
class ApplicationInput:
    fair_id: relay.GlobalID
    producer_id: relay.GlobalID
    product_ids: list[relay.GlobalID]
    wanted_zone_id: relay.GlobalID | None = None
    wanted_booth_type: BoothType = BoothType.STANDARD
    booths_wanted: int = 1
    description: str | None = strawberry.field(default=None, description="Short text for the catalog.")
    description_en: str | None = None


@strawberry.input
class ApplicationWithdrawInput:
    application_id: relay.GlobalID


@strawberry.input
class ApplicationDecisionInput:
    application_id: relay.GlobalID
    decision: Decision


@strawberry.input
class BoothAssignInput:
    booth_id: relay.GlobalID
    application_id: relay.GlobalID
    replace: bool = strawberry.field(
        default=False, description="Take the booth from the exhibitor that has it (else refused)."
    )


@strawberry.input
class BoothUnassignInput:
    booth_id: relay.GlobalID


@strawberry.input
class AutoAssignInput:
    fair_id: relay.GlobalID
    replan: bool = strawberry.field(
        default=False,
        description="Make automatic assignments again from scratch; manual ones are always kept.",
    )


@strawberry.input
class ProgrammeSessionInput:
    fair_id: relay.GlobalID
    kind: SessionKind
    title: str
    starts_at: dt.datetime = strawberry.field(description="With its offset, e.g. 2019-06-06T08:00:00+07:00.")
    ends_at: dt.datetime
    title_en: str | None = None
    place: str | None = None
    speakers: list[str] | None = None
    description: str | None = None
    description_en: str | None = None


@strawberry.input
class TourismOfferingInput:
    fair_id: relay.GlobalID
    kind: OfferingKind
    name: str
    name_en: str | None = None
    commune_code: str | None = None
    commune_era: UnitEra = UnitEra.CURRENT
    address: str | None = None
    description: str | None = None
    description_en: str | None = None
    product_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Its OCOP group 6 product, if it has one."
    )
    contact: str | None = None
    image_url: str | None = None


@strawberry.input
class SponsorInput:
    fair_id: relay.GlobalID
    name: str
    level: str = strawberry.field(default="partner", description="diamond, gold, silver or partner.")
    logo_url: str | None = None
    website: str | None = None


ORGANISER = InputMap(FairOrganiserInput, manage.OrganiserData)
FAIR_CREATE = InputMap(
    FairCreateInput,
    manage.FairData,
    nested={"organisers": ORGANISER},
    output=Fair,
    write_only=("province_code", "province_era"),  # read as `province`
)
ZONE_ROW = InputMap(ZoneRowInput, layout.ZoneRow, output=Zone)
BOOTH_ROW = InputMap(BoothRowInput, layout.BoothRow, output=Booth, write_only=("zone_code",))
APPLICATION = InputMap(
    ApplicationInput,
    applications.ApplicationData,
    decoded=("fair_id", "producer_id", "product_ids", "wanted_zone_id"),
    output=ExhibitorApplication,
    write_only=("fair_id", "producer_id", "product_ids", "wanted_zone_id"),  # read as objects
)
SESSION = InputMap(
    ProgrammeSessionInput,
    manage.SessionData,
    decoded=("fair_id",),
    output=ProgrammeSession,
    write_only=("fair_id",),
)
OFFERING = InputMap(
    TourismOfferingInput,
    manage.OfferingData,
    decoded=("fair_id", "product_id"),
    output=TourismOffering,
    write_only=("fair_id", "product_id", "commune_code", "commune_era"),  # read as `product`, `commune`
)
SPONSOR = InputMap(
    SponsorInput, manage.SponsorData, decoded=("fair_id",), output=Sponsor, write_only=("fair_id",)
)
