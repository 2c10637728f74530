"""Authorization: what an actor reaches. Deny by default: an actor reaches only what a grant gives.
One module per domain decides the rules (`services/policy/registry.py`); resolvers only ask."""

from __future__ import annotations

from dataclasses import dataclass

from services.accounts.auth import PUBLIC, Actor
from services.registry import admin_units


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


async def reach_of(actor: Actor) -> Reach:
    if not actor.is_authenticated:
        return Reach(actor=actor)
    if actor.is_central_admin:
        return Reach(actor=actor, everything=True)
    grants = frozenset(actor.province_ids())
    cover = await admin_units.cover(grants) if grants else admin_units.Cover(frozenset(), frozenset())
    return Reach(
        actor=actor,
        producer_ids=frozenset(actor.producer_ids()),
        province_ids=cover.province_ids,
        commune_ids=cover.commune_ids,
    )
