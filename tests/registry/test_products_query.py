"""Frontend teams list, search and filter products; a province page filters by province across the 2025 reform."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from httpx import AsyncClient
from strawberry.relay import to_base64

from models import Role, UnitEra
from services.common.clock import today as vietnam_today
from services.registry import admin_units
from services.registry.manage import find_province
from tests.conftest import Database, SQLCounter, gql
from tests.factories import certify, make_producer, make_product, token_for

PRODUCTS = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter, $sortBy: ProductSort) {
  products(first: $first, after: $after, last: $last, before: $before, filter: $filter, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name stars producer { name kind province { code name } } } }
  }
}
"""


def names(body: dict[str, object]) -> list[str]:
    return [e["node"]["name"] for e in body["data"]["products"]["edges"]]  # type: ignore[index]


async def bentre_and_others() -> None:
    son_doc = await make_producer(name="Tổ hợp tác Bánh phồng Sơn Đốc (demo)", kind="cooperative_group")
    await make_product(son_doc, name="Bánh phồng Sơn Đốc nếp lá dứa")
    await make_product(son_doc, name="Bánh phồng Sơn Đốc sữa dừa")
    mo_cay = await make_producer(
        name="Cơ sở Kẹo dừa Mỏ Cày Bắc (demo)", kind="household_business", communeCode="28889"
    )
    await certify(
        await make_product(mo_cay, name="Kẹo dừa sầu riêng lá dứa"),
        stars=4,
        decided=vietnam_today() - dt.timedelta(days=30),
    )
    await make_product(mo_cay, name="Bưởi da xanh Chợ Lách", group="1", subgroup="1.1")
    hue = await make_producer(
        name="HTX Tinh dầu tràm Huế (demo)", communeCode="19879"
    )  # Thừa Thiên Huế (legacy)
    await certify(
        await make_product(hue, name="Tinh dầu tràm", group="3", subgroup="3.4"),
        stars=3,
        decided=vietnam_today() - dt.timedelta(days=60),
    )
    ruou = await make_producer(
        name="Cơ sở Rượu Phú Lễ (demo)", kind="household_business", communeCode="29146"
    )
    await make_product(ruou, name="Rượu Phú Lễ", group="2", subgroup="2.1", isPublished=False)


async def test_search_finds_son_doc_without_diacritics(client: AsyncClient, db: Database) -> None:
    await bentre_and_others()
    body = await gql(client, PRODUCTS, {"first": 5, "filter": {"search": "banh phong son doc"}})
    assert body["data"]["products"]["totalCount"] == 2
    assert names(body) == ["Bánh phồng Sơn Đốc nếp lá dứa", "Bánh phồng Sơn Đốc sữa dừa"]


async def test_search_ignores_case_word_order_and_matches_producer_names(
    client: AsyncClient, db: Database
) -> None:
    await bentre_and_others()
    assert names(await gql(client, PRODUCTS, {"filter": {"search": "BUOI DA XANH"}})) == [
        "Bưởi da xanh Chợ Lách"
    ]
    assert names(await gql(client, PRODUCTS, {"filter": {"search": "mo cay bac"}})) == [
        "Bưởi da xanh Chợ Lách",
        "Kẹo dừa sầu riêng lá dứa",
    ]
    nfd = unicodedata.normalize("NFD", "dừa sầu riêng kẹo")
    assert names(await gql(client, PRODUCTS, {"filter": {"search": nfd}})) == ["Kẹo dừa sầu riêng lá dứa"]


async def test_unpublished_products_are_not_listed(client: AsyncClient, db: Database) -> None:
    await bentre_and_others()
    assert names(await gql(client, PRODUCTS, {"filter": {"search": "ruou phu le"}})) == []


async def test_min_stars_keeps_products_with_a_valid_certificate_of_that_rank(
    client: AsyncClient, db: Database
) -> None:
    await bentre_and_others()
    body = await gql(client, PRODUCTS, {"filter": {"minStars": 3}})
    assert names(body) == ["Kẹo dừa sầu riêng lá dứa", "Tinh dầu tràm"]
    assert [e["node"]["stars"] for e in body["data"]["products"]["edges"]] == [4, 3]
    assert names(await gql(client, PRODUCTS, {"filter": {"minStars": 4}})) == ["Kẹo dừa sầu riêng lá dứa"]


async def test_group_and_producer_kind_filters(client: AsyncClient, db: Database) -> None:
    await bentre_and_others()
    assert names(await gql(client, PRODUCTS, {"filter": {"group": "3"}})) == ["Tinh dầu tràm"]
    assert names(await gql(client, PRODUCTS, {"filter": {"group": "1.1"}})) == ["Bưởi da xanh Chợ Lách"]
    body = await gql(client, PRODUCTS, {"filter": {"producerKind": "COOPERATIVE_GROUP"}})
    assert names(body) == ["Bánh phồng Sơn Đốc nếp lá dứa", "Bánh phồng Sơn Đốc sữa dừa"]


async def test_province_filter_spans_the_2025_merger(client: AsyncClient, db: Database) -> None:
    await bentre_and_others()
    # A producer registered after the reform in Phường Phú Khương (current Vĩnh Long, formerly Bến Tre).
    new = await make_producer(
        name="HTX Dừa Phú Khương (demo)", communeCode="28756", communeEra=UnitEra.CURRENT
    )
    await make_product(new, name="Dầu dừa tinh khiết")
    bentre = names(await gql(client, PRODUCTS, {"filter": {"provinceCode": "83"}}))
    assert "Bánh phồng Sơn Đốc sữa dừa" in bentre
    assert "Dầu dừa tinh khiết" in bentre  # its commune succeeded a Bến Tre commune
    assert "Tinh dầu tràm" not in bentre
    vinh_long = names(await gql(client, PRODUCTS, {"filter": {"provinceCode": "86"}}))
    assert set(bentre) <= set(vinh_long)  # Bến Tre was merged into Vĩnh Long
    assert names(await gql(client, PRODUCTS, {"filter": {"provinceCode": "46"}})) == ["Tinh dầu tràm"]


async def test_a_province_filter_reads_only_the_page_once_its_cover_is_known(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    """Which provinces and communes a province code covers across the reform is reference data, read once
    per process (and again after `sync` loads new units): a filtered page is then one statement, and
    still finds the producer registered in a commune that succeeded a Bến Tre commune."""
    await bentre_and_others()
    new = await make_producer(
        name="HTX Dừa Phú Khương (demo)", communeCode="28756", communeEra=UnitEra.CURRENT
    )
    await make_product(new, name="Dầu dừa tinh khiết")
    admin_units.forget_cached()
    sql_counter.statements.clear()
    document = "query($f: ProductFilter) { products(filter: $f) { edges { node { name } } } }"
    first = names(await gql(client, document, {"f": {"provinceCode": "83"}}))
    cold = len(sql_counter.statements)
    sql_counter.statements.clear()
    again = names(await gql(client, document, {"f": {"provinceCode": "83"}}))
    assert again == first
    assert "Dầu dừa tinh khiết" in again
    assert cold > 1
    assert len(sql_counter.statements) == 1, sql_counter.statements


async def test_an_unknown_province_code_is_a_typed_error(client: AsyncClient, db: Database) -> None:
    body = await gql(client, PRODUCTS, {"filter": {"provinceCode": "99"}})
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "filter.provinceCode"}
    assert error["message"] == "Không có tỉnh/thành phố mã 99."


async def test_pages_follow_cursors_forwards_and_backwards(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    for n in range(7):
        await make_product(producer, name=f"Sản phẩm {n}")
    first = await gql(client, PRODUCTS, {"first": 3})
    page = first["data"]["products"]
    assert names(first) == ["Sản phẩm 0", "Sản phẩm 1", "Sản phẩm 2"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False
    second = await gql(client, PRODUCTS, {"first": 3, "after": page["pageInfo"]["endCursor"]})
    assert names(second) == ["Sản phẩm 3", "Sản phẩm 4", "Sản phẩm 5"]
    third = await gql(
        client, PRODUCTS, {"first": 3, "after": second["data"]["products"]["pageInfo"]["endCursor"]}
    )
    assert names(third) == ["Sản phẩm 6"]
    assert third["data"]["products"]["pageInfo"]["hasNextPage"] is False
    last = await gql(client, PRODUCTS, {"last": 2})
    assert names(last) == ["Sản phẩm 5", "Sản phẩm 6"]
    before = await gql(
        client, PRODUCTS, {"last": 2, "before": second["data"]["products"]["edges"][0]["cursor"]}
    )
    assert names(before) == ["Sản phẩm 1", "Sản phẩm 2"]
    desc = await gql(client, PRODUCTS, {"first": 2, "sortBy": {"field": "NAME", "direction": "DESC"}})
    assert names(desc) == ["Sản phẩm 6", "Sản phẩm 5"]


async def test_a_page_is_capped_at_100(client: AsyncClient, db: Database) -> None:
    body = await gql(client, PRODUCTS, {"first": 101})
    assert body["errors"][0]["extensions"] == {"code": "INVALID", "field": "first"}
    body = await gql(client, PRODUCTS, {"first": 1, "after": "not-a-cursor"})
    assert body["errors"][0]["extensions"]["field"] == "after"


LIST_WITH_RELATIONS = """
query($first: Int!) {
  products(first: $first) {
    edges { node { name stars certificate { number level validUntil } producer { name kind province { code name } } } }
  }
}
"""


async def test_the_query_count_does_not_grow_with_the_page(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    for p in range(12):
        producer = await make_producer(communeCode=["29044", "28889", "19879"][p % 3])
        for n in range(9):
            product = await make_product(producer, name=f"Sản phẩm {p}-{n}")
            if n % 2 == 0:
                await certify(product, stars=3 + n % 3, decided=vietnam_today() - dt.timedelta(days=n * 100))
    admin_units.forget_cached()  # both pages start cold: provinces are read once per process otherwise
    sql_counter.statements.clear()
    small = await gql(client, LIST_WITH_RELATIONS, {"first": 10})
    small_count = len(sql_counter.statements)
    admin_units.forget_cached()
    sql_counter.statements.clear()
    large = await gql(client, LIST_WITH_RELATIONS, {"first": 100})
    large_count = len(sql_counter.statements)
    assert len(small["data"]["products"]["edges"]) == 10
    assert len(large["data"]["products"]["edges"]) == 100
    assert {e["node"]["producer"]["province"]["code"] for e in large["data"]["products"]["edges"]} == {
        "83",
        "46",
    }
    # The page's rows joined with producers and certificates, the provinces in one batch: two statements
    # whatever the page size.
    assert large_count == small_count == 2, sql_counter.statements


NODE = """
query($ids: [ID!]!, $id: ID!) {
  node(id: $id) { __typename id ... on Product { name } }
  nodes(ids: $ids) { __typename ... on Producer { name } ... on Product { name } }
}
"""


async def test_any_object_is_fetched_by_its_global_id(client: AsyncClient, db: Database) -> None:
    producer = await make_producer(name="HTX Bưởi da xanh (demo)")
    product = await make_product(producer, name="Bưởi da xanh Chợ Lách")
    product_id = to_base64("Product", product.id)
    body = await gql(
        client, NODE, {"id": product_id, "ids": [to_base64("Producer", producer.id), product_id]}
    )
    assert body["data"]["node"] == {
        "__typename": "Product",
        "id": product_id,
        "name": "Bưởi da xanh Chợ Lách",
    }
    assert body["data"]["nodes"] == [
        {"__typename": "Producer", "name": "HTX Bưởi da xanh (demo)"},
        {"__typename": "Product", "name": "Bưởi da xanh Chợ Lách"},
    ]


EVERY_FIELD = """
id name nameEn description descriptionEn criteriaSet gtin netQuantity netUnit shelfLifeDays ingredients
ingredientsEn standards isPublished createdAt updatedAt stars displayName
group { code name } subgroup { code }
certificate { id number level stars status validFrom validUntil isValid scoreA scoreB scoreC total }
producer { id name nameEn kind taxCode gln addressLine address phone email createdAt province { code name } }
"""


async def test_a_product_reads_the_same_in_a_list_and_on_its_own(client: AsyncClient, db: Database) -> None:
    """Lists read rows in bulk without the ORM; every field must come out as the single-object path gives it."""
    producer = await make_producer(name="HTX Dừa Xanh (demo)", phone="0275 3822 111", email="a@example.vn")
    product = await make_product(
        producer,
        name="Kẹo dừa lá dứa",
        nameEn="Pandan coconut candy",
        gtin="8934563138165",
        netQuantity=Decimal("400"),
        netUnit="g",
        shelfLifeDays=270,
        standards=["TCCS 01:2019/HTX"],
        ingredients="Cơm dừa, đường",
    )
    await certify(product, stars=4, decided=vietnam_today() - dt.timedelta(days=20))
    listed = await gql(client, f"{{ products {{ edges {{ node {{ {EVERY_FIELD} }} }} }} }}")
    single = await gql(
        client,
        f"query($id: ID!) {{ product(id: $id) {{ {EVERY_FIELD} }} }}",
        {"id": to_base64("Product", product.id)},
    )
    assert listed["data"]["products"]["edges"][0]["node"] == single["data"]["product"]
    assert single["data"]["product"]["netQuantity"] == "400.000"
    assert single["data"]["product"]["createdAt"].endswith("+07:00")


DIRECTORY = "query($first: Int!) { products(first: $first) { edges { node { name stars isPublished producer { name } } } } }"


async def test_the_directory_listing_reads_the_stars_with_the_page(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    """The listing every visitor and officer opens (name, stars, producer): one statement reads the page's
    rows joined with their producers and certificates, and for a signed-in officer one more reads the
    token, the user and the memberships together, whatever the page size."""
    bentre = await find_province("83", UnitEra.LEGACY)
    assert bentre is not None
    for p in range(6):
        producer = await make_producer(communeCode=["29044", "28889", "19879"][p % 3])
        for n in range(8):
            product = await make_product(producer, name=f"Đặc sản {p}-{n}", isPublished=n != 7)
            if n % 2 == 0:
                await certify(product, stars=3 + n % 3, decided=vietnam_today() - dt.timedelta(days=n * 100))
    officer = await token_for(Role.PROVINCE_OFFICER, province_id=bentre.id)
    counts = {}
    for who, token in (("public", None), ("officer", officer)):
        # A session's first request also notes when it was used, and a province's communes are read once
        # per process: not what every request costs.
        await gql(client, DIRECTORY, {"first": 1}, token=token)
        for first in (5, 48):
            sql_counter.statements.clear()
            body = await gql(client, DIRECTORY, {"first": first}, token=token)
            counts[who, first] = len(sql_counter.statements)
            nodes = [e["node"] for e in body["data"]["products"]["edges"]]
            assert len(nodes) == min(first, 42 if who == "public" else 46)
            assert {n["stars"] for n in nodes if n["name"].endswith(("-0", "-4"))} <= {3, 4, 5}
            assert all(n["stars"] is None for n in nodes if n["name"].endswith(("-1", "-3", "-5")))
    # The officer of Bến Tre also sees the unpublished products of its province's producers.
    assert counts == {("public", 5): 1, ("public", 48): 1, ("officer", 5): 2, ("officer", 48): 2}
