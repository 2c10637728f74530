"""Lineage: the lots a lot was made from, or made into, through transformation events; and what a recall of
a lot reaches (every lot made from it, the holders they were shipped to)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tortoise.expressions import Subquery

from models import Batch, EventQuantity, QuantityRole, TraceEvent


async def lineage(batch_ids: Sequence[int], *, backward: bool, depth: int = 50) -> list[list[Batch]]:
    """Lots one transformation away, level by level (backward: what they were made from; forward: what
    was made from them), one query per level. A lot reached twice is listed at its first level."""
    seen = set(batch_ids)
    frontier = list(batch_ids)
    levels: list[list[Batch]] = []
    near, far = (
        (QuantityRole.OUTPUT, QuantityRole.INPUT) if backward else (QuantityRole.INPUT, QuantityRole.OUTPUT)
    )
    while frontier and len(levels) < depth:
        events = EventQuantity.filter(role=near, batch_id__in=frontier).values("event_id")
        found = await Batch.filter(
            id__in=Subquery(EventQuantity.filter(role=far, event_id__in=Subquery(events)).values("batch_id"))
        ).order_by("id")
        new = [b for b in found if b.id not in seen]
        if not new:
            break
        seen.update(b.id for b in new)
        levels.append(new)
        frontier = [b.id for b in new]
    return levels


@dataclass(slots=True)
class RecallImpact:
    batches: list[Batch]  # the lot and every lot made from it
    holders: list[dict[str, str]]  # destinations of shipping events of those lots
    quantities: dict[int, Decimal | None]  # per lot, its recorded quantity


async def recall_impact(batch_id: int) -> RecallImpact:
    root = await Batch.get(id=batch_id)
    affected = [root, *(b for level in await lineage([batch_id], backward=False) for b in level)]
    ids = [b.id for b in affected]
    shipped = await TraceEvent.filter(
        id__in=Subquery(EventQuantity.filter(batch_id__in=ids).values("event_id")), biz_step="shipping"
    )
    holders = [d for e in shipped for d in (e.destinations or [])]
    return RecallImpact(affected, holders, {b.id: b.quantity for b in affected})
