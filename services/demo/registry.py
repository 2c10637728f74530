"""The registry part of the demo (services/demo/data/registry/, see the README there): producers, their
products and evaluations, provincial plans, programme targets, trace locations, lots and their histories,
and the demo accounts. Loaded through the same services users call, so every rule applies. Idempotent:
rows that exist (by natural key) are left alone.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from models import (
    Batch,
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
    Role,
    UnitEra,
    User,
)
from services.accounts import auth as accounts
from services.demo import files, records
from services.policy import SYSTEM
from services.registry.manage import find_commune, find_province
from services.trace import events as trace
from services.trace.batches import BatchData, create_batch

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RegistryDemo:
    producers: list[Row]
    products: list[Row]
    provincial_plans: list[Row]
    programme_targets: list[Row]
    password: str
    accounts: list[Row]
    locations: list[Row]
    raw_materials: list[Row]
    batches: list[Row]
    events: list[Row]


@functools.cache
def data() -> RegistryDemo:
    """The registry demo's files, read once per process."""
    accounts_file = files.read_toml("registry/accounts.toml")
    trace_file = files.read_json("registry/trace.json")
    return RegistryDemo(
        producers=files.read_toml("registry/producers.toml")["producer"],
        products=files.read_toml("registry/products.toml")["product"],
        provincial_plans=files.read_csv("registry/provincial_plans.csv"),
        programme_targets=files.read_toml("registry/programme_targets.toml")["target"],
        password=str(accounts_file["password"]),
        accounts=accounts_file["account"],
        locations=trace_file["locations"],
        raw_materials=trace_file["raw_materials"],
        batches=trace_file["batches"],
        events=trace_file["events"],
    )


async def load_registry(counts: dict[str, int]) -> dict[str, Producer]:
    """Producers, products with their evaluations, plans and targets; returns the producers by key (the
    fair's exhibitors include them)."""
    demo = data()
    producers: dict[str, Producer] = {}
    before = await Producer.all().count()
    for row in demo.producers:
        producers[str(row["key"])] = await records.producer(row)
    counts["producers"] = await Producer.all().count() - before
    for row in demo.products:
        product, created = await records.product(row, producers[str(row["producer"])])
        if created:
            counts["products"] += 1
            for evaluation in row.get("evaluations", []):
                await records.evaluation(evaluation, product)
                counts["evaluations"] += 1
    async with in_transaction():
        for row in demo.provincial_plans:
            province = await find_province(str(row["province_code"]), UnitEra.LEGACY)
            assert province is not None, row
            _, created = await ProvincialPlan.get_or_create(
                province_id=province.id,
                document_number=row["document_number"],
                defaults={"approved_on": records.date(row["approved_on"]), "title": row.get("title")},
            )
            counts["plans"] += int(created)
        for row in demo.programme_targets:
            target, created = await ProgrammeTarget.get_or_create(
                programme=row["programme"],
                metric=ProgrammeMetric(str(row["metric"])),
                period_start=records.date(row["period_start"]),
                period_end=records.date(row["period_end"]),
                scope_name=row["scope_name"],
                defaults={"target_value": Decimal(str(row["target_value"])), "source": row.get("source")},
            )
            if created:
                counts["targets"] += 1
                for code in row.get("province_codes", []):
                    province = await find_province(str(code), UnitEra.LEGACY)
                    assert province is not None, code
                    await target.provinces.add(province)
    return producers


async def load_accounts(producers: dict[str, Producer]) -> int:
    """The demo accounts that are missing (development only: the caller never asks in production)."""
    demo = data()
    created = 0
    for row in demo.accounts:
        email = str(row["email"])
        if await User.exists(email=email):
            continue
        async with in_transaction():
            user = await accounts.create_user(email, str(row["display_name"]), demo.password)
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


async def load_trace(producers: dict[str, Producer], base_url: str) -> int:
    """Locations, lots and their histories (only into a database without lots); returns the lots made."""
    if await Batch.exists():
        return 0
    demo = data()
    locations: dict[str, Location] = {}
    for row in demo.locations:
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
    for row in demo.raw_materials:
        await records.product({**row, "is_published": False}, producers[str(row["producer"])])
    batches: dict[str, Batch] = {}
    for row in demo.batches:
        product = await Product.get(name=row["product"])
        batches[str(row["key"])] = await create_batch(
            BatchData(
                product_id=product.id,
                lot_code=str(row["lot_code"]),
                production_date=records.date(row.get("production_date")),
                harvest_date=records.date(row.get("harvest_date")),
                quantity=Decimal(str(row["quantity"])) if row.get("quantity") else None,
                unit=row.get("unit"),
                origin_commune_code=row.get("origin_commune_code"),
                origin_commune_era=UnitEra.LEGACY,
                origin_place=row.get("origin_place"),
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

    for row in demo.events:
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
                biz_step=row.get("biz_step"),
                disposition=row.get("disposition"),
                read_point_id=locations[str(row["read_point"])].id if row.get("read_point") else None,
                destinations=places(row.get("destinations")),
                biz_transactions=row.get("biz_transactions", []),
                note=row.get("note"),
                note_en=row.get("note_en"),
            ),
            SYSTEM,
            base_url,
        )
    return len(batches)
