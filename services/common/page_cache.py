"""A short-lived, in-process cache of the public answers a QR scan makes: the resolver's redirect and the
rendered trace and product pages. In a market the same few popular lots are scanned
over and over; each scan is otherwise a resolver lookup, then several queries and a template render.

- Bounded: at most MAX_ENTRIES per cache, least recently used out first.
- Short-lived: an entry lives as long as browsers may keep the page (the `max-age` its `Cache-Control`
  advertises: TRACE_PAGE_MAX_AGE, PRODUCT_PAGE_MAX_AGE, one constant each; a resolver redirect as long
  as the trace page), a "not found" NOT_FOUND_TTL; other errors are never kept, nor linksets (see
  `services.trace.resolver.keep_for`).
- Invalidated in this process by a global generation counter: every trace write (`services.trace`) and
  every save of a row a page shows (Tortoise post-save/post-delete signals on producers, products,
  evaluations, lots, events, locations) calls `invalidate()`, and an entry of an older generation is never
  served. A write inside a transaction holds the caches off (nothing stored, nothing served) until the
  transaction is over, then invalidates again, so a page rendered from data the transaction was about to
  replace is never kept. Other processes (replicas, workers) hear of it through the bus
  (`services/common/bus.py`): `invalidate_everywhere()` bumps here and publishes `cache` (on PostgreSQL
  inside the writer's transaction, so it is delivered at commit, once per transaction); every other process
  bumps its own generation when the message arrives, and empties its caches when its bus reconnects (it may
  have missed messages).
- Single-flight: concurrent misses of one key (in one generation) render once; the others wait for that
  result (if the first render fails, each renders on its own).

Keys must hold everything the content depends on (language, content-changing query parameters, the date,
the public base URL); requests carrying credentials are not served from here (`fetch(..., bypass=True)`).

The caches hold whatever their owner renders (web/ keeps encoded HTTP answers in two of them: the
resolver's and the pages'); nothing here knows HTTP. `FrontCache` sits in front of them: answers kept by
the exact request (raw path, query string, Accept, Accept-Language), which
`web.middleware.FrontCacheMiddleware` sends before any routing. It holds only what a handler
offered it (`keep`) and only while the answer's entry here is current: an entry there has the generation and
the expiry of the entry here, so it goes stale at the same moment (a write, a transaction, its TTL)."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Protocol

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.signals import Signals

from models import Batch, Certification, Evaluation, Location, Producer, Product, ProductImage, TraceEvent
from services.common import bus

# Seconds: the trace page's Cache-Control max-age, and its TTL here (and a resolver redirect's).
TRACE_PAGE_MAX_AGE = 60
PRODUCT_PAGE_MAX_AGE = 300  # seconds: the product page's Cache-Control max-age, and its TTL here
NOT_FOUND_TTL = 5  # seconds a "not found" is kept (a lot published in another process shows within this)
MAX_ENTRIES = 2_000  # per cache: ~5 KB a trace page, so ~10 MB of pages at most

_clock = time.monotonic  # seconds; replaced in tests to age entries

_generation = 0
# Times the caches of this process became stale, by source (`invalidations()`, shown at /metrics).
_invalidations = {"write": 0, "bus": 0, "flush": 0}
# Transactions that wrote (and invalidated) and are not over yet: client -> deadline (monotonic). A
# transaction that never finishes (it should not happen) stops holding the caches off after a TTL.
_open_writes: dict[TransactionalDBClient, float] = {}


def generation() -> int:
    return _generation


def invalidate() -> None:
    """Every cached answer of this process is stale from now on. Called after (and inside) every write a
    page or a resolver answer may show. Inside a transaction, the caches stay off until it ends."""
    global _generation
    _generation += 1
    _invalidations["write"] += 1
    transaction = _current_transaction()
    if transaction is not None:
        _open_writes[transaction] = _clock() + TRACE_PAGE_MAX_AGE


async def invalidate_everywhere() -> None:
    """`invalidate()` here, and in every other process through the bus: published once per transaction
    (inside it, so other processes hear of it when it commits), at once outside one."""
    transaction = _current_transaction()
    announced = transaction is not None and transaction in _open_writes
    invalidate()
    if not announced:
        await bus.publish(CACHE_TOPIC)


def _bump(message: bus.Message) -> None:
    """Another process wrote: what this one keeps is stale."""
    global _generation
    if not message.local:
        _generation += 1
        _invalidations["bus"] += 1


def _flush() -> None:
    """The bus reconnected (messages may have been missed): nothing kept here is trusted."""
    global _generation
    _generation += 1
    _invalidations["flush"] += 1
    clear()


CACHE_TOPIC = "cache"
bus.BUS.on_message(CACHE_TOPIC, _bump)
bus.BUS.on_flush(_flush)


def _current_transaction() -> TransactionalDBClient | None:
    """The outermost open transaction of this task, if any (Tortoise keeps it in a context variable)."""
    try:
        client = connections.get("default")
    except Exception:  # Tortoise not initialised (a unit test, start-up): no transaction
        return None
    if isinstance(client, TransactionalDBClient) and not client._finalized:
        return client
    return None


def _usable() -> bool:
    """False while a write transaction is open in this process; when one has ended, invalidate once more
    (what was rendered during it may show the rows it replaced)."""
    global _generation
    if not _open_writes:
        return True
    now = _clock()
    for transaction, deadline in list(_open_writes.items()):
        if transaction._finalized or now > deadline:
            del _open_writes[transaction]
            _generation += 1
    return not _open_writes


@dataclass(slots=True)
class _Entry:
    value: Any
    generation: int
    expires: float  # monotonic


@dataclass(slots=True)
class Stats:
    hits: int = 0
    misses: int = 0  # renders started here
    joined: int = 0  # misses that waited for a render in flight
    bypassed: int = 0
    evicted: int = 0
    offered: int = 0  # answers kept that were read elsewhere (`MicroCache.offer`)


class MicroCache[V]:
    """A bounded LRU of rendered answers with a TTL per entry, the global generation and single-flight."""

    __slots__ = ("__weakref__", "_entries", "_flights", "max_entries", "name", "stats")

    def __init__(self, name: str, max_entries: int = MAX_ENTRIES) -> None:
        self.name = name
        self.max_entries = max_entries
        self.stats = Stats()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._flights: dict[tuple[Hashable, int], asyncio.Future[Any]] = {}
        _caches.add(self)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    async def fetch(
        self, key: Hashable, render: Callable[[], Awaitable[tuple[V, float]]], *, bypass: bool = False
    ) -> V:
        """The cached answer of `key`, or `render()`'s. `render` returns (answer, seconds to keep it); 0
        keeps nothing (an error). `bypass`: render, neither read nor store."""
        if bypass or not _usable():
            self.stats.bypassed += 1
            return (await render())[0]
        current = _generation
        entry = self._entries.get(key)
        if entry is not None:
            if entry.generation == current and entry.expires > _clock():
                self._entries.move_to_end(key)
                self.stats.hits += 1
                value: V = entry.value
                return value
            del self._entries[key]
        flight_key = (key, current)
        in_flight = self._flights.get(flight_key)
        if in_flight is not None:
            self.stats.joined += 1
            # shield: a waiter that is cancelled (its client left) must not cancel the shared render
            result = await asyncio.shield(in_flight)
            if result is not _FAILED:
                joined: V = result
                return joined
            return await self.fetch(key, render)  # that render failed: try again, as a new first
        self.stats.misses += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._flights[flight_key] = future
        try:
            value, ttl = await render()
        except BaseException:
            future.set_result(_FAILED)  # the waiters render on their own; the error is this request's
            raise
        finally:
            del self._flights[flight_key]
        future.set_result(value)
        if ttl > 0 and _usable() and _generation == current:  # _usable() may bump the generation
            self._entries[key] = _Entry(value, current, _clock() + ttl)
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
                self.stats.evicted += 1
        return value

    def offer(self, key: Hashable, value: V, ttl: float, generation: int) -> bool:
        """Keep `value` as the answer of `key` for `ttl` seconds, read elsewhere than in this cache's `fetch`
        (the resolver reads a lot's trace page with its redirect), when nothing is cached or being rendered for
        `key` and nothing was written since `generation` (`generation()` taken before the value was read).
        Says whether it was kept."""
        if (
            ttl <= 0
            or not _usable()
            or _generation != generation
            or key in self._entries
            or (key, generation) in self._flights
        ):
            return False
        self._entries[key] = _Entry(value, generation, _clock() + ttl)
        self.stats.offered += 1
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
            self.stats.evicted += 1
        return True


_FAILED = object()


_caches: weakref.WeakSet[MicroCache[Any]] = weakref.WeakSet()


class Kept(Protocol):
    """What the front cache reads of an answer it keeps."""

    @property
    def etag(self) -> str | None: ...  # a conditional request with this tag gets a "not modified"

    @property
    def scan(self) -> object | None: ...  # something to count at each request (a serial's scan): never kept


def ttl_for(found: bool, max_age: int) -> float:
    """How long a page is kept: `max_age` when it shows what was asked for, NOT_FOUND_TTL when not."""
    return max_age if found else NOT_FOUND_TTL


@dataclass(slots=True)
class FrontStats:
    hits: int = 0  # answered by the middleware: no handler ran
    misses: int = 0  # nothing current: the request went on to its handler
    kept: int = 0  # answers handlers offered and that were kept
    evicted: int = 0


@dataclass(slots=True)
class _FrontEntry[V: Kept]:
    response: V
    etag: bytes | None  # the response's ETag as If-None-Match sends it
    generation: int
    expires: float  # monotonic


class FrontCache[V: Kept]:
    """Answers to whole requests, for `web.middleware.FrontCacheMiddleware`, which sends a hit before routing: no
    handler runs. Keyed by what the middleware reads from the request (raw path, query string, Accept,
    Accept-Language): the same request always gets the same answer while it is current. Filled only by
    `keep`, called by a handler with the answer it has just sent from one of the caches above.

    Never kept here: an answer the inner cache did not keep (refusals other than "not found", linksets, anything
    rendered for a request with credentials or while a write transaction is open), a serialised unit's
    redirect (its `scan`: each scan must be counted, so the handler runs every time), and whatever
    the handler does not offer (a trace page opened with `?serial=` checks that serial on every view).

    One per application (`app.state.front_cache`): keys hold no base URL. Bounded, least recently used out."""

    __slots__ = ("__weakref__", "_entries", "max_entries", "stats")

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.stats = FrontStats()
        self._entries: OrderedDict[Hashable, _FrontEntry[V]] = OrderedDict()
        _front_caches.add(self)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def get(self, key: Hashable) -> _FrontEntry[V] | None:
        """The current answer to this request, or None (nothing kept, stale, or a write transaction open)."""
        entry = self._entries.get(key)
        if entry is None:
            self.stats.misses += 1
            return None
        # _usable() first: when a write transaction has just ended, it bumps the generation.
        if _usable() and entry.generation == _generation and entry.expires > _clock():
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return entry
        del self._entries[key]
        self.stats.misses += 1
        return None

    def keep(
        self,
        key: Hashable,
        cache: MicroCache[V],
        inner_key: Hashable,
        value: V,
        until: float,
    ) -> bool:
        """Keep `value`, the answer a handler just sent for the request `key`, when `cache` holds it as the
        current entry of `inner_key`: with that entry's generation and expiry (or `until`, a monotonic
        deadline, if sooner: the end of the day the inner key names). False when it was not kept."""
        if value.scan is not None or not _usable():
            return False
        inner = cache._entries.get(inner_key)
        if inner is None or inner.value is not value or inner.generation != _generation:
            return False
        expires = min(inner.expires, until)
        if expires <= _clock():
            return False
        etag = None if value.etag is None else value.etag.encode("latin-1")
        self._entries[key] = _FrontEntry(value, etag, inner.generation, expires)
        self._entries.move_to_end(key)
        self.stats.kept += 1
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
            self.stats.evicted += 1
        return True


_front_caches: weakref.WeakSet[FrontCache[Any]] = weakref.WeakSet()


def clear() -> None:
    """Empty every cache of this process: the inner caches and the applications' front caches (tests,
    operators)."""
    for cache in list(_caches):
        cache.clear()
    for front in list(_front_caches):
        front.clear()


def invalidations() -> dict[str, int]:
    """Times this process's caches became stale since it started: by a write here (`write`), another
    process's (`bus`), a reconnection of the bus (`flush`)."""
    return dict(_invalidations)


def figures() -> dict[str, dict[str, int]]:
    """The caches' counters by cache name (instances of one name summed; the front caches as `front`):
    hit, miss, joined, bypassed (the front cache: hit and miss), evicted, entries."""
    out: dict[str, dict[str, int]] = {}
    for cache in list(_caches):
        mine = out.setdefault(
            cache.name, dict.fromkeys(("hit", "miss", "joined", "bypassed", "evicted", "entries"), 0)
        )
        stats = cache.stats
        for key, value in (
            ("hit", stats.hits), ("miss", stats.misses), ("joined", stats.joined), ("bypassed", stats.bypassed),
            ("evicted", stats.evicted), ("entries", len(cache)),
        ):  # fmt: skip
            mine[key] += value
    for front in list(_front_caches):
        mine = out.setdefault("front", dict.fromkeys(("hit", "miss", "evicted", "entries"), 0))
        for key, value in (
            ("hit", front.stats.hits), ("miss", front.stats.misses), ("evicted", front.stats.evicted),
            ("entries", len(front)),
        ):  # fmt: skip
            mine[key] += value
    return out


async def _on_write(*_args: object) -> None:
    await invalidate_everywhere()


# Rows the trace page, the product page or a resolver answer show. Instance saves and deletes only
# (Tortoise sends no signal for QuerySet.update or bulk_create): services.trace invalidates explicitly
# after its bulk writes; the registry's bulk child rows (certifications, images) and the certificate
# pointer are written in the same transaction as a product save or an evaluation create.
for _model in (Producer, Product, Evaluation, Certification, ProductImage, Batch, TraceEvent, Location):
    _model.register_listener(Signals.post_save, _on_write)
    _model.register_listener(Signals.post_delete, _on_write)
