"""Registry records of the demo (producers, products, evaluations), written through services/registry like a
user's so that validation and NFC apply. Shared by the registry and fair loaders (services/demo/registry.py,
services/demo/fair.py): each fair exhibitor is a registry producer too. Idempotent: a producer or product
that exists (by its folded name) is returned as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from models import CriteriaSet, Evaluation, EvaluationStatus, Producer, Product, RecognisingLevel, UnitEra
from services.common.text import fold
from services.policy import SYSTEM
from services.registry import evaluations
from services.registry import manage as registry
from services.registry.data import ImageData
from services.registry.evaluations import CertificationData, EvaluationData
from services.registry.manage import ProducerChanges, ProductChanges


def date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


async def producer(row: dict[str, Any]) -> Producer:
    """The producer of this row: the one of the same name, else a new one."""
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
            logo_url=row.get("logo_url"),
            description=row.get("description"),
            description_en=row.get("description_en"),
            ocop_training_completed_on=date(row.get("ocop_training_completed_on")),
            model_example_recognised_on=date(row.get("model_example_recognised_on")),
        ),
        SYSTEM,
    )


async def product(row: dict[str, Any], producer: Producer) -> tuple[Product, bool]:
    """The producer's product of this row, and whether it was created now."""
    existing = await Product.filter(producer_id=producer.id, name_folded=fold(str(row["name"]))).first()
    if existing is not None:
        return existing, False
    created = await registry.create_product(
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
                    valid_until=date(c.get("valid_until")),
                )
                for c in row.get("certifications", [])
            ],
            is_published=row.get("is_published", True),
            images=[ImageData(url=i["url"], caption=i.get("caption")) for i in row.get("images", [])],
        ),
        SYSTEM,
    )
    return created, True


async def evaluation(row: dict[str, Any], product: Product) -> Evaluation:
    return await evaluations.record_evaluation(
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
            decision_date=date(row.get("decision_date")),
            note=row.get("note"),
        ),
        SYSTEM,
    )
