"""Filter and sort arguments of the registry's queries, and how each becomes the search service's filter."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.enums import CriteriaSet, EvaluationStatus, ProducerKind, ProductSortField, SortDirection
from schema.mapping import InputMap
from services.registry import search


@strawberry.input(description="Product filters; all given filters must match.")
class ProductFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Words of the product or producer name, without diacritics or case ('banh phong son doc').",
    )
    province_code: str | None = strawberry.field(
        default=None,
        description="GSO province code, legacy ('83' Bến Tre) or current ('86' Vĩnh Long, which includes Bến Tre).",
    )
    group: str | None = strawberry.field(
        default=None, description="Product group or sub-group code ('1', '1.2')."
    )
    min_stars: int | None = strawberry.field(
        default=None, description="Only products with a valid certificate of at least this many stars."
    )
    producer_kind: ProducerKind | None = None
    producer_id: relay.GlobalID | None = None


@strawberry.input
class ProductSort:
    field: ProductSortField
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Producer filters; all given filters must match.")
class ProducerFilter:
    search: str | None = None
    province_code: str | None = None
    kind: ProducerKind | None = None


@strawberry.input
class EvaluationFilter:
    product_id: relay.GlobalID | None = None
    status: EvaluationStatus | None = None
    criteria_set: CriteriaSet | None = None


PRODUCT_FILTER = InputMap(ProductFilter, search.ProductFilterData, decoded=("producer_id",))
PRODUCER_FILTER = InputMap(ProducerFilter, search.ProducerFilterData)
EVALUATION_FILTER = InputMap(EvaluationFilter, search.EvaluationFilterData, decoded=("product_id",))
