"""Uploads of packaging artwork: PDF, PNG, JPEG and SVG files, checked and kept by content hash.

`store_upload(data, declared_name=..., user_id=...)` takes the bytes (or an async stream of chunks) and
returns the `StoredFile`, or raises `UploadRefused` (a DomainError on field "file"):

- **Size**: at most OCOP_UPLOAD_MAX_MB (default 25) megabytes, counted while the stream is read: a larger
  upload is refused at the first chunk past the limit (413), never read to its end or held in memory. The
  stream is spooled to a temporary file beside the store, not to memory.
- **Type from the content**: the first bytes decide (PDF, PNG, JPEG signatures; an XML/SVG start), never the
  name: a "logo.png" that is HTML is refused (415). The name is kept only as display text
  (`original_name`), cleaned of paths and control characters, and never used in a path.
- **Checked in a child process** (services/common/sandbox.py: CHILD_MEMORY_MB of address space, CHILD_TIMEOUT_S
  of wall and CPU time), so that a decoder bug or a bomb costs the child, not the server:
  - PNG and JPEG are decoded by Pillow (at most MAX_PIXELS pixels: decompression bombs are refused from
    their header) and **re-encoded**: the stored bytes are the re-encoded ones, PNG stays PNG, JPEG is
    written with the original's quantisation tables; EXIF (GPS, camera), XMP, IPTC, comments and text
    chunks are dropped; the ICC profile and dpi are kept; an EXIF rotation is applied to the pixels.
  - PDF is opened by PDFium (pypdfium2): at most MAX_PDF_PAGES pages, no page over MAX_PAGE_PT a side
    (14,400 pt = 5.08 m, PDF's own limit), no document JavaScript; the first page is rendered as a
    thumbnail. A zlib bomb or a page too costly to draw breaks the child's limits and is refused. The PDF
    is kept as uploaded (a PDF is not rewritten: print masters stay byte-exact).
  - SVG is parsed without DTD declarations or entities and refused if it holds anything active or
    external (services/packaging/files.py says exactly what); kept byte for byte when accepted.
  Every refusal is a DomainError: INVALID (type, damaged), OUT_OF_RANGE (too large, too many pages or
  pixels, more memory or time than allowed), NOT_ALLOWED (script, external reference).
- **Stored by content** in the shared store (services/common/storage.py, OCOP_STORAGE_URL): key
  `uploads/{sha[:2]}/{sha}.{ext}`, the sha256 of the stored bytes (under var/media by default); thumbnails
  (PNG, at most THUMBNAIL_PX a side) the same way, named by `thumbnail_sha256`. The same bytes uploaded again
  give the existing row. Nothing is written to the store before a file is accepted. The upload is spooled
  and checked in the store's local work folder, never in memory.

Transport: `upload_url(base_url, user_id)` signs a short-lived URL (HMAC of the secret key over the user
and the expiry) to which the client PUTs (or POSTs) the raw bytes; web/packaging.py streams the body here. No
cookies authenticate anything in this API, and the token is in the URL that only our client was given, so
a cross-site form cannot upload in a user's name. GraphQL multipart uploads are not offered: a multipart
POST is exactly what a cross-site HTML form can send.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import importlib.util
import re
import shutil
import tempfile
import unicodedata
import weakref
from collections.abc import AsyncIterable
from enum import Enum
from pathlib import Path

import structlog
from tortoise.exceptions import IntegrityError

from models import StoredFile, User
from services.common import sandbox, settings, signing, storage
from services.common.errors import DomainError, FieldProblem
from services.packaging import files
from services.packaging.errors import PackagingErrorCode
from services.packaging.files import KINDS, Inspection, Kind

log = structlog.get_logger("ocop.uploads")

MIB = 1024 * 1024
DEFAULT_MAX_MB = 25
MAX_PIXELS = 60_000_000  # 60 MP: a 60 x 40 cm dieline at 300 dpi is 33 MP; decoded RGBA is 240 MB
MAX_PDF_PAGES = 100
MAX_PAGE_PT = 14_400.0  # 200 inches, 5.08 m: the largest page PDF allows (ISO 32000-1, Annex C)
THUMBNAIL_PX = 512
CHILD_TIMEOUT_S = 60.0  # a 33 MP PNG takes ~7 s to decode and re-encode on one core
CHILD_MEMORY_MB = 1024
CONCURRENT_CHECKS = 2  # child processes at once; more uploads wait for a slot
URL_LIFETIME = dt.timedelta(minutes=15)
WRITE_BUFFER = MIB
FIELD = "file"

_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


class Refusal(Enum):
    """Why an upload was refused, as far as its transport cares (the HTTP route answers 413, 415, 400)."""

    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    CONTENT = "content"  # empty, damaged, unsafe or too costly to check


class UploadRefused(DomainError):
    """A refused upload: one problem on field "file", and the kind of refusal."""

    def __init__(
        self, code: PackagingErrorCode, message: str, message_en: str, *, reason: Refusal = Refusal.CONTENT
    ) -> None:
        super().__init__([FieldProblem(FIELD, code, message, message_en)])
        self.reason = reason


# -- where files are -----------------------------------------------------------------------------------------


def max_bytes() -> int:
    """OCOP_UPLOAD_MAX_MB (default 25) in bytes, from the settings at each upload."""
    return int(settings.current().upload_max_mb * MIB)


AREA = "uploads"


def file_key(sha256: str, extension: str) -> str:
    """The storage key of uploaded bytes: `uploads/{sha[:2]}/{sha}.{ext}`."""
    if not extension.isalnum():
        raise ValueError("not an extension")
    return storage.content_key(AREA, sha256, f".{extension}")


def key_of(stored: StoredFile) -> str:
    """Where a stored file's bytes are in the store (served with its `media_type`)."""
    return file_key(stored.sha256, files.BY_MEDIA_TYPE[stored.media_type].extension)


def thumbnail_key(stored: StoredFile) -> str | None:
    """Its PNG thumbnail, if it has one (PDF, PNG, JPEG; an SVG is its own preview)."""
    return file_key(stored.thumbnail_sha256, "png") if stored.thumbnail_sha256 else None


def display_name(declared: str | None) -> str | None:
    """The name a user gave, as display text only: the last path segment, NFC, without control or
    formatting characters (a right-to-left override could make "gnp.exe" read as "exe.png"), 255 at most."""
    if not declared:
        return None
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", declared))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    name = " ".join(name.split())
    return name[:255] or None


# -- refusals ------------------------------------------------------------------------------------------------


def too_large(limit: int | None = None) -> UploadRefused:
    megabytes = f"{round((limit if limit is not None else max_bytes()) / MIB, 2):g}"
    return UploadRefused(
        PackagingErrorCode.OUT_OF_RANGE,
        f"Tệp quá lớn: tối đa {megabytes.replace('.', ',')} MB.",
        f"The file is too large: at most {megabytes} MB.",
        reason=Refusal.TOO_LARGE,
    )


def unsupported_type() -> UploadRefused:
    return UploadRefused(
        PackagingErrorCode.INVALID,
        "Chỉ nhận tệp PDF, PNG, JPEG hoặc SVG (loại tệp được xác định theo nội dung, không theo tên tệp).",
        "Only PDF, PNG, JPEG and SVG files are accepted (the type is read from the content, not the name).",
        reason=Refusal.UNSUPPORTED_TYPE,
    )


def check_declared_size(content_length: str | None) -> None:
    """Refuse at once a request whose Content-Length is over the limit (nothing of it is read)."""
    if content_length and content_length.strip().isdigit() and int(content_length) > max_bytes():
        raise too_large()


# -- receiving -----------------------------------------------------------------------------------------------


async def _receive(data: bytes | AsyncIterable[bytes], target: Path) -> tuple[str, str]:
    """Spool the upload to `target`, counting and hashing as it comes. Returns (kind, sha256). Refuses as
    soon as the size is over the limit, or the first bytes are no accepted type."""
    limit = max_bytes()
    if isinstance(data, bytes | bytearray | memoryview) and len(data) > limit:
        raise too_large(limit)
    size = 0
    kind: str | None = None
    head = b""
    pending = bytearray()
    hasher = hashlib.sha256()
    out = await asyncio.to_thread(target.open, "wb")
    try:
        async for chunk in storage.chunks(data, WRITE_BUFFER):
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            if kind is None:
                head += chunk[: files.SNIFF_BYTES - len(head)]
                if len(head) >= files.SNIFF_BYTES:
                    kind = files.sniff(head)
                    if kind is None:
                        raise unsupported_type()
            hasher.update(chunk)
            pending += chunk
            if len(pending) >= WRITE_BUFFER:
                await asyncio.to_thread(out.write, pending)
                pending = bytearray()
        if pending:
            await asyncio.to_thread(out.write, pending)
    finally:
        await asyncio.to_thread(out.close)
    if size == 0:
        raise UploadRefused(PackagingErrorCode.INVALID, "Tệp rỗng.", "The file is empty.")
    kind = kind or files.sniff(head)
    if kind is None:
        raise unsupported_type()
    return kind, hasher.hexdigest()


# -- checking ------------------------------------------------------------------------------------------------


def _check_slots() -> asyncio.Semaphore:
    """At most CONCURRENT_CHECKS child processes at once (per event loop: a semaphore belongs to one)."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(CONCURRENT_CHECKS)
    return slots


async def _inspect(source: Path, kind: Kind, work: Path) -> Inspection:
    params = files.Params(
        path=str(source),
        kind=kind.name,
        max_pixels=MAX_PIXELS,
        max_pages=MAX_PDF_PAGES,
        max_page_pt=MAX_PAGE_PT,
        thumbnail_px=THUMBNAIL_PX,
    )
    limits = sandbox.Limits(timeout_s=CHILD_TIMEOUT_S, memory_bytes=CHILD_MEMORY_MB * MIB)
    async with _check_slots():
        try:
            output = await sandbox.run(files.inspect, params, limits, work, ".bin", name="upload-check")
        except sandbox.ChildFailed as exc:
            log.warning("upload refused: the check broke its limits", kind=kind.name, reason=str(exc))
            code, message, message_en = files.too_big_to_process()
            raise UploadRefused(PackagingErrorCode(code), message, message_en) from exc
    inspection = Inspection.unpack(await asyncio.to_thread(output.path.read_bytes))
    if inspection.refusal is not None:
        code, message, message_en = inspection.refusal
        log.info("upload refused", kind=kind.name, code=code, reason=message_en, **inspection.notes)
        raise UploadRefused(PackagingErrorCode(code), message, message_en)
    return inspection


# -- storing -------------------------------------------------------------------------------------------------


async def _put(store: storage.Storage, key: str, body: bytes | Path) -> None:
    """Keep bytes (or move a spooled file) under their content-addressed key; they may be there already."""
    if await store.exists(key):
        return
    if isinstance(body, Path):
        await store.put_file(key, body, move=True)
    else:
        await store.put_bytes(key, body)


async def store_upload(
    data: bytes | AsyncIterable[bytes], *, declared_name: str | None, user_id: int | None
) -> StoredFile:
    """Check an uploaded artwork file and keep it (see the module's docstring); the existing row when the
    same bytes are stored already. Raises UploadRefused; nothing is stored then."""
    store = storage.current()
    base = store.work_dir(AREA)
    await asyncio.to_thread(base.mkdir, parents=True, exist_ok=True)
    work = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=".upload-", dir=base))
    try:
        received = work / "upload"
        kind_name, original_sha = await _receive(data, received)
        kind = KINDS[kind_name]
        if kind.name == "pdf" and importlib.util.find_spec("pypdfium2") is None:
            raise RuntimeError("PDF uploads need pypdfium2 at run time: `uv add pypdfium2`")
        keeps_original = kind.name in ("pdf", "svg")
        if keeps_original:
            existing = await StoredFile.get_or_none(sha256=original_sha)
            if existing is not None:
                return existing
        inspection = await _inspect(received, kind, work / "out")
        if inspection.body is not None:
            body: bytes | Path = inspection.body
            sha, size = hashlib.sha256(inspection.body).hexdigest(), len(inspection.body)
            existing = await StoredFile.get_or_none(sha256=sha)
            if existing is not None:
                return existing
        else:
            body, sha = received, original_sha
            size = (await asyncio.to_thread(received.stat)).st_size
        thumbnail_sha = None
        if inspection.thumbnail is not None:
            thumbnail_sha = hashlib.sha256(inspection.thumbnail).hexdigest()
            await _put(store, file_key(thumbnail_sha, "png"), inspection.thumbnail)
        await _put(store, file_key(sha, kind.extension), body)
        try:
            stored = await StoredFile.create(
                sha256=sha,
                media_type=kind.media_type,
                size_bytes=size,
                width_px=inspection.width,
                height_px=inspection.height,
                pages=inspection.pages,
                thumbnail_sha256=thumbnail_sha,
                original_name=display_name(declared_name),
                uploaded_by_id=user_id,
            )
        except IntegrityError:
            concurrent = await StoredFile.get_or_none(sha256=sha)  # the same bytes stored meanwhile
            if concurrent is None:
                raise
            return concurrent
        log.info("upload stored", file_id=stored.id, media_type=kind.media_type, size=size, user_id=user_id)
        return stored
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)


# -- signed upload URLs --------------------------------------------------------------------------------------


def _signature(user_id: int, expires: int) -> str:
    return signing.sign("upload", user_id, expires=expires)


def upload_url(base_url: str, user_id: int, *, now: float | None = None) -> str:
    """Where the user's client PUTs (or POSTs) one file's raw bytes, for URL_LIFETIME (15 minutes): the
    token binds the user and the expiry under an HMAC of the server's secret key. Give it only to a user
    who may upload (the caller checks that); `?name=` may be added for the display name."""
    expires = signing.expires_in(URL_LIFETIME.total_seconds(), now=now)
    return f"{base_url.rstrip('/')}/uploads?token={user_id}.{expires}.{_signature(user_id, expires)}"


def verify_upload_token(token: str, *, now: float | None = None) -> int | None:
    """The user ID a valid, unexpired upload token was signed for, or None."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    user_id = int(parts[0])
    return (
        user_id if signing.verify("upload", user_id, expires=parts[1], signature=parts[2], now=now) else None
    )


async def uploader_of(token: str, *, now: float | None = None) -> int | None:
    """The active user an upload token stands for, or None (bad signature, expired, user gone or
    deactivated since the URL was given)."""
    user_id = verify_upload_token(token, now=now)
    if user_id is None:
        return None
    return user_id if await User.filter(id=user_id, is_active=True).exists() else None
