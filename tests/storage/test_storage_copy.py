"""`server.py storage copy --from file://… --to s3://…`: every file copied under the same key, verified by
sha256, idempotent, a damaged file reported and left out; run as an operator runs it (a child process)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from services.common import paths, storage
from tests.s3 import S3Server, make_bucket


async def _command(*args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(paths.ROOT / "server.py"), "storage", "copy", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=paths.ROOT,
        env=os.environ | {"OCOP_ENV": "development"},
        check=False,
    )


async def test_copy_moves_a_media_folder_into_a_bucket_once(s3_server: S3Server, tmp_path: Path) -> None:
    media = tmp_path / "media"
    folder = storage.open_storage(f"file://{media}")
    kept = [
        await folder.put_content("uploads", os.urandom(30_000), ".png"),
        await folder.put_content("labels", b"%PDF-1.7 labels", ".pdf"),
        await folder.put_content(
            "jobs", os.urandom(9 * 1024 * 1024), ".pdf"
        ),  # two parts of a multipart upload
        await folder.put_content("packaging/previews", b"preview", ".png"),
    ]
    damaged_sha = hashlib.sha256(b"the original").hexdigest()
    damaged = storage.content_key("imports", damaged_sha, ".csv")
    await folder.put_bytes(damaged, b"bit rot")  # its bytes no longer hash to its name
    (media / "uploads" / ".upload-x").mkdir()
    (media / "uploads" / ".upload-x" / "upload").write_bytes(b"an upload being checked")  # work files stay
    bucket = await make_bucket(s3_server, prefix="ocop")

    first = await _command("--from", f"file://{media}", "--to", bucket.url)
    assert first.returncode == 1, first.stderr  # one damaged file
    assert "4 copied" in first.stdout
    assert f"damaged {damaged}" in first.stdout
    assert sorted([k async for k in bucket.list_keys()]) == sorted(k.key for k in kept)
    for item in kept:
        assert hashlib.sha256(await bucket.read_bytes(item.key)).hexdigest() == item.sha256

    await folder.delete(damaged)
    again = await _command("--from", f"file://{media}", "--to", bucket.url)
    assert again.returncode == 0, again.stderr
    assert "0 copied (0 bytes), 4 already there, 0 damaged" in again.stdout

    # A file lost or damaged in the bucket is copied again on the next run.
    await bucket.put_bytes(kept[1].key, b"%PDF-1.7 other!")  # same size, other bytes
    await bucket.delete(kept[0].key)
    repaired = await _command("--from", f"file://{media}", "--to", bucket.url)
    assert "2 copied" in repaired.stdout
    assert await bucket.read_bytes(kept[1].key) == b"%PDF-1.7 labels"


async def test_a_malformed_url_is_refused_with_the_fix(tmp_path: Path) -> None:
    refused = await _command("--from", f"file://{tmp_path}", "--to", "s3://Bad_Bucket")
    assert refused.returncode == 2
    assert "not a bucket name" in refused.stderr
    assert "s3://ocop-media/prod?endpoint=" in refused.stderr  # the form to write
