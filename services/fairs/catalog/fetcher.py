"""The only way a catalog render reaches a resource: our fonts, the catalog's own static files, the media
folder, the static folder served under /static/ (the demo's pictures), and `data:` URIs. Everything else (other files, http and https, above all loopback, private and
link-local addresses that a planted image URL would aim at) is refused before any connection is made:
the resource is simply left out of the PDF and the refusal is logged.

WeasyPrint calls `fetch()` for every stylesheet, font, image and SVG it meets; an exception there makes it
skip the resource (it logs a warning and goes on), so a refusal never fails the render."""

from __future__ import annotations

import base64
import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import fontpkg_be_vietnam_pro
import fontpkg_noto_sans

from services.common import paths, settings
from services.fairs.catalog.weasy import URLFetcher, URLFetcherResponse

__all__ = ["STATIC_DIR", "CatalogFetcher", "RefusedResource", "allowed_roots", "local_uri", "media_dir"]

log = logging.getLogger(__name__)

STATIC_DIR = paths.TEMPLATES / "catalog"
MAX_BYTES = 20 * 1024 * 1024  # one image or font; a larger one is refused, not read


class RefusedResource(ValueError):
    """A URL the catalog does not load."""


def media_dir() -> Path:
    """Where media files live (`OCOP_MEDIA_DIR`, default var/media, as for label files)."""
    return settings.current().media_dir.resolve()


def allowed_roots() -> tuple[Path, ...]:
    return (
        (fontpkg_be_vietnam_pro.ROOT / "files").resolve(),
        (Path(fontpkg_noto_sans.ROOT) / "files").resolve(),
        STATIC_DIR.resolve(),
        media_dir(),
        paths.STATIC.resolve(),
    )


def local_uri(url: str | None) -> str:
    """Where a stored image URL is read from: `/media/...` (an upload) becomes the file in the media folder,
    `/static/...` the file in the static folder (what web/public.py serves there); any other URL is left as
    it is, and the fetcher refuses it unless it is ours."""
    if not url:
        return ""
    for prefix, folder in (("/media/", media_dir()), ("/static/", paths.STATIC.resolve())):
        if url.startswith(prefix):
            relative = unquote(url.removeprefix(prefix).split("?", 1)[0]).lstrip("/")
            return (folder / relative).as_uri() if relative else ""
    return url


def _redact(url: str) -> str:
    """A URL as logged: data URIs shortened, so that a log line never carries a whole image."""
    return url[:48] + "…" if url.startswith("data:") else url[:300]


class CatalogFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no type hints
    """A WeasyPrint URL fetcher that serves files under `roots` and `data:` URIs, and refuses the rest.
    `refused` lists what it refused (for tests and for the job's log)."""

    def __init__(self, roots: Iterable[Path] | None = None) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=False)
        self.roots = tuple(Path(r).resolve() for r in (roots if roots is not None else allowed_roots()))
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            path = self._allowed_file(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
                )
        return self._refuse(url)

    def _refuse(self, url: str) -> URLFetcherResponse:
        self.refused.append(url)
        log.warning("catalog: refused to load %s", _redact(url))
        raise RefusedResource(f"not loaded: {_redact(url)}")

    def _allowed_file(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None  # file://host/share is a network path
        try:
            # resolve() follows symbolic links and "..": the real file must lie under a root.
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        if not any(path.is_relative_to(root) for root in self.roots):
            return None
        return path

    def _data(self, url: str) -> URLFetcherResponse:
        header, comma, payload = url[5:].partition(",")
        if not comma:
            return self._refuse(url)
        params = header.split(";")
        content_type = params[0] or "text/plain"
        try:
            if "base64" in (p.strip().lower() for p in params[1:]):
                body = base64.b64decode(payload, validate=False)
            else:
                body = unquote_to_bytes(payload)
        except ValueError:
            return self._refuse(url)
        if len(body) > MAX_BYTES:
            return self._refuse(url)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
