"""What an artwork upload's content is and whether it may be kept (services/packaging/files.py, run through
services/packaging/uploads.py): type from the content, images re-encoded without their metadata, SVGs refused
when active or external, PDFs thumbnailed, bombs refused within the child's limits."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image

from models import StoredFile
from services.packaging import files, uploads
from services.packaging.errors import PackagingErrorCode
from tests.conftest import Database
from tests.factories import make_user
from tests.packaging.upload_samples import (
    ACTIVE_SVGS,
    CLEAN_SVG,
    MIB,
    image_at,
    jpeg_with_gps,
    pdf_with_pages,
    pdf_zlib_bomb,
    png_bomb,
    png_bytes,
    raw_pdf,
    reportlab_pdf,
    rgb,
    stored_files,
    stored_path,
)

# Each test stores its uploads in its own media directory (tests/packaging/conftest.py).
pytestmark = pytest.mark.usefixtures("media")


# -- type from the content -----------------------------------------------------------------------------------


def test_sniff_reads_the_content_not_the_name() -> None:
    assert files.sniff(png_bytes()[:64]) == "png"
    assert files.sniff(jpeg_with_gps()[:64]) == "jpeg"
    assert files.sniff(reportlab_pdf(1)[:64]) == "pdf"
    assert files.sniff(CLEAN_SVG[:64]) == "svg"
    assert files.sniff(b'\xef\xbb\xbf  <svg xmlns="http://www.w3.org/2000/svg"/>') == "svg"
    assert files.sniff('<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16")) == "svg"
    for other in (
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"<html><body>",
        b"PK\x03\x04zip",
        b"GIF89a",
        b"\x7fELF",
        b"",
    ):
        assert files.sniff(other) is None


def test_display_name_is_text_never_a_path() -> None:
    assert uploads.display_name("../../etc/passwd") == "passwd"
    assert uploads.display_name("C:\\Users\\an\\Nhãn mặt trước.pdf") == "Nhãn mặt trước.pdf"
    assert uploads.display_name("logo\u202egnp.exe") == "logognp.exe"  # no right-to-left override
    assert uploads.display_name("a\x00b\nc.png") == "abc.png"
    assert uploads.display_name("") is None
    assert uploads.display_name(None) is None
    assert len(uploads.display_name("x" * 1000) or "") == 255


# -- images --------------------------------------------------------------------------------------------------


async def test_png_is_reencoded_and_stored_by_its_hash(db: Database, media: Path) -> None:
    user = await make_user("designer@example.vn")
    original = png_bytes()
    stored = await uploads.store_upload(original, declared_name="../logo.png", user_id=user.id)
    assert stored.media_type == "image/png"
    assert (stored.width_px, stored.height_px, stored.pages) == (64, 48, None)
    assert stored.original_name == "logo.png"
    assert stored.uploaded_by_id == user.id
    path = stored_path(uploads.key_of(stored))
    assert path == media / "uploads" / stored.sha256[:2] / f"{stored.sha256}.png"
    body = path.read_bytes()
    assert len(body) == stored.size_bytes
    import hashlib

    assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert b"Author" not in body
    assert "Nguyễn".encode() not in body
    reread = Image.open(io.BytesIO(body))
    assert reread.format == "PNG"
    assert reread.size == (64, 48)
    assert reread.getpixel((5, 5)) == (200, 30, 30)
    thumbnail = stored_path(uploads.thumbnail_key(stored))
    assert thumbnail is not None
    assert thumbnail.name == f"{stored.thumbnail_sha256}.png"
    assert image_at(thumbnail).size == (64, 48)  # small images are not enlarged
    # Nothing but the file and its thumbnail is left, and the user's name is in no path.
    assert stored_files(media) == sorted({path, thumbnail})
    assert all("logo" not in str(p) for p in stored_files(media))


async def test_jpeg_loses_exif_gps_and_comment(db: Database) -> None:
    stored = await uploads.store_upload(jpeg_with_gps(), declared_name="photo.jpg", user_id=None)
    assert stored.media_type == "image/jpeg"
    body = stored_path(uploads.key_of(stored)).read_bytes()
    assert b"SecretCam" not in body
    assert b"shot at home" not in body
    assert b"Exif" not in body
    reread = Image.open(io.BytesIO(body))
    assert reread.format == "JPEG"
    assert reread.size == (80, 60)
    assert not reread.getexif()
    assert "comment" not in reread.info
    assert "exif" not in reread.info
    r, g, b = rgb(reread, (10, 10))  # the yellow corner is still yellow
    assert r > 200
    assert g > 200
    assert b < 60


async def test_jpeg_orientation_is_applied_before_exif_is_dropped(db: Database) -> None:
    stored = await uploads.store_upload(jpeg_with_gps(orientation=6), declared_name=None, user_id=None)
    reread = image_at(stored_path(uploads.key_of(stored)))
    assert reread.size == (60, 80)  # rotated 90 degrees, as a viewer showed it
    assert (stored.width_px, stored.height_px) == (60, 80)
    r, g, b = rgb(reread, (55, 5))  # the yellow corner is now top right
    assert r > 200
    assert g > 200
    assert b < 60


async def test_large_image_gets_a_thumbnail_of_at_most_512(db: Database) -> None:
    stored = await uploads.store_upload(png_bytes((2000, 1000)), declared_name=None, user_id=None)
    thumbnail = stored_path(uploads.thumbnail_key(stored))
    assert thumbnail is not None
    assert image_at(thumbnail).size == (512, 256)


async def test_png_decompression_bomb_is_refused(db: Database, media: Path) -> None:
    bomb = png_bomb()
    assert len(bomb) < 1 * MIB
    started = time.monotonic()
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(bomb, declared_name="bomb.png", user_id=None)
    assert time.monotonic() - started < uploads.CHILD_TIMEOUT_S
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("file", PackagingErrorCode.OUT_OF_RANGE)
    assert "megapixels" in problem.message_en
    assert "triệu điểm ảnh" in problem.message
    assert stored_files(media) == []
    assert await StoredFile.all().count() == 0


async def test_damaged_png_is_invalid(db: Database, media: Path) -> None:
    truncated = png_bytes((300, 300))[:200]
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(truncated, declared_name=None, user_id=None)
    assert refused.value.problems[0].code == PackagingErrorCode.INVALID
    assert stored_files(media) == []


# -- SVG -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVE_SVGS)
def test_svg_checker_refuses_active_or_external_content(name: str) -> None:
    with pytest.raises(files.Refused) as refused:
        files.check_svg(ACTIVE_SVGS[name])
    assert refused.value.code == "not_allowed", refused.value.message_en
    assert refused.value.message.startswith("SVG không được chứa")


def test_svg_checker_accepts_drawings_with_local_references() -> None:
    info = files.check_svg(CLEAN_SVG)
    assert (info.width, info.height) == (300, 200)
    # A DOCTYPE without declarations is inert (nothing is fetched) and older exporters write it.
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120px" height="80"><path d="M0 0L1 1"/></svg>'
    )
    assert files.check_svg(doctype) == files.SvgInfo(120, 80)


def test_svg_checker_limits_depth_and_needs_well_formed_xml() -> None:
    deep = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 300 + b"</g>" * 300 + b"</svg>"
    with pytest.raises(files.Refused) as too_deep:
        files.check_svg(deep)
    assert too_deep.value.code == "out_of_range"
    with pytest.raises(files.Refused) as broken:
        files.check_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')
    assert broken.value.code == "invalid"


async def test_svg_is_kept_byte_for_byte(db: Database, media: Path) -> None:
    stored = await uploads.store_upload(CLEAN_SVG, declared_name="mark.svg", user_id=None)
    assert stored.media_type == "image/svg+xml"
    assert stored_path(uploads.key_of(stored)).read_bytes() == CLEAN_SVG
    assert stored.thumbnail_sha256 is None  # a checked SVG is its own preview
    assert (stored.width_px, stored.height_px) == (300, 200)


@pytest.mark.parametrize("name", ["script", "onload", "external image", "external entity", "billion laughs"])
async def test_active_svg_upload_is_refused_and_nothing_is_stored(
    db: Database, media: Path, name: str
) -> None:
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(ACTIVE_SVGS[name], declared_name="art.svg", user_id=None)
    problem = refused.value.problems[0]
    assert (problem.field, problem.code, refused.value.reason) == (
        "file",
        PackagingErrorCode.NOT_ALLOWED,
        uploads.Refusal.CONTENT,
    )
    assert stored_files(media) == []
    assert await StoredFile.all().count() == 0


# -- PDF -----------------------------------------------------------------------------------------------------


async def test_pdf_is_kept_with_pages_and_a_thumbnail(db: Database, media: Path) -> None:
    original = reportlab_pdf(pages=2)
    stored = await uploads.store_upload(original, declared_name="hộp.pdf", user_id=None)
    assert (stored.media_type, stored.pages, stored.size_bytes) == ("application/pdf", 2, len(original))
    assert stored_path(uploads.key_of(stored)).read_bytes() == original
    assert stored_path(uploads.key_of(stored)).name == f"{stored.sha256}.pdf"
    thumbnail = stored_path(uploads.thumbnail_key(stored))
    assert thumbnail is not None
    assert thumbnail.is_file()
    preview = image_at(thumbnail)
    assert preview.format == "PNG"
    assert max(preview.size) == 512
    assert preview.size[0] < preview.size[1]  # A4, portrait
    assert rgb(preview, (60, 450))[1] > 100  # the green rectangle, bottom left


@pytest.mark.parametrize(
    ("bomb", "words"),
    [
        ("pages", "10000 pages"),
        ("page size", "too large"),
        ("zlib", "memory or time"),
    ],
)
async def test_pdf_bombs_are_refused_within_limits(db: Database, media: Path, bomb: str, words: str) -> None:
    if bomb == "pages":
        data = pdf_with_pages(10_000)
    elif bomb == "page size":
        data = reportlab_pdf(pages=1, pagesize=(20_000, 20_000))
    else:
        data = pdf_zlib_bomb(2048)  # 2 GiB of content stream in 2 MB: over the child's 1 GiB
    assert len(data) < 3 * MIB
    started = time.monotonic()
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(data, declared_name="bomb.pdf", user_id=None)
    assert time.monotonic() - started < uploads.CHILD_TIMEOUT_S + 5
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("file", PackagingErrorCode.OUT_OF_RANGE)
    assert words in problem.message_en
    assert stored_files(media) == []
    assert await StoredFile.all().count() == 0


async def test_a_check_over_its_time_limit_is_a_typed_refusal(
    db: Database, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "CHILD_TIMEOUT_S", 0.01)  # the child cannot even start in that time
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(reportlab_pdf(1), declared_name=None, user_id=None)
    assert refused.value.problems[0].code == PackagingErrorCode.OUT_OF_RANGE
    assert stored_files(media) == []


async def test_pdf_with_javascript_is_refused(db: Database) -> None:
    js = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
            b"<< /Names [(a) 5 0 R] >>",
            b"<< /S /JavaScript /JS (app.alert(1);) >>",
        ]
    )
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(js, declared_name=None, user_id=None)
    assert refused.value.problems[0].code == PackagingErrorCode.NOT_ALLOWED
