"""GraphQL types of trade fairs. A fair is seen by the public once it accepts applications; its exhibitors,
and which booths they hold, once it is published; its organisers see everything (services/policy/fairs.py).
What a viewer may see is decided when a fair is read and carried down to its booths and exhibitors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial
from typing import Annotated, Self, cast

import strawberry
from strawberry import relay

from models import ApplicationStatus, BoothType, FairKind, FairStatus, OfferingKind, SessionKind
from models import Booth as BoothModel
from models import BoothAssignment as AssignmentModel
from models import ExhibitorApplication as ApplicationModel
from models import Fair as FairModel
from models import ProgrammeSession as SessionModel
from models import Sponsor as SponsorModel
from models import TourismOffering as OfferingModel
from models import Zone as ZoneModel
from schema.admin import AdministrativeUnit
from schema.context import Info
from schema.enums import describe_enum
from schema.fairs.loaders import fair_loaders
from schema.mapping import from_row
from schema.pagination import After, Before, Connection, First, Last, deprecated_list, list_connection
from schema.registry.types import Producer, Product, visible_product
from schema.response_cache import per_caller
from services.fairs import floorplan
from services.fairs.applications import Decision
from services.fairs.planner import Conflict, ConflictKind
from services.policy import fairs as fair_policy
from services.policy import registry as registry_policy

describe_enum(
    FairKind,
    description="Kind of fair.",
    values={
        "OCOP": "An OCOP products fair.",
        "OCOP_TOURISM": "An OCOP and tourism fair (products and community-tourism offerings).",
        "AGRICULTURE": "An agricultural fair.",
        "TRADE": "A general trade fair.",
    },
)
describe_enum(
    FairStatus,
    description="DRAFT (organisers only) → ACCEPTING (public, accepting applications) → PUBLISHED (exhibitors "
    "public) → CLOSED.",
    values={
        "DRAFT": "Being prepared: only its organisers see it.",
        "ACCEPTING": "Public and accepting exhibitors' applications.",
        "PUBLISHED": "Public with its exhibitors and booths; no more applications.",
        "CLOSED": "Over; kept for the record.",
    },
)
describe_enum(
    BoothType,
    description="Type of booth.",
    values={
        "STANDARD": "A standard booth (usually 3 × 3 m).",
        "CORNER": "A corner booth, open on two sides.",
        "PREMIUM": "A larger or better-placed booth.",
        "OUTDOOR": "An outdoor stand.",
    },
)
describe_enum(
    ApplicationStatus,
    description="SUBMITTED, then APPROVED (an exhibitor), WAITLISTED or REJECTED; CANCELLED when withdrawn.",
    values={
        "SUBMITTED": "Sent, waiting for the organisers' decision.",
        "APPROVED": "Accepted: the producer is an exhibitor.",
        "WAITLISTED": "On the waiting list, in case a place frees up.",
        "REJECTED": "Refused.",
        "CANCELLED": "Withdrawn by the producer.",
    },
)
describe_enum(
    SessionKind,
    description="Kind of programme session.",
    values={
        "CEREMONY": "An opening or closing ceremony.",
        "SEMINAR": "A seminar or conference.",
        "BUSINESS_MATCHING": "A business-matching session between producers and buyers.",
        "TOUR": "A guided tour.",
        "OTHER": "Anything else.",
    },
)
describe_enum(
    OfferingKind,
    description="Kind of tourism offering.",
    values={
        "COMMUNITY_TOURISM": "A community-based tourism site.",
        "CRAFT_VILLAGE": "A craft village (làng nghề).",
        "HOMESTAY": "A homestay.",
        "TOUR": "A tour.",
    },
)
describe_enum(
    Decision,
    name="ApplicationDecision",
    description="An organiser's decision on an application.",
    values={
        "APPROVE": "Accept: the producer becomes an exhibitor.",
        "WAITLIST": "Put on the waiting list.",
        "REJECT": "Refuse.",
    },
)
describe_enum(
    ConflictKind,
    name="AssignmentConflictKind",
    description="What automatic assignment could not do.",
    values={
        "NOT_PLACED": "An exhibitor got no booth: none was free.",
        "FEWER_BOOTHS": "An exhibitor got fewer booths than it asked for.",
        "WANTED_ZONE": "An exhibitor is outside the zone it asked for.",
        "BOOTH_TYPE": "An exhibitor got another type of booth than it asked for.",
        "BOOTHS_APART": "An exhibitor's booths are not side by side.",
        "PROVINCE_APART": "The exhibitors of a province are not grouped together.",
    },
)


def _pick(info: Info, vi: str, en: str | None) -> str:
    return en if info.context.language == "en" and en else vi


async def _admin_unit(info: Info, unit_id: int | None) -> AdministrativeUnit | None:
    if unit_id is None:
        return None
    unit = await info.context.loaders.admin_unit.load(unit_id)
    return AdministrativeUnit.from_model(unit) if unit else None


@strawberry.type(description="An organising body of a fair.")
class FairOrganiser:
    name: str = strawberry.field(description="Name of the body.")
    role: str | None = strawberry.field(
        description="e.g. Đơn vị chủ trì, Đơn vị thực hiện. Null when not given."
    )
    website: str | None = strawberry.field(description="Its website. Null when not given.")


@strawberry.type(description="A trade fair, e.g. the 2019 OCOP-Tourism fair in Bến Tre.")
class Fair(relay.Node):
    id: relay.NodeID[int]
    slug: str = strawberry.field(description="Stable address of the fair, e.g. hoi-cho-ocop-du-lich-2019.")
    name: str = strawberry.field(description="Its name in Vietnamese.")
    name_en: str | None = strawberry.field(
        description="Its name in English, when one was given (`name` is the Vietnamese one). Null when no English one was given."
    )
    theme: str | None = strawberry.field(
        description="Its theme or motto, in Vietnamese. Null when not given."
    )
    theme_en: str | None = strawberry.field(
        description="The theme in English. Null when no English one was given."
    )
    kind: FairKind = strawberry.field(description="What kind of fair it is.")
    regions: list[str] = strawberry.field(description="Regions it serves, e.g. Tây Nam Bộ, Đông Nam Bộ.")
    venue: str = strawberry.field(description="Where it is held (e.g. Quảng trường Đồng Khởi).")
    address: str | None = strawberry.field(description="Postal address of the venue. Null when not given.")
    starts_on: dt.date = strawberry.field(description="First day.")
    ends_on: dt.date = strawberry.field(description="Last day.")
    opening_hours: str | None = strawberry.field(
        description="Opening hours, as words (e.g. 8:00 – 22:00). Null when not given."
    )
    organisers: list[FairOrganiser] = strawberry.field(description="The bodies that organise it.")
    foreword: str | None = strawberry.field(
        description="The organisers' foreword for the catalog, in Vietnamese. Null when not given."
    )
    foreword_en: str | None = strawberry.field(
        description="The foreword in English. Null when no English one was given."
    )
    practical_info: str | None = strawberry.field(
        description="Practical information for visitors (transport, parking...), in Vietnamese. Null when not given."
    )
    practical_info_en: str | None = strawberry.field(
        description="The practical information in English. Null when no English one was given."
    )
    floor_width_m: float = strawberry.field(description="Width of the floor plan, in metres.")
    floor_depth_m: float = strawberry.field(description="Depth of the floor plan, in metres.")
    status: FairStatus = strawberry.field(
        description="Where the fair stands: draft, accepting applications, published or closed."
    )
    created_at: dt.datetime = strawberry.field(description="When it was created (Viet Nam time).")
    updated_at: dt.datetime = strawberry.field(description="When it was last changed.")
    province_id: strawberry.Private[int | None]
    row: strawberry.Private[FairModel]
    manages: strawberry.Private[bool]
    shows_exhibitors: strawberry.Private[bool]

    @classmethod
    def from_model(cls, f: FairModel, info: Info) -> Self:
        reach = info.context.reach
        return from_row(
            cls,
            f,
            regions=list(f.regions or []),
            organisers=[
                FairOrganiser(name=o.get("name", ""), role=o.get("role"), website=o.get("website"))
                for o in f.organisers or []
            ],
            row=f,
            manages=fair_policy.may_manage_fair(reach, f),
            shows_exhibitors=fair_policy.sees_exhibitors(reach, f),
        )

    @strawberry.field(description="Name in the request's language.")
    def display_name(self, info: Info) -> str:
        return _pick(info, self.name, self.name_en)

    @strawberry.field(
        description="Whether the caller organises this fair (or is a central admin).", metadata=per_caller
    )
    def viewer_can_manage(self) -> bool:
        return self.manages

    @strawberry.field(
        description="Province where it is held. Null when the fair is not tied to one province (a national or online fair)."
    )
    async def province(self, info: Info) -> AdministrativeUnit | None:
        return await _admin_unit(info, self.province_id)

    @strawberry.field(description="Zones of the floor plan, by code.")
    async def zones(self, info: Info) -> list[Zone]:
        rows = await fair_loaders(info).zones_by_fair.load(self.id)
        return [Zone.from_model(z, self.shows_exhibitors) for z in rows]

    @strawberry.field(
        description="Booths of the floor plan, by code; their exhibitors once published. All of them, unpaged.",
        deprecation_reason=deprecated_list("boothsConnection"),
    )
    async def booths(
        self,
        info: Info,
        zone_code: Annotated[
            str | None, strawberry.argument(description="Only the booths of this zone.")
        ] = None,
    ) -> list[Booth]:
        return [Booth.from_model(b, self.shows_exhibitors) for b in await self._booths(info, zone_code)]

    @strawberry.field(
        description="Booths of the floor plan, by code, a page at a time; their exhibitors once published."
    )
    async def booths_connection(
        self,
        info: Info,
        zone_code: Annotated[
            str | None, strawberry.argument(description="Only the booths of this zone.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Booth]:
        rows = await self._booths(info, zone_code)
        return list_connection(rows, self._booth, first, after, last, before)

    def _booth(self, row: BoothModel) -> Booth:
        return Booth.from_model(row, self.shows_exhibitors)

    def _application(self, row: ApplicationModel) -> ExhibitorApplication:
        return ExhibitorApplication.from_model(row, self.shows_exhibitors)

    async def _booths(self, info: Info, zone_code: str | None) -> list[BoothModel]:
        rows = await fair_loaders(info).booths_by_fair.load(self.id)
        if zone_code is not None:
            zones = await fair_loaders(info).zones_by_fair.load(self.id)
            wanted = {z.id for z in zones if z.code == zone_code.strip().upper()}
            rows = [b for b in rows if b.zone_id in wanted]
        return rows

    @strawberry.field(
        description="Approved exhibitors with their products: public once the fair is published. All of "
        "them, unpaged.",
        deprecation_reason=deprecated_list("exhibitorsConnection"),
    )
    async def exhibitors(self, info: Info) -> list[ExhibitorApplication]:
        return [self._application(a) for a in await self._exhibitors(info)]

    @strawberry.field(
        description="Approved exhibitors (producers whose application was approved) with their products, "
        "a page at a time: public once the fair is published, empty before for those who do not organise it."
    )
    async def exhibitors_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[ExhibitorApplication]:
        rows = await self._exhibitors(info)
        return list_connection(rows, self._application, first, after, last, before)

    async def _exhibitors(self, info: Info) -> list[ApplicationModel]:
        if not self.shows_exhibitors:
            return []
        return await fair_loaders(info).exhibitors_by_fair.load(self.id)

    @strawberry.field(
        description="Applications: all of them for the fair's organisers, a producer's own for those who "
        "manage it, none for others. All of them, unpaged.",
        deprecation_reason=deprecated_list("applicationsConnection"),
    )
    async def applications(
        self,
        info: Info,
        status: Annotated[
            ApplicationStatus | None, strawberry.argument(description="Only applications in this status.")
        ] = None,
    ) -> list[ExhibitorApplication]:
        return [self._application(a) for a in await self._applications(info, status)]

    @strawberry.field(
        description="Applications to exhibit, oldest submission first, a page at a time: all of them for the "
        "fair's organisers, a producer's own for those who manage it, none for others."
    )
    async def applications_connection(
        self,
        info: Info,
        status: Annotated[
            ApplicationStatus | None, strawberry.argument(description="Only applications in this status.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ExhibitorApplication]:
        rows = await self._applications(info, status)
        return list_connection(rows, self._application, first, after, last, before)

    async def _applications(self, info: Info, status: ApplicationStatus | None) -> list[ApplicationModel]:
        rows = await fair_loaders(info).applications_by_fair.load(self.id)
        if status is not None:
            rows = [a for a in rows if a.status == status]
        if not self.manages:
            producers = await info.context.loaders.producer.load_many([a.producer_id for a in rows])
            reach = info.context.reach
            rows = [
                a
                for a, p in zip(rows, producers, strict=True)
                if p is not None and registry_policy.may_manage_producer(reach, p)
            ]
        return rows

    @strawberry.field(description="Programme sessions, in time order.")
    async def programme(self, info: Info) -> list[ProgrammeSession]:
        rows = await fair_loaders(info).sessions_by_fair.load(self.id)
        return [ProgrammeSession.from_model(s) for s in sorted(rows, key=lambda s: (s.starts_at, s.id))]

    @strawberry.field(description="Community-tourism sites, craft villages, homestays and tours presented.")
    async def tourism_offerings(self, info: Info) -> list[TourismOffering]:
        rows = await fair_loaders(info).offerings_by_fair.load(self.id)
        return [TourismOffering.from_model(o) for o in rows]

    @strawberry.field(description="Its sponsors, by level.")
    async def sponsors(self, info: Info) -> list[Sponsor]:
        rows = await fair_loaders(info).sponsors_by_fair.load(self.id)
        return [Sponsor.from_model(s) for s in rows]

    @strawberry.field(
        description="The floor plan as an SVG document: zones, booths with their codes and (once published) "
        "exhibitors, and a legend. In the request's language."
    )
    async def floor_plan_svg(self, info: Info) -> str:
        return await floorplan.floor_plan_svg(
            self.row, show_exhibitors=self.shows_exhibitors, language=info.context.language
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await fair_loaders(info).fair.load_many([int(i) for i in node_ids])
        reach = info.context.reach
        return [cls.from_model(f, info) if f and fair_policy.sees_fair(reach, f) else None for f in rows]


async def _visible_fair(info: Info, fair_id: int) -> FairModel | None:
    fair = await fair_loaders(info).fair.load(fair_id)
    return fair if fair is not None and fair_policy.sees_fair(info.context.reach, fair) else None


async def _on_visible_fairs[Row: (ZoneModel, BoothModel), Node](
    info: Info, rows: Iterable[Row | None], make: Callable[[Row, bool], Node]
) -> list[Node | None]:
    """Zones or booths fetched by node ID: each as a type that shows exhibitors if the caller may see them,
    None where the row is gone or its fair is not visible to the caller."""
    out: list[Node | None] = []
    for row in rows:
        fair = await _visible_fair(info, row.fair_id) if row else None
        out.append(make(row, fair_policy.sees_exhibitors(info.context.reach, fair)) if row and fair else None)
    return out


@strawberry.type(
    description="A zone: an area of the fair floor hosting some OCOP product groups, drawn on the floor plan "
    "in its colour; its booths' codes start with its code."
)
class Zone(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="Short code, e.g. A; its booths' codes start with it.")
    name: str = strawberry.field(description='Name in Vietnamese (e.g. "Khu sản phẩm thực phẩm").')
    name_en: str | None = strawberry.field(
        description="Its name in English, when one was given (`name` is the Vietnamese one). Null when no English one was given."
    )
    product_groups: list[str] = strawberry.field(
        description="OCOP product groups (QĐ 148 codes '1'..'6') it hosts; empty: any group."
    )
    color: str = strawberry.field(description="Fill colour on the floor plan, #rrggbb.")
    x_m: float = strawberry.field(description="Left edge, in metres from the floor's left edge.")
    y_m: float = strawberry.field(description="Front edge, in metres from the floor's top edge.")
    width_m: float = strawberry.field(description="Width, in metres.")
    depth_m: float = strawberry.field(description="Depth, in metres.")
    fair_id: strawberry.Private[int]
    shows_exhibitors: strawberry.Private[bool]

    @classmethod
    def from_model(cls, z: ZoneModel, shows_exhibitors: bool) -> Self:
        return from_row(
            cls, z, product_groups=list(z.product_groups or []), shows_exhibitors=shows_exhibitors
        )

    @strawberry.field(description="The name in the request's language.")
    def display_name(self, info: Info) -> str:
        return _pick(info, self.name, self.name_en)

    @strawberry.field(
        description="Its booths, by code; all of them, unpaged.",
        deprecation_reason=deprecated_list("boothsConnection"),
    )
    async def booths(self, info: Info) -> list[Booth]:
        rows = await fair_loaders(info).booths_by_zone.load(self.id)
        return [Booth.from_model(b, self.shows_exhibitors) for b in rows]

    @strawberry.field(description="Its booths, by code, a page at a time.")
    async def booths_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[Booth]:
        rows = await fair_loaders(info).booths_by_zone.load(self.id)
        convert = partial(Booth.from_model, shows_exhibitors=self.shows_exhibitors)
        return list_connection(rows, convert, first, after, last, before)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await fair_loaders(info).zone.load_many([int(i) for i in node_ids])
        return await _on_visible_fairs(info, rows, cls.from_model)


@strawberry.type(name="BoothAssignment", description="An exhibitor on a booth.")
class BoothAssignmentType:
    manual: bool = strawberry.field(description="Set by an organiser; automatic assignment keeps it.")
    assigned_at: dt.datetime = strawberry.field(description="When it was assigned.")
    booth_id: strawberry.Private[int]
    application_id: strawberry.Private[int]
    shows_exhibitors: strawberry.Private[bool]

    @classmethod
    def from_model(cls, a: AssignmentModel, shows_exhibitors: bool) -> Self:
        return from_row(cls, a, shows_exhibitors=shows_exhibitors)

    @strawberry.field(description="The booth.")
    async def booth(self, info: Info) -> Booth:
        booth = await fair_loaders(info).booth.load(self.booth_id)
        assert booth is not None
        return Booth.from_model(booth, self.shows_exhibitors)

    @strawberry.field(description="The exhibitor on it.")
    async def exhibitor(self, info: Info) -> ExhibitorApplication:
        application = await fair_loaders(info).application.load(self.application_id)
        assert application is not None
        return ExhibitorApplication.from_model(application, self.shows_exhibitors)


@strawberry.type(
    description="A booth (gian hàng): a rented stand on the fair's floor plan, a rectangle in metres inside "
    "a zone, assigned to one approved exhibitor (by an organiser or by automatic assignment)."
)
class Booth(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="e.g. A01.")
    booth_type: BoothType = strawberry.field(description="Standard, corner, premium or outdoor.")
    width_m: float = strawberry.field(description="Width, in metres.")
    depth_m: float = strawberry.field(description="Depth, in metres.")
    x_m: float = strawberry.field(description="Left edge, in metres from the floor's left edge.")
    y_m: float = strawberry.field(description="Front edge, in metres from the floor's top edge.")
    price_vnd: int | None = strawberry.field(
        description="Rental price in Vietnamese đồng, when set. Null when no price was set."
    )
    zone_id: strawberry.Private[int]
    fair_id: strawberry.Private[int]
    shows_exhibitors: strawberry.Private[bool]

    @classmethod
    def from_model(cls, b: BoothModel, shows_exhibitors: bool) -> Self:
        return from_row(cls, b, shows_exhibitors=shows_exhibitors)

    @strawberry.field(description="The zone it is in.")
    async def zone(self, info: Info) -> Zone:
        zone = await fair_loaders(info).zone.load(self.zone_id)
        assert zone is not None
        return Zone.from_model(zone, self.shows_exhibitors)

    @strawberry.field(description="Who has the booth: null when free, or while exhibitors are not public.")
    async def assignment(self, info: Info) -> BoothAssignmentType | None:
        if not self.shows_exhibitors:
            return None
        row = await fair_loaders(info).assignment_by_booth.load(self.id)
        return BoothAssignmentType.from_model(row, True) if row else None

    @strawberry.field(
        description="The exhibitor on the booth (see assignment). Null when the booth is free, or for callers who may not yet see exhibitors (before the fair is published)."
    )
    async def exhibitor(self, info: Info) -> ExhibitorApplication | None:
        assignment = await self.assignment(info)
        return await assignment.exhibitor(info) if assignment else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await fair_loaders(info).booth.load_many([int(i) for i in node_ids])
        return await _on_visible_fairs(info, rows, cls.from_model)


@strawberry.type(
    description="A producer's application to exhibit at a fair; once APPROVED, the producer is an exhibitor."
)
class ExhibitorApplication(relay.Node):
    id: relay.NodeID[int]
    status: ApplicationStatus = strawberry.field(description="Where the application stands.")
    wanted_booth_type: BoothType = strawberry.field(description="The type of booth asked for.")
    booths_wanted: int = strawberry.field(description="How many booths asked for.")
    description: str | None = strawberry.field(description="Short text for the catalog. Null when not given.")
    description_en: str | None = strawberry.field(
        description="The catalog text in English. Null when no English one was given."
    )
    submitted_at: dt.datetime = strawberry.field(description="When it was sent.")
    decided_at: dt.datetime | None = strawberry.field(
        description="When the organisers decided. Null while it is still submitted (not yet decided)."
    )
    fair_id: strawberry.Private[int]
    producer_id: strawberry.Private[int]
    wanted_zone_id: strawberry.Private[int | None]
    shows_exhibitors: strawberry.Private[bool]

    @classmethod
    def from_model(cls, a: ApplicationModel, shows_exhibitors: bool) -> Self:
        return from_row(cls, a, shows_exhibitors=shows_exhibitors)

    @strawberry.field(
        description="The catalog text in the request's language. Null when no text was given in either language."
    )
    def display_description(self, info: Info) -> str | None:
        return _pick(info, self.description, self.description_en) if self.description else self.description_en

    @strawberry.field(description="The producer applying (the exhibitor).")
    async def producer(self, info: Info) -> Producer:
        producer = await info.context.loaders.producer.load(self.producer_id)
        assert producer is not None
        return Producer.from_model(producer)

    @strawberry.field(description="Products it shows at the fair (those the caller may see).")
    async def products(self, info: Info) -> list[Product]:
        rows = await fair_loaders(info).products_by_application.load(self.id)
        if all(p.is_published for p in rows):
            return [Product.from_model(p) for p in rows]
        producer = await info.context.loaders.producer.load(self.producer_id)
        assert producer is not None
        reach = info.context.reach
        return [Product.from_model(p) for p in rows if registry_policy.sees_product(reach, p, producer)]

    @strawberry.field(description="The zone asked for, if any. Null when it asked for no zone.")
    async def wanted_zone(self, info: Info) -> Zone | None:
        if self.wanted_zone_id is None:
            return None
        zone = await fair_loaders(info).zone.load(self.wanted_zone_id)
        return Zone.from_model(zone, self.shows_exhibitors) if zone else None

    @strawberry.field(description="Booths it holds, by code.")
    async def booths(self, info: Info) -> list[Booth]:
        loaders = fair_loaders(info)
        assignments = await loaders.assignments_by_application.load(self.id)
        booths = await loaders.booth.load_many([a.booth_id for a in assignments])
        return [
            Booth.from_model(b, self.shows_exhibitors)
            for b in sorted((b for b in booths if b), key=lambda b: b.code)
        ]

    @strawberry.field(description="The fair applied to.")
    async def fair(self, info: Info) -> Fair:
        fair = await fair_loaders(info).fair.load(self.fair_id)
        assert fair is not None
        return Fair.from_model(fair, info)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await fair_loaders(info).application.load_many([int(i) for i in node_ids])
        return [cast(Self | None, await visible_application(info, r)) if r else None for r in rows]


async def visible_application(info: Info, row: ApplicationModel) -> ExhibitorApplication | None:
    fair = await fair_loaders(info).fair.load(row.fair_id)
    producer = await info.context.loaders.producer.load(row.producer_id)
    if fair is None or producer is None:
        return None
    reach = info.context.reach
    approved = row.status == ApplicationStatus.APPROVED
    if not fair_policy.sees_application(reach, fair, producer, approved=approved):
        return None
    return ExhibitorApplication.from_model(row, fair_policy.sees_exhibitors(reach, fair))


@strawberry.type(
    description="A ceremony, seminar, business-matching session or tour of the fair's programme."
)
class ProgrammeSession:
    id: strawberry.ID = strawberry.field(description="The session's global ID.")
    kind: SessionKind = strawberry.field(description="What kind of session.")
    title: str = strawberry.field(description="Its title, in Vietnamese.")
    title_en: str | None = strawberry.field(
        description="The title in English, when one was given. Null when no English one was given."
    )
    starts_at: dt.datetime = strawberry.field(description="When it starts.")
    ends_at: dt.datetime = strawberry.field(description="When it ends.")
    place: str | None = strawberry.field(description="Where at the fair. Null when not given.")
    speakers: list[str] = strawberry.field(description="Who speaks or leads it.")
    description: str | None = strawberry.field(
        description="What it is about, in Vietnamese. Null when not given."
    )
    description_en: str | None = strawberry.field(
        description="The description in English, when one was given. Null when no English one was given."
    )

    @classmethod
    def from_model(cls, s: SessionModel) -> Self:
        return from_row(cls, s, id=strawberry.ID(str(s.id)), speakers=list(s.speakers or []))

    @strawberry.field(description="The title in the request's language.")
    def display_title(self, info: Info) -> str:
        return _pick(info, self.title, self.title_en)


@strawberry.type(description="A community-tourism site, craft village, homestay or tour presented at a fair.")
class TourismOffering:
    id: strawberry.ID = strawberry.field(description="The offering's global ID.")
    kind: OfferingKind = strawberry.field(description="What kind of offering.")
    name: str = strawberry.field(description="Its name in Vietnamese.")
    name_en: str | None = strawberry.field(
        description="Its name in English, when one was given (`name` is the Vietnamese one). Null when no English one was given."
    )
    address: str | None = strawberry.field(description="Where it is. Null when not given.")
    description: str | None = strawberry.field(
        description="What visitors find there, in Vietnamese. Null when not given."
    )
    description_en: str | None = strawberry.field(
        description="The description in English, when one was given. Null when no English one was given."
    )
    contact: str | None = strawberry.field(description="How to book or reach it. Null when not given.")
    image_url: str | None = strawberry.field(description="A photo. Null when not given.")
    commune_id: strawberry.Private[int | None]
    product_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, o: OfferingModel) -> Self:
        return from_row(cls, o, id=strawberry.ID(str(o.id)))

    @strawberry.field(description="The commune where it is. Null when not given.")
    async def commune(self, info: Info) -> AdministrativeUnit | None:
        return await _admin_unit(info, self.commune_id)

    @strawberry.field(
        description="Its OCOP group 6 product, where there is one. Null when it is tied to no OCOP product, or the caller may not see that product."
    )
    async def product(self, info: Info) -> Product | None:
        return await visible_product(info, self.product_id) if self.product_id else None


@strawberry.type(description="A sponsor of a fair.")
class Sponsor:
    name: str = strawberry.field(description="The sponsor's name.")
    level: str = strawberry.field(description="diamond, gold, silver or partner.")
    logo_url: str | None = strawberry.field(description="Its logo. Null when not given.")
    website: str | None = strawberry.field(description="Its website. Null when not given.")

    @classmethod
    def from_model(cls, s: SponsorModel) -> Self:
        return from_row(cls, s)


@strawberry.type(description="Something automatic assignment could not do.")
class AssignmentConflict:
    kind: ConflictKind = strawberry.field(description="What went wrong.")
    message: str = strawberry.field(description="The same in words, in the request's language.")
    application_id: strawberry.Private[int | None]
    province_id: strawberry.Private[int | None]

    @classmethod
    def from_conflict(cls, c: Conflict, language: str) -> Self:
        return from_row(cls, c, message=c.message_en if language == "en" else c.message)

    @strawberry.field(
        description="The exhibitor concerned, if one is. Null for PROVINCE_APART, which concerns a province's exhibitors together."
    )
    async def exhibitor(self, info: Info) -> ExhibitorApplication | None:
        if self.application_id is None:
            return None
        row = await fair_loaders(info).application.load(self.application_id)
        return ExhibitorApplication.from_model(row, True) if row else None

    @strawberry.field(
        description="The province concerned (PROVINCE_APART). Null for every code but PROVINCE_APART."
    )
    async def province(self, info: Info) -> AdministrativeUnit | None:
        return await _admin_unit(info, self.province_id)


@strawberry.type(description="What automatic assignment did, and what it could not do.")
class AutoAssignReport:
    placed: list[BoothAssignmentType] = strawberry.field(description="Assignments made by this run.")
    conflicts: list[AssignmentConflict] = strawberry.field(description="What it could not do.")
