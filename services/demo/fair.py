"""Loads the demo of the 2019 OCOP-Tourism fair (services/demo/data/fair/, see the README there), after the
registry part of the demo (`services.demo.loader.load` calls it with the registry's producers).

Exhibitors are producers of the registry: the new ones and their products and evaluations are written
through `services.registry` (services/demo/records.py), like the rest of the demo, so that validation and
NFC apply; the demo's registry producers exhibit too. Idempotent: producers and products that exist (by
natural key) are left alone, and the fair itself (floor plan, applications, booth assignments, programme,
tourism offerings, sponsors) is written once, in one transaction, only when no fair has its slug yet, so
an organiser's later changes to the demo fair are never overwritten.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from tortoise.transactions import in_transaction

from models import (
    ApplicationProduct,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    BoothType,
    ExhibitorApplication,
    Fair,
    FairKind,
    FairStatus,
    Membership,
    OfferingKind,
    Producer,
    Product,
    ProgrammeSession,
    Role,
    SessionKind,
    Sponsor,
    TourismOffering,
    UnitEra,
    User,
    Zone,
)
from services.common.text import fold
from services.demo import files, records
from services.registry.manage import find_commune, find_province

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FairDemo:
    slug: str
    fair: Row
    booth_sizes: dict[str, tuple[float, float]]
    booth_prices_vnd: dict[str, int]
    zone_margin_m: float
    aisle_m: float
    zones: list[Row]
    producers: list[Row]
    products: list[Row]  # each with its "evaluations"
    exhibitors: list[Row]
    other_applications: list[Row]
    approved_submitted_from: str
    approved_decided_at: str
    assigned_at: str
    sessions: list[Row]
    offerings: list[Row]
    sponsors: list[Row]
    must_render: tuple[str, ...]  # strings readers must see exactly (../shared/domain/demo-data.md)


@functools.cache
def data() -> FairDemo:
    """The demo fair's files, read once per process."""
    main = files.read_toml("fair/fair.toml")
    evaluations: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in files.read_csv("fair/evaluations.csv", ints=("score_a", "score_b", "score_c")):
        evaluations[(row.pop("producer"), row.pop("product"))].append(row)
    products = [
        {**row, "evaluations": evaluations.pop((row["producer"], row["name"]), [])}
        for row in files.read_csv("fair/products.csv")
    ]
    assert not evaluations, f"evaluations of no product in fair/evaluations.csv: {sorted(evaluations)}"
    return FairDemo(
        slug=str(main["slug"]),
        fair={"slug": main["slug"], **main["fair"]},
        booth_sizes={kind: (float(w), float(d)) for kind, (w, d) in main["booth_sizes"].items()},
        booth_prices_vnd={kind: int(price) for kind, price in main["booth_prices_vnd"].items()},
        zone_margin_m=float(main["zone_margin_m"]),
        aisle_m=float(main["aisle_m"]),
        zones=main["zone"],
        producers=files.read_csv("fair/producers.csv"),
        products=products,
        exhibitors=files.read_csv("fair/exhibitors.csv", lists=("products",), words=("booths",)),
        other_applications=files.read_csv("fair/other_applications.csv", lists=("products",)),
        approved_submitted_from=str(main["approved_submitted_from"]),
        approved_decided_at=str(main["approved_decided_at"]),
        assigned_at=str(main["assigned_at"]),
        sessions=files.read_toml("fair/sessions.toml")["session"],
        offerings=files.read_toml("fair/offerings.toml")["offering"],
        sponsors=files.read_csv("fair/sponsors.csv"),
        must_render=tuple(main["must_render"]),
    )


log = structlog.get_logger("ocop.demo")

ORGANISER_EMAIL = "organiser@demo.ocop.vn"
_ROW_TYPES = {"S": BoothType.STANDARD, "C": BoothType.CORNER, "P": BoothType.PREMIUM, "O": BoothType.OUTDOOR}


@dataclass(frozen=True, slots=True)
class BoothSpec:
    zone: str
    code: str
    booth_type: BoothType
    x_m: float
    y_m: float
    width_m: float
    depth_m: float
    price_vnd: int


def booth_plan() -> list[BoothSpec]:
    """Every booth of the floor plan, row by row inside each zone, with its position in metres."""
    booths: list[BoothSpec] = []
    for zone in data().zones:
        code = str(zone["code"])
        y = float(zone["y_m"]) + data().zone_margin_m
        number = 0
        for row in zone["rows"]:
            x = float(zone["x_m"]) + data().zone_margin_m
            row_depth = 0.0
            for letter in row:
                booth_type = _ROW_TYPES[letter]
                width, depth = data().booth_sizes[booth_type.value]
                price = zone.get("price_vnd", data().booth_prices_vnd[booth_type.value])
                number += 1
                booths.append(
                    BoothSpec(code, f"{code}{number:02d}", booth_type, x, y, width, depth, int(price))
                )
                x += width
                row_depth = max(row_depth, depth)
            y += row_depth + data().aisle_m
    return booths


def _time(value: object) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value))


async def _producers(registry: Mapping[str, Producer], counts: dict[str, int]) -> dict[str, Producer]:
    """The registry demo's producers and the fair's new ones, by key (created where missing)."""
    before = await Producer.all().count()
    producers = dict(registry)
    for row in data().producers:
        producers[str(row["key"])] = await records.producer(row)
    counts["producers"] += await Producer.all().count() - before
    return producers


async def _products(producers: dict[str, Producer], counts: dict[str, int]) -> dict[tuple[str, str], Product]:
    """Products by (producer key, name): the fair's new ones are created with their evaluations."""
    products: dict[tuple[str, str], Product] = {}
    for row in data().products:
        key = str(row["producer"])
        product, created = await records.product(row, producers[key])
        products[(key, str(row["name"]))] = product
        if created:
            counts["products"] += 1
            for evaluation in row["evaluations"]:
                await records.evaluation(evaluation, product)
                counts["evaluations"] += 1
    wanted = {
        (str(entry["producer"]), str(name))
        for entry in [*data().exhibitors, *data().other_applications]
        for name in entry["products"]
    }
    for key, name in sorted(wanted - set(products)):  # the demo's own products
        found = await Product.filter(producer_id=producers[key].id, name_folded=fold(name)).first()
        if found is not None:  # (a demo product deleted since: the application lists the others)
            products[(key, name)] = found
    return products


async def _organiser() -> User | None:
    """The demo organiser account (when accounts were loaded), scoped to this fair."""
    user = await User.get_or_none(email=ORGANISER_EMAIL)
    if user is not None:
        await (
            Membership.filter(user_id=user.id, role=Role.FAIR_ORGANISER)
            .exclude(fair_scope=data().slug)
            .update(fair_scope=data().slug)
        )
    return user


async def _fair() -> Fair:
    row = data().fair
    province = await find_province(str(row["province_code"]), UnitEra.LEGACY)
    assert province is not None
    return await Fair.create(
        slug=row["slug"],
        name=row["name"],
        name_en=row["name_en"],
        theme=row["theme"],
        theme_en=row["theme_en"],
        kind=FairKind(str(row["kind"])),
        regions=row["regions"],
        venue=row["venue"],
        address=row["address"],
        province_id=province.id,
        starts_on=dt.date.fromisoformat(str(row["starts_on"])),
        ends_on=dt.date.fromisoformat(str(row["ends_on"])),
        opening_hours=row["opening_hours"],
        organisers=row["organisers"],
        foreword=row["foreword"],
        foreword_en=row["foreword_en"],
        practical_info=row["practical_info"],
        practical_info_en=row["practical_info_en"],
        floor_width_m=row["floor_width_m"],
        floor_depth_m=row["floor_depth_m"],
        status=FairStatus(str(row["status"])),
    )


async def _floor(fair: Fair, counts: dict[str, int]) -> tuple[dict[str, Zone], list[Booth]]:
    await Zone.bulk_create(
        [
            Zone(
                fair_id=fair.id,
                code=z["code"],
                name=z["name"],
                name_en=z["name_en"],
                product_groups=z["product_groups"],
                color=z["color"],
                x_m=z["x_m"],
                y_m=z["y_m"],
                width_m=z["width_m"],
                depth_m=z["depth_m"],
            )
            for z in data().zones
        ]
    )
    zones = {z.code: z for z in await Zone.filter(fair_id=fair.id)}
    await Booth.bulk_create(
        [
            Booth(
                fair_id=fair.id,
                zone_id=zones[b.zone].id,
                code=b.code,
                booth_type=b.booth_type,
                width_m=b.width_m,
                depth_m=b.depth_m,
                x_m=b.x_m,
                y_m=b.y_m,
                price_vnd=b.price_vnd,
            )
            for b in booth_plan()
        ]
    )
    booths = await Booth.filter(fair_id=fair.id).order_by("code")
    counts["zones"], counts["booths"] = len(zones), len(booths)
    return zones, booths


def _pick(free: list[Booth], zone: Zone, premium: bool) -> Booth:
    """The first free booth of the zone (a premium one if asked, otherwise any other)."""
    for booth in free:
        if booth.zone_id == zone.id and (booth.booth_type == BoothType.PREMIUM) == premium:
            free.remove(booth)
            return booth
    raise AssertionError(f"demo fair: no free {'premium ' if premium else ''}booth left in zone {zone.code}")


async def _applications(
    fair: Fair,
    zones: dict[str, Zone],
    booths: list[Booth],
    producers: dict[str, Producer],
    products: dict[tuple[str, str], Product],
    organiser: User | None,
    counts: dict[str, int],
) -> None:
    """Approved applications with their booths, then the applications in other states."""
    decided_by = organiser.id if organiser else None
    first = _time(data().approved_submitted_from)
    wanted: dict[str, list[tuple[Zone, bool]]] = {}
    rows: list[ExhibitorApplication] = []
    for index, entry in enumerate(data().exhibitors):
        key = str(entry["producer"])
        wanted[key] = [(zones[spec[0]], spec.endswith("*")) for spec in entry["booths"]]
        main_zone, premium = wanted[key][0]
        rows.append(
            ExhibitorApplication(
                fair_id=fair.id,
                producer_id=producers[key].id,
                wanted_zone_id=main_zone.id,
                wanted_booth_type=BoothType.PREMIUM
                if premium
                else (BoothType.OUTDOOR if main_zone.code == "E" else BoothType.STANDARD),
                booths_wanted=len(wanted[key]),
                description=entry.get("description"),
                description_en=entry.get("description_en"),
                status=ApplicationStatus.APPROVED,
                submitted_at=first + dt.timedelta(hours=7 * index),
                decided_at=_time(data().approved_decided_at),
                decided_by_id=decided_by,
            )
        )
    for entry in data().other_applications:
        key = str(entry["producer"])
        rows.append(
            ExhibitorApplication(
                fair_id=fair.id,
                producer_id=producers[key].id,
                wanted_zone_id=zones[str(entry["wanted"])].id,
                description=entry.get("description"),
                status=ApplicationStatus(str(entry["status"])),
                submitted_at=_time(entry["submitted_at"]),
                decided_at=_time(entry["decided_at"]) if entry.get("decided_at") else None,
                decided_by_id=decided_by
                if entry["status"] in (ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED)
                else None,
            )
        )
    await ExhibitorApplication.bulk_create(rows)
    by_producer = {a.producer_id: a for a in await ExhibitorApplication.filter(fair_id=fair.id)}
    listed = []
    for entry in [*data().exhibitors, *data().other_applications]:
        key = str(entry["producer"])
        application = by_producer[producers[key].id]
        listed += [
            ApplicationProduct(application_id=application.id, product_id=products[(key, str(name))].id)
            for name in entry["products"]
            if (key, str(name)) in products
        ]
    await ApplicationProduct.bulk_create(listed)
    # Booths in code order, each exhibitor taking the next free ones of its zones: as the exhibitors are
    # listed by province inside each zone, a province's exhibitors stand side by side.
    free = list(booths)
    assigned_at = _time(data().assigned_at)
    assignments = []
    for key, specs in wanted.items():
        application = by_producer[producers[key].id]
        for zone, premium in specs:
            assignments.append(
                BoothAssignment(
                    fair_id=fair.id,
                    booth_id=_pick(free, zone, premium).id,
                    application_id=application.id,
                    assigned_at=assigned_at,
                    assigned_by_id=decided_by,
                    manual=premium,  # premium booths were placed by hand
                )
            )
    await BoothAssignment.bulk_create(assignments)
    counts["applications"] = len(rows)
    counts["exhibitors"] = len(data().exhibitors)
    counts["assignments"] = len(assignments)


async def _programme(fair: Fair, products: dict[tuple[str, str], Product], counts: dict[str, int]) -> None:
    await ProgrammeSession.bulk_create(
        [
            ProgrammeSession(
                fair_id=fair.id,
                kind=SessionKind(str(s["kind"])),
                title=s["title"],
                title_en=s["title_en"],
                starts_at=_time(s["starts_at"]),
                ends_at=_time(s["ends_at"]),
                place=s["place"],
                speakers=s["speakers"],
                description=s["description"],
                description_en=s["description_en"],
            )
            for s in data().sessions
        ]
    )
    offerings = []
    for o in data().offerings:
        commune = (
            await find_commune(str(o["commune_code"]), UnitEra.LEGACY) if o.get("commune_code") else None
        )
        product = products.get(tuple(o["product"])) if o.get("product") else None
        offerings.append(
            TourismOffering(
                fair_id=fair.id,
                kind=OfferingKind(str(o["kind"])),
                name=o["name"],
                name_en=o["name_en"],
                commune_id=commune.id if commune else None,
                address=o["address"],
                description=o["description"],
                description_en=o["description_en"],
                product_id=product.id if product else None,
                contact=o.get("contact"),
            )
        )
    await TourismOffering.bulk_create(offerings)
    await Sponsor.bulk_create(
        [
            Sponsor(fair_id=fair.id, name=s["name"], level=s["level"], website=s.get("website"))
            for s in data().sponsors
        ]
    )
    counts["sessions"], counts["offerings"] = len(data().sessions), len(offerings)
    counts["sponsors"] = len(data().sponsors)


async def load(registry_producers: Mapping[str, Producer]) -> dict[str, int]:
    """Load what is missing of the demo fair, whose exhibitors include the registry demo's producers (by
    key); returns how many rows of each kind were created."""
    counts: dict[str, int] = defaultdict(int)
    async with in_transaction():
        producers = await _producers(registry_producers, counts)
        products = await _products(producers, counts)
        organiser = await _organiser()
        if not await Fair.exists(slug=data().slug):
            fair = await _fair()
            counts["fairs"] = 1
            zones, booths = await _floor(fair, counts)
            await _applications(fair, zones, booths, producers, products, organiser, counts)
            await _programme(fair, products, counts)
    created = {k: v for k, v in counts.items() if v}
    if created:
        log.info("demo fair loaded", slug=data().slug, **created)
    return dict(counts)
