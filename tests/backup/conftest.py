"""Fixtures of the backup and export tests: a demo data set with stored files, in a media directory of the
test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from models import Batch, LabelRun, Producer, StoredFile
from services.common import settings
from services.demo import loader as demo
from services.labels import runs
from services.labels.runs import LabelRunData
from services.packaging import uploads
from services.policy import SYSTEM
from tests.conftest import Database
from tests.packaging.upload_samples import png_bytes

BASE = "http://127.0.0.1:8000"
CANDY_MAKER = "Công ty TNHH Kẹo Dừa Phú Hưng"


@dataclass(frozen=True)
class Demo:
    media: Path
    label_run: LabelRun
    label_file: Path
    stored: StoredFile


@pytest.fixture
async def demo_data(db: Database, tmp_path: Path) -> AsyncIterator[Demo]:
    """The demo data set, plus what it does not make: a label run whose PDF is rendered (a stored file under
    labels/) and an uploaded artwork (a `stored_file` row with its file and thumbnail under uploads/)."""
    media = tmp_path / "media"
    with settings.overridden(media_dir=media):
        await demo.load(with_accounts=True, base_url=BASE)
        # A lot of the candy maker, whose history names another producer's coconuts (a transformation).
        lot = (
            await Batch.filter(
                product__producer__name__startswith=CANDY_MAKER, is_published=True, product__is_published=True
            )
            .order_by("id")
            .first()
        )
        assert lot is not None
        run = await runs.create_label_run(
            LabelRunData(batch_id=lot.id, template="L7160", count=3, confirm_expired=True),
            SYSTEM,
            user_id=None,
            base_url=BASE,
        )
        path, _ = await runs.output(run, "pdf")
        stored = await uploads.store_upload(png_bytes(), declared_name="nhãn.png", user_id=None)
        yield Demo(media, await LabelRun.get(id=run.id), path, stored)


async def producer_of(run: LabelRun) -> Producer:
    batch = await Batch.get(id=run.batch_id).select_related("product__producer")
    return batch.product.producer
