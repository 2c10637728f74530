"""Artwork uploads (services/packaging/uploads.py): wrong types refused with nothing stored, the size limit,
content-addressed storage, and the signed upload route. What a file's content may be: test_files.py."""

from __future__ import annotations

import base64
import io
import random
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import AsyncClient
from PIL import Image

from models import StoredFile
from services.common import settings
from services.common.errors import DomainError
from services.packaging import uploads
from services.packaging.errors import PackagingErrorCode
from tests.conftest import Database
from tests.factories import make_user
from tests.packaging.upload_samples import (
    ACTIVE_SVGS,
    CLEAN_SVG,
    MIB,
    jpeg_with_gps,
    png_bytes,
    reportlab_pdf,
    stored_files,
    stored_path,
)

# Each test stores its uploads in its own media directory (tests/packaging/conftest.py).
pytestmark = pytest.mark.usefixtures("media")


# -- wrong types ---------------------------------------------------------------------------------------------


async def test_html_named_png_is_refused_and_nothing_is_stored(db: Database, media: Path) -> None:
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(html, declared_name="logo.png", user_id=None)
    assert refused.value.reason is uploads.Refusal.UNSUPPORTED_TYPE
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("file", PackagingErrorCode.INVALID)
    assert "PNG" in problem.message
    assert "content" in problem.message_en
    assert stored_files(media) == []
    assert await StoredFile.all().count() == 0


async def test_empty_and_xml_that_is_not_svg_are_refused(db: Database, media: Path) -> None:
    with pytest.raises(uploads.UploadRefused) as empty:
        await uploads.store_upload(b"", declared_name=None, user_id=None)
    assert empty.value.problems[0].code == PackagingErrorCode.INVALID
    xhtml = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(xhtml, declared_name="a.svg", user_id=None)
    assert refused.value.problems[0].code == PackagingErrorCode.INVALID
    assert "<svg>" in refused.value.problems[0].message_en
    assert stored_files(media) == []


# -- size ----------------------------------------------------------------------------------------------------


class Stream:
    """An upload of `total` bytes that starts like a PNG, made 1 MiB at a time; counts what was read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.read = 0
        self.chunk = b"\x89PNG\r\n\x1a\n" + bytes(MIB - 8)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.read < self.total:
            self.read += len(self.chunk)
            yield self.chunk


async def test_a_200_mb_stream_is_refused_without_reading_it(db: Database, media: Path) -> None:
    stream = Stream(200 * MIB)
    tracemalloc.start()
    try:
        with pytest.raises(uploads.UploadRefused) as refused:
            await uploads.store_upload(stream, declared_name="huge.png", user_id=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.reason is uploads.Refusal.TOO_LARGE
    assert refused.value.problems[0].code == PackagingErrorCode.OUT_OF_RANGE
    assert "25 MB" in refused.value.problems[0].message_en
    assert stream.read <= 26 * MIB  # stopped at the first chunk past 25 MB
    assert peak < 8 * MIB  # spooled to disk, never held
    assert stored_files(media) == []


async def test_the_limit_comes_from_the_environment(db: Database, media: Path) -> None:
    from_env = settings.load_settings({"OCOP_UPLOAD_MAX_MB": "0.01"})  # about 10 kB
    with settings.overridden(upload_max_mb=from_env.upload_max_mb):
        noise = io.BytesIO()
        Image.frombytes("L", (200, 200), random.Random(1).randbytes(40_000)).save(noise, "PNG")
        assert len(noise.getvalue()) > 11_000
        with pytest.raises(uploads.UploadRefused) as refused:
            await uploads.store_upload(noise.getvalue(), declared_name=None, user_id=None)
        assert refused.value.reason is uploads.Refusal.TOO_LARGE
        assert "0.01 MB" in refused.value.problems[0].message_en
        assert (await uploads.store_upload(png_bytes(), declared_name=None, user_id=None)).size_bytes < 10_000


# -- content addressing --------------------------------------------------------------------------------------


async def test_identical_bytes_give_one_row(db: Database, media: Path) -> None:
    first_user = await make_user("a@example.vn")
    second_user = await make_user("b@example.vn")
    for data in (png_bytes(), reportlab_pdf(1), CLEAN_SVG, jpeg_with_gps()):
        first = await uploads.store_upload(data, declared_name="one", user_id=first_user.id)
        again = await uploads.store_upload(data, declared_name="two", user_id=second_user.id)
        assert again.id == first.id
        assert (again.original_name, again.uploaded_by_id) == ("one", first_user.id)
    assert await StoredFile.all().count() == 4
    # A stored PNG uploaded again (downloaded and put back) is the same file too: re-encoding is stable.
    png = await StoredFile.get(media_type="image/png")
    assert (
        await uploads.store_upload(
            stored_path(uploads.key_of(png)).read_bytes(), declared_name=None, user_id=None
        )
    ).id == (png.id)
    assert await StoredFile.all().count() == 4


# -- signed URLs and the route -------------------------------------------------------------------------------


def token_of(url: str) -> str:
    return url.split("token=", 1)[1]


def test_upload_tokens_bind_the_user_and_expire() -> None:
    now = 1_800_000_000.0
    url = uploads.upload_url("https://ocop.test/", 42, now=now)
    assert url.startswith("https://ocop.test/uploads?token=42.")
    token = token_of(url)
    assert uploads.verify_upload_token(token, now=now) == 42
    assert uploads.verify_upload_token(token, now=now + 14 * 60) == 42
    assert uploads.verify_upload_token(token, now=now + 16 * 60) is None  # 15 minutes
    user, expires, signature = token.split(".")
    assert uploads.verify_upload_token(f"43.{expires}.{signature}", now=now) is None
    assert uploads.verify_upload_token(f"{user}.{int(expires) + 3600}.{signature}", now=now) is None
    assert uploads.verify_upload_token(f"{user}.{expires}.{'0' * 32}", now=now) is None
    for malformed in ("", "42", "a.b.c", "42..", f"-1.{expires}.{signature}"):
        assert uploads.verify_upload_token(malformed, now=now) is None


def upload_path(user_id: int, *, now: float | None = None) -> str:
    return uploads.upload_url("https://ocop.test", user_id, now=now).removeprefix("https://ocop.test")


async def test_route_stores_and_answers_the_relay_id(client: AsyncClient, media: Path) -> None:
    user = await make_user("designer@example.vn")
    data = png_bytes()
    response = await client.put(
        upload_path(user.id) + "&name=..%2F..%2Fm%E1%BA%B7t%20tr%C6%B0%E1%BB%9Bc.png", content=data
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"fileId", "sha256", "mediaType", "size"}
    type_name, _, raw_id = base64.b64decode(body["fileId"]).decode().partition(":")
    stored = await StoredFile.get(id=int(raw_id))
    assert type_name == "StoredFile"
    assert (body["sha256"], body["mediaType"], body["size"]) == (
        stored.sha256,
        "image/png",
        stored.size_bytes,
    )
    assert stored.uploaded_by_id == user.id
    assert stored.original_name == "mặt trước.png"
    assert stored_path(uploads.key_of(stored)).is_file()
    # POST with the raw body works the same; the same bytes give the same file.
    again = await client.post(upload_path(user.id), content=data)
    assert again.status_code == 200
    assert again.json()["fileId"] == body["fileId"]


async def test_route_refuses_bad_tokens_with_403(client: AsyncClient, media: Path) -> None:
    user = await make_user("designer@example.vn")
    expired = upload_path(user.id, now=time.time() - 3600)
    tampered = upload_path(user.id).replace(f"token={user.id}.", f"token={user.id + 1}.")
    for path in (expired, tampered, "/uploads", "/uploads?token=nonsense"):
        response = await client.put(path, content=png_bytes())
        assert response.status_code == 403, path
        assert response.json()["errors"][0]["code"] == "LINK_EXPIRED"
    user.is_active = False
    await user.save()
    assert (await client.put(upload_path(user.id), content=png_bytes())).status_code == 403
    assert stored_files(media) == []
    assert await StoredFile.all().count() == 0


async def test_route_answers_415_and_400_with_typed_errors(client: AsyncClient, media: Path) -> None:
    user = await make_user("designer@example.vn")
    html = await client.put(upload_path(user.id) + "&name=logo.png", content=b"<html><body>hi</body></html>")
    assert html.status_code == 415
    [error] = html.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "INVALID")
    assert error["message"].startswith("Chỉ nhận tệp PDF, PNG, JPEG hoặc SVG")  # Vietnamese by default
    script = await client.put(
        upload_path(user.id), content=ACTIVE_SVGS["script"], headers={"accept-language": "en"}
    )
    assert script.status_code == 400
    [error] = script.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "NOT_ALLOWED")
    assert error["message"].isascii()  # English on request
    assert "script" in error["message"].lower()
    assert stored_files(media) == []


async def test_route_refuses_200_mb_with_413_without_reading_it(client: AsyncClient, media: Path) -> None:
    user = await make_user("designer@example.vn")
    stream = Stream(200 * MIB)
    response = await client.put(upload_path(user.id), content=stream)  # chunked: no Content-Length
    assert response.status_code == 413
    assert response.json()["errors"] == [
        {"field": "file", "code": "OUT_OF_RANGE", "message": "Tệp quá lớn: tối đa 25 MB."}
    ]
    assert stream.read <= 26 * MIB
    # A Content-Length over the limit is refused before a byte is read.
    declared = Stream(200 * MIB)
    response = await client.put(
        upload_path(user.id), content=declared, headers={"content-length": str(200 * MIB)}
    )
    assert response.status_code == 413
    assert declared.read == 0
    assert stored_files(media) == []
    assert await StoredFile.all().count() == 0


def test_domain_error_shape() -> None:
    refused = uploads.too_large()
    assert isinstance(refused, DomainError)
    assert refused.problems[0].field == "file"
    assert refused.reason is uploads.Refusal.TOO_LARGE
