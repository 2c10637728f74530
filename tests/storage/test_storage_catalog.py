"""A catalog rendered by a worker whose store is an S3 bucket: the producer's logo, kept only in the bucket,
is read by the render's child process through the store (not from a local disk) and printed; the PDF is kept
in the bucket and downloaded through another replica."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from PIL import Image

from models import Job, JobStatus
from services.common import settings, storage
from services.fairs.catalog import images
from services.fairs.catalog import job as catalog_job
from services.jobs import queue as jobs
from tests.conftest import Database, make_app
from tests.fairs.catalog_fair import build_catalog_fair
from tests.fairs.catalog_pdf import CatalogPdf
from tests.fairs.test_catalog_pdf import BASE, MAGENTA, entry_page, magenta_pixels
from tests.s3 import S3Server, make_bucket

# A catalog render / three runs of server.py in child processes: `make test-slow` (CI runs it after `make test`).
pytestmark = pytest.mark.slow


async def test_a_worker_renders_from_the_bucket_and_another_replica_serves_it(
    db: Database, s3_server: S3Server, tmp_path: Path
) -> None:
    root = tmp_path
    bucket = await make_bucket(s3_server)
    logo = Image.new("RGBA", (1200, 600), (0, 0, 0, 0))
    logo.paste((*MAGENTA, 255), (100, 100, 1100, 500))
    out = io.BytesIO()
    logo.save(out, format="PNG")
    kept = await bucket.put_content("uploads", out.getvalue(), ".png")

    with settings.overridden(media_dir=root / "worker", storage=bucket.location):
        world = await build_catalog_fair()
        name = sorted(world.exhibitors)[0]
        exhibitor = world.exhibitors[name]
        exhibitor.logo_url = f"/media/{kept.key}"
        await exhibitor.save()
        job = await catalog_job.generate_catalog_for_slug(world.fair.slug, "vi", "A4", base_url=BASE)
        claimed = await jobs.claim("worker-on-machine-1", job.id)
        assert claimed is not None
        done = await jobs.execute(claimed, "worker-on-machine-1")
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert not [p for p in (root / "worker").rglob("*") if p.is_file()]  # the worker kept nothing locally
    key = jobs.result_key(done)
    assert key is not None
    assert await bucket.exists(key)

    replica = make_app()
    with settings.overridden(media_dir=root / "replica", storage=bucket.location):
        async with AsyncClient(transport=ASGITransport(app=replica), base_url="http://ocop.test") as http:
            answer = await http.get(f"/fairs/{world.fair.slug}/catalog.pdf?lang=vi&paper=A4")
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] == f'"{done.result_sha256}"'
    pdf = CatalogPdf(answer.content)
    page = entry_page(pdf, name) - 1
    assert (images.TILE_LOGO_PX, images.TILE_LOGO_PX) in pdf.images(page)  # the logo, not the initials tile
    assert magenta_pixels(pdf, page) > 100
    assert await Job.filter(id=done.id, status=JobStatus.SUCCEEDED).exists()
    assert storage.current().url != bucket.url  # the suite's own store was left as it was
