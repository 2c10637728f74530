"""The stored files' part of a backup: a manifest of every stored file (uploads, label files, job results,
previews, imported spreadsheets), each with its size and sha256, and their check.

Every stored file is content-addressed: `{area}/{sha[:2]}/{sha256}{suffix}`. A file whose name is a sha256
must hash to it; any other file must hash to what the manifest recorded.

Where the files are is this module's five small functions only (`stored_names`, `open_stored`, `local_copy`,
`size_of`, `put_stored`): today the folder OCOP_MEDIA_DIR; each maps one to one onto the shared storage
interface (services/common/storage.py: `keys`, `open`, `local_copy`, `size`, `put_file`) when OCOP_STORAGE_URL
lands. Nothing else in services/backup or services/registry/portability touches the files."""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from services.common import settings

MANIFEST_VERSION = 1
CHUNK = 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{64}")


def media_root() -> Path:
    return settings.current().media_dir


def _path(name: str) -> Path:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"{name!r} is not a stored file's name")
    return media_root() / relative


# -- the five functions that know where files are ----------------------------------------------------------


async def stored_names() -> AsyncIterator[str]:
    """Every stored file's name, in order; work files (any segment starting with ".") left out."""

    def walk() -> list[str]:
        root = media_root()
        if not root.is_dir():
            return []
        return sorted(
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
        )

    for name in await asyncio.to_thread(walk):
        yield name


async def open_stored(name: str) -> AsyncIterator[bytes]:
    """A stored file's bytes, in chunks. FileNotFoundError when it is not there."""
    stream = await asyncio.to_thread(_path(name).open, "rb")
    try:
        while chunk := await asyncio.to_thread(stream.read, CHUNK):
            yield chunk
    finally:
        await asyncio.to_thread(stream.close)


async def local_copy(name: str) -> Path:
    """A path on this machine holding the file (a child process reads it). FileNotFoundError if missing."""
    path = _path(name)
    if not await asyncio.to_thread(path.is_file):
        raise FileNotFoundError(name)
    return path


async def size_of(name: str) -> int | None:
    """The file's size, None when it is not stored."""
    path = _path(name)
    try:
        return (await asyncio.to_thread(path.stat)).st_size if await asyncio.to_thread(path.is_file) else None
    except OSError:
        return None


async def put_stored(name: str, source: Path) -> None:
    """Store a copy of a local file under `name` (a restore)."""
    target = _path(name)

    def copy() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(source, temporary)
        temporary.replace(target)

    await asyncio.to_thread(copy)


# -- checks ------------------------------------------------------------------------------------------------


async def is_stored(name: str) -> bool:
    return await size_of(name) is not None


async def digest(name: str) -> tuple[int, str]:
    """(size, sha256) of a stored file, hashed in a worker thread chunk by chunk."""
    hasher, size = hashlib.sha256(), 0
    async for chunk in open_stored(name):
        await asyncio.to_thread(hasher.update, chunk)
        size += len(chunk)
    return size, hasher.hexdigest()


def addressed_sha(name: str) -> str | None:
    """The sha256 a content-addressed file's name gives (`…/{sha256}.{ext}`), else None."""
    stem = PurePosixPath(name).name.split(".", 1)[0]
    return stem if _SHA.fullmatch(stem) else None


async def manifest() -> dict[str, object]:
    """Every stored file with its size and sha256."""
    entries = []
    async for name in stored_names():
        size, sha = await digest(name)
        entries.append({"name": name, "size": size, "sha256": sha})
    return {"version": MANIFEST_VERSION, "files": entries}


@dataclass(frozen=True, slots=True)
class FileProblem:
    name: str
    problem: str  # "corrupted", "missing", "unreadable"
    detail: str


async def check(recorded: list[dict[str, object]] | None = None) -> tuple[int, list[FileProblem]]:
    """Every stored file against its content-addressed name, and, given a manifest's `files`, every file it
    lists against its recorded size and sha256 (a listed file that is gone is `missing`). Returns (files
    checked, problems)."""
    problems: list[FileProblem] = []
    expected = {str(entry["name"]): entry for entry in recorded or []}
    seen = 0
    async for name in stored_names():
        seen += 1
        try:
            size, sha = await digest(name)
        except OSError as exc:
            problems.append(FileProblem(name, "unreadable", str(exc)))
            continue
        addressed = addressed_sha(name)
        if addressed is not None and addressed != sha:
            problems.append(
                FileProblem(name, "corrupted", f"content hashes to {sha}, its name says {addressed}")
            )
            continue
        entry = expected.pop(name, None)
        if entry is not None and (entry["sha256"] != sha or entry["size"] != size):
            problems.append(
                FileProblem(
                    name, "corrupted", f"{size} bytes, sha256 {sha}; the manifest says {entry['sha256']}"
                )
            )
    for name in sorted(expected):
        problems.append(FileProblem(name, "missing", "listed in the manifest, not stored"))
    return seen, problems
