"""Partners' places: a captured event may name its read point and business location by a partner's SGLN or GLN
Digital Link. It is checked, stored once as an external location, written back exactly as received, shown on the
trace page by its GLN or by the name the producer gives it, and that name is under the lot's integrity check."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from httpx import AsyncClient, Response
from strawberry.relay import to_base64

from models import AuditEntry, ExternalLocationName, Location, LocationKind, Role, TraceEvent
from services.common import page_cache
from services.trace import epcis_hash, epcis_validation, location_ids
from services.trace.identity import product_code
from services.trace.integrity import Broken, _integrity_cache, integrity
from tests.conftest import Database, gql
from tests.factories import make_producer, token_for
from tests.trace.test_epcis_rest import BASE, capture_document, link, lot, object_event

SGLN = "urn:epc:id:sgln:8934563.12345.KHO%2F2"  # GLN 8934563123451, extension KHO/2
GLN_LINK = "https://id.gs1.org/414/8935001000075/254/B1"
BAD_CHECK_DIGIT = "https://id.gs1.org/414/8935001000079"

NAME = """mutation($input: ExternalLocationNameInput!) { nameExternalLocation(input: $input) {
  name location { kind identifier epcisId } errors { field code message } } }"""
EVENT = """mutation($input: EventRecordInput!) { recordEvent(input: $input) {
  event { readPoint { id kind name identifier epcisId } bizLocation { identifier } } errors { field code } } }"""


# -- the identifiers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "gln", "extension"),
    [
        ("urn:epc:id:sgln:8934563.12345.0", "8934563123451", None),  # extension 0: none
        (SGLN, "8934563123451", "KHO/2"),
        ("urn:epc:id:sgln:893456312345..7", "8934563123451", "7"),  # a 12-digit company prefix
        (GLN_LINK, "8935001000075", "B1"),
        ("https://id.gs1.org/414/8935001000075", "8935001000075", None),
        ("https://dl.partner.example/gs1/414/8935001000075/254/A%2F1", "8935001000075", "A/1"),
    ],
)
def test_well_formed_location_identifiers_are_read(uri: str, gln: str, extension: str | None) -> None:
    parsed = location_ids.parse(uri)
    assert (parsed.uri, parsed.gln, parsed.extension) == (uri, gln, extension)


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        (BAD_CHECK_DIGIT, "wrong check digit (expected 5)"),
        ("https://id.gs1.org/414/893500100007", "13 digits"),
        ("urn:epc:id:sgln:8934563.1234.0", "12 digits together"),
        ("urn:epc:id:sgln:8934563.12345", "urn:epc:id:sgln:{company prefix}"),
        ("urn:epc:id:sgln:8934563.12345.KHO/2", "%2F"),  # a '/' in an EPC URI is escaped
        ("https://id.gs1.org/414/8935001000075/254/" + "X" * 21, "1 to 20 characters"),
        ("https://id.gs1.org/414/8935001000075?linkType=all", "no query string"),
        ("https://id.gs1.org/417/8935001000075", "party"),
        ("urn:epc:id:pgln:8934563.12345", "party"),
        ("https://id.gs1.org/01/08934563138165", "/414/{GLN}"),
        ("urn:example:warehouse:7", "Not a GS1 location identifier"),
    ],
)
def test_malformed_location_identifiers_are_refused_saying_why(uri: str, says: str) -> None:
    with pytest.raises(location_ids.LocationIdError) as refused:
        location_ids.parse(uri)
    assert says in refused.value.message_en
    assert refused.value.message_vi


# -- capture ------------------------------------------------------------------------------------------------


async def post(client: AsyncClient, document: Any, token: str) -> Response:
    return await client.post(
        "/epcis/capture",
        content=orjson.dumps(document),
        headers={"authorization": f"Bearer {token}", "content-type": "application/ld+json"},
    )


def partner_event(
    epc_class: str, day: int, read_point: str = SGLN, biz_location: str = GLN_LINK
) -> dict[str, Any]:
    return object_event(
        epc_class,
        day=day,
        bizStep="receiving",
        disposition="sellable_accessible",
        readPoint={"id": read_point},
        bizLocation={"id": biz_location},
    )


async def _page(client: AsyncClient, path: str, lang: str = "vi") -> str:
    page_cache.invalidate()
    _integrity_cache.clear()
    response = await client.get(path, params={"lang": lang})
    assert response.status_code == 200
    return response.text


async def captured_partner_lot(client: AsyncClient) -> tuple[Any, str, str]:
    """A lot of a producer whose buyer's events were captured twice (two documents naming the same places):
    the lot, its trace page path and a member's token."""
    producer = await make_producer()
    batch = await lot({"producer": producer, "name": "Bưởi da xanh"}, "BDX-1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    first = await post(client, capture_document(partner_event(link(batch), 0)), member)
    assert first.status_code == 202, first.text
    second = await post(client, capture_document(partner_event(link(batch), 1)), member)
    assert second.status_code == 202, second.text
    return batch, f"/t/{product_code(batch.product.id)}/BDX-1", member


async def test_a_partners_sgln_and_gln_digital_link_are_captured_stored_once_and_written_back_unchanged(
    client: AsyncClient, db: Database
) -> None:
    batch, _path, _member = await captured_partner_lot(client)
    external = await Location.filter(kind=LocationKind.EXTERNAL).order_by("identifier")
    assert [(loc.identifier, loc.name, loc.producer_id) for loc in external] == [
        (GLN_LINK, "(414) 8935001000075 (254) B1", None),
        (SGLN, "(414) 8934563123451 (254) KHO/2", None),
    ]
    response = await client.get("/epcis/events", params={"MATCH_epcClass": link(batch)})
    assert response.status_code == 200
    document = response.json()
    assert epcis_validation.validate(document) == []
    events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(events) == 2
    for event in events:
        assert event["readPoint"] == {"id": SGLN}
        assert event["bizLocation"] == {"id": GLN_LINK}
        assert event["eventID"] == epcis_hash.event_hash(event)
    result = await integrity(batch.id, BASE)
    assert (result.valid, result.events_checked) == (True, 2)


async def test_the_trace_page_shows_a_partners_place_by_its_gln(client: AsyncClient, db: Database) -> None:
    _batch, path, _member = await captured_partner_lot(client)
    html = await _page(client, path)
    assert "GLN 8934563123451, mở rộng KHO/2 → GLN 8935001000075, mở rộng B1" in html
    assert "Dữ liệu truy xuất toàn vẹn" in html
    english = await _page(client, path, "en")
    assert "GLN 8934563123451, extension KHO/2 → GLN 8935001000075, extension B1" in english


async def test_a_malformed_location_is_refused_naming_the_event_and_nothing_is_stored(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer()
    batch = await lot({"producer": producer}, "L1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    document = capture_document(
        partner_event(link(batch), 0),
        partner_event(link(batch), 1, biz_location=BAD_CHECK_DIGIT),
        partner_event(link(batch), 2, read_point="urn:epc:id:sgln:8934563.1234.0"),
        partner_event(link(batch), 3, read_point=f"{BASE}/locations/999"),
    )
    response = await post(client, document, member)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "epcisException:ValidationException"
    assert body["errors"] == [
        "/epcisBody/eventList/1/bizLocation/id: GLN 8935001000079 has a wrong check digit (expected 5).",
        "/epcisBody/eventList/2/readPoint/id: In an SGLN the company prefix (6 to 12 digits) and the location "
        "reference have 12 digits together, not 11.",
        f"/epcisBody/eventList/3/readPoint/id: no location of ours is {BASE}/locations/999",
    ]
    assert await TraceEvent.all().count() == 0
    assert await Location.all().count() == 0


async def test_an_event_refused_later_leaves_no_external_location(client: AsyncClient, db: Database) -> None:
    mine = await make_producer()
    theirs = await make_producer()
    own = await lot({"producer": mine}, "L1")
    foreign = await lot({"producer": theirs}, "L2")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=mine.id)
    document = capture_document(
        partner_event(link(own), 0),
        partner_event(link(foreign), 0, read_point="urn:epc:id:sgln:8934563.12345.0"),
    )
    assert (await post(client, document, member)).status_code == 403
    assert await Location.all().count() == 0


# -- naming -------------------------------------------------------------------------------------------------


async def name(
    client: AsyncClient, token: str, location: Location, producer_id: int, value: str | None
) -> Any:
    variables = {
        "input": {
            "locationId": to_base64("Location", location.id),
            "producerId": to_base64("Producer", producer_id),
            "name": value,
        }
    }
    return (await gql(client, NAME, variables, token=token))["data"]["nameExternalLocation"]


async def test_a_producer_names_a_partners_place_and_its_page_shows_the_name_still_intact(
    client: AsyncClient, db: Database
) -> None:
    batch, path, member = await captured_partner_lot(client)
    store = await Location.get(identifier=SGLN)
    assert "Kho Co.op" not in (await client.get(path)).text  # now in the page caches
    payload = await name(client, member, store, batch.product.producer_id, "  Kho Co.op Mart Bến Tre  ")
    assert payload["errors"] == []
    assert payload["name"] == "Kho Co.op Mart Bến Tre"
    assert payload["location"] == {"kind": "EXTERNAL", "identifier": SGLN, "epcisId": SGLN}
    assert await AuditEntry.filter(action="nameExternalLocation", succeeded=True).exists()
    assert "Kho Co.op Mart Bến Tre" in (await client.get(path)).text  # the naming cleared the caches
    html = await _page(client, path)
    assert "Kho Co.op Mart Bến Tre (GLN 8934563123451, mở rộng KHO/2)" in html
    result = await integrity(batch.id, BASE)
    assert (result.valid, result.reason) == (True, None)
    assert "Dữ liệu truy xuất toàn vẹn" in html
    # Renamed again, then the name taken back: the GLN shows again; the EPCIS events never change.
    assert (await name(client, member, store, batch.product.producer_id, "Kho Co.opmart"))["errors"] == []
    assert "Kho Co.opmart (GLN" in await _page(client, path)
    assert (await name(client, member, store, batch.product.producer_id, None))["name"] is None
    html = await _page(client, path)
    assert "Kho Co.op" not in html
    assert "· GLN 8934563123451, mở rộng KHO/2" in html
    assert (await integrity(batch.id, BASE)).valid
    events = (await client.get("/epcis/events")).json()["epcisBody"]["queryResults"]["resultsBody"][
        "eventList"
    ]
    assert {event["readPoint"]["id"] for event in events} == {SGLN}


async def test_a_name_changed_in_the_database_breaks_the_lots_integrity(
    client: AsyncClient, db: Database
) -> None:
    batch, path, member = await captured_partner_lot(client)
    store = await Location.get(identifier=GLN_LINK)
    assert (await name(client, member, store, batch.product.producer_id, "Siêu thị Bến Tre"))["errors"] == []
    await ExternalLocationName.filter(place="8935001000075B1").update(name="Nhà máy đạt chuẩn GMP")
    result = await integrity(batch.id, BASE)
    assert (result.valid, result.reason) == (False, Broken.DETAILS_CHANGED)
    first = await TraceEvent.all().order_by("event_time").first()
    assert result.broken_at is not None
    assert first is not None
    assert result.broken_at.id == first.id
    html = await _page(client, path)
    assert "Nhà máy đạt chuẩn GMP" in html
    assert "Cảnh báo: dữ liệu truy xuất đã bị thay đổi" in html
    # The identifier's stored name (what GraphQL shows) is covered by the event chain itself.
    await ExternalLocationName.all().delete()
    assert (await integrity(batch.id, BASE)).valid
    await Location.filter(identifier=GLN_LINK).update(name="(414) 8935001000082")
    assert (await integrity(batch.id, BASE)).reason == Broken.DETAILS_CHANGED


async def test_names_are_per_producer_and_only_for_places_its_events_name(
    client: AsyncClient, db: Database
) -> None:
    batch, path, member = await captured_partner_lot(client)
    store = await Location.get(identifier=SGLN)
    other = await make_producer()
    other_lot = await lot({"producer": other, "name": "Kẹo dừa"}, "KD-1")
    other_member = await token_for(Role.PRODUCER_MEMBER, producer_id=other.id)
    # Not on its events: not found. Not its producer: forbidden.
    refused = await name(client, other_member, store, other.id, "Kho đối thủ")
    assert refused["errors"] == [
        {
            "field": "locationId",
            "code": "NOT_FOUND",
            "message": "Không có địa điểm đối tác nào như vậy trong các sự kiện của cơ sở.",
        }
    ]
    assert (await name(client, other_member, store, batch.product.producer_id, "X"))["errors"][0]["code"] == (
        "FORBIDDEN"
    )
    assert await AuditEntry.filter(action="nameExternalLocation", succeeded=False).count() == 2
    # Once its own events name the place, the other producer names it for its own page only.
    other_path = f"/t/{product_code(other_lot.product.id)}/KD-1"
    document = capture_document(partner_event(link(other_lot), 0, biz_location=SGLN))
    assert (await post(client, document, other_member)).status_code == 202
    assert await Location.filter(kind=LocationKind.EXTERNAL).count() == 2  # still one row per identifier
    assert (await name(client, other_member, store, other.id, "Kho trung chuyển"))["errors"] == []
    assert (await name(client, member, store, batch.product.producer_id, "Kho Co.op"))["errors"] == []
    mine, theirs = await _page(client, path), await _page(client, other_path)
    assert "Kho Co.op (GLN" in mine
    assert "Kho trung chuyển" not in mine
    assert "Kho trung chuyển (GLN" in theirs
    assert "Kho Co.op" not in theirs
    too_long = await name(client, member, store, batch.product.producer_id, "x" * 256)
    assert too_long["errors"][0]["field"] == "name"
    assert too_long["errors"][0]["code"] == "TOO_LONG"
    ours = await Location.create(
        name="Vườn ông Tư", kind=LocationKind.FARM, producer_id=batch.product.producer_id
    )
    assert (await name(client, member, ours, batch.product.producer_id, "Vườn"))["errors"][0]["code"] == (
        "NOT_FOUND"
    )


# -- GraphQL ------------------------------------------------------------------------------------------------


async def test_record_event_takes_a_partners_identifier_and_refuses_a_malformed_one(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer()
    batch = await lot({"producer": producer, "name": "Bánh tráng"}, "BT-1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    base = {
        "eventTime": "2019-05-21T08:00:00+07:00",
        "lots": [{"batchId": to_base64("Batch", batch.id)}],
        "bizStep": "shipping",
    }
    recorded = await gql(
        client,
        EVENT,
        {"input": base | {"readPointIdentifier": GLN_LINK, "bizLocationIdentifier": SGLN}},
        token=member,
    )
    payload = recorded["data"]["recordEvent"]
    assert payload["errors"] == []
    read_point = payload["event"]["readPoint"]
    assert (read_point["kind"], read_point["identifier"], read_point["epcisId"]) == (
        "EXTERNAL",
        GLN_LINK,
        GLN_LINK,
    )
    assert read_point["name"] == "(414) 8935001000075 (254) B1"
    assert payload["event"]["bizLocation"]["identifier"] == SGLN
    malformed = await gql(
        client, EVENT, {"input": base | {"bizLocationIdentifier": BAD_CHECK_DIGIT}}, token=member
    )
    assert malformed["data"]["recordEvent"]["errors"] == [
        {"field": "bizLocationIdentifier", "code": "INVALID"}
    ]
    both = await gql(
        client,
        EVENT,
        {"input": base | {"readPointIdentifier": SGLN, "readPointId": read_point["id"]}},
        token=member,
    )
    assert {"field": "readPointIdentifier", "code": "INVALID"} in both["data"]["recordEvent"]["errors"]
    assert await TraceEvent.all().count() == 1
    # The URI of one of our locations still means that location.
    farm = await Location.create(name="Vườn ông Tư", kind=LocationKind.FARM, producer_id=producer.id)
    own = await gql(
        client, EVENT, {"input": base | {"readPointIdentifier": f"{BASE}/locations/{farm.id}"}}, token=member
    )
    assert own["data"]["recordEvent"]["event"]["readPoint"]["name"] == "Vườn ông Tư"
    # A partner's location is not listed to producers, nor usable by its ID: they name it by its identifier.
    listed = await gql(client, "{ locations(first: 10) { edges { node { identifier } } } }", token=member)
    assert listed["data"]["locations"]["edges"] == [{"node": {"identifier": None}}]  # its farm only
    by_id = await gql(client, EVENT, {"input": base | {"readPointId": read_point["id"]}}, token=member)
    assert by_id["data"]["recordEvent"]["errors"] == [{"field": "readPointId", "code": "NOT_FOUND"}]


async def test_two_captures_at_once_of_a_new_place_store_it_once(client: AsyncClient, db: Database) -> None:
    captures = []
    for code in ("A-1", "B-1"):
        producer = await make_producer()
        batch = await lot({"producer": producer}, code)
        member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
        captures.append(post(client, capture_document(partner_event(link(batch), 0)), member))
    responses = await asyncio.gather(*captures)
    assert [r.status_code for r in responses] == [202, 202], [r.text for r in responses]
    assert sorted(str(i) for i in await Location.all().values_list("identifier", flat=True)) == [
        GLN_LINK,
        SGLN,
    ]
    assert await TraceEvent.filter(read_point__identifier=SGLN).count() == 2
