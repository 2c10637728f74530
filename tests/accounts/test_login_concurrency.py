"""Login limits hold under concurrency, and argon2 runs in worker threads, not on the event loop: twenty
parallel wrong passwords used to get twenty password checks when the limit is five, each on the loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from httpx import AsyncClient

from models import LoginAttempt
from services.accounts import auth
from tests.accounts.test_login import login
from tests.conftest import Database
from tests.factories import make_user


class CountingHasher(PasswordHasher):
    """The test suite's cheap hasher, counting its checks and noting the threads they run on."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.threads: list[int] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.threads.append(threading.get_ident())
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(auth, "_hasher", lambda: counting)
    return counting


async def test_twenty_parallel_wrong_passwords_get_at_most_the_limit_of_checks(
    client: AsyncClient, db: Database, hasher: CountingHasher
) -> None:
    await make_user("lan@test.ocop.vn")
    answers = await asyncio.gather(
        *(login(client, "lan@test.ocop.vn", f"guess number {n}") for n in range(20))
    )
    codes: list[Any] = [a["errors"][0]["code"] for a in answers]  # type: ignore[index]
    assert codes.count("INVALID_CREDENTIALS") == auth.MAX_FAILURES_PER_ACCOUNT
    assert codes.count("TOO_MANY_ATTEMPTS") == 20 - auth.MAX_FAILURES_PER_ACCOUNT
    assert len(hasher.threads) == auth.MAX_FAILURES_PER_ACCOUNT
    # Locked: the right password is refused, and not even checked.
    locked = await login(client, "lan@test.ocop.vn", "correct horse battery")
    assert locked["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"  # type: ignore[index]
    assert len(hasher.threads) == auth.MAX_FAILURES_PER_ACCOUNT
    assert await LoginAttempt.filter(email="lan@test.ocop.vn").count() == auth.MAX_FAILURES_PER_ACCOUNT


async def test_password_checks_run_in_worker_threads_and_a_success_is_recorded(
    client: AsyncClient, db: Database, hasher: CountingHasher
) -> None:
    await make_user("lan@test.ocop.vn")
    assert (await login(client, "lan@test.ocop.vn", "correct horse battery"))["token"]
    # An unknown e-mail is checked against the dummy hash all the same (as long as a wrong password).
    assert (await login(client, "nobody@test.ocop.vn", "correct horse battery"))["token"] is None
    assert len(hasher.threads) == 2
    assert threading.get_ident() not in hasher.threads
    attempts = await LoginAttempt.all().order_by("id").values_list("email", "succeeded")
    assert attempts == [("lan@test.ocop.vn", True), ("nobody@test.ocop.vn", False)]


async def test_a_success_does_not_count_as_a_failure(
    client: AsyncClient, db: Database, hasher: CountingHasher
) -> None:
    await make_user("lan@test.ocop.vn")
    for _ in range(auth.MAX_FAILURES_PER_ACCOUNT + 1):
        assert (await login(client, "lan@test.ocop.vn", "correct horse battery"))["token"]


async def test_an_over_long_email_is_a_wrong_login_not_an_error(
    client: AsyncClient, db: Database, hasher: CountingHasher
) -> None:
    answer = await login(client, "x" * 300 + "@test.ocop.vn", "correct horse battery")
    assert answer["errors"][0]["code"] == "INVALID_CREDENTIALS"  # type: ignore[index]


async def test_a_flood_of_sign_ins_at_production_cost_leaves_the_loop_free(
    client: AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten sign-ins checked at argon2's production cost (~190 ms of CPU each) while /healthz is asked: on
    the loop they held it for ~2 s; in worker threads the loop keeps answering."""
    production = PasswordHasher()
    dummy = production.hash("not a password of anyone")
    monkeypatch.setattr(auth, "_hasher", lambda: production)
    monkeypatch.setattr(auth, "_dummy_hash", lambda: dummy)
    # What one check holds the loop for when it runs there, measured now on this (maybe busy) machine: each
    # check on the loop would leave a gap at least that long.
    started = time.perf_counter()
    with contextlib.suppress(VerificationError):
        production.verify(dummy, "guess guess guess")
    one_check = time.perf_counter() - started
    loop = asyncio.get_running_loop()
    gaps: list[float] = []
    health: list[float] = []

    async def heartbeat(until: asyncio.Future[Any]) -> None:
        while not until.done():
            before = loop.time()
            await asyncio.sleep(0.01)
            gaps.append(loop.time() - before - 0.01)
            started = loop.time()
            assert (await client.get("/healthz")).status_code == 200
            health.append(loop.time() - started)

    flood = asyncio.gather(
        *(login(client, f"nobody{n}@test.ocop.vn", "guess guess guess") for n in range(10))
    )
    beat = asyncio.create_task(heartbeat(flood))
    answers = await flood
    await beat
    assert all(a["errors"][0]["code"] == "INVALID_CREDENTIALS" for a in answers)  # type: ignore[index]
    assert health, "healthz was never asked"
    assert max(health) < 1.0
    assert max(gaps) < one_check  # ~0.19 s on an idle machine; threads leave gaps of a few ms
