"""Seats: how many long-lived connections (GraphQL subscriptions over WebSocket) one account holds open,
counted across every server process of the installation.

An account has `limit` seats, numbered 0 … limit-1. On PostgreSQL a seat is a session-level advisory lock
(`pg_try_advisory_lock`) on a key made of the bus channel (so installations and test schemas sharing a
database do not collide), the account and the seat number, held on one dedicated connection per process:
another replica cannot take a seat held here, and when a process dies its session ends and PostgreSQL frees
its seats by itself (no table to clean up, nothing to expire). Advisory locks are re-entrant within one
session, so the process also remembers which seats it holds and never asks for one of those again.

If that connection cannot be opened or breaks, the process logs it and counts its own seats only until it
is back: a user is never refused because of it. On SQLite (one process) seats are counted in process."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog

from services.common import bus

log = structlog.get_logger("ocop.seats")


class Seats:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held: dict[int, set[int]] = {}  # account -> seats this process holds
        self._conn: Any = None  # asyncpg.Connection holding the advisory locks (PostgreSQL)
        self._lock = asyncio.Lock()  # one query at a time on that connection

    async def take(self, user_id: int) -> int | None:
        """A free seat of the account, now held by this process; None when all `limit` are taken."""
        async with self._lock:
            mine = self.held.setdefault(user_id, set())
            for seat in range(self.limit):
                if seat in mine:
                    continue
                if await self._try(user_id, seat):
                    mine.add(seat)
                    return seat
            if not mine:
                del self.held[user_id]
            return None

    async def give_back(self, user_id: int, seat: int) -> None:
        async with self._lock:
            mine = self.held.get(user_id, set())
            mine.discard(seat)
            if not mine:
                self.held.pop(user_id, None)
            conn = await self._connection()
            if conn is not None:
                try:
                    await conn.fetchval(
                        "SELECT pg_advisory_unlock(hashtextextended($1, 0))", self._key(user_id, seat)
                    )
                except Exception as exc:  # the session is gone, and its locks with it
                    self._lost(exc)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    def _key(self, user_id: int, seat: int) -> str:
        return f"{bus.BUS.channel}:ws-seat:{user_id}:{seat}"

    async def _try(self, user_id: int, seat: int) -> bool:
        conn = await self._connection()
        if conn is None:
            return True  # SQLite, or PostgreSQL unreachable for now: this process's count alone
        try:
            return bool(
                await conn.fetchval(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", self._key(user_id, seat)
                )
            )
        except Exception as exc:
            self._lost(exc)
            return True

    async def _connection(self) -> Any:
        if not bus.BUS.postgres or bus.BUS.dsn is None:
            return None
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        import asyncpg

        try:
            self._conn = await asyncpg.connect(**bus.BUS.dsn, timeout=5)
        except Exception as exc:
            self._lost(exc)
            return None
        if any(self.held.values()):  # a new session holds none of the seats this process counts
            await self._retake()
        return self._conn

    async def _retake(self) -> None:
        for user_id, seats in self.held.items():
            for seat in seats:
                await self._conn.fetchval(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", self._key(user_id, seat)
                )

    def _lost(self, exc: BaseException) -> None:
        log.warning("websocket seats counted in this process only", error=f"{type(exc).__name__}: {exc}")
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()
