"""Root query fields of the registry."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from tortoise.queryset import QuerySet

from models import AdminUnit
from models import Evaluation as EvaluationModel
from models import Producer as ProducerModel
from models import ProductGroup as GroupModel
from models import UnitLevel as UnitLevelModel
from schema.admin import AdministrativeUnit
from schema.context import Info
from schema.enums import (
    CriteriaSet,
    EvaluationStatus,
    ProducerKind,
    ProductSortField,
    SortDirection,
    UnitEra,
    UnitLevel,
)
from schema.ids import decode_id
from schema.lookahead import selects
from schema.pagination import Connection, Page, fetch_page
from schema.registry.types import (
    Evaluation,
    Producer,
    Product,
    ProductGroup,
    visible_product,
)
from services.common import rows
from services.common.text import search_terms
from services.policy import registry as policy
from services.registry import search as catalog


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


PageArgs = tuple[int | None, str | None, int | None, str | None]


async def _product_page(info: Info, query: QuerySet[Any], order: list[str], args: PageArgs) -> Page[Any]:
    """The page's products read in one statement with the relations the query selects, then the loaders
    primed with them (and the producers' provinces loaded in one batch), so that the items' relation
    fields resolve without awaiting."""
    node = ("edges", "node")
    with_producer = selects(info, *node, "producer")
    with_certificate = selects(info, *node, "stars") or selects(info, *node, "certificate")

    async def fetch(ids: list[int]) -> list[Any]:
        return await rows.fetch_products(ids, with_producer=with_producer, with_certificate=with_certificate)

    page: Page[Any] = await fetch_page(query, order, *args, fetch=fetch)
    loaders = info.context.loaders
    loaders.prime(loaders.product, page.rows)
    if with_producer:
        producers = [r.producer for r in page.rows]
        loaders.prime(loaders.producer, producers)
        if selects(info, *node, "producer", "province"):
            await loaders.admin_unit.load_many(sorted({p.province_id for p in producers}))
    if with_certificate:
        loaders.prime(loaders.evaluation, [r.latest_certificate for r in page.rows if r.latest_certificate])
    return page


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="Published OCOP products, filtered and sorted; at most 100 per page.")
    async def products(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ProductFilter | None = None,
        sort_by: ProductSort | None = None,
    ) -> Connection[Product]:
        f = filter or ProductFilter()
        query = await catalog.product_query(
            catalog.ProductFilterData(
                search=f.search,
                province_code=f.province_code,
                group=f.group,
                min_stars=f.min_stars,
                producer_kind=f.producer_kind,
                producer_id=decode_id(f.producer_id, "Producer", "filter.producerId")
                if f.producer_id
                else None,
            ),
            visibility=policy.product_visibility(info.context.reach),
            today=info.context.today,
        )
        sort = sort_by or ProductSort(field=ProductSortField.NAME)
        order = catalog.ordering(sort.field, sort.direction == SortDirection.DESC)
        page = await _product_page(info, query, order, (first, after, last, before))
        return Connection[Product].of(page, [Product.from_model(r) for r in page.rows], query)

    @strawberry.field(description="One product by its global ID.")
    async def product(self, info: Info, id: relay.GlobalID) -> Product | None:
        product_id = decode_id(id, "Product", "id")
        return await visible_product(info, product_id)

    @strawberry.field(description="Producers, filtered; at most 100 per page.")
    async def producers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ProducerFilter | None = None,
    ) -> Connection[Producer]:
        f = filter or ProducerFilter()
        query = ProducerModel.all()
        for term in search_terms(f.search or ""):
            query = query.filter(name_folded__contains=term)
        if f.kind is not None:
            query = query.filter(kind=f.kind)
        if f.province_code:
            query = query.filter(await catalog.province_scope(f.province_code, "filter.provinceCode"))
        page: Page[Any] = await fetch_page(query, ("name_folded", "id"), first, after, last, before)
        info.context.loaders.prime(info.context.loaders.producer, page.rows)
        return Connection[Producer].of(page, [Producer.from_model(r) for r in page.rows], query)

    @strawberry.field
    async def producer(self, info: Info, id: relay.GlobalID) -> Producer | None:
        producer_id = decode_id(id, "Producer", "id")
        row = await info.context.loaders.producer.load(producer_id)
        return Producer.from_model(row) if row else None

    @strawberry.field(description="Evaluations, newest decision first.")
    async def evaluations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: EvaluationFilter | None = None,
    ) -> Connection[Evaluation]:
        f = filter or EvaluationFilter()
        query = EvaluationModel.all()
        if (visibility := policy.evaluation_visibility(info.context.reach)) is not None:
            query = query.filter(visibility)
        if f.product_id is not None:
            query = query.filter(product_id=decode_id(f.product_id, "Product", "filter.productId"))
        if f.criteria_set is not None:
            query = query.filter(criteria_set=f.criteria_set)
        if f.status == EvaluationStatus.EXPIRED:
            query = query.filter(status="certified", valid_until__lt=info.context.today)
        elif f.status == EvaluationStatus.CERTIFIED:
            query = query.filter(status="certified", valid_until__gte=info.context.today)
        elif f.status is not None:
            query = query.filter(status=f.status)
        page: Page[Any] = await fetch_page(query, ("-decision_date", "-id"), first, after, last, before)
        today = info.context.today
        return Connection[Evaluation].of(page, [Evaluation.from_model(r, today) for r in page.rows], query)

    @strawberry.field(description="Provinces and centrally governed cities of an era (current by default).")
    async def provinces(self, era: UnitEra = UnitEra.CURRENT) -> list[AdministrativeUnit]:
        rows = await AdminUnit.filter(level=UnitLevelModel.PROVINCE, era=era).order_by("code")
        return [AdministrativeUnit.from_model(u) for u in rows]

    @strawberry.field(description="One administrative unit by level, GSO code and era.")
    async def administrative_unit(
        self,
        level: UnitLevel,
        code: str,
        era: UnitEra = UnitEra.CURRENT,
    ) -> AdministrativeUnit | None:
        width = {"province": 2, "district": 3, "commune": 5}[UnitLevel(level).value]
        unit = await AdminUnit.get_or_none(level=level, era=era, code=code.strip().zfill(width))
        return AdministrativeUnit.from_model(unit) if unit else None

    @strawberry.field(description="Product groups and sub-groups of a criteria set.")
    async def product_groups(
        self,
        criteria_set: Annotated[CriteriaSet, strawberry.argument()] = CriteriaSet.QD_148,
    ) -> list[ProductGroup]:
        rows = await GroupModel.filter(criteria_set=criteria_set).order_by("code")
        return [ProductGroup.from_model(g) for g in rows]
