"""A backup of a database with the demo data, restored into a fresh database, verifies: every lot's hash chain
and every stored file's sha256. And the check can fail: a tampered event row, a corrupted file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from models import Batch, TraceEvent
from services.backup import archive
from services.backup.database import BackupError, target
from services.common import paths, settings
from tests.backup.conftest import Demo
from tests.conftest import Database


@pytest.fixture
async def fresh_url(db: Database, tmp_path: Path) -> AsyncIterator[str]:
    """A database nobody wrote to: a new SQLite file, or a new PostgreSQL database (dropped after)."""
    if db.backend == "sqlite":
        yield f"sqlite://{tmp_path / 'restored.sqlite3'}"
        return
    name = f"ocop_restore_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(db.url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(db.url)
        yield parts._replace(path=f"/{name}", query=f"schema={db.pg_schema}").geturl()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def verify(database_url: str, media: Path, backup: Path) -> subprocess.CompletedProcess[str]:
    """`server.py verify --manifest BACKUP` on the restored database and files, as an operator runs it."""
    env = os.environ | {"DATABASE_URL": database_url, "OCOP_MEDIA_DIR": str(media), "LOG_LEVEL": "WARNING"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "server.py", "verify", "--manifest", str(backup)],
        cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


async def tamper(database_url: str, sql: str) -> None:
    """One statement on the restored database, behind the application's back."""
    where = target(database_url)
    if where.sqlite_path is not None:
        with sqlite3.connect(where.sqlite_path) as lite:
            lite.execute(sql)
        lite.close()
        return
    conn = await asyncpg.connect(where.dsn(), server_settings={"search_path": where.schema or "public"})
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.mark.slow  # real server.py processes (make test-slow)
async def test_a_demo_backup_restores_into_a_fresh_database_and_verifies(
    db: Database, demo_data: Demo, fresh_url: str, tmp_path: Path
) -> None:
    lots = await Batch.all().count()
    assert lots >= 4
    backup = tmp_path / "backup"
    with settings.overridden(media_dir=demo_data.media):
        done = await archive.backup(db.server_url, backup, with_files=True)
    names = {entry["name"] for entry in done["files"]["files"]}
    assert demo_data.label_file.relative_to(demo_data.media).as_posix() in names
    assert f"uploads/{demo_data.stored.sha256[:2]}/{demo_data.stored.sha256}.png" in names
    assert done["database"]["kind"] == ("postgres" if db.backend == "postgres" else "sqlite")

    restored_media = tmp_path / "restored-media"
    with settings.overridden(media_dir=restored_media):
        outcome = await archive.restore(backup, fresh_url)
        assert outcome["files_restored"] == len(names)
        with pytest.raises(BackupError, match="tables"):  # the target is no longer empty
            await archive.restore(backup, fresh_url)

    checked = verify(fresh_url, restored_media, backup)
    assert checked.returncode == 0, checked.stderr
    assert f"lots: {lots} checked" in checked.stdout
    assert "events), 0 broken" in checked.stdout
    assert f"files: {len(names)} checked, 0 problems" in checked.stdout

    # A tampered event row: its lot's chain no longer matches.
    await tamper(
        fresh_url,
        "UPDATE trace_event SET biz_step = 'destroying' WHERE id = (SELECT min(id) FROM trace_event)",
    )
    broken = verify(fresh_url, restored_media, backup)
    assert broken.returncode == 1
    assert "broken event_changed" in broken.stderr, broken.stderr

    # Put back, the lots verify again; then a corrupted file and a missing one.
    first = await TraceEvent.all().order_by("id").first()
    assert first is not None
    await tamper(fresh_url, f"UPDATE trace_event SET biz_step = '{first.biz_step}' WHERE id = {first.id}")  # noqa: S608
    label = restored_media / demo_data.label_file.relative_to(demo_data.media)
    label.write_bytes(label.read_bytes()[:-10] + b"corrupted!")
    sha = demo_data.stored.sha256
    (restored_media / "uploads" / sha[:2] / f"{sha}.png").unlink()
    checked = verify(fresh_url, restored_media, backup)
    assert checked.returncode == 1
    assert f"file {label.relative_to(restored_media).as_posix()}: corrupted" in checked.stderr
    assert f"file uploads/{sha[:2]}/{sha}.png: missing" in checked.stderr
    assert f"lots: {lots} checked" in checked.stderr
    assert "events), 0 broken" in checked.stderr  # only the files are wrong
