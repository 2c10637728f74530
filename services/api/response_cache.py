"""The response cache: encoded answers to anonymous API reads, kept per process, so that a repeated
public query (a product directory's listing, a popular product) costs a dictionary lookup instead of an
execution. Nothing here knows GraphQL or HTTP: the caller (web/graphql.py, with schema/response_cache.py
deciding what may be kept and which entity groups an answer reads) hands in a key, the groups and a render.

- Keyed by what the answer depends on: the caller builds it (document hash, variables, operation name,
  language, today's date). Only anonymous reads are ever offered; the caller decides that.
- Bounded by bytes (`max_bytes`, OCOP_RESPONSE_CACHE_MAX_BYTES), least recently used out first, and each
  entry lives at most `ttl_s` seconds (OCOP_RESPONSE_CACHE_TTL_S; 0 turns the cache off).
- Invalidated per entity group: every answer records the groups it read (`registry`, `trace`, `fairs`,
  ... : the domain of each type it selected); a write of a row of a group drops every answer that read
  it, in this process at once and in every other process through the bus (`services/common/bus.py`,
  topic `answers`, published inside the writer's transaction, so delivered at commit). Rows are heard
  through Tortoise's post-save/post-delete signals on every model (but the few that no public answer
  shows, `_UNSEEN`), and the page caches' `cache` topic (bulk trace writes announce themselves there)
  drops `registry` and `trace`. A bus reconnect (messages may have been missed) drops everything.
- Never stale after a write reached this process: each group has a generation counter; an answer
  stores the generations it started with and is kept only if none moved meanwhile (a render that read
  the rows a concurrent write replaced is answered, not kept), and is served only while they still
  match. While a write transaction of this process is open nothing is served or kept (it may be about
  to commit rows another request is reading), and its groups are bumped again when it ends.
- Single flight: concurrent misses of one key in one generation execute once; the others wait for it.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, field

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.models import Model
from tortoise.signals import Signals

import models
from services.common import bus, page_cache

TOPIC = "answers"  # bus topic: payload {"g": [group, ...]}
EVERYTHING = "*"  # the group of a type whose domain is not known: dropped by any write
ENTRY_OVERHEAD = 400  # bytes counted per entry besides its body (key, bookkeeping)
DEFAULT_TTL_S = 30.0
DEFAULT_MAX_BYTES = 32 * 1024 * 1024

# Rows no anonymous answer shows, written often (every request, scan or job step): their writes tell no one.
_UNSEEN = frozenset(
    {
        "AccessToken",
        "AuditEntry",
        "Instance",
        "Job",
        "LoginAttempt",
        "SerialScan",
        "StreamPending",
        "SubscriptionDelivery",
        "TraceSnapshot",  # derived from rows whose writes are announced themselves; also written by scans
    }
)
# models/<module>.py → group; the group of a GraphQL type is its schema/<domain>/ package.
_MODULE_GROUPS = {"subscriptions": "trace", "system": EVERYTHING}

_clock = time.monotonic  # replaced in tests to age entries

_generations: dict[str, int] = {}
_epoch = 0  # bumped by a flush: every entry is stale
# Write transactions of this process not over yet: client -> (deadline, groups already announced).
_open_writes: dict[TransactionalDBClient, tuple[float, set[str]]] = {}
_caches: weakref.WeakSet[ResponseCache] = weakref.WeakSet()


def group_of_model(model: type[Model]) -> str:
    module = model.__module__.rsplit(".", 1)[-1]
    return _MODULE_GROUPS.get(module, module)


def _stamp(groups: frozenset[str]) -> tuple[int, ...]:
    if EVERYTHING in groups:
        return (_epoch, sum(_generations.values()))
    return (_epoch, *(_generations.get(g, 0) for g in sorted(groups)))


def invalidate(groups: Iterable[str]) -> None:
    """Answers that read any of `groups` are stale, in this process, from now on."""
    changed = set(groups)
    for group in changed:
        _generations[group] = _generations.get(group, 0) + 1
    for cache in list(_caches):
        cache.drop(changed)


def _flush() -> None:
    global _epoch
    _epoch += 1
    for cache in list(_caches):
        cache.clear()


def _heard(message: bus.Message) -> None:
    groups = message.payload.get("g")
    if isinstance(groups, list):
        invalidate(str(g) for g in groups)
    else:
        _flush()


def _heard_pages(_message: bus.Message) -> None:
    invalidate(("registry", "trace"))


bus.BUS.on_message(TOPIC, _heard)
bus.BUS.on_message(page_cache.CACHE_TOPIC, _heard_pages)
bus.BUS.on_flush(_flush)


def _usable() -> bool:
    """False while a write transaction of this process is open; when one has ended, its groups are
    bumped once more (an answer rendered during it may show the rows it replaced)."""
    if not _open_writes:
        return True
    now = _clock()
    for transaction, (deadline, groups) in list(_open_writes.items()):
        if transaction._finalized or now > deadline:
            del _open_writes[transaction]
            invalidate(groups)
    return not _open_writes


async def wrote(groups: Iterable[str]) -> None:
    """A write of rows of `groups` (called for every save and delete, and by bulk writers): invalidated
    here now, and everywhere through the bus, once per transaction and group (inside the transaction on
    PostgreSQL: other processes hear of it at commit)."""
    wanted = set(groups)
    invalidate(wanted)
    transaction = page_cache._current_transaction()
    if transaction is not None:
        _, announced = _open_writes.setdefault(transaction, (_clock() + page_cache.TRACE_PAGE_MAX_AGE, set()))
        wanted -= announced
        announced |= wanted
    if wanted:
        await bus.publish(TOPIC, {"g": sorted(wanted)})


async def _on_write(sender: type[Model], *_args: object) -> None:
    await wrote((group_of_model(sender),))


def _listen_to_models() -> None:
    """Hear the saves and deletes of every model but `_UNSEEN`."""
    for model in vars(models).values():
        if isinstance(model, type) and issubclass(model, Model) and model.__name__ not in _UNSEEN:
            if model._meta.abstract:
                continue
            model.register_listener(Signals.post_save, _on_write)
            model.register_listener(Signals.post_delete, _on_write)


_listen_to_models()


@dataclass(slots=True)
class Answer:
    """One encoded answer: what is sent, and whether a shared cache may keep it (no error)."""

    body: bytes
    keep: bool
    etag: str | None = None  # the caller's validator of `body` (a strong ETag), when it computed one
    operation: tuple[str | None, str] | None = None  # (name, type) the caller's metrics name it by


@dataclass(slots=True)
class _Entry:
    answer: Answer
    groups: frozenset[str]
    stamp: tuple[int, ...]
    expires: float
    size: int


@dataclass(slots=True)
class Stats:
    hits: int = 0
    misses: int = 0  # renders started here
    joined: int = 0  # misses that waited for a render in flight
    stored: int = 0
    not_stored: int = 0  # rendered but not kept: an error, too big, or a write meanwhile
    bypassed: int = 0  # a write transaction of this process was open
    evicted: int = 0  # out by size
    dropped: int = 0  # out by invalidation


@dataclass(eq=False)
class ResponseCache:
    ttl_s: float = DEFAULT_TTL_S
    max_bytes: int = DEFAULT_MAX_BYTES
    stats: Stats = field(default_factory=Stats)
    size: int = 0
    _entries: OrderedDict[Hashable, _Entry] = field(default_factory=OrderedDict)
    _by_group: dict[str, set[Hashable]] = field(default_factory=dict)
    _flights: dict[tuple[Hashable, tuple[int, ...]], asyncio.Future[Answer | None]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        _caches.add(self)

    def __hash__(self) -> int:
        return id(self)

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._by_group.clear()
        self.size = 0

    def _remove(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.size -= entry.size
        for group in entry.groups:
            keys = self._by_group.get(group)
            if keys is not None:
                keys.discard(key)

    def drop(self, groups: set[str]) -> None:
        """Remove every entry that read one of `groups` (everything for EVERYTHING)."""
        if EVERYTHING in groups:
            self.stats.dropped += len(self._entries)
            self.clear()
            return
        for group in (*groups, EVERYTHING):
            for key in list(self._by_group.get(group, ())):
                self._remove(key)
                self.stats.dropped += 1

    async def fetch(
        self, key: Hashable, groups: frozenset[str], render: Callable[[], Awaitable[Answer]]
    ) -> tuple[Answer, str]:
        """The kept answer of `key`, or `render()`'s (kept when it may be and nothing it read changed); and how
        this cache gave it, in the terms of RFC 9211's Cache-Status: `hit`;
        `fwd=miss; stored` or `fwd=miss` (rendered here, kept or not); `fwd=miss; collapsed` (another
        request's render in flight, shared); `fwd=bypass` (a write transaction of this process is open)."""
        if not _usable():
            self.stats.bypassed += 1
            return await render(), "fwd=bypass"
        stamp = _stamp(groups)
        entry = self._entries.get(key)
        if entry is not None:
            if entry.stamp == stamp and entry.expires > _clock():
                self._entries.move_to_end(key)
                self.stats.hits += 1
                return entry.answer, "hit"
            self._remove(key)
        flight_key = (key, stamp)
        in_flight = self._flights.get(flight_key)
        if in_flight is not None:
            self.stats.joined += 1
            shared = await asyncio.shield(in_flight)  # a waiter that leaves must not cancel the render
            if shared is not None:
                return shared, "fwd=miss; collapsed"
            return await render(), "fwd=miss"
        self.stats.misses += 1
        future: asyncio.Future[Answer | None] = asyncio.get_running_loop().create_future()
        self._flights[flight_key] = future
        try:
            answer = await render()
        except BaseException:
            future.set_result(None)  # the waiters execute on their own; the error is this request's
            raise
        finally:
            del self._flights[flight_key]
        future.set_result(answer)
        return answer, "fwd=miss; stored" if self._store(key, groups, stamp, answer) else "fwd=miss"

    def _store(self, key: Hashable, groups: frozenset[str], stamp: tuple[int, ...], answer: Answer) -> bool:
        size = len(answer.body) + ENTRY_OVERHEAD
        # _usable() first: a write transaction that has just ended bumps its groups.
        if not answer.keep or size > self.max_bytes // 4 or not _usable() or _stamp(groups) != stamp:
            self.stats.not_stored += 1
            return False
        self._remove(key)
        self._entries[key] = _Entry(answer, groups, stamp, _clock() + self.ttl_s, size)
        self.size += size
        for group in groups or (EVERYTHING,):
            self._by_group.setdefault(group, set()).add(key)
        self.stats.stored += 1
        while self.size > self.max_bytes and self._entries:
            oldest = next(iter(self._entries))
            self._remove(oldest)
            self.stats.evicted += 1
        return True
