"""The tracing API: a producer records a lot's life, an officer recalls, a consumer reads the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from httpx import AsyncClient
from strawberry.relay import to_base64

from models import EventType, Product, Role, UnitEra
from services.registry.manage import find_province
from services.trace import epcis_validation
from services.trace.identity import product_code
from tests.conftest import Database, SQLCounter, gql
from tests.factories import make_producer, make_product, token_for

CREATE = """
mutation($input: BatchCreateInput!) { createBatch(input: $input) { batch { id lotCode digitalLink expiryDate } errors { field code } } }
"""
EVENT = "mutation($input: EventRecordInput!) { recordEvent(input: $input) { event { eventHash bizStep } errors { field code } } }"
TRANSFORM = (
    "mutation($input: TransformationInput!) { recordTransformation(input: $input) { errors { field code } } }"
)
RECALL = "mutation($input: RecallInput!) { recordRecall(input: $input) { affected { lotCode status } holders { type id } errors { code } } }"
READ = """
query($id: ID!) { batch(id: $id) {
  lotCode status digitalLink product { name } originCommune { name }
  events { eventType bizStep disposition eventHash }
  lineage(direction: BACKWARD) { depth batches { lotCode originPlace } }
  integrity { valid eventsChecked }
  epcisDocument
} }
"""


async def create_batch(client: AsyncClient, member: str, product: Product, **fields: Any) -> dict[str, Any]:
    """The createBatch payload for a lot of `product` asked for by `member`, `fields` named as clients do."""
    variables = {"input": {"productId": to_base64("Product", product.id), **fields}}
    payload: dict[str, Any] = (await gql(client, CREATE, variables, token=member))["data"]["createBatch"]
    return payload


async def test_a_lots_life_from_coconut_to_candy_and_its_recall(client: AsyncClient, db: Database) -> None:
    producer = await make_producer(name="HTX Dừa Xanh Giồng Trôm (demo)")
    coconut_product = await make_product(producer, name="Dừa xiêm xanh", subgroup="1.1")
    candy_product = await make_product(
        producer, name="Kẹo dừa lá dứa", gtin="8934563138165", shelfLifeDays=270
    )
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    coconut = await create_batch(
        client,
        member,
        coconut_product,
        lotCode="DX-2019-05",
        harvestDate="2019-05-10",
        originCommuneCode="29044",
        originCommuneEra="LEGACY",
        originPlace="Vườn dừa ấp 3",
        quantity="500",
        unit="KGM",
    )
    assert coconut["errors"] == []
    assert (
        coconut["batch"]["digitalLink"]
        == f"https://ocop.test/p/{product_code(coconut_product.id)}/10/DX-2019-05"
    )
    candy = await create_batch(
        client, member, candy_product, lotCode="KD-2019-07", productionDate="2019-05-20"
    )
    assert candy["batch"]["digitalLink"] == "https://ocop.test/01/08934563138165/10/KD-2019-07"
    assert candy["batch"]["expiryDate"] == str(dt.date(2019, 5, 20) + dt.timedelta(days=270))
    harvest = {"eventTime": "2019-05-10T07:00:00+07:00", "lots": [{"batchId": coconut["batch"]["id"]}], "action": "ADD",
               "bizStep": "commissioning", "disposition": "active"}  # fmt: skip
    assert (await gql(client, EVENT, {"input": harvest}, token=member))["data"]["recordEvent"]["errors"] == []
    made = {"eventTime": "2019-05-20T09:00:00+07:00", "inputs": [{"batchId": coconut["batch"]["id"], "quantity": "300", "unit": "KGM"}],
            "outputs": [{"batchId": candy["batch"]["id"], "quantity": "2000", "unit": "H87"}]}  # fmt: skip
    assert (await gql(client, TRANSFORM, {"input": made}, token=member))["data"]["recordTransformation"][
        "errors"
    ] == []

    public = (await gql(client, READ, {"id": candy["batch"]["id"]}))["data"]["batch"]
    assert public["product"] == {"name": "Kẹo dừa lá dứa"}
    assert [e["eventType"] for e in public["events"]] == ["TRANSFORMATION"]
    assert public["lineage"] == [
        {"depth": 1, "batches": [{"lotCode": "DX-2019-05", "originPlace": "Vườn dừa ấp 3"}]}
    ]
    assert public["integrity"] == {"valid": True, "eventsChecked": 1}
    assert epcis_validation.validate(public["epcisDocument"]) == []

    # The candy is shipped to a shop: the shop holds it when the lot is recalled.
    shop = "https://id.gs1.org/414/8934563000011"
    shipped = {"eventTime": "2019-05-21T09:00:00+07:00", "lots": [{"batchId": candy["batch"]["id"]}], "bizStep": "shipping",
               "destinations": [{"type": "possessing_party", "destination": shop}]}  # fmt: skip
    assert (await gql(client, EVENT, {"input": shipped}, token=member))["data"]["recordEvent"]["errors"] == []
    # A producer member cannot recall; the Bến Tre officer can, and the candy made from the coconut follows.
    denied = await gql(
        client, RECALL, {"input": {"batchId": coconut["batch"]["id"], "reason": "Dư lượng"}}, token=member
    )
    assert denied["data"]["recordRecall"]["errors"] == [{"code": "FORBIDDEN"}]
    bentre = await find_province("83", UnitEra.LEGACY)
    assert bentre is not None
    officer = await token_for(Role.PROVINCE_OFFICER, province_id=bentre.id)
    recalled = await gql(
        client, RECALL, {"input": {"batchId": coconut["batch"]["id"], "reason": "Dư lượng"}}, token=officer
    )
    assert recalled["data"]["recordRecall"] == {
        "affected": [
            {"lotCode": "DX-2019-05", "status": "RECALLED"},
            {"lotCode": "KD-2019-07", "status": "RECALLED"},
        ],
        "holders": [{"type": "possessing_party", "id": shop}],
        "errors": [],
    }
    after = (await gql(client, READ, {"id": candy["batch"]["id"]}))["data"]["batch"]
    assert after["status"] == "RECALLED"
    assert after["events"][-1]["disposition"] == "recalled"


async def test_bad_lot_input_gets_typed_errors(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    product = await make_product(producer)
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    created = await create_batch(
        client,
        member,
        product,
        lotCode="Lô số 1",
        quantity="-3",
        productionDate="2019-06-10",
        expiryDate="2019-06-01",
    )
    errors = created["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("lotCode", "INVALID"),
        ("quantity", "OUT_OF_RANGE"),
        ("expiryDate", "INVALID_DATE_RANGE"),
    }


async def test_an_unpublished_lot_is_hidden_from_the_public(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    product = await make_product(producer)
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    batch_id = (await create_batch(client, member, product, lotCode="L1", isPublished=False))["batch"]["id"]
    assert (await gql(client, READ, {"id": batch_id}))["data"]["batch"] is None
    assert (await gql(client, READ, {"id": batch_id}, token=member))["data"]["batch"]["lotCode"] == "L1"
    assert (await gql(client, "{ batches { totalCount } }"))["data"]["batches"]["totalCount"] == 0


async def test_listing_lots_with_their_events_does_not_query_per_lot(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    from services.policy import SYSTEM
    from services.trace import events as trace
    from tests.factories import make_batch

    product = await make_product()
    for n in range(4):
        lot = await make_batch(product, f"L{n}")
        event = trace.EventInput(
            EventType.OBJECT,
            dt.datetime(2019, 6, 1, tzinfo=dt.UTC),
            subjects=[trace.QuantityData(lot.id)],
        )
        await trace.record_event(event, SYSTEM, "https://ocop.test")
    query = "query($n: Int!) { batches(first: $n) { edges { node { lotCode events { eventHash } } } } }"
    counts = []
    for size in (1, 4):
        sql_counter.statements.clear()
        body = await gql(client, query, {"n": size})
        assert len(body["data"]["batches"]["edges"]) == size
        assert all(len(e["node"]["events"]) == 1 for e in body["data"]["batches"]["edges"])
        counts.append(len(sql_counter.statements))
    assert counts[0] == counts[1], counts
