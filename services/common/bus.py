"""The event bus: small messages ("this changed", ids, never data) from the process that wrote to every
process that cares, across replicas and workers. No HTTP, no GraphQL here.

- `publish(topic, payload)`: a topic is a short string (`cache`, `job:42`, `lot:7`, `producer:3:scans`),
  the payload a small JSON object (≤ MAX_PAYLOAD bytes with its envelope; ids, not rows).
- `subscribe(pattern)`: an async iterator of the messages whose topic matches `pattern` (fnmatch:
  `job:*`), until it is closed. Each subscription has a bounded queue: a subscriber that does not keep up
  loses the oldest messages and gets a `FLUSH` message in their place ("re-read what you show").
- `on_message(pattern, callback)` / `on_flush(callback)`: synchronous handlers of this process (the page
  caches clear their copies).

On PostgreSQL, `publish` runs `pg_notify(channel, envelope)` on the caller's connection, so inside the
writer's transaction (Tortoise's `in_transaction()` is the current connection): nothing rolled back is
announced, and the message is delivered when the transaction commits. Every process holds one dedicated
asyncpg connection LISTENing on the channel (`start`); messages reach local subscribers through it, the
writer's own process included. When that connection drops, the listener reconnects with backoff and then
sends a flush to every local handler and subscriber (messages may have been missed meanwhile), logged
(`bus reconnected`) and counted (`Stats.reconnects`, `/metrics`). A silent drop is found by a liveness
query every `CHECK_S` seconds.

The channel is `ocop_events`, or `ocop_events.<schema>` when the database URL names a schema (several
installations, or test runs, sharing one database hear only their own messages). LISTEN needs a
session: behind PgBouncer in transaction mode the listener connects to PostgreSQL itself (or a session-mode
pool), named by OCOP_SESSION_DATABASE_URL (docs/operators.md).

On SQLite (one process) `publish` delivers in-process at once; a subscriber re-reads the rows it is told
about, so a message of a write that was then rolled back only costs a read."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import functools
import os
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import structlog

log = structlog.get_logger("ocop.bus")

CHANNEL = "ocop_events"
MAX_PAYLOAD = 7_900  # bytes of the envelope; PostgreSQL refuses a NOTIFY payload of 8000 bytes or more
FLUSH = "flush"  # the topic of the message telling a subscriber it may have missed messages
QUEUE_SIZE = 256  # messages a subscription holds before it drops the oldest (and is told to re-read)
CHECK_S = 10.0  # seconds between liveness checks of the listening connection
BACKOFF_S = (0.1, 0.5, 1.0, 2.0, 5.0)  # waits between reconnection attempts; the last one repeats

ORIGIN = f"{os.getpid()}-{secrets.token_hex(4)}"  # this process, in each envelope it publishes


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: Mapping[str, Any]
    origin: str = ORIGIN  # the process that published it

    @property
    def is_flush(self) -> bool:
        return self.topic == FLUSH

    @property
    def local(self) -> bool:
        return self.origin == ORIGIN


@dataclass(slots=True)
class Stats:
    published: int = 0
    received: int = 0  # messages that reached this process (through the listener, or in-process)
    dropped: int = 0  # messages lost by subscribers that did not keep up (each gets a flush instead)
    reconnects: int = 0  # the listening connection was lost and opened again
    flushes: int = 0  # flushes sent to this process's caches and subscribers
    listening: bool = False  # PostgreSQL: the listening connection is up


class Subscription:
    """Messages of one topic pattern, in order, as an async iterator; `close()` (or leaving an `async
    with`) ends it."""

    def __init__(self, bus: Bus, pattern: str, maxsize: int) -> None:
        self.bus = bus
        self.pattern = pattern
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue(maxsize)
        self.loop = asyncio.get_running_loop()

    def matches(self, topic: str) -> bool:
        return topic == FLUSH or fnmatch.fnmatchcase(topic, self.pattern)

    def put(self, message: Message) -> None:
        if self.queue.full():  # the oldest go; the subscriber re-reads instead
            while not self.queue.empty():
                self.queue.get_nowait()
                self.bus.stats.dropped += 1
            message = Message(FLUSH, {"reason": "overflow"})
        self.queue.put_nowait(message)

    def close(self) -> None:
        self.bus.subscriptions.discard(self)
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    async def __anext__(self) -> Message:
        message = await self.queue.get()
        if message is None:
            raise StopAsyncIteration
        return message

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.close()


@dataclass
class Bus:
    channel: str = CHANNEL
    dsn: Mapping[str, Any] | None = None  # asyncpg.connect's arguments; None: not PostgreSQL
    stats: Stats = field(default_factory=Stats)
    subscriptions: set[Subscription] = field(default_factory=set)
    handlers: list[tuple[str, Callable[[Message], None]]] = field(default_factory=list)
    flush_handlers: list[Callable[[], None]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _listening: asyncio.Event | None = None

    @property
    def postgres(self) -> bool:
        return self.dsn is not None

    # -- configuration -------------------------------------------------------------------------------------

    def configure(self, database_url: str, pg_schema: str | None = None) -> None:
        """Where messages go: the database of this process's `database_url` (called by `db.connect`)."""
        if not database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
            self.dsn, self.channel = None, CHANNEL
            return
        from tortoise.backends.base.config_generator import expand_db_url

        credentials = dict(expand_db_url(database_url)["credentials"])
        schema = pg_schema or credentials.get("schema")
        self.channel = f"{CHANNEL}.{schema}" if schema else CHANNEL
        # Behind a transaction pool, session connections (this LISTEN, the seats' locks) go to PostgreSQL
        # itself (OCOP_SESSION_DATABASE_URL).
        from services.common import settings

        session_url = settings.current().session_database_url
        if session_url:
            credentials = dict(expand_db_url(session_url)["credentials"])
        self.dsn = {
            key: credentials[key]
            for key in ("host", "port", "user", "password", "database")
            if credentials.get(key) is not None
        }

    # -- publishing -----------------------------------------------------------------------------------------

    async def publish(self, topic: str, payload: Mapping[str, Any] | None = None) -> None:
        """Announce `topic`. On PostgreSQL through the caller's connection (its transaction, if any)."""
        message = Message(topic, dict(payload or {}))
        envelope = orjson.dumps({"t": topic, "p": message.payload, "o": ORIGIN})
        if len(envelope) > MAX_PAYLOAD:
            raise ValueError(f"bus message of {len(envelope)} bytes on {topic!r}: at most {MAX_PAYLOAD}")
        self.stats.published += 1
        if not self.postgres:
            self.deliver(message)
            return
        from tortoise import connections

        await connections.get("default").execute_query(
            "SELECT pg_notify($1, $2)", [self.channel, envelope.decode()]
        )

    # -- receiving ------------------------------------------------------------------------------------------

    def subscribe(self, pattern: str, *, maxsize: int = QUEUE_SIZE) -> Subscription:
        subscription = Subscription(self, pattern, maxsize)
        self.subscriptions.add(subscription)
        return subscription

    def on_message(self, pattern: str, callback: Callable[[Message], None]) -> None:
        self.handlers.append((pattern, callback))

    def on_flush(self, callback: Callable[[], None]) -> None:
        self.flush_handlers.append(callback)

    def deliver(self, message: Message) -> None:
        """Hand a message to this process's handlers and subscribers (each on its own loop)."""
        self.stats.received += 1
        for pattern, callback in self.handlers:
            if fnmatch.fnmatchcase(message.topic, pattern):
                try:
                    callback(message)
                except Exception:  # one handler's bug must not starve the others
                    log.exception("bus handler failed", topic=message.topic)
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for subscription in list(self.subscriptions):
            if subscription.matches(message.topic):
                if subscription.loop is running:
                    subscription.put(message)
                elif not subscription.loop.is_closed():
                    subscription.loop.call_soon_threadsafe(subscription.put, message)

    def flush(self, reason: str) -> None:
        """Tell every local cache and subscriber that messages may have been missed."""
        self.stats.flushes += 1
        for callback in self.flush_handlers:
            try:
                callback()
            except Exception:
                log.exception("bus flush handler failed")
        self.deliver(Message(FLUSH, {"reason": reason}))

    def _on_notification(self, _conn: Any, _pid: int, _channel: str, raw: object) -> None:
        try:
            data = orjson.loads(str(raw))
            message = Message(str(data["t"]), data.get("p") or {}, str(data.get("o", "")))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("bus message not understood", size=len(str(raw)))
            return
        self.deliver(message)

    # -- the listening connection (PostgreSQL) ---------------------------------------------------------------

    async def start(self) -> None:
        """Listen (PostgreSQL; nothing to do on SQLite). Returns once listening, or after a first failed
        attempt (the listener keeps trying in the background; `wait_listening` waits for it)."""
        if not self.postgres or self._task is not None:
            return
        self._listening = asyncio.Event()
        self._task = asyncio.create_task(self._listen_forever(), name="bus-listener")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self._listening.wait()

    async def wait_listening(self, timeout_s: float = 10.0) -> None:
        if self._listening is not None:
            async with asyncio.timeout(timeout_s):
                await self._listening.wait()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.stats.listening = False

    async def _listen_forever(self) -> None:
        import asyncpg

        assert self.dsn is not None
        assert self._listening is not None
        attempt = 0
        connected_before = False
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(**self.dsn, timeout=5)
                lost = asyncio.Event()
                conn.add_termination_listener(functools.partial(_set_event, lost))
                await conn.add_listener(self.channel, self._on_notification)
                self.stats.listening = True
                self._listening.set()
                if connected_before:
                    self.stats.reconnects += 1
                    log.warning("bus reconnected: flushing caches", channel=self.channel, attempts=attempt)
                    self.flush("reconnected")
                else:
                    log.info("bus listening", channel=self.channel)
                connected_before = True
                attempt = 0
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(CHECK_S):
                            await lost.wait()
                    if not lost.is_set():
                        async with asyncio.timeout(CHECK_S):
                            await conn.fetchval("SELECT 1")
                raise ConnectionError("listening connection closed")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.stats.listening = False
                self._listening.clear()
                wait = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                attempt += 1
                log.warning("bus connection lost", error=f"{type(exc).__name__}: {exc}", retry_in_s=wait)
                await asyncio.sleep(wait)
            finally:
                if conn is not None and not conn.is_closed():
                    conn.terminate()


def _set_event(event: asyncio.Event, *_args: object) -> None:
    event.set()


BUS = Bus()


def configure(database_url: str, pg_schema: str | None = None) -> None:
    BUS.configure(database_url, pg_schema)


async def publish(topic: str, payload: Mapping[str, Any] | None = None) -> None:
    await BUS.publish(topic, payload)


def subscribe(pattern: str, *, maxsize: int = QUEUE_SIZE) -> Subscription:
    return BUS.subscribe(pattern, maxsize=maxsize)


def stats() -> Stats:
    return BUS.stats


async def start() -> None:
    await BUS.start()


async def stop() -> None:
    await BUS.stop()
