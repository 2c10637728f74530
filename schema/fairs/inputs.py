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


@strawberry.input(description="An organising body.")
class FairOrganiserInput:
    name: str = strawberry.field(description="Name of the body.")
    role: str | None = strawberry.field(default=None, description="e.g. Đơn vị chủ trì.")
    website: str | None = strawberry.field(default=None, description="Its website.")


@strawberry.input(description="A new fair, created as a DRAFT.")
class FairCreateInput:
    slug: str = strawberry.field(
        description="Lower-case ASCII, digits and hyphens; an organiser creates the fair of its own scope."
    )
    name: str = strawberry.field(description="Its name in Vietnamese.")
    kind: FairKind = strawberry.field(description="What kind of fair.")
    venue: str = strawberry.field(description="Where it is held.")
    starts_on: dt.date = strawberry.field(description="First day.")
    ends_on: dt.date = strawberry.field(description="Last day (on or after startsOn).")
    name_en: str | None = strawberry.field(
        default=None, description="Its name in English, when one was given (`name` is the Vietnamese one)."
    )
    theme: str | None = strawberry.field(default=None, description="Theme, in Vietnamese.")
    theme_en: str | None = strawberry.field(default=None, description="The theme in English.")
    regions: list[str] | None = strawberry.field(default=None, description="Regions it serves.")
    address: str | None = strawberry.field(default=None, description="Postal address of the venue.")
    province_code: str | None = strawberry.field(default=None, description="GSO code of the province.")
    province_era: UnitEra | None = strawberry.field(
        default=None, description="LEGACY for a province before the 2025 reform; default: the current one."
    )
    opening_hours: str | None = strawberry.field(default=None, description="e.g. 8:00 – 22:00.")
    organisers: list[FairOrganiserInput] | None = strawberry.field(
        default=None, description="The organising bodies."
    )
    foreword: str | None = strawberry.field(
        default=None, description="Foreword for the catalog, in Vietnamese."
    )
    foreword_en: str | None = strawberry.field(default=None, description="The foreword in English.")
    practical_info: str | None = strawberry.field(
        default=None, description="Practical information for visitors, in Vietnamese."
    )
    practical_info_en: str | None = strawberry.field(
        default=None, description="The practical information in English."
    )
    floor_width_m: float = strawberry.field(default=100.0, description="Width of the floor plan, in metres.")
    floor_depth_m: float = strawberry.field(default=60.0, description="Depth of the floor plan, in metres.")


@strawberry.input(description="A fair's next status.")
class FairStatusInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair.")
    status: FairStatus = strawberry.field(description="The status to move it to.")


@strawberry.input(description="A zone of the floor plan; a code that exists updates that zone.")
class ZoneRowInput:
    code: str = strawberry.field(description="Short code, e.g. A.")
    name: str = strawberry.field(description="Name in Vietnamese.")
    name_en: str | None = strawberry.field(
        default=None, description="Its name in English, when one was given (`name` is the Vietnamese one)."
    )
    product_groups: list[str] | None = strawberry.field(
        default=None, description="OCOP product groups it hosts ('1'..'6'); none: any group."
    )
    color: str | None = strawberry.field(default=None, description="#rrggbb; a light colour by default.")
    x_m: float = strawberry.field(default=0.0, description="Left edge, in metres from the floor's left edge.")
    y_m: float = strawberry.field(default=0.0, description="Front edge, in metres from the floor's top edge.")
    width_m: float = strawberry.field(default=10.0, description="Width, in metres.")
    depth_m: float = strawberry.field(default=10.0, description="Depth, in metres.")


@strawberry.input(description="A booth; a code that exists updates that booth.")
class BoothRowInput:
    code: str = strawberry.field(description="e.g. A01.")
    zone_code: str = strawberry.field(description="Code of its zone (existing, or in the same import).")
    booth_type: BoothType = strawberry.field(
        default=BoothType.STANDARD, description="Standard, corner, premium or outdoor."
    )
    width_m: float = strawberry.field(default=3.0, description="Width, in metres.")
    depth_m: float = strawberry.field(default=3.0, description="Depth, in metres.")
    x_m: float = strawberry.field(default=0.0, description="Left edge, metres from the floor's left edge.")
    y_m: float = strawberry.field(default=0.0, description="Front edge, metres from the floor's top edge.")
    price_vnd: int | None = strawberry.field(default=None, description="Rental price in Vietnamese đồng.")


@strawberry.input(
    description="Zones and booths in bulk, all or nothing: every bad row is reported, its field path naming "
    "its index (`booths.3.code`, from 0) and its message the row number (from 1)."
)
class LayoutImportInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair.")
    zones: list[ZoneRowInput] | None = strawberry.field(
        default=None, description="Zones to create or update."
    )
    booths: list[BoothRowInput] | None = strawberry.field(
        default=None, description="Booths to create or update."
    )


@strawberry.input(description="A producer applies to exhibit, with published products of its own.")
class ApplicationInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair (accepting applications).")
    producer_id: relay.GlobalID = strawberry.field(
        description="The producer applying (one you are a member of)."
    )
    product_ids: list[relay.GlobalID] = strawberry.field(
        description="The products to show: published products of that producer."
    )
    wanted_zone_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The zone wished for, if any."
    )
    wanted_booth_type: BoothType = strawberry.field(
        default=BoothType.STANDARD, description="The type of booth wished for."
    )
    booths_wanted: int = strawberry.field(default=1, description="How many booths (1 to 4).")
    description: str | None = strawberry.field(default=None, description="Short text for the catalog.")
    description_en: str | None = strawberry.field(default=None, description="The catalog text in English.")


@strawberry.input(description="The application to withdraw.")
class ApplicationWithdrawInput:
    application_id: relay.GlobalID = strawberry.field(description="Your application.")


@strawberry.input(description="An organiser's decision.")
class ApplicationDecisionInput:
    application_id: relay.GlobalID = strawberry.field(description="The application.")
    decision: Decision = strawberry.field(description="Approve, wait-list or reject.")


@strawberry.input(description="A booth for an exhibitor.")
class BoothAssignInput:
    booth_id: relay.GlobalID = strawberry.field(description="The booth.")
    application_id: relay.GlobalID = strawberry.field(description="The approved application (the exhibitor).")
    replace: bool = strawberry.field(
        default=False, description="Take the booth from the exhibitor that has it (else refused)."
    )


@strawberry.input(description="The booth to free.")
class BoothUnassignInput:
    booth_id: relay.GlobalID = strawberry.field(description="The booth.")


@strawberry.input(description="Automatic booth assignment for a fair.")
class AutoAssignInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair.")
    replan: bool = strawberry.field(
        default=False,
        description="Make automatic assignments again from scratch; manual ones are always kept.",
    )


@strawberry.input(description="A session of a fair's programme.")
class ProgrammeSessionInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair.")
    kind: SessionKind = strawberry.field(description="What kind of session.")
    title: str = strawberry.field(description="Its title, in Vietnamese.")
    starts_at: dt.datetime = strawberry.field(description="With its offset, e.g. 2019-06-06T08:00:00+07:00.")
    ends_at: dt.datetime = strawberry.field(description="When it ends (after startsAt).")
    title_en: str | None = strawberry.field(
        default=None, description="The title in English, when one was given."
    )
    place: str | None = strawberry.field(default=None, description="Where at the fair.")
    speakers: list[str] | None = strawberry.field(default=None, description="Who speaks or leads it.")
    description: str | None = strawberry.field(default=None, description="What it is about, in Vietnamese.")
    description_en: str | None = strawberry.field(
        default=None, description="The description in English, when one was given."
    )


@strawberry.input(description="A tourism offering presented at a fair.")
class TourismOfferingInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair.")
    kind: OfferingKind = strawberry.field(description="What kind of offering.")
    name: str = strawberry.field(description="Its name in Vietnamese.")
    name_en: str | None = strawberry.field(
        default=None, description="Its name in English, when one was given (`name` is the Vietnamese one)."
    )
    commune_code: str | None = strawberry.field(default=None, description="GSO code of its commune.")
    commune_era: UnitEra = strawberry.field(
        default=UnitEra.CURRENT,
        description="Era of `communeCode`: CURRENT for the communes since the 2025 reform (the default), LEGACY for a code of a commune that existed before 2025-07-01.",
    )
    address: str | None = strawberry.field(default=None, description="Where it is.")
    description: str | None = strawberry.field(
        default=None, description="What visitors find there, in Vietnamese."
    )
    description_en: str | None = strawberry.field(
        default=None, description="The description in English, when one was given."
    )
    product_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Its OCOP group 6 product, if it has one."
    )
    contact: str | None = strawberry.field(default=None, description="How to book or reach it.")
    image_url: str | None = strawberry.field(default=None, description="A photo (https).")


@strawberry.input(description="A sponsor of a fair.")
class SponsorInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair.")
    name: str = strawberry.field(description="The sponsor's name.")
    level: str = strawberry.field(default="partner", description="diamond, gold, silver or partner.")
    logo_url: str | None = strawberry.field(default=None, description="Its logo (https).")
    website: str | None = strawberry.field(default=None, description="Its website.")


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
