"""A province officer registers producers; bad input gets a typed error and writes nothing."""

from __future__ import annotations

import unicodedata

import pytest
from httpx import AsyncClient

from models import Producer
from tests.conftest import Database, gql
from tests.factories import HUNG_NHUONG, tax_code


@pytest.fixture
def client(admin_client: AsyncClient) -> AsyncClient:
    """These tests are about validation: they act as a central admin (authorization: tests/accounts)."""
    return admin_client


CREATE = """
mutation($input: ProducerCreateInput!) {
  createProducer(input: $input) {
    producer { id name kind taxCode address province { code name era } commune { code name } }
    errors { field code message }
  }
}
"""


def producer_input(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "HTX Bánh phồng Sơn Đốc (demo)",
        "kind": "COOPERATIVE",
        "addressLine": "Ấp 5",
        "communeCode": HUNG_NHUONG,
        "communeEra": "LEGACY",
        "taxCode": tax_code(77),
    }
    values.update(overrides)
    return values


async def test_a_producer_is_registered_with_its_address_down_to_the_commune(
    client: AsyncClient, db: Database
) -> None:
    body = await gql(client, CREATE, {"input": producer_input()})
    payload = body["data"]["createProducer"]
    assert payload["errors"] == []
    producer = payload["producer"]
    assert producer["name"] == "HTX Bánh phồng Sơn Đốc (demo)"
    assert producer["kind"] == "COOPERATIVE"
    assert producer["province"] == {"code": "83", "name": "Tỉnh Bến Tre", "era": "LEGACY"}
    assert producer["address"] == "Ấp 5, Xã Hưng Nhượng, Huyện Giồng Trôm, Tỉnh Bến Tre"


async def test_decomposed_vietnamese_is_stored_composed(client: AsyncClient, db: Database) -> None:
    nfd = unicodedata.normalize("NFD", "HTX Bưởi da xanh Chợ Lách (demo)")
    body = await gql(
        client,
        CREATE,
        {"input": producer_input(name=nfd, addressLine=unicodedata.normalize("NFD", "Ấp Hòa An"))},
    )
    assert body["data"]["createProducer"]["errors"] == []
    stored = await Producer.get(name_folded="htx buoi da xanh cho lach (demo)")
    assert stored.name == "HTX Bưởi da xanh Chợ Lách (demo)"
    assert unicodedata.is_normalized("NFC", stored.name)
    assert stored.address_line == "Ấp Hòa An"


async def test_a_malformed_tax_code_is_refused_with_a_typed_error(client: AsyncClient, db: Database) -> None:
    body = await gql(client, CREATE, {"input": producer_input(taxCode="1300000028")})
    payload = body["data"]["createProducer"]
    assert payload["producer"] is None
    assert payload["errors"][0]["field"] == "taxCode"
    assert payload["errors"][0]["code"] == "INVALID_TAX_CODE"
    assert "Mã số thuế" in payload["errors"][0]["message"]
    assert await Producer.all().count() == 0


async def test_errors_are_in_english_on_request(client: AsyncClient, db: Database) -> None:
    body = await gql(client, CREATE, {"input": producer_input(taxCode="12")}, lang="en-GB,en;q=0.9")
    assert body["data"]["createProducer"]["errors"][0]["message"].startswith("Invalid tax code")


async def test_an_unknown_commune_and_a_bad_tax_code_are_both_reported(
    client: AsyncClient, db: Database
) -> None:
    body = await gql(client, CREATE, {"input": producer_input(communeCode="99999", taxCode="abc")})
    errors = {(e["field"], e["code"]) for e in body["data"]["createProducer"]["errors"]}
    assert errors == {("communeCode", "NOT_FOUND"), ("taxCode", "INVALID_TAX_CODE")}
    assert await Producer.all().count() == 0


async def test_a_tax_code_is_used_by_one_producer_only(client: AsyncClient, db: Database) -> None:
    await gql(client, CREATE, {"input": producer_input()})
    body = await gql(client, CREATE, {"input": producer_input(name="Another (demo)")})
    assert body["data"]["createProducer"]["errors"][0] == {
        "field": "taxCode",
        "code": "UNIQUE",
        "message": "Giá trị này đã được dùng.",
    }
    assert await Producer.all().count() == 1


async def test_a_household_business_registers_in_a_current_commune_without_a_tax_code(
    client: AsyncClient, db: Database
) -> None:
    # 28756 Phường Phú Khương: since 2025-07-01 part of the merged Vĩnh Long (86), formerly Bến Tre.
    body = await gql(
        client,
        CREATE,
        {
            "input": producer_input(
                kind="HOUSEHOLD_BUSINESS", taxCode=None, communeEra="CURRENT", communeCode="28756"
            )
        },
    )
    payload = body["data"]["createProducer"]
    assert payload["errors"] == []
    assert payload["producer"]["taxCode"] is None
    assert payload["producer"]["province"] == {"code": "86", "name": "Tỉnh Vĩnh Long", "era": "CURRENT"}
    assert payload["producer"]["address"] == "Ấp 5, Phường Phú Khương, Tỉnh Vĩnh Long"


UPDATE = """
mutation($input: ProducerUpdateInput!) {
  updateProducer(input: $input) { producer { name phone taxCode } errors { field code } }
}
"""


async def test_an_update_changes_only_the_fields_sent(client: AsyncClient, db: Database) -> None:
    created = await gql(client, CREATE, {"input": producer_input(phone="0275 3822 111")})
    producer_id = created["data"]["createProducer"]["producer"]["id"]
    body = await gql(client, UPDATE, {"input": {"id": producer_id, "phone": "0275 3999 000"}})
    assert body["data"]["updateProducer"] == {
        "producer": {
            "name": "HTX Bánh phồng Sơn Đốc (demo)",
            "phone": "0275 3999 000",
            "taxCode": tax_code(77),
        },
        "errors": [],
    }
    body = await gql(client, UPDATE, {"input": {"id": producer_id, "taxCode": "0000000000"}})
    assert body["data"]["updateProducer"]["errors"] == [{"field": "taxCode", "code": "INVALID_TAX_CODE"}]
    assert (await Producer.get()).tax_code == tax_code(77)


LOGO = """
mutation($input: ProducerUpdateInput!) {
  updateProducer(input: $input) { producer { logoUrl } errors { field code message } }
}
"""


async def test_a_producer_logo_is_set_changed_refused_and_cleared(client: AsyncClient, db: Database) -> None:
    """The logo is one of our files or an https address; anything else is refused with INVALID and leaves
    the stored logo as it was; null clears it."""
    created = await gql(
        client, CREATE, {"input": producer_input(logoUrl=" /static/demo/logo-banh-phong-son-doc.png ")}
    )
    assert created["data"]["createProducer"]["errors"] == []
    producer_id = created["data"]["createProducer"]["producer"]["id"]
    assert (await Producer.get()).logo_url == "/static/demo/logo-banh-phong-son-doc.png"
    body = await gql(client, LOGO, {"input": {"id": producer_id, "logoUrl": "/media/logos/son-doc.png"}})
    assert body["data"]["updateProducer"] == {
        "producer": {"logoUrl": "/media/logos/son-doc.png"},
        "errors": [],
    }
    for bad in (
        "javascript:alert(1)",
        "file:///etc/passwd",
        "logo.png",
        "/media/../../etc/passwd",
        "/media/a logo.png",
        "https://example.vn/" + "x" * 500,
    ):
        body = await gql(client, LOGO, {"input": {"id": producer_id, "logoUrl": bad}})
        payload = body["data"]["updateProducer"]
        assert payload["producer"] is None, bad
        (error,) = payload["errors"]
        assert error["field"] == "logoUrl"
        assert error["code"] == ("TOO_LONG" if len(bad) > 500 else "INVALID"), bad
    assert (await Producer.get()).logo_url == "/media/logos/son-doc.png"
    body = await gql(client, LOGO, {"input": {"id": producer_id, "logoUrl": None}})
    assert body["data"]["updateProducer"] == {"producer": {"logoUrl": None}, "errors": []}
    assert (await Producer.get()).logo_url is None
