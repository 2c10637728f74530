"""Reads of the OCOP registry: product, producer and evaluation filters, province scopes across the 2025
reform, the units and groups clients pick from. The GraphQL resolvers only page what these return."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models import (
    AdminUnit,
    CriteriaSet,
    Evaluation,
    EvaluationStatus,
    Producer,
    ProducerKind,
    Product,
    ProductGroup,
    UnitEra,
    UnitLevel,
)
from services.common import clock
from services.common.errors import DomainError, FieldProblem
from services.common.text import search_terms
from services.registry import admin_units
from services.registry.errors import RegistryErrorCode

# A search is one LIKE per word: its cost grows with both, so both are capped (a typed TOO_LONG error).
MAX_SEARCH_CHARS = 200
MAX_SEARCH_TERMS = 10


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


@dataclass(frozen=True, slots=True)
class ProducerFilterData:
    search: str | None = None
    province_code: str | None = None
    kind: ProducerKind | None = None


@dataclass(frozen=True, slots=True)
class EvaluationFilterData:
    product_id: int | None = None
    status: EvaluationStatus | None = None
    criteria_set: CriteriaSet | None = None


def checked_terms(search: str | None, field_name: str = "filter.search") -> list[str]:
    """The distinct folded words of a search, refused (TOO_LONG) beyond MAX_SEARCH_CHARS characters or
    MAX_SEARCH_TERMS distinct words; the length is checked before any work on the text."""
    if not search:
        return []
    if len(search) > MAX_SEARCH_CHARS:
        raise DomainError(
            [
                FieldProblem(
                    field_name,
                    RegistryErrorCode.TOO_LONG,
                    f"Từ khoá tìm kiếm tối đa {MAX_SEARCH_CHARS} ký tự.",
                    f"A search is at most {MAX_SEARCH_CHARS} characters.",
                )
            ]
        )
    terms = search_terms(search)
    if len(terms) > MAX_SEARCH_TERMS:
        raise DomainError(
            [
                FieldProblem(
                    field_name,
                    RegistryErrorCode.TOO_LONG,
                    f"Tìm kiếm tối đa {MAX_SEARCH_TERMS} từ.",
                    f"A search is at most {MAX_SEARCH_TERMS} words.",
                )
            ]
        )
    return terms


def _all_terms(terms: list[str], *columns: str) -> Q:
    """One flat AND over the terms, each matching any of `columns` (not a chain of nested filters)."""
    return Q(
        *(Q(*(Q(**{f"{column}__contains": term}) for column in columns), join_type="OR") for term in terms)
    )


async def province_cover(code: str, field_name: str = "provinceCode") -> admin_units.Cover:
    """The producers a province code covers across the reform (`admin_units.Cover`): a legacy province also
    covers producers registered in the current communes that succeeded its communes; a current province
    also covers producers registered in the legacy provinces merged into it. NOT_FOUND for no province."""
    code = code.strip()[:6]  # AdminUnit.code holds 5: a longer code names no province (and is not echoed)
    units = await admin_units.provinces_coded(code) if len(code) <= 5 else frozenset()
    if not units:
        raise DomainError(
            [
                FieldProblem(
                    field_name,
                    RegistryErrorCode.NOT_FOUND,
                    f"Không có tỉnh/thành phố mã {code}.",
                    f"No province with code {code}.",
                )
            ]
        )
    return await admin_units.cover(units)


async def province_scope(code: str, field_name: str = "provinceCode") -> Q:
    """Filter on producers for a province code, across the reform (`province_cover`)."""
    found = await province_cover(code, field_name)
    scope = Q(province_id__in=sorted(found.province_ids))
    if found.commune_ids:
        scope |= Q(commune_id__in=sorted(found.commune_ids))
    return scope


def check_min_stars(min_stars: int) -> None:
    if not 1 <= min_stars <= 5:
        raise DomainError(
            [
                FieldProblem(
                    "filter.minStars",
                    RegistryErrorCode.OUT_OF_RANGE,
                    "Từ 1 đến 5 sao.",
                    "Between 1 and 5.",
                )
            ]
        )


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
    terms = checked_terms(filters.search)
    if terms:
        query = query.filter(_all_terms(terms, "name_folded", "producer__name_folded"))
    if filters.producer_kind is not None:
        query = query.filter(producer__kind=filters.producer_kind)
    if filters.province_code:
        scope = await province_scope(filters.province_code, "filter.provinceCode")
        query = query.filter(producer_id__in=Subquery(Producer.filter(scope).values("id")))
    if filters.group:
        code = filters.group.strip()
        query = query.filter(Q(group__code=code) | Q(subgroup__code=code))
    if filters.min_stars is not None:
        check_min_stars(filters.min_stars)
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


async def producer_query(filters: ProducerFilterData) -> QuerySet[Producer]:
    query = Producer.all()
    terms = checked_terms(filters.search)
    if terms:
        query = query.filter(_all_terms(terms, "name_folded"))
    if filters.kind is not None:
        query = query.filter(kind=filters.kind)
    if filters.province_code:
        query = query.filter(await province_scope(filters.province_code, "filter.provinceCode"))
    return query


def evaluation_query(
    filters: EvaluationFilterData, *, visibility: Q | None, today: dt.date
) -> QuerySet[Evaluation]:
    """Evaluations matching `filters` among those `visibility` lets the actor see (None: all). EXPIRED is
    never stored: it is a certified evaluation past its validity on `today`, and CERTIFIED means still valid
    (the filter's form of services.registry.stars.effective_status)."""
    query = Evaluation.all()
    if visibility is not None:
        query = query.filter(visibility)
    if filters.product_id is not None:
        query = query.filter(product_id=filters.product_id)
    if filters.criteria_set is not None:
        query = query.filter(criteria_set=filters.criteria_set)
    if filters.status == EvaluationStatus.EXPIRED:
        query = query.filter(status=EvaluationStatus.CERTIFIED, valid_until__lt=today)
    elif filters.status == EvaluationStatus.CERTIFIED:
        query = query.filter(status=EvaluationStatus.CERTIFIED, valid_until__gte=today)
    elif filters.status is not None:
        query = query.filter(status=filters.status)
    return query


async def provinces(era: UnitEra) -> list[AdminUnit]:
    return await AdminUnit.filter(level=UnitLevel.PROVINCE, era=era).order_by("code")


async def administrative_unit(level: UnitLevel, code: str, era: UnitEra) -> AdminUnit | None:
    """A unit by its GSO code, written with or without leading zeros."""
    width = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}[UnitLevel(level)]
    return await AdminUnit.get_or_none(level=level, era=era, code=code.strip().zfill(width))


async def product_groups(criteria_set: CriteriaSet) -> list[ProductGroup]:
    return await ProductGroup.filter(criteria_set=criteria_set).order_by("code")
