"""An event's EPCIS lists (business transactions, sources, destinations, sensor elements) are typed in the API,
and recordEvent stores only entries that fit GS1's EPCIS JSON Schema, so that the types always read them."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from strawberry.relay import to_base64

from models import Role, TraceEvent
from tests.conftest import Database, gql
from tests.factories import make_batch, make_product, token_for

RECORD = """mutation($input: EventRecordInput!) { recordEvent(input: $input) {
  event {
    bizTransactions { type id }
    sources { type id }
    destinations { type id }
    sensorElements {
      sensorMetadata { time deviceID startTime }
      sensorReport { type value uom exception booleanValue sDev stringValue }
      extensions
    }
  }
  errors { field code message }
} }"""
SUPPLIER = "https://id.gs1.org/417/8934563000004"
SHOP = "https://id.gs1.org/414/8934563000011"


async def _member_and_lot() -> tuple[str, str]:
    product = await make_product(name="Bưởi da xanh Chợ Lách")
    batch = await make_batch(product, "BUOI-01")
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=product.producer_id)
    return token, to_base64("Batch", batch.id)


def _event(batch_gid: str, **lists: Any) -> dict[str, Any]:
    return {"eventTime": "2019-05-22T14:00:00+07:00", "lots": [{"batchId": batch_gid}], **lists}


async def test_an_events_epcis_lists_read_as_types(client: AsyncClient, db: Database) -> None:
    token, batch = await _member_and_lot()
    event = _event(
        batch,
        bizTransactions=[
            {"type": "testres", "bizTransaction": "https://ocop.example.vn/kq/KN-2019-0522"},
            {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:8934563000004:PO-7"},
        ],
        sources=[{"type": "owning_party", "source": SUPPLIER}],
        destinations=[{"type": "location", "destination": SHOP}],
        sensorElements=[
            {
                "sensorMetadata": {
                    "time": "2019-05-22T13:00:00+07:00",
                    "deviceID": "urn:epc:id:giai:893456.1",
                },
                "sensorReport": [
                    {"type": "Temperature", "value": 4.5, "uom": "CEL", "sDev": 0.2},
                    {"type": "Temperature", "exception": "ALARM_CONDITION", "booleanValue": True},
                ],
                "https://ocop.example.vn/vocab#probe": "cold-room-2",
            }
        ],
    )
    payload = (await gql(client, RECORD, {"input": event}, token=token))["data"]["recordEvent"]
    assert payload["errors"] == []
    recorded = payload["event"]
    assert recorded["bizTransactions"] == [
        {"type": "testres", "id": "https://ocop.example.vn/kq/KN-2019-0522"},
        {"type": "po", "id": "urn:epcglobal:cbv:bt:8934563000004:PO-7"},
    ]
    assert recorded["sources"] == [{"type": "owning_party", "id": SUPPLIER}]
    assert recorded["destinations"] == [{"type": "location", "id": SHOP}]
    (element,) = recorded["sensorElements"]
    assert element["sensorMetadata"] == {
        "time": "2019-05-22T13:00:00+07:00",
        "deviceID": "urn:epc:id:giai:893456.1",
        "startTime": None,
    }
    assert element["sensorReport"] == [
        {
            "type": "Temperature",
            "value": 4.5,
            "uom": "CEL",
            "exception": None,
            "booleanValue": None,
            "sDev": 0.2,
            "stringValue": None,
        },
        {
            "type": "Temperature",
            "value": None,
            "uom": None,
            "exception": "ALARM_CONDITION",
            "booleanValue": True,
            "sDev": None,
            "stringValue": None,
        },
    ]
    assert element["extensions"] == {"https://ocop.example.vn/vocab#probe": "cold-room-2"}


async def test_entries_that_break_the_epcis_schema_are_refused_by_index(
    client: AsyncClient, db: Database
) -> None:
    token, batch = await _member_and_lot()
    event = _event(
        batch,
        bizTransactions=[{"type": "inv", "bizTransaction": "urn:x:1"}, {"type": "inv", "id": "urn:x:2"}],
        sources=[{"source": SUPPLIER}],
        sensorElements=[{"sensorReport": [{"value": 4.5}]}],
    )
    payload = (await gql(client, RECORD, {"input": event}, token=token, lang="en"))["data"]["recordEvent"]
    assert payload["event"] is None
    refused = {e["field"]: e for e in payload["errors"]}
    assert set(refused) == {"bizTransactions.1", "sources.0", "sensorElements.0"}
    assert {e["code"] for e in refused.values()} == {"INVALID"}
    assert "'type' is a required property" in refused["sources.0"]["message"]
    assert refused["sensorElements.0"]["message"] == "/sensorReport/0: 'type' is a required property"
    vietnamese = (await gql(client, RECORD, {"input": event}, token=token))["data"]["recordEvent"]
    assert vietnamese["errors"][0]["message"].startswith("Không đúng lược đồ EPCIS 2.0")
    assert await TraceEvent.all().count() == 0
