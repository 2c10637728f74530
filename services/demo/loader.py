"""Loads the illustrative demo data set (`services/demo/registry_data.py`) through the same services users call,
so every rule applies to it. Idempotent: rows that exist (by natural key) are left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from models import (
    Batch,
    CriteriaSet,
    Evaluation,
    EvaluationStatus,
    EventAction,
    EventType,
    Location,
    LocationKind,
    Membership,
    Producer,
    Product,
    ProgrammeMetric,
    ProgrammeTarget,
    ProvincialPlan,
    RecognisingLevel,
    Role,
    UnitEra,
    User,
)
from services.accounts import auth as accounts
from services.common.text import fold
from services.demo import registry_data as demo_data
from services.policy import SYSTEM
from services.registry import manage as registry
from services.registry.manage import (
    CertificationData,
    EvaluationData,
    ProducerChanges,
    ProductChanges,
    find_commune,
    find_province,
)
from services.trace import events as trace


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


async def is_empty() -> bool:
    return not await Producer.exists()


async def _producer(row: dict[str, Any]) -> Producer:
    existing = await Producer.filter(name_folded=fold(str(row["name"]))).first()
    if existing is not None:
        return existing
    return await registry.create_producer(
        ProducerChanges(
            name=row["name"],
            name_en=row.get("name_en"),
            kind=row["kind"],
            tax_code=row.get("tax_code"),
            gln=row.get("gln"),
            commune_code=row["commune_code"],
            commune_era=row.get("commune_era", UnitEra.LEGACY),
            address_line=row["address_line"],
            representative=row.get("representative"),
            phone=row.get("phone"),
            email=row.get("email"),
            website=row.get("website"),
            description=row.get("description"),
            description_en=row.get("description_en"),
            ocop_training_completed_on=_date(row.get("ocop_training_completed_on")),
            model_example_recognised_on=_date(row.get("model_example_recognised_on")),
        ),
        SYSTEM,
    )


async def _product(row: dict[str, Any], producer: Producer) -> tuple[Product, bool]:
    existing = await Product.filter(producer_id=producer.id, name_folded=fold(str(row["name"]))).first()
    if existing is not None:
        return existing, False
    product = await registry.create_product(
        ProductChanges(
            producer_id=producer.id,
            name=row["name"],
            name_en=row.get("name_en"),
            description=row.get("description"),
            description_en=row.get("description_en"),
            criteria_set=row.get("criteria_set", CriteriaSet.QD_148),
            group=row["group"],
            subgroup=row.get("subgroup"),
            gtin=row.get("gtin"),
            net_quantity=Decimal(str(row["net_quantity"])) if row.get("net_quantity") else None,
            net_unit=row.get("net_unit"),
            shelf_life_days=row.get("shelf_life_days"),
            ingredients=row.get("ingredients"),
            ingredients_en=row.get("ingredients_en"),
            standards=row.get("standards", []),
            certifications=[
                CertificationData(
                    scheme=c["scheme"],
                    number=c.get("number"),
                    issuer=c.get("issuer"),
                    valid_until=_date(c.get("valid_until")),
                )
                for c in row.get("certifications", [])
            ],
            is_published=row.get("is_published", True),
        ),
        SYSTEM,
    )
    return product, True


async def _evaluation(row: dict[str, Any], product: Product) -> Evaluation:
    return await registry.record_evaluation(
        EvaluationData(
            product_id=product.id,
            criteria_set=CriteriaSet(row["criteria_set"]),
            level=RecognisingLevel(row["level"]),
            score_a=int(row["score_a"]),
            score_b=int(row["score_b"]),
            score_c=int(row["score_c"]),
            status=EvaluationStatus(row["status"]),
            mandatory_passed=bool(row.get("mandatory_passed", True)),
            decision_number=row.get("decision_number"),
            decision_date=_date(row.get("decision_date")),
            note=row.get("note"),
        ),
        SYSTEM,
    )


async def _accounts(producers: dict[str, Producer]) -> int:
    created = 0
    for row in demo_data.DEMO_ACCOUNTS:
        email = str(row["email"])
        if await User.exists(email=email):
            continue
        async with in_transaction():
            user = await accounts.create_user(email, str(row["display_name"]), demo_data.DEMO_PASSWORD)
            scope: dict[str, Any] = {}
            if "province_code" in row:
                province = await find_province(str(row["province_code"]), UnitEra.LEGACY)
                assert province is not None
                scope["province_id"] = province.id
            if "producer" in row:
                scope["producer_id"] = producers[str(row["producer"])].id
            if "fair_scope" in row:
                scope["fair_scope"] = row["fair_scope"]
            await Membership.create(user_id=user.id, role=Role(str(row["role"])), **scope)
        created += 1
    return created


async def _trace(producers: dict[str, Producer], base_url: str) -> int:
    """Locations, lots and their histories (only into a database without lots)."""
    if await Batch.exists():
        return 0
    locations: dict[str, Location] = {}
    for row in demo_data.DEMO_LOCATIONS:
        commune = (
            await find_commune(str(row["commune_code"]), UnitEra.LEGACY) if row.get("commune_code") else None
        )
        producer = producers.get(str(row.get("producer")))
        locations[str(row["key"])] = await Location.create(
            name=row["name"],
            kind=LocationKind(str(row["kind"])),
            commune_id=commune.id if commune else None,
            address_line=row.get("address_line"),
            latitude=row.get("latitude"),
            longitude=row.get("longitude"),
            producer_id=producer.id if producer else None,
        )
    for row in demo_data.DEMO_RAW_MATERIALS:
        await _product({**row, "is_published": False}, producers[str(row["producer"])])
    batches: dict[str, Batch] = {}
    for row in demo_data.DEMO_BATCHES:
        product = await Product.get(name=row["product"])
        batches[str(row["key"])] = await trace.create_batch(
            trace.BatchData(
                product_id=product.id,
                lot_code=str(row["lot_code"]),
                production_date=_date(row.get("production_date")),
                harvest_date=_date(row.get("harvest_date")),
                quantity=Decimal(str(row["quantity"])) if row.get("quantity") else None,
                unit=row.get("unit"),  # type: ignore[arg-type]
                origin_commune_code=row.get("origin_commune_code"),  # type: ignore[arg-type]
                origin_commune_era=UnitEra.LEGACY,
                origin_place=row.get("origin_place"),  # type: ignore[arg-type]
            ),
            SYSTEM,
        )

    def lots(items: Any) -> list[trace.QuantityData]:
        return [
            trace.QuantityData(batches[key].id, Decimal(q) if q else None, unit)
            for key, q, unit in items or []
        ]

    def places(entries: Any) -> list[dict[str, str]]:
        return [
            {
                "type": e["type"],
                "destination": trace.location_uri(base_url, locations[e["destination"]]) or "",
            }
            for e in entries or []
        ]

    for row in demo_data.DEMO_EVENTS:
        event_type = EventType(str(row["type"]))
        await trace.record_event(
            trace.EventInput(
                event_type=event_type,
                event_time=dt.datetime.fromisoformat(str(row["time"])),
                subjects=lots(row.get("lots")),
                inputs=lots(row.get("inputs")),
                outputs=lots(row.get("outputs")),
                action=None
                if event_type == EventType.TRANSFORMATION
                else EventAction(str(row.get("action", "OBSERVE"))),
                biz_step=row.get("biz_step"),  # type: ignore[arg-type]
                disposition=row.get("disposition"),  # type: ignore[arg-type]
                read_point_id=locations[str(row["read_point"])].id if row.get("read_point") else None,
                destinations=places(row.get("destinations")),
                biz_transactions=row.get("biz_transactions", []),  # type: ignore[arg-type]
                note=row.get("note"),  # type: ignore[arg-type]
                note_en=row.get("note_en"),  # type: ignore[arg-type]
            ),
            SYSTEM,
            base_url,
        )
    return len(batches)


async def load(*, with_accounts: bool = True, base_url: str = "http://127.0.0.1:8000") -> dict[str, int]:
    """Load what is missing; returns how many rows of each kind were created. Demo accounts (a published
    password) are created only when `with_accounts` (never in production)."""
    counts = {
        "producers": 0,
        "products": 0,
        "evaluations": 0,
        "plans": 0,
        "targets": 0,
        "batches": 0,
        "accounts": 0,
    }
    producers: dict[str, Producer] = {}
    before = await Producer.all().count()
    for row in demo_data.PRODUCERS:
        producers[str(row["key"])] = await _producer(row)
    counts["producers"] = await Producer.all().count() - before
    for row in demo_data.PRODUCTS:
        product, created = await _product(row, producers[str(row["producer"])])
        if created:
            counts["products"] += 1
            for evaluation in row.get("evaluations", []):  # type: ignore[attr-defined]
                await _evaluation(evaluation, product)
                counts["evaluations"] += 1
    async with in_transaction():
        for row in demo_data.PROVINCIAL_PLANS:
            province = await find_province(str(row["province_code"]), UnitEra.LEGACY)
            assert province is not None, row
            _, created = await ProvincialPlan.get_or_create(
                province_id=province.id,
                document_number=row["document_number"],
                defaults={"approved_on": _date(row["approved_on"]), "title": row.get("title")},
            )
            counts["plans"] += int(created)
        for row in demo_data.PROGRAMME_TARGETS:
            target, created = await ProgrammeTarget.get_or_create(
                programme=row["programme"],
                metric=ProgrammeMetric(str(row["metric"])),
                period_start=_date(row["period_start"]),
                period_end=_date(row["period_end"]),
                scope_name=row["scope_name"],
                defaults={"target_value": Decimal(str(row["target_value"])), "source": row.get("source")},
            )
            if created:
                counts["targets"] += 1
                for code in row.get("province_codes", []):  # type: ignore[attr-defined]
                    province = await find_province(str(code), UnitEra.LEGACY)
                    assert province is not None, code
                    await target.provinces.add(province)
    counts["batches"] = await _trace(producers, base_url)
    if with_accounts:
        counts["accounts"] = await _accounts(producers)
    # -- the 2019 OCOP-Tourism fair (services/demo/fair.py), last: it builds on the producers and accounts
    # above. Its new producers, products and evaluations count here; the rest it logs itself.
    from services.demo import fair as demo_fair

    fair_counts = await demo_fair.load()
    for key in ("producers", "products", "evaluations"):
        counts[key] += fair_counts.get(key, 0)
    # -- packaging designs (services/demo/packaging.py): one per review state, by the demo accounts; it logs
    # what it creates (the counts above stay the registry's).
    from services.demo import packaging as packaging_demo

    await packaging_demo.load(base_url)
    # -- end packaging designs
    return counts
