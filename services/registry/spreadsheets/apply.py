"""Writing an import's plan (services/registry/spreadsheets/validate.py): in one transaction, all or
nothing. Text arrives NFC from `parse`; folded names and derived columns (province, total, stars, validity)
are computed here as the registry's own writes compute them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from models import CriteriaSet, Evaluation, EvaluationStatus, Producer, Product
from services.common.text import fold
from services.registry import stars
from services.registry.evaluations import refresh_latest_certificate
from services.registry.spreadsheets.validate import CREATE, UPDATE, Plan
from services.trace import snapshot


def _evaluation_columns(values: dict[str, Any]) -> dict[str, Any]:
    total = int(values["score_a"]) + int(values["score_b"]) + int(values["score_c"])
    decision_date: dt.date = values["decision_date"]
    status = EvaluationStatus(values["status"])
    return {
        **values,
        "total": total,
        "stars": stars.stars_for(CriteriaSet(values["criteria_set"]), total),
        "valid_from": decision_date,
        "valid_until": stars.default_valid_until(decision_date)
        if status == EvaluationStatus.CERTIFIED
        else None,
    }


async def apply_plan(plan: Plan) -> None:
    """Create and update what the plan says, in one transaction; products whose decisions changed point at
    their latest certificate again."""
    async with in_transaction():
        producer_ids: dict[str, int] = {}
        for key, (action, producer_id, values) in plan.producers.items():
            columns = {**values, "name_folded": fold(values["name"])}
            if action == CREATE:
                producer_ids[key] = (await Producer.create(**columns)).id
            else:
                assert producer_id is not None
                producer_ids[key] = producer_id
                if action == UPDATE:
                    await Producer.filter(id=producer_id).update(**columns)
                    await snapshot.stale_for_producer(producer_id)  # no signal for a QuerySet update
        product_ids: dict[str, int] = {}
        for key, (action, product_id, producer_key, values) in plan.products.items():
            columns = {**values, "name_folded": fold(values["name"])}
            if action == CREATE:
                product_ids[key] = (
                    await Product.create(producer_id=producer_ids[producer_key], **columns)
                ).id
            else:
                assert product_id is not None
                product_ids[key] = product_id
                if action == UPDATE:
                    await Product.filter(id=product_id).update(**columns)
                    await snapshot.stale_for_products([product_id])
        touched: set[int] = set()
        for action, evaluation_id, product_key, values in plan.evaluations:
            if action == CREATE:
                await Evaluation.create(product_id=product_ids[product_key], **_evaluation_columns(values))
            elif action == UPDATE:
                await Evaluation.filter(id=evaluation_id).update(**_evaluation_columns(values))
                await snapshot.stale_for_products([product_ids[product_key]])
            else:
                continue
            touched.add(product_ids[product_key])
        for product in await Product.filter(id__in=sorted(touched)):
            await refresh_latest_certificate(product)
