"""A producer's products are registered with GTIN, net quantity, certifications and images."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from strawberry.relay import to_base64

from models import Certification, Product, ProductImage
from tests.conftest import Database, gql
from tests.factories import make_producer


@pytest.fixture
def client(admin_client: AsyncClient) -> AsyncClient:
    """These tests are about validation: they act as a central admin (authorization: tests/accounts)."""
    return admin_client


CREATE = """
mutation($input: ProductCreateInput!) {
  createProduct(input: $input) {
    product {
      id name gtin netQuantity netUnit standards
      group { code name } subgroup { code }
      certifications { scheme number validUntil }
      images { url caption }
      producer { name }
    }
    errors { field code message }
  }
}
"""


async def product_input(**overrides: object) -> dict[str, object]:
    producer = await make_producer(name="HTX Dừa Xanh Giồng Trôm (demo)")
    values: dict[str, object] = {
        "producerId": to_base64("Producer", producer.id),
        "name": "Kẹo dừa sầu riêng lá dứa",
        "criteriaSet": "QD_148",
        "group": "1",
        "subgroup": "1.2",
        "gtin": "8934563138165",
        "netQuantity": "400",
        "netUnit": "g",
        "standards": ["TCCS 01:2019/HTX-DXGT"],
        "certifications": [{"scheme": "HACCP", "number": "HACCP-2024-0119", "validUntil": "2027-05-01"}],
        "images": [{"url": "https://ocop.test/media/keo-dua.jpg", "caption": "Hộp 400 g"}],
    }
    values.update(overrides)
    return values


async def test_a_product_is_registered_with_its_gtin_as_gtin14(client: AsyncClient, db: Database) -> None:
    body = await gql(client, CREATE, {"input": await product_input()})
    payload = body["data"]["createProduct"]
    assert payload["errors"] == []
    product = payload["product"]
    assert product["gtin"] == "08934563138165"
    assert product["netQuantity"] == "400.000"
    assert product["group"] == {"code": "1", "name": "Thực phẩm"}
    assert product["subgroup"] == {"code": "1.2"}
    assert product["certifications"] == [
        {"scheme": "HACCP", "number": "HACCP-2024-0119", "validUntil": "2027-05-01"}
    ]
    assert product["images"] == [{"url": "https://ocop.test/media/keo-dua.jpg", "caption": "Hộp 400 g"}]
    assert product["producer"] == {"name": "HTX Dừa Xanh Giồng Trôm (demo)"}


async def test_a_wrong_gtin_check_digit_is_named_and_nothing_is_written(
    client: AsyncClient, db: Database
) -> None:
    body = await gql(client, CREATE, {"input": await product_input(gtin="8934563138166")})
    payload = body["data"]["createProduct"]
    assert payload["product"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("gtin", "INVALID_CHECK_DIGIT")]
    assert "5" in payload["errors"][0]["message"]  # the right check digit is named
    assert await Product.all().count() == 0
    assert await Certification.all().count() == 0
    assert await ProductImage.all().count() == 0


async def test_a_bad_certification_row_writes_neither_the_product_nor_the_other_rows(
    client: AsyncClient, db: Database
) -> None:
    certifications = [{"scheme": "VietGAP"}, {"scheme": "  "}]
    body = await gql(client, CREATE, {"input": await product_input(certifications=certifications)})
    assert body["data"]["createProduct"]["errors"][0]["field"] == "certifications.1.scheme"
    assert await Product.all().count() == 0
    assert await Certification.all().count() == 0


async def test_a_group_must_exist_in_the_criteria_set(client: AsyncClient, db: Database) -> None:
    body = await gql(
        client, CREATE, {"input": await product_input(criteriaSet="QD_1048", group="1", subgroup="4.1")}
    )
    errors = body["data"]["createProduct"]["errors"]
    assert errors[0]["field"] == "subgroup"
    assert errors[0]["code"] == "NOT_FOUND"


async def test_a_subgroup_must_belong_to_its_group(client: AsyncClient, db: Database) -> None:
    body = await gql(client, CREATE, {"input": await product_input(group="2", subgroup="1.2")})
    assert body["data"]["createProduct"]["errors"][0]["field"] == "subgroup"


async def test_a_gtin_belongs_to_one_product(client: AsyncClient, db: Database) -> None:
    await gql(client, CREATE, {"input": await product_input()})
    body = await gql(client, CREATE, {"input": await product_input(name="Kẹo dừa lá dứa")})
    assert body["data"]["createProduct"]["errors"][0]["code"] == "UNIQUE"
    assert await Product.all().count() == 1


UPDATE = """
mutation($input: ProductUpdateInput!) {
  updateProduct(input: $input) { product { name gtin certifications { scheme } } errors { field code } }
}
"""


async def test_an_update_replaces_certifications_in_one_transaction(
    client: AsyncClient, db: Database
) -> None:
    created = await gql(client, CREATE, {"input": await product_input()})
    product_id = created["data"]["createProduct"]["product"]["id"]
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": product_id, "certifications": [{"scheme": "VietGAP"}, {"scheme": "ISO 22000"}]}},
    )
    assert body["data"]["updateProduct"]["product"]["certifications"] == [
        {"scheme": "VietGAP"},
        {"scheme": "ISO 22000"},
    ]
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": product_id, "gtin": "123", "certifications": [{"scheme": "Organic"}]}},
    )
    assert body["data"]["updateProduct"]["errors"] == [{"field": "gtin", "code": "INVALID"}]
    assert sorted(c.scheme for c in await Certification.all()) == ["ISO 22000", "VietGAP"]


async def test_an_unknown_producer_id_is_a_typed_error(client: AsyncClient, db: Database) -> None:
    body = await gql(client, CREATE, {"input": await product_input(producerId=to_base64("Producer", 999999))})
    assert body["data"]["createProduct"]["errors"] == [
        {"field": "producerId", "code": "NOT_FOUND", "message": "Không tìm thấy chủ thể."}
    ]
    body = await gql(client, CREATE, {"input": await product_input(producerId=to_base64("Product", 1))})
    assert body["data"]["createProduct"]["errors"][0]["code"] == "INVALID"
