"""The EPCIS 2.0 REST interface: GET /epcis/events (SimpleEventQuery, paging) and POST /epcis/capture."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from httpx import AsyncClient, Response

from models import Batch, EventAction, EventType, Location, LocationKind, Role, TraceEvent
from services.policy import SYSTEM
from services.trace import epcis, epcis_hash, epcis_validation
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from services.trace.identity import batch_link
from tests.conftest import Database
from tests.factories import make_batch, make_producer, make_product, token_for

BASE = "https://ocop.test"  # the test app's public base URL
T0 = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
GTIN13 = "8934563138165"
GTIN14 = "0" + GTIN13


def link(batch: Batch) -> str:
    product = batch.product
    return batch_link(BASE, product_id=product.id, gtin=product.gtin, lot_code=batch.lot_code)


async def lot(product_kwargs: dict[str, Any], lot_code: str, **batch_kwargs: Any) -> Batch:
    batch = await make_batch(await make_product(**product_kwargs), lot_code, **batch_kwargs)
    return await Batch.get(id=batch.id).select_related("product__producer")


async def record(batch: Batch, day: int, biz_step: str, disposition: str | None = None) -> TraceEvent:
    return await trace.record_event(
        EventInput(
            EventType.OBJECT,
            T0 + dt.timedelta(days=day),
            subjects=[QuantityData(batch.id, Decimal(10), "KGM")],
            action=EventAction.OBSERVE,
            biz_step=biz_step,
            disposition=disposition,
        ),
        SYSTEM,
        BASE,
    )


async def events(client: AsyncClient, **params: str) -> Response:
    return await client.get("/epcis/events", params=params)


def event_list(response: Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    document = response.json()
    assert epcis_validation.validate(document) == []
    assert document["type"] == "EPCISQueryDocument"
    result: list[dict[str, Any]] = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return result


def steps(response: Response) -> list[str]:
    return [event.get("bizStep", "") for event in event_list(response)]


async def history() -> tuple[Batch, Batch, Batch]:
    """A lot with a GTIN and four events, a lot without and two, and a transformation of both into a third."""
    with_gtin = await lot({"name": "Kẹo dừa", "gtin": GTIN13}, "KD-1")
    plain = await lot({"name": "Dừa xiêm"}, "DX/1")
    output = await lot({"name": "Kẹo dừa sầu riêng"}, "KDS-1")
    await record(with_gtin, 0, "commissioning", "active")
    await record(plain, 1, "commissioning", "active")
    await record(with_gtin, 2, "inspecting", "conformant")
    await record(with_gtin, 3, "shipping", "in_transit")
    await record(plain, 3, "shipping", "in_transit")
    await trace.record_event(
        EventInput(
            EventType.TRANSFORMATION,
            T0 + dt.timedelta(days=4),
            inputs=[QuantityData(with_gtin.id, Decimal(5), "KGM"), QuantityData(plain.id, Decimal(2), "KGM")],
            outputs=[QuantityData(output.id, Decimal(100), "H87")],
            biz_step="creating_class_instance",
        ),
        SYSTEM,
        BASE,
    )
    await record(with_gtin, 5, "receiving", "sellable_accessible")
    return with_gtin, plain, output


async def test_each_filter_narrows_the_events(client: AsyncClient, db: Database) -> None:
    with_gtin, plain, _output = await history()
    everything = await events(client)
    assert len(event_list(everything)) == 7
    assert everything.headers["content-type"].startswith("application/json")
    assert "link" not in everything.headers
    ld = await client.get("/epcis/events", headers={"accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")

    assert steps(await events(client, eventType="TransformationEvent")) == ["creating_class_instance"]
    assert len(event_list(await events(client, eventType="ObjectEvent|TransformationEvent"))) == 7
    assert event_list(await events(client, eventType="QuantityEvent")) == []
    assert steps(await events(client, EQ_bizStep="shipping")) == ["shipping", "shipping"]
    by_uri = await events(client, EQ_bizStep="https://ref.gs1.org/cbv/BizStep-inspecting|receiving")
    assert steps(by_uri) == ["inspecting", "receiving"]
    assert steps(await events(client, EQ_disposition="https://ref.gs1.org/cbv/Disp-conformant")) == [
        "inspecting"
    ]
    assert steps(await events(client, EQ_disposition="in_transit", EQ_bizStep="shipping")) == [
        "shipping",
        "shipping",
    ]

    # MATCH_epcClass: the quantityList of Object events; MATCH_anyEPCClass: transformations too.
    ours = link(with_gtin)
    assert ours == f"{BASE}/01/{GTIN14}/10/KD-1"
    assert steps(await events(client, MATCH_epcClass=ours)) == [
        "commissioning",
        "inspecting",
        "shipping",
        "receiving",
    ]
    canonical = f"https://id.gs1.org/01/{GTIN14}/10/KD-1"
    assert len(event_list(await events(client, MATCH_anyEPCClass=canonical))) == 5
    plain_link = link(plain)
    assert "/p/" in plain_link
    assert "%2F" in plain_link
    assert steps(await events(client, MATCH_anyEPCClass=plain_link)) == [
        "commissioning",
        "shipping",
        "creating_class_instance",
    ]
    assert len(event_list(await events(client, MATCH_epcClass=f"{ours}|{plain_link}"))) == 6
    assert event_list(await events(client, MATCH_epcClass="https://example.com/01/09506000134352/10/X")) == []

    # Times: GE inclusive, LT exclusive, in any offset.
    since = (T0 + dt.timedelta(days=3)).isoformat()
    until = (T0 + dt.timedelta(days=5)).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    assert steps(await events(client, GE_eventTime=since, LT_eventTime=until)) == [
        "shipping",
        "shipping",
        "creating_class_instance",
    ]


async def test_bad_parameters_are_400_problems_naming_the_parameter(
    client: AsyncClient, db: Database
) -> None:
    for params, name in (
        ({"EQ_bizStep": "harvesting"}, "EQ_bizStep"),
        ({"EQ_disposition": "https://ref.gs1.org/cbv/Disp-nonsense"}, "EQ_disposition"),
        ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
        ({"LT_eventTime": "2024-05-20T08:30:00"}, "LT_eventTime"),
        ({"perPage": "0"}, "perPage"),
        ({"perPage": "ten"}, "perPage"),
        ({"nextPageToken": "!!"}, "nextPageToken"),
        ({"MATCH_epcClass": "not a uri"}, "MATCH_epcClass"),
        ({"MATCH_anyEPCClass": f"{BASE}/01/{GTIN13[:-1]}0/10/X"}, "MATCH_anyEPCClass"),
        ({"orderBy": "quantity"}, "orderBy"),
        ({"EQ_readPoint": "locations/1"}, "EQ_readPoint"),
    ):
        response = await events(client, **params)
        assert response.status_code == 400, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["type"] == "epcisException:QueryParameterException"
        assert body["status"] == 400
        assert body["parameter"] == name
        assert name in body["title"]


async def walk(client: AsyncClient, url: str) -> tuple[list[str], int]:
    """Every eventID met following the `Link: rel="next"` headers from `url`, and the number of pages."""
    seen: list[str] = []
    pages = 0
    response = await client.get(url)
    while True:
        pages += 1
        seen += [event["eventID"] for event in event_list(response)]
        if "link" not in response.headers:
            return seen, pages
        match = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers["link"])
        assert match, response.headers["link"]
        assert response.headers["gs1-next-page-token"] in match.group(1)
        response = await client.get(match.group(1))


async def test_paging_walks_every_event_once_in_time_order(client: AsyncClient, db: Database) -> None:
    with_gtin, _plain, _output = await history()
    # Captured in another offset: 2019-05-22T20:00Z is 2019-05-23T03:00+07:00, before the day-3 events.
    utc = await trace.record_event(
        EventInput(
            EventType.OBJECT,
            dt.datetime(2019, 5, 22, 20, 0, tzinfo=dt.UTC),
            subjects=[QuantityData(with_gtin.id)],
            biz_step="storing",
        ),
        SYSTEM,
        BASE,
    )
    everything = event_list(await events(client, perPage="1000"))  # at most 100 a page
    assert len(everything) == 8
    moments = [dt.datetime.fromisoformat(event["eventTime"]) for event in everything]
    assert moments == sorted(moments)
    assert everything[3]["eventID"] == utc.event_hash
    all_ids = [event["eventID"] for event in everything]

    seen, pages = await walk(client, "/epcis/events?perPage=3")
    assert (seen, pages) == (all_ids, 3)
    seen, pages = await walk(client, "/epcis/events?perPage=1")
    assert (seen, pages) == (all_ids, 8)
    filtered = "/epcis/events?perPage=2&EQ_disposition=active|conformant|in_transit|sellable_accessible"
    seen, pages = await walk(client, filtered)
    assert len(seen) == 6
    assert len(set(seen)) == 6
    assert pages == 3
    # The next link keeps the query's filters.
    first = await client.get(filtered)
    assert "EQ_disposition=active%7Cconformant" in first.headers["link"]
    assert "perPage=2" in first.headers["link"]


async def test_unpublished_lots_are_hidden_from_the_public_not_from_their_producer(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer()
    hidden = await lot({"producer": producer, "name": "Bưởi da xanh"}, "B-1", is_published=False)
    shown = await lot({"producer": producer, "name": "Bưởi năm roi"}, "B-2")
    hidden_product = await lot({"producer": producer, "name": "Nháp", "isPublished": False}, "N-1")
    for batch in (hidden, shown, hidden_product):
        await record(batch, 0, "commissioning")
    assert [e["quantityList"][0]["epcClass"] for e in event_list(await events(client))] == [link(shown)]
    assert event_list(await events(client, MATCH_epcClass=link(hidden))) == []
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    mine = await client.get("/epcis/events", headers={"authorization": f"Bearer {member}"})
    assert len(event_list(mine)) == 3
    stranger = await token_for(Role.PRODUCER_MEMBER, producer_id=(await make_producer()).id)
    theirs = await client.get("/epcis/events", headers={"authorization": f"Bearer {stranger}"})
    assert len(event_list(theirs)) == 1
    bad = await client.get("/epcis/events", headers={"authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert bad.json()["type"] == "epcisException:SecurityException"


# -- capture ---------------------------------------------------------------------------------------------------


def capture_document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [epcis.EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-20T08:00:00.000Z",
        "epcisBody": {"eventList": list(events)},
    }


def object_event(epc_class: str, day: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": (T0 + dt.timedelta(days=day)).isoformat(),
        "eventTimeZoneOffset": "+07:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "quantityList": [{"epcClass": epc_class, "quantity": 12.5, "uom": "KGM"}],
    } | extra


async def post(client: AsyncClient, document: Any, token: str | None, **headers: str) -> Response:
    if token:
        headers["authorization"] = f"Bearer {token}"
    headers.setdefault("content-type", "application/ld+json")
    import orjson

    return await client.post("/epcis/capture", content=orjson.dumps(document), headers=headers)


async def stored() -> int:
    return await TraceEvent.all().count()


async def test_a_member_captures_a_document_of_its_lots(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    coconut = await lot({"producer": producer, "name": "Dừa", "gtin": GTIN13}, "DX-1")
    candy = await lot({"producer": producer, "name": "Kẹo"}, "KD+1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    canonical = f"https://id.gs1.org/01/{GTIN14}/10/DX-1"
    document = capture_document(
        object_event(
            canonical,
            bizTransactionList=[{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:8934563000004:PO-1"}],
            destinationList=[{"type": "location", "destination": f"{BASE}/locations/99"}],
            sensorElementList=[{"sensorReport": [{"type": "Temperature", "value": 4.5, "uom": "CEL"}]}],
        ),
        {
            "type": "TransformationEvent",
            "eventTime": "2019-05-22T01:30:00Z",
            "eventTimeZoneOffset": "+07:00",
            "bizStep": "creating_class_instance",
            "inputQuantityList": [{"epcClass": link(coconut), "quantity": 300, "uom": "KGM"}],
            "outputQuantityList": [{"epcClass": link(candy), "quantity": 2000, "uom": "H87"}],
        },
    )
    response = await post(client, document, member)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/epcis/capture/{job['captureID']}"
    assert job["running"] is False
    assert job["success"] is True
    assert job["errors"] == []
    outcome = await client.get(response.headers["location"], headers={"authorization": f"Bearer {member}"})
    assert outcome.status_code == 200
    assert outcome.json() == job
    assert (await client.get(response.headers["location"])).status_code == 401
    stranger = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    hidden = await client.get(response.headers["location"], headers={"authorization": f"Bearer {stranger}"})
    assert hidden.status_code == 404

    captured = event_list(await events(client, MATCH_anyEPCClass=link(coconut)))
    assert [e["eventID"] for e in captured] == job["eventIDs"]
    for event in captured:
        assert event["eventID"] == epcis_hash.event_hash(event)
    shipped, made = captured
    assert shipped["eventTime"] == "2019-05-20T08:30:00.000+07:00"
    assert shipped["quantityList"] == [{"epcClass": link(coconut), "quantity": 12.5, "uom": "KGM"}]
    assert shipped["bizTransactionList"][0]["bizTransaction"].endswith("PO-1")
    assert shipped["destinationList"][0]["destination"] == f"{BASE}/locations/99"
    assert shipped["sensorElementList"][0]["sensorReport"][0]["value"] == 4.5
    assert made["eventTime"] == "2019-05-22T08:30:00.000+07:00"
    assert made["outputQuantityList"][0]["epcClass"] == link(candy)
    # The same document again: the events are already recorded, nothing more is stored.
    again = await post(client, document, member)
    assert again.status_code == 400
    assert again.json()["eventIndex"] == 0
    assert await stored() == 2


async def test_every_standard_field_is_stored_and_a_malformed_place_refused(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer()
    batch = await lot({"producer": producer}, "L1")
    farm = await Location.create(name="Vườn ông Tư", kind=LocationKind.FARM, producer_id=producer.id)
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    document = capture_document(
        object_event(link(batch), readPoint={"id": f"{BASE}/locations/{farm.id}"}),
        object_event(link(batch), action="ADD", ilmd={"cbvmda:lotNumber": "L1"}),
        object_event(link(batch), epcList=[f"{link(batch)}/21/7"]),
        object_event(link(batch), bizLocation={"id": "https://id.gs1.org/414/8934563000005"}),  # check digit
        {
            "type": "AggregationEvent",
            "eventTime": T0.isoformat(),
            "eventTimeZoneOffset": "+07:00",
            "action": "ADD",
            "parentID": "https://id.gs1.org/00/189345630000000011",
            "childQuantityList": [{"epcClass": link(batch), "quantity": 1, "uom": "KGM"}],
        },
    )
    response = await post(client, document, member)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [e.split(":", 1)[0] for e in errors] == ["/epcisBody/eventList/3/bizLocation/id"]
    assert "wrong check digit" in errors[0]
    assert await stored() == 0
    kept = [e for i, e in enumerate(document["epcisBody"]["eventList"]) if i != 3]
    assert (await post(client, capture_document(*kept), member)).status_code == 202
    back = event_list(await events(client))
    assert sorted(e["type"] for e in back) == [
        "AggregationEvent",
        "ObjectEvent",
        "ObjectEvent",
        "ObjectEvent",
    ]
    # Our own location URI is mapped to the location, and written back the same way.
    assert back[0]["readPoint"] == {"id": f"{BASE}/locations/{farm.id}"}
    assert (await TraceEvent.get(read_point_id=farm.id)).read_point_id == farm.id
    assert any(e.get("ilmd") == {"cbvmda:lotNumber": "L1"} for e in back)
    assert any(e.get("epcList") == [f"{link(batch)}/21/7"] for e in back)
    assert any(e.get("parentID") == "https://id.gs1.org/00/189345630000000011" for e in back)


async def test_a_schema_invalid_document_is_refused_whole(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    batch = await lot({"producer": producer}, "L1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    broken = object_event(link(batch), day=1)
    del broken["eventTimeZoneOffset"]
    response = await post(client, capture_document(object_event(link(batch)), broken), member)
    assert response.status_code == 400
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["type"] == "epcisException:ValidationException"
    assert any("/epcisBody/eventList/1" in e and "eventTimeZoneOffset" in e for e in body["errors"]), body
    assert await stored() == 0
    not_json = await post(client, "x", member, **{"content-type": "text/plain"})
    assert not_json.status_code == 415


async def test_one_unknown_lot_stores_nothing(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    batch = await lot({"producer": producer}, "L1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    unknown = link(batch).replace("/10/L1", "/10/NO-SUCH-LOT")
    response = await post(client, capture_document(object_event(link(batch)), object_event(unknown)), member)
    assert response.status_code == 400
    assert any("/epcisBody/eventList/1/quantityList/0/epcClass" in e for e in response.json()["errors"])
    assert await stored() == 0
    failed = await client.get(response.headers["location"], headers={"authorization": f"Bearer {member}"})
    assert failed.status_code == 200
    job = failed.json()
    assert job["captureID"] == response.json()["captureID"]
    assert (job["running"], job["success"], job["eventIDs"]) == (False, False, [])
    assert job["errors"][0]["type"] == "epcisException:ValidationException"
    # A later event the domain rules refuse (in the future) rolls back the events before it.
    future = object_event(link(batch))
    future["eventTime"] = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    refused = await post(client, capture_document(object_event(link(batch)), future), member)
    assert refused.status_code == 400
    assert refused.json()["eventIndex"] == 1
    assert "eventTime" in refused.json()["detail"]
    assert await stored() == 0


async def test_capture_needs_a_token_and_a_role_on_every_lot(client: AsyncClient, db: Database) -> None:
    mine = await make_producer()
    theirs = await make_producer()
    own = await lot({"producer": mine}, "L1")
    foreign = await lot({"producer": theirs}, "L2")
    document = capture_document(object_event(link(own)), object_event(link(foreign)))
    anonymous = await post(client, document, None)
    assert anonymous.status_code == 401
    assert anonymous.json()["type"] == "epcisException:SecurityException"
    assert (await post(client, document, "ocop_nonsense")).status_code == 401
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=mine.id)
    refused = await post(client, document, member)
    assert refused.status_code == 403, refused.text
    assert refused.json()["eventIndex"] == 1
    assert await stored() == 0
    assert (await post(client, capture_document(object_event(link(own))), member)).status_code == 202
    assert await stored() == 1
