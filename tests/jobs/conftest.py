"""Fixtures of the job tests: a media directory per test, cheap job kinds, fairs."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from models import Fair, FairKind, FairStatus
from services.common import settings
from services.common.sandbox import Render
from services.jobs import queue as jobs
from tests.jobs import kinds

_names = itertools.count(1)


@pytest.fixture(autouse=True)
def media(tmp_path: Path) -> Iterator[Path]:
    """Job results of each test in its own directory; the limits are the kinds', not the environment's."""
    with settings.overridden(
        media_dir=tmp_path / "media", job_timeout_s=None, job_memory_mb=None, job_stale_s=60.0
    ):
        yield tmp_path / "media"


def fake_kind(render: Render, *, timeout_s: float = 30.0, memory_mb: int = 512) -> jobs.JobKind:
    name = f"test-{render.__name__.removeprefix('render_')}-{next(_names)}"
    return jobs.JobKind(
        name=name,
        prepare=kinds.prepare_echo,
        render=render,
        version=lambda: "1",
        file_name=lambda params: f"{name}-{params['text']}.txt",
        timeout_s=timeout_s,
        memory_mb=memory_mb,
    )


@pytest.fixture
def register() -> Iterator[Any]:
    """Registers kinds for one test: `register(fake_kind(...))`."""
    registered: list[str] = []

    def add(kind: jobs.JobKind) -> jobs.JobKind:
        registered.append(kind.name)
        return jobs.register(kind)

    yield add
    for name in registered:
        jobs.unregister(name)


@pytest.fixture
def echo(register: Any) -> jobs.JobKind:
    kind: jobs.JobKind = register(fake_kind(kinds.render_echo))
    return kind


async def make_fair(
    slug: str = "hoi-cho-ocop-du-lich-2019", status: FairStatus = FairStatus.DRAFT, **overrides: Any
) -> Fair:
    values: dict[str, Any] = {
        "slug": slug,
        "name": "Hội chợ OCOP - Du lịch 2019 (demo)",
        "name_en": "OCOP and Tourism Fair 2019 (demo)",
        "kind": FairKind.OCOP_TOURISM,
        "venue": "Quảng trường Đồng Khởi, TP. Bến Tre",
        "starts_on": dt.date(2019, 11, 21),
        "ends_on": dt.date(2019, 11, 25),
        "status": status,
    }
    values.update(overrides)
    return await Fair.create(**values)


async def until(condition: Callable[[], Awaitable[bool]], *, timeout_s: float = 30.0) -> None:
    """Waits for `condition` to hold, polling, instead of a fixed sleep that is too long on a quiet machine
    and too short on a busy one."""
    deadline = time.monotonic() + timeout_s
    while not await condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
