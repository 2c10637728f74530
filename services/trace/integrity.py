"""The integrity check of a lot's events: every stored event and quantity is recomputed (its CBV 2.0 event
hash and its chain hash, services.trace.events) and must chain to the lot's previous event; `integrity` names
the first event where the chain breaks. `integrity_cached` is what the public trace page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from models import EventQuantity, QuantityRole, TraceEvent
from services.common import clock
from services.trace import epcis_hash
from services.trace.events import chain_hash, locations_of, stored_event_json


@dataclass(slots=True)
class Integrity:
    valid: bool
    broken_at: TraceEvent | None = None  # the first event whose stored data no longer matches its hashes
    events_checked: int = 0


async def integrity(batch_id: int, base_url: str) -> Integrity:
    """Recompute every event of the lot from its stored rows: its CBV event hash and its chain hash, and
    that each event chains to the lot's previous event. Any edit of a stored event or quantity breaks it."""
    links = (
        await EventQuantity.filter(batch_id=batch_id).order_by("event_id").values_list("event_id", flat=True)
    )
    event_ids = sorted(set(cast(list[int], links)))
    events = {e.id: e for e in await TraceEvent.filter(id__in=event_ids)}
    locations = await locations_of(list(events.values()))
    all_quantities = (
        await EventQuantity.filter(event_id__in=event_ids).select_related("batch__product").order_by("id")
    )
    by_event: dict[int, list[EventQuantity]] = {}
    for q in all_quantities:
        by_event.setdefault(q.event_id, []).append(q)
    previous_chain: str | None = None
    for checked, event_id in enumerate(event_ids, start=1):
        event = events[event_id]
        quantities = by_event.get(event_id, [])
        rows = [(QuantityRole(q.role), q.batch, q.batch.product, q.quantity, q.unit) for q in quantities]
        recomputed = epcis_hash.event_hash(await stored_event_json(base_url, event, rows, locations))
        own = next((q for q in quantities if q.batch_id == batch_id), None)
        chained = chain_hash(
            recomputed,
            [(q.batch_id, q.previous_chain_hash) for q in quantities],
            event.correction_reason if event.corrects_id else None,
        )
        if (
            recomputed != event.event_hash
            or chained != event.chain_hash
            or own is None
            or own.previous_chain_hash != previous_chain
        ):
            return Integrity(False, event, checked)
        previous_chain = event.chain_hash
    return Integrity(True, None, len(event_ids))


# The public trace page shows integrity on every view; recomputing every event's CBV hash (JSON-LD
# canonicalisation) costs ~1-2 ms an event. A result is reused while the lot has no newer event, for at most
# INTEGRITY_MAX_AGE, so tampering with stored rows still shows within that time.
INTEGRITY_MAX_AGE = dt.timedelta(minutes=5)
_integrity_cache: dict[tuple[int, str], tuple[tuple[int, str] | None, dt.datetime, Integrity]] = {}


async def integrity_cached(batch_id: int, base_url: str) -> Integrity:
    newest = (
        await EventQuantity.filter(batch_id=batch_id).order_by("-event_id").first().select_related("event")
    )
    last = (newest.event.id, newest.event.chain_hash) if newest else None
    now = clock.now()
    cached = _integrity_cache.get((batch_id, base_url))
    if cached is not None and cached[0] == last and now - cached[1] < INTEGRITY_MAX_AGE:
        return cached[2]
    result = await integrity(batch_id, base_url)
    if len(_integrity_cache) > 10_000:
        _integrity_cache.clear()
    _integrity_cache[(batch_id, base_url)] = (last, now, result)
    return result
