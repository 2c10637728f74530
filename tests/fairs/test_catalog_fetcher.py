"""The catalog loads only our own fonts, its static files, the media and static folders and data: URIs. A URL planted in
an exhibitor's description or a product's image (a local service, a private or link-local address, a file
elsewhere on the server) is never fetched, and the catalog still renders."""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import fontpkg_be_vietnam_pro
import pytest

from models import ProductImage
from services.common import paths, settings
from services.fairs.catalog.data import load_catalog
from services.fairs.catalog.fetcher import CatalogFetcher, RefusedResource, local_uri
from services.fairs.catalog.render import render_catalog_with_stats
from tests.conftest import Database
from tests.fairs.catalog_fair import build_catalog_fair
from tests.fairs.catalog_pdf import CatalogPdf

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "photo.png").write_bytes(PNG_1PX)
    with settings.overridden(media_dir=folder):
        yield folder


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG_1PX)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[int, list[str]]]:
    """A web server on 127.0.0.1 that records every request it gets (there should be none)."""
    requests: list[str] = []
    handler = type("Recorder", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/products/1",
        "http://10.0.0.1/x.png",
        "http://169.254.169.254/",
        "https://example.com/logo.png",
        "http://[::1]/x.png",
        "ftp://example.com/x.png",
        "file://server/share/x.png",
    ],
)
def test_refuses_everything_but_our_files(media: Path, url: str) -> None:
    fetcher = CatalogFetcher()
    with pytest.raises(RefusedResource):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_refuses_paths_that_leave_the_media_folder(media: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the catalog")
    (media / "link.png").symlink_to(secret)
    fetcher = CatalogFetcher()
    for url in (
        f"{media.as_uri()}/../secret.txt",
        f"{media.as_uri()}/link.png",
        f"{media.as_uri()}/missing.png",
    ):
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)


def test_stored_image_urls_are_read_as_the_web_serves_them(media: Path) -> None:
    """`/media/…` is a file of the media folder, `/static/…` of the static folder (the demo's pictures);
    `..` cannot leave them, and any other address is left as it is, and refused."""
    fetcher = CatalogFetcher()
    assert fetcher.fetch(local_uri("/media/photo.png")).read() == PNG_1PX
    logo = paths.STATIC / "demo" / "logo-keo-dua-phu-hung.png"
    assert fetcher.fetch(local_uri("/static/demo/logo-keo-dua-phu-hung.png")).read() == logo.read_bytes()
    assert local_uri("https://example.com/logo.png") == "https://example.com/logo.png"
    for url in ("/static/../server.py", "/static/%2E%2E/server.py", "/media/../../etc/passwd"):
        with pytest.raises(RefusedResource):
            fetcher.fetch(local_uri(url))
    with pytest.raises(RefusedResource):
        fetcher.fetch(local_uri("https://example.com/logo.png"))


def test_serves_fonts_media_and_data_uris(media: Path) -> None:
    fetcher = CatalogFetcher()
    font = fontpkg_be_vietnam_pro.ROOT / "files" / "BeVietnamPro-Regular.ttf"
    assert fetcher.fetch(font.as_uri()).read() == font.read_bytes()
    photo = fetcher.fetch((media / "photo.png").as_uri())
    assert photo.read() == PNG_1PX
    assert photo.content_type == "image/png"
    data = fetcher.fetch("data:image/png;base64," + base64.b64encode(PNG_1PX).decode())
    assert data.read() == PNG_1PX
    assert data.content_type == "image/png"
    assert fetcher.fetch("data:text/plain,Ph%C3%BA%20L%E1%BB%85").read() == "Phú Lễ".encode()
    assert fetcher.refused == []


async def test_planted_urls_are_never_fetched_and_the_catalog_renders(
    db: Database, media: Path, local_server: tuple[int, list[str]]
) -> None:
    port, requests = local_server
    world = await build_catalog_fair(image_url=None)
    planted = [
        f"http://127.0.0.1:{port}/image.png",
        "file:///etc/passwd",
        "http://10.0.0.1/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "/media/../../../../etc/passwd",
    ]
    products = list(world.products.values())
    for product, url in zip(products, planted, strict=False):
        await ProductImage.create(product=product, url=url)
    application = world.applications["Em Út Phú Lễ (demo)"]
    application.description = f'Rượu ngon <img src="http://127.0.0.1:{port}/description.png">'
    await application.save()

    data = await load_catalog(world.fair.id, "vi", "A4", "https://ocop.test")
    pdf, stats = render_catalog_with_stats(data)

    assert requests == []
    assert pdf.startswith(b"%PDF")
    refused = "\n".join(stats.refused)
    for url in planted[:4]:
        assert url in refused
    assert "/etc/passwd" in refused.replace(str(media), "")
    text = "\n".join(CatalogPdf(pdf).texts)
    assert "Rượu ngon <img src=" in text  # the description is text, not markup
    assert "Rượu Phú Lễ" in text
