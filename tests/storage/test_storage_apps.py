"""Two application instances ("replicas") with the same S3 bucket and different working folders (nothing
shared through a local disk): what one keeps, the other serves, streamed or by a presigned redirect; and the
catalog's fetcher reads stored pictures from the bucket."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx import ASGITransport, AsyncClient
from PIL import Image

from services.common import settings, storage
from services.common.storage_location import Downloads
from services.fairs.catalog.fetcher import CatalogFetcher, RefusedResource, local_uri
from tests.conftest import Database, gql, make_app
from tests.factories import make_batch, make_product, token_for
from tests.labels.test_design_qr import QUERY, green_pixels, logo_png, reads, upload_logo
from tests.labels.test_labels_api import create_run, path_of
from tests.s3 import S3Server, make_bucket


def local_files(folder: Path) -> list[Path]:
    """Files a replica left on its own disk (its work folders' leftovers included)."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def test_what_one_replica_keeps_the_other_serves(
    db: Database, s3_server: S3Server, tmp_path: Path
) -> None:
    from models import Role

    bucket = await make_bucket(s3_server)
    replica_a, replica_b = make_app(), make_app()

    @contextlib.contextmanager
    def on(folder: str, **more: Any) -> Iterator[None]:
        with settings.overridden(media_dir=tmp_path / folder, storage=bucket.location, **more):
            yield

    product = await make_product(name="Bánh phồng Sơn Đốc")
    batch = await make_batch(product, "BP-2612")
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=product.producer_id)
    from strawberry.relay import to_base64

    gid = to_base64("Batch", batch.id)
    async with (
        AsyncClient(transport=ASGITransport(app=replica_a), base_url="http://ocop.test") as a,
        AsyncClient(transport=ASGITransport(app=replica_b), base_url="http://ocop.test") as b,
    ):
        with on("a"):
            logo = await upload_logo(a, token, logo_png())  # artwork uploaded to A
            run = (await create_run(a, token, gid, count=3))["labelRun"]
            pdf_a = await a.get(path_of(run["pdfUrl"]))  # rendered by A
            assert pdf_a.status_code == 200
            assert pdf_a.content.startswith(b"%PDF")
        assert local_files(tmp_path / "a") == []  # A kept nothing on its own disk: all is in the bucket
        assert [k async for k in bucket.list_keys("labels/")] == [
            storage.content_key("labels", pdf_a.headers["etag"].strip('"'), ".pdf")
        ]

        with on("b"):
            pdf_b = await b.get(path_of(run["pdfUrl"]))  # B streams A's file from the bucket
            assert pdf_b.status_code == 200
            assert pdf_b.content == pdf_a.content
            assert pdf_b.headers["etag"] == pdf_a.headers["etag"]
            assert pdf_b.headers["content-type"] == "application/pdf"
            assert int(pdf_b.headers["content-length"]) == len(pdf_a.content)
            # B reads A's upload: the design QR code with the producer's logo, drawn on B.
            found = (await gql(b, QUERY, {"batch": gid, "logo": logo}, token=token))["data"]["designQr"]
            png = await b.get(path_of(found["pngUrl"]))
            assert png.status_code == 200
            image = Image.open(io.BytesIO(png.content))
            assert reads(image) == [(found["link"], "H")]
            assert green_pixels(image) > 0  # the logo is there
        assert local_files(tmp_path / "b") == []

        with on("b", storage_downloads=Downloads.REDIRECT):
            redirected = await b.get(path_of(run["pdfUrl"]))
            assert redirected.status_code == 302
            location = redirected.headers["location"]
            assert location.startswith(s3_server.endpoint)
            assert "max-age=60" in redirected.headers["cache-control"]
            async with httpx.AsyncClient() as browser:  # the client follows the redirect to the store
                fetched = await browser.get(location)
            assert fetched.status_code == 200
            assert fetched.content == pdf_a.content
            assert fetched.headers["content-type"] == "application/pdf"
            assert fetched.headers["content-disposition"].startswith("inline; filename=")


async def test_the_catalog_fetcher_reads_stored_pictures_from_the_bucket(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = await make_bucket(s3_server)
    picture = logo_png(40)
    kept = await bucket.put_content("uploads", picture, ".png")
    with settings.overridden(media_dir=tmp_path / "elsewhere", storage=bucket.location):
        fetcher = CatalogFetcher()
        uri = local_uri(f"/media/{kept.key}")
        assert uri == f"media:{kept.key}"
        answer = fetcher.fetch(uri)
        assert answer.read() == picture
        for refused in ("/media/uploads/00/missing.png", "/media/../secret_key", "/media/.cache/x.png"):
            with pytest.raises(RefusedResource):
                fetcher.fetch(local_uri(refused))
        assert len(fetcher.refused) == 3
