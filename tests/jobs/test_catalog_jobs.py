"""Catalogs as jobs: `generateCatalog`, the `Job` node, the download link and the public catalog route.
The mechanics run with a stand-in renderer (cheap, same kind name and rules); the last test renders a real
catalog when the renderer is there."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from httpx import AsyncClient
from strawberry.relay import to_base64

from models import AuditEntry, Fair, FairStatus, Job, JobStatus, Role
from services.common import storage
from services.fairs.catalog import job as catalog_job
from services.jobs import queue as jobs
from tests.conftest import Database, gql
from tests.factories import make_producer, token_for
from tests.jobs import kinds
from tests.jobs.conftest import make_fair

SLUG = "hoi-cho-ocop-du-lich-2019"
VALIDATION = "GRAPHQL_VALIDATION_FAILED"

GENERATE = """
mutation($fair: ID!, $language: CatalogLanguage!, $format: CatalogFormat!) {
  generateCatalog(input: {fairId: $fair, language: $language, format: $format}) {
    job { id kind status progress downloadUrl }
    errors { field code message }
  }
}
"""

NODE = """
query($id: ID!) { node(id: $id) { ... on Job { id kind status progress error createdAt finishedAt downloadUrl } } }
"""


async def _prepare_from_fair(params: Any) -> dict[str, Any]:
    fair = await Fair.get(id=params["fair_id"])
    return {
        "fair": fair.name,
        "status": fair.status,
        "language": params["language"],
        "paper": params["paper"],
    }


@pytest.fixture
def stand_in_renderer() -> Iterator[None]:
    real = jobs.KINDS[catalog_job.CATALOG]
    jobs.register(
        dataclasses.replace(
            real, prepare=_prepare_from_fair, render=kinds.render_fake_pdf, version=lambda: "stand-in"
        )
    )
    yield
    jobs.register(real)


async def run_all() -> int:
    return await jobs.LocalWorker("test-worker").drain()


def fair_id(fair: Fair) -> str:
    return to_base64("Fair", fair.id)


async def generate(
    client: AsyncClient, fair: Fair, token: str | None, language: str = "VI", paper: str = "A4"
) -> dict[str, Any]:
    body = await gql(
        client, GENERATE, {"fair": fair_id(fair), "language": language, "format": paper}, token=token
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["generateCatalog"]
    return payload


async def node(client: AsyncClient, job_id: str, token: str | None) -> dict[str, Any] | None:
    body = await gql(client, NODE, {"id": job_id}, token=token)
    assert "errors" not in body, body
    found: dict[str, Any] | None = body["data"]["node"]
    return found


@pytest.mark.usefixtures("stand_in_renderer")
async def test_an_organiser_generates_the_catalog_and_downloads_it(client: AsyncClient, db: Database) -> None:
    fair = await make_fair(SLUG)
    organiser = await token_for(Role.FAIR_ORGANISER, fair_scope=SLUG)

    payload = await generate(client, fair, organiser)
    assert payload["errors"] == []
    job = payload["job"]
    assert job["kind"] == "CATALOG"
    assert job["status"] == "QUEUED"
    assert job["progress"] == 0
    assert job["downloadUrl"] is None
    assert await Job.all().count() == 1  # queued, not rendered in the request
    assert await AuditEntry.filter(action="generateCatalog", object_type="Job", succeeded=True).exists()

    assert await run_all() == 1
    done = await node(client, job["id"], organiser)
    assert done is not None
    assert done["status"] == "SUCCEEDED"
    assert done["progress"] == 100
    assert done["error"] is None
    assert done["finishedAt"] is not None
    url = done["downloadUrl"]
    row = await Job.get()
    assert url.startswith(f"https://ocop.test/jobs/{row.id}/result?expires=")

    response = await client.get(url.removeprefix("https://ocop.test"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="catalog-{SLUG}-vi-A4.pdf"'
    assert response.content.startswith(b"%PDF-")

    again = await generate(client, fair, organiser)
    assert again["job"]["id"] == job["id"]  # the same data: the same catalog, at once
    assert again["job"]["status"] == "SUCCEEDED"
    assert again["job"]["downloadUrl"] is not None
    other_paper = await generate(client, fair, organiser, paper="A5")
    assert other_paper["job"]["id"] != job["id"]


@pytest.mark.usefixtures("stand_in_renderer")
async def test_changed_data_makes_a_new_catalog(client: AsyncClient, db: Database) -> None:
    fair = await make_fair(SLUG)
    admin = await token_for(Role.CENTRAL_ADMIN)
    first = (await generate(client, fair, admin))["job"]
    await run_all()
    await Fair.filter(id=fair.id).update(name="Hội chợ OCOP 2019, đổi tên (demo)")
    second = (await generate(client, fair, admin))["job"]
    assert second["id"] != first["id"]
    assert second["status"] == "QUEUED"


@pytest.mark.usefixtures("stand_in_renderer")
@pytest.mark.parametrize(
    ("role", "scope", "code"),
    [
        (None, {}, "UNAUTHENTICATED"),
        (Role.PRODUCER_MEMBER, {}, "FORBIDDEN"),
        (Role.FAIR_ORGANISER, {"fair_scope": "another-fair-2020"}, "FORBIDDEN"),
        (Role.CONSULTANT, {}, "FORBIDDEN"),
    ],
)
async def test_only_organisers_and_central_admins_generate_catalogs(
    client: AsyncClient, db: Database, role: Role | None, scope: dict[str, Any], code: str
) -> None:
    fair = await make_fair(SLUG, status=FairStatus.PUBLISHED)  # published or not: organisers only
    if role == Role.PRODUCER_MEMBER:
        scope = {"producer_id": (await make_producer()).id}
    token = await token_for(role, **scope) if role is not None else None
    payload = await generate(client, fair, token)
    assert payload["job"] is None
    assert [e["code"] for e in payload["errors"]] == [code]
    assert await Job.all().count() == 0


@pytest.mark.usefixtures("stand_in_renderer")
async def test_a_catalog_job_is_read_by_its_fair_organisers_only(client: AsyncClient, db: Database) -> None:
    fair = await make_fair(SLUG)
    organiser = await token_for(Role.FAIR_ORGANISER, fair_scope=SLUG)
    colleague = await token_for(Role.FAIR_ORGANISER, fair_scope=SLUG)
    admin = await token_for(Role.CENTRAL_ADMIN)
    elsewhere = await token_for(Role.FAIR_ORGANISER, fair_scope="another-fair-2020")
    producer = await token_for(Role.PRODUCER_MEMBER, producer_id=(await make_producer()).id)
    job_id = (await generate(client, fair, organiser))["job"]["id"]

    for reader in (organiser, colleague, admin):
        found = await node(client, job_id, reader)
        assert found is not None
        assert found["id"] == job_id
    for outsider in (elsewhere, producer, None):
        assert await node(client, job_id, outsider) is None
    bare = f"/jobs/{(await Job.get()).id}/result"
    await run_all()
    ok = await client.get(bare, headers={"authorization": f"Bearer {colleague}"})
    assert ok.status_code == 200
    refused = await client.get(bare, headers={"authorization": f"Bearer {elsewhere}"})
    assert refused.status_code == 404


@pytest.mark.usefixtures("stand_in_renderer")
async def test_language_and_format_are_checked(client: AsyncClient, db: Database) -> None:
    fair = await make_fair(SLUG)
    admin = await token_for(Role.CENTRAL_ADMIN)
    # Closed sets are enums: a value outside them is refused before the mutation runs, naming the variable.
    variables = {"fair": fair_id(fair), "language": "FR", "format": "Letter"}
    body = await gql(client, GENERATE, variables, token=admin)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [VALIDATION, VALIDATION]
    assert "$language" in body["errors"][0]["message"]
    assert "$format" in body["errors"][1]["message"]
    lowercase = await gql(client, GENERATE, {**variables, "language": "vi", "format": "A4"}, token=admin)
    assert lowercase["data"] is None  # the enum's names, not the old strings
    assert await Job.all().count() == 0
    for language in catalog_job.CatalogLanguage:
        assert (await generate(client, fair, admin, language=language.name, paper="A5"))["errors"] == []


async def test_an_unknown_fair_is_not_found(client: AsyncClient, db: Database) -> None:
    admin = await token_for(Role.CENTRAL_ADMIN)
    organiser = await token_for(Role.FAIR_ORGANISER, fair_scope=SLUG)
    missing = Fair(id=987654, slug="missing")
    assert [e["code"] for e in (await generate(client, missing, admin))["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in (await generate(client, missing, organiser))["errors"]] == ["FORBIDDEN"]


@pytest.mark.usefixtures("stand_in_renderer")
async def test_the_public_downloads_the_catalog_of_a_published_fair(
    client: AsyncClient, db: Database
) -> None:
    draft = await make_fair("hoi-cho-nhap-2020")
    assert (await client.get("/fairs/hoi-cho-nhap-2020/catalog.pdf")).status_code == 404
    assert (await client.get("/fairs/no-such-fair/catalog.pdf")).status_code == 404
    assert await Job.all().count() == 0
    assert draft.status == FairStatus.DRAFT

    await make_fair(SLUG, status=FairStatus.PUBLISHED)
    url = f"/fairs/{SLUG}/catalog.pdf?lang=en&paper=A5"
    pending = await client.get(url)
    assert pending.status_code == 202
    assert pending.headers["retry-after"] == "5"
    assert pending.json() == {"status": "queued", "progress": 0}
    assert (await client.get(url)).status_code == 202
    assert await Job.all().count() == 1  # asked twice, queued once

    await run_all()
    ready = await client.get(url)
    assert ready.status_code == 200
    assert ready.headers["content-type"] == "application/pdf"
    assert ready.headers["content-disposition"] == f'inline; filename="catalog-{SLUG}-en-A5.pdf"'
    assert ready.headers["cache-control"] == "public, max-age=300"
    assert b"'language': 'en'" in ready.content
    assert (await client.get(url, headers={"if-none-match": ready.headers["etag"]})).status_code == 304

    bad = await client.get(f"/fairs/{SLUG}/catalog.pdf?lang=fr")
    assert bad.status_code == 400
    [error] = bad.json()["errors"]
    assert (error["field"], error["code"]) == ("language", "INVALID")
    english = await client.get(f"/fairs/{SLUG}/catalog.pdf?lang=fr", headers={"accept-language": "en"})
    assert "Language" in english.json()["errors"][0]["message"]


@pytest.mark.usefixtures("stand_in_renderer")
async def test_a_failed_public_catalog_is_not_retried_by_the_public(
    client: AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = dataclasses.replace(jobs.KINDS[catalog_job.CATALOG], render=kinds.render_bug)
    monkeypatch.setitem(jobs.KINDS, catalog_job.CATALOG, broken)
    await make_fair(SLUG, status=FairStatus.PUBLISHED)
    assert (await client.get(f"/fairs/{SLUG}/catalog.pdf")).status_code == 202
    await run_all()
    failed = await client.get(f"/fairs/{SLUG}/catalog.pdf")
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["code"] == "RENDER_FAILED"
    assert failed.headers["retry-after"] == "600"
    assert await Job.filter(status=JobStatus.FAILED).count() == 1
    assert await Job.all().count() == 1


async def test_a_real_catalog_end_to_end(client: AsyncClient, db: Database) -> None:
    """The real renderer (WeasyPrint) in the child process, when it is there."""
    pytest.importorskip("services.fairs.catalog.render")
    fair = await make_fair(SLUG, status=FairStatus.PUBLISHED)
    admin = await token_for(Role.CENTRAL_ADMIN)
    payload = await generate(client, fair, admin, language="BILINGUAL")
    assert payload["errors"] == []
    assert await run_all() == 1
    done = await Job.get()
    assert done.status == JobStatus.SUCCEEDED, done.error
    key = jobs.result_key(done)
    assert key is not None
    assert (await storage.current().read_bytes(key)).startswith(b"%PDF-")


ETA = """
query($id: ID!) { node(id: $id) { ... on Job { status progress etaSeconds } } }
"""


async def test_a_running_job_tells_its_estimated_time_left(client: AsyncClient, db: Database) -> None:
    """Extrapolated from its progress: 25 % in 30 s leaves about 90 s; nothing to tell before the first
    progress or once finished."""
    fair = await make_fair(SLUG, status=FairStatus.PUBLISHED)
    admin = await token_for(Role.CENTRAL_ADMIN)
    now = jobs._now()
    params = {"fair_id": fair.id, "slug": SLUG, "language": "vi", "paper": "A4", "base_url": "http://x"}
    running = await Job.create(
        kind=catalog_job.CATALOG, params=params, input_hash="a" * 64, status=JobStatus.RUNNING,
        started_at=now - dt.timedelta(seconds=30), progress=25, worker="w",
    )  # fmt: skip
    starting = await Job.create(
        kind=catalog_job.CATALOG, params=params, input_hash="b" * 64, status=JobStatus.RUNNING,
        started_at=now, progress=0, worker="w",
    )  # fmt: skip
    done = await Job.create(
        kind=catalog_job.CATALOG, params=params, input_hash="c" * 64, status=JobStatus.SUCCEEDED,
        started_at=now - dt.timedelta(seconds=60), progress=100,
    )  # fmt: skip

    async def eta(job: Job) -> dict[str, Any]:
        body = await gql(client, ETA, {"id": to_base64("Job", job.id)}, token=admin)
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]["node"]
        return found

    found = await eta(running)
    assert found["progress"] == 25
    assert 85 <= found["etaSeconds"] <= 100
    for job in (starting, done):
        assert (await eta(job))["etaSeconds"] is None
