"""DataLoaders of fairs, one per relation, created with the request's other loaders on first use: a floor
plan of N booths with their exhibitors and products costs a fixed number of queries, not N."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from models import (
    ApplicationProduct,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    Fair,
    Product,
    ProgrammeSession,
    Sponsor,
    TourismOffering,
    Zone,
)
from schema.context import Info
from schema.loaders import Loaders


def _by[M: Model](model: type[M], column: str = "id") -> DataLoader[int, M | None]:
    async def load(keys: Sequence[int]) -> list[M | None]:
        rows = {getattr(row, column): row for row in await model.filter(**{f"{column}__in": list(keys)})}
        return [rows.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _children[M: Model](
    model: type[M], fk: str, order: Sequence[str] = ("id",), **where: Any
) -> DataLoader[int, list[M]]:
    async def load(keys: Sequence[int]) -> list[list[M]]:
        grouped: dict[int, list[M]] = defaultdict(list)
        for row in await model.filter(**{f"{fk}__in": list(keys)}, **where).order_by(*order):
            grouped[getattr(row, fk)].append(row)
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def _products_by_application(prime: Callable[[Sequence[Product]], None]) -> DataLoader[int, list[Product]]:
    async def load(keys: Sequence[int]) -> list[list[Product]]:
        links = (
            await ApplicationProduct.filter(application_id__in=list(keys))
            .select_related("product")
            .order_by("id")
        )
        grouped: dict[int, list[Product]] = defaultdict(list)
        for link in links:
            grouped[link.application_id].append(link.product)
        prime([link.product for link in links])
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class FairLoaders:
    def __init__(self, shared: Loaders) -> None:
        self.fair = _by(Fair)
        self.zone = _by(Zone)
        self.application = _by(ExhibitorApplication)
        self.zones_by_fair = _children(Zone, "fair_id", ("code", "id"))
        self.booths_by_fair = _children(Booth, "fair_id", ("code", "id"))
        self.booths_by_zone = _children(Booth, "zone_id", ("code", "id"))
        self.assignment_by_booth = _by(BoothAssignment, "booth_id")
        self.assignments_by_application = _children(BoothAssignment, "application_id", ("booth_id",))
        self.applications_by_fair = _children(ExhibitorApplication, "fair_id", ("submitted_at", "id"))
        self.exhibitors_by_fair = _children(
            ExhibitorApplication, "fair_id", ("id",), status=ApplicationStatus.APPROVED
        )
        self.booth = _by(Booth)
        self.products_by_application = _products_by_application(
            lambda rows: shared.prime(shared.product, rows)
        )
        self.sessions_by_fair = _children(ProgrammeSession, "fair_id")  # sorted by time in Python
        self.offerings_by_fair = _children(TourismOffering, "fair_id", ("name", "id"))
        self.sponsors_by_fair = _children(Sponsor, "fair_id", ("id",))


def fair_loaders(info: Info) -> FairLoaders:
    """The request's fair loaders, kept beside its other loaders."""
    shared = info.context.loaders
    loaders: FairLoaders | None = getattr(shared, "_fairs", None)
    if loaders is None:
        loaders = FairLoaders(shared)
        shared._fairs = loaders  # type: ignore[attr-defined]
    return loaders
