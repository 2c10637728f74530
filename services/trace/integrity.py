"""The integrity check of a lot's events: every stored event and quantity is recomputed (its CBV 2.0 event
hash and its chain hash, services.trace.events) and must chain to the lot's previous event, and the last event
and the count must match the lot's head (`LotHead`, kept apart from the events). `integrity` names the first
event where the chain breaks and why. `integrity_cached` is what the public trace page shows.

Events of hash scheme 1 (recorded before migration 0007) keep verifying with it, but it did not cover their
notes and places: `legacy_events` counts them, so that the page says so instead of calling them intact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from models import EventQuantity, LotHead, QuantityRole, TraceEvent
from services.common import clock
from services.trace import epcis_hash
from services.trace.events import chain_hash, locations_of, shown_digest, stored_event_json
from services.trace.locations import altered_names


class Broken(StrEnum):
    """Why a lot's stored history no longer matches its hashes."""

    EVENT_CHANGED = "event_changed"  # the EPCIS content (step, time, quantities, lots, place URIs, documents)
    DETAILS_CHANGED = (
        "details_changed"  # what is shown besides it: a note, a place's name/GLN/address, a correction
    )
    CHAIN_BROKEN = "chain_broken"  # an event is missing from the middle, or was moved to another lot
    TRUNCATED = "truncated"  # fewer events than the lot's head counts: the last event(s) were deleted
    EXTRA_EVENTS = "extra_events"  # more events than the head counts: rows added outside the event log
    HEAD_MISMATCH = "head_mismatch"  # the last event is not the one the head names
    HEAD_MISSING = "head_missing"  # a lot with events and no head


@dataclass(slots=True)
class Integrity:
    valid: bool
    broken_at: TraceEvent | None = None  # the first event whose stored data no longer matches its hashes
    events_checked: int = 0
    reason: Broken | None = None
    legacy_events: int = 0  # scheme 1 events: their notes and places are not covered by the chain


async def integrity(batch_id: int, base_url: str) -> Integrity:
    """Recompute every event of the lot from its stored rows: its CBV event hash and its chain hash, that each
    event chains to the lot's previous event, and that the last one and the count agree with the lot's head.
    Any edit of a stored event, quantity or shown place, and any deleted event, breaks it."""
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
    legacy = 0
    for checked, event_id in enumerate(event_ids, start=1):
        event = events[event_id]
        quantities = by_event.get(event_id, [])
        rows = [(QuantityRole(q.role), q.batch, q.batch.product, q.quantity, q.unit) for q in quantities]
        recomputed = epcis_hash.event_hash(await stored_event_json(base_url, event, rows, locations))
        own = next((q for q in quantities if q.batch_id == batch_id), None)
        legacy += event.hash_version < 2
        chained = chain_hash(
            recomputed,
            [(q.batch_id, q.previous_chain_hash) for q in quantities],
            event.correction_reason if event.corrects_id else None,
            shown_digest(event, locations) if event.hash_version >= 2 else None,
        )
        reason = None
        if recomputed != event.event_hash:
            reason = Broken.EVENT_CHANGED
        elif own is None or own.previous_chain_hash != previous_chain:
            reason = Broken.CHAIN_BROKEN
        elif chained != event.chain_hash:
            reason = Broken.DETAILS_CHANGED
        if reason is not None:
            return Integrity(False, event, checked, reason, legacy)
        previous_chain = event.chain_hash
    # A partner's place shows by the name the lot's producer gave it (not part of the events): that name must
    # still match its digest (services.trace.locations.name_external_location writes both).
    renamed = await altered_names(batch_id, locations.values())
    for checked, event_id in enumerate(event_ids, start=1):
        if renamed & {events[event_id].read_point_id, events[event_id].biz_location_id}:
            return Integrity(False, events[event_id], checked, Broken.DETAILS_CHANGED, legacy)
    head = await LotHead.get_or_none(batch_id=batch_id)
    count = len(event_ids)
    last = events[event_ids[-1]] if event_ids else None
    reason = None
    if head is None:
        reason = Broken.HEAD_MISSING if count else None
    elif count < head.event_count:
        reason = Broken.TRUNCATED
    elif count > head.event_count:
        reason = Broken.EXTRA_EVENTS
    elif previous_chain != head.chain_hash:
        reason = Broken.HEAD_MISMATCH
    if reason is not None:
        return Integrity(False, last, count, reason, legacy)
    return Integrity(True, None, count, None, legacy)


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
