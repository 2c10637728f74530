"""Out-of-range quantities, over-long administrative codes and over-long lot codes are typed errors, never a
500, and SQLite refuses what PostgreSQL's NUMERIC(14, 3) refuses. On SQLite and PostgreSQL (the `db`
fixture)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from strawberry.relay import to_base64

from models import Batch, EventQuantity, Role
from services.trace.batches import quantity_fits
from tests.conftest import Database, gql
from tests.factories import make_batch, make_product, token_for
from tests.trace.page_samples import page_of

BAD_QUANTITIES = ["1e308", "-1e308", "NaN", "Infinity", "1e11", "99999999999.9995", "0.0001", "1e-400"]
GOOD_QUANTITIES = ["0", "1", "99999999999.999", "12.5", "1E+3"]


def test_quantity_fits_the_column() -> None:
    assert [q for q in BAD_QUANTITIES if quantity_fits(Decimal(q))] == []
    assert [q for q in GOOD_QUANTITIES if not quantity_fits(Decimal(q))] == []


CREATE_BATCH = """mutation($input: BatchCreateInput!) { createBatch(input: $input) {
  batch { id } errors { field code } } }"""
RECORD_EVENT = """mutation($input: EventRecordInput!) { recordEvent(input: $input) {
  event { id } errors { field code } } }"""


def _errors(body: dict[str, Any], field: str) -> list[tuple[str, str]]:
    assert "errors" not in body, body["errors"]  # no top-level error: nothing a 500
    return [(e["field"], e["code"]) for e in body["data"][field]["errors"]]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
async def test_out_of_range_batch_quantity(client: AsyncClient, db: Database, quantity: str) -> None:
    token = await token_for(Role.CENTRAL_ADMIN)
    product = await make_product()
    input_ = {"productId": to_base64("Product", product.id), "lotCode": "Q-1", "quantity": quantity}
    body = await gql(client, CREATE_BATCH, {"input": input_}, token=token)
    assert _errors(body, "createBatch") == [("quantity", "OUT_OF_RANGE")]
    assert await Batch.all().count() == 0


@pytest.mark.parametrize("quantity", ["1e308", "NaN", "1e11", "-Infinity"])
async def test_out_of_range_event_quantity(client: AsyncClient, db: Database, quantity: str) -> None:
    token = await token_for(Role.CENTRAL_ADMIN)
    batch = await make_batch(await make_product(), "Q-2")
    lots = [{"batchId": to_base64("Batch", batch.id), "quantity": quantity, "unit": "H87"}]
    input_ = {"eventTime": "2026-01-01T08:00:00+07:00", "lots": lots}
    body = await gql(client, RECORD_EVENT, {"input": input_}, token=token)
    assert _errors(body, "recordEvent") == [("subjects.0.quantity", "OUT_OF_RANGE")]
    assert await EventQuantity.all().count() == 0


async def test_the_largest_quantity_is_stored_exactly(client: AsyncClient, db: Database) -> None:
    token = await token_for(Role.CENTRAL_ADMIN)
    product = await make_product()
    input_ = {"productId": to_base64("Product", product.id), "lotCode": "Q-3", "quantity": "99999999999.999"}
    body = await gql(client, CREATE_BATCH, {"input": input_}, token=token)
    assert _errors(body, "createBatch") == []
    assert (await Batch.get(lot_code="Q-3")).quantity == Decimal("99999999999.999")


async def test_over_long_codes(client: AsyncClient, db: Database) -> None:
    token = await token_for(Role.CENTRAL_ADMIN)
    product = await make_product()
    long_code = "8" * 10_000
    input_ = {"productId": to_base64("Product", product.id), "lotCode": "Q-4", "originCommuneCode": long_code}
    body = await gql(client, CREATE_BATCH, {"input": input_}, token=token)
    assert _errors(body, "createBatch")  # a typed refusal
    for query in (
        "query($c: String) { products(filter: {provinceCode: $c}) { totalCount } }",
        "query($c: String) { producers(filter: {provinceCode: $c}) { totalCount } }",
    ):
        body = await gql(client, query, {"c": long_code}, token=token)
        codes = [e["extensions"]["code"] for e in body.get("errors") or []]
        assert "INTERNAL_SERVER_ERROR" not in codes, body
    # A lot code far past GS1's 20 characters in a public URL: a 404 page, not a 500.
    for lot in ("L" * 5_000, "%C3%A9" * 2_000, "%FF%FE"):
        for query in ("", "?serial=123"):
            response = await client.get(page_of(product, lot) + query)
            assert response.status_code == 404, response.text[:200]
        response = await client.get(f"/products/{lot}")
        assert response.status_code == 404, response.text[:200]
        response = await client.get(f"/01/08936131800023/10/{lot}")
        assert response.status_code in (400, 404), response.text[:200]
