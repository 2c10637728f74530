"""Helpers of the spreadsheet tests: build files in the template, upload them as an officer's client does,
run the jobs, read the reports."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from httpx import AsyncClient
from strawberry.relay import to_base64

from services.jobs import queue as jobs
from services.registry.spreadsheets import export, template
from tests.conftest import gql

UPLOAD_URL = "mutation { registryImportUploadUrl { url errors { field code message } } }"
START = """
mutation($file: String!, $dryRun: Boolean!) {
  startRegistryImport(input: {file: $file, dryRun: $dryRun}) { job { id status } errors { field code message } }
}
"""
CONFIRM = """
mutation($job: ID!) { confirmRegistryImport(input: {jobId: $job}) { job { id } errors { field code message } } }
"""
REPORT = """
query($job: ID!) {
  registryImport(jobId: $job) {
    job { status error }
    report {
      dryRun applied rows problemCount
      problems { row column header code message messageVi messageEn }
      counts { producers { create update unchanged } products { create update unchanged }
               evaluations { create update unchanged } }
      actions { row producer product evaluation }
    }
  }
}
"""
EXPORT = """
mutation($filter: ProductFilter, $format: RegistryExportFormat!) {
  startRegistryExport(input: {filter: $filter, format: $format}) { job { id } errors { field code message } }
}
"""
JOB = "query($id: ID!) { node(id: $id) { ... on Job { status error downloadUrl } } }"


def row(**values: Any) -> dict[str, object]:
    """A valid row (a Bến Tre co-operative's 4★ product under QĐ 1048), with `values` replaced."""
    base: dict[str, object] = {
        "tax_code": "1300790174",
        "producer_name": "HTX Thử Nhập Liệu (demo)",
        "producer_kind": "Hợp tác xã",
        "commune_code": "29044",
        "unit_era": "Trước 01/7/2025",
        "address_line": "Ấp 3",
        "product_name": "Bánh phồng Sơn Đốc nhập thử",
        "gtin": "8936131800016",
        "product_criteria_set": "148",
        "group": "1",
        "subgroup": "1.2",
        "criteria_set": "1048",
        "score_a": 25,
        "score_b": 17,
        "score_c": 30,
        "stars": 4,
        "level": "Tỉnh",
        "decision_number": "2816/QĐ-UBND",
        "decision_date": dt.date(2019, 12, 20),
        "evaluation_date": dt.date(2019, 11, 28),
    }
    base.update(values)
    return base


def csv_file(rows: list[dict[str, object]]) -> bytes:
    return template.csv_bytes(rows)


def xlsx_file(rows: list[dict[str, object]]) -> bytes:
    return export.xlsx_bytes(rows)


async def upload(client: AsyncClient, token: str, body: bytes) -> str:
    answer = await gql(client, UPLOAD_URL, token=token)
    url = answer["data"]["registryImportUploadUrl"]["url"]
    assert url, answer
    parts = urlsplit(url)
    response = await client.put(f"{parts.path}?{parts.query}", content=body)
    assert response.status_code == 200, response.text
    file: str = response.json()["file"]
    return file


async def start(client: AsyncClient, token: str, file: str, *, dry_run: bool = True) -> str:
    body = await gql(client, START, {"file": file, "dryRun": dry_run}, token=token)
    payload = body["data"]["startRegistryImport"]
    assert payload["errors"] == [], payload
    job_id: str = payload["job"]["id"]
    return job_id


async def run_jobs() -> int:
    return await jobs.LocalWorker("spreadsheet-test").drain()


async def report(client: AsyncClient, token: str, job_id: str, lang: str | None = None) -> dict[str, Any]:
    body = await gql(client, REPORT, {"job": job_id}, token=token, lang=lang)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["registryImport"]
    assert found["job"]["status"] == "SUCCEEDED", found
    return found["report"]  # type: ignore[no-any-return]


async def import_file(
    client: AsyncClient, token: str, body: bytes, *, dry_run: bool = True, lang: str | None = None
) -> dict[str, Any]:
    """Upload, start, run and report, as an officer's client does."""
    job_id = await start(client, token, await upload(client, token, body), dry_run=dry_run)
    await run_jobs()
    return await report(client, token, job_id, lang)


def problems(found: dict[str, Any]) -> set[tuple[int, str, str]]:
    return {(p["row"], p["column"], p["code"]) for p in found["problems"]}


async def export_file(
    client: AsyncClient, token: str | None, fmt: str, filters: dict[str, Any] | None = None
) -> bytes:
    body = await gql(client, EXPORT, {"filter": filters, "format": fmt.upper()}, token=token)
    payload = body["data"]["startRegistryExport"]
    assert payload["errors"] == [], payload
    await run_jobs()
    node = (await gql(client, JOB, {"id": payload["job"]["id"]}, token=token))["data"]["node"]
    assert node["status"] == "SUCCEEDED", node
    parts = urlsplit(node["downloadUrl"])
    response = await client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.text
    return response.content


def job_global_id(job_id: int) -> str:
    return to_base64("Job", job_id)
