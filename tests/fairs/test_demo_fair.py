"""The demo of the 2019 OCOP-Tourism fair (services/demo/fair.py), loaded with the rest of the demo data
set. One test: the demo takes a few seconds to load and the database is emptied after each test."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter, defaultdict

from models import (
    AdminUnit,
    ApplicationProduct,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    BoothType,
    Evaluation,
    EvaluationStatus,
    ExhibitorApplication,
    Fair,
    FairKind,
    FairStatus,
    Membership,
    Producer,
    Product,
    ProductGroup,
    ProgrammeSession,
    Role,
    SessionKind,
    Sponsor,
    TourismOffering,
    User,
    Zone,
)
from services.common.clock import VIETNAM
from services.demo import loader as demo
from services.demo.fair import booth_plan
from services.demo.fair import data as fair_data
from services.registry import stars
from services.registry.search import ProductFilterData, product_query
from tests.conftest import Database

SOUTHWEST = {"83", "82", "86", "84", "87", "92", "89", "94", "80", "91", "93", "95", "96"}
SOUTHEAST = {"75", "74", "72", "77", "70", "79"}
GUESTS = {"68": "Lâm Đồng", "49": "Quảng Nam", "38": "Thanh Hóa", "46": "Thừa Thiên-Huế"}
EPSILON = 1e-6


def _inside(inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]) -> bool:
    x, y, w, d = inner
    ox, oy, ow, od = outer
    return (
        ox - EPSILON <= x and oy - EPSILON <= y and x + w <= ox + ow + EPSILON and y + d <= oy + od + EPSILON
    )


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return (
        a[0] < b[0] + b[2] - EPSILON
        and b[0] < a[0] + a[2] - EPSILON
        and a[1] < b[1] + b[3] - EPSILON
        and b[1] < a[1] + a[3] - EPSILON
    )


async def _table_counts() -> dict[str, int]:
    return {
        model.__name__: await model.all().count()
        for model in (
            Producer,
            Product,
            Evaluation,
            Fair,
            Zone,
            Booth,
            ExhibitorApplication,
            ApplicationProduct,
            BoothAssignment,
            ProgrammeSession,
            TourismOffering,
            Sponsor,
        )
    }


async def test_the_demo_fair_tells_the_2019_fair_and_loads_once(db: Database) -> None:
    await demo.load(with_accounts=True)
    fair = await Fair.get(slug=fair_data().slug)
    assert fair.name == "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ"
    assert fair.theme == "Sản phẩm OCOP – Tiềm năng và Phát triển"
    assert (fair.status, fair.kind) == (FairStatus.PUBLISHED, FairKind.OCOP_TOURISM)
    assert (fair.starts_on, fair.ends_on) == (dt.date(2019, 6, 6), dt.date(2019, 6, 10))
    assert fair.regions == ["Tây Nam Bộ", "Đông Nam Bộ"]
    for text in (fair.name_en, fair.foreword, fair.foreword_en, fair.practical_info, fair.opening_hours):
        assert text
    assert len(fair.organisers) >= 2
    assert all(o["name"] for o in fair.organisers)
    assert (await AdminUnit.get(id=fair.province_id)).name == "Tỉnh Bến Tre"

    # The floor plan: zones on the floor, booths inside their zone, nothing overlapping.
    zones = {z.id: z for z in await Zone.filter(fair_id=fair.id)}
    booths = await Booth.filter(fair_id=fair.id)
    assert len(zones) >= 5
    assert len(booths) >= 60
    floor = (0.0, 0.0, fair.floor_width_m, fair.floor_depth_m)
    zone_rects = {z.id: (z.x_m, z.y_m, z.width_m, z.depth_m) for z in zones.values()}
    for zone in zones.values():
        assert zone.product_groups, zone.code
        assert set(zone.product_groups) <= set("123456"), zone.code
        assert _inside(zone_rects[zone.id], floor), zone.code
        assert not any(_overlap(zone_rects[zone.id], r) for i, r in zone_rects.items() if i != zone.id)
    assert {g for z in zones.values() for g in z.product_groups} == set("123456")
    by_zone: dict[int, list[tuple[float, float, float, float]]] = defaultdict(list)
    for booth in booths:
        rect = (booth.x_m, booth.y_m, booth.width_m, booth.depth_m)
        assert _inside(rect, zone_rects[booth.zone_id]), booth.code
        assert not any(_overlap(rect, other) for other in by_zone[booth.zone_id]), booth.code
        by_zone[booth.zone_id].append(rect)
        assert booth.code.startswith(zones[booth.zone_id].code)
        assert booth.price_vnd is not None
        assert booth.price_vnd >= 0
    assert {b.booth_type for b in booths} == set(BoothType)
    assert len(booth_plan()) == len(booths)

    # Exhibitors: approved applications of fictional producers from both regions and the guest provinces.
    applications = await ExhibitorApplication.filter(fair_id=fair.id).select_related("producer")
    approved = [a for a in applications if a.status == ApplicationStatus.APPROVED]
    others = [a for a in applications if a.status != ApplicationStatus.APPROVED]
    assert len(approved) >= 40
    assert {a.status for a in others} == {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.CANCELLED,
    }
    assert all(a.producer.name.endswith("(demo)") for a in applications)
    province_ids = {a.producer.province_id for a in approved}
    provinces = {u.code: u.name for u in await AdminUnit.filter(id__in=province_ids)}
    assert len(provinces.keys() & SOUTHWEST) >= 8, provinces
    assert len(provinces.keys() & SOUTHEAST) >= 5, provinces
    assert GUESTS.keys() <= provinces.keys()

    # Booths: every exhibitor has the booths it asked for, in zones hosting its products' groups; no booth
    # has two exhibitors; applications that were not approved have none.
    assignments = await BoothAssignment.filter(fair_id=fair.id)
    booth_of = {b.id: b for b in booths}
    assert len({a.booth_id for a in assignments}) == len(assignments)
    booths_of: dict[int, list[Booth]] = defaultdict(list)
    for assignment in assignments:
        booths_of[assignment.application_id].append(booth_of[assignment.booth_id])
    assert {a.id for a in approved} == set(booths_of)
    assert all(len(booths_of[a.id]) == a.booths_wanted for a in approved)
    group_code = {g.id: g.code for g in await ProductGroup.all()}
    listed = await ApplicationProduct.filter(application__fair_id=fair.id).select_related("product")
    products_of: dict[int, list[Product]] = defaultdict(list)
    for item in listed:
        products_of[item.application_id].append(item.product)
    for application in approved:
        hosted = {g for b in booths_of[application.id] for g in zones[b.zone_id].product_groups}
        groups = {group_code[p.group_id] for p in products_of[application.id]}
        assert products_of[application.id], application.producer.name
        assert groups <= hosted, (application.producer.name, groups, hosted)
    # Exhibitors of a province in a zone stand on booths next to each other (consecutive codes).
    order = {b.id: i for i, b in enumerate(sorted(booths, key=lambda b: b.code))}
    province_booths: dict[tuple[int, int], list[int]] = defaultdict(list)
    for application in approved:
        for booth in booths_of[application.id]:
            key = (booth.zone_id, application.producer.province_id)
            province_booths[key].append(order[booth.id])
    assert all(max(v) - min(v) + 1 == len(v) for v in province_booths.values())

    # Products shown: published, listed by approved exhibitors, across the six groups; most certified 3-4★
    # valid on the fair's first day, a few expired before it (no stars), one potential 5★.
    shown = {p.id: p for a in approved for p in products_of[a.id] if p.is_published}
    assert len(shown) >= 100
    assert {group_code[p.group_id] for p in shown.values()} == set("123456")
    hidden = {p.id for a in others for p in products_of[a.id]}
    assert hidden
    assert not hidden & shown.keys()
    certificates: dict[int | None, Evaluation] = {
        e.id: e for e in await Evaluation.filter(id__in=[p.latest_certificate_id for p in shown.values()])
    }
    stars_at_fair = {
        pid: stars.current_stars(certificates.get(p.latest_certificate_id), fair.starts_on)
        for pid, p in shown.items()
    }
    rated = Counter(s for s in stars_at_fair.values() if s is not None)
    assert sum(rated.values()) > len(shown) / 2, rated
    assert set(rated) <= {3, 4}, rated
    expired = [
        p.name
        for pid, p in shown.items()
        if stars_at_fair[pid] is None
        and (c := certificates.get(p.latest_certificate_id)) is not None
        and c.valid_until is not None
        and c.valid_until < fair.starts_on
    ]
    assert len(expired) >= 2, expired
    assert await Evaluation.filter(
        product_id__in=list(shown), status=EvaluationStatus.POTENTIAL_5_STAR
    ).exists()

    # The programme, tourism offerings and sponsors.
    sessions = await ProgrammeSession.filter(fair_id=fair.id)
    kinds = Counter(SessionKind(s.kind) for s in sessions)
    assert kinds[SessionKind.CEREMONY] >= 1
    assert kinds[SessionKind.SEMINAR] >= 4
    assert kinds[SessionKind.BUSINESS_MATCHING] >= 1
    assert kinds[SessionKind.TOUR] >= 1
    for session in sessions:
        day = session.starts_at.astimezone(VIETNAM).date()
        assert fair.starts_on <= day <= fair.ends_on, session.title
        assert session.ends_at >= session.starts_at
        assert session.place, session.title
        assert session.speakers, session.title
    offerings = await TourismOffering.filter(fair_id=fair.id).select_related("product")
    assert len(offerings) >= 4
    linked = [o.product for o in offerings if o.product is not None]
    assert len(linked) >= 3
    assert all(group_code[p.group_id] == "6" for p in linked)
    sponsors = await Sponsor.filter(fair_id=fair.id)
    assert sponsors
    assert all(s.name.endswith("(demo)") for s in sponsors)

    # The demo organiser manages this fair.
    organiser = await User.get(email="organiser@demo.ocop.vn")
    membership = await Membership.get(user_id=organiser.id, role=Role.FAIR_ORGANISER)
    assert membership.fair_scope == fair_data().slug

    # The strings that must render, exactly and in NFC, in what the catalog shows.
    unit_ids = {a.producer.commune_id for a in approved}
    units = await AdminUnit.filter(id__in=unit_ids)
    unit_ids |= {u.parent_id for u in units if u.parent_id}
    texts = [fair.name, fair.theme or "", fair.foreword or "", fair.practical_info or ""]
    texts += [u.name for u in await AdminUnit.filter(id__in=unit_ids)]
    texts += [t for a in approved for t in (a.producer.name, a.producer.description, a.description) if t]
    texts += [p.name for p in shown.values()]
    texts += [t for s in sessions for t in (s.title, s.description) if t]
    texts += [t for o in offerings for t in (o.name, o.description) if t]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    for wanted in fair_data().must_render:
        assert unicodedata.is_normalized("NFC", wanted)
        assert any(wanted in t for t in texts), wanted
    for search in ("banh phong son doc", "BUOI DA XANH", "mo cay bac", "keo dua sau rieng la dua"):
        query = await product_query(ProductFilterData(search=search), visibility=None)
        assert await query.filter(id__in=list(shown)).exists(), search

    # Loading again changes nothing.
    before = await _table_counts()
    again = await demo.load(with_accounts=True)
    assert not any(again.values()), again
    assert await _table_counts() == before
