"""The stored files' part of a backup: a manifest of every file under OCOP_MEDIA_DIR (uploads, label files,
job results, previews, imported spreadsheets), each with its size and sha256, and their check.

Every stored file is content-addressed: `{area}/{sha[:2]}/{sha256}.{ext}`. A file whose name is a sha256
must hash to it; any other file must hash to what the manifest recorded.

The bytes are read through `read_stored` and listed through `stored_names` only: the two functions to point
at the shared storage interface (services/common/storage.py, OCOP_STORAGE_URL file:// or s3://) when it
lands; nothing else here touches the file system."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from services.common import settings

MANIFEST_VERSION = 1
CHUNK = 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{64}")


def media_root() -> Path:
    return settings.current().media_dir


def stored_names() -> Iterator[str]:
    """Every stored file's name (a relative POSIX path), in order; files being written (".name.tmp") not."""
    root = media_root()
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path.relative_to(root).as_posix()


def read_stored(name: str) -> Iterator[bytes]:
    """A stored file's bytes, in chunks. FileNotFoundError when it is not there."""
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"{name!r} is not a stored file's name")
    with (media_root() / relative).open("rb") as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def digest(name: str) -> tuple[int, str]:
    """(size, sha256) of a stored file."""
    hasher, size = hashlib.sha256(), 0
    for chunk in read_stored(name):
        hasher.update(chunk)
        size += len(chunk)
    return size, hasher.hexdigest()


def addressed_sha(name: str) -> str | None:
    """The sha256 a content-addressed file's name gives (`…/{sha256}.{ext}`), else None."""
    stem = PurePosixPath(name).name.split(".", 1)[0]
    return stem if _SHA.fullmatch(stem) else None


def manifest() -> dict[str, object]:
    """Every stored file with its size and sha256 (CPU and disk work: run it in a thread)."""
    entries = []
    for name in stored_names():
        size, sha = digest(name)
        entries.append({"name": name, "size": size, "sha256": sha})
    return {"version": MANIFEST_VERSION, "files": entries}


@dataclass(frozen=True, slots=True)
class FileProblem:
    name: str
    problem: str  # "corrupted", "missing", "unreadable"
    detail: str


def check(recorded: list[dict[str, object]] | None = None) -> tuple[int, list[FileProblem]]:
    """Every stored file against its content-addressed name, and, given a manifest's `files`, every file it
    lists against its recorded size and sha256 (a listed file that is gone is `missing`). Returns (files
    checked, problems). CPU and disk work: run it in a thread."""
    problems: list[FileProblem] = []
    expected = {str(entry["name"]): entry for entry in recorded or []}
    seen = 0
    for name in stored_names():
        seen += 1
        try:
            size, sha = digest(name)
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


def is_stored(name: str) -> bool:
    try:
        next(read_stored(name), None)
    except (FileNotFoundError, IsADirectoryError):
        return False
    return True
