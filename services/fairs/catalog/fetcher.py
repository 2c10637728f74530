"""The only way a catalog render reaches a resource: our fonts, the catalog's own static files, the shared
file store (services/common/storage.py, read through its interface so that a render on another machine reads
the same pictures: `media:KEY`), the static folder served under /static/ (the demo's pictures), and `data:`
URIs. Everything else (other files, http and https, above all loopback, private and
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

from services.common import paths, storage
from services.fairs.catalog.weasy import URLFetcher, URLFetcherResponse

__all__ = ["MEDIA_SCHEME", "STATIC_DIR", "CatalogFetcher", "RefusedResource", "allowed_roots", "local_uri"]

log = logging.getLogger(__name__)

STATIC_DIR = paths.TEMPLATES / "catalog"
MAX_BYTES = 20 * 1024 * 1024  # one image or font; a larger one is refused, not read
MEDIA_SCHEME = "media"  # media:KEY, a file of the shared store


class RefusedResource(ValueError):
    """A URL the catalog does not load."""


def allowed_roots() -> tuple[Path, ...]:
    """Local folders whose files may be read by file:// URL (the store's folder too, where it is one)."""
    local_store = storage.current().local_path("x")
    return (
        (fontpkg_be_vietnam_pro.ROOT / "files").resolve(),
        (Path(fontpkg_noto_sans.ROOT) / "files").resolve(),
        STATIC_DIR.resolve(),
        *((local_store.parent.resolve(),) if local_store is not None else ()),
        paths.STATIC.resolve(),
    )


def local_uri(url: str | None) -> str:
    """Where a stored image URL is read from: `/media/...` (an upload) becomes `media:KEY`, read from the
    shared store, `/static/...` the file in the static folder (what web/public.py serves there); any other
    URL is left as it is, and the fetcher refuses it unless it is ours."""
    if not url:
        return ""
    if url.startswith("/media/"):
        relative = unquote(url.removeprefix("/media/").split("?", 1)[0]).lstrip("/")
        return f"{MEDIA_SCHEME}:{relative}" if relative else ""
    if url.startswith("/static/"):
        relative = unquote(url.removeprefix("/static/").split("?", 1)[0]).lstrip("/")
        return (paths.STATIC.resolve() / relative).as_uri() if relative else ""
    return url


def _redact(url: str) -> str:
    """A URL as logged: data URIs shortened, so that a log line never carries a whole image."""
    return url[:48] + "…" if url.startswith("data:") else url[:300]


class CatalogFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no type hints
    """A WeasyPrint URL fetcher that serves files under `roots` and `data:` URIs, and refuses the rest.
    `refused` lists what it refused (for tests and for the job's log)."""

    def __init__(self, roots: Iterable[Path] | None = None) -> None:
        super().__init__(
            allowed_protocols={"file", "data", MEDIA_SCHEME}, allow_redirects=False, fail_on_errors=False
        )
        self.roots = tuple(Path(r).resolve() for r in (roots if roots is not None else allowed_roots()))
        self.media = roots is None  # a fetcher given its own roots reads nothing from the store
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._data(url)
        if scheme == MEDIA_SCHEME and self.media:
            return self._media(url)
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

    def _media(self, url: str) -> URLFetcherResponse:
        """A file of the shared store, by key; refused when the key is not one (no "..", no absolute path),
        the file is missing or larger than MAX_BYTES."""
        key = url.split(":", 1)[1]
        try:
            storage.check_key(key)
        except ValueError:
            return self._refuse(url)
        body = storage.current().read_sync(key, limit=MAX_BYTES)
        if body is None:
            return self._refuse(url)
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

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
