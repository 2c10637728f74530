"""A realistic, reproducible registry for the load benchmark: producers in Bến Tre (legacy and current
communes) and a few other provinces, products with Vietnamese names, and evaluations of every kind
(valid certificates, expired and revoked ones, drafts), written quickly with bulk inserts.

A handful of evaluations go through `services.registry.evaluations.record_evaluation`, the rest are bulk
inserted; `Product.latest_certificate_id` is then set for every product with the same rule as
`services.registry.evaluations.refresh_latest_certificate` (latest certified evaluation by decision date,
then id)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from tortoise import connections

from models import (
    AdminUnit,
    CriteriaSet,
    Evaluation,
    EvaluationStatus,
    Producer,
    ProducerKind,
    Product,
    ProductGroup,
    RecognisingLevel,
    UnitEra,
    UnitLevel,
)
from services.common import gs1
from services.common.clock import today as vietnam_today
from services.common.text import fold
from services.policy import SYSTEM
from services.registry import evaluations, stars
from services.registry.admin_units import unit_id


class Item(NamedTuple):
    name: str
    trade: str  # what a producer of this item is called after ("HTX Dừa ...")
    group_148: str
    subgroup_148: str | None
    group_1048: str
    subgroup_1048: str | None
    unit: str | None  # net unit, None for services and plants


ITEMS: tuple[Item, ...] = (
    Item("Kẹo dừa", "Kẹo dừa", "1", "1.2", "1", "1.2", "g"),
    Item("Bánh phồng", "Bánh phồng", "1", "1.2", "1", "1.2", "g"),
    Item("Bánh tráng", "Bánh tráng", "1", "1.2", "1", "1.2", "g"),
    Item("Mứt dừa", "Kẹo dừa", "1", "1.2", "1", "1.2", "g"),
    Item("Cơm dừa sấy", "Dừa", "1", "1.2", "1", "1.2", "g"),
    Item("Thạch dừa", "Dừa", "1", "1.2", "1", "1.2", "g"),
    Item("Dừa sáp", "Dừa", "1", "1.1", "1", "1.1", "kg"),
    Item("Dừa xiêm xanh", "Dừa", "1", "1.1", "1", "1.1", "piece"),
    Item("Bưởi da xanh", "Trái cây", "1", "1.1", "1", "1.1", "kg"),
    Item("Chôm chôm", "Trái cây", "1", "1.1", "1", "1.1", "kg"),
    Item("Sầu riêng Ri6", "Trái cây", "1", "1.1", "1", "1.1", "kg"),
    Item("Măng cụt", "Trái cây", "1", "1.1", "1", "1.1", "kg"),
    Item("Chuối sấy dẻo", "Trái cây", "1", "1.2", "1", "1.2", "g"),
    Item("Nước mắm", "Nước mắm", "1", "1.2", "1", "1.2", "ml"),
    Item("Tôm khô", "Thủy sản", "1", "1.2", "1", "1.2", "g"),
    Item("Bánh tét", "Bánh tét", "1", "1.2", "1", "1.2", "g"),
    Item("Bột ca cao", "Ca cao", "1", "1.2", "1", "1.2", "g"),
    Item("Mật ong hoa dừa", "Mật ong", "1", "1.2", "1", "1.2", "ml"),
    Item("Rượu dừa", "Rượu", "2", "2.1", "2", "2.1", "ml"),
    Item("Rượu Phú Lễ", "Rượu", "2", "2.1", "2", "2.1", "ml"),
    Item("Nước dừa đóng chai", "Dừa", "2", "2.2", "2", "2.2", "ml"),
    Item("Trà mãng cầu", "Trà", "2", "2.2", "2", "2.2", "g"),
    Item("Tinh dầu dừa", "Tinh dầu", "3", "3.4", "3", None, "ml"),
    Item("Dầu dừa tinh khiết", "Tinh dầu", "3", "3.3", "3", None, "ml"),
    Item("Xà bông dừa", "Dừa", "3", "3.3", "3", None, "g"),
    Item("Túi xách cói", "Thủ công mỹ nghệ", "4", "4.1", "5", None, "piece"),
    Item("Giỏ lục bình", "Thủ công mỹ nghệ", "4", "4.1", "5", None, "piece"),
    Item("Đồ mỹ nghệ gáo dừa", "Thủ công mỹ nghệ", "4", "4.1", "5", None, "piece"),
    Item("Chổi cọng dừa", "Thủ công mỹ nghệ", "4", "4.1", "5", None, "piece"),
    Item("Cây kiểng bonsai", "Cây kiểng", "5", "5.2", "5", None, None),
    Item("Hoa lan hồ điệp", "Hoa kiểng", "5", "5.1", "5", None, None),
    Item("Mai vàng Chợ Lách", "Cây kiểng", "5", "5.2", "5", None, None),
    Item("Du lịch sinh thái miệt vườn", "Du lịch", "6", "6.1", "6", None, None),
)
QUALIFIERS = (
    "",
    "",
    "sầu riêng",
    "lá dứa",
    "đậu phộng",
    "sữa",
    "gừng",
    "truyền thống",
    "nguyên chất",
    "hữu cơ",
    "đặc biệt",
    "cao cấp",
    "loại 1",
    "hộp quà",
    "túi 250 g",
    "hũ 500 g",
    "xuất khẩu",
)
BRANDS = (
    "Thanh Long",
    "Sơn Đốc",
    "Mỏ Cày",
    "Chợ Lách",
    "Cái Mơn",
    "Phú Lễ",
    "Tân Thạch",
    "Bảo Thạnh",
    "Ba Tri",
    "Giồng Trôm",
    "Thạnh Phú",
    "Bình Đại",
    "Hương Dừa",
    "Quê Hương",
    "Tư Hiền",
    "Ba Khang",
    "Út Hạnh",
    "Mười Xuân",
    "Năm Nhiều",
    "Hai Lúa",
    "Đất Dừa",
    "Xứ Dừa",
    "Cồn Phụng",
    "Vàm Hồ",
    "Hàm Luông",
    "Cổ Chiên",
    "Minh Đức",
    "Phước Hiệp",
    "Hưng Phong",
    "Đông Phú",
)
PERSONS = ("Tư Hiền", "Ba Khang", "Út Hạnh", "Mười Xuân", "Năm Nhiều", "Sáu Lực", "Bảy Tâm", "Chín Hòa")
# Legacy (pre-2025) province codes other than Bến Tre (83): Tiền Giang, Vĩnh Long, Trà Vinh, Cần Thơ,
# Hồ Chí Minh, Hà Nội.
OTHER_LEGACY_PROVINCES = ("82", "86", "84", "92", "79", "01")
BEN_TRE_LEGACY = "83"
VINH_LONG_CURRENT = "86"  # the current province Bến Tre was merged into on 2025-07-01


@dataclass(frozen=True, slots=True)
class SeedCounts:
    producers: int
    products: int
    published: int
    evaluations: int
    via_service: int
    valid_certificates: int  # products whose latest certificate is valid today
    expired_certificates: int  # products whose latest certificate has expired
    boundary_cases: int  # certificates ending today or yesterday, starting today or tomorrow

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def split_score(rng: random.Random, criteria_set: CriteriaSet, total: int) -> tuple[int, int, int]:
    """Part scores A, B, C summing to `total` within the criteria set's part maxima."""
    maxima = stars.RULES[criteria_set].part_maxima
    caps = [maxima["A"], maxima["B"], maxima["C"]]
    assert 0 <= total <= sum(caps)
    parts = [min(cap, round(total * cap / 100)) for cap in caps]
    while sum(parts) != total:
        index = rng.randrange(3)
        if sum(parts) < total and parts[index] < caps[index]:
            parts[index] += 1
        elif sum(parts) > total and parts[index] > 0:
            parts[index] -= 1
    return parts[0], parts[1], parts[2]


def total_for_stars(rng: random.Random, wanted: int) -> int:
    low, high = {5: (90, 97), 4: (70, 89), 3: (50, 69), 2: (30, 49), 1: (10, 29)}[wanted]
    return rng.randint(low, high)


def tax_code(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "".join(str(rng.randrange(10)) for _ in range(9))
        digit = (
            10 - sum(w * int(n) for w, n in zip((31, 29, 23, 19, 17, 13, 7, 5, 3), body, strict=True)) % 11
        )
        if digit < 10 and body not in used:  # 10 would need two digits: no valid tax code with this body
            used.add(body)
            return body + str(digit)


def gtin14(serial: int) -> str:
    data = f"0{gs1.VIETNAM_PREFIX}{serial:09d}"
    return data + gs1.check_digit(data)


def _place(commune_name: str) -> str:
    for prefix in ("Thị trấn ", "Phường ", "Xã ", "Đặc khu "):
        if commune_name.startswith(prefix):
            return commune_name.removeprefix(prefix)
    return commune_name


async def _communes(rng: random.Random, count: int) -> list[tuple[int, int, str]]:
    """(commune id, province id, commune name) for `count` producers: 60% in legacy Bến Tre communes,
    15% in current Vĩnh Long communes (post-reform registrations), 25% in other provinces."""

    async def of(era: UnitEra, province_codes: tuple[str, ...]) -> list[tuple[int, int, str]]:
        province_ids = [unit_id(era, UnitLevel.PROVINCE, code) for code in province_codes]
        rows = await AdminUnit.filter(
            level=UnitLevel.COMMUNE, era=era, province_id__in=province_ids
        ).values_list("id", "province_id", "name")
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    ben_tre = await of(UnitEra.LEGACY, (BEN_TRE_LEGACY,))
    vinh_long = await of(UnitEra.CURRENT, (VINH_LONG_CURRENT,))
    others = await of(UnitEra.LEGACY, OTHER_LEGACY_PROVINCES)
    if not ben_tre or not vinh_long or not others:
        raise RuntimeError("administrative units are missing: run services.reference.sync_all() first")
    picks: list[tuple[int, int, str]] = []
    for _ in range(count):
        roll = rng.random()
        pool = ben_tre if roll < 0.60 else vinh_long if roll < 0.75 else others
        picks.append(rng.choice(pool))
    return picks


async def _producers(rng: random.Random, count: int) -> list[tuple[int, Item, str]]:
    """Bulk-insert the producers; returns (id, specialty, brand) of each."""
    used_tax: set[str] = set()
    used_names: set[str] = set()
    rows: list[Producer] = []
    meta: list[tuple[Item, str]] = []
    kinds = [
        ProducerKind.HOUSEHOLD_BUSINESS,
        ProducerKind.COOPERATIVE,
        ProducerKind.ENTERPRISE,
        ProducerKind.COOPERATIVE_GROUP,
    ]
    for commune_id, province_id, commune_name in await _communes(rng, count):
        specialty = rng.choice(ITEMS)
        kind = rng.choices(kinds, weights=(40, 30, 20, 10))[0]
        place = _place(commune_name)
        brand = rng.choice(BRANDS)
        for attempt in range(100):
            if kind == ProducerKind.ENTERPRISE:
                form = rng.choice(("Công ty TNHH", "Công ty Cổ phần"))
                name = f"{form} {specialty.trade} {brand}"
            elif kind == ProducerKind.COOPERATIVE:
                name = f"Hợp tác xã {specialty.trade} {place}"
            elif kind == ProducerKind.COOPERATIVE_GROUP:
                name = f"Tổ hợp tác {specialty.trade} {place}"
            else:
                name = f"Cơ sở {specialty.trade} {rng.choice(PERSONS)}"
            if attempt > 5:
                name = f"{name} {attempt}"
            if name not in used_names:
                used_names.add(name)
                break
            brand = rng.choice(BRANDS)
        has_tax_code = kind in (ProducerKind.ENTERPRISE, ProducerKind.COOPERATIVE) or rng.random() < 0.3
        rows.append(
            Producer(
                name=name,
                name_folded=fold(name),
                kind=kind,
                tax_code=tax_code(rng, used_tax) if has_tax_code else None,
                address_line=f"Số {rng.randint(1, 300)}, ấp {rng.choice(('An', 'Bình', 'Phú', 'Thạnh'))} "
                f"{rng.choice(('Hòa', 'Lợi', 'Đông', 'Tây', 'Thới'))}",
                commune_id=commune_id,
                province_id=province_id,
                representative=f"Ông/bà {rng.choice(PERSONS)}",
                phone=f"0{rng.choice((90, 91, 93, 94, 97, 98, 275))}{rng.randrange(10**7):07d}",
                description=f"Chủ thể OCOP chuyên {specialty.name.lower()} tại {commune_name}.",
                ocop_training_completed_on=dt.date(rng.randint(2019, 2025), rng.randint(1, 12), 15)
                if rng.random() < 0.5
                else None,
            )
        )
        meta.append((specialty, brand))
    await Producer.bulk_create(rows, batch_size=500)
    # A fresh schema: ids follow the insertion order.
    ids = [int(row[0]) for row in await Producer.all().order_by("id").values_list("id")]
    if len(ids) != len(rows):
        raise RuntimeError(f"expected {len(rows)} producers, found {len(ids)}")
    return [(producer_id, *meta[n]) for n, producer_id in enumerate(ids)]


async def _groups() -> dict[tuple[CriteriaSet, str], int]:
    return {(CriteriaSet(g.criteria_set), g.code): g.id for g in await ProductGroup.all()}


async def _products(
    rng: random.Random, count: int, producers: list[tuple[int, Item, str]]
) -> list[tuple[int, CriteriaSet, bool]]:
    """Bulk-insert the products; returns (id, criteria set, published) of each."""
    groups = await _groups()
    rows: list[Product] = []
    for n in range(count):
        producer_id, specialty, brand = rng.choice(producers)
        item = specialty if rng.random() < 0.7 else rng.choice(ITEMS)
        qualifier = rng.choice(QUALIFIERS)
        name = " ".join(part for part in (item.name, qualifier, brand) if part)
        criteria_set = CriteriaSet.QD_1048 if rng.random() < 0.25 else CriteriaSet.QD_148
        if criteria_set == CriteriaSet.QD_148:
            group, subgroup = item.group_148, item.subgroup_148
        else:
            group, subgroup = item.group_1048, item.subgroup_1048
        quantity = rng.choice((100, 200, 250, 300, 500, 750, 1000)) if item.unit else None
        rows.append(
            Product(
                producer_id=producer_id,
                name=name,
                name_folded=fold(name),
                description=f"{name}: sản phẩm OCOP của {brand}.",
                criteria_set=criteria_set,
                group_id=groups[(criteria_set, group)],
                subgroup_id=groups[(criteria_set, subgroup)] if subgroup else None,
                gtin=gtin14(100_000 + n) if rng.random() < 0.6 else None,
                net_quantity=Decimal(quantity) if quantity else None,
                net_unit=item.unit if quantity else None,
                shelf_life_days=rng.choice((90, 180, 365, 730)) if item.group_148 in ("1", "2") else None,
                standards=[
                    f"TCCS {rng.randint(1, 9):02d}:{rng.randint(2018, 2025)}/{brand.split()[0].upper()}"
                ],
                is_published=rng.random() >= 0.05,
            )
        )
    await Product.bulk_create(rows, batch_size=500)
    stored = await Product.all().order_by("id").values_list("id", "criteria_set", "is_published")
    if len(stored) != count:
        raise RuntimeError(f"expected {count} products, found {len(stored)}")
    return [(int(r[0]), CriteriaSet(r[1]), bool(r[2])) for r in stored]


class _Plan(NamedTuple):
    status: EvaluationStatus
    stars: int
    decision_date: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None


def _certified(decided: dt.date, wanted: int, valid_until: dt.date | None = None) -> _Plan:
    return _Plan(
        EvaluationStatus.CERTIFIED,
        wanted,
        decided,
        decided,
        valid_until or stars.default_valid_until(decided),
    )


def _history(rng: random.Random, today: dt.date, boundary: int | None) -> list[_Plan]:
    """The evaluations of one product, oldest first."""
    if boundary is not None:  # validity edges around today
        decided = today - dt.timedelta(days=400)
        edges = {
            0: _certified(decided, 4, valid_until=today),  # last valid day: still valid
            1: _certified(decided, 3, valid_until=today - dt.timedelta(days=1)),  # expired yesterday
            2: _Plan(EvaluationStatus.CERTIFIED, 3, today, today, stars.default_valid_until(today)),
            3: _Plan(  # decided, valid from tomorrow: not valid yet
                EvaluationStatus.CERTIFIED,
                4,
                today - dt.timedelta(days=3),
                today + dt.timedelta(days=1),
                stars.default_valid_until(today + dt.timedelta(days=1)),
            ),
        }
        return [edges[boundary % 4]]
    wanted = rng.choices((3, 4, 5), weights=(55, 40, 5))[0]
    roll = rng.random()
    recent = today - dt.timedelta(days=rng.randint(10, 34 * 30))
    old = today - dt.timedelta(days=rng.randint(38 * 30, 70 * 30))
    if roll < 0.45:  # one valid certificate
        return [_certified(recent, wanted)]
    if roll < 0.60:  # re-certified: an expired certificate, then a valid one
        return [_certified(old, rng.choice((3, 4))), _certified(recent, wanted)]
    if roll < 0.62:  # valid certificate, then a revoked re-evaluation (ignored as latest)
        revoked = _Plan(EvaluationStatus.REVOKED, wanted, recent + dt.timedelta(days=5), None, None)
        return [_certified(recent, wanted), revoked]
    if roll < 0.72:  # expired, never renewed
        return [_certified(old, rng.choice((3, 4)))]
    if roll < 0.75:  # only certificate revoked
        return [_Plan(EvaluationStatus.REVOKED, 3, recent, None, None)]
    if roll < 0.85:  # rated below 3 stars, or not decided yet
        return [_Plan(EvaluationStatus.DRAFT, rng.choice((1, 2, 3)), None, None, None)]
    if roll < 0.86:  # potential 5 stars waiting for the central council, after a valid 4-star certificate
        return [
            _certified(recent, 4),
            _Plan(EvaluationStatus.POTENTIAL_5_STAR, 5, None, None, None),
        ]
    return []  # not evaluated yet


def _level(plan: _Plan, rng: random.Random) -> RecognisingLevel:
    if plan.stars == 5:
        return RecognisingLevel.CENTRAL
    return rng.choice((RecognisingLevel.PROVINCE, RecognisingLevel.PROVINCE, RecognisingLevel.DISTRICT))


async def seed(
    n_producers: int, n_products: int, *, seed_value: int = 20250701, via_service: int = 12
) -> SeedCounts:
    """Fill the connected (empty, migrated, reference-synced) database."""
    rng = random.Random(seed_value)
    today = vietnam_today()
    producers = await _producers(rng, n_producers)
    products = await _products(rng, n_products, producers)

    # Boundary cases first, then a handful through the service, then bulk.
    plans: list[tuple[int, CriteriaSet, list[_Plan]]] = []
    boundary_count = min(8, len(products) // 50)
    for n, (product_id, criteria_set, _) in enumerate(products):
        history = _history(rng, today, n if n < boundary_count else None)
        plans.append((product_id, criteria_set, history))

    serviced = 0
    bulk: list[Evaluation] = []
    decision_serial = 1000
    for product_id, criteria_set, history in plans:
        for plan in history:
            decision_serial += 1
            total = total_for_stars(rng, plan.stars)
            score_a, score_b, score_c = split_score(rng, criteria_set, total)
            level = _level(plan, rng)
            has_decision = plan.status in (EvaluationStatus.CERTIFIED, EvaluationStatus.REVOKED)
            decision_number = f"{decision_serial}/QĐ-UBND" if has_decision else None
            decision_date = plan.decision_date if has_decision else None
            simple = (
                plan.status == EvaluationStatus.CERTIFIED
                and plan.valid_from == plan.decision_date
                and plan.valid_until == stars.default_valid_until(plan.decision_date or today)
            )
            if simple and serviced < via_service:
                await evaluations.record_evaluation(
                    evaluations.EvaluationData(
                        product_id=product_id,
                        criteria_set=criteria_set,
                        level=level,
                        score_a=score_a,
                        score_b=score_b,
                        score_c=score_c,
                        status=plan.status,
                        decision_number=decision_number,
                        decision_date=decision_date,
                    ),
                    SYSTEM,
                )
                serviced += 1
                continue
            bulk.append(
                Evaluation(
                    product_id=product_id,
                    criteria_set=criteria_set,
                    level=level,
                    score_a=score_a,
                    score_b=score_b,
                    score_c=score_c,
                    total=total,
                    mandatory_passed=True,
                    stars=stars.stars_for(criteria_set, total),
                    status=plan.status,
                    decision_number=decision_number,
                    decision_date=decision_date,
                    valid_from=plan.valid_from,
                    valid_until=plan.valid_until,
                    note="Đánh giá năm " + str((plan.decision_date or today).year),
                )
            )
    await Evaluation.bulk_create(bulk, batch_size=1000)

    conn = connections.get("default")
    # Same rule as services.registry.evaluations.refresh_latest_certificate, for every product at once.
    await conn.execute_script(
        """
        UPDATE product AS p SET latest_certificate_id = (
            SELECT e.id FROM evaluation AS e
            WHERE e.product_id = p.id AND e.status = 'certified'
            ORDER BY e.decision_date DESC, e.id DESC LIMIT 1
        );
        """
    )
    # Settle the tables as a long-lived database would be: no dead rows from the update above, hint bits
    # set, fresh statistics (otherwise the first measurements run against a table autovacuum has not seen).
    for table in ("admin_unit", "producer", "product", "evaluation"):
        await conn.execute_script(f"VACUUM (FREEZE, ANALYZE) {table}")
    counts = await _certificate_counts(today)
    return SeedCounts(
        producers=len(producers),
        products=len(products),
        published=sum(1 for _, _, published in products if published),
        evaluations=await Evaluation.all().count(),
        via_service=serviced,
        valid_certificates=counts["valid"],
        expired_certificates=counts["expired"],
        boundary_cases=boundary_count,
    )


async def _certificate_counts(today: dt.date) -> dict[str, int]:
    conn = connections.get("default")
    rows: list[dict[str, Any]] = await conn.execute_query_dict(
        """
            SELECT
              count(*) FILTER (WHERE COALESCE(e.valid_from, e.decision_date) <= $1 AND e.valid_until >= $1)
                AS valid,
              count(*) FILTER (WHERE e.valid_until < $1) AS expired
            FROM product AS p JOIN evaluation AS e ON e.id = p.latest_certificate_id
            """,
        [today],
    )
    return {"valid": int(rows[0]["valid"]), "expired": int(rows[0]["expired"])}
