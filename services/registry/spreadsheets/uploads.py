"""Uploaded registry spreadsheets: received as a stream to a signed URL (as packaging artwork is,
services/packaging/uploads.py), size-checked while they arrive (OCOP_UPLOAD_MAX_MB), typed from their first
bytes (an .xlsx is a ZIP; a CSV is UTF-8 text; the old binary .xls is refused with a hint), and kept by
content hash in the shared store (services/common/storage.py) under `imports/{sha[:2]}/{sha}.{xlsx|csv}`. An
import job reads the file from there (a local copy where the store is S3); the same file uploaded twice is one
file."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path

from models import User
from services.common import settings, signing, storage
from services.common.errors import DomainError, FieldProblem
from services.registry.errors import RegistryErrorCode

MIB = 1024 * 1024
URL_LIFETIME = dt.timedelta(minutes=15)
FIELD = "file"
SNIFF = 4096
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls
_NAME = re.compile(r"\A([0-9a-f]{64})\.(xlsx|csv)\Z")


class SpreadsheetRefused(DomainError):
    def __init__(self, code: RegistryErrorCode, message: str, message_en: str, *, too_large: bool = False):
        super().__init__([FieldProblem(FIELD, code, message, message_en)])
        self.too_large = too_large


@dataclass(frozen=True, slots=True)
class UploadedSheet:
    file: str  # "<sha256>.<xlsx|csv>": what startRegistryImport takes
    kind: str
    size: int


AREA = "imports"


def max_bytes() -> int:
    return int(settings.current().upload_max_mb * MIB)


def key_of(file: str) -> str | None:
    """The storage key of an uploaded spreadsheet named by `file`, or None if the name is not one of ours."""
    match = _NAME.match(file)
    return storage.content_key(AREA, match[1], f".{match[2]}") if match else None


async def is_kept(file: str) -> bool:
    key = key_of(file)
    return key is not None and await storage.current().exists(key)


async def path_of(file: str) -> Path | None:
    """A local path holding the uploaded spreadsheet named by `file` (the file itself in a folder store, a
    cached copy of it otherwise), or None if the name is not one of ours or the file is not kept."""
    key = key_of(file)
    if key is None:
        return None
    try:
        return await storage.current().local_copy(key)
    except FileNotFoundError:
        return None


def kind_of(file: str) -> str:
    return file.rsplit(".", 1)[-1]


def too_large() -> SpreadsheetRefused:
    megabytes = f"{round(max_bytes() / MIB, 2):g}"
    return SpreadsheetRefused(
        RegistryErrorCode.OUT_OF_RANGE,
        f"Tệp quá lớn: tối đa {megabytes.replace('.', ',')} MB.",
        f"The file is too large: at most {megabytes} MB.",
        too_large=True,
    )


def check_declared_size(content_length: str | None) -> None:
    if content_length and content_length.strip().isdigit() and int(content_length) > max_bytes():
        raise too_large()


def _kind(head: bytes) -> str:
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE):
        raise SpreadsheetRefused(
            RegistryErrorCode.INVALID,
            "Tệp .xls (Excel 97-2003) không được hỗ trợ: hãy lưu thành .xlsx hoặc CSV.",
            "Excel 97-2003 .xls files are not supported: save the sheet as .xlsx or CSV.",
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3 or b"\0" in head:  # not a character cut at the end of the sample
            raise SpreadsheetRefused(
                RegistryErrorCode.INVALID,
                "Chỉ nhận tệp .xlsx hoặc CSV mã UTF-8.",
                "Only .xlsx files and UTF-8 CSV files are accepted.",
            ) from exc
    if b"\0" in head or not head.strip():
        raise SpreadsheetRefused(
            RegistryErrorCode.INVALID,
            "Tệp rỗng hoặc không phải bảng tính.",
            "The file is empty or not a sheet.",
        )
    return "csv"


async def store_spreadsheet(data: bytes | AsyncIterable[bytes]) -> UploadedSheet:
    """Spool an upload to disk (never whole in memory), refusing it at the first chunk past the size limit
    or when its first bytes are no .xlsx or CSV; keep it by sha256."""
    limit = max_bytes()
    store = storage.current()
    base = store.work_dir(AREA)
    await asyncio.to_thread(base.mkdir, parents=True, exist_ok=True)
    handle, name = await asyncio.to_thread(tempfile.mkstemp, prefix=".upload-", dir=base)
    temp = Path(name)
    hasher, size, head = hashlib.sha256(), 0, b""
    try:
        with await asyncio.to_thread(open, handle, "wb") as out:
            chunks = [data] if isinstance(data, bytes) else data
            async for chunk in _iterate(chunks):
                size += len(chunk)
                if size > limit:
                    raise too_large()
                if len(head) < SNIFF:
                    head += chunk[: SNIFF - len(head)]
                hasher.update(chunk)
                await asyncio.to_thread(out.write, chunk)
        kind = _kind(head)
        sha = hasher.hexdigest()
        key = storage.content_key(AREA, sha, f".{kind}")
        if not await store.exists(key):
            await store.put_file(key, temp, move=True)
        return UploadedSheet(file=f"{sha}.{kind}", kind=kind, size=size)
    finally:
        await asyncio.to_thread(temp.unlink, missing_ok=True)


async def _iterate(data: list[bytes] | AsyncIterable[bytes]) -> AsyncIterable[bytes]:
    if isinstance(data, list):
        for chunk in data:
            for start in range(0, len(chunk), MIB):
                yield chunk[start : start + MIB]
        return
    async for chunk in data:
        if chunk:
            yield bytes(chunk)


def upload_url(base_url: str, user_id: int, *, now: float | None = None) -> str:
    """Where the officer's client PUTs (or POSTs) one spreadsheet's raw bytes, for 15 minutes."""
    expires = signing.expires_in(URL_LIFETIME.total_seconds(), now=now)
    signature = signing.sign("registry-import", user_id, expires=expires)
    return f"{base_url.rstrip('/')}/registry/imports/upload?token={user_id}.{expires}.{signature}"


async def uploader_of(token: str, *, now: float | None = None) -> int | None:
    """The active user an upload token was signed for, or None."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    user_id = int(parts[0])
    if not signing.verify("registry-import", user_id, expires=parts[1], signature=parts[2], now=now):
        return None
    return user_id if await User.filter(id=user_id, is_active=True).exists() else None
