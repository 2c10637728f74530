"""The GS1 Digital Link resolver: one test (at least) per statement of the GS1-conformant resolver
(`../shared/domain/gs1-traceability.md`), on SQLite and PostgreSQL through the `db` fixture. Link syntax and
compressed links: test_digital_link.py."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import quote

import pytest
from httpx import AsyncClient

from models import Batch, BatchStatus, Product
from services.common import instance
from services.common.gs1 import check_digit
from services.trace import digital_link, resolver
from services.trace.identity import batch_link, product_code
from tests.conftest import ROOT, Database, SQLCounter
from tests.factories import certify, make_product
from tests.trace.conftest import (
    BASE,
    CONTEXT,
    GTIN13,
    GTIN14,
    LINKSET,
    VOC,
    Catalogue,
    link_header,
    lot_path,
    trace_page,
    valid_linkset,
)

# -- 307 to the default link, product level, 404 ------------------------------------------------------------


async def test_a_lot_redirects_307_to_its_trace_page(client: AsyncClient, catalogue: Catalogue) -> None:
    response = await client.get(lot_path())
    assert response.status_code == 307
    assert response.headers["location"] == trace_page(catalogue.candy_code, "KD-2024/07")
    assert response.content == b""


async def test_the_product_level_resolves_to_the_product_page(
    client: AsyncClient, catalogue: Catalogue
) -> None:
    response = await client.get(f"/01/{GTIN14}")
    assert response.status_code == 307
    assert response.headers["location"] == f"{BASE}/products/{catalogue.candy_code}"


@pytest.mark.parametrize("form", ["gtin13", "gtin14"])
async def test_gtin13_and_gtin14_are_the_same_item(
    client: AsyncClient, catalogue: Catalogue, form: str
) -> None:
    gtin = GTIN13 if form == "gtin13" else GTIN14
    response = await client.get(lot_path(gtin=gtin))
    assert response.status_code == 307
    assert response.headers["location"] == trace_page(catalogue.candy_code, "KD-2024/07")


@pytest.mark.parametrize("digits", [7, 11])  # GTIN-8 and GTIN-12 data digits
async def test_gtin8_and_gtin12_resolve_padded_or_not(client: AsyncClient, db: Database, digits: int) -> None:
    data = "9" + "3" * (digits - 1)
    gtin = data + check_digit(data)
    product = await make_product(name="Mật ong U Minh", gtin=gtin)
    for form in (gtin, gtin.zfill(14)):
        response = await client.get(f"/01/{form}")
        assert response.status_code == 307, (form, response.text)
        assert response.headers["location"] == f"{BASE}/products/{product_code(product.id)}"


async def test_unknown_product_or_lot_is_404(client: AsyncClient, catalogue: Catalogue) -> None:
    unknown_gtin = "893456313" + "999" + check_digit("893456313999")
    assert (await client.get(f"/01/{unknown_gtin}")).status_code == 404
    assert (await client.get(f"/01/{unknown_gtin}/10/KD-2024")).status_code == 404
    # A known GTIN with an unknown lot: 404, while the GTIN alone resolves.
    unknown_lot = await client.get(f"/01/{GTIN14}/10/NOPE")
    assert unknown_lot.status_code == 404
    assert unknown_lot.headers["content-type"] == "application/problem+json"
    assert unknown_lot.json()["status"] == 404
    assert (await client.get(f"/01/{GTIN14}")).status_code == 307
    # Lots belong to their product: another product's lot is unknown here.
    assert (await client.get(f"/01/{GTIN14}/10/BP-01")).status_code == 404
    assert (await client.get("/p/ZZZZZZ")).status_code == 404  # beyond 32-bit ids
    assert (await client.get("/p/ZZZZZZZZZZZZZ/10/X")).status_code == 404
    assert (await client.get(f"/p/0{catalogue.puffed_code}")).status_code == 404  # not the canonical code


BROWSER = {
    "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "accept-language": "vi-VN,vi;q=0.9",
}


async def test_a_phone_gets_a_page_for_a_code_it_cannot_open_and_a_machine_its_problem(
    client: AsyncClient, catalogue: Catalogue
) -> None:
    await Batch.filter(id=catalogue.puffed_lot.id).update(is_published=False)  # withdrawn
    cases = {
        f"/01/{GTIN14}/10/NOPE": (404, "Không tìm thấy mã truy xuất này"),  # unknown lot
        f"/p/{catalogue.puffed_code}/10/BP-01": (404, "Không tìm thấy mã truy xuất này"),  # withdrawn lot
        f"/01/{GTIN14[:-1]}4/10/KD-2024": (400, "Mã truy xuất không hợp lệ"),  # a wrong check digit
    }
    for path, (status, title) in cases.items():
        page = await client.get(path, headers=BROWSER)
        assert page.status_code == status, path
        assert page.headers["content-type"] == "text/html; charset=utf-8", path
        assert page.headers["content-language"] == "vi"
        assert f"<h1>{title}</h1>" in page.text
        # Both languages, each saying what to do.
        assert "liên hệ chủ thể sản xuất" in page.text
        assert "contact the producer" in page.text
        assert "<script" not in page.text
        # The headers of every public page, and those of the resolver.
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["access-control-allow-origin"] == "*"
        assert "Accept" in page.headers["vary"]
        # The same path, asked by a machine (or by nobody in particular), right after: the problem document.
        for accept in ("application/json", "*/*", "application/problem+json, text/html;q=0.5"):
            problem = await client.get(path, headers={"accept": accept})
            assert problem.status_code == status
            assert problem.headers["content-type"] == "application/problem+json", (path, accept)
            assert problem.json()["status"] == status
    # Only the lot unknown: the product's page, where its producer is, is a tap away.
    lot_page = (await client.get(f"/01/{GTIN14}/10/NOPE", headers=BROWSER)).text
    assert f'<a href="{BASE}/products/{catalogue.candy_code}">Kẹo dừa lá dứa, ' in lot_page
    assert f'<a href="{BASE}/products/{catalogue.candy_code}?lang=en">Pandan coconut candy, by ' in lot_page
    unknown_gtin = "893456313" + "999" + check_digit("893456313999")
    assert "/products/" not in (await client.get(f"/01/{unknown_gtin}/10/X", headers=BROWSER)).text
    check_digit_page = await client.get(f"/01/{GTIN14[:-1]}4", headers=BROWSER)
    assert "Wrong check digit, expected 5" in check_digit_page.text
    assert "sai số kiểm tra, đúng ra là 5" in check_digit_page.text  # the Vietnamese reason is Vietnamese
    english = await client.get(f"/01/{GTIN14}/10/NOPE", headers=BROWSER | {"accept-language": "en-GB"})
    assert english.headers["content-language"] == "en"
    assert "<h1>This code is not known</h1>" in english.text
    assert (await client.head(f"/01/{GTIN14}/10/NOPE", headers=BROWSER)).status_code == 404


async def test_unpublished_products_and_lots_are_404(client: AsyncClient, catalogue: Catalogue) -> None:
    await Batch.filter(id=catalogue.candy_lot.id).update(is_published=False)
    assert (await client.get(lot_path())).status_code == 404
    assert (await client.get(f"/01/{GTIN14}")).status_code == 307  # the product is still published
    await Product.filter(id=catalogue.puffed.id).update(is_published=False)
    for path in (f"/p/{catalogue.puffed_code}", f"/p/{catalogue.puffed_code}/10/BP-01"):
        response = await client.get(path)
        assert response.status_code == 404
        assert "Bánh phồng" not in response.text


# -- link types ---------------------------------------------------------------------------------------------


async def test_link_type_redirects_to_that_link_walking_up_to_the_product(
    client: AsyncClient, catalogue: Catalogue
) -> None:
    code = catalogue.candy_code
    epc_class = quote(
        batch_link(BASE, product_id=catalogue.candy.id, gtin=GTIN14, lot_code="KD-2024/07"), safe=""
    )
    expected = {
        "gs1:traceability": trace_page(code, "KD-2024/07"),
        "gs1:pip": f"{BASE}/products/{code}",  # a product-level link, asked of the lot
        # MATCH_anyEPCClass: the lot's production (a transformation, where it is an output) too.
        "gs1:epcis": f"{BASE}/epcis/events?MATCH_anyEPCClass={epc_class}",
        "gs1:recallStatus": trace_page(code, "KD-2024/07") + "#recall",
        "gs1:certificationInfo": f"{BASE}/products/{code}#ocop",
        "gs1:defaultLink": trace_page(code, "KD-2024/07"),
        "https://gs1.org/voc/pip": f"{BASE}/products/{code}",  # the full URI of a link type
        f"{VOC}epcis": f"{BASE}/epcis/events?MATCH_anyEPCClass={epc_class}",
    }
    for link_type, location in expected.items():
        response = await client.get(lot_path(), params={"linkType": link_type})
        assert response.status_code == 307, (link_type, response.text)
        assert response.headers["location"] == location, link_type


async def test_an_absent_link_type_is_404(client: AsyncClient, catalogue: Catalogue) -> None:
    for path, link_type in [
        (lot_path(), "gs1:nutritionalInfo"),
        (f"/01/{GTIN14}", "gs1:traceability"),  # a lot-level link, asked of the product
        (f"/01/{GTIN14}", "gs1:recallStatus"),
        (f"/p/{catalogue.puffed_code}", "gs1:certificationInfo"),  # never certified
        (lot_path(), "nonsense"),
    ]:
        response = await client.get(path, params={"linkType": link_type})
        assert response.status_code == 404, (path, link_type)
        assert response.headers["content-type"] == "application/problem+json"


async def test_certification_info_only_while_the_certificate_is_valid(
    client: AsyncClient, db: Database
) -> None:
    product = await make_product(name="Nước mắm Phú Quốc", gtin="8934563138172")
    await certify(product, stars=3, decided=dt.date(2019, 1, 10))  # valid until 2022: expired
    response = await client.get("/01/08934563138172", params={"linkType": "gs1:certificationInfo"})
    assert response.status_code == 404
    linkset = valid_linkset(await client.get("/01/08934563138172", params={"linkType": "linkset"}))
    assert f"{VOC}certificationInfo" not in linkset["linkset"][0]

    await certify(product, stars=5, decided=dt.date.today() - dt.timedelta(days=1))
    response = await client.get("/01/08934563138172", params={"linkType": "gs1:certificationInfo"})
    assert response.status_code == 307
    assert response.headers["location"].endswith("#ocop")
    links = valid_linkset(await client.get("/01/08934563138172", params={"linkType": "linkset"}))
    titles = [link["title"] for link in links["linkset"][0][f"{VOC}certificationInfo"]]
    assert any("OCOP 5 sao" in title for title in titles)
    assert any("OCOP 5-star certificate" in title for title in titles)


async def test_every_lot_has_a_recall_status_that_marks_recalled_lots(
    client: AsyncClient, catalogue: Catalogue
) -> None:
    def recall_titles(body: dict[str, Any]) -> list[str]:
        return [link["title"] for link in body["linkset"][0][f"{VOC}recallStatus"]]

    for path in (lot_path(), f"/p/{catalogue.puffed_code}/10/BP-01"):
        titles = recall_titles(valid_linkset(await client.get(path, params={"linkType": "linkset"})))
        assert any("không bị thu hồi" in t for t in titles)
        assert any("not recalled" in t for t in titles)
        assert (await client.get(path, params={"linkType": "gs1:recallStatus"})).status_code == 307

    await Batch.filter(id=catalogue.candy_lot.id).update(status=BatchStatus.RECALLED)
    titles = recall_titles(valid_linkset(await client.get(lot_path(), params={"linkType": "linkset"})))
    assert any("ĐÃ BỊ THU HỒI" in t for t in titles)
    assert any("RECALLED" in t for t in titles)
    machine = [
        link
        for link in valid_linkset(await client.get(lot_path(), params={"linkType": "linkset"}))["linkset"][0][
            f"{VOC}recallStatus"
        ]
        if link["type"] == "application/json"
    ]
    assert machine[0]["href"].endswith("&EQ_disposition=recalled")


# -- linksets ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["linkType=linkset", "linkType=all", "accept"])
async def test_a_linkset_lists_every_level_and_validates(
    client: AsyncClient, catalogue: Catalogue, how: str
) -> None:
    path = lot_path() + "/21/U-0001"
    if how == "accept":
        response = await client.get(path, headers={"accept": LINKSET})
    else:
        response = await client.get(f"{path}?{how}")
    body = valid_linkset(response)
    serial, lot, product = body["linkset"]
    assert serial["anchor"] == BASE + path
    assert lot["anchor"] == BASE + lot_path()
    assert product["anchor"] == f"{BASE}/01/{GTIN14}"
    assert serial["itemDescription"] == "Kẹo dừa lá dứa, lô KD-2024/07, số sê-ri U-0001"
    assert product["itemDescription"] == "Kẹo dừa lá dứa"
    assert set(lot) >= {f"{VOC}{t}" for t in ("traceability", "epcis", "recallStatus", "defaultLink")}
    assert set(product) >= {f"{VOC}{t}" for t in ("pip", "certificationInfo", "defaultLink")}
    # Events are recorded per lot: the unit's EPCIS history is its lot's (no MATCH_epc link that the EPCIS
    # interface would refuse), declared with the media type that interface answers.
    assert f"{VOC}epcis" not in serial
    epc_class = quote(
        batch_link(BASE, product_id=catalogue.candy.id, gtin=GTIN14, lot_code="KD-2024/07"), safe=""
    )
    assert lot[f"{VOC}epcis"] == [
        {
            "href": f"{BASE}/epcis/events?MATCH_anyEPCClass={epc_class}",
            "title": "Sự kiện EPCIS 2.0 của lô KD-2024/07",
            "type": "application/json",
        }
    ]
    for item in body["linkset"]:
        for key, links in item.items():
            if key.startswith(VOC):
                for link in links:
                    assert {"href", "title", "type"} <= set(link), (key, link)
    # Pages exist in Vietnamese and English: a link for each, with hreflang; the title in that language.
    pip = {link["hreflang"][0]: link for link in product[f"{VOC}pip"]}
    assert pip["vi"]["title"] == "Thông tin sản phẩm: Kẹo dừa lá dứa"
    assert pip["en"]["title"] == "Product information: Pandan coconut candy"
    assert pip["en"]["href"] == f"{BASE}/products/{catalogue.candy_code}?lang=en"
    trace = {link["hreflang"][0]: link for link in lot[f"{VOC}traceability"]}
    assert trace["vi"]["title"].startswith("Truy xuất nguồn gốc lô KD-2024/07")
    assert trace["en"]["title"].startswith("Traceability of lot KD-2024/07")


async def test_a_linkset_head_has_no_body(client: AsyncClient, catalogue: Catalogue) -> None:
    get = await client.get(lot_path(), params={"linkType": "linkset"})
    head = await client.head(lot_path(), params={"linkType": "linkset"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == LINKSET


async def test_exactly_one_default_link_per_request_uri(client: AsyncClient, catalogue: Catalogue) -> None:
    for path in (
        f"/01/{GTIN14}",
        lot_path(),
        lot_path() + "/21/U-0001",
        f"/p/{catalogue.puffed_code}/10/BP-01",
    ):
        body = valid_linkset(await client.get(path, params={"linkType": "linkset"}))
        for item in body["linkset"]:
            assert len(item[f"{VOC}defaultLink"]) == 1, item["anchor"]
        first = body["linkset"][0]
        assert first["anchor"] == BASE + path
        redirect = await client.get(path)
        assert redirect.headers["location"] == first[f"{VOC}defaultLink"][0]["href"]
    # A serial's default is its lot's trace page, told which serial was scanned (copied-code warnings).
    body = valid_linkset(await client.get(lot_path() + "/21/U-0001", params={"linkType": "linkset"}))
    assert body["linkset"][0][f"{VOC}defaultLink"][0]["href"] == (
        trace_page(catalogue.candy_code, "KD-2024/07") + "?serial=U-0001"
    )


async def test_link_headers_name_the_linkset_and_the_json_ld_context(
    client: AsyncClient, catalogue: Catalogue
) -> None:
    for response in (
        await client.get(lot_path()),  # a redirect
        await client.get(lot_path(), params={"linkType": "gs1:pip"}),
        await client.get(lot_path(), params={"linkType": "linkset"}),
        await client.head(lot_path()),
    ):
        links = link_header(response)
        assert links["linkset"] == f"{BASE}{lot_path()}?linkType=linkset"
        assert links["http://www.w3.org/ns/json-ld#context"] == CONTEXT
        assert 'type="application/linkset+json"' in response.headers["link"]
    follow = await client.get(links["linkset"].removeprefix(BASE))
    valid_linkset(follow)


# -- query string, languages ----------------------------------------------------------------------------------


async def test_the_query_string_is_passed_on_without_link_type(
    client: AsyncClient, catalogue: Catalogue
) -> None:
    code = catalogue.candy_code
    response = await client.get(f"{lot_path()}?17=290331&linkType=gs1:pip&utm_source=label")
    assert response.headers["location"] == f"{BASE}/products/{code}?17=290331&utm_source=label"
    response = await client.get(f"{lot_path()}?17=290331", headers={"accept-language": "en"})
    assert response.headers["location"] == trace_page(code, "KD-2024/07") + "?lang=en&17=290331"
    # Before the fragment.
    response = await client.get(f"{lot_path()}?linkType=gs1:recallStatus&x=1")
    assert response.headers["location"] == trace_page(code, "KD-2024/07") + "?x=1#recall"


@pytest.mark.parametrize(
    ("accept_language", "english"),
    [
        ("en", True),
        ("en-US,en;q=0.9", True),
        ("vi-VN,vi;q=0.9,en;q=0.8", False),
        ("fr", True),  # any language but Vietnamese falls back to English
        ("ko-KR,ko;q=0.9", True),
        ("", False),
    ],
)
async def test_accept_language_chooses_between_vietnamese_and_english(
    client: AsyncClient, catalogue: Catalogue, accept_language: str, english: bool
) -> None:
    headers = {"accept-language": accept_language}
    lot = await client.get(lot_path(), headers=headers)
    product = await client.get(f"/01/{GTIN14}", params={"linkType": "gs1:certificationInfo"}, headers=headers)
    suffix = "?lang=en" if english else ""
    assert lot.headers["location"] == trace_page(catalogue.candy_code, "KD-2024/07") + suffix
    assert product.headers["location"] == f"{BASE}/products/{catalogue.candy_code}{suffix}#ocop"
    assert "Accept-Language" in lot.headers["vary"]


# -- methods, CORS, path forms ------------------------------------------------------------------------------------


async def test_head_answers_like_get_without_a_body(client: AsyncClient, catalogue: Catalogue) -> None:
    get, head = await client.get(lot_path()), await client.head(lot_path())
    assert head.status_code == get.status_code == 307
    assert head.headers["location"] == get.headers["location"]
    assert head.headers["link"] == get.headers["link"]
    assert head.content == b""
    assert (await client.head(f"/01/{GTIN14[:-1]}4")).status_code == 400
    assert (await client.head(f"/01/{GTIN14}/10/NOPE")).status_code == 404


async def test_options_and_cors(client: AsyncClient, catalogue: Catalogue) -> None:
    response = await client.options(
        lot_path(), headers={"origin": "https://shop.example", "access-control-request-method": "GET"}
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    for method in ("GET", "HEAD", "OPTIONS"):
        assert method in response.headers["allow"]
        assert method in response.headers["access-control-allow-methods"]
    for answer in (
        await client.get(lot_path()),
        await client.get(lot_path(), params={"linkType": "linkset"}),
        await client.get(f"/01/{GTIN14[:-1]}4"),
        await client.get(f"/01/{GTIN14}/10/NOPE"),
        await client.get("/.well-known/gs1resolver"),
    ):
        assert answer.headers["access-control-allow-origin"] == "*"
        exposed = answer.headers["access-control-expose-headers"]
        assert "Link" in exposed
        assert "Location" in exposed


async def test_a_trailing_slash_is_tolerated(client: AsyncClient, catalogue: Catalogue) -> None:
    for path in (lot_path(), f"/01/{GTIN14}", f"/p/{catalogue.puffed_code}/10/BP-01"):
        plain, slashed = await client.get(path), await client.get(path + "/")
        assert slashed.status_code == plain.status_code == 307
        assert slashed.headers["location"] == plain.headers["location"]
    compressed = "/" + digital_link.compress(GTIN14, lot="KD-2024/07")
    assert (await client.get(compressed + "/")).headers["location"] == trace_page(
        catalogue.candy_code, "KD-2024/07"
    )


async def test_deprecated_alphas_are_read_as_numeric_ais(client: AsyncClient, catalogue: Catalogue) -> None:
    path = f"/gtin/{GTIN13}/lot/{quote('KD-2024/07', safe='')}/ser/U-0001"
    response = await client.get(path)
    assert response.status_code == 307
    # A serialised unit's trace page is its lot's, told the serial (to warn of copied codes).
    assert response.headers["location"] == trace_page(catalogue.candy_code, "KD-2024/07") + "?serial=U-0001"
    body = valid_linkset(await client.get(path, params={"linkType": "linkset"}))
    assert body["linkset"][0]["anchor"] == f"{BASE}{lot_path()}/21/U-0001"  # the canonical numeric form


async def test_our_non_gs1_path_resolves_the_same_way(client: AsyncClient, catalogue: Catalogue) -> None:
    code = catalogue.puffed_code
    response = await client.get(f"/p/{code}/10/BP-01")
    assert response.status_code == 307
    assert response.headers["location"] == trace_page(code, "BP-01")
    assert (await client.get(f"/p/{code.lower()}/10/BP-01")).headers["location"] == trace_page(code, "BP-01")
    assert (await client.get(f"/p/{code}")).headers["location"] == f"{BASE}/products/{code}"
    body = valid_linkset(await client.get(f"/p/{code}/10/BP-01/21/7", params={"linkType": "linkset"}))
    assert [item["anchor"] for item in body["linkset"]] == [
        f"{BASE}/p/{code}/10/BP-01/21/7",
        f"{BASE}/p/{code}/10/BP-01",
        f"{BASE}/p/{code}",
    ]
    # Printed /p/ links of a product that later got a GTIN keep resolving.
    candy = catalogue.candy_code
    assert (await client.get(f"/p/{candy}/10/KD-2024%2F07")).headers["location"] == trace_page(
        candy, "KD-2024/07"
    )


async def test_serials_need_a_lot_and_cpvs_are_not_issued(client: AsyncClient, catalogue: Catalogue) -> None:
    assert (await client.get(f"/01/{GTIN14}/21/U-0001")).status_code == 404
    assert (await client.get(f"/01/{GTIN14}/22/V1/10/KD-2024%2F07")).status_code == 404
    assert (await client.get(lot_path() + "/21/U-0001")).status_code == 307


# -- /.well-known/gs1resolver, efficiency, the vendored schema ---------------------------------------------------


async def test_the_resolver_description(client: AsyncClient, db: Database) -> None:
    response = await client.get("/.well-known/gs1resolver")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["resolverRoot"] == BASE
    assert body["supportedPrimaryKeys"] == ["01"]  # `p` is no GS1 key: described apart, and still resolved
    assert body["nonGS1PrimaryKeys"][0]["pattern"] == f"{BASE}/p/{{productCode}}[/10/{{lot}}][/21/{{serial}}]"
    assert body["supportedLinkType"] == [{"namespace": VOC, "prefix": "gs1:"}]
    active = body["activeLinkTypes"]["en"]
    for link_type in ("traceability", "pip", "epcis", "certificationInfo", "recallStatus", "defaultLink"):
        assert active[f"gs1:{link_type}"]["url"] == VOC + link_type
        assert body["activeLinkTypes"]["vi"][f"gs1:{link_type}"]["title"]
    assert (await client.head("/.well-known/gs1resolver")).content == b""
    assert (await client.options("/.well-known/gs1resolver")).status_code == 204


async def test_one_sql_statement_per_resolution(
    client: AsyncClient, catalogue: Catalogue, sql_counter: SQLCounter
) -> None:
    await instance.identity_base("https://ocop.test")  # as every server's start-up (announce_identity)
    for path in (
        f"/01/{GTIN14}",
        lot_path(),
        lot_path() + "/21/U-0001",
        f"/p/{catalogue.puffed_code}/10/BP-01",
    ):
        sql_counter.statements.clear()
        response = await client.get(path, params={"linkType": "linkset"})
        assert response.status_code == 200
        assert len(sql_counter.statements) == 1, sql_counter.statements
        sql_counter.statements.clear()
        scan = await client.get(path, headers={"accept": "text/html"})  # a phone's plain scan: its 307
        assert scan.status_code == 307
        assert len(sql_counter.statements) == 1, sql_counter.statements
    sql_counter.statements.clear()
    assert (await client.get(f"/01/{GTIN14[:-1]}4")).status_code == 400
    assert sql_counter.statements == []  # bad syntax never reaches the database


async def test_a_plain_scan_goes_where_the_full_resolution_sends_it(
    client: AsyncClient, catalogue: Catalogue
) -> None:
    """A scan's redirect is read lightly (`default_link`): the same target as the default link of every
    level the full resolution builds, in each language, with the query string passed on."""
    paths = [
        f"/01/{GTIN14}",
        f"/01/{GTIN13}",
        lot_path(),
        lot_path() + "/21/U-0001",
        f"/p/{catalogue.puffed_code}",
        f"/p/{catalogue.puffed_code}/10/BP-01",
        f"/p/{catalogue.puffed_code}/10/BP-01/21/S%2F1",
        lot_path() + "?15=250101",
    ]
    for raw in paths:
        path, _, attributes = raw.partition("?")
        for query in (attributes, "utm_source=label", "utm_source=label&linkType=gs1:defaultLink"):
            for accept_language in ("vi", "en-US,en;q=0.9"):
                asked = resolver.ResolverRequest(path, query, "text/html", accept_language, BASE)
                light = await resolver.answer(asked)
                link = digital_link.parse(path)
                language = resolver.preferred_language(accept_language)
                full = await resolver.resolve(link, BASE)
                assert isinstance(full, resolver.Resolution), path
                target = full.find(full.default_type(), language)
                assert target is not None
                assert isinstance(light, resolver.Redirect), (path, light)
                _, kept = resolver._query_pairs(query)
                passed = "&".join(q for q in (link.attribute_query(), "&".join(kept)) if q)
                assert light.location == resolver._with_query(target.href, passed), (path, query)
                assert light.batch_id == full.batch_id


def test_the_vendored_linkset_schema_is_the_official_copy() -> None:
    readme = (resolver.SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(resolver.SCHEMA_PATH.read_bytes()).hexdigest()
    assert digest in readme
    shared = ROOT.parent / "shared" / "reference" / "gs1-linkset-schema.json"
    if shared.exists():
        assert shared.read_bytes() == resolver.SCHEMA_PATH.read_bytes()


def test_gs1_model_linkset_validates_and_a_broken_one_does_not() -> None:
    model = {
        "linkset": [
            {
                "anchor": "https://id.gs1.org/01/09506000164908",
                "itemDescription": "Crew neck white t-shirt",
                f"{VOC}pip": [
                    {"href": "https://example.org/pip", "title": "Product Info", "hreflang": ["en"]}
                ],
            }
        ]
    }
    assert resolver.validate_linkset(model) == []
    broken = {"linkset": [{"anchor": "https://ocop.test/01/1", f"{VOC}pip": [{"href": "https://x"}]}]}
    messages = resolver.validate_linkset(broken)
    assert any("itemDescription" in m for m in messages)
    assert any("title" in m for m in messages)
