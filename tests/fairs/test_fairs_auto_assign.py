"""Automatic booth assignment: exhibitors go to the zones of their product groups, get the booth types they
asked for where possible, sit next to the exhibitors of their province, never share a booth, keep what an
organiser assigned by hand, and the report names what could not be done."""

from __future__ import annotations

import random
from collections import defaultdict

from models import Booth, BoothAssignment, BoothType, CriteriaSet, Zone
from services.fairs import applications, assignment, planner
from services.fairs.planner import BoothSpot, ConflictKind, ExhibitorSpec, ZoneSpec
from services.policy import SYSTEM
from tests.conftest import Database
from tests.fairs.factories import (
    BEN_TRE,
    DONG_THAP,
    LAM_DONG,
    TIEN_GIANG,
    booth_row,
    make_exhibitor,
    make_fair,
    make_layout,
    zone,
)


async def _placement(fair_id: int) -> dict[int, list[str]]:
    """Booth codes held by each application."""
    held: dict[int, list[str]] = defaultdict(list)
    for booth_code, application_id in await BoothAssignment.filter(fair_id=fair_id).values_list(
        "booth__code", "application_id"
    ):
        held[application_id].append(booth_code)
    return {a: sorted(codes) for a, codes in held.items()}


async def test_exhibitors_go_to_the_zones_of_their_product_groups(db: Database) -> None:
    fair = await make_fair()
    await make_layout(
        fair,
        [
            zone("A", "Khu ẩm thực", ["1"], 0, 0),
            zone("B", "Khu đồ uống", ["2"], 0, 20),
            zone("C", "Khu thủ công mỹ nghệ", ["4"], 0, 40),
        ],
        [*booth_row("A", 4), *booth_row("B", 4, y=20), *booth_row("C", 4, y=40)],
    )
    zone_b = await Zone.get(fair_id=fair.id, code="B")
    zone_c = await Zone.get(fair_id=fair.id, code="C")
    mostly_food = await make_exhibitor(fair, groups=("1", "1", "2"), name="HTX Kẹo dừa (demo)")
    asked_drinks = await make_exhibitor(
        fair, groups=("1", "2"), wanted_zone=zone_b, name="HTX Rượu Phú Lễ (demo)"
    )
    crafts_asking_c = await make_exhibitor(
        fair, groups=("4",), wanted_zone=zone_c, name="HTX Chổi Mỹ An (demo)"
    )
    food_asking_c = await make_exhibitor(
        fair, groups=("1",), wanted_zone=zone_c, name="HTX Bánh tráng (demo)"
    )
    plants = await make_exhibitor(fair, groups=("5",), name="HTX Hoa kiểng Cái Mơn (demo)")

    result = await assignment.auto_assign(fair.id, SYSTEM)
    held = await _placement(fair.id)
    assert held[mostly_food.id][0].startswith("A")  # 2 of its 3 products are food
    assert held[asked_drinks.id][0].startswith("B")  # its wanted zone hosts one of its groups
    assert held[crafts_asking_c.id][0].startswith("C")
    assert held[food_asking_c.id][0].startswith("A")  # zone C does not host food
    assert plants.id not in held  # no zone hosts ornamental plants
    conflicts = {(c.kind, c.application_id) for c in result.conflicts}
    assert conflicts == {
        (ConflictKind.WANTED_ZONE, food_asking_c.id),
        (ConflictKind.NOT_PLACED, plants.id),
    }
    not_placed = next(c for c in result.conflicts if c.kind == ConflictKind.NOT_PLACED)
    assert not_placed.message == "HTX Hoa kiểng Cái Mơn (demo): không khu nào dành cho nhóm sản phẩm 5."
    assert not_placed.message_en == "HTX Hoa kiểng Cái Mơn (demo): no zone hosts product group(s) 5."


async def test_it_never_double_books_and_keeps_manual_assignments(db: Database) -> None:
    fair = await make_fair()
    booths = await make_layout(fair, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 6))
    first, second, third = [await make_exhibitor(fair, booths_wanted=2) for _ in range(3)]
    late = await make_exhibitor(fair, name="HTX Đến muộn (demo)")
    await assignment.assign_booth(booths["A03"].id, third.id, SYSTEM)  # by hand

    result = await assignment.auto_assign(fair.id, SYSTEM)
    rows = await BoothAssignment.filter(fair_id=fair.id).values_list("booth_id", "application_id", "manual")
    assert len(rows) == 6 == len({booth for booth, _, _ in rows})  # every booth once
    assert (booths["A03"].id, third.id, True) in rows
    held = await _placement(fair.id)
    assert held == {third.id: ["A02", "A03"], first.id: ["A04", "A05"], second.id: ["A01", "A06"]}
    assert [(c.kind, c.application_id) for c in result.conflicts] == [
        (ConflictKind.BOOTHS_APART, second.id),  # the two free booths left were apart
        (ConflictKind.NOT_PLACED, late.id),  # first come, first served
    ]
    assert result.conflicts[1].message_en == "HTX Đến muộn (demo): no free booth left in zone(s) A."

    again = await assignment.auto_assign(fair.id, SYSTEM)  # nothing left to do, nothing moves
    assert again.assignments == []
    assert await _placement(fair.id) == held
    replanned = await assignment.auto_assign(fair.id, SYSTEM, replan=True)  # the same plan again
    assert len(replanned.assignments) == len(result.assignments) == 5
    assert await _placement(fair.id) == held

    # A withdrawn exhibitor frees its booths for the next run.
    await applications.withdraw(first.id, SYSTEM)
    freed = await assignment.auto_assign(fair.id, SYSTEM)
    assert [(a.application_id, a.manual) for a in freed.assignments] == [(late.id, False)]


async def test_a_province_sits_together(db: Database) -> None:
    fair = await make_fair()
    # Two rows of 6 booths facing each other across a 3 m aisle, and one row of 4 at the back.
    await make_layout(
        fair,
        [zone("A", "Khu ẩm thực", ["1"], 0, 0, w=30, d=20)],
        [*booth_row("A", 6), *booth_row("A", 6, y=6, start=7), *booth_row("A", 4, y=12, start=13)],
    )
    provinces = [BEN_TRE, DONG_THAP, BEN_TRE, TIEN_GIANG, DONG_THAP, BEN_TRE, LAM_DONG, DONG_THAP, TIEN_GIANG,
                 BEN_TRE, DONG_THAP, BEN_TRE]  # fmt: skip
    exhibitors = [await make_exhibitor(fair, province=p) for p in provinces]
    big = await make_exhibitor(fair, province=LAM_DONG, booths_wanted=3, name="HTX Trà Cầu Đất (demo)")

    result = await assignment.auto_assign(fair.id, SYSTEM)
    assert result.conflicts == []
    spots = {b.code: assignment.booth_spot(b) for b in await Booth.filter(fair_id=fair.id)}
    neighbours = {
        s.id: frozenset(o.id for o in spots.values() if planner.touching(s, o)) for s in spots.values()
    }
    held = await _placement(fair.id)
    by_province: dict[str, list[int]] = defaultdict(list)
    for exhibitor, province in [*zip(exhibitors, provinces, strict=True), (big, LAM_DONG)]:
        by_province[province].extend(spots[code].id for code in held[exhibitor.id])
    for province, booth_ids in by_province.items():
        assert planner.connected(booth_ids, neighbours), (province, sorted(held.values()))
    assert planner.connected([spots[c].id for c in held[big.id]], neighbours)  # its own 3 booths together


async def test_the_report_names_what_it_could_not_do(db: Database) -> None:
    fair = await make_fair()
    await make_layout(
        fair,
        [zone("A", "Khu ẩm thực", ["1"], 0, 0)],
        [*booth_row("A", 2), *booth_row("A", 1, x=6, start=3, booth_type=BoothType.CORNER)],
    )
    corner = await make_exhibitor(fair, wanted_type=BoothType.CORNER, name="HTX Góc (demo)")
    premium = await make_exhibitor(fair, wanted_type=BoothType.PREMIUM, name="HTX Cao cấp (demo)")
    greedy = await make_exhibitor(fair, booths_wanted=3, name="HTX Ba gian (demo)")
    result = await assignment.auto_assign(fair.id, SYSTEM)
    held = await _placement(fair.id)
    assert held[corner.id] == ["A03"]
    assert held[premium.id] == ["A02"]  # beside its province's first booth
    assert held[greedy.id] == ["A01"]
    assert [(c.kind, c.application_id) for c in result.conflicts] == [
        (ConflictKind.BOOTH_TYPE, premium.id),
        (ConflictKind.FEWER_BOOTHS, greedy.id),
    ]
    assert result.conflicts[0].message == "HTX Cao cấp (demo): hết gian loại cao cấp, đã xếp gian A02."
    assert result.conflicts[1].message_en == "HTX Ba gian (demo): got 1 of 3 booths, zone A is full."


def test_products_rated_under_qd_1048_count_in_their_148_group() -> None:
    assert assignment.zone_group("5", CriteriaSet.QD_1048) == "4"  # souvenirs, decoration: handicrafts
    assert assignment.zone_group("5.1", CriteriaSet.QD_148) == "5"
    assert assignment.zone_group("2.1", CriteriaSet.QD_1048) == "2"


def test_the_same_input_gives_the_same_plan() -> None:
    zones = [ZoneSpec(1, "A", "Ẩm thực", frozenset({"1"})), ZoneSpec(2, "B", "Đồ uống", frozenset({"2"}))]
    booths = [
        BoothSpot(z.id * 100 + n, f"{z.code}{n:02d}", z.id, BoothType.CORNER if n in (1, 8) else BoothType.STANDARD,
                  (n - 1) % 4 * 3.0, (n - 1) // 4 * 3.0 + z.id * 20, 3.0, 3.0)
        for z in zones for n in range(1, 9)
    ]  # fmt: skip
    rng = random.Random(2019)
    exhibitors = [
        ExhibitorSpec(
            application_id=n,
            name=f"Đơn vị {n}",
            province_id=rng.choice([83, 87, 82]),
            province_name="Tỉnh",
            groups=tuple(rng.choice("12") for _ in range(3)),
            wanted_zone_id=rng.choice([None, 1, 2]),
            wanted_type=rng.choice([BoothType.STANDARD, BoothType.CORNER]),
            booths_wanted=rng.choice([1, 1, 2]),
        )
        for n in range(1, 15)
    ]
    expected = planner.plan(zones, booths, exhibitors, {101: 3})
    for _ in range(5):
        rng.shuffle(zones)
        rng.shuffle(booths)
        rng.shuffle(exhibitors)
        assert planner.plan(zones, booths, exhibitors, {101: 3}) == expected
    held = [booth for _, booth in expected.placements]
    assert len(held) == len(set(held))
    assert 101 not in held
