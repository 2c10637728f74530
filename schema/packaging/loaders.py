"""DataLoaders of packaging designs, created with the request's other loaders on first use: a list of N
designs with their versions, files and comments costs a fixed number of queries, not N."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from models import DesignVersion, PackagingDesign, ReviewComment, User, VersionFile
from schema.context import Info


def _by[M: Model](model: type[M]) -> DataLoader[int, M | None]:
    async def load(keys: Sequence[int]) -> list[M | None]:
        rows = {row.pk: row for row in await model.filter(id__in=list(keys))}
        return [rows.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _children[M: Model](
    model: type[M], fk: str, order: Sequence[str] = ("id",), related: Sequence[str] = ()
) -> DataLoader[int, list[M]]:
    async def load(keys: Sequence[int]) -> list[list[M]]:
        grouped: dict[int, list[M]] = defaultdict(list)
        query: Any = model.filter(**{f"{fk}__in": list(keys)}).order_by(*order)
        if related:
            query = query.select_related(*related)
        for row in await query:
            grouped[getattr(row, fk)].append(row)
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class PackagingLoaders:
    def __init__(self) -> None:
        self.design = _by(PackagingDesign)
        self.version = _by(DesignVersion)
        self.user = _by(User)
        self.versions_by_design = _children(DesignVersion, "design_id", ("number",))
        self.designs_by_product = _children(PackagingDesign, "product_id", ("name", "id"))
        self.files_by_version = _children(VersionFile, "version_id", ("id",), ("file",))
        self.comments_by_version = _children(ReviewComment, "version_id", ("created_at", "id"))


def packaging_loaders(info: Info) -> PackagingLoaders:
    """The request's packaging loaders, kept beside its other loaders."""
    shared = info.context.loaders
    loaders: PackagingLoaders | None = getattr(shared, "_packaging", None)
    if loaders is None:
        loaders = PackagingLoaders()
        shared._packaging = loaders  # type: ignore[attr-defined]
    return loaders
