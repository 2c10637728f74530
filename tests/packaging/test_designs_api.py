"""Packaging designs through GraphQL, end to end on the demo data: a reviewer finds the designs awaiting
review, reads the findings in their language and opens the true-size preview; a producer answers with a new
version and an officer approves; who sees what."""

from __future__ import annotations

import io
from typing import Any

import pypdfium2
import zxingcpp
from httpx import AsyncClient
from PIL import Image

from models import DesignStatus, DesignVersion, PackagingDesign, User
from services.accounts import auth as accounts
from services.demo import loader as demo
from services.demo import packaging as packaging_demo
from tests.conftest import Database, gql

DESIGNS = """
query($status: DesignStatus) {
  packagingDesigns(first: 10, filter: {versionStatus: $status}) {
    totalCount
    edges { node { id name labelType product { name }
      latestVersion { id number status widthMm heightMm previewPdfUrl previewPngUrl
        declared { productName { text typeSizeMm } ethanolContent netQuantity qr { link printedSizeMm } }
        compliance { code severity field message }
        comments { kind authorRole authorName body } } } }
  }
}
"""


async def token(email: str) -> str:
    user = await User.get(email=email)
    return await accounts.issue_session(user.id)


async def test_the_demo_has_a_design_in_each_state(db: Database) -> None:
    await demo.load(with_accounts=True)
    assert await packaging_demo.statuses() == {
        "Kẹo dừa truyền thống Phú Hưng": DesignStatus.APPROVED,
        "Rượu Phú Lễ": DesignStatus.IN_REVIEW,
        "Dừa xiêm xanh Giồng Trôm": DesignStatus.DRAFT,
        "Nước màu dừa Phước Long": DesignStatus.CHANGES_REQUESTED,
    }
    versions = await DesignVersion.all().count()
    assert await packaging_demo.load() == 0  # idempotent
    await demo.load(with_accounts=True)
    assert await DesignVersion.all().count() == versions
    # The approved design's first version was sent back by the officer; its second was approved by them.
    candy = await PackagingDesign.get(product__name="Kẹo dừa truyền thống Phú Hưng")
    first, second = await DesignVersion.filter(design_id=candy.id).order_by("number")
    officer = await User.get(email="officer.bentre@demo.ocop.vn")
    assert first.status == DesignStatus.CHANGES_REQUESTED
    assert second.approved_by_id == officer.id


async def test_a_reviewer_reads_findings_and_preview_of_a_demo_design(
    client: AsyncClient, db: Database
) -> None:
    await demo.load(with_accounts=True, base_url="https://ocop.test")
    consultant = await token("consultant@demo.ocop.vn")
    body = await gql(client, DESIGNS, {"status": "IN_REVIEW"}, token=consultant, lang="en")
    assert "errors" not in body, body
    page = body["data"]["packagingDesigns"]
    assert page["totalCount"] == 1
    design = page["edges"][0]["node"]
    assert (design["product"]["name"], design["labelType"]) == ("Rượu Phú Lễ", "SPIRITS")
    version = design["latestVersion"]
    assert version["status"] == "IN_REVIEW"
    assert version["declared"]["ethanolContent"] is None
    assert version["declared"]["productName"] == {"text": "Rượu Phú Lễ", "typeSizeMm": 6.0}
    errors = [f for f in version["compliance"] if f["severity"] == "ERROR"]
    assert [(f["code"], f["field"]) for f in errors] == [("missing_item", "ethanolContent")]
    assert errors[0]["message"] == "Missing mandatory item: Ethanol content."
    assert [(c["kind"], c["authorRole"]) for c in version["comments"]] == [("COMMENT", "CONSULTANT")]
    assert version["comments"][0]["authorName"] == "Chuyên gia tư vấn bao bì (demo)"
    # The same findings in Vietnamese for a Vietnamese client.
    vi = await gql(client, DESIGNS, {"status": "IN_REVIEW"}, token=consultant)
    finding = vi["data"]["packagingDesigns"]["edges"][0]["node"]["latestVersion"]["compliance"][0]
    assert finding["message"] == "Thiếu nội dung bắt buộc: Hàm lượng etanol."

    # The preview, opened from its signed link without a token: the page is the declared 80 × 100 mm and
    # its QR code reads the declared link.
    url = version["previewPdfUrl"]
    assert url.startswith("https://ocop.test/packaging/versions/")
    response = await client.get(url.removeprefix("https://ocop.test"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    width, height = (pt * 25.4 / 72 for pt in pdf[0].get_size())
    assert (round(width, 2), round(height, 2)) == (80.0, 100.0)
    image = pdf[0].render(scale=300 / 72).to_pil()
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [version["declared"]["qr"]["link"]]
    assert version["declared"]["qr"]["link"] == "https://ocop.test/01/08936314600013"
    png = await client.get(version["previewPngUrl"].removeprefix("https://ocop.test"))
    assert png.status_code == 200
    picture = Image.open(io.BytesIO(png.content))
    assert picture.size == (round(80 / 25.4 * 300), round(100 / 25.4 * 300))
    # Cached: the same file again, by ETag.
    again = await client.get(
        url.removeprefix("https://ocop.test"), headers={"if-none-match": response.headers["etag"]}
    )
    assert again.status_code == 304

    # The officer may not approve it as it is; with a reason it is approved, recorded as an override.
    officer = await token("officer.bentre@demo.ocop.vn")
    approve = """mutation($v: ID!, $r: String) { approveDesignVersion(input: {versionId: $v, overrideReason: $r}) {
      version { status overrideReason approvedBy comments { kind body } } errors { field code message } } }"""
    refused = await gql(client, approve, {"v": version["id"]}, token=officer, lang="en")
    errors = refused["data"]["approveDesignVersion"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("overrideReason", "NOT_ALLOWED")]
    assert "missing_item" in errors[0]["message"]
    # The consultant is refused outright.
    by_consultant = await gql(client, approve, {"v": version["id"], "r": "ok"}, token=consultant)
    assert [e["code"] for e in by_consultant["data"]["approveDesignVersion"]["errors"]] == ["FORBIDDEN"]
    done = await gql(client, approve, {"v": version["id"], "r": "Độ cồn in trên nắp."}, token=officer)
    payload = done["data"]["approveDesignVersion"]
    assert payload["errors"] == []
    assert payload["version"]["status"] == "APPROVED"
    assert payload["version"]["overrideReason"] == "Độ cồn in trên nắp."
    assert payload["version"]["approvedBy"] == "Cán bộ OCOP tỉnh Bến Tre (demo)"
    assert payload["version"]["comments"][-1]["kind"] == "OVERRIDE"


VERSION_FIELDS = "id number status declared { netQuantity } files { role file { id sha256 } }"


async def test_a_producer_answers_with_a_new_version_and_reads_the_diff(
    client: AsyncClient, db: Database
) -> None:
    await demo.load(with_accounts=True, base_url="https://ocop.test")
    member = await token("producer@demo.ocop.vn")
    listed = await gql(
        client,
        "{ packagingDesigns(filter: {versionStatus: CHANGES_REQUESTED}) { edges { node { id "
        "product { id name packagingDesigns { name } } latestVersion { id declared { netQuantity "
        "manufactureDateFormat } } } } } }",
        token=member,
    )
    (edge,) = listed["data"]["packagingDesigns"]["edges"]
    design = edge["node"]
    assert design["product"]["name"] == "Nước màu dừa Phước Long"
    assert design["product"]["packagingDesigns"] == [{"name": "Nhãn chai 250 ml"}]
    old = design["latestVersion"]
    add = (
        "mutation($d: ID!, $declared: DeclaredContentInput!) { addDesignVersion(input: {designId: $d, "
        "packageType: BOTTLE, widthMm: 70, heightMm: 90, declared: $declared}) { version { "
        + VERSION_FIELDS
        + " } errors { field code } } }"
    )
    declared: dict[str, Any] = {
        "productName": {"text": "Nước màu dừa Phước Long", "typeSizeMm": 6},
        "netQuantity": "250 ml",
        "manufactureDateFormat": "dd/mm/yyyy",
        "mandatoryTextSizes": [{"item": "NET_QUANTITY", "typeSizeMm": 2}],
        "qr": {"link": "https://ocop.test/01/08936120400012", "printedSizeMm": 18},
    }
    added = await gql(client, add, {"d": design["id"], "declared": declared}, token=member)
    payload = added["data"]["addDesignVersion"]
    assert payload["errors"] == []
    assert (payload["version"]["number"], payload["version"]["status"]) == (2, "DRAFT")
    new_id = payload["version"]["id"]
    diff = await gql(
        client,
        "query($n: ID!, $o: ID!) { node(id: $n) { ... on DesignVersion { diff(other: $o) { fromVersion "
        "toVersion changes { field old new } filesAdded { id } filesRemoved { id } } } } }",
        {"n": new_id, "o": old["id"]},
        token=member,
    )
    changes = {c["field"]: (c["old"], c["new"]) for c in diff["data"]["node"]["diff"]["changes"]}
    assert changes["manufactureDateFormat"] == ("mm/yyyy", "dd/mm/yyyy")
    assert changes["qr.printedSizeMm"] == (20.0, 18.0)
    assert changes["ingredients"][1] is None  # nothing is copied from the earlier version
    submit = "mutation($v: ID!) { submitDesignVersion(input: {versionId: $v}) { version { status } errors { code field } } }"
    first = await gql(client, submit, {"v": new_id}, token=member)
    assert first["data"]["submitDesignVersion"] == {"version": {"status": "SUBMITTED"}, "errors": []}
    second = await gql(client, submit, {"v": new_id}, token=member)
    assert second["data"]["submitDesignVersion"] == {
        "version": None,
        "errors": [{"code": "NOT_ALLOWED", "field": "versionId"}],
    }
    # Invalid declared content: typed errors with the input's paths.
    bad = await gql(
        client,
        add,
        {"d": design["id"], "declared": {"qr": {"printedSizeMm": 0, "errorCorrection": "H"}}},
        token=member,
    )
    assert sorted((e["field"], e["code"]) for e in bad["data"]["addDesignVersion"]["errors"]) == [
        ("declared.qr.printedSizeMm", "OUT_OF_RANGE"),
    ]
    # The error correction level is an enum: another value is refused before the mutation runs.
    unknown = await gql(
        client, add, {"d": design["id"], "declared": {"qr": {"errorCorrection": "X"}}}, token=member
    )
    assert unknown["data"] is None
    assert unknown["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "errorCorrection" in unknown["errors"][0]["message"]


async def test_who_sees_the_demo_designs(client: AsyncClient, db: Database) -> None:
    await demo.load(with_accounts=True, base_url="https://ocop.test")
    count = "{ packagingDesigns { totalCount edges { node { id } } } }"
    seen = {}
    for email in ("admin", "officer.bentre", "producer", "organiser", "consultant"):
        body = await gql(client, count, token=await token(f"{email}@demo.ocop.vn"))
        seen[email] = body["data"]["packagingDesigns"]["totalCount"]
    public = await gql(client, count)
    assert seen == {"admin": 4, "officer.bentre": 4, "producer": 2, "organiser": 0, "consultant": 4}
    assert public["data"]["packagingDesigns"] == {"totalCount": 0, "edges": []}
    admin = await token("admin@demo.ocop.vn")
    ids = [
        e["node"]["id"] for e in (await gql(client, count, token=admin))["data"]["packagingDesigns"]["edges"]
    ]
    by_id = "query($id: ID!) { node(id: $id) { id } }"
    assert (await gql(client, by_id, {"id": ids[0]}))["data"]["node"] is None
    assert (await gql(client, by_id, {"id": ids[0]}, token=admin))["data"]["node"] == {"id": ids[0]}
    # The product is public, its designs are not.
    product = (
        '{ products(filter: {search: "ruou phu le"}) { edges { node { name packagingDesigns { name } } } } }'
    )
    rows = (await gql(client, product))["data"]["products"]["edges"]
    assert {r["node"]["name"]: r["node"]["packagingDesigns"] for r in rows}["Rượu Phú Lễ"] == []
    rows = (await gql(client, product, token=admin))["data"]["products"]["edges"]
    designs = {r["node"]["name"]: r["node"]["packagingDesigns"] for r in rows}
    assert designs["Rượu Phú Lễ"] == [{"name": "Nhãn chai 500 ml"}]
