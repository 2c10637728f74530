"""Labels through GraphQL and the download routes: what a producer's frontend does, end to end."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette
from strawberry.relay import to_base64

from models import LabelRun, Role, SerialScan
from services.labels import runs, scans
from services.labels.runs import LabelRunData
from services.trace.identity import product_code
from tests.conftest import gql
from tests.factories import make_batch, make_product, token_for
from tests.labels.factories import system_run

CREATE = """
mutation($input: LabelRunInput!) {
  createLabelRun(input: $input) {
    labelRun { id count serialized firstSerial lastSerial pdfUrl zplUrl tsplUrl qrSvgUrl zpl300: zplUrl(dpi: 300)
               template { code labelsPerSheet } batch { lotCode } }
    errors { field code message }
  }
}
"""


@pytest.fixture(autouse=True)
def own_media(media: Path) -> None:
    """Every test here renders or downloads files: each in its own media directory (tests/labels/conftest.py)."""


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def member_with_lot(lot: str = "BP-2611") -> tuple[str, str, int]:
    product = await make_product(name="Bánh phồng Sơn Đốc")
    batch = await make_batch(product, lot)
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=product.producer_id)

    return token, to_base64("Batch", batch.id), batch.id


async def create_run(
    client: AsyncClient,
    token: str | None,
    batch_gid: str,
    *,
    template: str = "L7160",
    count: int = 3,
    lang: str | None = None,
    **more: Any,
) -> dict[str, Any]:
    """The createLabelRun payload for `count` labels of the lot, as the producer's frontend asks for them."""
    variables = {"input": {"batchId": batch_gid, "template": template, "count": count, **more}}
    body = await gql(client, CREATE, variables, token=token, lang=lang)
    payload: dict[str, Any] = body["data"]["createLabelRun"]
    return payload


def run_id_of(url: str) -> int:
    """The run's id in a download URL (/labels/runs/{id}/{format})."""
    return int(urlsplit(url).path.split("/")[3])


async def test_label_templates_list_the_sheets_and_rolls(client: AsyncClient, db: object) -> None:
    body = await gql(
        client,
        "{ labelTemplates { code kind labelsPerSheet labelWidthMm labelHeightMm pageWidthMm calibrationUrl name } }",
        lang="en",
    )
    templates = {t["code"]: t for t in body["data"]["labelTemplates"]}
    assert {"L7160", "L7163", "L7651", "ROLL-50x30", "ROLL-40x25", "ROLL-60x40"} <= set(templates)
    assert templates["L7651"]["labelsPerSheet"] == 65
    assert (templates["L7651"]["labelWidthMm"], templates["L7651"]["labelHeightMm"]) == (38.1, 21.2)
    assert templates["L7160"]["labelsPerSheet"] == 21
    assert templates["ROLL-40x25"]["kind"] == "ROLL"
    assert templates["L7163"]["name"].startswith("A4, 14 labels")
    calibration = await client.get(urlsplit(templates["L7160"]["calibrationUrl"]).path)
    assert calibration.status_code == 200
    assert calibration.headers["content-type"] == "application/pdf"
    assert (await client.get("/labels/templates/NOPE/calibration.pdf")).status_code == 404


async def test_a_producer_goes_from_a_lot_to_a_printable_pdf_in_one_mutation(
    client: AsyncClient, db: object
) -> None:
    token, batch_gid, _ = await member_with_lot()
    payload = await create_run(client, token, batch_gid, count=30, serialized=True)
    assert payload["errors"] == []
    run = payload["labelRun"]
    assert (run["count"], run["firstSerial"], run["lastSerial"]) == (30, "1", "30")
    assert run["template"] == {"code": "L7160", "labelsPerSheet": 21}
    assert run["batch"] == {"lotCode": "BP-2611"}
    # The signed link opens without a token, as a browser would.
    pdf = await client.get(path_of(run["pdfUrl"]))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "BP-2611" in pdf.headers["content-disposition"]
    assert pdf.content.startswith(b"%PDF")
    again = await client.get(path_of(run["pdfUrl"]))
    assert again.content == pdf.content  # byte-identical re-download
    cached = await client.get(path_of(run["pdfUrl"]), headers={"if-none-match": pdf.headers["etag"]})
    assert cached.status_code == 304
    zpl = await client.get(path_of(run["zplUrl"]))
    assert zpl.status_code == 200
    assert zpl.headers["content-disposition"].startswith("attachment")
    assert zpl.content.count(b"^XZ") == 31  # set-up + one per label
    assert b"^BQN,2," in zpl.content
    zpl300 = await client.get(path_of(run["zpl300"]))
    assert zpl300.content != zpl.content
    tspl = await client.get(path_of(run["tsplUrl"]))
    assert tspl.content.count(b"PRINT 1,1") == 30
    svg = await client.get(path_of(run["qrSvgUrl"]))
    assert svg.headers["content-type"].startswith("image/svg+xml")
    # Each output delivered is recorded by its sha256: later downloads are the same bytes.
    sums = "query($id: ID!) { node(id: $id) { ... on LabelRun { checksums { format sha256 } } } }"
    checksums = (await gql(client, sums, {"id": run["id"]}, token=token))["data"]["node"]["checksums"]
    assert [c["format"] for c in checksums] == ["PDF", "ZPL_203", "ZPL_300", "TSPL_203", "QR_SVG"]
    assert checksums[0]["sha256"] == hashlib.sha256(pdf.content).hexdigest()


async def test_thermal_formats_are_offered_only_where_the_code_fits(client: AsyncClient, db: object) -> None:
    """38.1 × 21.2 mm leaves room for 0.45 mm modules: fine on paper, but a 203 dpi printer has only
    0.375 or 0.5 mm (3 or 4 dots) and 0.5 mm does not fit: no ZPL link, and the route explains why."""
    token, batch_gid, _ = await member_with_lot()
    created = await create_run(client, token, batch_gid, template="L7651", count=65, serialized=True)
    run = created["labelRun"]
    assert run["pdfUrl"]
    assert run["zplUrl"] is None
    run_id = run_id_of(run["pdfUrl"])
    refused = await client.get(path_of(runs.download_url("https://ocop.test", run_id, "zpl-203")))
    assert refused.status_code == 422
    assert "mm" in refused.json()["errors"][0]["message"]


async def test_download_links_are_signed_and_expire(client: AsyncClient, db: object) -> None:
    token, batch_gid, _ = await member_with_lot()
    url = (await create_run(client, token, batch_gid))["labelRun"]["pdfUrl"]
    run_id = run_id_of(url)
    tampered = path_of(url).replace("/pdf?", "/zpl-203?")
    assert (await client.get(tampered)).status_code == 403
    assert (await client.get(urlsplit(url).path)).status_code == 403  # no signature, no token
    expired = runs.download_url("https://ocop.test", run_id, "pdf", now=time.time() - 8 * 86400)
    assert (await client.get(path_of(expired))).status_code == 403
    # A bearer token works instead of a signature, for its own lots only.
    own = await client.get(urlsplit(url).path, headers={"authorization": f"Bearer {token}"})
    assert own.status_code == 200
    other = await token_for(Role.PRODUCER_MEMBER, producer_id=(await make_product()).producer_id)
    assert (
        await client.get(urlsplit(url).path, headers={"authorization": f"Bearer {other}"})
    ).status_code == 404


async def test_bad_input_gets_typed_errors_and_nothing_is_stored(client: AsyncClient, db: object) -> None:
    token, batch_gid, _ = await member_with_lot()
    payload = await create_run(
        client, token, batch_gid, template="A0-POSTER", count=0, startSlot=0, lang="en"
    )
    assert payload["labelRun"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("template", "NOT_FOUND"),
        ("count", "OUT_OF_RANGE"),
    }
    assert all(e["message"] for e in payload["errors"])
    anonymous = await create_run(client, None, batch_gid, count=5, lang="en")
    assert anonymous["errors"][0]["code"] == "UNAUTHENTICATED"
    from models import LabelRun

    assert await LabelRun.all().count() == 0


async def test_label_runs_and_scan_figures_are_the_producers_business(
    client: AsyncClient, db: object
) -> None:
    token, batch_gid, batch_id = await member_with_lot()
    created = await create_run(client, token, batch_gid, template="ROLL-50x30", count=10, serialized=True)
    run_gid = created["labelRun"]["id"]
    # A copied code: serial 3 scanned from six networks in an hour; serial 5 twice in one shop (counted once:
    # one scan per serial and network an hour).
    for n in range(6):
        await scans.record_scan(batch_id, "3", address=f"203.0.{n}.10", language="vi", region=None)
    for _ in range(2):
        await scans.record_scan(batch_id, "5", address="14.160.1.20", language="vi", region=None)
    query = """query($b: ID!, $r: ID!) {
      labelRuns(batchId: $b) { totalCount edges { node { id count } } }
      serialScans(batchId: $b) { totalCount edges { node { serial scans recentNetworks flagged reason } } }
      node(id: $r) { ... on LabelRun { id serialized } }
    }"""
    mine = (await gql(client, query, {"b": batch_gid, "r": run_gid}, token=token))["data"]
    assert [e["node"]["count"] for e in mine["labelRuns"]["edges"]] == [10]
    assert (mine["labelRuns"]["totalCount"], mine["serialScans"]["totalCount"]) == (1, 2)
    stats = {e["node"]["serial"]: e["node"] for e in mine["serialScans"]["edges"]}
    assert stats["3"]["flagged"] is True
    assert stats["3"]["recentNetworks"] == 6
    assert "6 networks" in stats["3"]["reason"]
    assert (stats["5"]["scans"], stats["5"]["flagged"]) == (1, False)
    assert mine["node"] == {"id": run_gid, "serialized": True}
    public = (await gql(client, query, {"b": batch_gid, "r": run_gid}))["data"]
    empty = {"totalCount": 0, "edges": []}
    assert public == {"labelRuns": empty, "serialScans": empty, "node": None}


async def test_the_resolver_counts_scans_of_serials_and_the_trace_page_warns_of_copies(
    client: AsyncClient, db: object, app: Starlette
) -> None:
    product = await make_product(name="Kẹo dừa sầu riêng lá dứa")
    batch = await make_batch(product, "KD-2611")
    await system_run(LabelRunData(batch_id=batch.id, template="L7160", count=5, serialized=True))  # 1-5
    path = f"/p/{product_code(product.id)}/10/KD-2611/21/3"
    other = f"/p/{product_code(product.id)}/10/KD-2611/21/4"
    location = ""
    for n in range(6):  # six phones on six networks within minutes: a copied code
        async with AsyncClient(
            transport=ASGITransport(app=app, client=(f"203.0.{n}.7", 40000)), base_url="http://ocop.test"
        ) as phone:
            answer = await phone.get(path, headers={"accept-language": "vi"})
            assert answer.status_code == 307
            location = answer.headers["location"]
    assert location.endswith("/t/" + product_code(product.id) + "/KD-2611?serial=3")
    assert (await client.head(path)).status_code == 307  # a HEAD is not a scan
    assert (await client.get(other)).status_code == 307
    stored = await SerialScan.filter(batch_id=batch.id).values("serial", "network", "region", "language")
    assert sorted(s["serial"] for s in stored) == ["3"] * 6 + ["4"]
    assert len({s["network"] for s in stored if s["serial"] == "3"}) == 6
    assert not any("203.0." in str(v) for s in stored for v in s.values())  # no address kept
    warned = await client.get(urlsplit(location).path + "?serial=3")
    assert 'id="scan-warning"' in warned.text
    fine = await client.get(urlsplit(location).path + "?serial=4")
    assert 'id="scan-warning"' not in fine.text
    plain = await client.get(urlsplit(location).path)
    assert 'id="scan-warning"' not in plain.text


async def test_download_refusals_have_one_shape_in_the_readers_language(
    client: AsyncClient, db: object
) -> None:
    """A refused download says why as a GraphQL FieldError would: field, code, message in Vietnamese, or in
    English when the browser prefers it."""
    token, batch_gid, _ = await member_with_lot()
    path = urlsplit((await create_run(client, token, batch_gid))["labelRun"]["pdfUrl"]).path
    unsigned = await client.get(path)
    assert unsigned.json() == {
        "errors": [
            {
                "field": "",
                "code": "LINK_EXPIRED",
                "message": "Liên kết này đã hết hạn hoặc không được ký: hãy xin một liên kết mới.",
            }
        ]
    }
    english = await client.get(path, headers={"accept-language": "en-GB,en;q=0.9,vi;q=0.5"})
    assert (
        english.json()["errors"][0]["message"] == "This link has expired or is not signed: ask for a new one."
    )
    bad_token = await client.get(path, headers={"authorization": "Bearer nonsense"})
    assert (bad_token.status_code, bad_token.json()["errors"][0]["code"]) == (401, "UNAUTHENTICATED")
    missing = await client.get("/labels/runs/999999/pdf", headers={"authorization": f"Bearer {token}"})
    assert (missing.status_code, missing.json()["errors"][0]["code"]) == (404, "NOT_FOUND")


async def test_labels_that_would_differ_from_those_delivered_are_refused(
    client: AsyncClient, db: object
) -> None:
    """A run's file is kept by its sha256; if a new render ever differs from the bytes first delivered
    (a font or library changed), the route refuses with a reason rather than hand out other labels."""
    token, batch_gid, _ = await member_with_lot()
    url = (await create_run(client, token, batch_gid))["labelRun"]["pdfUrl"]
    run_id = run_id_of(url)
    await LabelRun.filter(id=run_id).update(checksums={"pdf": "0" * 64})  # first delivered: other bytes
    refused = await client.get(path_of(url), headers={"accept-language": "en"})
    assert refused.status_code == 500
    [error] = refused.json()["errors"]
    assert error["code"] == "RENDER_FAILED"
    assert "differs from the file first delivered" in error["message"]
