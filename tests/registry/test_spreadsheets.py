"""Registry spreadsheets (issue 19): the template, imports (dry run, confirmation, all or nothing,
idempotence, province scoping, every error class) and exports that import back unchanged; on SQLite and
PostgreSQL. The jobs run for real: the file is read in a sandboxed child, then checked and written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpx import AsyncClient

from models import AuditEntry, Evaluation, Producer, Product, Role, UnitEra
from services.common import settings
from services.registry.manage import find_province
from services.registry.spreadsheets import parse, template
from tests.conftest import Database, gql
from tests.factories import make_producer, make_product, tax_code, token_for
from tests.registry.spreadsheet_helpers import (
    CONFIRM,
    UPLOAD_URL,
    csv_file,
    export_file,
    import_file,
    problems,
    report,
    row,
    run_jobs,
    start,
    upload,
    xlsx_file,
)


@pytest.fixture(autouse=True)
def media(tmp_path: Path) -> Iterator[Path]:
    with settings.overridden(media_dir=tmp_path / "media", job_timeout_s=None, job_memory_mb=None):
        yield tmp_path / "media"


async def counts() -> tuple[int, int, int]:
    return await Producer.all().count(), await Product.all().count(), await Evaluation.all().count()


async def test_the_template_has_bilingual_headers_lists_and_an_example_that_is_not_imported(
    client: AsyncClient, admin_token: str
) -> None:
    answer = await gql(
        client, "{ spreadsheetTemplate { xlsxUrl csvUrl columns { key header headerEn required } } }"
    )
    info = answer["data"]["spreadsheetTemplate"]
    assert info["xlsxUrl"].endswith("/registry/spreadsheet-template.xlsx")
    assert [c["key"] for c in info["columns"]] == list(template.KEYS)
    downloaded = await client.get("/registry/spreadsheet-template.xlsx")
    assert downloaded.status_code == 200
    cells = parse.read_bytes(downloaded.content, "xlsx")
    assert cells[0][:3] == ("STT", "Mã số thuế", "Tên chủ thể")
    assert cells[1][:3] == ("No.", "Tax code", "Producer name")
    assert cells[2][0] == "Ví dụ"
    assert cells[2][7] == "Kẹo dừa truyền thống Phú Hưng"
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(downloaded.content))
    validations = book[template.SHEET_TITLE].data_validations.dataValidation
    assert any("Danh mục" in str(v.formula1) for v in validations)
    # The template as downloaded imports nothing: its example row is skipped.
    for fmt in ("xlsx", "csv"):
        body = (await client.get(f"/registry/spreadsheet-template.{fmt}")).content
        found = await import_file(client, admin_token, body)
        assert (found["rows"], found["problemCount"], found["actions"]) == (0, 0, [])


async def test_every_error_class_is_reported_with_row_column_and_both_languages(
    client: AsyncClient, db: Database, admin_token: str
) -> None:
    rows = [
        row(),  # row 3: fine
        row(product_name="Sản phẩm xã lạ", gtin=None, commune_code="99999", tax_code=tax_code(1)),  # 4
        row(product_name="Mã thuế sai", gtin=None, tax_code="1300790175"),  # 5
        row(product_name="GTIN sai", gtin="8936131800017"),  # 6
        row(product_name="Sáu sao", gtin=None, decision_number="9/QĐ", stars=6),  # 7
        row(
            product_name="Sao lệch", gtin=None, decision_number="10/QĐ", stars=5, level="Trung ương"
        ),  # 8: 72 is 4★
        row(product_name="Điểm vượt", gtin=None, decision_number="11/QĐ", score_a=36, stars=4),  # 9
        row(),  # 10: the same product and decision as row 3
        row(
            product_name="Ngày sai", gtin=None, decision_date=dt.date(2019, 11, 1)
        ),  # 11: before its evaluation
        row(product_name="Nhóm lạ", gtin=None, group="9"),  # 12
        row(product_name="", gtin=None, producer_kind="Công ty"),  # 13
    ]
    before = await counts()
    found = await import_file(client, admin_token, csv_file(rows))
    assert found["dryRun"]
    assert not found["applied"]
    assert found["rows"] == 11
    assert problems(found) == {
        (4, "commune_code", "NOT_FOUND"),
        (5, "tax_code", "INVALID_TAX_CODE"),
        (6, "gtin", "INVALID_CHECK_DIGIT"),
        (7, "stars", "OUT_OF_RANGE"),
        (8, "stars", "OUT_OF_RANGE"),
        (9, "score_a", "OUT_OF_RANGE"),
        (10, "decision_number", "UNIQUE"),
        (11, "decision_date", "INVALID_DATE_RANGE"),
        (12, "group", "NOT_FOUND"),
        (13, "product_name", "REQUIRED"),
        (13, "producer_kind", "INVALID"),
    }
    by_row = {p["row"]: p for p in found["problems"]}
    assert by_row[5]["header"] == "Mã số thuế"
    assert by_row[5]["messageVi"].startswith("Mã số thuế '1300790175' không hợp lệ")
    assert by_row[5]["messageEn"].startswith("Invalid tax code '1300790175'")
    assert by_row[8]["messageEn"] == "72 points is 4 stars, not 5."
    # The good row is planned; nothing is written by a dry run.
    assert found["actions"] == [{"row": 3, "producer": "create", "product": "create", "evaluation": "create"}]
    assert await counts() == before
    english = await import_file(client, admin_token, csv_file(rows[2:3]), lang="en")
    assert english["problems"][0]["message"].startswith("Invalid tax code")


async def test_a_confirmed_import_writes_everything_once_and_a_reimport_changes_nothing(
    client: AsyncClient, db: Database, admin_token: str
) -> None:
    rows = [
        row(),
        row(product_name="Bánh phồng sữa nhập thử", gtin=None, decision_number="2817/QĐ-UBND"),
        row(
            tax_code=tax_code(7),
            producer_name="Hộ Nguyễn Văn Nhập (demo)",
            producer_kind="Hộ kinh doanh",
            product_name="Kẹo dừa nhập thử",
            gtin=None,
            criteria_set=None,
            score_a=None,
            score_b=None,
            score_c=None,
            stars=None,
            level=None,
            decision_number=None,
            decision_date=None,
            evaluation_date=None,
        ),
    ]
    body = xlsx_file(rows)
    file = await upload(client, admin_token, body)
    dry_run = await start(client, admin_token, file)
    await run_jobs()
    planned = await report(client, admin_token, dry_run)
    assert planned["counts"] == {
        "producers": {"create": 2, "update": 0, "unchanged": 0},
        "products": {"create": 3, "update": 0, "unchanged": 0},
        "evaluations": {"create": 2, "update": 0, "unchanged": 0},
    }
    assert await counts() == (0, 0, 0)
    confirmed = await gql(client, CONFIRM, {"job": dry_run}, token=admin_token)
    assert confirmed["data"]["confirmRegistryImport"]["errors"] == []
    await run_jobs()
    done = await report(client, admin_token, confirmed["data"]["confirmRegistryImport"]["job"]["id"])
    assert (done["dryRun"], done["applied"], done["problemCount"]) == (False, True, 0)
    assert await counts() == (2, 3, 2)
    product = await Product.get(gtin="08936131800016").prefetch_related("latest_certificate")
    assert product.name == "Bánh phồng Sơn Đốc nhập thử"
    certificate = await Evaluation.get(product_id=product.id)
    assert (certificate.stars, certificate.total, certificate.status) == (4, 72, "certified")
    assert certificate.valid_until == dt.date(2022, 12, 19)
    assert product.latest_certificate_id == certificate.id
    assert await AuditEntry.filter(action="applyRegistryImport", succeeded=True).count() == 1
    stamps = sorted(str(p.updated_at) for p in await Producer.all())
    # The same file again, dry run and for real: nothing to create or update, nothing written.
    again = await import_file(client, admin_token, body, dry_run=False)
    assert again["applied"]
    assert again["counts"] == {
        "producers": {"create": 0, "update": 0, "unchanged": 2},
        "products": {"create": 0, "update": 0, "unchanged": 3},
        "evaluations": {"create": 0, "update": 0, "unchanged": 2},
    }
    assert await counts() == (2, 3, 2)
    assert sorted(str(p.updated_at) for p in await Producer.all()) == stamps
    # A changed address is an update of that producer only.
    moved = await import_file(client, admin_token, csv_file([row(address_line="Ấp 5")]), dry_run=False)
    assert moved["counts"]["producers"] == {"create": 0, "update": 1, "unchanged": 0}
    assert (await Producer.get(tax_code="1300790174")).address_line == "Ấp 5"


async def test_one_bad_row_writes_nothing_and_a_dry_run_with_problems_cannot_be_confirmed(
    client: AsyncClient, db: Database, admin_token: str
) -> None:
    rows = [row(), row(product_name="Bưởi", gtin=None, tax_code=tax_code(3), commune_code="99999")]
    found = await import_file(client, admin_token, csv_file(rows), dry_run=False)
    assert (found["applied"], problems(found)) == (False, {(4, "commune_code", "NOT_FOUND")})
    assert await counts() == (0, 0, 0)
    dry_run = await start(client, admin_token, await upload(client, admin_token, csv_file(rows)))
    await run_jobs()
    refused = await gql(client, CONFIRM, {"job": dry_run}, token=admin_token)
    assert refused["data"]["confirmRegistryImport"]["errors"][0]["code"] == "NOT_ALLOWED"
    assert await counts() == (0, 0, 0)


async def test_officers_import_only_within_their_province_and_producers_not_at_all(
    client: AsyncClient, db: Database
) -> None:
    bentre = await find_province("83", UnitEra.LEGACY)
    assert bentre is not None
    officer = await token_for(Role.PROVINCE_OFFICER, province_id=bentre.id)
    dong_thap = await make_producer(
        name="HTX Sen Tháp Mười (demo)", communeCode="30052", taxCode=tax_code(11)
    )
    rows = [
        row(),
        row(tax_code=tax_code(12), commune_code="30052", product_name="Trà sen", gtin=None),  # Đồng Tháp
        row(
            tax_code=dong_thap.tax_code,
            producer_name=dong_thap.name,
            commune_code="30052",
            product_name="Sen sấy",
            gtin=None,
            decision_number="5/QĐ",
        ),
        row(
            product_name="Kẹo 5 sao",
            gtin=None,
            score_a=33,
            score_b=24,
            score_c=38,
            stars=5,
            level="Trung ương",
            decision_number="6/QĐ",
        ),
    ]
    found = await import_file(client, officer, csv_file(rows), dry_run=False)
    assert not found["applied"]
    assert problems(found) == {
        (4, "commune_code", "FORBIDDEN"),
        (5, "commune_code", "FORBIDDEN"),
        (5, "tax_code", "FORBIDDEN"),
        (6, "level", "FORBIDDEN"),
    }
    assert await Product.all().count() == 0
    allowed = await import_file(client, officer, csv_file(rows[:1]), dry_run=False)
    assert allowed["applied"]
    assert await Product.all().count() == 1
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=dong_thap.id)
    refused = await gql(client, UPLOAD_URL, token=member)
    assert refused["data"]["registryImportUploadUrl"]["errors"][0]["code"] == "FORBIDDEN"
    anonymous = await gql(client, UPLOAD_URL)
    assert anonymous["data"]["registryImportUploadUrl"]["errors"][0]["code"] == "UNAUTHENTICATED"
    # Another officer cannot read this officer's import.
    other = await token_for(Role.PROVINCE_OFFICER, province_id=bentre.id)
    job = await start(client, officer, await upload(client, officer, csv_file(rows[:1])))
    unseen = await gql(
        client, "query($j: ID!) { registryImport(jobId: $j) { report { rows } } }", {"j": job}, token=other
    )
    assert unseen["data"]["registryImport"] is None


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
async def test_an_export_imports_back_unchanged_and_follows_the_filter(
    client: AsyncClient, db: Database, admin_token: str, fmt: str
) -> None:
    seeded = await import_file(
        client,
        admin_token,
        csv_file(
            [
                row(),
                row(product_name="Bánh phồng sữa nhập thử", gtin=None, decision_number="2817/QĐ-UBND"),
                row(
                    tax_code=None,
                    producer_name="Hộ Lê Thị Mười (demo)",
                    producer_kind="Hộ kinh doanh",
                    product_name="Chổi Mỹ An",
                    gtin=None,
                    group="4",
                    subgroup=None,
                    decision_number="7/QĐ",
                ),
            ]
        ),
        dry_run=False,
    )
    assert seeded["applied"], seeded["problems"]
    unpublished = await make_product(
        await make_producer(taxCode=tax_code(20)), name="Chưa công bố", isPublished=False
    )
    exported = await export_file(client, admin_token, fmt)
    cells = parse.read_bytes(exported, fmt)
    assert len(cells) == 2 + 4
    assert [c[7] for c in cells[2:]].count(unpublished.name) == 1  # central admins see unpublished products
    back = await import_file(client, admin_token, exported)
    assert back["problemCount"] == 0, back["problems"]
    assert back["counts"] == {
        "producers": {"create": 0, "update": 0, "unchanged": 3},
        "products": {"create": 0, "update": 0, "unchanged": 4},
        "evaluations": {"create": 0, "update": 0, "unchanged": 3},
    }
    # A producer member sees published products only; the filter is that of `products`.
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=(await Producer.get(tax_code="1300790174")).id)
    public_cells = parse.read_bytes(await export_file(client, member, fmt), fmt)
    assert unpublished.name not in [c[7] for c in public_cells[2:]]
    filtered = parse.read_bytes(await export_file(client, admin_token, fmt, {"search": "choi my an"}), fmt)
    assert [c[7] for c in filtered[2:]] == ["Chổi Mỹ An"]


async def test_uploads_are_refused_when_too_large_or_not_a_sheet(
    client: AsyncClient, db: Database, admin_token: str
) -> None:
    from urllib.parse import urlsplit

    url = urlsplit(
        (await gql(client, UPLOAD_URL, token=admin_token))["data"]["registryImportUploadUrl"]["url"]
    )
    target = f"{url.path}?{url.query}"
    old_excel = await client.put(target, content=b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert old_excel.status_code == 415
    assert ".xlsx" in old_excel.text
    with settings.overridden(upload_max_mb=0.001):
        large = await client.put(target, content=b"a,b\n" * 1000)
    assert large.status_code == 413
    forged = await client.put("/registry/imports/upload?token=1.9999999999.abc", content=b"a,b\n")
    assert forged.status_code in (401, 403, 410)


async def test_a_sheet_without_the_template_headers_is_one_problem_on_row_1(
    client: AsyncClient, db: Database, admin_token: str
) -> None:
    found = await import_file(client, admin_token, "Tên,Số lượng\nBưởi,3\n".encode())
    assert problems(found) == {(1, "", "REQUIRED")}
    assert "Tên chủ thể" in found["problems"][0]["messageVi"]
    assert found["actions"] == []
