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
    producer_kind: ProducerKind | None = strawberry.field(
        default=None, description="Only products of producers of this kind."
    )
    producer_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those of this producer (its global ID)."
    )


@strawberry.input(description="How to sort products.")
class ProductSort:
    field: ProductSortField = strawberry.field(description="What to sort by.")
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Producer filters; all given filters must match.")
class ProducerFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Words of the producer's name, matched without case or diacritics and in any order.",
    )
    province_code: str | None = strawberry.field(
        default=None, description="GSO province code, legacy or current (as for products)."
    )
    kind: ProducerKind | None = strawberry.field(default=None, description="Only producers of this kind.")


@strawberry.input(description="Evaluation filters; all given filters must match.")
class EvaluationFilter:
    product_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those of this product (its global ID)."
    )
    status: EvaluationStatus | None = strawberry.field(
        default=None, description="Only evaluations in this status."
    )
    criteria_set: CriteriaSet | None = strawberry.field(
        default=None, description="Only evaluations against this criteria set."
    )


PRODUCT_FILTER = InputMap(ProductFilter, search.ProductFilterData, decoded=("producer_id",))
PRODUCER_FILTER = InputMap(ProducerFilter, search.ProducerFilterData)
EVALUATION_FILTER = InputMap(EvaluationFilter, search.EvaluationFilterData, decoded=("product_id",))
