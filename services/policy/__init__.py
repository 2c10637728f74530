"""Authorization: what an actor reaches. Deny by default: an actor reaches only what a grant gives.
One module per domain decides the rules (`services/policy/registry.py`); resolvers only ask."""

from __future__ import annotations

from dataclasses import dataclass

from models import AdminUnit, AdminUnitSuccession, UnitEra, UnitLevel
from services.accounts.auth import PUBLIC, Actor


@dataclass(frozen=True, slots=True)
class Reach:
    """The producers an actor may manage or see in private: computed once per request from its grants.
    Province officers reach producers in their province across the 2025 reform: a legacy province also
    covers the current communes that replaced its communes, a current one the legacy provinces merged
    into it."""

    actor: Actor = PUBLIC
    everything: bool = False
    producer_ids: frozenset[int] = frozenset()
    province_ids: frozenset[int] = frozenset()
    commune_ids: frozenset[int] = frozenset()

    def covers(self, producer_id: int, province_id: int, commune_id: int) -> bool:
        """Whether the actor manages this producer (central admin, its member, or its province's officer)."""
        return (
            self.everything
            or producer_id in self.producer_ids
            or province_id in self.province_ids
            or commune_id in self.commune_ids
        )

    def covers_place(self, province_id: int | None, commune_id: int) -> bool:
        """Whether the actor administers this place (central admin or the province's officer)."""
        return self.everything or province_id in self.province_ids or commune_id in self.commune_ids


SYSTEM = Reach(everything=True)  # command-line tools and the demo loader
NOBODY = Reach()


_COVER_CACHE: dict[frozenset[int], tuple[frozenset[int], frozenset[int]]] = {}


async def _province_cover(province_ids: frozenset[int]) -> tuple[frozenset[int], frozenset[int]]:
    """(province ids, commune ids) covered by officers of these provinces. Reference data: cached."""
    if province_ids in _COVER_CACHE:
        return _COVER_CACHE[province_ids]
    units = await AdminUnit.filter(id__in=sorted(province_ids), level=UnitLevel.PROVINCE)
    provinces = set(province_ids)
    current = [u.id for u in units if u.era == UnitEra.CURRENT]
    legacy = [u.id for u in units if u.era == UnitEra.LEGACY]
    if current:
        provinces |= set(
            await AdminUnitSuccession.filter(successor_id__in=current).values_list(
                "predecessor_id", flat=True
            )  # type: ignore[arg-type]
        )
    communes: set[int] = set()
    if legacy:
        communes = set(
            await AdminUnitSuccession.filter(  # type: ignore[arg-type]
                predecessor__level=UnitLevel.COMMUNE, predecessor__province_id__in=legacy
            ).values_list("successor_id", flat=True)
        )
    result = (frozenset(provinces), frozenset(communes))
    _COVER_CACHE[province_ids] = result
    return result


async def reach_of(actor: Actor) -> Reach:
    if not actor.is_authenticated:
        return Reach(actor=actor)
    if actor.is_central_admin:
        return Reach(actor=actor, everything=True)
    provinces, communes = (
        await _province_cover(frozenset(actor.province_ids()))
        if actor.province_ids()
        else (frozenset(), frozenset())
    )
    return Reach(
        actor=actor,
        producer_ids=frozenset(actor.producer_ids()),
        province_ids=provinces,
        commune_ids=communes,
    )
