"""An office orders its printed programme report (issue 19 item 3): rendered as a job in the sandboxed
child, downloaded by a signed link; its figures are GraphQL's, its charts are vector paths, its Vietnamese
text extracts back as stored (NFC)."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from httpx import AsyncClient
from pdfminer.high_level import extract_text

from models import Job, JobStatus, Role, UnitEra
from services.common import settings
from services.jobs import queue as jobs
from services.registry.manage import find_province
from services.registry.report import job as report_job
from services.registry.report.figures import Figures
from tests.conftest import Database, gql
from tests.factories import token_for
from tests.registry.report_data import FIGURES, seed_report_registry

START = """
mutation($input: StartProgrammeReportInput!) {
  startProgrammeReport(input: $input) { job { id kind status downloadUrl } errors { field code message } }
}
"""
NODE = "query($id: ID!) { node(id: $id) { ... on Job { status error downloadUrl } } }"
SCOPE = {"kind": "PROVINCE", "code": "83"}
PERIOD = {"start": "2019-01-01", "end": "2021-12-31"}


@pytest.fixture(autouse=True)
def media(tmp_path: Path) -> Iterator[Path]:
    with settings.overridden(media_dir=tmp_path / "media", job_timeout_s=None, job_memory_mb=None):
        yield tmp_path / "media"


async def officer_of(code: str) -> str:
    province = await find_province(code, UnitEra.LEGACY)
    assert province is not None
    return await token_for(Role.PROVINCE_OFFICER, province_id=province.id)


async def start(client: AsyncClient, token: str | None, **changes: Any) -> dict[str, Any]:
    variables = {"input": {"scope": SCOPE, "period": PERIOD, "language": "VI"} | changes}
    body = await gql(client, START, variables, token=token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["startProgrammeReport"]
    return payload


def _operators(pdf: pikepdf.Pdf) -> Counter[str]:
    """Every content-stream operator of every page, form XObjects (where WeasyPrint puts SVG) included."""
    counted: Counter[str] = Counter()
    seen: set[tuple[int, int]] = set()

    def walk(stream: Any, resources: Any) -> None:
        for instruction in pikepdf.parse_content_stream(stream):
            counted[str(instruction.operator)] += 1
        for xobject in (resources.get("/XObject") or {}).values():
            key = xobject.objgen
            if key in seen:
                continue
            seen.add(key)
            if xobject.get("/Subtype") == "/Image":
                counted["image"] += 1
            elif xobject.get("/Subtype") == "/Form":
                walk(xobject, xobject.get("/Resources") or {})

    for page in pdf.pages:
        walk(page, page.obj.get("/Resources") or {})
    return counted


async def test_an_officer_orders_the_report_and_downloads_it(client: AsyncClient, db: Database) -> None:
    await seed_report_registry()
    officer = await officer_of("83")
    payload = await start(client, officer)
    assert payload["errors"] == []
    assert payload["job"]["kind"] == "PROGRAMME_REPORT"
    assert payload["job"]["status"] == "QUEUED"  # rendered by a worker, not in the request

    assert await jobs.LocalWorker("test-worker").drain() == 1
    job = await Job.get()
    assert job.status == JobStatus.SUCCEEDED, job.error
    body = await gql(client, NODE, {"id": payload["job"]["id"]}, token=officer)
    url = body["data"]["node"]["downloadUrl"]
    response = await client.get(url.removeprefix("https://ocop.test"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf_bytes = response.content

    # The report's figures are GraphQL's: the prepared data the PDF was drawn from, and the PDF's tables.
    data = await report_job.KIND.prepare(job.params)
    printed: Figures = data.figures
    body = await gql(client, FIGURES, {"scope": SCOPE, "period": PERIOD})
    api = body["data"]["programmeFigures"]
    assert api["products"] == printed.products == 2  # Bến Tre by 2021: Kẹo dừa and Bưởi
    assert [(s["key"], s["count"]) for s in api["byStars"]] == [(s.key, s.count) for s in printed.by_stars]
    assert [(g["key"], g["count"]) for g in api["byGroup"]] == [(g.key, g.count) for g in printed.by_group]
    assert [
        (y["year"], y["newThreeStars"], y["newFourStars"], y["newFiveStars"], y["expired"])
        for y in api["byYear"]
    ] == [(y.year, *y.new_by_stars, y.expired) for y in printed.by_year]
    assert [(p["code"], p["products"], p["newCertificates"]) for p in api["pilots"]] == [
        (p.code, p.products, p.new_certificates) for p in printed.pilots
    ]
    assert (api["newCertificates"], api["expiredCertificates"], api["expiringCount"]) == (
        printed.new_certificates,
        printed.expired_certificates,
        len(printed.expiring),
    )

    text = extract_text(io.BytesIO(pdf_bytes))
    # Vietnamese comes back exactly as stored (NFC; the product was registered in NFD), not normalised here.
    assert unicodedata.is_normalized("NFC", text)
    for expected in (
        "Rượu Phú Lễ",
        "HTX Dừa Xanh Giồng Trôm (demo)",
        "Chứng nhận mới và hết hạn theo năm",
        "So sánh các tỉnh chỉ đạo điểm 2019",
        "Tỉnh Bến Tre",
    ):
        assert expected in text, expected

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        operators = _operators(pdf)
        fonts = {
            str(o.get("/BaseFont"))
            for o in pdf.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"
        }
    # Charts are vectors: bars are filled paths, axes stroked lines, and no picture is embedded.
    assert operators["image"] == 0
    assert operators["re"] + operators["l"] + operators["c"] > 200
    assert operators["f"] + operators["f*"] > 30
    assert operators["S"] > 20
    # One font, embedded: Be Vietnam Pro (the charts' text included: nothing fell back to another font).
    assert fonts
    assert all("Be-Vietnam-Pro" in f or "BeVietnamPro" in f for f in fonts), fonts


async def test_only_the_provinces_officers_and_central_admins_order_reports(
    client: AsyncClient, db: Database
) -> None:
    other = await officer_of("46")
    for token in (other, None):
        refused = await start(client, token)
        assert refused["job"] is None
        assert refused["errors"][0]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
    country = await start(client, await officer_of("83"), scope={"kind": "COUNTRY"})
    assert country["errors"][0]["code"] == "FORBIDDEN"  # the country is for central admins
    admin = await token_for(Role.CENTRAL_ADMIN)
    # The language is an enum: GraphQL refuses any other value before the service is reached.
    variables = {"input": {"scope": SCOPE, "period": PERIOD, "language": "fr"}}
    bad = await gql(client, START, variables, token=admin)
    assert "ReportLanguage" in bad["errors"][0]["message"], bad
    ok = await start(client, admin, scope={"kind": "REGION", "code": "DBSCL"}, language="BILINGUAL")
    assert ok["errors"] == []
    assert await Job.all().count() == 1
