"""QR codes for designers: a lot's Digital Link as SVG or PNG for packaging artwork and previews, with an
optional logo in the centre: one the designer uploaded, else the producer's logo from the registry
(`Producer.logo_url`, read through the catalog's fetcher: only our own /media/ and /static/ files), unless
a plain code is asked for.

Bulk labels keep zxing-cpp (services/labels/qr.py: C++, ~15 times faster than the pure-Python `qrcode` here,
see docs/labels.md). Designers ask for one code at a time and want what `qrcode` offers: error correction
level H (30 % of the codewords recoverable), a vector SVG path sized in millimetres (`SvgPathImage`) and a PIL
image to compose a logo on.

The logo: the centre of the symbol is cleared to white (a "knockout", never modules drawn under a logo that
has transparent parts) and the logo fitted inside it with a one-module margin. The knockout is at most
LOGO_MAX_AREA of the symbol's modules (≤ 20 %, within what level H recovers, with margin for wear and
print), and never reaches the finder patterns, their separators and format information (the 9 modules at
each corner) or the timing patterns. The 4-module quiet zone stays white. Every code this module makes is
read back by zxing-cpp in the tests, logo included.

Pure functions of bytes: the web route runs them in a thread (a PNG with a logo is ~20-60 ms of CPU).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import math
from dataclasses import dataclass

import qrcode
import qrcode.constants
import qrcode.image.svg
from PIL import Image

from models import StoredFile
from services.common import signing, storage
from services.labels import runs
from services.packaging import uploads
from services.policy import Reach
from services.trace.identity import batch_link

QUIET_ZONE = 4
LOGO_MAX_AREA = 0.20  # of the symbol's modules, knockout included
MAX_LOGO_PIXELS = 4096 * 4096  # a logo is downscaled to its place; refuse absurd inputs before decoding
FORMATS = ("svg", "png")
CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
LOGO_TYPES = ("image/png", "image/jpeg")  # uploads re-encoded by services/packaging/uploads.py
URL_LIFETIME = dt.timedelta(days=7)
PLAIN = "none"  # `?logo=none`: no logo, not even the producer's

log = logging.getLogger(__name__)


class LogoUnusable(ValueError):
    """The logo file is not an image Pillow reads (PNG or JPEG), or is too large."""


@dataclass(frozen=True, slots=True)
class Knockout:
    """The cleared centre square, in modules from the symbol's top-left corner (quiet zone excluded)."""

    start: int
    size: int


def _qr(link: str, *, box_size: int = 10, factory: type | None = None) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_H,
        border=QUIET_ZONE,
        box_size=box_size,
        image_factory=factory,
    )
    code.add_data(link)
    code.make(fit=True)
    return code


def knockout(modules: int) -> Knockout:
    """The largest centred square of at most LOGO_MAX_AREA of the symbol that keeps clear of the finder
    patterns with their separators and format information (9 modules from each corner) and of the timing
    patterns (row and column 6); same parity as the symbol so that it is centred on a module."""
    size = math.floor(math.sqrt(LOGO_MAX_AREA) * modules)
    size = min(size, modules - 2 * 9 - 2)  # leaves rows/columns 0-9 and the mirrored ones untouched
    if (modules - size) % 2:
        size -= 1
    size = max(0, size)
    return Knockout((modules - size) // 2, size)


def _logo(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_LOGO_PIXELS:
                raise LogoUnusable("logo too large")
            probe.load()
            logo = probe.convert("RGBA")
    except (OSError, Image.DecompressionBombError) as e:
        raise LogoUnusable(str(e)) from e
    return logo


def _fit(logo: Image.Image, box_px: int) -> Image.Image:
    scale = box_px / max(logo.width, logo.height)
    size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    return logo.resize(size, Image.Resampling.LANCZOS)


def png(link: str, logo: bytes | None = None, *, module_px: int = 10, dpi: int = 300) -> bytes:
    """The code as a PNG, `module_px` pixels per module, quiet zone included; with `logo` (PNG or JPEG
    bytes) knocked out and composed in the centre, in colour."""
    code = _qr(link, box_size=module_px)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    if logo is not None:
        k = knockout(code.modules_count)
        if k.size >= 3:
            x0 = (QUIET_ZONE + k.start) * module_px
            side = k.size * module_px
            image.paste((255, 255, 255), (x0, x0, x0 + side, x0 + side))
            fitted = _fit(_logo(logo), side - 2 * module_px)
            backdrop = Image.new("RGBA", fitted.size, (255, 255, 255, 255))
            backdrop.alpha_composite(fitted)
            image.paste(
                backdrop.convert("RGB"),
                (x0 + (side - fitted.width) // 2, x0 + (side - fitted.height) // 2),
            )
    else:
        image = image.convert("1")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()


def svg(link: str, logo: bytes | None = None, *, module_mm: float = 0.5) -> str:
    """The code as vector art sized in millimetres (`module_mm` per module), `qrcode`'s one-path SVG; with
    `logo`, a white knockout and the logo (embedded as PNG) on top, inside the knockout."""
    code = _qr(link, box_size=10, factory=qrcode.image.svg.SvgPathImage)
    drawing: str = code.make_image().to_string(encoding="unicode")
    side = code.modules_count + 2 * QUIET_ZONE
    mm = round(side * module_mm, 3)
    # qrcode sizes the drawing at box_size / 10 mm per module; the viewBox is in modules, so only the size
    # changes. A white background, as a printed code needs, whatever the artwork beneath.
    head, _, rest = drawing.partition(">")
    head = (
        head.replace(f'width="{side}mm"', f'width="{mm}mm"').replace(f'height="{side}mm"', f'height="{mm}mm"')
        + ' shape-rendering="crispEdges"'
    )
    body = f'<rect width="{side}" height="{side}" fill="#fff"/>' + rest
    if logo is not None:
        k = knockout(code.modules_count)
        if k.size >= 3:
            fitted = _fit(_logo(logo), (k.size - 2) * 24)  # 24 px per module: crisp at the sizes printed
            buf = io.BytesIO()
            fitted.save(buf, format="PNG", optimize=True)
            w = (k.size - 2) * fitted.width / max(fitted.width, fitted.height)
            h = (k.size - 2) * fitted.height / max(fitted.width, fitted.height)
            x = QUIET_ZONE + k.start
            body = body.replace(
                "</svg>",
                f'<rect x="{x}" y="{x}" width="{k.size}" height="{k.size}" fill="#fff"/>'
                f'<image x="{x + (k.size - w) / 2:.3f}" y="{x + (k.size - h) / 2:.3f}" width="{w:.3f}" '
                f'height="{h:.3f}" href="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"/>'
                "</svg>",
            )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + head + ">" + body + "\n"


def render(fmt: str, link: str, logo: bytes | None) -> bytes:
    """One design code (run in a thread by the route)."""
    if fmt == "svg":
        return svg(link, logo).encode()
    if fmt == "png":
        return png(link, logo)
    raise ValueError(fmt)


# -- which lot, which logo, and the links -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DesignSource:
    batch_id: int
    lot_code: str
    link: str  # the lot's Digital Link, as its labels print it
    logo_file_id: int | None
    logo_key: str | None  # the upload's storage key (services/common/storage.py)
    producer_logo: str | None = None  # the producer's logo (a URL the catalog's fetcher may serve)
    plain: bool = False  # asked without any logo

    @property
    def logo_choice(self) -> int | str:
        """What the signed link says of the logo: the upload's id, PLAIN, or 0 (the producer's, if any)."""
        return self.logo_file_id if self.logo_file_id is not None else PLAIN if self.plain else 0


async def design_source(
    batch_id: int,
    reach: Reach,
    *,
    base_url: str,
    logo_file_id: int | None = None,
    producer_logo: bool = True,
) -> DesignSource | None:
    """The lot's Digital Link and the logo's file, or None when the actor does not manage the lot, or may
    not use the logo: a PNG or JPEG upload (services/packaging/uploads.py: checked and re-encoded) of its
    own, or any for central admins and signed links. Not visible and not found look the same. Without an
    upload, the producer's registry logo is used (unless `producer_logo` is false)."""
    batch = await runs.managed_batch(batch_id, reach)
    if batch is None:
        return None
    logo_key = None
    if logo_file_id is not None:
        stored = await StoredFile.get_or_none(id=logo_file_id)
        user_id = reach.actor.user_id
        if (
            stored is None
            or stored.media_type not in LOGO_TYPES
            or not (reach.everything or (user_id is not None and stored.uploaded_by_id == user_id))
        ):
            return None
        logo_key = uploads.key_of(stored)
    product = batch.product
    registry_logo = product.producer.logo_url if logo_file_id is None and producer_logo else None
    link = batch_link(base_url, product_id=product.id, gtin=product.gtin, lot_code=batch.lot_code)
    return DesignSource(
        batch.id,
        batch.lot_code,
        link,
        logo_file_id,
        logo_key,
        producer_logo=registry_logo or None,
        plain=logo_file_id is None and not producer_logo,
    )


def _signature(batch_id: int, fmt: str, logo: int | str, expires: int) -> str:
    return signing.sign("design-qr", batch_id, fmt, logo, expires=expires)


def download_url(base_url: str, source: DesignSource, fmt: str, *, now: float | None = None) -> str:
    """A link a designer's browser opens without a token, valid for a week (rounded to the hour, so that
    the same link is handed out for a while and browsers cache the file)."""
    expires = signing.expires_in(URL_LIFETIME.total_seconds(), now=now, round_to=3600)
    choice = source.logo_choice
    logo = f"&logo={choice}" if choice else ""
    sig = _signature(source.batch_id, fmt, choice, expires)
    return f"{base_url}/labels/batches/{source.batch_id}/design-qr.{fmt}?expires={expires}{logo}&sig={sig}"


def verify_download(
    batch_id: int,
    fmt: str,
    logo: int | str | None,
    expires: str,
    signature: str,
    *,
    now: float | None = None,
) -> bool:
    """`logo`: the upload's id, PLAIN, or None (the producer's logo, if any)."""
    return signing.verify(
        "design-qr", batch_id, fmt, logo or 0, expires=expires, signature=signature, now=now
    )


def file_name(source: DesignSource, fmt: str) -> str:
    lot = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in source.lot_code)
    return f"qr-{lot}{'-logo' if source.logo_key or source.producer_logo else ''}.{fmt}"


async def uploaded_logo(source: DesignSource) -> bytes | None:
    """The bytes of the upload chosen as the logo, read from the shared store (None without an upload);
    FileNotFoundError when the store no longer has it."""
    if source.logo_key is None:
        return None
    return await storage.current().read_bytes(source.logo_key, limit=uploads.max_bytes())


def registry_logo(url: str) -> bytes | None:
    """The bytes of a producer's logo, read through the catalog's fetcher (our /media/ and /static/ files;
    anything else, an https:// address above all, is refused: None). The fetcher is imported here: it is
    WeasyPrint's, whose import would otherwise cost every process that loads this module (the server, each
    worker and command) a second of start-up; the renders that call this have it loaded already."""
    from services.fairs.catalog.fetcher import CatalogFetcher, RefusedResource, local_uri

    try:
        response = CatalogFetcher().fetch(local_uri(url))
    except RefusedResource:
        return None
    try:
        body = response.read()
    finally:
        response.close()
    return bytes(body) if body else None


def render_source(source: DesignSource, fmt: str, logo: bytes | None = None) -> bytes:
    """The file of a design code, its logo read from the store or, without an upload, the producer's logo
    from the registry (run in a thread). A producer's logo that cannot be read or is no image leaves a
    plain code (logged); an uploaded one that is no image raises LogoUnusable."""
    if source.logo_key is not None:
        body = (
            logo
            if logo is not None
            else storage.current().read_sync(source.logo_key, limit=uploads.max_bytes())
        )
        if body is None:
            raise FileNotFoundError(f"the logo's file {source.logo_key} is not in the store")
        return render(fmt, source.link, body)
    logo = registry_logo(source.producer_logo) if source.producer_logo else None
    if logo is not None:
        try:
            return render(fmt, source.link, logo)
        except LogoUnusable as unusable:
            log.warning("design qr: producer logo %s left out: %s", source.producer_logo, unusable)
    return render(fmt, source.link, None)
