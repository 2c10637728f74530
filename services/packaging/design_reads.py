"""Reading packaging designs: the versions, designs and files an actor may see, the design list query, and the
differences between two versions. The review workflow that writes them is services.packaging.designs; who
sees what is services/policy/packaging.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from models import DesignStatus, DesignVersion, LabelProductType, PackagingDesign, StoredFile, VersionFile
from services.packaging.designs import find_version
from services.policy import Reach
from services.policy import packaging as policy


async def visible_versions(ids: Iterable[int], reach: Reach) -> dict[int, DesignVersion]:
    rows = await DesignVersion.filter(id__in=list(ids)).select_related("design__product__producer")
    return {v.id: v for v in rows if policy.sees_designs(reach, v.design.product.producer)}


async def visible_designs(ids: Iterable[int], reach: Reach) -> dict[int, PackagingDesign]:
    rows = await PackagingDesign.filter(id__in=list(ids)).select_related("product__producer")
    return {d.id: d for d in rows if policy.sees_designs(reach, d.product.producer)}


async def visible_version(version_id: int, reach: Reach) -> DesignVersion | None:
    return (await visible_versions([version_id], reach)).get(version_id)


# -- differences between two versions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # camelCase path, e.g. `netQuantity` or `qr.sizeMm`
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class VersionDiff:
    old_id: int
    new_id: int
    changes: tuple[FieldChange, ...]
    files_added: tuple[StoredFile, ...]
    files_removed: tuple[StoredFile, ...]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted paths; lists and scalars are compared whole."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            path = f"{prefix}.{_camel(str(key))}" if prefix else _camel(str(key))
            out.update(_flatten(item, path) if isinstance(item, Mapping) and item else {path: item})
        return out
    return {prefix: value}


PHYSICAL = ("package_type", "width_mm", "height_mm", "depth_mm", "material", "print_method")


def _figures(v: DesignVersion) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in PHYSICAL:
        value = getattr(v, name)
        out[_camel(name)] = getattr(value, "value", value)
    return out


def compare(
    old: DesignVersion, new: DesignVersion, old_files: list[StoredFile], new_files: list[StoredFile]
) -> VersionDiff:
    """What changed from `old` to `new`: declared fields (and package figures) with old and new values, and
    files added or removed (by content: files are stored by sha256)."""
    a = {**_figures(old), **_flatten(old.declared or {})}
    b = {**_figures(new), **_flatten(new.declared or {})}
    changes = tuple(
        FieldChange(key, a.get(key), b.get(key))
        for key in sorted(set(a) | set(b))
        if a.get(key) != b.get(key)
    )
    old_ids = {f.id for f in old_files}
    new_ids = {f.id for f in new_files}
    return VersionDiff(
        old_id=old.id,
        new_id=new.id,
        changes=changes,
        files_added=tuple(f for f in new_files if f.id not in old_ids),
        files_removed=tuple(f for f in old_files if f.id not in new_ids),
    )


async def files_of(version_id: int) -> list[StoredFile]:
    links = await VersionFile.filter(version_id=version_id).select_related("file").order_by("id")
    return [link.file for link in links]


async def diff(old_id: int, new_id: int, reach: Reach) -> VersionDiff:
    """`diff(version_a, version_b)` for versions the actor sees."""
    old = await find_version(old_id, reach, "other")
    new = await find_version(new_id, reach, "versionId")
    return compare(old, new, await files_of(old.id), await files_of(new.id))


async def visible_files(ids: Iterable[int], reach: Reach) -> dict[int, StoredFile]:
    """Stored files the actor may see: its own uploads, and files of versions it sees."""
    wanted = list(ids)
    if not wanted or not (reach.everything or reach.actor.is_authenticated):
        return {}
    rows = {f.id: f for f in await StoredFile.filter(id__in=wanted)}
    out = {i: f for i, f in rows.items() if reach.everything or f.uploaded_by_id == reach.actor.user_id}
    rest = [i for i in rows if i not in out]
    if rest:
        links = await VersionFile.filter(file_id__in=rest).values_list("file_id", "version_id")
        seen = await visible_versions({int(v) for _, v in links}, reach)
        for file_id, version_id in links:
            if version_id in seen:
                out[int(file_id)] = rows[int(file_id)]
    return out


@dataclass(frozen=True, slots=True)
class DesignFilterData:
    product_id: int | None = None
    producer_id: int | None = None
    label_type: LabelProductType | None = None
    version_status: DesignStatus | None = None  # designs with a version in this status


def design_query(filters: DesignFilterData, reach: Reach) -> QuerySet[PackagingDesign]:
    """Designs matching `filters` among those the actor may list: none for the public (designs are work in
    progress), all for central admins and consultants (services.policy.packaging.design_visibility)."""
    query = PackagingDesign.all()
    if not reach.actor.is_authenticated:
        query = query.filter(id__lt=0)
    elif (visibility := policy.design_visibility(reach)) is not None:
        query = query.filter(visibility)
    if filters.product_id is not None:
        query = query.filter(product_id=filters.product_id)
    if filters.producer_id is not None:
        query = query.filter(product__producer_id=filters.producer_id)
    if filters.label_type is not None:
        query = query.filter(label_type=filters.label_type)
    if filters.version_status is not None:
        query = query.filter(
            id__in=Subquery(DesignVersion.filter(status=filters.version_status).values("design_id"))
        )
    return query
