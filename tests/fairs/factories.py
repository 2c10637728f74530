"""Small factories for fairs, built through the services organisers and producers call."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from models import (
    AdminUnit,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    BoothType,
    ExhibitorApplication,
    Fair,
    FairKind,
    FairStatus,
    Producer,
    Product,
    SessionKind,
    UnitEra,
    UnitLevel,
    Zone,
)
from services.common.clock import VIETNAM
from services.fairs import applications, layout, manage
from services.fairs.layout import BoothRow, ZoneRow
from services.policy import SYSTEM
from tests.factories import make_producer, make_product

DEMO_FAIR = "hoi-cho-ocop-du-lich-2019"
FAIR_NAME = "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ"
# Legacy (pre-2025) province codes used across the fairs tests.
BEN_TRE, DONG_THAP, TIEN_GIANG, LAM_DONG = "83", "87", "82", "68"
_names = itertools.count(1)


async def make_fair(
    slug: str = DEMO_FAIR, status: FairStatus = FairStatus.ACCEPTING, **overrides: Any
) -> Fair:
    """A fair in Bến Tre city, 6-10 June 2019. The status is set directly: its rules are tested apart."""
    data = manage.FairData(
        slug=slug,
        name=FAIR_NAME,
        name_en="OCOP - Tourism Fair 2019, Southwest and Southeast regions",
        kind=FairKind.OCOP_TOURISM,
        venue="Quảng trường Đồng Khởi, TP Bến Tre",
        starts_on=dt.date(2019, 6, 6),
        ends_on=dt.date(2019, 6, 10),
        theme="Sản phẩm OCOP – Tiềm năng và Phát triển",
        regions=["Tây Nam Bộ", "Đông Nam Bộ"],
        province_code=BEN_TRE,
        province_era=UnitEra.LEGACY,
        opening_hours="8:00 – 22:00",
        organisers=[manage.OrganiserData("UBND tỉnh Bến Tre", "Đơn vị chủ trì")],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    fair = await manage.create_fair(data, SYSTEM)
    if status != FairStatus.DRAFT:
        await Fair.filter(id=fair.id).update(status=status)
        await fair.refresh_from_db()
    return fair


def zone(
    code: str, name: str, groups: list[str], x: float, y: float, w: float = 30, d: float = 12
) -> ZoneRow:
    return ZoneRow(code=code, name=name, product_groups=groups, x_m=x, y_m=y, width_m=w, depth_m=d)


def booth_row(
    zone_code: str,
    count: int,
    *,
    x: float = 0,
    y: float = 0,
    start: int = 1,
    booth_type: BoothType = BoothType.STANDARD,
    size: float = 3,
) -> list[BoothRow]:
    """`count` booths side by side, left to right from (x, y): A01, A02..."""
    return [
        BoothRow(
            code=f"{zone_code}{start + n:02d}",
            zone_code=zone_code,
            booth_type=booth_type,
            x_m=x + n * size,
            y_m=y,
            width_m=size,
            depth_m=size,
        )
        for n in range(count)
    ]


async def make_layout(fair: Fair, zones: list[ZoneRow], booths: list[BoothRow]) -> dict[str, Booth]:
    await layout.import_layout(fair.id, zones, booths, SYSTEM)
    return {b.code: b for b in await Booth.filter(fair_id=fair.id)}


async def commune_in(province_code: str) -> str:
    """The code of a legacy commune of a legacy province."""
    province = await AdminUnit.get(level=UnitLevel.PROVINCE, era=UnitEra.LEGACY, code=province_code)
    commune = (
        await AdminUnit.filter(level=UnitLevel.COMMUNE, era=UnitEra.LEGACY, province_id=province.id)
        .order_by("code")
        .first()
    )
    assert commune is not None
    return commune.code


async def make_exhibitor(
    fair: Fair,
    *,
    province: str = BEN_TRE,
    groups: tuple[str, ...] = ("1",),
    name: str | None = None,
    status: ApplicationStatus = ApplicationStatus.APPROVED,
    booths_wanted: int = 1,
    wanted_zone: Zone | None = None,
    wanted_type: BoothType = BoothType.STANDARD,
    producer: Producer | None = None,
) -> ExhibitorApplication:
    """A producer of `province` applying with one product per group in `groups`, then decided. The fair
    must accept applications."""
    producer = producer or await make_producer(
        name=name or f"HTX Trưng bày {next(_names)} (demo)",
        communeCode=await commune_in(province),
        communeEra=UnitEra.LEGACY,
    )
    products: list[Product] = [
        await make_product(producer, name=f"Sản phẩm nhóm {g} số {n}", group=g, subgroup=f"{g}.1")
        for n, g in enumerate(groups)
    ]
    application = await applications.apply(
        applications.ApplicationData(
            fair_id=fair.id,
            producer_id=producer.id,
            product_ids=[p.id for p in products],
            wanted_zone_id=wanted_zone.id if wanted_zone else None,
            wanted_booth_type=wanted_type,
            booths_wanted=booths_wanted,
            description="Đặc sản Bến Tre",
        ),
        SYSTEM,
    )
    decision = {
        ApplicationStatus.APPROVED: applications.Decision.APPROVE,
        ApplicationStatus.WAITLISTED: applications.Decision.WAITLIST,
        ApplicationStatus.REJECTED: applications.Decision.REJECT,
    }.get(status)
    if decision is not None:
        application = await applications.decide(application.id, decision, SYSTEM)
    return application


@dataclass
class FairWorld:
    """What the authorization matrix needs: the demo fair (accepting applications, organised by the
    matrix's organiser) with zone A (food) of booths A01-A03, zone B empty; P2's submitted application;
    P3 approved for 2 booths and manually on A03."""

    fair: Fair
    zone_a: Zone
    booths: dict[str, Booth]
    submitted: ExhibitorApplication  # of the matrix's P2 (Đồng Tháp)
    approved: ExhibitorApplication  # of P3, on A03


async def fair_world(p2: Producer) -> FairWorld:
    fair = await make_fair(DEMO_FAIR, FairStatus.ACCEPTING)
    booths = await make_layout(
        fair,
        [zone("A", "Khu ẩm thực", ["1"], 0, 0)],
        booth_row("A", 3),
    )
    zone_a = await Zone.get(fair_id=fair.id, code="A")
    submitted = await make_exhibitor(fair, producer=p2, status=ApplicationStatus.SUBMITTED)
    approved = await make_exhibitor(fair, name="HTX Bánh phồng Sơn Đốc (demo)", booths_wanted=2)
    await BoothAssignment.create(
        fair_id=fair.id, booth_id=booths["A03"].id, application_id=approved.id, manual=True
    )
    return FairWorld(fair, zone_a, booths, submitted, approved)


def opening_ceremony(fair_id: int, **more: Any) -> manage.SessionData:
    """The opening ceremony of a fair made by `make_fair`: its first evening, 19:00-21:00 Viet Nam time."""
    return manage.SessionData(
        fair_id,
        SessionKind.CEREMONY,
        "Lễ khai mạc",
        dt.datetime(2019, 6, 6, 19, tzinfo=VIETNAM),
        dt.datetime(2019, 6, 6, 21, tzinfo=VIETNAM),
        **more,
    )
