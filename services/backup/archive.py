"""A backup directory, written by `server.py backup -o DIR` and read by `restore` and `verify --manifest`:

DIR/backup.json        what it holds: when, which database, the dump's sha256, the stored files' manifest
DIR/database.dump      PostgreSQL: pg_dump --format=custom   (or database.sqlite3: SQLite's online backup)
DIR/media/…            with --files only: a copy of every stored file (else the object store's own
                       versioning or replication keeps them; the manifest says what must be there)
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import orjson

from services.backup import database, files
from services.common import clock

FORMAT = "ocop-hub-backup"
VERSION = 1
DESCRIPTION = "backup.json"


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(files.CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def _new_directory(output: Path) -> None:
    if output.exists() and any(output.iterdir()):
        raise database.BackupError(f"{output} is not empty: give a new directory")
    output.mkdir(parents=True, exist_ok=True)


async def _copy_files(names: list[str], destination: Path) -> None:
    for name in names:
        target = destination / name
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        out = await asyncio.to_thread(target.open, "wb")
        try:
            async for chunk in files.open_stored(name):
                await asyncio.to_thread(out.write, chunk)
        finally:
            await asyncio.to_thread(out.close)


async def backup(database_url: str, output: Path, *, with_files: bool = False) -> dict[str, Any]:
    """Write a backup of the database and the stored files' manifest (and copies, `with_files`) into the
    directory `output`, which must be new or empty. Returns its description."""
    await asyncio.to_thread(_new_directory, output)
    where = database.target(database_url)
    started = clock.now()
    if where.kind == "postgres":
        dump = output / "database.dump"
        details = await database.pg_dump(where, dump)
    else:
        assert where.sqlite_path is not None
        dump = output / "database.sqlite3"
        await asyncio.to_thread(database.sqlite_backup, where.sqlite_path, dump)
        details = {"tool": "sqlite3 online backup"}
    # Files are written after the database is read: a file a row names is then in the manifest (files are
    # never changed in place, only added, so one added meanwhile is merely extra).
    manifest = await files.manifest()
    if with_files:
        names = [str(entry["name"]) for entry in manifest["files"]]  # type: ignore[attr-defined]
        await _copy_files(names, output / "media")
    description = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": started.isoformat(),
        "database": {"kind": where.kind, "file": dump.name, "sha256": await asyncio.to_thread(_sha256, dump),
                     "bytes": dump.stat().st_size, **details},
        "files_copied": with_files,
        "files": manifest,
    }  # fmt: skip
    (output / DESCRIPTION).write_bytes(orjson.dumps(description, option=orjson.OPT_INDENT_2))
    return description


def read(backup_dir: Path) -> dict[str, Any]:
    """A backup directory's description, refused unless it is one."""
    try:
        description: dict[str, Any] = orjson.loads((backup_dir / DESCRIPTION).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise database.BackupError(f"{backup_dir}: not a backup ({exc})") from exc
    if description.get("format") != FORMAT or description.get("version") != VERSION:
        raise database.BackupError(f"{backup_dir}: not an ocop-hub backup of version {VERSION}")
    return description


async def restore(backup_dir: Path, database_url: str, *, force: bool = False) -> dict[str, Any]:
    """Restore a backup's database into `database_url` (a fresh database, or `force`), after checking the
    dump's sha256; and its copied files, if it has them, into the media directory (files already there
    with the right content are left alone)."""
    description = read(backup_dir)
    recorded = description["database"]
    dump = backup_dir / str(recorded["file"])
    if not dump.is_file() or await asyncio.to_thread(_sha256, dump) != recorded["sha256"]:
        raise database.BackupError(f"{dump}: missing or not the file the backup recorded (sha256 differs)")
    where = database.target(database_url)
    if where.kind != recorded["kind"]:
        raise database.BackupError(f"a {recorded['kind']} backup cannot be restored into {where.kind}")
    if where.kind == "postgres":
        await database.pg_restore(dump, where, recorded.get("schema"), force=force)
    else:
        assert where.sqlite_path is not None
        await asyncio.to_thread(database.sqlite_restore, dump, where.sqlite_path, force=force)
    copied = 0
    if description.get("files_copied"):
        copied = await _restore_files(backup_dir / "media", description["files"]["files"])
    return {"database": where.kind, "files_restored": copied}


async def _restore_files(source: Path, entries: list[dict[str, Any]]) -> int:
    """The backup's copies put back where files are stored (those already there and right left alone)."""
    copied = 0
    for entry in entries:
        name = str(entry["name"])
        if await files.is_stored(name) and (await files.digest(name))[1] == entry["sha256"]:
            continue
        await files.put_stored(name, source / name)
        copied += 1
    return copied
