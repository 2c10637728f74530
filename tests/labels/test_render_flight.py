"""A label file is rendered once however many ask for it at once, and renders per process wait in line: ten
concurrent downloads of a fresh run used to start ten render processes (~730 MB)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient

from services.common import sandbox, settings
from tests.labels.test_labels_api import create_run, member_with_lot, path_of


@pytest.fixture(autouse=True)
def own_media(media: Path) -> None:
    """Each test renders into its own media directory (tests/labels/conftest.py)."""


async def test_ten_concurrent_downloads_of_a_fresh_run_start_one_render(
    client: AsyncClient, db: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, batch_gid, _ = await member_with_lot()
    url = (await create_run(client, token, batch_gid, count=21))["labelRun"]["pdfUrl"]
    starts: list[str] = []
    real_run = sandbox._run

    async def counted(*args: Any) -> sandbox.Output:
        starts.append(args[-1])  # the child's name
        return await real_run(*args)

    monkeypatch.setattr(sandbox, "_run", counted)
    answers = await asyncio.gather(*(client.get(path_of(url)) for _ in range(10)))
    assert [a.status_code for a in answers] == [200] * 10
    assert len(starts) == 1, starts
    assert len({a.content for a in answers}) == 1
    assert answers[0].content.startswith(b"%PDF")
    # Later downloads are served from the file kept by its checksum: no render at all.
    assert (await client.get(path_of(url))).content == answers[0].content
    assert len(starts) == 1


async def test_renders_of_different_files_wait_for_a_slot(
    client: AsyncClient, db: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, batch_gid, _ = await member_with_lot()
    run = (await create_run(client, token, batch_gid, count=3))["labelRun"]
    urls = [run["pdfUrl"], run["zplUrl"], run["tsplUrl"], run["qrSvgUrl"]]
    running = 0
    most = 0
    real_run = sandbox._run

    async def watched(*args: Any) -> sandbox.Output:
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            await asyncio.sleep(0.2)  # long enough for the others to be asked for meanwhile
            return await real_run(*args)
        finally:
            running -= 1

    monkeypatch.setattr(sandbox, "_run", watched)
    with settings.overridden(render_concurrency=2):
        answers = await asyncio.gather(*(client.get(path_of(u)) for u in urls))
    assert [a.status_code for a in answers] == [200] * 4
    assert most == 2


async def test_a_caller_that_goes_away_does_not_cancel_the_render_for_the_others() -> None:
    calls = 0
    release = asyncio.Event()

    async def work() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "done"

    first = asyncio.create_task(sandbox.single_flight("key", work))
    second = asyncio.create_task(sandbox.single_flight("key", work))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    release.set()
    assert await second == "done"
    assert calls == 1
    with pytest.raises(asyncio.CancelledError):
        await first
    # Once done, the key is free: the next caller starts new work.
    assert await sandbox.single_flight("key", lambda: asyncio.sleep(0, "again")) == "again"
