"""Administrative units loaded from the maintained `vietnam-provinces` package, before and after the
2025-07-01 reform, with the mapping of legacy units to the merged current ones."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

import vietnam_provinces as current
from tortoise.transactions import in_transaction
from vietnam_provinces import legacy

from models import AdminUnit, AdminUnitSuccession, ReferenceData, UnitEra, UnitLevel
from services.common.text import fold

log = logging.getLogger(__name__)

DATASET = "admin_units"
# Ids are derived from (era, level, GSO code) so that a reload or a newer package version keeps every
# foreign key pointing at the same unit.
_ID_BASE = {
    (UnitEra.LEGACY, UnitLevel.PROVINCE): 1_000_000,
    (UnitEra.LEGACY, UnitLevel.DISTRICT): 2_000_000,
    (UnitEra.LEGACY, UnitLevel.COMMUNE): 3_000_000,
    (UnitEra.CURRENT, UnitLevel.PROVINCE): 5_000_000,
    (UnitEra.CURRENT, UnitLevel.COMMUNE): 6_000_000,
}
_CODE_WIDTH = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}


def unit_id(era: UnitEra, level: UnitLevel, code: int | str) -> int:
    return _ID_BASE[(era, level)] + int(code)


def format_code(level: UnitLevel, code: int) -> str:
    return str(int(code)).zfill(_CODE_WIDTH[level])


def _unit(
    era: UnitEra,
    level: UnitLevel,
    code: int,
    name: str,
    division_type: str,
    parent: int | None,
    province: int | None,
) -> AdminUnit:
    return AdminUnit(
        id=unit_id(era, level, code),
        code=format_code(level, code),
        level=level,
        era=era,
        name=name,
        division_type=division_type,
        name_folded=fold(name),
        parent_id=parent,
        province_id=province,
    )


def iter_units() -> Iterator[AdminUnit]:
    """Every unit the package knows, parents before children."""
    lg, cur = UnitEra.LEGACY, UnitEra.CURRENT
    P, D, C = UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE
    for p in legacy.Province.iter_all():
        yield _unit(lg, P, p.code.value, p.name, str(p.division_type.value), None, None)
    for d in legacy.District.iter_all():
        prov = unit_id(lg, P, d.province_code.value)
        yield _unit(lg, D, d.code.value, d.name, str(d.division_type.value), prov, prov)
    for w in legacy.Ward.iter_all():
        district = legacy.District.from_code(w.district_code)
        prov = unit_id(lg, P, district.province_code.value)
        yield _unit(
            lg,
            C,
            w.code.value,
            w.name,
            str(w.division_type.value),
            unit_id(lg, D, w.district_code.value),
            prov,
        )
    for cp in current.Province.iter_all():
        yield _unit(cur, P, cp.code.value, cp.name, str(cp.division_type.value), None, None)
    for cw in current.Ward.iter_all():
        prov = unit_id(cur, P, cw.province_code.value)
        yield _unit(cur, C, cw.code.value, cw.name, str(cw.division_type.value), prov, prov)


def iter_successions() -> Iterator[tuple[int, int, bool]]:
    """(legacy unit id, current unit id, partial): a legacy unit split over several current units is partial."""
    lg, cur = UnitEra.LEGACY, UnitEra.CURRENT
    P, C = UnitLevel.PROVINCE, UnitLevel.COMMUNE
    pairs: list[tuple[int, int]] = []
    for p in current.Province.iter_all():
        pairs += [
            (unit_id(lg, P, s.code.value), unit_id(cur, P, p.code.value)) for s in p.get_legacy_sources()
        ]
    for w in current.Ward.iter_all():
        pairs += [
            (unit_id(lg, C, s.code.value), unit_id(cur, C, w.code.value)) for s in w.get_legacy_sources()
        ]
    fan_out = Counter(old for old, _ in set(pairs))
    for old, new in sorted(set(pairs)):
        yield old, new, fan_out[old] > 1


def _chunks[T](items: list[T], size: int = 2000) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def sync() -> bool:
    """Load or refresh the units when the package version differs from what the database holds.
    Returns True when something was written."""
    version = current.__version__
    loaded = await ReferenceData.get_or_none(name=DATASET)
    if loaded is not None and loaded.version == version:
        return False
    units = list(iter_units())
    successions = list(iter_successions())
    async with in_transaction():
        existing = set(cast(list[int], await AdminUnit.all().values_list("id", flat=True)))
        new_units = [u for u in units if u.id not in existing]
        for batch in _chunks(new_units):
            await AdminUnit.bulk_create(batch)
        for unit in (u for u in units if u.id in existing):
            await AdminUnit.filter(id=unit.id).update(
                name=unit.name, division_type=unit.division_type, name_folded=unit.name_folded
            )
        await AdminUnitSuccession.all().delete()
        links = [AdminUnitSuccession(predecessor_id=o, successor_id=n, partial=p) for o, n, p in successions]
        for link_batch in _chunks(links):
            await AdminUnitSuccession.bulk_create(link_batch)
        await ReferenceData.update_or_create(defaults={"version": version}, name=DATASET)
    forget_cached()
    log.info("administrative units loaded", extra={"units": len(units), "version": version})
    return True


# Units are reference data that change only when `sync` loads a new package version (at deploy, before
# the server starts), so a process keeps what it has read of them: a page of products then needs no SQL for
# its producers' provinces, a province filter or an officer's reach none for the province's cover. Their ids
# derive from the GSO codes (`unit_id`), the same in every database.
_cache: dict[int, AdminUnit] = {}


@dataclass(frozen=True, slots=True)
class Cover:
    """The producers some provinces cover across the 2025 reform: those registered in `province_ids` (the
    provinces, and the legacy provinces merged into a current one) or in `commune_ids` (the current communes
    that succeeded a commune of a legacy one)."""

    province_ids: frozenset[int]
    commune_ids: frozenset[int]


# Province code -> its units (only codes found: bounded by the codes that exist); province ids -> their cover
# (bounded by the codes and the sets of provinces granted to officers).
_coded: dict[str, frozenset[int]] = {}
_covers: dict[frozenset[int], Cover] = {}


async def get_many(ids: Iterable[int]) -> dict[int, AdminUnit]:
    wanted = set(ids)
    missing = wanted - _cache.keys()
    if missing:
        for unit in await AdminUnit.filter(id__in=sorted(missing)):
            _cache[unit.id] = unit
    return {i: _cache[i] for i in wanted if i in _cache}


async def provinces_coded(code: str) -> frozenset[int]:
    """The province units, legacy and current, with this GSO code (zero-padded to 2); empty for none."""
    code = code.zfill(2)
    found = _coded.get(code)
    if found is None:
        found = frozenset(
            cast(
                list[int],
                await AdminUnit.filter(level=UnitLevel.PROVINCE, code=code).values_list("id", flat=True),
            )
        )
        if found:
            _coded[code] = found
    return found


async def cover(province_ids: frozenset[int]) -> Cover:
    """What these province units cover (`Cover`)."""
    known = _covers.get(province_ids)
    if known is not None:
        return known
    units = await AdminUnit.filter(id__in=sorted(province_ids), level=UnitLevel.PROVINCE)
    provinces = set(province_ids)
    current_ids = [u.id for u in units if u.era == UnitEra.CURRENT]
    legacy_ids = [u.id for u in units if u.era == UnitEra.LEGACY]
    if current_ids:
        merged = await AdminUnitSuccession.filter(successor_id__in=current_ids).values_list(
            "predecessor_id", flat=True
        )
        provinces |= set(cast(list[int], merged))
    communes: set[int] = set()
    if legacy_ids:
        successors = await AdminUnitSuccession.filter(
            predecessor__level=UnitLevel.COMMUNE, predecessor__province_id__in=legacy_ids
        ).values_list("successor_id", flat=True)
        communes = set(cast(list[int], successors))
    found = _covers[province_ids] = Cover(frozenset(provinces), frozenset(communes))
    return found


def forget_cached() -> None:
    _cache.clear()
    _coded.clear()
    _covers.clear()
