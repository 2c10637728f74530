"""Mutations of fairs: create a fair and move it through its statuses, import its floor plan, apply and
decide, assign booths by hand or automatically, and fill its programme, tourism offerings and sponsors. Each
answers `{ thing errors { field code message } }`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models import ExhibitorApplication as ApplicationModel
from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import ERRORS, INPUT, FairError
from schema.fairs.inputs import (
    APPLICATION,
    BOOTH_ROW,
    FAIR_CREATE,
    OFFERING,
    SESSION,
    SPONSOR,
    ZONE_ROW,
    ApplicationDecisionInput,
    ApplicationInput,
    ApplicationWithdrawInput,
    AutoAssignInput,
    BoothAssignInput,
    BoothUnassignInput,
    FairCreateInput,
    FairStatusInput,
    LayoutImportInput,
    ProgrammeSessionInput,
    SponsorInput,
    TourismOfferingInput,
)
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
from schema.ids import decode_id, decode_optional_id
from services.fairs import applications, assignment, layout, manage, reads
from services.policy import fairs as fair_policy


@strawberry.type(description="The result of a fair mutation.")
class FairPayload:
    fair: Fair | None = strawberry.field(
        description="The fair, as it is after the change. Null when `errors` is not empty."
    )
    errors: list[FairError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of importing a floor plan.")
class LayoutImportPayload:
    fair: Fair | None = strawberry.field(
        description="The fair, as it is after the change. Null when `errors` is not empty."
    )
    zones_created: int = strawberry.field(default=0, description="Zones created.")
    zones_updated: int = strawberry.field(default=0, description="Zones changed.")
    booths_created: int = strawberry.field(default=0, description="Booths created.")
    booths_updated: int = strawberry.field(default=0, description="Booths changed.")
    errors: list[FairError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of an application mutation.")
class ApplicationPayload:
    application: ExhibitorApplication | None = strawberry.field(
        description="The application as it is now; null when refused."
    )
    errors: list[FairError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of a booth mutation.")
class BoothPayload:
    booth: Booth | None = strawberry.field(description="The booth as it is now; null when refused.")
    errors: list[FairError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of automatic booth assignment.")
class AutoAssignPayload:
    fair: Fair | None = strawberry.field(
        description="The fair, as it is after the change. Null when `errors` is not empty."
    )
    report: AutoAssignReport | None = strawberry.field(
        description="What it did and could not do; null when refused."
    )
    errors: list[FairError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of adding a programme session.")
class ProgrammeSessionPayload:
    fair: Fair | None = strawberry.field(
        description="The fair, as it is after the change. Null when `errors` is not empty."
    )
    session: ProgrammeSession | None = strawberry.field(description="The new session; null when refused.")
    errors: list[FairError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of adding a tourism offering.")
class TourismOfferingPayload:
    fair: Fair | None = strawberry.field(
        description="The fair, as it is after the change. Null when `errors` is not empty."
    )
    tourism_offering: TourismOffering | None = strawberry.field(
        description="The new offering; null when refused."
    )
    errors: list[FairError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of adding a sponsor.")
class SponsorPayload:
    fair: Fair | None = strawberry.field(
        description="The fair, as it is after the change. Null when `errors` is not empty."
    )
    sponsor: Sponsor | None = strawberry.field(description="The new sponsor; null when refused.")
    errors: list[FairError] = strawberry.field(description=ERRORS)


def _fair_id(value: relay.GlobalID) -> int:
    return decode_id(value, "Fair", "fairId")


async def _fair(info: Info, fair_id: int) -> Fair:
    return Fair.from_model(await reads.fair_of(fair_id), info)


async def _application(info: Info, row: ApplicationModel) -> ExhibitorApplication:
    fair = await reads.fair_of_application(row)
    return ExhibitorApplication.from_model(row, fair_policy.sees_exhibitors(info.context.reach, fair))


@strawberry.type
class FairMutation:
    @strawberry.mutation(
        description="Create a fair (a DRAFT). Central admins; an organiser for the fair its membership names.",
        extensions=[Refusals(), Audit()],
    )
    async def create_fair(
        self, info: Info, input: Annotated[FairCreateInput, strawberry.argument(description=INPUT)]
    ) -> FairPayload:
        data = FAIR_CREATE(input)
        fair = await manage.create_fair(data, info.context.reach)
        return FairPayload(fair=Fair.from_model(fair, info), errors=[])

    @strawberry.mutation(
        description="Move a fair: DRAFT → ACCEPTING → PUBLISHED → CLOSED (also DRAFT → PUBLISHED, ACCEPTING → "
        "CLOSED, and ACCEPTING → DRAFT while nobody applied). Publishing needs booths.",
        extensions=[Refusals(), Audit()],
    )
    async def update_fair_status(
        self, info: Info, input: Annotated[FairStatusInput, strawberry.argument(description=INPUT)]
    ) -> FairPayload:
        fair = await manage.change_status(_fair_id(input.fair_id), input.status, info.context.reach)
        return FairPayload(fair=Fair.from_model(fair, info), errors=[])

    @strawberry.mutation(
        description="Import zones and booths of the floor plan, all or nothing.",
        extensions=[Refusals(), Audit()],
    )
    async def import_zones_and_booths(
        self, info: Info, input: Annotated[LayoutImportInput, strawberry.argument(description=INPUT)]
    ) -> LayoutImportPayload:
        zones = [ZONE_ROW(z) for z in input.zones or []]
        booths = [BOOTH_ROW(b) for b in input.booths or []]
        fair_id = _fair_id(input.fair_id)
        result = await layout.import_layout(fair_id, zones, booths, info.context.reach)
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
        extensions=[Refusals(), Audit()],
    )
    async def apply_to_fair(
        self, info: Info, input: Annotated[ApplicationInput, strawberry.argument(description=INPUT)]
    ) -> ApplicationPayload:
        data = APPLICATION(
            input,
            fair_id=_fair_id(input.fair_id),
            producer_id=decode_id(input.producer_id, "Producer", "producerId"),
            product_ids=[decode_id(p, "Product", f"productIds.{n}") for n, p in enumerate(input.product_ids)],
            wanted_zone_id=None
            if input.wanted_zone_id is None
            else decode_id(input.wanted_zone_id, "Zone", "wantedZoneId"),
        )
        row = await applications.apply(data, info.context.reach)
        return ApplicationPayload(application=await _application(info, row), errors=[])

    @strawberry.mutation(
        description="Withdraw an application; its booths are freed.", extensions=[Refusals(), Audit()]
    )
    async def withdraw_application(
        self, info: Info, input: Annotated[ApplicationWithdrawInput, strawberry.argument(description=INPUT)]
    ) -> ApplicationPayload:
        row = await applications.withdraw(
            decode_id(input.application_id, "ExhibitorApplication", "applicationId"), info.context.reach
        )
        return ApplicationPayload(application=await _application(info, row), errors=[])

    @strawberry.mutation(
        description="Approve, wait-list or reject an application (the fair's organisers). An exhibitor no "
        "longer approved loses its booths.",
        extensions=[Refusals(), Audit()],
    )
    async def decide_application(
        self, info: Info, input: Annotated[ApplicationDecisionInput, strawberry.argument(description=INPUT)]
    ) -> ApplicationPayload:
        row = await applications.decide(
            decode_id(input.application_id, "ExhibitorApplication", "applicationId"),
            input.decision,
            info.context.reach,
            info.context.actor.user_id,
        )
        return ApplicationPayload(application=await _application(info, row), errors=[])

    @strawberry.mutation(
        description="Put an approved exhibitor on a booth (a manual assignment, kept by autoAssignBooths).",
        extensions=[Refusals(), Audit()],
    )
    async def assign_booth(
        self, info: Info, input: Annotated[BoothAssignInput, strawberry.argument(description=INPUT)]
    ) -> BoothPayload:
        made = await assignment.assign_booth(
            decode_id(input.booth_id, "Booth", "boothId"),
            decode_id(input.application_id, "ExhibitorApplication", "applicationId"),
            info.context.reach,
            info.context.actor.user_id,
            replace=input.replace,
        )
        booth = await reads.booth_with_fair(made.booth_id)
        return BoothPayload(
            booth=Booth.from_model(booth, fair_policy.sees_exhibitors(info.context.reach, booth.fair)),
            errors=[],
        )

    @strawberry.mutation(description="Free a booth.", extensions=[Refusals(), Audit()])
    async def unassign_booth(
        self, info: Info, input: Annotated[BoothUnassignInput, strawberry.argument(description=INPUT)]
    ) -> BoothPayload:
        booth = await assignment.unassign_booth(
            decode_id(input.booth_id, "Booth", "boothId"), info.context.reach
        )
        return BoothPayload(
            booth=Booth.from_model(booth, fair_policy.sees_exhibitors(info.context.reach, booth.fair)),
            errors=[],
        )

    @strawberry.mutation(
        description="Place approved exhibitors that lack booths: by zone and product group, booth type, "
        "province together; never double-books, keeps manual assignments, reports what it could not do.",
        extensions=[Refusals(), Audit()],
    )
    async def auto_assign_booths(
        self, info: Info, input: Annotated[AutoAssignInput, strawberry.argument(description=INPUT)]
    ) -> AutoAssignPayload:
        fair_id = _fair_id(input.fair_id)
        result = await assignment.auto_assign(
            fair_id, info.context.reach, info.context.actor.user_id, replan=input.replan
        )
        language = info.context.language
        report = AutoAssignReport(
            placed=[BoothAssignmentType.from_model(a, True) for a in result.assignments],
            conflicts=[AssignmentConflict.from_conflict(c, language) for c in result.conflicts],
        )
        return AutoAssignPayload(fair=await _fair(info, fair_id), report=report, errors=[])

    @strawberry.mutation(description="Add a session to a fair's programme.", extensions=[Refusals(), Audit()])
    async def create_programme_session(
        self, info: Info, input: Annotated[ProgrammeSessionInput, strawberry.argument(description=INPUT)]
    ) -> ProgrammeSessionPayload:
        fair_id = _fair_id(input.fair_id)
        row = await manage.create_session(SESSION(input, fair_id=fair_id), info.context.reach)
        return ProgrammeSessionPayload(
            fair=await _fair(info, fair_id), session=ProgrammeSession.from_model(row), errors=[]
        )

    @strawberry.mutation(
        description="Present a tourism offering at a fair.", extensions=[Refusals(), Audit()]
    )
    async def create_tourism_offering(
        self, info: Info, input: Annotated[TourismOfferingInput, strawberry.argument(description=INPUT)]
    ) -> TourismOfferingPayload:
        fair_id = _fair_id(input.fair_id)
        product_id = decode_optional_id(input.product_id, "Product", "productId")
        row = await manage.create_offering(
            OFFERING(input, fair_id=fair_id, product_id=product_id), info.context.reach
        )
        return TourismOfferingPayload(
            fair=await _fair(info, fair_id), tourism_offering=TourismOffering.from_model(row), errors=[]
        )

    @strawberry.mutation(description="Add a sponsor to a fair.", extensions=[Refusals(), Audit()])
    async def create_sponsor(
        self, info: Info, input: Annotated[SponsorInput, strawberry.argument(description=INPUT)]
    ) -> SponsorPayload:
        fair_id = _fair_id(input.fair_id)
        row = await manage.create_sponsor(SPONSOR(input, fair_id=fair_id), info.context.reach)
        return SponsorPayload(fair=await _fair(info, fair_id), sponsor=Sponsor.from_model(row), errors=[])
