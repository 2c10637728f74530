"""Progress of programme targets, always computed from the registry (never typed in)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from tortoise.expressions import Q, Subquery

from models import (
    REFORM_DATE,
    AdminUnit,
    Evaluation,
    EvaluationStatus,
    Producer,
    ProgrammeMetric,
    ProgrammeTarget,
    ProvincialPlan,
    UnitEra,
    UnitLevel,
)
from services.registry.search import province_scope

SHARE_METRICS = {ProgrammeMetric.PARTICIPANTS_TRAINED_SHARE, ProgrammeMetric.PROVINCES_WITH_PLAN_SHARE}


@dataclass(frozen=True, slots=True)
class Progress:
    target: ProgrammeTarget
    actual: Decimal
    numerator: int
    denominator: int | None  # for shares

    @property
    def ratio(self) -> Decimal | None:
        """Achievement as a fraction of the target (1 = reached)."""
        if self.target.target_value == 0:
            return None
        return (self.actual / self.target.target_value).quantize(Decimal("0.0001"))

    @property
    def reached(self) -> bool:
        ratio = self.ratio
        return ratio is not None and ratio >= 1


async def _producer_scope(provinces: list[AdminUnit]) -> Q | None:
    """None means national: every producer."""
    if not provinces:
        return None
    scope = Q()
    for index, province in enumerate(provinces):
        part = await province_scope(province.code)
        scope = part if index == 0 else scope | part
    return scope


async def _scope_producer_ids(scope: Q | None) -> Subquery:
    query = Producer.all() if scope is None else Producer.filter(scope)
    return Subquery(query.values("id"))


async def progress(target: ProgrammeTarget) -> Progress:
    provinces = list(await target.provinces.all())
    scope = await _producer_scope(provinces)
    producers = await _scope_producer_ids(scope)
    start, end = target.period_start, target.period_end
    metric = ProgrammeMetric(target.metric)
    numerator: int
    denominator: int | None = None
    if metric in (ProgrammeMetric.PROVINCIAL_LEVEL_PRODUCTS, ProgrammeMetric.NATIONAL_LEVEL_PRODUCTS):
        star_range = (3, 4) if metric == ProgrammeMetric.PROVINCIAL_LEVEL_PRODUCTS else (5, 5)
        product_ids = await (
            Evaluation.filter(
                status__in=(EvaluationStatus.CERTIFIED, EvaluationStatus.REVOKED),
                stars__gte=star_range[0],
                stars__lte=star_range[1],
                decision_date__gte=start,
                decision_date__lte=end,
                product__producer_id__in=producers,
            )
            .distinct()
            .values_list("product_id", flat=True)
        )
        numerator = len(set(product_ids))
    elif metric == ProgrammeMetric.MODEL_EXAMPLES:
        numerator = await Producer.filter(
            id__in=producers, model_example_recognised_on__gte=start, model_example_recognised_on__lte=end
        ).count()
    elif metric == ProgrammeMetric.PARTICIPANTS_TRAINED_SHARE:
        participants = Producer.filter(id__in=producers, products__id__isnull=False).distinct()
        denominator = await participants.count()
        numerator = await participants.filter(ocop_training_completed_on__lte=end).count()
    else:  # provinces with an approved plan by the end of the period
        scope_provinces = provinces or await _national_provinces(end)
        denominator = len(scope_provinces)
        planned = await ProvincialPlan.filter(
            province_id__in=[p.id for p in scope_provinces], approved_on__lte=end
        ).values_list("province_id", flat=True)
        numerator = len(set(planned))
    if denominator is not None:
        actual = (
            Decimal(0)
            if denominator == 0
            else (Decimal(100 * numerator) / denominator).quantize(Decimal("0.1"))
        )
    else:
        actual = Decimal(numerator)
    return Progress(target, actual, numerator, denominator)


async def by_year(target: ProgrammeTarget) -> list[tuple[int, int]]:
    """The target's count, year by year of its period (a product counts in the year of its first certificate
    within the period, so the years add up to `progress().numerator`); empty for share metrics."""
    metric = ProgrammeMetric(target.metric)
    if metric in SHARE_METRICS:
        return []
    producers = await _scope_producer_ids(await _producer_scope(list(await target.provinces.all())))
    start, end = target.period_start, target.period_end
    if metric == ProgrammeMetric.MODEL_EXAMPLES:
        days = await Producer.filter(
            id__in=producers, model_example_recognised_on__gte=start, model_example_recognised_on__lte=end
        ).values_list("model_example_recognised_on", flat=True)
        years = Counter(cast(dt.date, day).year for day in days)
    else:
        low, high = (3, 4) if metric == ProgrammeMetric.PROVINCIAL_LEVEL_PRODUCTS else (5, 5)
        rows = await Evaluation.filter(
            status__in=(EvaluationStatus.CERTIFIED, EvaluationStatus.REVOKED),
            stars__gte=low,
            stars__lte=high,
            decision_date__gte=start,
            decision_date__lte=end,
            product__producer_id__in=producers,
        ).values_list("product_id", "decision_date")
        first: dict[int, dt.date] = {}
        for product_id, day in cast(list[tuple[int, dt.date]], rows):
            first[product_id] = min(first.get(product_id, day), day)
        years = Counter(day.year for day in first.values())
    return [(year, years[year]) for year in range(start.year, end.year + 1)]


async def _national_provinces(day: dt.date) -> list[AdminUnit]:
    era = UnitEra.LEGACY if day < REFORM_DATE else UnitEra.CURRENT
    return list(await AdminUnit.filter(level=UnitLevel.PROVINCE, era=era))


async def targets(
    programme_name: str | None = None, province_code: str | None = None
) -> list[ProgrammeTarget]:
    """Targets in order of their period, with their provinces: those of one programme, or those covering one
    province (its scope includes it, or the target is national). An unknown province is refused."""
    query = ProgrammeTarget.all().prefetch_related("provinces").order_by("period_start", "programme", "id")
    if programme_name:
        query = query.filter(programme=programme_name)
    found = list(await query)
    if province_code:
        await province_scope(province_code, "provinceCode")
        code = province_code.strip().zfill(2)
        found = [t for t in found if not t.provinces or any(p.code == code for p in t.provinces)]
    return found
