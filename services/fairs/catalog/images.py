"""Pictures printed in the catalog: product photos, tourism photos and sponsor logos, read through the
catalog's fetcher (`fetcher.CatalogFetcher`: our media folder and `data:` URIs only), checked, cropped and
downscaled for print here, in the render's child process, and embedded as small JPEG (or PNG, for a logo
with transparency) data URIs; and the initials tile printed where there is no picture.

A camera's 4000 × 3000 photo printed 24 mm wide needs ~280 pixels at 300 dpi: embedding the original
would make the PDF tens of megabytes and its pages slow to open. A file that is not an image, is too large
or is refused is left out (and the tile printed instead), never failing the render."""

from __future__ import annotations

import base64
import io
import logging
import warnings
from functools import lru_cache
from typing import cast

import fontpkg_be_vietnam_pro
from PIL import Image, ImageDraw, ImageFile, ImageFont, ImageOps

from services.common.text import nfc
from services.fairs.catalog.fetcher import CatalogFetcher, RefusedResource
from services.fairs.floorplan import ABBREVIATIONS

__all__ = ["MAX_PIXELS", "initials", "initials_tile", "print_image", "print_tile_logo"]

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # a larger picture (a decompression bomb, or a poster) is not read
PHOTO_PX = 300  # a product photo's side: 24 mm at ~320 dpi
LOGO_PX = 400
TILE_PX = 100  # 10 mm at ~250 dpi
TILE_LOGO_PX = 160  # a producer's logo in the place of the tile: 10 mm at ~400 dpi
JPEG_QUALITY = 82
# Tile colours by OCOP product group (1 food … 6 tourism); others take the last.
TILE_COLORS = {
    "1": ("#e4efdd", "#2f6b33"),
    "2": ("#dde9f5", "#1f4f7a"),
    "3": ("#f3e0ec", "#7a2a5c"),
    "4": ("#f8e7d0", "#7a4a12"),
    "5": ("#eef0d6", "#54600f"),
    "6": ("#d9f0ee", "#1d5e58"),
    "": ("#e9ece6", "#3d4a39"),
}
_SKIPPED_WORDS = {"htx", "tht", "cty", "dntn", "cs", "tnhh", "cp", "(demo)", "–", "-", "&"}


def print_image(src: str, fetcher: CatalogFetcher, *, square: bool = True) -> str | None:
    """The picture at `src` (a URL the fetcher serves) ready for print as a data URI, or None."""
    if not src:
        return None
    return _prepared(src, fetcher, "photo" if square else "logo")


def print_tile_logo(src: str, fetcher: CatalogFetcher) -> str | None:
    """A producer's logo at `src` for the place of the exhibitor's initials tile: the whole logo, never
    cropped, fitted in a square (transparent around when the logo has transparency, else white), as a data
    URI; None when the fetcher refuses it or it is no image (the tile is printed then)."""
    if not src:
        return None
    return _prepared(src, fetcher, "tile")


def _prepare(src: str, mode: str, body: bytes) -> str | None:
    square = mode == "photo"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(body))
            if image.width * image.height > MAX_PIXELS:
                raise ValueError(f"{image.width} × {image.height} pixels")
            size = {"photo": PHOTO_PX, "logo": LOGO_PX}.get(mode, TILE_LOGO_PX)
            if isinstance(image, ImageFile.ImageFile):
                image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a fraction of the size
            image = ImageOps.exif_transpose(image)
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            if mode == "tile":  # the whole logo, centred in a square
                image = image.convert("RGBA" if has_alpha else "RGB")
                image.thumbnail((size, size), Image.Resampling.LANCZOS)
                background = (255, 255, 255, 0) if has_alpha else (255, 255, 255)
                canvas = Image.new(image.mode, (size, size), background)
                canvas.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
                image = canvas
                if not has_alpha:
                    out = io.BytesIO()
                    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
                    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
            if has_alpha and not square:  # a logo keeps its transparency
                image = image.convert("RGBA")
                image.thumbnail((size, size), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                image.save(out, "PNG", optimize=True)
                return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
            if has_alpha:
                flat = Image.new("RGB", image.size, "#ffffff")
                flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[3])
                image = flat
            image = image.convert("RGB")
            if square:
                image = ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)
            else:
                image.thumbnail((size, size), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as exc:
        log.warning("catalog: picture %s left out: %s", src[:200], exc)
        return None


_done: dict[tuple[str, str], str] = {}  # per process: a worker prints each picture once


def _prepared(src: str, fetcher: CatalogFetcher, mode: str) -> str | None:
    if (src, mode) in _done:
        return _done[(src, mode)]
    try:
        response = fetcher.fetch(src)
    except RefusedResource:
        return None
    body = cast(bytes, response.read())
    response.close()
    prepared = _prepare(src, mode, body) if body else None
    if prepared is not None and len(_done) < 4096:
        _done[(src, mode)] = prepared
    return prepared


def initials(name: str) -> str:
    """Two letters for a tile: the first letters of the first two words that are not a legal form
    ("HTX Bánh phồng Sơn Đốc" -> "BP")."""
    words = nfc(name).split()
    folded = " ".join(words).casefold()
    for long, _short in ABBREVIATIONS:
        if folded.startswith(long + " "):
            words = words[len(long.split()) :]
            break
    letters = [w[0] for w in words if w.casefold() not in _SKIPPED_WORDS and w[0].isalnum()]
    return "".join(letters[:2]).upper() or "•"


@lru_cache(maxsize=512)
def initials_tile(letters: str, group: str = "") -> str:
    """A square tile with `letters` in the colours of a product group, as a PNG data URI (a raster that
    WeasyPrint embeds once per tile, where an SVG with text would be drawn again on every product)."""
    background, ink = TILE_COLORS.get(group, TILE_COLORS[""])
    size = TILE_PX
    tile = Image.new("RGB", (size, size), "#ffffff")
    draw = ImageDraw.Draw(tile)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 12, fill=background)
    font = ImageFont.truetype(_bold_font(), int(size * (0.36 if len(letters) > 1 else 0.46)))
    draw.text((size / 2, size / 2), letters, font=font, fill=ink, anchor="mm")
    out = io.BytesIO()
    tile.quantize(colors=16).save(out, "PNG", optimize=True)  # two colours and their blends: ~1 KB
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@lru_cache(maxsize=1)
def _bold_font() -> str:
    return str(fontpkg_be_vietnam_pro.ROOT / "files" / "BeVietnamPro-Bold.ttf")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
