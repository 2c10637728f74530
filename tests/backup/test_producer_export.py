"""`exportMyData`: a demo producer's own data as a zip (products, lots, locations, label runs with their files,
its lots' events as a valid EPCIS 2.0 document), and nothing of another producer inside."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import orjson
from httpx import AsyncClient
from strawberry.relay import from_base64, to_base64

from models import Batch, Job, Membership, Producer, Product, Role
from services.accounts import auth as accounts
from services.common import settings
from services.jobs import queue as jobs
from services.trace import epcis, epcis_validation
from services.trace.identity import batch_link
from tests.backup.conftest import BASE, Demo, producer_of
from tests.conftest import Database, gql
from tests.factories import make_producer, make_user, token_for

EXPORT = """
mutation($p: ID) { exportMyData(input: {producerId: $p}) { job { id status kind } errors { field code } } }
"""


def strings(value: Any) -> set[str]:
    """Every string in a JSON value, keys and values."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set(value) | {s for v in value.values() for s in strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in strings(v)}
    return set()


async def run_job(job_id: int) -> bytes:
    worker = jobs.worker_name()
    claimed = await jobs.claim(worker, job_id)
    assert claimed is not None
    done = await jobs.execute(claimed, worker)
    assert done.status == "succeeded", done.error
    path = jobs.result_path(done)
    assert path is not None
    return path.read_bytes()


async def test_a_producer_exports_its_own_data_and_nothing_of_another(
    client: AsyncClient, db: Database, demo_data: Demo
) -> None:
    producer = await producer_of(demo_data.label_run)
    with settings.overridden(media_dir=demo_data.media):
        member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
        body = await gql(client, EXPORT, {}, token=member)  # a member of one producer: that one
        answer = body["data"]["exportMyData"]
        assert answer["errors"] == [], answer
        assert answer["job"]["kind"] == "PRODUCER_EXPORT"
        job_id = int(from_base64(answer["job"]["id"])[1])
        archive = zipfile.ZipFile(io.BytesIO(await run_job(job_id)))
        # Asked again with nothing changed (a double click): the same job, its zip reused.
        again = await gql(client, EXPORT, {"p": to_base64("Producer", producer.id)}, token=member)
        assert again["data"]["exportMyData"]["job"] == {
            "id": answer["job"]["id"],
            "status": "SUCCEEDED",
            "kind": "PRODUCER_EXPORT",
        }

        other = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id + 1)
        refused = await gql(client, EXPORT, {"p": to_base64("Producer", producer.id)}, token=other)
        assert refused["data"]["exportMyData"]["errors"] == [{"field": "producerId", "code": "FORBIDDEN"}]

    names = set(archive.namelist())
    documents = {n: orjson.loads(archive.read(n)) for n in names if n.endswith(".json")}
    assert {"manifest.json", "producer.json", "products.json", "lots.json", "locations.json",
            "label-runs.json", "events.epcis.json"} <= names  # fmt: skip

    # Its own rows, all of them.
    assert documents["producer.json"]["id"] == producer.id
    own_products = {p.id for p in await Product.filter(producer_id=producer.id)}
    assert {p["id"] for p in documents["products.json"]} == own_products
    own_lots = await Batch.filter(product__producer_id=producer.id)
    assert {b["id"] for b in documents["lots.json"]} == {b.id for b in own_lots}
    assert [r["id"] for r in documents["label-runs.json"]] == [demo_data.label_run.id]
    label = f"label-runs/{demo_data.label_run.id}/labels-pdf.pdf"
    assert archive.read(label) == demo_data.label_file.read_bytes()
    manifest = documents["manifest.json"]
    assert manifest["counts"]["lots"] == len(own_lots)
    assert manifest["label_files"] == [{"name": label, "sha256": demo_data.label_run.checksums["pdf"]}]

    # The events: a valid EPCIS 2.0 document naming every own lot; the other producer's coconuts redacted.
    document = documents["events.epcis.json"]
    assert epcis_validation.validate(document) == []
    events = document["epcisBody"]["eventList"]
    assert events
    seen = strings(events)
    for lot in own_lots:
        product = await Product.get(id=lot.product_id)
        assert batch_link(BASE, product_id=product.id, gtin=product.gtin, lot_code=lot.lot_code) in seen
    assert epcis.REDACTED_LOT in seen  # the candy is made of another producer's coconuts

    # Nothing of another producer anywhere: names, products, lots, links.
    everything = strings(list(documents.values()))
    for stranger in await Producer.exclude(id=producer.id):
        assert stranger.name not in everything, stranger.name
        for product in await Product.filter(producer_id=stranger.id):
            assert product.name not in everything or product.name in {
                p.name for p in await Product.filter(producer_id=producer.id)
            }, product.name
            for lot in await Batch.filter(product_id=product.id):
                link = batch_link(BASE, product_id=product.id, gtin=product.gtin, lot_code=lot.lot_code)
                assert link not in everything, link
                assert not any(link in s for s in everything), link


async def test_a_member_of_two_producers_names_the_one_to_export(client: AsyncClient, db: Database) -> None:
    first = await make_producer(name="HTX Một (demo)")
    second = await make_producer(name="HTX Hai (demo)")
    user = await make_user("hai.noi@test.ocop.vn", Role.PRODUCER_MEMBER, producer_id=first.id)
    await Membership.create(user_id=user.id, role=Role.PRODUCER_MEMBER, producer_id=second.id)
    token = await accounts.issue_session(user.id)
    unnamed = await gql(client, EXPORT, {}, token=token)
    assert unnamed["data"]["exportMyData"] == {
        "job": None,
        "errors": [{"field": "producerId", "code": "REQUIRED"}],
    }
    named = await gql(client, EXPORT, {"p": to_base64("Producer", second.id)}, token=token)
    assert named["data"]["exportMyData"]["errors"] == []
    job = await Job.get(kind="producer_export")
    assert job.params["producer_id"] == second.id
    assert job.created_by_id == user.id
