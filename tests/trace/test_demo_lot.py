"""The README's demo lot (kẹo dừa KDSR-190520, made from a published coconut lot and an unpublished sugar
lot) as a consumer's phone, a partner's EPCIS client and the GraphQL API see it: the ten items of Circular
02/2024's minimum trace record on the page, and one rule for the unpublished input everywhere (the event is
shown, the lot's identity withheld)."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any
from urllib.parse import quote, urlsplit

from httpx import AsyncClient

from models import Batch, Product
from services.demo import loader as demo
from services.labels.runs import LabelRunData
from services.trace import epcis, epcis_validation
from services.trace.identity import batch_link, product_code
from tests.conftest import Database, gql
from tests.labels.factories import system_run

BASE = "https://ocop.test"  # the test app's public base URL, which the demo is loaded with
GTIN = "08936131800023"
DEMO_LOT = f"/01/{GTIN}/10/KDSR-190520"
PHONE = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def load_demo() -> Product:
    await demo.load(with_accounts=False, base_url=BASE)
    return await Product.get(gtin=GTIN)


def lot_uri(product: Product, lot: str) -> str:
    return batch_link(BASE, product_id=product.id, gtin=product.gtin, lot_code=lot)


def text_of(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces joined."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def test_the_demo_lot_page_shows_the_ten_items_of_circular_02_2024(
    client: AsyncClient, db: Database
) -> None:
    candy = await load_demo()
    batch = await Batch.get(lot_code="KDSR-190520")
    # The demo lot expired on 14/02/2020 (its page says so): printing its serials needs the confirmation.
    data = LabelRunData(batch_id=batch.id, template="L7160", count=3, serialized=True, confirm_expired=True)
    run = await system_run(data)
    scan = await client.get(f"{DEMO_LOT}/21/{run.first_serial}", headers=PHONE)
    assert scan.status_code == 307
    response = await client.get(urlsplit(scan.headers["location"]).path + f"?serial={run.first_serial}")
    assert response.status_code == 200
    page = response.text
    text = text_of(page)
    items = {
        "1 product name": "Kẹo dừa sầu riêng lá dứa",
        "2 images": '<img src="/static/demo/keo-dua-sau-rieng-la-dua.jpg"',
        "3 producer name": "Công ty TNHH Kẹo Dừa Phú Hưng (demo)",
        "4 producer address": "Xã Phú Hưng, Thành phố Bến Tre, Tỉnh Bến Tre",
        # each stage with the lot's tracing code (above), a location tracing code and an event time
        "5 stages": "Sản xuất, chế biến 13:00 20/05/2019 · Xưởng kẹo dừa Phú Hưng (demo)",
        "5 location code": "Mã địa điểm ",
        "6 production time": "Ngày sản xuất 20/05/2019",
        "7 product tracing code": f"Mã truy xuất sản phẩm {BASE}/01/{GTIN}/10/KDSR-190520",
        "8 serial": f"Số sê-ri {run.first_serial}",
        "8 product code": "Mã sản phẩm (GTIN) 8936131800023",
        "9 shelf life": "Hạn sử dụng 14/02/2020 Thời hạn sử dụng 270 ngày",
        "10 standards": "Tiêu chuẩn áp dụng TCCS 03:2019/KDPH",
    }
    for item, shown in items.items():
        assert shown in (page if shown.startswith("<") else text), item
    assert text.count("Mã địa điểm") == text.count("Mã sự kiện") == 2  # per stage
    # The image is served (CSP allows images of this site).
    image = await client.get("/static/demo/keo-dua-sau-rieng-la-dua.jpg")
    assert (image.status_code, image.headers["content-type"]) == (200, "image/jpeg")
    assert f'href="{BASE}/products/{product_code(candy.id)}"' in page
    assert "<script" not in page
    assert len(response.content) < 12_000


async def test_the_demo_lots_production_is_in_its_public_epcis_history_as_on_its_page(
    client: AsyncClient, db: Database
) -> None:
    candy = await load_demo()
    sugar = await Product.get(name="Đường kính trắng (nguyên liệu)")
    coconut = await Batch.get(lot_code="DX-190515").select_related("product")
    assert not sugar.is_published
    # The link the resolver's linkset gives partners, followed as they would.
    linkset = (await client.get(DEMO_LOT, params={"linkType": "linkset"})).json()
    (link,) = linkset["linkset"][0]["https://ref.gs1.org/voc/epcis"]
    assert (
        link["href"]
        == f"{BASE}/epcis/events?MATCH_anyEPCClass={quote(lot_uri(candy, 'KDSR-190520'), safe='')}"
    )
    answer = await client.get(urlsplit(link["href"]).path + "?" + urlsplit(link["href"]).query)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == link["type"] == "application/json"
    events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e.get("bizStep") for e in events] == ["creating_class_instance", "shipping"]
    production = events[0]
    assert production["inputQuantityList"] == [
        {"epcClass": lot_uri(coconut.product, "DX-190515"), "quantity": 600, "uom": "KGM"},
        {"epcClass": epcis.REDACTED_LOT, "quantity": 120, "uom": "KGM"},  # the sugar: withheld
    ]
    assert "DUONG-1905" not in answer.text
    assert epcis_validation.validate(answer.json()) == []
    # The page shows the same two stages, by the same event IDs, and the sugar the same way.
    page = text_of((await client.get(f"/t/{product_code(candy.id)}/KDSR-190520")).text)
    ids = re.findall(r"Mã sự kiện (\w+)", page)
    assert ids == [e["eventID"].removeprefix("ni:///sha-256;")[:12] for e in events]
    assert "Lô nguyên liệu chưa công bố: 1" in page
    assert "DUONG-1905" not in page
    assert "Đường kính trắng" not in page
    # The unpublished lot's own identifier finds nothing, not even the event that names it.
    sugar_lot = quote(lot_uri(sugar, "DUONG-1905"), safe="")
    assert (await client.get(f"/epcis/events?MATCH_anyEPCClass={sugar_lot}")).json()["epcisBody"][
        "queryResults"
    ]["resultsBody"]["eventList"] == []
    # Every event of the whole public history names a lot the public sees, and the documents validate.
    everything = (await client.get("/epcis/events?perPage=100")).json()
    assert "DUONG-1905" not in str(everything)
    assert len(everything["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 9


LOT_QUERY = """query($q: String!) { batches(filter: {lotCode: $q}) { edges { node { lotCode
  lineage { depth withheld batches { lotCode } } epcisDocument } } } }"""


async def test_graphql_public_views_follow_the_same_rule(
    client: AsyncClient, admin_token: str, db: Database
) -> None:
    await load_demo()

    async def demo_lot(token: str | None) -> dict[str, Any]:
        body = await gql(client, LOT_QUERY, {"q": "KDSR-190520"}, token=token)
        assert "errors" not in body, body
        (edge,) = body["data"]["batches"]["edges"]
        node: dict[str, Any] = edge["node"]
        return node

    public = await demo_lot(None)
    assert public["lineage"][0] == {"depth": 1, "withheld": 1, "batches": [{"lotCode": "DX-190515"}]}
    production = public["epcisDocument"]["epcisBody"]["eventList"][0]
    assert [q["epcClass"] for q in production["inputQuantityList"]][1] == epcis.REDACTED_LOT
    assert epcis_validation.validate(public["epcisDocument"]) == []  # still a valid EPCIS 2.0 document
    admin = await demo_lot(admin_token)  # who sees every lot sees it named
    assert admin["lineage"][0]["withheld"] == 0
    assert "DUONG-1905" in str(admin["epcisDocument"])
