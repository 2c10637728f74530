"""An organiser sets up the 2019 OCOP-Tourism fair in Bến Tre, producers apply, booths are assigned; the
database keeps one exhibitor per booth and each assignment within its fair."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from models import (
    ApplicationStatus,
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    Fair,
    FairKind,
    FairStatus,
    ProgrammeSession,
    Role,
    SessionKind,
    Zone,
)
from services.accounts.auth import Actor, Grant
from services.common.clock import VIETNAM
from services.common.errors import DomainError
from services.fairs import applications, assignment, layout, manage
from services.fairs.errors import FairErrorCode
from services.fairs.layout import BoothRow
from services.policy import SYSTEM, Reach, reach_of
from tests.conftest import Database
from tests.factories import make_producer, make_product
from tests.fairs.factories import (
    DEMO_FAIR,
    FAIR_NAME,
    booth_row,
    make_exhibitor,
    make_fair,
    make_layout,
    opening_ceremony,
    zone,
)


async def organiser(slug: str = DEMO_FAIR) -> Reach:
    return await reach_of(Actor(user_id=1, grants=(Grant(Role.FAIR_ORGANISER, fair_scope=slug),)))


async def member_of(producer_id: int) -> Reach:
    return await reach_of(Actor(user_id=2, grants=(Grant(Role.PRODUCER_MEMBER, producer_id=producer_id),)))


def codes(exc: pytest.ExceptionInfo[DomainError]) -> set[tuple[str, StrEnum]]:
    return {(p.field, p.code) for p in exc.value.problems}


async def test_an_organiser_creates_its_fair_and_moves_it_through_its_statuses(db: Database) -> None:
    reach = await organiser()
    data = manage.FairData(
        slug=" Hoi-Cho-OCOP-Du-Lich-2019 ",
        name=unicodedata.normalize("NFD", FAIR_NAME),  # arrives decomposed, is stored composed
        kind=FairKind.OCOP_TOURISM,
        venue="Quảng trường Đồng Khởi",
        starts_on=dt.date(2019, 6, 6),
        ends_on=dt.date(2019, 6, 10),
        province_code="83",
    )
    fair = await manage.create_fair(data, reach)
    assert (fair.slug, fair.name, fair.status) == (DEMO_FAIR, FAIR_NAME, FairStatus.DRAFT)
    with pytest.raises(DomainError) as denied:
        await manage.create_fair(dataclasses.replace(data, slug="hoi-cho-khac-2019"), reach)
    assert codes(denied) == {("slug", FairErrorCode.FORBIDDEN)}

    await manage.change_status(fair.id, FairStatus.ACCEPTING, reach)
    with pytest.raises(DomainError) as empty:
        await manage.change_status(fair.id, FairStatus.PUBLISHED, reach)
    assert codes(empty) == {("status", FairErrorCode.NOT_ALLOWED)}  # no booths yet
    await make_layout(fair, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 2))
    await make_exhibitor(fair, status=ApplicationStatus.SUBMITTED)
    with pytest.raises(DomainError) as back:
        await manage.change_status(fair.id, FairStatus.DRAFT, reach)  # producers have applied
    assert codes(back) == {("status", FairErrorCode.NOT_ALLOWED)}
    assert (await manage.change_status(fair.id, FairStatus.PUBLISHED, reach)).status == FairStatus.PUBLISHED
    assert (await manage.change_status(fair.id, FairStatus.CLOSED, reach)).status == FairStatus.CLOSED
    with pytest.raises(DomainError) as final:
        await manage.change_status(fair.id, FairStatus.PUBLISHED, reach)
    assert codes(final) == {("status", FairErrorCode.NOT_ALLOWED)}


async def test_bad_fair_input_gets_every_problem(db: Database) -> None:
    data = manage.FairData(
        slug="Hội chợ 2019",
        name=" ",
        kind=FairKind.OCOP,
        venue="Bến Tre",
        starts_on=dt.date(2019, 6, 10),
        ends_on=dt.date(2019, 6, 6),
        province_code="99",
        floor_width_m=0,
    )
    with pytest.raises(DomainError) as bad:
        await manage.create_fair(data, SYSTEM)
    assert codes(bad) == {
        ("slug", FairErrorCode.INVALID),
        ("name", FairErrorCode.REQUIRED),
        ("endsOn", FairErrorCode.INVALID_DATE_RANGE),
        ("provinceCode", FairErrorCode.NOT_FOUND),
        ("floorWidthM", FairErrorCode.OUT_OF_RANGE),
    }
    await make_fair()
    with pytest.raises(DomainError) as taken:
        await make_fair()
    assert codes(taken) == {("slug", FairErrorCode.UNIQUE)}


async def test_the_organiser_of_another_fair_is_forbidden_and_nothing_is_written(db: Database) -> None:
    fair = await make_fair()
    booths = await make_layout(fair, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 2))
    exhibitor = await make_exhibitor(fair, status=ApplicationStatus.SUBMITTED)
    other = await organiser("hoi-cho-khac-2019")
    attempts: list[Callable[[], Awaitable[Any]]] = [
        lambda: manage.change_status(fair.id, FairStatus.PUBLISHED, other),
        lambda: layout.import_layout(fair.id, [], booth_row("A", 1, x=6, start=3), other),
        lambda: applications.decide(exhibitor.id, applications.Decision.APPROVE, other),
        lambda: assignment.assign_booth(booths["A01"].id, exhibitor.id, other),
        lambda: assignment.auto_assign(fair.id, other),
        lambda: manage.create_session(opening_ceremony(fair.id), other),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as refused:
            await attempt()
        assert [p.code for p in refused.value.problems] == [FairErrorCode.FORBIDDEN]
    await fair.refresh_from_db()
    assert fair.status == FairStatus.ACCEPTING
    assert await Booth.filter(fair_id=fair.id).count() == 2
    assert (await ExhibitorApplication.get(id=exhibitor.id)).status == ApplicationStatus.SUBMITTED
    assert not await BoothAssignment.exists()
    assert not await ProgrammeSession.exists()


async def test_a_bad_row_stores_nothing_and_names_its_row(db: Database) -> None:
    fair = await make_fair()
    zones = [zone("A", "Khu ẩm thực", ["1"], 0, 0), zone("B", "Khu đồ uống", ["2", "9"], 40, 0)]
    booths = [
        *booth_row("A", 2),
        BoothRow(code="C01", zone_code="C"),  # row 3: no zone C
        BoothRow(code="A02", zone_code="A", x_m=9),  # row 4: A02 twice
        BoothRow(code="A05", zone_code="A", x_m=1.5),  # row 5: overlaps A01 and A02
        BoothRow(code="B01", zone_code="B", x_m=69),  # row 6: outside zone B (40-70 m)
    ]
    with pytest.raises(DomainError) as bad:
        await layout.import_layout(fair.id, zones, booths, SYSTEM)
    assert codes(bad) == {
        ("zones.1.productGroups", FairErrorCode.INVALID),
        ("booths.2.zoneCode", FairErrorCode.NOT_FOUND),
        ("booths.3.code", FairErrorCode.UNIQUE),
        ("booths.4.xM", FairErrorCode.INVALID),
        ("booths.5.xM", FairErrorCode.OUT_OF_RANGE),
    }
    messages = {p.field: (p.message, p.message_en) for p in bad.value.problems}
    assert messages["booths.2.zoneCode"] == ("Gian dòng 3: không có khu C.", "Booth row 3: no zone C.")
    assert messages["booths.3.code"] == (
        "Gian dòng 4: mã gian A02 lặp lại.",
        "Booth row 4: booth A02 is repeated.",
    )
    assert messages["zones.1.productGroups"][1].startswith("Zone row 2:")
    assert await Zone.filter(fair_id=fair.id).count() == 0
    assert await Booth.filter(fair_id=fair.id).count() == 0

    good = await layout.import_layout(fair.id, zones[:1], booth_row("A", 3), SYSTEM)
    assert (good.zones_created, good.booths_created) == (1, 3)
    again = await layout.import_layout(fair.id, zones[:1], booth_row("A", 3), SYSTEM)
    assert (again.zones_created, again.zones_updated, again.booths_created, again.booths_updated) == (
        0,
        1,
        0,
        3,
    )
    assert await Booth.filter(fair_id=fair.id).count() == 3


async def test_producers_apply_with_their_own_published_products(db: Database) -> None:
    fair = await make_fair()
    await make_layout(fair, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 2))
    producer = await make_producer(name="HTX Dừa Xanh Giồng Trôm (demo)")
    candy = await make_product(producer, name="Kẹo dừa sầu riêng lá dứa")
    hidden = await make_product(producer, name="Kẹo dừa thử nghiệm", isPublished=False)
    foreign = await make_product(name="Rượu Phú Lễ")
    reach = await member_of(producer.id)
    data = applications.ApplicationData(
        fair.id, producer.id, [candy.id, hidden.id, foreign.id], booths_wanted=11
    )
    with pytest.raises(DomainError) as bad:
        await applications.apply(data, reach)
    assert codes(bad) == {
        ("productIds.1", FairErrorCode.NOT_ALLOWED),
        ("productIds.2", FairErrorCode.NOT_ALLOWED),
        ("boothsWanted", FairErrorCode.OUT_OF_RANGE),
    }
    with pytest.raises(DomainError) as not_theirs:
        await applications.apply(
            applications.ApplicationData(fair.id, foreign.producer_id, [foreign.id]),
            reach,
        )
    assert codes(not_theirs) == {("producerId", FairErrorCode.FORBIDDEN)}

    applied = await applications.apply(applications.ApplicationData(fair.id, producer.id, [candy.id]), reach)
    assert applied.status == ApplicationStatus.SUBMITTED
    with pytest.raises(DomainError) as twice:
        await applications.apply(applications.ApplicationData(fair.id, producer.id, [candy.id]), reach)
    assert codes(twice) == {("producerId", FairErrorCode.UNIQUE)}
    await applications.withdraw(applied.id, reach)
    again = await applications.apply(applications.ApplicationData(fair.id, producer.id, [candy.id]), reach)
    assert (again.id, again.status) == (applied.id, ApplicationStatus.SUBMITTED)  # the withdrawn one, again

    await Fair.filter(id=fair.id).update(status=FairStatus.PUBLISHED)
    late = await make_producer()
    with pytest.raises(DomainError) as closed:
        await applications.apply(
            applications.ApplicationData(fair.id, late.id, [(await make_product(late)).id]), SYSTEM
        )
    assert codes(closed) == {("fairId", FairErrorCode.NOT_ALLOWED)}


async def test_an_exhibitor_no_longer_approved_loses_its_booths(db: Database) -> None:
    fair = await make_fair()
    booths = await make_layout(fair, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 2))
    exhibitor = await make_exhibitor(fair, booths_wanted=2)
    await assignment.assign_booth(booths["A01"].id, exhibitor.id, SYSTEM)
    decided = await applications.decide(exhibitor.id, applications.Decision.WAITLIST, SYSTEM)
    assert decided.status == ApplicationStatus.WAITLISTED
    assert not await BoothAssignment.exists(application_id=exhibitor.id)
    with pytest.raises(DomainError) as waiting:
        await assignment.assign_booth(booths["A01"].id, exhibitor.id, SYSTEM)
    assert codes(waiting) == {("applicationId", FairErrorCode.NOT_ALLOWED)}
    await applications.decide(exhibitor.id, applications.Decision.APPROVE, SYSTEM)
    await assignment.assign_booth(booths["A02"].id, exhibitor.id, SYSTEM)
    producer_reach = await member_of(exhibitor.producer_id)
    await applications.withdraw(exhibitor.id, producer_reach)
    assert not await BoothAssignment.exists(application_id=exhibitor.id)
    with pytest.raises(DomainError) as withdrawn:
        await applications.decide(exhibitor.id, applications.Decision.APPROVE, SYSTEM)
    assert codes(withdrawn) == {("applicationId", FairErrorCode.NOT_ALLOWED)}


async def test_one_exhibitor_per_booth(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    fair = await make_fair()
    booths = await make_layout(fair, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 2))
    first = await make_exhibitor(fair, name="HTX Kẹo dừa Mỏ Cày (demo)")
    second = await make_exhibitor(fair, name="HTX Bưởi da xanh Chợ Lách (demo)")
    a01 = booths["A01"].id
    await assignment.assign_booth(a01, first.id, SYSTEM)

    # The database refuses a second exhibitor on the booth, whoever writes it.
    with pytest.raises(IntegrityError):
        await BoothAssignment.create(fair_id=fair.id, booth_id=a01, application_id=second.id)
    # The service says why, and reassigns only when asked to.
    with pytest.raises(DomainError) as taken:
        await assignment.assign_booth(a01, second.id, SYSTEM)
    assert codes(taken) == {("boothId", FairErrorCode.UNIQUE)}
    moved = await assignment.assign_booth(a01, second.id, SYSTEM, replace=True)
    assert (moved.application_id, moved.manual) == (second.id, True)
    assert await BoothAssignment.filter(booth_id=a01).count() == 1

    # Two organisers at once: the check passes for both, the unique index stops the second.
    async def nobody(booth_id: int, conn: object) -> None:
        return None

    monkeypatch.setattr(assignment, "_holder", nobody)
    with pytest.raises(DomainError) as raced:
        await assignment.assign_booth(a01, first.id, SYSTEM)
    assert codes(raced) == {("boothId", FairErrorCode.UNIQUE)}
    assert (await BoothAssignment.get(booth_id=a01)).application_id == second.id


async def test_an_assignment_stays_within_its_fair(db: Database) -> None:
    fair_x = await make_fair()
    fair_y = await make_fair("hoi-cho-nong-nghiep-dbscl-2019")
    booths_y = await make_layout(fair_y, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 1))
    booths_x = await make_layout(fair_x, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 1))
    exhibitor_x = await make_exhibitor(fair_x)
    y01 = booths_y["A01"].id

    # Directly through the ORM, skipping every check of the services: the database refuses.
    for fair_id in (fair_x.id, fair_y.id):
        with pytest.raises(IntegrityError):
            await BoothAssignment.create(fair_id=fair_id, booth_id=y01, application_id=exhibitor_x.id)
    ok = await BoothAssignment.create(
        fair_id=fair_x.id, booth_id=booths_x["A01"].id, application_id=exhibitor_x.id
    )
    with pytest.raises(IntegrityError):  # moving it to the other fair's booth later
        await BoothAssignment.filter(id=ok.id).update(booth_id=y01)
    assert not await BoothAssignment.exists(booth_id=y01)

    with pytest.raises(DomainError) as refused:
        await assignment.assign_booth(y01, exhibitor_x.id, SYSTEM)
    assert codes(refused) == {("applicationId", FairErrorCode.NOT_FOUND)}


async def test_programme_sessions_fall_within_the_fair(db: Database) -> None:
    fair = await make_fair()
    opening = await manage.create_session(
        opening_ceremony(fair.id, speakers=["Lãnh đạo UBND tỉnh Bến Tre"]),
        SYSTEM,
    )
    assert opening.title == "Lễ khai mạc"
    with pytest.raises(DomainError) as late:
        await manage.create_session(
            manage.SessionData(
                fair.id,
                SessionKind.TOUR,
                "Tham quan làng nghề bánh phồng Sơn Đốc",
                dt.datetime(2019, 6, 11, 8, tzinfo=VIETNAM),
                dt.datetime(2019, 6, 11, 7, tzinfo=VIETNAM),
            ),
            SYSTEM,
        )
    assert codes(late) == {
        ("startsAt", FairErrorCode.OUT_OF_RANGE),
        ("endsAt", FairErrorCode.OUT_OF_RANGE),
        ("endsAt", FairErrorCode.INVALID_DATE_RANGE),
    }
