"""The cluster's end-to-end stories (issue 15 item 7), all through the balancer: nginx round-robin in front of
two `server.py serve` replicas in separate working directories, one `server.py worker`, PgBouncer in
transaction mode, PostgreSQL and an S3-compatible store, started by deploy/cluster/cluster.py (what `make
cluster` runs). `make test-cluster` runs them (marker `cluster`, left out of `make test`).

Which replica answered is read from the balancer's `X-Upstream` header: a story that needs "the other
replica" asks the balancer again until round-robin hands it there."""

from __future__ import annotations

import asyncio
import io
import itertools
import math
import re
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
import zxingcpp
from PIL import Image
from strawberry.relay import from_base64

from deploy.cluster.cluster import Cluster, ClusterError
from tests.conftest import POSTGRES_DSN
from tests.labels.test_design_qr import GREEN, green_pixels, logo_png

pytestmark = pytest.mark.cluster

PASSWORD = "ocop-demo-2019"
FAIR = "hoi-cho-ocop-du-lich-2019"
LOT = "DX-190515"  # the demo producer's lot
LOGIN = (
    "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token errors { code } } }"
)
LOTS = """query($lot: String!) { batches(first: 1, filter: {lotCode: $lot}) {
  edges { node { id lotCode digitalLink product { id gtin } } } } }"""
LABELS = """mutation($batch: ID!, $count: Int!) {
  createLabelRun(input: {batchId: $batch, template: "L7160", count: $count, serialized: true, confirmExpired: true}) {
    labelRun { id count firstSerial lastSerial pdfUrl } errors { field code message } } }"""
FAIR_ID = "query($slug: String!) { fair(slug: $slug) { id } }"
GENERATE = """mutation($fair: ID!, $language: CatalogLanguage!) {
  generateCatalog(input: {fairId: $fair, language: $language, format: A4}) {
    job { id status } errors { field code message } } }"""
JOB = "query($id: ID!) { node(id: $id) { ... on Job { id status progress error downloadUrl } } }"
UPLOAD_URL = "mutation { createUploadUrl { url errors { code } } }"
DESIGN_QR = "query($batch: ID!, $logo: ID) { designQr(batchId: $batch, logoFileId: $logo) { link pngUrl } }"
CREATE_LOT = """mutation($input: BatchCreateInput!) { createBatch(input: $input) {
  batch { id lotCode digitalLink } errors { field code message } } }"""
RECALL = "mutation($input: RecallInput!) { recordRecall(input: $input) { errors { field code message } } }"
RECALL_BANNER = 'id="recall" role="alert"'  # templates/parts.html: the trace page's recall alert
RECALLS = 20


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    if POSTGRES_DSN is None:
        pytest.fail("the cluster runs on PostgreSQL: set OCOP_TEST_POSTGRES_DSN")
    # A short grace period for the worker: the SIGTERM story stops it mid-render and its job must go back.
    made = Cluster(dsn=POSTGRES_DSN, s3=True, worker_grace_s=0.5)
    try:
        made.start()
    except ClusterError as error:
        made.stop()
        pytest.fail(str(error))
    failed_before = request.session.testsfailed
    try:
        yield made
    finally:
        if request.session.testsfailed > failed_before:  # what each process said, for the failure's report
            capture = request.config.pluginmanager.getplugin("capturemanager")
            with capture.global_and_fixture_disabled():
                sys.stderr.write(made.log_tails())
        made.stop()


@pytest.fixture(scope="module")
def balancer(cluster: Cluster) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cluster.url, timeout=120) as client:
        yield client


def gql(
    client: httpx.Client, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"], response.headers["x-upstream"]


def login(client: httpx.Client, email: str) -> str:
    data, _ = gql(client, LOGIN, {"e": email, "p": PASSWORD})
    assert data["login"]["errors"] == [], data
    token: str = data["login"]["token"]
    return token


def local(url: str) -> str:
    """The path and query of an absolute link (the links name the balancer: OCOP_PUBLIC_BASE_URL)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def get_on(
    client: httpx.Client, path: str, want: Callable[[str], bool], headers: dict[str, str] | None = None
) -> httpx.Response:
    """GET `path` through the balancer until the answer comes from a replica `want` accepts."""
    for _ in range(6):  # round-robin over two replicas: the next one or the one after
        response = client.get(path, headers=headers or {})
        if want(response.headers["x-upstream"]):
            return response
    raise AssertionError(f"the balancer never sent {path} to the wanted replica")


def not_(upstream: str) -> Callable[[str], bool]:
    return lambda other: other != upstream


def on(upstream: str) -> Callable[[str], bool]:
    return lambda other: other == upstream


def producer_lot(client: httpx.Client, token: str) -> dict[str, Any]:
    data, _ = gql(client, LOTS, {"lot": LOT}, token)
    node: dict[str, Any] = data["batches"]["edges"][0]["node"]
    return node


def wait_job(client: httpx.Client, token: str, job_id: str, status: set[str], timeout: float = 300) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        data, _ = gql(client, JOB, {"id": job_id}, token)
        job = data["node"]
        if job["status"] in status:
            return job
        assert job["status"] not in ("FAILED",), job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {timeout:.0f} s"
        time.sleep(0.2)


def sql(cluster: Cluster, query: str) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(cluster.dsn)
        try:
            await conn.execute(f'SET search_path TO "{cluster.schema}"')
            return [dict(row) for row in await conn.fetch(query)]
        finally:
            await conn.close()

    return asyncio.run(run())


# -- the stories -------------------------------------------------------------------------------------------


def test_both_replicas_started_at_once_on_an_empty_database_migrated_it_once(cluster: Cluster) -> None:
    """The fixture started both replicas at the same moment on a fresh schema (each runs `migrate
    --demo-if-empty` then `serve`): one applied the migrations and loaded the demo, the other waited for its
    advisory lock; both are ready."""
    logs = [cluster.processes[name].log_path.read_text() for name in ("a", "b")]
    assert sum("demo data loaded" in log for log in logs) == 1, [log[-2000:] for log in logs]
    assert sum("waiting for another replica's migration" in log for log in logs) == 1
    for name in ("a", "b"):
        assert httpx.get(f"{cluster.replica_url(name)}/readyz").status_code == 200
    rows = sql(cluster, "SELECT name, count(*) AS n FROM tortoise_migrations GROUP BY name")
    assert rows
    assert all(row["n"] == 1 for row in rows), rows
    # The demo loaded once: as many producers as its one load reported (not doubled).
    loaded = re.search(r"demo data loaded.*?producers=(\d+)", "".join(logs))
    assert loaded is not None
    assert sql(cluster, "SELECT count(*) AS n FROM producer") == [{"n": int(loaded.group(1))}]


def test_a_producer_prints_labels_and_gets_the_pdf_from_the_other_replica(
    cluster: Cluster, balancer: httpx.Client
) -> None:
    token = login(balancer, "producer@demo.ocop.vn")
    lot = producer_lot(balancer, token)
    data, made_on = gql(balancer, LABELS, {"batch": lot["id"], "count": 21}, token)
    run = data["createLabelRun"]
    assert run["errors"] == [], run
    pdf = get_on(balancer, local(run["labelRun"]["pdfUrl"]), not_(made_on))  # signed link, no token
    assert pdf.status_code == 200, pdf.text[:500]
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    # The same bytes from the replica that made the run (its ETag is the file's sha256).
    again = get_on(balancer, local(run["labelRun"]["pdfUrl"]), on(made_on))
    assert again.status_code == 200
    assert (again.headers["etag"], again.content) == (pdf.headers["etag"], pdf.content)


def test_an_organisers_catalog_is_rendered_by_the_worker_and_downloaded_through_either_replica(
    cluster: Cluster, balancer: httpx.Client
) -> None:
    token = login(balancer, "organiser@demo.ocop.vn")
    data, _ = gql(balancer, FAIR_ID, {"slug": FAIR}, token)
    data, _ = gql(balancer, GENERATE, {"fair": data["fair"]["id"], "language": "VI"}, token)
    assert data["generateCatalog"]["errors"] == []
    job = wait_job(balancer, token, data["generateCatalog"]["job"]["id"], {"SUCCEEDED"})
    # Set once the replica answering finds the result (the worker wrote it to the shared store).
    assert job["downloadUrl"], f"the job succeeded, but the answering replica has no file: {job}"
    worker_log = cluster.processes["worker"].log_path.read_text()
    assert "job succeeded" in worker_log  # the worker rendered it (the replicas run OCOP_JOBS=off)
    bodies = {}
    for name in ("a", "b"):
        response = get_on(balancer, local(job["downloadUrl"]), on(f"127.0.0.1:{cluster.ports[name]}"))
        assert response.status_code == 200, (name, response.text[:500])
        assert response.headers["content-type"] == "application/pdf"
        bodies[name] = response.content
    assert bodies["a"] == bodies["b"]
    assert bodies["a"].startswith(b"%PDF-")
    assert len(bodies["a"]) > 10_000


def test_an_artwork_uploaded_on_one_replica_is_previewed_on_the_other(
    cluster: Cluster, balancer: httpx.Client
) -> None:
    token = login(balancer, "producer@demo.ocop.vn")
    data, _ = gql(balancer, UPLOAD_URL, token=token)
    upload = balancer.put(local(data["createUploadUrl"]["url"]) + "&name=logo.png", content=logo_png())
    assert upload.status_code == 200, upload.text
    stored_on = upload.headers["x-upstream"]
    lot = producer_lot(balancer, token)
    data, _ = gql(balancer, DESIGN_QR, {"batch": lot["id"], "logo": upload.json()["fileId"]}, token)
    found = data["designQr"]
    assert found is not None
    png = get_on(balancer, local(found["pngUrl"]), not_(stored_on))
    assert png.status_code == 200, png.text[:500]
    image = Image.open(io.BytesIO(png.content))
    codes = [c.text for c in zxingcpp.read_barcodes(image)]
    assert codes == [found["link"]]
    assert green_pixels(image) > 0, (
        f"the uploaded logo ({GREEN}) is not in the code made on the other replica"
    )


def test_20_concurrent_label_runs_across_both_replicas_get_unique_gap_free_serials(
    cluster: Cluster, balancer: httpx.Client
) -> None:
    token = login(balancer, "producer@demo.ocop.vn")
    lot = producer_lot(balancer, token)
    counts = [3 + i % 5 for i in range(20)]

    async def runs() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=cluster.url, timeout=120) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        "/graphql",
                        json={"query": LABELS, "variables": {"batch": lot["id"], "count": count}},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    for count in counts
                )
            )

    responses = asyncio.run(runs())
    assert {r.headers["x-upstream"] for r in responses} == {
        f"127.0.0.1:{cluster.ports['a']}",
        f"127.0.0.1:{cluster.ports['b']}",
    }
    made = [r.json()["data"]["createLabelRun"] for r in responses]
    assert [m["errors"] for m in made] == [[]] * 20, made
    ranges = sorted((int(m["labelRun"]["firstSerial"]), int(m["labelRun"]["lastSerial"])) for m in made)
    assert sorted(last - first + 1 for first, last in ranges) == sorted(counts)
    for (_, last), (first, _) in itertools.pairwise(ranges):
        assert first == last + 1, ranges  # no serial given twice, none skipped
    all_runs = sql(cluster, "SELECT count(*) AS n FROM label_run")
    assert all_runs[0]["n"] >= 20


def test_a_recall_on_one_replica_shows_on_the_others_trace_page_and_resolver_within_1_s(
    cluster: Cluster, balancer: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    producer = login(balancer, "producer@demo.ocop.vn")
    admin = login(balancer, "admin@demo.ocop.vn")
    product = producer_lot(balancer, producer)["product"]
    lots = []
    for n in range(RECALLS):
        data, _ = gql(
            balancer,
            CREATE_LOT,
            {"input": {"productId": product["id"], "lotCode": f"CL-{n:03d}", "productionDate": "2026-11-01"}},
            producer,
        )
        assert data["createBatch"]["errors"] == [], data
        lots.append(data["createBatch"]["batch"])
    page_s, resolver_s = [], []
    for lot in lots:
        link = local(lot["digitalLink"])
        redirect = balancer.get(link)
        assert redirect.status_code in (302, 303, 307), redirect.text[:300]
        page = (
            local(redirect.headers["location"])
            if redirect.headers["location"].startswith("http")
            else redirect.headers["location"]
        )
        for _ in range(4):  # both replicas have the page (twice: the second from their caches)
            response = balancer.get(page)
            assert response.status_code == 200
            assert RECALL_BANNER not in response.text
        data, recorded_on = gql(
            balancer, RECALL, {"input": {"batchId": lot["id"], "reason": "Cluster"}}, admin
        )
        assert data["recordRecall"]["errors"] == [], data
        start = time.perf_counter()
        page_at = resolver_at = None
        while page_at is None or resolver_at is None:
            assert time.perf_counter() - start < 10, "the recall did not reach the other replica in 10 s"
            if page_at is None:
                response = get_on(balancer, page, not_(recorded_on))
                if RECALL_BANNER in response.text:
                    page_at = time.perf_counter() - start
            if resolver_at is None:
                linkset = get_on(balancer, link + "?linkType=linkset", not_(recorded_on))
                assert linkset.status_code == 200, linkset.text[:300]
                if "RECALLED" in linkset.text:
                    resolver_at = time.perf_counter() - start
            time.sleep(0.005)
        page_s.append(page_at)
        resolver_s.append(resolver_at)

    def p99(values: list[float]) -> float:
        ordered = sorted(values)  # nearest rank: with 20 recalls, the slowest
        return ordered[math.ceil(0.99 * len(ordered)) - 1]

    def figures(values: list[float]) -> str:
        return (
            f"p50 {statistics.median(values) * 1000:.0f} ms, p99 {p99(values) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms"
        )

    report = (
        f"recall propagation through nginx + PgBouncer, {RECALLS} recalls recorded on one replica, read on "
        f"the other: trace page {figures(page_s)}; resolver linkset {figures(resolver_s)}"
    )
    with capsys.disabled():  # the measured figures, shown whatever the capture mode
        print(f"\n{report}")
    assert p99(page_s) < 1.0, report
    assert p99(resolver_s) < 1.0, report


def test_a_worker_stopped_mid_render_hands_its_job_to_another_that_completes_it_once(
    cluster: Cluster, balancer: httpx.Client
) -> None:
    token = login(balancer, "organiser@demo.ocop.vn")
    data, _ = gql(balancer, FAIR_ID, {"slug": FAIR}, token)
    data, _ = gql(balancer, GENERATE, {"fair": data["fair"]["id"], "language": "EN"}, token)
    job_id = data["generateCatalog"]["job"]["id"]
    wait_job(balancer, token, job_id, {"RUNNING"})
    first = cluster.processes["worker"]
    first.send(signal.SIGTERM)  # a rolling update; its grace period (0.5 s) is shorter than the render
    assert first.stop(timeout=60) == 0
    log = first.log_path.read_text()
    assert "job put back in the queue" in log, log[-3000:]
    job = wait_job(balancer, token, job_id, {"QUEUED", "RUNNING", "SUCCEEDED"}, timeout=30)
    assert job["status"] == "QUEUED", job  # nobody runs it now

    second = cluster.start_worker()
    job = wait_job(balancer, token, job_id, {"SUCCEEDED"})
    assert "job succeeded" in second.log_path.read_text()
    row_id = int(from_base64(job_id)[1])
    rows = sql(cluster, f"SELECT status, attempts FROM job WHERE id = {row_id}")  # noqa: S608 - an int
    assert rows == [{"status": "succeeded", "attempts": 1}]  # completed once: the put-back did not count
