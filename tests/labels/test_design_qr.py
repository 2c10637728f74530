"""A packaging designer takes a lot's QR code as SVG or PNG, with the producer's logo in the centre at error
correction H: every file reads back to the lot's Digital Link (zxing-cpp, as a phone would; the SVG painted by
WeasyPrint and rasterised by PDFium), the logo is really there, inside a knockout no larger than level H can
lose, and the finder patterns and quiet zone stay clear."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from httpx import AsyncClient
from PIL import Image, ImageChops, ImageDraw
from strawberry.relay import to_base64

from models import Role
from services.fairs.catalog.weasy import HTML
from services.labels import design_qr
from tests.conftest import gql
from tests.factories import make_batch, make_product, token_for

SVG_NS = "{http://www.w3.org/2000/svg}"
LINKS = [
    "https://ocop.test/p/3F/10/BP-2026-11",  # version 5 at H
    "https://ocop.test/01/08936131800023/10/KDSR-190520",
    "https://ocop.test/p/3F/10/WWWWWWWWWWWWWWWWWWWW",  # the longest lot
    "https://a.vn/p/1/10/1",  # a small symbol: the knockout keeps clear of the finder patterns
]
GREEN = (34, 120, 60)


def logo_png(size: int = 300) -> bytes:
    """A round green logo with white letters, transparent around (as producers' logos often are)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=(*GREEN, 255))
    draw.rectangle((size * 0.3, size * 0.45, size * 0.7, size * 0.55), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def reads(image: Image.Image) -> list[tuple[str, str]]:
    return [
        (c.text, c.ec_level)
        for c in zxingcpp.read_barcodes(image)
        if c.format == zxingcpp.BarcodeFormat.QRCode
    ]


def svg_raster(svg: str, dpi: int = 300) -> Image.Image:
    """The SVG as a browser or a print driver paints it: inline in an HTML page, to PDF (WeasyPrint), then
    rasterised (PDFium)."""
    inline = svg.split("?>", 1)[-1]
    size = re.search(r'width="([\d.]+)mm"', inline)
    assert size is not None
    page = f"@page {{ size: {float(size[1]) + 10}mm; margin: 5mm }} body {{ margin: 0 }}"
    html = f"<html><head><style>{page}</style></head><body>{inline}</body></html>"
    pdf = HTML(string=html).write_pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        image: Image.Image = document[0].render(scale=dpi / 72).to_pil().convert("RGB")
        return image
    finally:
        document.close()


def green_pixels(image: Image.Image) -> int:
    """Pixels of the logo's green (±30 a channel), counted by Pillow's band arithmetic."""
    bands = image.convert("RGB").split()
    masks = [
        band.point(lambda v, c=c: 255 if abs(v - c) < 30 else 0) for band, c in zip(bands, GREEN, strict=True)
    ]
    both = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return int(both.histogram()[255])


@pytest.mark.parametrize("link", LINKS)
def test_the_png_with_a_logo_reads_back_at_level_h(link: str) -> None:
    module_px = 10
    image = Image.open(io.BytesIO(design_qr.png(link, logo_png(), module_px=module_px)))
    assert reads(image) == [(link, "H")]
    # Read from a third of the resolution too, as a phone at arm's length sees it.
    small = image.resize((image.width * 3 // 10, image.height * 3 // 10), Image.Resampling.BILINEAR)
    assert reads(small) == [(link, "H")]
    side = image.width // module_px
    modules = side - 8
    k = design_qr.knockout(modules)
    assert k.size**2 <= 0.20 * modules**2  # within what level H recovers
    assert k.start >= 10  # clear of the finder patterns, separators, format information and timing
    # The logo is there, inside the knockout, and the knockout is white around it.
    assert green_pixels(image) > 0
    x0 = (4 + k.start) * module_px
    inside = image.crop((x0, x0, x0 + k.size * module_px, x0 + k.size * module_px))
    assert green_pixels(inside) == green_pixels(image)
    margin = inside.convert("L").crop((0, 0, inside.width, module_px))
    assert margin.getextrema() == (255, 255)
    # The quiet zone: 4 white modules all round.
    grey = image.convert("L")
    band = 4 * module_px
    for box in ((0, 0, grey.width, band), (0, 0, band, grey.height)):
        assert grey.crop(box).getextrema() == (255, 255)
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)


@pytest.mark.parametrize("link", LINKS[:3])
def test_the_svg_with_a_logo_is_vector_art_that_reads_back_at_level_h(link: str) -> None:
    svg = design_qr.svg(link, logo_png(), module_mm=0.5)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    side = int((root.get("viewBox") or "").split()[2])
    assert root.get("width") == f"{side * 0.5:g}mm"
    (path,) = root.iter(f"{SVG_NS}path")
    assert re.fullmatch(r"(M\d+,\d+H\d+V\d+H\d+z)+", path.get("d") or "")  # modules are vector paths
    (logo,) = root.iter(f"{SVG_NS}image")
    k = design_qr.knockout(side - 8)
    x, y = float(logo.get("x") or 0), float(logo.get("y") or 0)
    assert 4 + k.start < x
    assert x + float(logo.get("width") or 0) < 4 + k.start + k.size
    assert 4 + k.start < y
    image = svg_raster(svg)
    assert reads(image) == [(link, "H")]
    assert green_pixels(image) > 0  # the logo was painted


def test_without_a_logo_the_files_are_plain_codes_at_level_h() -> None:
    link = LINKS[1]
    assert reads(Image.open(io.BytesIO(design_qr.png(link)))) == [(link, "H")]
    svg = design_qr.svg(link)
    assert "<image" not in svg
    assert reads(svg_raster(svg)) == [(link, "H")]


def test_a_file_that_is_no_image_is_refused_as_a_logo() -> None:
    with pytest.raises(design_qr.LogoUnusable):
        design_qr.png(LINKS[0], b"<html>not a logo</html>")


# -- through the API ---------------------------------------------------------------------------------------

QUERY = """
query($batch: ID!, $logo: ID) {
  designQr(batchId: $batch, logoFileId: $logo) { link errorCorrection svgUrl pngUrl }
}
"""


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def upload_logo(client: AsyncClient, token: str, data: bytes) -> str:
    body = await gql(client, "mutation { createUploadUrl { url errors { code } } }", token=token)
    url = body["data"]["createUploadUrl"]["url"]
    response = await client.put(path_of(url), content=data)
    assert response.status_code == 200, response.text
    file_id: str = response.json()["fileId"]
    return file_id


async def test_a_producer_downloads_the_code_with_its_logo(
    client: AsyncClient, media: Path, db: object
) -> None:
    product = await make_product(name="Bánh phồng Sơn Đốc")
    batch = await make_batch(product, "BP-2611")
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=product.producer_id)
    logo = await upload_logo(client, token, logo_png())
    gid = to_base64("Batch", batch.id)
    body = await gql(client, QUERY, {"batch": gid, "logo": logo}, token=token)
    found = body["data"]["designQr"]
    assert found["errorCorrection"] == "H"
    link = found["link"]
    assert link.endswith("/10/BP-2611")
    png = await client.get(path_of(found["pngUrl"]))  # signed: no token needed
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert reads(image) == [(link, "H")]
    assert green_pixels(image) > 0
    svg = await client.get(path_of(found["svgUrl"]))
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert reads(svg_raster(svg.text)) == [(link, "H")]
    # Without the signature, the bearer token of a member works; nobody's request is refused.
    bare = found["pngUrl"].split("?")[0]
    assert (await client.get(urlsplit(bare).path)).status_code == 403
    with_token = await client.get(
        urlsplit(bare).path + f"?logo={logo_id(logo)}", headers={"Authorization": f"Bearer {token}"}
    )
    assert with_token.status_code == 200
    assert reads(Image.open(io.BytesIO(with_token.content))) == [(link, "H")]
    # A tampered logo number breaks the signature.
    tampered = path_of(found["pngUrl"]).replace(f"logo={logo_id(logo)}", f"logo={logo_id(logo) + 1}")
    assert (await client.get(tampered)).status_code == 403


def logo_id(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


async def test_another_producers_lot_or_logo_is_not_offered(
    client: AsyncClient, media: Path, db: object
) -> None:
    ours = await make_product(name="Kẹo dừa")
    theirs = await make_product(name="Bưởi da xanh")
    our_batch = await make_batch(ours, "KD-1")
    their_batch = await make_batch(theirs, "BDX-1")
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=ours.producer_id)
    other = await token_for(Role.PRODUCER_MEMBER, producer_id=theirs.producer_id)
    their_logo = await upload_logo(client, other, logo_png())
    body = await gql(client, QUERY, {"batch": to_base64("Batch", their_batch.id)}, token=token)
    assert body["data"]["designQr"] is None
    body = await gql(
        client, QUERY, {"batch": to_base64("Batch", our_batch.id), "logo": their_logo}, token=token
    )
    assert body["data"]["designQr"] is None
    body = await gql(client, QUERY, {"batch": to_base64("Batch", our_batch.id)}, token=token)
    assert body["data"]["designQr"]["pngUrl"]
    response = await client.get(
        f"/labels/batches/{their_batch.id}/design-qr.png", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404


async def test_without_an_upload_the_producers_registry_logo_is_in_the_centre(
    client: AsyncClient, media: Path, db: object
) -> None:
    """A producer whose registry logo is one of our files gets it in its codes without uploading anything
    (read through the catalog's fetcher, same knockout, level H); `producerLogo: false` gives a plain code;
    a logo the fetcher refuses (an https address) or that is no image leaves a plain code, never an error."""
    from models import Producer

    product = await make_product(name="Bánh phồng Sơn Đốc")
    batch = await make_batch(product, "BP-2612")
    (media / "logos").mkdir()
    (media / "logos" / "son-doc.png").write_bytes(logo_png())
    producer = await Producer.get(id=product.producer_id)
    producer.logo_url = "/media/logos/son-doc.png"
    await producer.save()
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=product.producer_id)
    gid = to_base64("Batch", batch.id)

    async def files(**variables: object) -> tuple[Image.Image, str]:
        body = await gql(client, PRODUCER_LOGO_QUERY, {"batch": gid, **variables}, token=token)
        found = body["data"]["designQr"]
        png = await client.get(path_of(found["pngUrl"]))
        assert png.status_code == 200, png.text
        svg = await client.get(path_of(found["svgUrl"]))
        assert svg.status_code == 200, svg.text
        assert reads(svg_raster(svg.text)) == [(found["link"], "H")]
        return Image.open(io.BytesIO(png.content)), svg.text

    image, svg = await files()
    ((link, level),) = reads(image)
    assert level == "H"
    assert link.endswith("/10/BP-2612")
    assert green_pixels(image) > 0
    assert "<image" in svg
    side = image.width // 10
    k = design_qr.knockout(side - 8)
    x0 = (4 + k.start) * 10
    inside = image.crop((x0, x0, x0 + k.size * 10, x0 + k.size * 10))
    assert green_pixels(inside) == green_pixels(image)  # the same bounded knockout as an upload

    plain, plain_svg = await files(producerLogo=False)
    assert green_pixels(plain) == 0
    assert "<image" not in plain_svg
    # The plain link is signed as plain: dropping `logo=none` breaks the signature.
    body = await gql(client, PRODUCER_LOGO_QUERY, {"batch": gid, "producerLogo": False}, token=token)
    url = path_of(body["data"]["designQr"]["pngUrl"])
    assert "logo=none" in url
    assert (await client.get(url.replace("&logo=none", ""))).status_code == 403

    for unusable in ("https://example.com/logo.png", "/media/logos/missing.png", "/media/logos/not-png.png"):
        (media / "logos" / "not-png.png").write_text("<html>not a logo</html>")
        producer.logo_url = unusable
        await producer.save()
        image, svg = await files()
        assert green_pixels(image) == 0, unusable
        assert "<image" not in svg


PRODUCER_LOGO_QUERY = """
query($batch: ID!, $producerLogo: Boolean! = true) {
  designQr(batchId: $batch, producerLogo: $producerLogo) { link svgUrl pngUrl }
}
"""
