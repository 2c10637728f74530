"""Locations (read points and business locations of events) and documents attached to events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from httpx import AsyncClient
from strawberry.relay import from_base64, to_base64

from models import EventType, Location, LocationKind, Role, TraceEvent
from services.policy import SYSTEM
from services.trace import epcis, epcis_validation
from services.trace import events as trace
from services.trace.integrity import integrity
from tests.conftest import Database, SQLCounter, gql
from tests.factories import make_batch, make_producer, make_product, token_for

CREATE = """
mutation($input: LocationCreateInput!) { createLocation(input: $input) {
  location { id name kind gln addressLine latitude longitude epcisId commune { code name } }
  errors { field code } } }
"""
EVENT = """
mutation($input: EventRecordInput!) { recordEvent(input: $input) {
  event { readPoint { name } bizLocation { name } documents { type url title } } errors { field code } } }
"""
TRANSFORM = """
mutation($input: TransformationInput!) { recordTransformation(input: $input) {
  event { readPoint { name } documents { type } } errors { field code } } }
"""
READ = """
query($id: ID!) { batch(id: $id) {
  events { readPoint { name kind commune { code } } bizLocation { name } documents { type url title } }
  integrity { valid }
  epcisDocument
} }
"""
GLN = "8934567000017"


def farm(producer_id: int, **extra: object) -> dict[str, object]:
    return {
        "input": {
            "producerId": to_base64("Producer", producer_id),
            "name": "  Vườn dừa ông Tư  ",
            "kind": "FARM",
            "communeCode": "29044",
            "communeEra": "LEGACY",
            "addressLine": "Ấp 3",
            "latitude": 10.1,
            "longitude": 106.5,
            **extra,
        }
    }


async def test_a_producer_member_creates_a_location_of_its_own_producer(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer()
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    body = (await gql(client, CREATE, farm(producer.id, gln=GLN), token=member))["data"]["createLocation"]
    assert body["errors"] == []
    location = body["location"]
    assert location["name"] == "Vườn dừa ông Tư"
    assert location["kind"] == "FARM"
    assert location["gln"] == GLN
    assert location["commune"]["code"] == "29044"
    assert (location["latitude"], location["longitude"]) == (10.1, 106.5)
    assert location["epcisId"] == f"https://id.gs1.org/414/{GLN}"
    listed = await gql(client, "{ locations { totalCount edges { node { name } } } }", token=member)
    assert listed["data"]["locations"]["totalCount"] == 1
    # The public sees shared locations only, not a producer's own.
    assert (await gql(client, "{ locations { totalCount } }"))["data"]["locations"]["totalCount"] == 0
    node = await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": location["id"]})
    assert node["data"]["node"] is None
    node = await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": location["id"]}, token=member)
    assert node["data"]["node"] == {"id": location["id"]}


async def test_bad_location_input_gets_typed_errors(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    variables = farm(producer.id, gln="8934567000016", latitude=95.0, communeCode="99999", name=" ")
    errors = (await gql(client, CREATE, variables, token=member))["data"]["createLocation"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("gln", "INVALID_CHECK_DIGIT"),
        ("latitude", "OUT_OF_RANGE"),
        ("communeCode", "NOT_FOUND"),
        ("name", "REQUIRED"),
    }
    await Location.create(name="Kho", kind=LocationKind.WAREHOUSE, gln=GLN)
    errors = (await gql(client, CREATE, farm(producer.id, gln=GLN), token=member))["data"]["createLocation"][
        "errors"
    ]
    assert errors == [{"field": "gln", "code": "UNIQUE"}]
    assert await Location.all().count() == 1


async def test_a_member_cannot_create_a_location_for_another_producer(
    client: AsyncClient, db: Database
) -> None:
    own = await make_producer()
    other = await make_producer()
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=own.id)
    body = (await gql(client, CREATE, farm(other.id), token=member))["data"]["createLocation"]
    assert body == {"location": None, "errors": [{"field": "producerId", "code": "FORBIDDEN"}]}
    shared = farm(own.id)
    del shared["input"]["producerId"]  # type: ignore[attr-defined]
    body = (await gql(client, CREATE, shared, token=member))["data"]["createLocation"]
    assert body["errors"] == [{"field": "producerId", "code": "FORBIDDEN"}]
    assert await Location.all().count() == 0


async def test_an_event_names_its_read_point_and_carries_documents(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    product = await make_product(producer)
    lot = await make_batch(product, "DX-2019-05")
    output = await make_batch(product, "KD-2019-07")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    place = (await gql(client, CREATE, farm(producer.id), token=member))["data"]["createLocation"]["location"]
    market = await Location.create(name="Chợ Giồng Trôm", kind=LocationKind.SHOP)  # shared
    documents = [
        {
            "type": "certificate",
            "url": "https://vietgap.example.vn/cert/2019-117.pdf",
            "title": "VietGAP  2019",
        },
        {"type": "photo", "url": "https://ocop.test/media/vuon-dua.jpg"},
        {"type": "testResult", "url": "https://lab.example.vn/kq/88"},
    ]
    event = {"eventTime": "2019-05-10T07:00:00+07:00", "lots": [{"batchId": to_base64("Batch", lot.id)}],
             "bizStep": "inspecting", "disposition": "conformant", "readPointId": place["id"],
             "bizLocationId": to_base64("Location", market.id), "documents": documents}  # fmt: skip
    recorded = (await gql(client, EVENT, {"input": event}, token=member))["data"]["recordEvent"]
    assert recorded["errors"] == []
    assert recorded["event"]["readPoint"] == {"name": "Vườn dừa ông Tư"}
    assert recorded["event"]["bizLocation"] == {"name": "Chợ Giồng Trôm"}
    assert recorded["event"]["documents"][0] == {
        "type": "certificate",
        "url": "https://vietgap.example.vn/cert/2019-117.pdf",
        "title": "VietGAP 2019",
    }
    made = {"eventTime": "2019-05-20T09:00:00+07:00", "inputs": [{"batchId": to_base64("Batch", lot.id)}],
            "outputs": [{"batchId": to_base64("Batch", output.id)}], "readPointId": place["id"],
            "documents": [{"type": "invoice", "url": "https://ocop.test/hoa-don/1"}]}  # fmt: skip
    transformed = (await gql(client, TRANSFORM, {"input": made}))["data"]["recordTransformation"]
    assert transformed["errors"] == [{"field": "", "code": "UNAUTHENTICATED"}]
    transformed = (await gql(client, TRANSFORM, {"input": made}, token=member))["data"][
        "recordTransformation"
    ]
    assert transformed == {"event": {"readPoint": {"name": "Vườn dừa ông Tư"}, "documents": [{"type": "invoice"}]},
                           "errors": []}  # fmt: skip

    public = (await gql(client, READ, {"id": to_base64("Batch", lot.id)}))["data"]["batch"]
    first = public["events"][0]
    assert first["readPoint"] == {"name": "Vườn dừa ông Tư", "kind": "FARM", "commune": {"code": "29044"}}
    assert [d["type"] for d in first["documents"]] == ["certificate", "photo", "testResult"]
    assert public["integrity"] == {"valid": True}
    document = public["epcisDocument"]
    assert epcis_validation.validate(document) == []
    assert document["@context"] == [epcis.EPCIS_CONTEXT, {"ocop": epcis.EXTENSION_NAMESPACE}]
    inspected = document["epcisBody"]["eventList"][0]
    assert inspected["readPoint"] == {"id": f"https://ocop.test/locations/{from_base64(place['id'])[1]}"}
    assert inspected["bizLocation"] == {"id": f"https://ocop.test/locations/{market.id}"}
    assert inspected["certificationInfo"] == [
        "https://vietgap.example.vn/cert/2019-117.pdf",
        "https://lab.example.vn/kq/88",
    ]
    assert inspected["ocop:documents"][0] == {
        "ocop:documentType": "certificate",
        "ocop:url": "https://vietgap.example.vn/cert/2019-117.pdf",
        "ocop:title": "VietGAP 2019",
    }
    # The documents are part of the event hash: an edited title breaks the chain.
    stored = await TraceEvent.get(biz_step="inspecting")
    await TraceEvent.filter(id=stored.id).update(
        documents=[{**stored.documents[0], "title": "Giả mạo"}, *stored.documents[1:]]
    )
    assert not (await integrity(lot.id, "https://ocop.test")).valid


async def test_bad_documents_and_places_get_typed_errors_and_nothing_is_stored(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer()
    other = await make_producer()
    lot = await make_batch(await make_product(producer), "L1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    others_farm = await Location.create(name="Vườn khác", kind=LocationKind.FARM, producer_id=other.id)
    documents = [
        {"type": "certificate", "url": "http://insecure.example.vn/cert.pdf"},
        {"type": "selfie", "url": "https://ok.example.vn/a.jpg"},
        {"type": "photo", "url": "https://ảnh.example.vn/a.jpg"},
        {"type": "photo", "url": "ftp://ok.example.vn/a.jpg"},
    ]
    event: dict[str, Any] = {"eventTime": "2019-05-10T07:00:00+07:00", "lots": [{"batchId": to_base64("Batch", lot.id)}],
             "readPointId": to_base64("Location", others_farm.id),
             "bizLocationId": to_base64("Location", 999_999), "documents": documents}  # fmt: skip
    errors = (await gql(client, EVENT, {"input": event}, token=member))["data"]["recordEvent"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("documents.0.url", "INVALID"),
        ("documents.1.type", "INVALID"),
        ("documents.2.url", "INVALID"),
        ("documents.3.url", "INVALID"),
        ("readPointId", "NOT_FOUND"),
        ("bizLocationId", "NOT_FOUND"),
    }
    event = {**event, "readPointId": None, "bizLocationId": None,
             "documents": [{"type": "photo", "url": f"https://ok.example.vn/{n}.jpg"} for n in range(11)]}  # fmt: skip
    errors = (await gql(client, EVENT, {"input": event}, token=member))["data"]["recordEvent"]["errors"]
    assert errors == [{"field": "documents", "code": "OUT_OF_RANGE"}]
    event["readPointId"] = to_base64("Batch", lot.id)  # not a Location ID
    errors = (await gql(client, EVENT, {"input": event}, token=member))["data"]["recordEvent"]["errors"]
    assert errors == [{"field": "readPointId", "code": "INVALID"}]
    assert await TraceEvent.all().count() == 0


async def test_the_locations_of_many_events_are_loaded_in_one_query(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    product = await make_product()
    for n in range(4):
        lot = await make_batch(product, f"L{n}")
        place = await Location.create(name=f"Kho {n}", kind=LocationKind.WAREHOUSE)
        await trace.record_event(
            trace.EventInput(
                EventType.OBJECT,
                dt.datetime(2019, 6, 1, tzinfo=dt.UTC),
                subjects=[trace.QuantityData(lot.id)],
                read_point_id=place.id,
                biz_location_id=place.id,
            ),
            SYSTEM,
            "https://ocop.test",
        )
    query = """query($n: Int!) { batches(first: $n) { edges { node {
      events { readPoint { name } bizLocation { name } } } } } }"""
    counts = []
    for size in (1, 4):
        sql_counter.statements.clear()
        body = await gql(client, query, {"n": size})
        edges = body["data"]["batches"]["edges"]
        assert len(edges) == size
        assert all(e["node"]["events"][0]["readPoint"]["name"].startswith("Kho") for e in edges)
        counts.append(len(sql_counter.statements))
        assert len([s for s in sql_counter.statements if '"location"' in s]) == 1, sql_counter.statements
    assert counts[0] == counts[1], counts
