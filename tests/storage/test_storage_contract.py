"""The storage interface's contract, run on both backends: a folder (file://) and a real S3-compatible
server on loopback (moto's standalone server, tests/s3.py)."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.common import storage
from tests.s3 import S3Server, make_bucket

MIB = 1024 * 1024


@pytest.fixture(params=["file", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> storage.Storage:
    if request.param == "file":
        return storage.open_storage(f"file://{tmp_path / 'media'}")
    server: S3Server = request.getfixturevalue("s3_server")
    return await make_bucket(server, prefix="tenant/a")


async def _stream(total: int, chunk: int = 64 * 1024, seed: bytes = b"ocop") -> AsyncIterator[bytes]:
    """`total` bytes of a repeatable pattern, made as they are sent (never whole in memory)."""
    block = hashlib.sha256(seed).digest() * (chunk // 32)
    sent = 0
    while sent < total:
        part = block[: min(chunk, total - sent)]
        sent += len(part)
        yield part


def _pattern_sha(total: int, chunk: int = 64 * 1024, seed: bytes = b"ocop") -> str:
    block = hashlib.sha256(seed).digest() * (chunk // 32)
    hasher, sent = hashlib.sha256(), 0
    while sent < total:
        part = block[: min(chunk, total - sent)]
        sent += len(part)
        hasher.update(part)
    return hasher.hexdigest()


async def test_bytes_written_are_read_back_and_deleted(store: storage.Storage) -> None:
    key = "labels/ab/file.pdf"
    assert not await store.exists(key)
    assert await store.size(key) is None
    await store.put_bytes(key, "Kẹo dừa Bến Tre".encode())
    assert await store.exists(key)
    assert await store.size(key) == len("Kẹo dừa Bến Tre".encode())
    assert (await store.read_bytes(key)).decode() == "Kẹo dừa Bến Tre"
    assert store.read_sync(key, limit=1000) == "Kẹo dừa Bến Tre".encode()
    assert store.read_sync(key, limit=3) is None  # larger than allowed: not read
    with pytest.raises(ValueError, match="more than"):
        await store.read_bytes(key, limit=3)
    await store.delete(key)
    assert not await store.exists(key)
    await store.delete(key)  # deleting what is gone is no error


async def test_a_missing_file_is_file_not_found(store: storage.Storage) -> None:
    with pytest.raises(FileNotFoundError):
        await store.read_bytes("jobs/00/nothing.pdf")
    assert store.read_sync("jobs/00/nothing.pdf", limit=10) is None
    with pytest.raises(FileNotFoundError):
        await store.local_copy("jobs/00/nothing.pdf")


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/abs/path", "a/../b", ".hidden/x", "a//b", "a/b/", "a\\b", ""]
)
async def test_keys_that_could_leave_the_store_are_refused(store: storage.Storage, key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        await store.put_bytes(key, b"x")


async def test_content_is_kept_by_its_sha256_once(store: storage.Storage) -> None:
    body = os.urandom(100_000)
    sha = hashlib.sha256(body).hexdigest()
    first = await store.put_content("uploads", body, ".png")
    assert first == storage.Stored(f"uploads/{sha[:2]}/{sha}.png", sha, len(body))
    streamed = await store.put_content("uploads", _chunks_of(body), ".png")
    assert streamed == first
    assert await store.read_bytes(first.key) == body
    assert [k async for k in store.list_keys("uploads/")] == [first.key]


async def _chunks_of(body: bytes, size: int = 7_000) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_local_file_is_kept_and_moved(store: storage.Storage, tmp_path: Path) -> None:
    source = tmp_path / "render.pdf"
    source.write_bytes(b"%PDF-1.7 test")
    await store.put_file("jobs/aa/copy.pdf", source)
    assert source.exists()
    await store.put_file("jobs/aa/moved.pdf", source, move=True)
    assert not source.exists()
    assert await store.read_bytes("jobs/aa/copy.pdf") == b"%PDF-1.7 test"
    assert await store.read_bytes("jobs/aa/moved.pdf") == b"%PDF-1.7 test"
    local = await store.local_copy("jobs/aa/moved.pdf")
    assert local.read_bytes() == b"%PDF-1.7 test"


async def test_a_large_stream_is_written_and_read_in_bounded_memory(store: storage.Storage) -> None:
    """50 MB through the store (an S3 multipart upload of 8 MiB parts) with tracemalloc's peak far below the
    file's size, both ways, and the bytes read back are the bytes written."""
    total = 50 * MIB
    tracemalloc.start()
    try:
        size = await store.put_stream("jobs/big/fifty.bin", _stream(total))
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        hasher, read = hashlib.sha256(), 0
        async for chunk in store.open("jobs/big/fifty.bin"):
            hasher.update(chunk)
            read += len(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size == read == total
    assert hasher.hexdigest() == _pattern_sha(total)
    assert write_peak < total * 0.5, f"writing 50 MB peaked at {write_peak / MIB:.1f} MB"
    assert read_peak < total * 0.1, f"reading 50 MB peaked at {read_peak / MIB:.1f} MB"


async def test_presigned_urls_are_fetched_where_the_store_signs_them(store: storage.Storage) -> None:
    await store.put_bytes("jobs/cd/catalog.pdf", b"%PDF-1.7 catalog")
    url = await store.presigned_url(
        "jobs/cd/catalog.pdf", expires_s=60, content_type="application/pdf", filename="Catalog Bến Tre.pdf"
    )
    if isinstance(store, storage.FileStorage):
        assert url is None  # a folder cannot sign: downloads stream through the application
        return
    assert url is not None
    async with httpx.AsyncClient() as client:
        answer = await client.get(url)
        assert answer.status_code == 200
        assert answer.content == b"%PDF-1.7 catalog"
        assert answer.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''Catalog%20B%E1%BA%BFn%20Tre.pdf" in answer.headers["content-disposition"]
        tampered = await client.get(url.replace("catalog.pdf", "other.pdf"))
        assert tampered.status_code == 403
