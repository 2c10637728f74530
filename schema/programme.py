"""Programme targets and their progress, computed from the registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from models import ProgrammeTarget as TargetModel
from schema.admin import AdministrativeUnit
from schema.context import Info
from schema.enums import ProgrammeMetric
from services.registry import programme
from services.registry.search import province_scope


@strawberry.type(description="A target of an OCOP programme or plan.")
class ProgrammeTarget:
    programme: str
    source: str | None
    metric: ProgrammeMetric
    target_value: Decimal
    period_start: dt.date
    period_end: dt.date
    scope_name: str
    provinces: list[AdministrativeUnit] = strawberry.field(description="Empty for a national target.")


@strawberry.type(description="Progress towards a target, computed from the registry at request time.")
class ProgrammeProgress:
    target: ProgrammeTarget
    actual: Decimal = strawberry.field(description="Count, or percent for share metrics.")
    numerator: int
    denominator: int | None = strawberry.field(description="For share metrics: how many were counted.")
    ratio: Decimal | None = strawberry.field(description="actual / target (1 means reached).")
    reached: bool


@strawberry.type
class ProgrammeQuery:
    @strawberry.field(
        description="Progress of every programme target, optionally only those of one programme or one "
        "province (a target covers a province when its scope includes it, or it is national)."
    )
    async def programme_progress(
        self, info: Info, programme_name: str | None = None, province_code: str | None = None
    ) -> list[ProgrammeProgress]:
        query = TargetModel.all().prefetch_related("provinces").order_by("period_start", "programme", "id")
        if programme_name:
            query = query.filter(programme=programme_name)
        targets = list(await query)
        if province_code:
            await province_scope(province_code, "provinceCode")
            code = province_code.strip().zfill(2)
            targets = [t for t in targets if not t.provinces or any(p.code == code for p in t.provinces)]
        results = []
        for target in targets:
            result = await programme.progress(target)
            ratio = result.ratio
            results.append(
                ProgrammeProgress(
                    target=ProgrammeTarget(
                        programme=target.programme,
                        source=target.source,
                        metric=target.metric,
                        target_value=target.target_value,
                        period_start=target.period_start,
                        period_end=target.period_end,
                        scope_name=target.scope_name,
                        provinces=[AdministrativeUnit.from_model(p) for p in target.provinces],
                    ),
                    actual=result.actual,
                    numerator=result.numerator,
                    denominator=result.denominator,
                    ratio=ratio,
                    reached=ratio is not None and ratio >= 1,
                )
            )
        return results
