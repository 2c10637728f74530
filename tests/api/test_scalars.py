"""Frontend teams read how each scalar travels from the schema itself (issue 17): Date, DateTime and Decimal
name their specification (`@specifiedBy`), and Decimal says it is a string."""

from __future__ import annotations

from httpx import AsyncClient

from tests.conftest import Database, gql

TYPE = "query($name: String!) { __type(name: $name) { kind specifiedByURL description } }"


async def test_date_datetime_and_decimal_name_their_specification(client: AsyncClient, db: Database) -> None:
    found = {}
    for name in ("Date", "DateTime", "Decimal"):
        body = await gql(client, TYPE, {"name": name})
        assert "errors" not in body, body
        found[name] = body["data"]["__type"]
        assert found[name]["kind"] == "SCALAR"
    assert found["Date"]["specifiedByURL"] == found["DateTime"]["specifiedByURL"]
    assert "rfc3339" in found["Date"]["specifiedByURL"]
    assert found["Decimal"]["specifiedByURL"].startswith("https://")
    assert "string" in found["Decimal"]["description"]
    assert "+07:00" in found["DateTime"]["description"]
