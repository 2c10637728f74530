"""Shared file storage: every file the service keeps (artwork uploads and their thumbnails, previews, label
files, job results such as catalog PDFs and reports, uploaded spreadsheets) goes through this one interface,
so that several replicas on several machines see the same files.

`current()` is the store OCOP_STORAGE_URL names (services/common/storage_location.py):

- `file://PATH` (the default: the OCOP_MEDIA_DIR folder, var/media, laid out as it always was);
- `s3://BUCKET[/prefix]?endpoint=URL[&region=...]`: any S3-compatible store, through aiobotocore (signing,
  retries and multipart uploads are botocore's). Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

Keys are relative paths, content-addressed where the file is: `content_key(area, sha256, suffix)` is
`{area}/{sha[:2]}/{sha}{suffix}` (e.g. `uploads/3f/3f…9a.png`, `labels/…`, `jobs/…`), the layout var/media
has always had. A file is never rewritten in place: the same key always holds the same bytes.

Nothing is held whole in memory: `put_stream` sends parts of PART_BYTES (an S3 multipart upload when the
stream is longer than one part), `open` yields chunks of CHUNK_BYTES. Renders and checks that run in a
sandboxed child (services/common/sandbox.py) write to `work_dir(area)` on the local disk; `put_file(...,
move=True)` then keeps the file: on a file:// store that folder *is* the store (nothing moves), on S3 it is
uploaded and the local copy removed. Code that needs a local path to read (a spreadsheet parsed in a child)
asks `local_copy(key)`: the file itself, or a copy downloaded once into the local cache.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import dataclasses
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from services.common import settings
from services.common.storage_location import Downloads, FileLocation, Location, S3Location

MIB = 1024 * 1024
CHUNK_BYTES = 256 * 1024  # what `open` yields at a time
PART_BYTES = 8 * MIB  # one part of a multipart upload (S3 wants at least 5 MiB but the last)
PRESIGNED_S = 300  # a presigned download URL's lifetime
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_SHA = re.compile(r"[0-9a-f]{64}")


class StorageError(OSError):
    """The store refused or could not be reached (the message says which store and what)."""


def check_key(key: str) -> str:
    """A key is a relative path of plain segments: no "..", no leading "/" or ".", nothing to escape."""
    if not _KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def content_key(area: str, sha256: str, suffix: str = "") -> str:
    """`{area}/{sha[:2]}/{sha}{suffix}`: where bytes of this sha256 are kept (suffix: ".png", ".pdf", "")."""
    if not _SHA.fullmatch(sha256) or (suffix and not re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix)):
        raise ValueError("not a sha256 and a suffix")
    return check_key(f"{area}/{sha256[:2]}/{sha256}{suffix}")


def content_disposition(disposition: str, filename: str | None) -> str:
    """A Content-Disposition value: ASCII `filename=` plus RFC 5987 `filename*=` for any other name."""
    if not filename:
        return disposition
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "file"
    if ascii_name == filename:
        return f'{disposition}; filename="{filename}"'
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def chunks(data: bytes | AsyncIterable[bytes], size: int = PART_BYTES) -> AsyncIterator[bytes]:
    """Bytes or a stream as non-empty chunks (bytes cut into `size` pieces; a stream's chunks as they come)."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), size):
            yield bytes(view[start : start + size])
        return
    async for chunk in data:
        if chunk:
            yield bytes(chunk)


@dataclass(frozen=True, slots=True)
class Stored:
    key: str
    sha256: str
    size: int


class Storage(ABC):
    """One store. Every method is a coroutine but `local_path`, `work_dir` and `read_sync` (the last for
    synchronous code in a thread or a child process, e.g. WeasyPrint's URL fetcher)."""

    location: Location

    @property
    def url(self) -> str:
        return self.location.url

    # -- writing --------------------------------------------------------------------------------------------

    @abstractmethod
    async def put_stream(self, key: str, data: bytes | AsyncIterable[bytes]) -> int:
        """Write `key` from bytes or an async stream of chunks (never whole in memory); returns the size.
        The file appears whole or not at all."""

    async def put_bytes(self, key: str, data: bytes) -> None:
        await self.put_stream(key, data)

    @abstractmethod
    async def put_file(self, key: str, path: Path, *, move: bool = False) -> None:
        """Keep a local file under `key` (`move`: the local file is gone afterwards)."""

    async def put_content(self, area: str, data: bytes | AsyncIterable[bytes], suffix: str = "") -> Stored:
        """Keep bytes under their sha256 (`content_key`): a stream is spooled to the local work folder while
        it is hashed (its key is known only at its end), then kept; bytes already there are not sent again."""
        if isinstance(data, bytes | bytearray | memoryview):
            body = bytes(data)
            sha = hashlib.sha256(body).hexdigest()
            key = content_key(area, sha, suffix)
            if not await self.exists(key):
                await self.put_bytes(key, body)
            return Stored(key, sha, len(body))
        work = self.work_dir(area)
        await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
        handle, name = await asyncio.to_thread(tempfile.mkstemp, prefix=".spool-", dir=work)
        spool = Path(name)
        hasher, size = hashlib.sha256(), 0
        try:
            with os.fdopen(handle, "wb") as out:
                async for chunk in chunks(data):
                    hasher.update(chunk)
                    size += len(chunk)
                    await asyncio.to_thread(out.write, chunk)
            sha = hasher.hexdigest()
            key = content_key(area, sha, suffix)
            if not await self.exists(key):
                await self.put_file(key, spool, move=True)
            return Stored(key, sha, size)
        finally:
            await asyncio.to_thread(spool.unlink, missing_ok=True)

    # -- reading --------------------------------------------------------------------------------------------

    @abstractmethod
    def open(self, key: str, *, chunk_bytes: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
        """The file's bytes, chunk by chunk; FileNotFoundError (at the first iteration) when it is not
        there."""

    async def read_bytes(self, key: str, *, limit: int | None = None) -> bytes:
        """The whole file (small files only: a report, a logo); ValueError past `limit` bytes."""
        out = bytearray()
        async for chunk in self.open(key):
            out += chunk
            if limit is not None and len(out) > limit:
                raise ValueError(f"{key}: more than {limit} bytes")
        return bytes(out)

    @abstractmethod
    async def size(self, key: str) -> int | None:
        """The file's size, None when it is not there."""

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the file (nothing when it is not there)."""

    @abstractmethod
    def list_keys(self, prefix: str = "") -> AsyncIterator[str]:
        """Every key under `prefix` (the copy command's listing), work files left out."""

    async def presigned_url(
        self,
        key: str,
        *,
        expires_s: int = PRESIGNED_S,
        content_type: str | None = None,
        filename: str | None = None,
        disposition: str = "attachment",
    ) -> str | None:
        """A URL a client may GET the file from for `expires_s` seconds without our credentials, or None
        where the store cannot sign one (a file:// folder)."""
        return None

    def local_path(self, key: str) -> Path | None:
        """The file on this machine's disk, where the store is a local folder (None on S3)."""
        return None

    @abstractmethod
    def work_dir(self, area: str) -> Path:
        """A local folder where children write files of `area` before `put_file(..., move=True)`."""

    async def save_to(self, key: str, target: Path) -> int:
        """Copy the file to a local path (a command's output file), streaming; returns its size."""
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        size = 0
        out = await asyncio.to_thread(target.open, "wb")
        try:
            async for chunk in self.open(key):
                size += len(chunk)
                await asyncio.to_thread(out.write, chunk)
        finally:
            await asyncio.to_thread(out.close)
        return size

    async def local_copy(self, key: str) -> Path:
        """A local path holding the file: the file itself on a folder store, else a copy downloaded once
        into the local cache (content-addressed keys never change, so a cached copy stays right)."""
        path = self.local_path(key)
        if path is not None:
            if not await asyncio.to_thread(path.is_file):
                raise FileNotFoundError(key)
            return path
        cached = settings.current().media_dir / ".cache" / check_key(key)
        if await asyncio.to_thread(cached.is_file):
            return cached
        await asyncio.to_thread(cached.parent.mkdir, parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{secrets.token_hex(4)}")
        try:
            with partial.open("wb") as out:
                async for chunk in self.open(key):
                    await asyncio.to_thread(out.write, chunk)
            await asyncio.to_thread(partial.replace, cached)
        finally:
            await asyncio.to_thread(partial.unlink, missing_ok=True)
        return cached

    def read_sync(self, key: str, *, limit: int) -> bytes | None:
        """The file's bytes from synchronous code (a thread, a child process), None when it is missing or
        larger than `limit`."""
        return _run_sync(lambda: self._read_or_none(key, limit))

    async def _read_or_none(self, key: str, limit: int) -> bytes | None:
        try:
            return await self.read_bytes(key, limit=limit)
        except (FileNotFoundError, ValueError):
            return None


def _run_sync[T](work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to its end from synchronous code, on a fresh event loop in a fresh thread (the
    calling thread may already run a loop)."""

    async def main() -> T:
        _EPHEMERAL.set(True)  # this loop ends with the call: no client is kept for it
        return await work()

    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="storage-sync") as pool:
        return pool.submit(asyncio.run, main()).result()


# -- file:// -------------------------------------------------------------------------------------------------


class FileStorage(Storage):
    """A local (or mounted: NFS, CephFS) folder; writes go through a temporary file and a rename, so a file
    appears whole."""

    location: FileLocation

    def __init__(self, location: FileLocation) -> None:
        self.location = location
        self.root = location.root

    def local_path(self, key: str) -> Path:
        return self.root / check_key(key)

    def work_dir(self, area: str) -> Path:
        return self.root / check_key(area)

    def _temporary(self, path: Path) -> Path:
        return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")

    async def put_stream(self, key: str, data: bytes | AsyncIterable[bytes]) -> int:
        path = self.local_path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        tmp = self._temporary(path)
        size = 0
        try:
            out = await asyncio.to_thread(tmp.open, "xb")
            try:
                async for chunk in chunks(data):
                    size += len(chunk)
                    await asyncio.to_thread(out.write, chunk)
            finally:
                await asyncio.to_thread(out.close)
            await asyncio.to_thread(tmp.replace, path)
        finally:
            await asyncio.to_thread(tmp.unlink, missing_ok=True)
        return size

    async def put_file(self, key: str, path: Path, *, move: bool = False) -> None:
        target = self.local_path(key)

        def keep() -> None:
            if path.resolve() == target.resolve():
                return  # rendered in place (the work folder of a folder store is the store)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._temporary(target)
            try:
                if move:
                    shutil.move(path, tmp)  # a rename within one file system
                else:
                    shutil.copyfile(path, tmp)
                tmp.replace(target)
            finally:
                tmp.unlink(missing_ok=True)

        await asyncio.to_thread(keep)

    async def open(self, key: str, *, chunk_bytes: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
        path = self.local_path(key)
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_bytes):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    async def size(self, key: str) -> int | None:
        path = self.local_path(key)
        try:
            stat = await asyncio.to_thread(path.stat)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return stat.st_size if path.is_file() else None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.local_path(key).unlink, missing_ok=True)

    async def list_keys(self, prefix: str = "") -> AsyncIterator[str]:
        base = self.root / check_key(prefix.rstrip("/")) if prefix.strip("/") else self.root

        def walk() -> list[str]:
            found: list[str] = []
            for folder, dirs, files in os.walk(base):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        found.append(Path(folder, name).relative_to(self.root).as_posix())
            return found

        for key in await asyncio.to_thread(walk):
            yield key

    def read_sync(self, key: str, *, limit: int) -> bytes | None:
        """Read directly; the real file (symbolic links and ".." resolved) must lie inside the folder."""
        try:
            path = self.local_path(key).resolve(strict=True)
            root = self.root.resolve()
            if not path.is_relative_to(root) or not path.is_file() or path.stat().st_size > limit:
                return None
            return path.read_bytes()
        except (OSError, RuntimeError, ValueError):
            return None


# -- s3:// ---------------------------------------------------------------------------------------------------

_sessions: dict[int, Any] = {}
_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[S3Location, tuple[contextlib.AsyncExitStack, Any]]
] = weakref.WeakKeyDictionary()
_client_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)
_EPHEMERAL: contextvars.ContextVar[bool] = contextvars.ContextVar("storage_ephemeral", default=False)


async def close_clients() -> None:
    """Close the running loop's S3 clients (the application's shutdown; the end of a test session)."""
    clients = _clients.pop(asyncio.get_running_loop(), {})
    for stack, _ in clients.values():
        with contextlib.suppress(Exception):
            await stack.aclose()


def _session() -> Any:
    """One aiobotocore session per process (it caches botocore's service models and the credentials)."""
    from aiobotocore.session import get_session

    session = _sessions.get(os.getpid())
    if session is None:
        session = _sessions[os.getpid()] = get_session()
    return session


class S3Storage(Storage):
    """An S3-compatible bucket (an optional prefix before every key)."""

    location: S3Location

    def __init__(self, location: S3Location) -> None:
        self.location = location
        self.bucket = location.bucket
        self.prefix = location.prefix

    def _client(self) -> Any:
        from aiobotocore.config import AioConfig

        config = AioConfig(
            signature_version="s3v4",
            s3={"addressing_style": self.location.addressing},
            retries={"max_attempts": 4, "mode": "standard"},
            # Checksums only where S3 requires them: stores other than AWS (MinIO, Ceph) may refuse the
            # CRC trailers botocore sends by default, and computing them costs a copy of each part.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=10,
            read_timeout=60,
        )
        return _session().create_client(
            "s3", endpoint_url=self.location.endpoint, region_name=self.location.region, config=config
        )

    @contextlib.asynccontextmanager
    async def _connected(self) -> AsyncIterator[Any]:
        """A client: the event loop's shared one for this location (a client costs tens of milliseconds
        to make and keeps its connections alive), or a fresh one closed after use where the loop is a
        throwaway one (`read_sync`)."""
        if _EPHEMERAL.get():
            async with self._client() as client:
                yield client
            return
        loop = asyncio.get_running_loop()
        clients = _clients.setdefault(loop, {})
        entry = clients.get(self.location)
        if entry is None:
            lock = _client_locks.setdefault(loop, asyncio.Lock())
            async with lock:
                entry = clients.get(self.location)
                if entry is None:
                    stack = contextlib.AsyncExitStack()
                    entry = clients[self.location] = (stack, await stack.enter_async_context(self._client()))
        yield entry[1]

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def work_dir(self, area: str) -> Path:
        return settings.current().media_dir / ".work" / check_key(area)

    @staticmethod
    def _missing(error: Exception) -> bool:
        code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def _failed(self, action: str, key: str, error: Exception) -> StorageError:
        return StorageError(f"{action} s3://{self.bucket}/{self.prefix}{key}: {error}")

    async def put_stream(self, key: str, data: bytes | AsyncIterable[bytes]) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        name = self._key(key)
        size = 0
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        async with self._connected() as client:
            try:
                async for chunk in chunks(data):
                    size += len(chunk)
                    buffer += chunk
                    if len(buffer) >= PART_BYTES:
                        if upload_id is None:
                            created = await client.create_multipart_upload(Bucket=self.bucket, Key=name)
                            upload_id = cast(str, created["UploadId"])
                        part, buffer = bytes(buffer), bytearray()
                        sent = await client.upload_part(
                            Bucket=self.bucket,
                            Key=name,
                            UploadId=upload_id,
                            PartNumber=len(parts) + 1,
                            Body=part,
                        )
                        del part
                        parts.append({"ETag": sent["ETag"], "PartNumber": len(parts) + 1})
                if upload_id is None:
                    await client.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer))
                    return size
                if buffer:
                    sent = await client.upload_part(
                        Bucket=self.bucket,
                        Key=name,
                        UploadId=upload_id,
                        PartNumber=len(parts) + 1,
                        Body=bytes(buffer),
                    )
                    parts.append({"ETag": sent["ETag"], "PartNumber": len(parts) + 1})
                await client.complete_multipart_upload(
                    Bucket=self.bucket, Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts}
                )
                upload_id = None
                return size
            except (BotoCoreError, ClientError) as error:
                raise self._failed("writing", key, error) from error
            finally:
                if upload_id is not None:  # failed or cancelled midway: no orphan parts left to pay for
                    with contextlib.suppress(Exception):
                        await client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)

    async def put_file(self, key: str, path: Path, *, move: bool = False) -> None:
        async def parts() -> AsyncIterator[bytes]:
            handle = await asyncio.to_thread(path.open, "rb")
            try:
                while chunk := await asyncio.to_thread(handle.read, PART_BYTES):
                    yield chunk
            finally:
                await asyncio.to_thread(handle.close)

        await self.put_stream(key, parts())
        if move:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    async def open(self, key: str, *, chunk_bytes: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
        from botocore.exceptions import BotoCoreError, ClientError

        async with self._connected() as client:
            try:
                answer = await client.get_object(Bucket=self.bucket, Key=self._key(key))
            except ClientError as error:
                if self._missing(error):
                    raise FileNotFoundError(key) from error
                raise self._failed("reading", key, error) from error
            except BotoCoreError as error:
                raise self._failed("reading", key, error) from error
            body = answer["Body"]
            try:
                while chunk := await body.read(chunk_bytes):
                    yield chunk
            finally:
                body.close()

    async def size(self, key: str) -> int | None:
        from botocore.exceptions import BotoCoreError, ClientError

        async with self._connected() as client:
            try:
                head = await client.head_object(Bucket=self.bucket, Key=self._key(key))
            except ClientError as error:
                if self._missing(error):
                    return None
                raise self._failed("looking up", key, error) from error
            except BotoCoreError as error:
                raise self._failed("looking up", key, error) from error
        return int(head["ContentLength"])

    async def delete(self, key: str) -> None:
        async with self._connected() as client:
            await client.delete_object(Bucket=self.bucket, Key=self._key(key))

    async def list_keys(self, prefix: str = "") -> AsyncIterator[str]:
        async with self._connected() as client:
            pages = client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix + prefix
            )
            async for page in pages:
                for item in page.get("Contents", ()):
                    yield str(item["Key"]).removeprefix(self.prefix)

    async def presigned_url(
        self,
        key: str,
        *,
        expires_s: int = PRESIGNED_S,
        content_type: str | None = None,
        filename: str | None = None,
        disposition: str = "attachment",
    ) -> str | None:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key)}
        if content_type:
            params["ResponseContentType"] = content_type
        params["ResponseContentDisposition"] = content_disposition(disposition, filename)
        async with self._connected() as client:
            return cast(
                str, await client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_s)
            )


# -- copying between stores ---------------------------------------------------------------------------------


@dataclass
class CopyReport:
    """What `copy_store` did: files copied, files the target already had (checked), bytes sent, and files
    whose bytes do not hash to the sha256 in their name (left out: a damaged source file)."""

    copied: int = 0
    present: int = 0
    bytes: int = 0
    damaged: list[str] = dataclasses.field(default_factory=list)


def _named_sha(key: str) -> str | None:
    """The sha256 a content-addressed key is named by (`…/{sha}.{ext}`), or None."""
    stem = key.rsplit("/", 1)[-1].split(".", 1)[0]
    return stem if _SHA.fullmatch(stem) else None


async def _sha_of(store: Storage, key: str) -> str:
    hasher = hashlib.sha256()
    async for chunk in store.open(key):
        hasher.update(chunk)
    return hasher.hexdigest()


async def copy_store(
    source: Storage, target: Storage, *, prefix: str = "", on_file: Callable[[str, str], object] | None = None
) -> CopyReport:
    """Copy every file of `source` (under `prefix`) to `target` under the same key, streaming (an S3 target
    gets multipart uploads). Idempotent: a file the target already has with the right bytes is left alone,
    so the command can be run again after an interruption, or once more just before switching. Every file
    is verified by sha256: a content-addressed file (all of ours) must hash to the sha256 in its name, both
    as read from the source and as read back from the target; another file must read back with the source's
    hash. `on_file(key, outcome)` hears of each file ("copied", "present", "damaged")."""
    report = CopyReport()
    async for key in source.list_keys(prefix):
        named = _named_sha(key)
        size = await source.size(key)
        if size is None:
            continue  # removed since it was listed
        if await target.size(key) == size and await _sha_of(target, key) == (
            named or await _sha_of(source, key)
        ):
            report.present += 1
            if on_file:
                on_file(key, "present")
            continue
        hasher = hashlib.sha256()

        async def hashed(key: str = key, hasher: Any = hasher) -> AsyncIterator[bytes]:
            async for chunk in source.open(key):
                hasher.update(chunk)
                yield chunk

        sent = await target.put_stream(key, hashed())
        sha = hasher.hexdigest()
        if named is not None and sha != named:
            await target.delete(key)
            report.damaged.append(key)
            if on_file:
                on_file(key, "damaged")
            continue
        if await _sha_of(target, key) != sha:
            raise StorageError(f"{key}: the copy in {target.url} does not read back with sha256 {sha}")
        report.copied += 1
        report.bytes += sent
        if on_file:
            on_file(key, "copied")
    return report


# -- the process's store -------------------------------------------------------------------------------------


def location() -> Location:
    """The configured location: OCOP_STORAGE_URL, else the OCOP_MEDIA_DIR folder."""
    config = settings.current()
    return config.storage if config.storage is not None else FileLocation(config.media_dir)


def open_storage(where: Location | str) -> Storage:
    """The store at a location (or a URL, as OCOP_STORAGE_URL is written)."""
    if isinstance(where, str):
        from services.common import storage_location

        where = storage_location.parse(where)
    return FileStorage(where) if isinstance(where, FileLocation) else S3Storage(where)


def current() -> Storage:
    """The store of the current settings (cheap: a store holds no connection)."""
    return open_storage(location())


def downloads() -> Downloads:
    return settings.current().storage_downloads
