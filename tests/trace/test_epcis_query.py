"""The EPCIS 2.0 SimpleEventQuery beyond the basics of test_epcis_rest.py: each parameter finds exactly the events
it should, the REST resources (/events/{eventID}, /eventTypes/…, /epcs/…, /bizSteps/…, /readPoints/…), named
queries (/queries), the version headers, and each of the standard's exceptions as its OpenAPI describes it."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from httpx import AsyncClient, Response

from models import Batch, EventAction, EventType, IdentifierRole, Location, LocationKind, Role, TraceEvent
from services.policy import SYSTEM
from services.trace import epcis_validation
from services.trace import events as trace
from services.trace.events import Correction, EventInput, IdentifierData, QuantityData
from tests.conftest import Database
from tests.factories import make_producer, token_for
from tests.trace.test_epcis_rest import BASE, T0, event_list, history, link, lot

# GS1's OpenAPI of the EPCIS 2.0 REST bindings, vendored as JSON (services/trace/reference/README.md).
OPENAPI = Path(__file__).resolve().parents[2] / "services" / "trace" / "reference" / "EPCIS-REST-openapi.json"
SGLN = "urn:epc:id:sgln:0614141.00777.0"  # GLN 0614141007776, no extension
SGLN_DOCK = "urn:epc:id:sgln:0614141.00777.dock-3"  # the same GLN, extension dock-3
DL_BAY = "https://id.gs1.org/414/0614141007776/254/bay-1"  # the same GLN, extension bay-1
OTHER_GLN = "https://id.gs1.org/414/0614141007783"


@functools.cache
def openapi() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(OPENAPI.read_text())
    return loaded


def standard_types(component: str) -> tuple[int, set[str]]:
    """The status and exception types of one of the OpenAPI's problem responses (`#/components/responses/...`):
    its example's type and its schema's enum."""
    response = openapi()["components"]["responses"][component]
    content = response["content"]
    schema = (content.get("application/problem+json") or content["application/json"])["schema"]
    types: set[str] = {schema["example"]["type"]}
    for part in schema["allOf"]:
        types |= set(part.get("properties", {}).get("type", {}).get("enum", []))
    return int(schema["example"]["status"]), types


def assert_standard_problem(response: Response, component: str) -> dict[str, Any]:
    status, types = standard_types(component)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["gs1-epcis-version"] == "2.0.0"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"] in types, (body, types)
    assert body["title"]
    assert body["detail"]
    return body


def ids(response: Response) -> list[str]:
    return [event["eventID"] for event in event_list(response)]


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def place(identifier: str) -> Location:
    return await Location.create(name=identifier, kind=LocationKind.EXTERNAL, identifier=identifier)


async def at(batch: Batch, day: int, biz_step: str, **kwargs: Any) -> TraceEvent:
    return await trace.record_event(
        EventInput(
            EventType.OBJECT,
            T0 + dt.timedelta(days=day),
            subjects=[QuantityData(batch.id, Decimal(day + 1), "KGM")],
            biz_step=biz_step,
            **kwargs,
        ),
        SYSTEM,
        BASE,
    )


async def test_each_parameter_finds_exactly_its_events(client: AsyncClient, db: Database) -> None:
    batch = await lot({"name": "Mật ong"}, "MO-1")
    farm = await Location.create(name="Trại ong", kind=LocationKind.FARM, gln="8934563000019")
    ours = await at(batch, 0, "commissioning", action=EventAction.ADD, read_point_id=farm.id)
    plain = await at(batch, 1, "inspecting", read_point_uri=SGLN)
    dock = await at(batch, 2, "storing", read_point_uri=SGLN_DOCK, biz_location_uri=SGLN)
    bay = await at(batch, 3, "shipping", read_point_uri=DL_BAY, biz_location_uri=DL_BAY)
    other = await at(batch, 4, "receiving", action=EventAction.DELETE, read_point_uri=OTHER_GLN)
    declaration, _ = await trace.declare_error(Correction(plain.id, "incorrect_data"), SYSTEM, BASE)
    every = [ours, plain, dock, bay, other]

    async def found(**params: str) -> list[str]:
        return ids(await client.get("/epcis/events", params=params))

    assert await found(EQ_action="ADD") == [ours.event_hash]
    assert await found(EQ_action="ADD|DELETE") == [ours.event_hash, other.event_hash]
    # EQ_ is the place itself; WD_ a GLN without extension takes its sub-locations in both spellings.
    assert await found(EQ_readPoint="https://id.gs1.org/414/8934563000019") == [ours.event_hash]
    assert await found(EQ_readPoint=SGLN) == [plain.event_hash, declaration.event_hash]
    assert await found(EQ_readPoint=SGLN_DOCK) == [dock.event_hash]
    assert await found(WD_readPoint=SGLN) == [
        plain.event_hash,
        declaration.event_hash,  # at the time of the event it declares wrong
        dock.event_hash,
        bay.event_hash,
    ]
    assert await found(WD_readPoint="https://id.gs1.org/414/0614141007776") == await found(WD_readPoint=SGLN)
    assert await found(WD_readPoint="urn:epc:id:sgln:0614141.00777.bay-1") == [bay.event_hash]
    assert await found(EQ_bizLocation=SGLN) == [dock.event_hash]
    assert await found(WD_bizLocation=SGLN) == [dock.event_hash, bay.event_hash]
    assert await found(EQ_readPoint=f"{BASE}/locations/999999") == []
    # Event IDs: the declaration repeats the eventID of the event it declares wrong.
    assert await found(EQ_eventID=f"{dock.event_hash}|{other.event_hash}") == [
        dock.event_hash,
        other.event_hash,
    ]
    assert await found(EQ_eventID=plain.event_hash) == [plain.event_hash, plain.event_hash]
    assert await found(EXISTS_errorDeclaration="") == [declaration.event_hash]
    assert [
        e.get("errorDeclaration", {}).get("reason")
        for e in event_list(await client.get("/epcis/events", params={"EXISTS_errorDeclaration": "true"}))
    ] == ["incorrect_data"]
    assert len(await found(EXISTS_errorDeclaration="false")) == 6
    # Quantities: the lot's quantity element (day + 1 kg).
    assert await found(GE_quantity="3", LT_quantity="5") == [dock.event_hash, bay.event_hash]
    assert await found(EQ_quantity="5") == [other.event_hash]
    # Record times: everything was recorded now; nothing before the first.
    first = await TraceEvent.get(id=ours.id)
    assert len(await found(GE_recordTime=first.record_time.isoformat())) == 6
    assert await found(LT_recordTime=first.record_time.isoformat()) == []
    assert await found(GE_recordTime="2999-01-01T00:00:00Z") == []
    # Order: by eventTime (default DESC with orderBy), or recordTime; eventCountLimit takes the first N.
    by_time = [e.event_hash for e in every]
    assert await found(orderBy="eventTime", orderDirection="ASC") == [
        ours.event_hash,
        plain.event_hash,
        declaration.event_hash,
        dock.event_hash,
        bay.event_hash,
        other.event_hash,
    ]
    newest = await found(orderBy="eventTime")
    assert newest[0] == other.event_hash
    assert newest[-1] == ours.event_hash
    assert await found(orderBy="eventTime", eventCountLimit="2") == [other.event_hash, bay.event_hash]
    assert await found(orderBy="recordTime", orderDirection="DESC", eventCountLimit="1") == [
        declaration.event_hash
    ]
    assert await found(orderBy="recordTime", orderDirection="ASC", eventCountLimit="1") == [ours.event_hash]
    assert len(await found(maxEventCount="6")) == 6
    assert by_time == sorted(by_time, key=by_time.index)
    # Every answer above validated against the JSON Schema (event_list checks it).


async def test_event_count_limit_holds_across_pages_and_paging_is_stable_under_appends(
    client: AsyncClient, db: Database
) -> None:
    batch = await lot({"name": "Chè"}, "C-1")
    recorded = [await at(batch, day, "inspecting") for day in range(7)]
    seen: list[str] = []
    url = "/epcis/events?orderBy=eventTime&orderDirection=ASC&eventCountLimit=5&perPage=2"
    response = await client.get(url)
    pages = 0
    while True:
        pages += 1
        seen += ids(response)
        if pages == 1:  # appended while a client pages: later in time, so after what it has seen
            await at(batch, 10, "shipping")
        if "gs1-next-page-token" not in response.headers:
            break
        response = await client.get(url + "&nextPageToken=" + response.headers["gs1-next-page-token"])
    assert seen == [e.event_hash for e in recorded[:5]]
    assert pages == 3
    # Descending pages walk back in time without repeating.
    seen = []
    url = "/epcis/events?orderBy=eventTime&perPage=3"
    response = await client.get(url)
    while True:
        seen += ids(response)
        if "gs1-next-page-token" not in response.headers:
            break
        response = await client.get(url + "&nextPageToken=" + response.headers["gs1-next-page-token"])
    assert len(seen) == 8
    assert len(set(seen)) == 8
    assert seen[-1] == recorded[0].event_hash


async def test_the_rest_resources_are_queries_of_one_parameter(client: AsyncClient, db: Database) -> None:
    with_gtin, plain, output = await history()
    everything = event_list(await client.get("/epcis/events"))
    transformation = next(e for e in everything if e["type"] == "TransformationEvent")

    one = await client.get("/epcis/events/" + quote(transformation["eventID"], safe=""))
    assert one.status_code == 200, one.text
    assert epcis_validation.validate(one.json()) == []
    assert [e["eventID"] for e in one.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]] == [
        transformation["eventID"]
    ]
    assert ids(await client.get("/epcis/eventTypes/TransformationEvent/events")) == [
        transformation["eventID"]
    ]
    shipping = await client.get("/epcis/bizSteps/shipping/events")
    assert [e["bizStep"] for e in event_list(shipping)] == ["shipping", "shipping"]
    cbv_uri = quote("https://ref.gs1.org/cbv/BizStep-shipping", safe="")
    assert ids(await client.get(f"/epcis/bizSteps/{cbv_uri}/events")) == ids(shipping)
    assert len(event_list(await client.get("/epcis/dispositions/in_transit/events"))) == 2
    # /epcs/{epc}: a lot's identifier, in the quantity lists of its events and as a transformation's input.
    plain_link = link(plain)  # holds %2F: the identifier is encoded once more in the path
    assert "%2F" in plain_link
    assert len(event_list(await client.get(f"/epcis/epcs/{quote(plain_link, safe='')}/events"))) == 3
    assert len(event_list(await client.get(f"/epcis/epcs/{quote(link(output), safe='')}/events"))) == 1
    # Resource events take the query's other parameters.
    narrowed = await client.get("/epcis/bizSteps/shipping/events", params={"MATCH_epcClass": link(with_gtin)})
    assert len(event_list(narrowed)) == 1
    refused = await client.get("/epcis/bizSteps/shipping/events", params={"EQ_bizStep": "receiving"})
    assert refused.status_code == 400
    assert refused.json()["parameter"] == "EQ_bizStep"
    assert (
        await client.get("/epcis/events/" + quote("ni:///sha-256;00?ver=CBV2.0", safe=""))
    ).status_code == 404
    # Discovery, headers, and the page token that holds nothing to release.
    options = await client.options("/epcis/events")
    assert options.status_code == 204
    for name in ("gs1-epcis-version", "gs1-epcis-min", "gs1-epcis-max", "gs1-cbv-version", "gs1-extensions"):
        assert options.headers[name], name
    assert shipping.headers["gs1-extensions"] == "ocop=urn:ocop-hub:epcis:"
    assert (await client.delete("/epcis/nextPageToken/abc")).status_code == 204


async def test_named_queries_are_kept_per_owner(client: AsyncClient, db: Database) -> None:
    await history()
    owner = auth(await token_for(None))
    other = auth(await token_for(None))
    definition = {
        "name": "shipped",
        "query": {"EQ_bizStep": ["shipping", "receiving"], "eventType": "ObjectEvent"},
    }
    created = await client.post("/epcis/queries", json=definition, headers=owner)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/epcis/queries/shipped"
    assert created.headers["gs1-epcis-version"] == "2.0.0"
    assert (await client.get("/epcis/queries/shipped", headers=owner)).json() == definition
    assert (await client.get("/epcis/queries", headers=owner)).json() == [definition]
    assert (await client.get("/epcis/queries", headers=other)).json() == []
    answer = await client.get("/epcis/queries/shipped/events", headers=owner)
    assert [e["bizStep"] for e in event_list(answer)] == ["shipping", "shipping", "receiving"]
    assert answer.json()["epcisBody"]["queryResults"]["queryName"] == "shipped"
    paged = await client.get("/epcis/queries/shipped/events", params={"perPage": "2"}, headers=owner)
    assert len(event_list(paged)) == 2
    assert "/epcis/queries/shipped/events?perPage=2&nextPageToken=" in paged.headers["link"]
    # Another user's query is unknown to a stranger, and the same name is free for it.
    assert (await client.get("/epcis/queries/shipped/events", headers=other)).status_code == 404
    assert (await client.post("/epcis/queries", json=definition, headers=other)).status_code == 201
    # Many queries page by name.
    for name in ("a1", "a2", "a3"):
        made = await client.post(
            "/epcis/queries", json={"name": name, "query": {"EQ_action": "ADD"}}, headers=owner
        )
        assert made.status_code == 201
    first = await client.get("/epcis/queries", params={"perPage": "2"}, headers=owner)
    assert [q["name"] for q in first.json()] == ["a1", "a2"]
    assert "nextPageToken=a2" in first.headers["link"]
    rest = await client.get("/epcis/queries", params={"perPage": "2", "nextPageToken": "a2"}, headers=owner)
    assert [q["name"] for q in rest.json()] == ["a3", "shipped"]
    deleted = await client.delete("/epcis/queries/shipped", headers=owner)
    assert deleted.status_code == 204
    assert (await client.get("/epcis/queries/shipped", headers=owner)).status_code == 404
    assert (await client.get("/epcis/queries/shipped", headers=other)).status_code == 200


async def test_each_exception_is_the_standards(client: AsyncClient, db: Database) -> None:
    """Each exception as GS1's OpenAPI describes it for the resource: its status and one of its types."""
    batch = await lot({"name": "Cà phê"}, "CF-1")
    for day in range(3):
        await at(batch, day, "inspecting")
    user = auth(await token_for(None))
    await client.post(
        "/epcis/queries", json={"name": "mine", "query": {"EQ_action": "OBSERVE"}}, headers=user
    )
    cases: list[tuple[Response, str, str]] = [
        # QueryParameterException: each parameter's own rule (the standard's examples).
        (await client.get("/epcis/events?EQ_action=UPDATE"), "400QueryIssues", "QueryParameterException"),
        (
            await client.get("/epcis/events?orderBy=eventTime&orderDirection=UP"),
            "400QueryIssues",
            "QueryParameterException",
        ),
        (await client.get("/epcis/events?eventCountLimit=1"), "400QueryIssues", "QueryParameterException"),
        (
            await client.get("/epcis/events?orderBy=eventTime&eventCountLimit=1&maxEventCount=5"),
            "400QueryIssues",
            "QueryParameterException",
        ),
        (await client.get("/epcis/events?EQ_nonsense:field=1"), "400QueryIssues", "QueryParameterException"),
        (await client.get("/epcis/events?unknownParameter=1"), "400QueryIssues", "QueryParameterException"),
        # QueryTooLargeException: more events than maxEventCount.
        (await client.get("/epcis/events?maxEventCount=2"), "413QueryScopeOrSize", "QueryTooLargeException"),
        # QueryTooComplexException: more values than the repository answers at once.
        (
            await client.get("/epcis/events", params=[("EQ_bizStep", "shipping")] * 201),
            "413QueryScopeOrSize",
            "QueryTooComplexException",
        ),
        # NoSuchNameException: a named query that does not exist.
        (
            await client.get("/epcis/queries/nothing/events", headers=user),
            "404ResourceNotFound",
            "NoSuchNameException",
        ),
        (
            await client.delete("/epcis/queries/nothing", headers=user),
            "404ResourceNotFound",
            "NoSuchNameException",
        ),
        # NoSuchResourceException: an event that does not exist (the OpenAPI's 404 example).
        (
            await client.get("/epcis/events/" + quote("ni:///sha-256;0?ver=CBV2.0", safe="")),
            "404ResourceNotFound",
            "NoSuchResourceException",
        ),
        # SecurityException: named queries are a user's.
        (
            await client.post("/epcis/queries", json={"name": "x", "query": {}}),
            "401UnauthorizedRequest",
            "SecurityException",
        ),
        (
            await client.get("/epcis/queries", headers=auth("not-a-token")),
            "401UnauthorizedRequest",
            "SecurityException",
        ),
        # ResourceAlreadyExistsException: the name is taken.
        (
            await client.post("/epcis/queries", json={"name": "mine", "query": {}}, headers=user),
            "409ResourceAlreadyExistsException",
            "ResourceAlreadyExistsException",
        ),
        # UnsupportedMediaTypeException: a query that is not JSON.
        (
            await client.post(
                "/epcis/queries", content=b"name=x", headers=user | {"content-type": "text/plain"}
            ),
            "415UnsupportedMediaType",
            "UnsupportedMediaTypeException",
        ),
        # NotAcceptableException: XML, or EPCIS 1.2 only.
        (
            await client.get("/epcis/events", headers={"accept": "application/xml"}),
            "406NotAcceptable",
            "NotAcceptableException",
        ),
        (
            await client.get("/epcis/events", headers={"GS1-EPCIS-Max": "1.2"}),
            "406NotAcceptable",
            "NotAcceptableException",
        ),
    ]
    for response, component, kind in cases:
        body = assert_standard_problem(response, component)
        assert body["type"] == f"epcisException:{kind}", (kind, body)
    too_large = cases[6][0].json()
    assert too_large["eventCount"] == 3
    # A named query is checked when created: ValidationException for its shape, QueryParameterException for
    # a parameter it cannot answer.
    bad_name = await client.post("/epcis/queries", json={"name": "a/b", "query": {}}, headers=user)
    assert bad_name.status_code == 400
    assert bad_name.json()["type"] == "epcisException:ValidationException"
    bad_query = await client.post(
        "/epcis/queries", json={"name": "b", "query": {"EQ_action": ["MOVE"]}}, headers=user
    )
    assert bad_query.status_code == 400
    assert bad_query.json()["parameter"] == "EQ_action"
    paging = await client.post("/epcis/queries", json={"name": "c", "query": {"perPage": 5}}, headers=user)
    assert paging.status_code == 400
    assert paging.json()["parameter"] == "perPage"
    assert [q["name"] for q in (await client.get("/epcis/queries", headers=user)).json()] == ["mine"]


# -- identifiers, quantities, transactions, extension and ILMD fields (captured events) ---------------------------

SERIAL_URN = "urn:epc:id:sgtin:0614141.107346.2018"  # GTIN 10614141073464, serial 2018
SERIAL_ELSEWHERE = "https://example.com/01/10614141073464/21/2019"  # the same GTIN on another host
SSCC = "urn:epc:id:sscc:0614141.1234567890"
CHILD = "https://id.gs1.org/01/09506000134352/21/7"
MADE = "https://id.gs1.org/01/09506000134352/21/8"
PARTNER_CLASS = "urn:epc:class:lgtin:4012345.012345.998877"  # GTIN 04012345123456, lot 998877
EXAMPLE = "https://ns.example.com/epcis/"
PO = "urn:epcglobal:cbv:bt:0614141000005:PO-1"
OWNER = "https://id.gs1.org/417/0614141000005"
BUYER = "https://id.gs1.org/417/4012345000009"


def ident(role: IdentifierRole, received: str, position: int = 0, **kwargs: Any) -> IdentifierData:
    return IdentifierData(role, position, received, **kwargs)


async def captured(
    batch: Batch, day: int, event_type: EventType = EventType.OBJECT, **kwargs: Any
) -> TraceEvent:
    if event_type == EventType.TRANSFORMATION:
        kwargs.setdefault("inputs", [QuantityData(batch.id, Decimal(1), "KGM")])
    else:
        kwargs.setdefault("subjects", [QuantityData(batch.id, Decimal(1), "KGM")])
    return await trace.record_event(
        EventInput(event_type, T0 + dt.timedelta(days=day), biz_step="inspecting", **kwargs), SYSTEM, BASE
    )


async def test_match_parameters_follow_the_standards_patterns(client: AsyncClient, db: Database) -> None:
    batch = await lot({"name": "Bánh tráng", "gtin": "8934563138165"}, "BT-1")
    e1 = await captured(batch, 0, identifiers=[ident(IdentifierRole.EPC, SERIAL_URN)])
    e2 = await captured(batch, 1, identifiers=[ident(IdentifierRole.EPC, SERIAL_ELSEWHERE)])
    e3 = await captured(
        batch,
        2,
        EventType.AGGREGATION,
        action=EventAction.ADD,
        identifiers=[ident(IdentifierRole.PARENT, SSCC), ident(IdentifierRole.CHILD, CHILD)],
    )
    e4 = await captured(
        batch,
        3,
        EventType.TRANSFORMATION,
        action=None,
        identifiers=[ident(IdentifierRole.INPUT, SERIAL_URN), ident(IdentifierRole.OUTPUT, MADE)],
    )
    e5 = await captured(
        batch,
        4,
        identifiers=[ident(IdentifierRole.QUANTITY, PARTNER_CLASS, quantity=Decimal(7), uom="KGM")],
    )

    async def found(**params: str) -> list[str]:
        return ids(await client.get("/epcis/events", params=params))

    assert await found(MATCH_epc=SERIAL_URN) == [e1.event_hash]
    assert await found(MATCH_epc="https://id.gs1.org/01/10614141073464/21/2018") == [e1.event_hash]
    both = [e1.event_hash, e2.event_hash]
    assert await found(MATCH_epc="urn:epc:idpat:sgtin:0614141.107346.*") == both
    assert await found(MATCH_epc="https://id.gs1.org/01/10614141073464") == both
    assert await found(MATCH_epc="urn:epc:idpat:sgtin:0614141.*.*") == both
    assert await found(MATCH_epc=CHILD) == [e3.event_hash]  # childEPCs
    assert await found(MATCH_parentID=SSCC) == [e3.event_hash]
    assert await found(MATCH_parentID="urn:epc:idpat:sscc:0614141.*") == [e3.event_hash]
    assert await found(MATCH_parentID=CHILD) == []
    assert await found(MATCH_inputEPC=SERIAL_URN) == [e4.event_hash]
    assert await found(MATCH_outputEPC=MADE) == [e4.event_hash]
    assert await found(MATCH_outputEPC=SERIAL_URN) == []
    assert await found(MATCH_anyEPC=SERIAL_URN) == [e1.event_hash, e4.event_hash]
    assert await found(MATCH_anyEPC=f"{SSCC}|{MADE}") == [e3.event_hash, e4.event_hash]
    # Classes: a partner's lot in any spelling or as its GTIN; our lots by their product's GTIN.
    assert await found(MATCH_epcClass=PARTNER_CLASS) == [e5.event_hash]
    assert await found(MATCH_epcClass="https://id.gs1.org/01/04012345123456/10/998877") == [e5.event_hash]
    assert await found(MATCH_epcClass="https://id.gs1.org/01/04012345123456") == [e5.event_hash]
    assert await found(MATCH_anyEPCClass="urn:epc:idpat:sgtin:4012345.012345.*") == [e5.event_hash]
    ours = await found(MATCH_epcClass="https://id.gs1.org/01/08934563138165")
    assert ours == [e1.event_hash, e2.event_hash, e3.event_hash, e5.event_hash]
    assert await found(MATCH_inputEPCClass="urn:epc:idpat:sgtin:893456.0313816.*") == [e4.event_hash]
    assert await found(MATCH_outputEPCClass=link(batch)) == []
    # Quantities: ours are 1 kg each; the partner's class 7 kg.
    assert await found(GT_quantity="5") == [e5.event_hash]
    assert await found(LE_quantity="1", MATCH_epc=SERIAL_URN) == [e1.event_hash]
    # /epcs/{epc}/events: the identifier as an instance or a class.
    assert ids(await client.get(f"/epcis/epcs/{quote(SERIAL_URN, safe='')}/events")) == [
        e1.event_hash,
        e4.event_hash,
    ]
    assert ids(await client.get(f"/epcis/epcs/{quote(PARTNER_CLASS, safe='')}/events")) == [e5.event_hash]
    refused = await client.get("/epcis/events", params={"MATCH_epc": "urn:epc:idpat:sgtin:06x.*.*"})
    assert refused.status_code == 400
    assert refused.json()["parameter"] == "MATCH_epc"


async def test_extension_ilmd_and_typed_parameters(client: AsyncClient, db: Database) -> None:
    batch = await lot({"name": "Nước mắm"}, "NM-1")
    first = await captured(
        batch,
        0,
        action=EventAction.ADD,
        namespaces={"example": EXAMPLE},
        ilmd={
            "cbvmda:lotNumber": "LOT-9",
            "example:temperature": 4.5,
            "example:bestBefore": "2025-01-01T00:00:00+07:00",
            "example:origin": {"example:province": "Bến Tre"},
        },
        extensions={"example:grade": "A", "example:score": 88},
        biz_transactions=[{"type": "po", "bizTransaction": PO}],
        sources=[{"type": "owning_party", "source": OWNER}],
        destinations=[{"type": "possessing_party", "destination": BUYER}],
    )
    second = await captured(
        batch,
        1,
        action=EventAction.ADD,
        namespaces={"example": EXAMPLE},
        ilmd={"example:temperature": 9},
        extensions={"example:grade": "B", "example:score": 40},
    )
    declared = {"GS1-Extensions": f"example={EXAMPLE}"}

    async def found(headers: Mapping[str, str] | None = None, /, **params: str) -> list[str]:
        return ids(await client.get("/epcis/events", params=params, headers=headers or {}))

    one, two = [first.event_hash], [second.event_hash]
    assert await found(**{"EQ_ILMD_cbvmda:lotNumber": "LOT-9"}) == one
    assert await found(**{"EQ_ILMD_urn:epcglobal:cbv:mda:lotNumber": "LOT-9"}) == one
    assert await found(declared, **{"GT_ILMD_example:temperature": "5"}) == two
    assert await found(declared, **{"LT_ILMD_example:temperature": "5"}) == one
    assert await found(**{f"EQ_ILMD_{EXAMPLE}temperature": "4.5"}) == one
    assert await found(declared, **{"GE_ILMD_example:bestBefore": "2024-12-31T17:00:00Z"}) == one
    assert await found(declared, **{"GT_ILMD_example:bestBefore": "2024-12-31T17:00:00Z"}) == []
    assert await found(declared, **{"EXISTS_ILMD_example:bestBefore": ""}) == one
    assert await found(declared, **{"EQ_INNER_ILMD_example:province": "Bến Tre"}) == one
    assert await found(declared, **{"EQ_ILMD_example:province": "Bến Tre"}) == []
    assert await found(declared, **{"EQ_example:grade": "A|B"}) == one + two
    assert await found(declared, **{"GE_example:score": "50"}) == one
    assert await found(declared, **{"EXISTS_example:score": "true"}) == one + two
    assert await found(declared, **{"EQ_example:temperature": "9"}) == []  # an ILMD field, not an extension
    undeclared = await client.get("/epcis/events", params={"EQ_example:grade": "A"})
    assert undeclared.status_code == 400
    assert undeclared.json()["parameter"] == "EQ_example:grade"
    assert await found(EQ_bizTransaction_po=PO) == one
    assert await found(**{"EQ_bizTransaction_https://ref.gs1.org/cbv/BTT-po": PO}) == one
    assert await found(EQ_bizTransaction_inv=PO) == []
    assert await found(EQ_source_owning_party=OWNER) == one
    assert await found(EQ_destination_possessing_party=BUYER) == one
    assert await found(EQ_destination_owning_party=BUYER) == []


def partner_guide() -> str:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "tracing.md").read_text()
    return guide[guide.index("## Partner guide") :]


async def test_the_partner_guides_worked_example_captures_and_reads_back(
    client: AsyncClient, db: Database
) -> None:
    """docs/tracing.md "Partner guide": its capture document and its query, as written there."""
    section = partner_guide()
    document = json.loads(
        section[section.index("<<'JSON'\n") + len("<<'JSON'\n") : section.index("\nJSON\n")]
    )
    producer = await make_producer()
    batch = await lot({"producer": producer, "name": "Kẹo dừa", "gtin": "8934563138165"}, "KD-2024-07")
    carrier = auth(await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id))
    captured = await client.post(
        "/epcis/capture",
        content=json.dumps(document),
        headers=carrier | {"content-type": "application/ld+json"},
    )
    assert captured.status_code == 202, captured.text
    assert captured.json()["success"] is True
    [event_id] = captured.json()["eventIDs"]
    query: list[tuple[str, str | int | float | bool | None]] = [
        ("MATCH_epcClass", "https://id.gs1.org/01/08934563138165/10/KD-2024-07"),
        ("EQ_bizTransaction_desadv", "urn:epcglobal:cbv:bt:8935001000075:DN-4471"),
        ("EQ_tms:vehicle", "51C-123.45"),
    ]
    for line in (
        "MATCH_epcClass=",
        "EQ_bizTransaction_desadv=",
        "EQ_tms:vehicle=",
        "tms=https://tms.carrier.vn",
    ):
        assert line in section, line  # the guide's query is this one
    answer = await client.get(
        "/epcis/events",
        params=query,
        headers=carrier | {"GS1-Extensions": "tms=https://tms.carrier.vn/epcis/"},
    )
    [event] = event_list(answer)
    assert event["eventID"] == event_id
    assert event["tms:vehicle"] == "51C-123.45"
    assert event["quantityList"][0]["epcClass"] == link(batch)
    other_vehicle = await client.get(
        "/epcis/events",
        params=[*query[:2], ("EQ_tms:vehicle", "51C-000.00")],
        headers={"GS1-Extensions": "tms=https://tms.carrier.vn/epcis/"},
    )
    assert event_list(other_vehicle) == []
