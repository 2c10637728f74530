"""DataLoaders, one per relation, created per request: every list of N rows costs one query per relation,
not N."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import (
    AdminUnit,
    AdminUnitSuccession,
    Certification,
    Evaluation,
    Location,
    Producer,
    Product,
    ProductGroup,
    ProductImage,
    TraceEvent,
)
from schema.pagination import Page, fetch_child_pages
from services.registry import admin_units
from services.registry.search import ProductFilterData, product_query
from services.trace import events as trace


def _by_id[M: Model](model: type[M]) -> DataLoader[int, M | None]:
    async def load(keys: Sequence[int]) -> list[M | None]:
        rows = {row.pk: row for row in await model.filter(id__in=list(keys))}
        return [rows.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _admin_units() -> DataLoader[int, AdminUnit | None]:
    async def load(keys: Sequence[int]) -> list[AdminUnit | None]:
        units = await admin_units.get_many(keys)
        return [units.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _events_by_batch() -> DataLoader[int, list[TraceEvent]]:
    async def load(keys: Sequence[int]) -> list[list[TraceEvent]]:
        events = await trace.events_of_many(keys)
        return [events[key] for key in keys]

    return DataLoader(load_fn=load)


def _children[M: Model](model: type[M], fk: str, order: Sequence[str] = ("id",)) -> DataLoader[int, list[M]]:
    async def load(keys: Sequence[int]) -> list[list[M]]:
        grouped: dict[int, list[M]] = defaultdict(list)
        for row in await model.filter(**{f"{fk}__in": list(keys)}).order_by(*order):
            grouped[getattr(row, fk)].append(row)
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def _links(fk: str, other: str) -> DataLoader[int, list[AdminUnit]]:
    async def load(keys: Sequence[int]) -> list[list[AdminUnit]]:
        links = await AdminUnitSuccession.filter(**{f"{fk}__in": list(keys)}).values(fk, other)
        units = {u.id: u for u in await AdminUnit.filter(id__in={link[other] for link in links})}
        grouped: dict[int, list[AdminUnit]] = defaultdict(list)
        for link in links:
            grouped[link[fk]].append(units[link[other]])
        return [sorted(grouped.get(key, []), key=lambda u: u.code) for key in keys]

    return DataLoader(load_fn=load)


def _visible_products_by_producer(visibility: Q | None) -> DataLoader[int, list[Product]]:
    """Each producer's products the caller may see, by name: one query for all producers of the request."""

    async def load(keys: Sequence[int]) -> list[list[Product]]:
        query = await product_query(ProductFilterData(), visibility=visibility)
        grouped: dict[int, list[Product]] = defaultdict(list)
        for row in await query.filter(producer_id__in=list(keys)).order_by("name_folded", "id"):
            grouped[row.producer_id].append(row)
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """All loaders of one request."""

    def __init__(self) -> None:
        self.producer = _by_id(Producer)
        self.product = _by_id(Product)
        self.evaluation = _by_id(Evaluation)
        self.admin_unit = _admin_units()
        self.product_group = _by_id(ProductGroup)
        self.certifications_by_product = _children(Certification, "product_id")
        self.images_by_product = _children(ProductImage, "product_id", ("position", "id"))
        self.evaluations_by_product = _children(Evaluation, "product_id", ("-decision_date", "-id"))
        self.children_by_unit = _children(AdminUnit, "parent_id", ("code",))
        self.successors_by_unit = _links("predecessor_id", "successor_id")
        self.predecessors_by_unit = _links("successor_id", "predecessor_id")
        self.events_by_batch = _events_by_batch()
        self.location = _by_id(Location)
        self._products_by_producer: DataLoader[int, list[Product]] | None = None
        self._child_pages: dict[tuple[Any, ...], DataLoader[int, Page[Any]]] = {}

    def products_by_producer(self, visibility: Q | None) -> DataLoader[int, list[Product]]:
        """Products by producer as the request's caller may see them (its visibility is the same for the
        whole request)."""
        if self._products_by_producer is None:
            self._products_by_producer = _visible_products_by_producer(visibility)
        return self._products_by_producer

    def child_pages(
        self,
        relation: str,
        query: QuerySet[Any],
        parent: str,
        order: Sequence[str],
        paging: tuple[int | None, str | None, int | None, str | None],
    ) -> DataLoader[int, Page[Any]]:
        """Pages of a child connection (`relation`, e.g. "Product.lots") with the same paging arguments
        (first, after, last, before) for every parent of the request: windowed in SQL, three statements
        for all parents (schema.pagination.fetch_child_pages). `query` is the children the caller may see
        (the first resolver's is kept: the caller is the same for the whole request)."""
        key = (relation, *paging)
        loader = self._child_pages.get(key)
        if loader is None:

            async def load(keys: Sequence[int]) -> list[Page[Any]]:
                pages = await fetch_child_pages(query, parent, keys, order, *paging)
                return [pages[key] for key in keys]

            loader = self._child_pages[key] = DataLoader(load_fn=load)
        return loader

    def prime(self, loader: DataLoader[int, Any], rows: Sequence[Model]) -> None:
        loader.prime_many({row.pk: row for row in rows})
