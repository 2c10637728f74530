"""The integrity check of a lot's events: every stored event and quantity is recomputed (its CBV 2.0 event
hash and its chain hash, services.trace.events) and must chain to the lot's previous event, and the last event
and the count must match the lot's head (`LotHead`, kept apart from the events), as must the lot's own shown
fields (its digest in the head). `integrity` names the first event where the chain breaks and why.
`integrity_cached` is what the public trace page shows.

Off the event loop: the rows are read on the loop, and every hash is computed in a worker thread (at most
`integrity_threads` checks at once, the others wait in line), with a deadline (`integrity_timeout_s`) checked
between events. A check that does not finish in time is UNVERIFIED: neither "valid" nor a tamper warning. The
work of a check its caller gave up on goes on in the background up to the event it had started, and each
event's recomputed CBV hash is kept by the digest of its EPCIS JSON (epcis_hash.recall), so a later view continues where
it stopped: a legacy event with tens of thousands of sensor reports (stored before the caps) costs its seconds
of hashing once per process, in a thread, never on the loop and never per view.

Events of hash scheme 1 (recorded before migration 0007) keep verifying with it, but it did not cover their
notes and places: `legacy_events` counts them, so that the page says so instead of calling them intact.

The stored verdict (the trace page, on PostgreSQL): a valid verdict is kept in the lot's snapshot row with the
fingerprint (ids, `xmin`, `ctid`) of exactly the rows it was computed from; a page whose rows' fingerprint now
is the same shows it without reading or hashing the events, any other runs the whole check (`for_page`; see
"the stored verdict" below). Writers check in their transaction (`check_now`). SQLite keeps the live check,
reused per process while the lot has no newer event, for at most INTEGRITY_MAX_AGE (`integrity_cached`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import time
import weakref
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

import structlog
from anyio import CapacityLimiter, to_thread
from tortoise import connections

from models import Batch, EventIdentifier, EventQuantity, Location, LotHead, TraceEvent, TraceSnapshot
from services.common import clock, instance, settings
from services.trace import epcis_hash
from services.trace.batches import lot_digest
from services.trace.events import (
    chain_hash,
    event_json_of,
    identifiers_of,
    listed_rows,
    locations_of,
    shown_digest,
)
from services.trace.locations import altered_names


class IntegrityStatus(StrEnum):
    """What the check concluded."""

    VALID = "valid"  # every event, the head and the lot's fields match their hashes
    BROKEN = "broken"  # something no longer matches: see Broken
    UNVERIFIED = "unverified"  # not finished within integrity_timeout_s: not known yet, try again later


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
    HEAD_MISSING = "head_missing"  # a lot without its head (its events and head deleted, or the head alone)
    LOT_CHANGED = "lot_changed"  # the lot's own shown fields (dates, quantity, origin, status) were edited


@dataclass(slots=True)
class Integrity:
    valid: bool
    broken_at: TraceEvent | None = None  # the first event whose stored data no longer matches its hashes
    events_checked: int = 0
    reason: Broken | None = None
    legacy_events: int = 0  # scheme 1 events: their notes and places are not covered by the chain
    unverified: bool = False  # the check did not finish in time: neither valid nor broken
    # PostgreSQL: the fingerprint of the rows this verdict was computed from, when they were read in one
    # unchanged state (`fingerprint`); None on SQLite, or when a row changed while they were read.
    fingerprint: str | None = None

    @property
    def status(self) -> IntegrityStatus:
        if self.unverified:
            return IntegrityStatus.UNVERIFIED
        return IntegrityStatus.VALID if self.valid else IntegrityStatus.BROKEN


@dataclass(slots=True)
class _Rows:
    """Everything a check reads, read on the event loop before the hashing starts in a thread."""

    batch_id: int
    batch: Batch | None
    head: LotHead | None
    event_ids: list[int]
    events: dict[int, TraceEvent]
    locations: dict[int, Location]
    by_event: dict[int, list[EventQuantity]]
    renamed: set[int]  # partners' places whose given name no longer matches its digest
    identifiers: dict[
        int, list[EventIdentifier]
    ]  # of captured events (instance identifiers, partners' classes)


async def _read(batch_id: int) -> _Rows:
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
    head = await LotHead.get_or_none(batch_id=batch_id)
    batch = await Batch.get_or_none(id=batch_id)
    renamed = await altered_names(batch_id, locations.values())
    identifiers = await identifiers_of(event_ids)
    return _Rows(batch_id, batch, head, event_ids, events, locations, by_event, renamed, identifiers)


# Each event's recomputed CBV hash is remembered by the digest of its EPCIS JSON in epcis_hash (`recall`,
# `remember`), shared with the hashing of new events.


# An event whose EPCIS JSON is larger than epcis_hash.LARGE_EVENT_BYTES is hashed in a sandboxed child
# process (epcis_hash.hash_in_sandbox), not in the thread.
_too_large: set[bytes] = set()  # events the child could not hash within its limits: UNVERIFIED, not retried


class _NeedsChild(Exception):
    """Raised by the thread for a large event not hashed yet: the flight hashes it in a child and retries."""

    def __init__(self, key: bytes, body: dict[str, Any]) -> None:
        super().__init__(key)
        self.key, self.body = key, body


class _TooLarge(Exception):
    """An event the child could not hash within epcis_hash.CHILD_LIMITS."""


def _event_hash(body: dict[str, Any]) -> str:
    key, large = epcis_hash.content_key(body)
    known = epcis_hash.recall(key)
    if known is not None:
        return known
    if key in _too_large:
        raise _TooLarge(key)
    if large:
        raise _NeedsChild(key, body)
    computed = epcis_hash.event_hash(body)
    epcis_hash.remember(key, computed)
    return computed


def _verify(rows: _Rows, base_url: str, deadline: float) -> Integrity:
    """The check itself, on rows already read: no I/O, run in a worker thread. Stops UNVERIFIED at the first
    event met after `deadline` (time.monotonic())."""
    batch_id = rows.batch_id
    previous_chain: str | None = None
    legacy = 0
    for checked, event_id in enumerate(rows.event_ids, start=1):
        if time.monotonic() > deadline:
            return Integrity(False, None, checked - 1, None, legacy, unverified=True)
        event = rows.events[event_id]
        quantities = rows.by_event.get(event_id, [])
        shown = listed_rows(quantities)
        try:
            recomputed = _event_hash(
                event_json_of(base_url, event, shown, rows.locations, rows.identifiers.get(event_id, ()))
            )
        except _TooLarge:
            return Integrity(False, None, checked - 1, None, legacy, unverified=True)
        own = next((q for q in quantities if q.batch_id == batch_id), None)
        legacy += event.hash_version < 2
        chained = chain_hash(
            recomputed,
            [(q.batch_id, q.previous_chain_hash) for q in quantities],
            event.correction_reason if event.corrects_id else None,
            shown_digest(event, rows.locations) if event.hash_version >= 2 else None,
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
    for checked, event_id in enumerate(rows.event_ids, start=1):
        event = rows.events[event_id]
        if rows.renamed & {event.read_point_id, event.biz_location_id}:
            return Integrity(False, event, checked, Broken.DETAILS_CHANGED, legacy)
    head = rows.head
    count = len(rows.event_ids)
    last = rows.events[rows.event_ids[-1]] if rows.event_ids else None
    reason = None
    if head is None:
        reason = Broken.HEAD_MISSING
    elif count < head.event_count:
        reason = Broken.TRUNCATED
    elif count > head.event_count:
        reason = Broken.EXTRA_EVENTS
    elif (previous_chain or "") != head.chain_hash:
        reason = Broken.HEAD_MISMATCH
    elif head.lot_digest is not None and (rows.batch is None or lot_digest(rows.batch) != head.lot_digest):
        reason, last = Broken.LOT_CHANGED, None
    if reason is not None:
        return Integrity(False, last, count, reason, legacy)
    return Integrity(True, None, count, None, legacy)


log = structlog.get_logger("ocop.integrity")

# Per event loop (a test run has several), by capacity (a test may change the setting), as
# services/accounts/auth.py does for password hashes.
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, CapacityLimiter]] = (
    weakref.WeakKeyDictionary()
)
# Checks under way, per loop and (lot, base URL): a concurrent view of the same lot joins the one under way.
_flights: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[int, str], asyncio.Task[Integrity]]
] = weakref.WeakKeyDictionary()
# How long past the deadline a caller waits for the event the thread had started: a little.
GRACE_S = 0.05


def _limiter() -> CapacityLimiter:
    capacity = max(1, settings.current().integrity_threads)
    limiters = _limiters.setdefault(asyncio.get_running_loop(), {})
    if capacity not in limiters:
        limiters[capacity] = CapacityLimiter(capacity)
    return limiters[capacity]


async def _check(rows: _Rows, base_url: str, deadline: float) -> Integrity:
    """The check in a worker thread; each large event it meets unhashed is hashed in a child process, then the
    thread starts again (the events before it are remembered)."""
    while True:
        try:
            return await to_thread.run_sync(_verify, rows, base_url, deadline, limiter=_limiter())
        except _NeedsChild as large:
            hashed = await epcis_hash.hash_in_sandbox(large.body)
            if hashed is None:
                _too_large.add(large.key)
            else:
                epcis_hash.remember(large.key, hashed)


async def integrity(batch_id: int, base_url: str) -> Integrity:
    """Recompute every event of the lot from its stored rows: its CBV event hash and its chain hash, that each
    event chains to the lot's previous event, that the last one and the count agree with the lot's head, and
    that the lot's shown fields match the head's digest. Any edit of a stored event, quantity, shown place or
    lot field, and any deleted event (or head), breaks it. Hashing runs in a worker thread; past
    `integrity_timeout_s` the answer is UNVERIFIED (the work under way finishes in the background)."""
    timeout = max(0.0, settings.current().integrity_timeout_s)
    deadline = time.monotonic() + timeout
    flights = _flights.setdefault(asyncio.get_running_loop(), {})
    key = (batch_id, base_url)
    task = flights.get(key)
    if task is None:
        rows, minted, fingerprinted = await _read_fingerprinted(batch_id, base_url)
        task = asyncio.create_task(
            _check_fingerprinted(rows, minted, deadline, fingerprinted), name=f"integrity {batch_id}"
        )
        flights[key] = task

        def landed(done: asyncio.Task[Integrity]) -> None:
            if flights.get(key) is done:
                del flights[key]
            if not done.cancelled():
                done.exception()  # retrieved: a check every caller gave up on logs no warning

        task.add_done_callback(landed)
    try:
        return await asyncio.wait_for(asyncio.shield(task), max(0.0, deadline - time.monotonic()) + GRACE_S)
    except TimeoutError:
        return Integrity(False, unverified=True)


# The public trace page shows integrity on every view. A result is reused while the lot has no newer event,
# for at most INTEGRITY_MAX_AGE, so tampering with stored rows still shows within that time. An UNVERIFIED
# result is not kept: the next view tries again (and finds the events hashed meanwhile in epcis_hash's memory).
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
    if result.unverified:
        return result
    if len(_integrity_cache) > 10_000:
        _integrity_cache.clear()
    _integrity_cache[(batch_id, base_url)] = (last, now, result)
    return result


# -- the stored verdict ------------------------------------------------------------------------------------
# The verdict is a pure function of the rows `_read` reads (and of the minted base URL and this module's rules).
# On PostgreSQL every row version has its own (xmin, ctid): any UPDATE, by anyone and by any means (raw SQL
# too), writes a new version with a new ctid and the writing transaction's xmin, an INSERT or DELETE changes the
# set of ids. So the fingerprint of those rows (their ids, xmin and ctid) is equal only while the rows are: a
# verdict stored with the fingerprint of the rows it was computed from stands while the rows' fingerprint now is
# the same (the recomputation would read the same rows and give the same answer), and a change of any of them,
# a tamper by raw SQL included, makes the next view run the whole check again. A VACUUM FULL or a restore
# changes every fingerprint: one check more per lot, never a verdict kept too long.
# SQLite has no row versions: there the page runs the live check (`integrity_cached`).

# Bump when the check's rules change: verdicts stored by an older check are not trusted.
CHECK_RULES = "2"


def _rows_of(table: str) -> str:
    return (
        f"'{table}=' || coalesce((SELECT string_agg(id::text || ':' || xmin::text || ':' || ctid::text, ','"  # noqa: S608 - our table names
        f" ORDER BY id, ctid) FROM {table}), '')"
    )


def fingerprint_sql(lot: str) -> str:
    """PostgreSQL: an SQL expression, the sha256 (hex) of the ids, xmin and ctid of every row `_read` reads for
    the lot whose id is the SQL expression `lot` (a parameter, or a column of an outer query whose alias does
    not start with `fp`): its quantities' events, their quantities and every lot and
    product those name (and the lot's own), the events' places and identifiers, the lot's head, and the names
    its producer gave to partners' places (all of them: a superset of the ones `altered_names` reads)."""
    # `= ANY(ARRAY(...))`: each set is read by its index (an IN or OR over a CTE is estimated at hundreds of rows,
    # and the planner scans the whole table).
    return f"""(WITH
fp_ids AS (SELECT ARRAY(SELECT DISTINCT event_id FROM event_quantity WHERE batch_id = {lot}) AS ids),
fp_event AS (SELECT fpe.id, fpe.xmin, fpe.ctid, fpe.read_point_id, fpe.biz_location_id FROM trace_event fpe
    WHERE fpe.id = ANY((SELECT ids FROM fp_ids)::int[])),
fp_quantity AS (SELECT fpq.id, fpq.xmin, fpq.ctid, fpq.batch_id FROM event_quantity fpq
    WHERE fpq.event_id = ANY((SELECT ids FROM fp_ids)::int[])),
fp_lot AS (SELECT fpb.id, fpb.xmin, fpb.ctid, fpb.product_id FROM batch fpb
    WHERE fpb.id = ANY(ARRAY(SELECT batch_id FROM fp_quantity UNION SELECT {lot}))),
fp_product AS (SELECT fpp.id, fpp.xmin, fpp.ctid, fpp.producer_id FROM product fpp
    WHERE fpp.id = ANY(ARRAY(SELECT product_id FROM fp_lot))),
fp_location AS (SELECT fpl.id, fpl.xmin, fpl.ctid FROM location fpl
    WHERE fpl.id = ANY(ARRAY(SELECT read_point_id FROM fp_event UNION SELECT biz_location_id FROM fp_event))),
fp_identifier AS (SELECT fpi.id, fpi.xmin, fpi.ctid FROM trace_event_identifier fpi
    WHERE fpi.event_id = ANY((SELECT ids FROM fp_ids)::int[])),
fp_head AS (SELECT fph.id, fph.xmin, fph.ctid FROM lot_head fph WHERE fph.batch_id = {lot}),
fp_name AS (SELECT fpn.id, fpn.xmin, fpn.ctid FROM external_location_name fpn
    WHERE fpn.producer_id = ANY(ARRAY(SELECT fpp.producer_id FROM fp_product fpp
        JOIN fp_lot fpb ON fpb.product_id = fpp.id WHERE fpb.id = {lot})))
SELECT encode(sha256(convert_to(concat_ws('|', {", ".join(_rows_of(t) for t in _FINGERPRINTED)}), 'UTF8')), 'hex'))"""  # noqa: S608 - our SQL, values bound


_FINGERPRINTED = (
    "fp_event", "fp_quantity", "fp_lot", "fp_product", "fp_location", "fp_identifier", "fp_head", "fp_name",
)  # fmt: skip


def fingerprinted(client: Any = None) -> bool:
    """Whether the database keeps row versions this module can fingerprint (PostgreSQL)."""
    client = client or connections.get("default")
    return bool(client.capabilities.dialect == "postgres")


def sealed(rows_fingerprint: str, minted: str) -> str:
    """The stored fingerprint: the rows', with the minted base URL they were hashed with and the check's rules."""
    return hashlib.sha256(f"{CHECK_RULES}|{minted}|{rows_fingerprint}".encode()).hexdigest()


async def _rows_fingerprint(batch_id: int) -> str:
    client = connections.get("default")
    rows = await client.execute_query_dict(f"SELECT {fingerprint_sql('$1')} AS fp", [batch_id])
    return str(rows[0]["fp"])


async def _read_fingerprinted(
    batch_id: int, base_url: str, *, mint: bool = True
) -> tuple[_Rows, str, str | None]:
    """`_read`, and on PostgreSQL the fingerprint of the rows read: taken before and after them, kept only
    when equal, so that it is the fingerprint of exactly the rows read (each of `_read`'s statements sees what
    was committed when it started: a row changed between the two would show in the second)."""
    # What the events were hashed with (a writer's check does not mint it: a lot created before any event).
    identity = instance.identity_base if mint else instance.identity_base_if_minted
    minted = await identity(base_url)
    if not fingerprinted():
        return await _read(batch_id), minted, None
    before = await _rows_fingerprint(batch_id)
    rows = await _read(batch_id)
    after = await _rows_fingerprint(batch_id)
    return rows, minted, sealed(after, minted) if before == after else None


async def _check_fingerprinted(
    rows: _Rows, minted: str, deadline: float, fingerprint: str | None
) -> Integrity:
    result = await _check(rows, minted, deadline)
    result.fingerprint = None if result.unverified else fingerprint
    return result


async def check_now(batch_id: int, base_url: str) -> Integrity:
    """`integrity`, for a writer in its transaction: run here, joining no check under way (one outside the
    transaction reads other rows) and joined by none."""
    deadline = time.monotonic() + max(0.0, settings.current().integrity_timeout_s)
    rows, minted, fingerprint = await _read_fingerprinted(batch_id, base_url, mint=False)
    try:
        return await asyncio.wait_for(
            _check_fingerprinted(rows, minted, deadline, fingerprint),
            max(0.0, deadline - time.monotonic()) + GRACE_S,
        )
    except TimeoutError:
        return Integrity(False, unverified=True)


def stored_form(result: Integrity) -> dict[str, int] | None:
    """What is kept of a verdict: only a valid one with its fingerprint (a broken lot is checked at each view)."""
    if not result.valid or result.fingerprint is None:
        return None
    return {"events": result.events_checked, "legacy": result.legacy_events}


async def keep(batch_id: int, result: Integrity) -> None:
    """Store a valid verdict with the fingerprint of its rows in the lot's snapshot row (any such pair is true:
    a later one may overwrite an earlier one or the reverse)."""
    kept = stored_form(result)
    if kept is not None:
        await TraceSnapshot.filter(batch_id=batch_id).update(verdict=kept, fingerprint=result.fingerprint)


async def for_page(
    batch_id: int,
    base_url: str,
    stored: dict[str, Any] | None,
    stored_fingerprint: str | None,
    rows_now: str | None,
) -> Integrity:
    """The lot's integrity as the trace page shows it. PostgreSQL: the stored verdict while `rows_now` (the
    rows' fingerprint now, `fingerprint_sql`, read by the caller with the snapshot row) seals to the stored
    fingerprint; otherwise the whole check, whose verdict is then stored. SQLite: `integrity_cached`."""
    if rows_now is None:
        return await integrity_cached(batch_id, base_url)
    standing = await stored_verdict(base_url, stored, stored_fingerprint, rows_now)
    if standing is not None:
        return standing
    result = await integrity(batch_id, base_url)
    await keep(batch_id, result)
    return result


async def stored_verdict(
    base_url: str, stored: dict[str, Any] | None, stored_fingerprint: str | None, rows_now: str | None
) -> Integrity | None:
    """The stored verdict while it stands (PostgreSQL: `rows_now` seals to its fingerprint), without checking
    anything; None when there is none, or it no longer holds, or on SQLite."""
    if rows_now is None or stored is None or stored_fingerprint is None:
        return None
    minted = await instance.identity_base_if_minted(base_url)  # a read: it mints nothing
    if sealed(rows_now, minted) != stored_fingerprint:
        return None
    return Integrity(True, None, int(stored["events"]), None, int(stored["legacy"]))


async def page_integrity(batch_id: int, base_url: str) -> Integrity:
    """`for_page` with its own read of the snapshot row and of the rows' fingerprint (one statement)."""
    client = connections.get("default")
    if not fingerprinted(client):
        return await integrity_cached(batch_id, base_url)
    rows = await client.execute_query_dict(
        f"SELECT s.verdict, s.fingerprint, {fingerprint_sql('$1')} AS fp "  # noqa: S608
        "FROM (SELECT 1) one LEFT JOIN trace_snapshot s ON s.batch_id = $1",
        [batch_id],
    )
    row = rows[0]
    verdict = row["verdict"]
    if isinstance(verdict, str):
        verdict = json.loads(verdict)
    return await for_page(batch_id, base_url, verdict, row["fingerprint"], row["fp"])
