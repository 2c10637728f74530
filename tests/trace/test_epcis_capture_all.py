"""What issue 14 asked of capture beyond GS1's examples (tests/trace/test_epcis_corpus.py): serials and pallets of
our lots show on the lot's page, partners' data is under the tamper evidence, extensions are size-limited and
queryable, and an event about none of our lots is refused with its reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from httpx import AsyncClient, Response

from models import (
    Batch,
    EventField,
    EventIdentifier,
    EventQuantity,
    FieldScope,
    IdentifierRole,
    Role,
    TraceEvent,
)
from services.common import page_cache
from services.trace import epcis, epcis_hash, epcis_validation
from services.trace.integrity import Broken, integrity
from services.trace.lineage import lineage
from tests.conftest import Database
from tests.factories import make_batch, make_producer, make_product, token_for

BASE = "https://ocop.test"
GTIN13 = "8934563138165"
GTIN14 = "0" + GTIN13
SSCC = "urn:epc:id:sscc:8934563.0000000001"
WAREHOUSE = "urn:epc:id:sgln:8935001.00007.0"  # GLN 8935001000075
CONTEXT = [epcis.EPCIS_CONTEXT, {"example": "https://ns.example.com/epcis/"}]


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-20T08:00:00.000Z",
        "epcisBody": {"eventList": list(events)},
    }


def event(kind: str, hour: int, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind,
        "eventTime": f"2024-05-20T{hour:02d}:00:00.000+07:00",
        "eventTimeZoneOffset": "+07:00",
    }
    if kind != "TransformationEvent":
        body["action"] = "OBSERVE"
    return body | fields


async def post(client: AsyncClient, doc: dict[str, Any], token: str) -> Response:
    return await client.post(
        "/epcis/capture",
        content=orjson.dumps(doc),
        headers={"authorization": f"Bearer {token}", "content-type": "application/ld+json"},
    )


async def coconut() -> tuple[Batch, str]:
    producer = await make_producer()
    product = await make_product(producer, name="Kẹo dừa", gtin=GTIN13)
    batch = await make_batch(product, "KD-1", production_date=dt.date(2024, 5, 1))
    return batch, await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)


def serial(number: int) -> str:
    return f"https://id.gs1.org/01/{GTIN14}/10/KD-1/21/{number}"


async def test_a_pallet_of_our_units_carries_the_lot_to_the_partner_and_the_serial_page_shows_it(
    client: AsyncClient, db: Database
) -> None:
    batch, token = await coconut()
    doc = document(
        event("ObjectEvent", 8, action="ADD", bizStep="commissioning", epcList=[serial(1), serial(2)]),
        event(
            "AggregationEvent",
            9,
            action="ADD",
            bizStep="packing",
            parentID=SSCC,
            childEPCs=[serial(1), serial(2)],
        ),
        event("ObjectEvent", 10, bizStep="shipping", epcList=[SSCC], bizLocation={"id": WAREHOUSE}),
    )
    response = await post(client, doc, token)
    assert response.status_code == 202, response.text
    # All three events are the lot's, the pallet's shipping too (through its SSCC), none as a quantity element.
    links = await EventQuantity.filter(batch_id=batch.id).order_by("event_id")
    assert [q.listed for q in links] == [False, False, False]
    units = await EventIdentifier.filter(batch_id=batch.id).order_by("id")
    assert [(u.role, u.serial) for u in units] == [
        (IdentifierRole.EPC, "1"),
        (IdentifierRole.EPC, "2"),
        (IdentifierRole.CHILD, "1"),
        (IdentifierRole.CHILD, "2"),
    ]
    pallet = await EventIdentifier.filter(role=IdentifierRole.PARENT).get()
    assert pallet.value == "https://id.gs1.org/00/089345630000000011"  # extension digit first, check digit 1
    assert pallet.received == SSCC
    assert pallet.batch_id is None
    # The serial's page (a scanned unit label) shows where the pallet went.
    page_cache.invalidate()
    page = await client.get(f"/01/{GTIN14}/10/KD-1/21/1", follow_redirects=True)
    assert page.status_code == 200
    assert "GLN 8935001000075" in page.text
    assert (await integrity(batch.id, BASE)).valid


async def test_partner_data_is_under_the_tamper_evidence(client: AsyncClient, db: Database) -> None:
    batch, token = await coconut()
    doc = document(
        event(
            "ObjectEvent",
            8,
            action="ADD",
            bizStep="commissioning",
            quantityList=[
                {"epcClass": f"https://id.gs1.org/01/{GTIN14}/10/KD-1", "quantity": 5, "uom": "KGM"}
            ],
            ilmd={"cbvmda:countryOfOrigin": "VN", "example:harvestArea": "Bến Tre"},
            **{"example:myField": {"example:grade": "A", "example:brix": 18.5}},
        )
    )
    response = await post(client, doc, token)
    assert response.status_code == 202, response.text
    [event_id] = response.json()["eventIDs"]
    # The hash covers the extension: the same event with another grade has another eventID.
    sent = dict(doc["epcisBody"]["eventList"][0], **{"@context": CONTEXT[1]})
    assert event_id == epcis_hash.event_hash(sent)
    other = dict(sent, **{"example:myField": {"example:grade": "B", "example:brix": 18.5}})
    assert epcis_hash.event_hash(other) != event_id
    assert (await integrity(batch.id, BASE)).valid
    await TraceEvent.filter(event_hash=event_id).update(
        extensions={"example:myField": {"example:grade": "B"}}
    )
    result = await integrity(batch.id, BASE)
    assert (result.valid, result.reason) == (False, Broken.EVENT_CHANGED)
    await TraceEvent.filter(event_hash=event_id).update(
        extensions={"example:myField": {"example:grade": "A", "example:brix": 18.5}},
        ilmd={"cbvmda:countryOfOrigin": "TH", "example:harvestArea": "Bến Tre"},
    )
    assert (await integrity(batch.id, BASE)).reason == Broken.EVENT_CHANGED
    # The answer writes the extension back in its namespace, and validates.
    await TraceEvent.filter(event_hash=event_id).update(
        ilmd={"cbvmda:countryOfOrigin": "VN", "example:harvestArea": "Bến Tre"}
    )
    assert (await integrity(batch.id, BASE)).valid
    answer = (await client.get("/epcis/events", headers={"authorization": f"Bearer {token}"})).json()
    assert epcis_validation.validate(answer) == []
    [back] = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert back["@context"] == {"example": "https://ns.example.com/epcis/"}
    assert back["example:myField"] == {"example:grade": "A", "example:brix": 18.5}
    assert back["ilmd"]["example:harvestArea"] == "Bến Tre"


async def test_extension_values_are_indexed_for_queries(client: AsyncClient, db: Database) -> None:
    _, token = await coconut()
    doc = document(
        event(
            "ObjectEvent",
            8,
            bizStep="shipping",
            epcList=[serial(3)],
            bizTransactionList=[{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:8934563000004:PO-7"}],
            **{"example:temperature": "4.5", "example:checkedAt": "2024-05-20T07:30:00+07:00"},
        )
    )
    assert (await post(client, doc, token)).status_code == 202
    rows = {(f.scope, f.name): f for f in await EventField.all()}
    temperature = rows[(FieldScope.EXTENSION, "https://ns.example.com/epcis/temperature")]
    assert (temperature.text_value, temperature.number_value, temperature.inner) == ("4.5", 4.5, False)
    checked = rows[(FieldScope.EXTENSION, "https://ns.example.com/epcis/checkedAt")]
    assert checked.time_value is not None
    assert checked.time_value.astimezone(dt.UTC) == dt.datetime(2024, 5, 20, 0, 30, tzinfo=dt.UTC)
    order = rows[(FieldScope.BIZ_TRANSACTION, "po")]
    assert order.text_value == "urn:epcglobal:cbv:bt:8934563000004:PO-7"


async def test_too_large_extensions_and_events_about_no_lot_of_ours_are_refused(
    client: AsyncClient, db: Database
) -> None:
    _, token = await coconut()
    huge = event("ObjectEvent", 8, epcList=[serial(4)], **{"example:blob": "x" * 300_000})
    response = await post(client, document(huge), token)
    assert response.status_code == 400
    assert "/epcisBody/eventList/0/" in response.json()["detail"]
    assert "too large" in response.json()["detail"]
    strangers = event("ObjectEvent", 8, epcList=["urn:epc:id:sgtin:0614141.107346.2017"])
    response = await post(client, document(event("ObjectEvent", 7, epcList=[serial(5)]), strangers), token)
    assert response.status_code == 400
    problem = response.json()
    assert (problem["reason"], problem["eventIndex"]) == ("noLotOfOurs", 1)
    assert await TraceEvent.all().count() == 0  # all or nothing


async def test_lineage_follows_serials_into_a_transformation(client: AsyncClient, db: Database) -> None:
    batch, token = await coconut()
    candy = await make_batch(await batch.product, "KD-2", production_date=dt.date(2024, 5, 1))
    doc = document(
        event(
            "TransformationEvent",
            8,
            bizStep="creating_class_instance",
            inputEPCList=[serial(6)],
            outputQuantityList=[
                {"epcClass": f"https://id.gs1.org/01/{GTIN14}/10/KD-2", "quantity": 3, "uom": "KGM"}
            ],
        )
    )
    response = await post(client, doc, token)
    assert response.status_code == 202, response.text
    assert [[b.id for b in level] for level in await lineage([candy.id], backward=True)] == [[batch.id]]
