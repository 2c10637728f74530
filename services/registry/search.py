"""Reads of the OCOP registry: product search and filters, province scopes across the 2025 reform."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models import AdminUnit, AdminUnitSuccession, Producer, ProducerKind, Product, UnitEra, UnitLevel
from services.common import clock
from services.common.errors import DomainError, ErrorCode, FieldProblem
from services.common.text import search_terms


class ProductSortField(StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@dataclass(slots=True)
class ProductFilterData:
    search: str | None = None
    province_code: str | None = None
    group: str | None = None
    min_stars: int | None = None
    producer_kind: ProducerKind | None = None
    producer_id: int | None = None


async def province_scope(code: str, field_name: str = "provinceCode") -> Q:
    """Filter on producers for a province code, across the reform: a legacy province also covers
    producers registered in the current communes that succeeded its communes; a current province also
    covers producers registered in the legacy provinces merged into it."""
    units = await AdminUnit.filter(level=UnitLevel.PROVINCE, code=code.strip().zfill(2)).all()
    if not units:
        raise DomainError(
            [
                FieldProblem(
                    field_name,
                    ErrorCode.NOT_FOUND,
                    f"Không có tỉnh/thành phố mã {code}.",
                    f"No province with code {code}.",
                )
            ]
        )
    province_ids = {u.id for u in units}
    legacy_ids = [u.id for u in units if u.era == UnitEra.LEGACY]
    current_ids = [u.id for u in units if u.era == UnitEra.CURRENT]
    if current_ids:
        predecessors = await AdminUnitSuccession.filter(successor_id__in=current_ids).values_list(
            "predecessor_id", flat=True
        )
        province_ids |= set(cast(list[int], predecessors))
    scope = Q(province_id__in=sorted(province_ids))
    if legacy_ids:
        successor_communes = AdminUnitSuccession.filter(
            predecessor__level=UnitLevel.COMMUNE, predecessor__province_id__in=legacy_ids
        ).values("successor_id")
        scope |= Q(commune_id__in=Subquery(successor_communes))
    return scope


async def product_query(
    filters: ProductFilterData, *, visibility: Q | None, today: dt.date | None = None
) -> QuerySet[Product]:
    """Products matching `filters` among those `visibility` lets the actor see (None: all; see
    services.policy.registry.product_visibility)."""
    query = Product.all()
    if visibility is not None:
        query = query.filter(visibility)
    if filters.producer_id is not None:
        query = query.filter(producer_id=filters.producer_id)
    for term in search_terms(filters.search or ""):
        query = query.filter(Q(name_folded__contains=term) | Q(producer__name_folded__contains=term))
    if filters.producer_kind is not None:
        query = query.filter(producer__kind=filters.producer_kind)
    if filters.province_code:
        scope = await province_scope(filters.province_code, "filter.provinceCode")
        query = query.filter(producer_id__in=Subquery(Producer.filter(scope).values("id")))
    if filters.group:
        code = filters.group.strip()
        query = query.filter(Q(group__code=code) | Q(subgroup__code=code))
    if filters.min_stars is not None:
        if not 1 <= filters.min_stars <= 5:
            raise DomainError(
                [
                    FieldProblem(
                        "filter.minStars", ErrorCode.OUT_OF_RANGE, "Từ 1 đến 5 sao.", "Between 1 and 5."
                    )
                ]
            )
        day = today or clock.today()
        query = query.filter(
            latest_certificate__stars__gte=filters.min_stars,
            latest_certificate__valid_from__lte=day,
            latest_certificate__valid_until__gte=day,
        )
    return query


def ordering(field: ProductSortField, descending: bool) -> list[str]:
    column = "name_folded" if field == ProductSortField.NAME else field.value
    sign = "-" if descending else ""
    return [f"{sign}{column}", f"{sign}id"]
