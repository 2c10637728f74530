"""Fairs: queries, and mutations to create a fair and move it through its statuses, import its floor plan,
apply and decide, assign booths by hand or automatically, and fill its programme, tourism offerings and
sponsors. Each mutation answers `{ thing errors { field code message } }`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry import relay

from models import Booth as BoothModel
from models import BoothType, FairKind, FairStatus, OfferingKind, SessionKind, UnitEra
from models import ExhibitorApplication as ApplicationModel
from models import Fair as FairModel
from models import Sponsor as SponsorModel
from schema.audit import Audit
from schema.context import Info
from schema.errors import FieldError, field_errors
from schema.fairs.loaders import fair_loaders
from schema.fairs.types import (
    AssignmentConflict,
    AutoAssignReport,
    Booth,
    BoothAssignmentType,
    ExhibitorApplication,
    Fair,
    ProgrammeSession,
    Sponsor,
    TourismOffering,
)
from schema.ids import decode_id
from schema.pagination import Connection, Page, fetch_page, query_error
from services.common.errors import DomainError
from services.fairs import applications, assignment, layout, manage
from services.fairs.applications import Decision
from services.policy import fairs as fair_policy

# -- queries ------------------------------------------------------------------------------------------------


@strawberry.input(description="Fair filters; all given filters must match.")
class FairFilter:
    status: FairStatus | None = None
    kind: FairKind | None = None
    province_code: str | None = strawberry.field(
        default=None, description="GSO code of the province where it is held."
    )
    on_or_after: dt.date | None = strawberry.field(
        default=None, description="Fairs ending on or after this day."
    )
    on_or_before: dt.date | None = strawberry.field(
        default=None, description="Fairs starting on or before this day."
    )


@strawberry.type
class FairQuery:
    @strawberry.field(
        description="Fairs, latest first: those accepting applications, published and closed, and the drafts "
        "you organise."
    )
    async def fairs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: FairFilter | None = None,
    ) -> Connection[Fair]:
        f = filter or FairFilter()
        query = FairModel.all()
        if (visibility := fair_policy.fair_visibility(info.context.reach)) is not None:
            query = query.filter(visibility)
        if f.status is not None:
            query = query.filter(status=f.status)
        if f.kind is not None:
            query = query.filter(kind=f.kind)
        if f.province_code:
            query = query.filter(province__code=f.province_code.strip().zfill(2))
        if f.on_or_after is not None:
            query = query.filter(ends_on__gte=f.on_or_after)
        if f.on_or_before is not None:
            query = query.filter(starts_on__lte=f.on_or_before)
        try:
            page: Page[Any] = await fetch_page(query, ("-starts_on", "-id"), first, after, None, None)
        except DomainError as exc:
            raise query_error(exc, info.context.language) from exc
        fair_loaders(info).fair.prime_many({row.id: row for row in page.rows})
        return Connection[Fair].of(page, [Fair.from_model(row, info) for row in page.rows], query)

    @strawberry.field(description="One fair by its slug (null when it does not exist or is not visible).")
    async def fair(self, info: Info, slug: str) -> Fair | None:
        row = await FairModel.get_or_none(slug=slug.strip().lower())
        if row is None or not fair_policy.sees_fair(info.context.reach, row):
            return None
        return Fair.from_model(row, info)


# -- mutation inputs and payloads ---------------------------------------------------------------------------


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


@strawberry.type
class FairPayload:
    fair: Fair | None
    errors: list[FieldError]


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


@strawberry.type
class LayoutImportPayload:
    fair: Fair | None
    zones_created: int
    zones_updated: int
    booths_created: int
    booths_updated: int
    errors: list[FieldError]


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


@strawberry.type
class ApplicationPayload:
    application: ExhibitorApplication | None
    errors: list[FieldError]


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


@strawberry.type
class BoothPayload:
    booth: Booth | None
    errors: list[FieldError]


@strawberry.input
class AutoAssignInput:
    fair_id: relay.GlobalID
    replan: bool = strawberry.field(
        default=False,
        description="Make automatic assignments again from scratch; manual ones are always kept.",
    )


@strawberry.type
class AutoAssignPayload:
    fair: Fair | None
    report: AutoAssignReport | None
    errors: list[FieldError]


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


@strawberry.type
class ProgrammeSessionPayload:
    fair: Fair | None
    session: ProgrammeSession | None
    errors: list[FieldError]


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


@strawberry.type
class TourismOfferingPayload:
    fair: Fair | None
    tourism_offering: TourismOffering | None
    errors: list[FieldError]


@strawberry.input
class SponsorInput:
    fair_id: relay.GlobalID
    name: str
    level: str = strawberry.field(default="partner", description="diamond, gold, silver or partner.")
    logo_url: str | None = None
    website: str | None = None


@strawberry.type
class SponsorPayload:
    fair: Fair | None
    sponsor: Sponsor | None
    errors: list[FieldError]


def _fair_id(value: relay.GlobalID) -> int:
    return decode_id(value, "Fair", "fairId")


async def _fair(info: Info, fair_id: int) -> Fair:
    row = await FairModel.get(id=fair_id)
    return Fair.from_model(row, info)


async def _application(info: Info, row: ApplicationModel) -> ExhibitorApplication:
    fair = await FairModel.get(id=row.fair_id)
    return ExhibitorApplication.from_model(row, fair_policy.sees_exhibitors(info.context.reach, fair))


# -- mutations ----------------------------------------------------------------------------------------------


@strawberry.type
class FairMutation:
    @strawberry.mutation(
        description="Create a fair (a DRAFT). Central admins; an organiser for the fair its membership names.",
        extensions=[Audit()],
    )
    async def create_fair(self, info: Info, input: FairCreateInput) -> FairPayload:
        data = manage.FairData(
            slug=input.slug,
            name=input.name,
            kind=input.kind,
            venue=input.venue,
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            name_en=input.name_en,
            theme=input.theme,
            theme_en=input.theme_en,
            regions=list(input.regions or []),
            address=input.address,
            province_code=input.province_code,
            province_era=input.province_era,
            opening_hours=input.opening_hours,
            organisers=[manage.OrganiserData(o.name, o.role, o.website) for o in input.organisers or []],
            foreword=input.foreword,
            foreword_en=input.foreword_en,
            practical_info=input.practical_info,
            practical_info_en=input.practical_info_en,
            floor_width_m=input.floor_width_m,
            floor_depth_m=input.floor_depth_m,
        )
        try:
            fair = await manage.create_fair(data, info.context.reach)
        except DomainError as exc:
            return FairPayload(fair=None, errors=field_errors(exc, info.context.language))
        return FairPayload(fair=Fair.from_model(fair, info), errors=[])

    @strawberry.mutation(
        description="Move a fair: DRAFT → ACCEPTING → PUBLISHED → CLOSED (also DRAFT → PUBLISHED, ACCEPTING → "
        "CLOSED, and ACCEPTING → DRAFT while nobody applied). Publishing needs booths.",
        extensions=[Audit()],
    )
    async def update_fair_status(self, info: Info, input: FairStatusInput) -> FairPayload:
        try:
            fair = await manage.change_status(_fair_id(input.fair_id), input.status, info.context.reach)
        except DomainError as exc:
            return FairPayload(fair=None, errors=field_errors(exc, info.context.language))
        return FairPayload(fair=Fair.from_model(fair, info), errors=[])

    @strawberry.mutation(
        description="Import zones and booths of the floor plan, all or nothing.", extensions=[Audit()]
    )
    async def import_zones_and_booths(self, info: Info, input: LayoutImportInput) -> LayoutImportPayload:
        zones = [
            layout.ZoneRow(
                code=z.code,
                name=z.name,
                name_en=z.name_en,
                product_groups=list(z.product_groups or []),
                color=z.color,
                x_m=z.x_m,
                y_m=z.y_m,
                width_m=z.width_m,
                depth_m=z.depth_m,
            )
            for z in input.zones or []
        ]
        booths = [
            layout.BoothRow(
                code=b.code,
                zone_code=b.zone_code,
                booth_type=b.booth_type,
                width_m=b.width_m,
                depth_m=b.depth_m,
                x_m=b.x_m,
                y_m=b.y_m,
                price_vnd=b.price_vnd,
            )
            for b in input.booths or []
        ]
        try:
            fair_id = _fair_id(input.fair_id)
            result = await layout.import_layout(fair_id, zones, booths, info.context.reach)
        except DomainError as exc:
            return LayoutImportPayload(
                fair=None,
                zones_created=0,
                zones_updated=0,
                booths_created=0,
                booths_updated=0,
                errors=field_errors(exc, info.context.language),
            )
        return LayoutImportPayload(
            fair=await _fair(info, fair_id),
            zones_created=result.zones_created,
            zones_updated=result.zones_updated,
            booths_created=result.booths_created,
            booths_updated=result.booths_updated,
            errors=[],
        )

    @strawberry.mutation(
        description="Apply to exhibit at a fair that accepts applications (the producer's members, its "
        "province's officers).",
        extensions=[Audit()],
    )
    async def apply_to_fair(self, info: Info, input: ApplicationInput) -> ApplicationPayload:
        try:
            data = applications.ApplicationData(
                fair_id=_fair_id(input.fair_id),
                producer_id=decode_id(input.producer_id, "Producer", "producerId"),
                product_ids=[
                    decode_id(p, "Product", f"productIds.{n}") for n, p in enumerate(input.product_ids)
                ],
                wanted_zone_id=None
                if input.wanted_zone_id is None
                else decode_id(input.wanted_zone_id, "Zone", "wantedZoneId"),
                wanted_booth_type=input.wanted_booth_type,
                booths_wanted=input.booths_wanted,
                description=input.description,
                description_en=input.description_en,
            )
            row = await applications.apply(data, info.context.reach)
        except DomainError as exc:
            return ApplicationPayload(application=None, errors=field_errors(exc, info.context.language))
        return ApplicationPayload(application=await _application(info, row), errors=[])

    @strawberry.mutation(description="Withdraw an application; its booths are freed.", extensions=[Audit()])
    async def withdraw_application(self, info: Info, input: ApplicationWithdrawInput) -> ApplicationPayload:
        try:
            row = await applications.withdraw(
                decode_id(input.application_id, "ExhibitorApplication", "applicationId"), info.context.reach
            )
        except DomainError as exc:
            return ApplicationPayload(application=None, errors=field_errors(exc, info.context.language))
        return ApplicationPayload(application=await _application(info, row), errors=[])

    @strawberry.mutation(
        description="Approve, wait-list or reject an application (the fair's organisers). An exhibitor no "
        "longer approved loses its booths.",
        extensions=[Audit()],
    )
    async def decide_application(self, info: Info, input: ApplicationDecisionInput) -> ApplicationPayload:
        try:
            row = await applications.decide(
                decode_id(input.application_id, "ExhibitorApplication", "applicationId"),
                input.decision,
                info.context.reach,
                info.context.actor.user_id,
            )
        except DomainError as exc:
            return ApplicationPayload(application=None, errors=field_errors(exc, info.context.language))
        return ApplicationPayload(application=await _application(info, row), errors=[])

    @strawberry.mutation(
        description="Put an approved exhibitor on a booth (a manual assignment, kept by autoAssignBooths).",
        extensions=[Audit()],
    )
    async def assign_booth(self, info: Info, input: BoothAssignInput) -> BoothPayload:
        try:
            made = await assignment.assign_booth(
                decode_id(input.booth_id, "Booth", "boothId"),
                decode_id(input.application_id, "ExhibitorApplication", "applicationId"),
                info.context.reach,
                info.context.actor.user_id,
                replace=input.replace,
            )
            booth = await BoothModel.get(id=made.booth_id).select_related("fair")
        except DomainError as exc:
            return BoothPayload(booth=None, errors=field_errors(exc, info.context.language))
        return BoothPayload(
            booth=Booth.from_model(booth, fair_policy.sees_exhibitors(info.context.reach, booth.fair)),
            errors=[],
        )

    @strawberry.mutation(description="Free a booth.", extensions=[Audit()])
    async def unassign_booth(self, info: Info, input: BoothUnassignInput) -> BoothPayload:
        try:
            booth = await assignment.unassign_booth(
                decode_id(input.booth_id, "Booth", "boothId"), info.context.reach
            )
        except DomainError as exc:
            return BoothPayload(booth=None, errors=field_errors(exc, info.context.language))
        return BoothPayload(
            booth=Booth.from_model(booth, fair_policy.sees_exhibitors(info.context.reach, booth.fair)),
            errors=[],
        )

    @strawberry.mutation(
        description="Place approved exhibitors that lack booths: by zone and product group, booth type, "
        "province together; never double-books, keeps manual assignments, reports what it could not do.",
        extensions=[Audit()],
    )
    async def auto_assign_booths(self, info: Info, input: AutoAssignInput) -> AutoAssignPayload:
        try:
            fair_id = _fair_id(input.fair_id)
            result = await assignment.auto_assign(
                fair_id, info.context.reach, info.context.actor.user_id, replan=input.replan
            )
        except DomainError as exc:
            return AutoAssignPayload(fair=None, report=None, errors=field_errors(exc, info.context.language))
        language = info.context.language
        report = AutoAssignReport(
            placed=[BoothAssignmentType.from_model(a, True) for a in result.assignments],
            conflicts=[AssignmentConflict.from_conflict(c, language) for c in result.conflicts],
        )
        return AutoAssignPayload(fair=await _fair(info, fair_id), report=report, errors=[])

    @strawberry.mutation(description="Add a session to a fair's programme.", extensions=[Audit()])
    async def create_programme_session(
        self, info: Info, input: ProgrammeSessionInput
    ) -> ProgrammeSessionPayload:
        try:
            fair_id = _fair_id(input.fair_id)
            row = await manage.create_session(
                manage.SessionData(
                    fair_id=fair_id,
                    kind=input.kind,
                    title=input.title,
                    starts_at=input.starts_at,
                    ends_at=input.ends_at,
                    title_en=input.title_en,
                    place=input.place,
                    speakers=list(input.speakers or []),
                    description=input.description,
                    description_en=input.description_en,
                ),
                info.context.reach,
            )
        except DomainError as exc:
            return ProgrammeSessionPayload(
                fair=None, session=None, errors=field_errors(exc, info.context.language)
            )
        return ProgrammeSessionPayload(
            fair=await _fair(info, fair_id), session=ProgrammeSession.from_model(row), errors=[]
        )

    @strawberry.mutation(description="Present a tourism offering at a fair.", extensions=[Audit()])
    async def create_tourism_offering(
        self, info: Info, input: TourismOfferingInput
    ) -> TourismOfferingPayload:
        try:
            fair_id = _fair_id(input.fair_id)
            row = await manage.create_offering(
                manage.OfferingData(
                    fair_id=fair_id,
                    kind=input.kind,
                    name=input.name,
                    name_en=input.name_en,
                    commune_code=input.commune_code,
                    commune_era=input.commune_era,
                    address=input.address,
                    description=input.description,
                    description_en=input.description_en,
                    product_id=None
                    if input.product_id is None
                    else decode_id(input.product_id, "Product", "productId"),
                    contact=input.contact,
                    image_url=input.image_url,
                ),
                info.context.reach,
            )
        except DomainError as exc:
            return TourismOfferingPayload(
                fair=None, tourism_offering=None, errors=field_errors(exc, info.context.language)
            )
        return TourismOfferingPayload(
            fair=await _fair(info, fair_id), tourism_offering=TourismOffering.from_model(row), errors=[]
        )

    @strawberry.mutation(description="Add a sponsor to a fair.", extensions=[Audit()])
    async def create_sponsor(self, info: Info, input: SponsorInput) -> SponsorPayload:
        try:
            fair_id = _fair_id(input.fair_id)
            row: SponsorModel = await manage.create_sponsor(
                manage.SponsorData(
                    fair_id=fair_id,
                    name=input.name,
                    level=input.level,
                    logo_url=input.logo_url,
                    website=input.website,
                ),
                info.context.reach,
            )
        except DomainError as exc:
            return SponsorPayload(fair=None, sponsor=None, errors=field_errors(exc, info.context.language))
        return SponsorPayload(fair=await _fair(info, fair_id), sponsor=Sponsor.from_model(row), errors=[])
