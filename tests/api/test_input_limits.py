"""Limits before work (issue 12): request bodies are refused while they stream, before parsing; EPCIS
capture checks the caller, the event count and each event's size before the schema validation, which runs
off the event loop; searches and `nodes(ids)` are capped with typed errors; and each hostile request, sent
while /healthz is polled, leaves /healthz answering within a second."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import orjson
import pytest
from httpx import AsyncClient, Response
from strawberry.relay import to_base64

from models import EventQuantity, Role, TraceEvent
from services.common import settings
from services.trace import epcis_hash, epcis_validation
from services.trace.epcis_capture import CAPTURE_LIMIT, CAPTURE_MAX_BYTES
from services.trace.events import MAX_SENSOR_REPORTS
from tests.conftest import Database, gql
from tests.factories import make_producer, token_for
from tests.trace.test_epcis_rest import capture_document, link, lot, object_event, stored

PRODUCTS = "query($s: String) { products(filter: {search: $s}) { totalCount } }"
PRODUCERS = "query($s: String) { producers(filter: {search: $s}) { totalCount } }"


class Chunks:
    """A body produced lazily, `chunk` bytes at a time up to `total`, counting what was pulled."""

    def __init__(self, total: int, chunk: int = 64 * 1024, head: bytes = b"") -> None:
        self.total, self.chunk, self.head = total, chunk, head
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.head:
            self.pulled += len(self.head)
            yield self.head
        while self.pulled < self.total:
            self.pulled += self.chunk
            yield b" " * self.chunk


def graphql_error(response: Response) -> dict[str, Any]:
    body = response.json()
    assert len(body["errors"]) == 1, body
    error: dict[str, Any] = body["errors"][0]
    return error


# -- search ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [PRODUCTS, PRODUCERS], ids=["products", "producers"])
async def test_a_long_search_is_a_typed_error(client: AsyncClient, db: Database, query: str) -> None:
    for search, message in (("a" * 201, "200 characters"), ("a b c d e f g h i j k", "10 words")):
        body = await gql(client, query, {"s": search}, lang="en")
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"] == {"code": "TOO_LONG", "field": "filter.search"}
        assert message in error["message"]
    vietnamese = (await gql(client, query, {"s": " ".join("abcdefghijk")}))["errors"][0]["message"]
    assert vietnamese == "Tìm kiếm tối đa 10 từ."
    # Ten distinct words within 200 characters are served; a repeated word counts once.
    assert "errors" not in await gql(client, query, {"s": "a b c d e f g h i j"})
    assert "errors" not in await gql(client, query, {"s": "dừa " * 40})


async def test_search_matches_every_word_in_one_flat_filter(client: AsyncClient, db: Database) -> None:
    producer = await make_producer(name="Hợp tác xã Dừa Sáp")
    await lot({"producer": producer, "name": "Kẹo dừa sầu riêng"}, "L1")
    await lot({"producer": producer, "name": "Bánh phồng"}, "L2")

    async def count(query: str, search: str) -> int:
        body = await gql(client, query, {"s": search})
        assert "errors" not in body, body
        data = body["data"]
        return int(next(iter(data.values()))["totalCount"])

    assert await count(PRODUCTS, "keo DUA") == 1
    assert await count(PRODUCTS, "sáp dừa") == 2  # words of the producer's name match every product
    assert await count(PRODUCTS, "kẹo bánh") == 0  # every word must match
    assert await count(PRODUCERS, "dừa sáp dừa") == 1
    assert await count(PRODUCERS, "dừa bánh") == 0


# -- nodes ------------------------------------------------------------------------------------------------


async def test_nodes_takes_at_most_a_hundred_ids(client: AsyncClient, db: Database) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    hundred = [to_base64("Product", i) for i in range(1, 101)]
    served = await gql(client, query, {"ids": hundred})
    assert "errors" not in served, served
    assert served["data"]["nodes"] == [None] * 100
    refused = await gql(client, query, {"ids": [*hundred, to_base64("Product", 101)]}, lang="en")
    assert refused["data"] is None
    [error] = refused["errors"]
    assert error["extensions"] == {"code": "INVALID", "field": "ids"}
    assert error["message"] == "At most 100 IDs per request."


# -- body sizes -------------------------------------------------------------------------------------------


async def test_a_graphql_body_past_the_limit_is_refused_before_it_is_read(client: AsyncClient) -> None:
    headers = {"content-type": "application/json"}
    with settings.overridden(graphql_max_bytes=1000):
        declared = await client.post(
            "/graphql", content=b" " * 1001, headers=headers | {"content-length": "1001"}
        )
        assert declared.status_code == 413
        assert graphql_error(declared)["extensions"] == {"code": "PAYLOAD_TOO_LARGE"}
        # No Content-Length (chunked): counted while it streams, stopped at the first chunk past the limit.
        body = Chunks(50_000_000, chunk=512, head=b'{"query": "{ __typename }"')
        streamed = await client.post("/graphql", content=body, headers=headers)
        assert streamed.status_code == 413
        assert body.pulled <= 1536
        query = orjson.dumps({"query": "{ __typename }"})
        assert (await client.post("/graphql", content=query, headers=headers)).status_code == 200


async def test_the_default_graphql_limit_is_a_megabyte(client: AsyncClient) -> None:
    body = Chunks(300_000_000)
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert body.pulled < 1_100_000


async def test_a_capture_body_past_5_mb_is_refused_while_it_streams(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer()
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    headers = {"authorization": f"Bearer {member}", "content-type": "application/ld+json"}
    body = Chunks(400_000_000)
    response = await client.post("/epcis/capture", content=body, headers=headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert body.pulled <= CAPTURE_MAX_BYTES + 64 * 1024
    declared = await client.post(
        "/epcis/capture", content=b"{}", headers=headers | {"content-length": str(CAPTURE_MAX_BYTES + 1)}
    )
    assert declared.status_code == 413


# -- EPCIS capture: the cheap checks first ----------------------------------------------------------------


@pytest.fixture
def no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if the JSON Schema validation runs."""

    def refuse(*args: Any) -> list[str]:
        raise AssertionError("validated")

    monkeypatch.setattr(epcis_validation, "validate", refuse)


async def capture(client: AsyncClient, document: Any, token: str) -> Response:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/ld+json"}
    return await client.post("/epcis/capture", content=orjson.dumps(document), headers=headers)


async def test_an_account_without_lots_is_refused_before_validation(
    client: AsyncClient, db: Database, no_validation: None
) -> None:
    nobody = await token_for(None)  # signed in, no role on any producer or place
    document = capture_document(
        *(object_event("https://id.gs1.org/01/08934563138165/10/X") for _ in range(3))
    )
    response = await capture(client, document, nobody)
    assert response.status_code == 403
    assert response.json()["type"] == "epcisException:SecurityException"
    # Refused before its body is read: a 4.6 MB document costs its parse (~0.2 s holding the GIL) otherwise.
    body = Chunks(4_600_000)
    headers = {"authorization": f"Bearer {nobody}", "content-type": "application/ld+json"}
    response = await client.post("/epcis/capture", content=body, headers=headers)
    assert response.status_code == 403
    assert response.json()["type"] == "epcisException:SecurityException"
    assert body.pulled <= 64 * 1024


async def test_too_many_events_are_refused_before_validation(
    client: AsyncClient, db: Database, no_validation: None
) -> None:
    producer = await make_producer()
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    event = object_event("https://id.gs1.org/01/08934563138165/10/X")
    response = await capture(client, capture_document(*[event] * (CAPTURE_LIMIT + 1)), member)
    assert response.status_code == 413
    assert f"At most {CAPTURE_LIMIT} events" in response.json()["detail"]


async def test_sensor_reports_past_the_cap_are_refused_before_validation(
    client: AsyncClient, db: Database, no_validation: None
) -> None:
    producer = await make_producer()
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    report = {"type": "Temperature", "value": 4.5, "uom": "CEL"}
    sensors = [{"sensorReport": [report] * (MAX_SENSOR_REPORTS + 1)}]
    event = object_event("https://id.gs1.org/01/08934563138165/10/X", sensorElementList=sensors)
    response = await capture(client, capture_document(event), member)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "epcisException:ValidationException"
    assert body["errors"] == [
        f"/epcisBody/eventList/0/sensorElementList: At most {MAX_SENSOR_REPORTS} sensor reports per event."
    ]
    big = [{"type": "urn:example:note", "source": "x" * 300_000}]
    response = await capture(
        client, capture_document(object_event(link(await lot({}, "L9")), sourceList=big)), member
    )
    assert response.status_code == 400
    assert "attached data is too large" in response.json()["errors"][0]
    extension = object_event(link(await lot({}, "L8"))) | {"example:blob": {"x": "y" * 300_000}}
    response = await capture(client, capture_document(extension), member)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "/epcisBody/eventList/0/(user extension fields): The event's attached data is too large (at most 256 KB)."
    ]
    assert await stored() == 0


async def test_validation_runs_in_a_thread_and_stops_at_its_deadline(
    client: AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    producer = await make_producer()
    batch = await lot({"producer": producer}, "L1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    threads: list[threading.Thread] = []
    validate = epcis_validation.validate

    def watched(doc: Any, deadline: float | None = None) -> list[str]:
        threads.append(threading.current_thread())
        return validate(doc, deadline)

    monkeypatch.setattr(epcis_validation, "validate", watched)
    response = await capture(client, capture_document(object_event(link(batch))), member)
    assert response.status_code == 202, response.text
    assert threads
    assert threads[0] is not threading.main_thread()
    # A deadline already past: the first event is not even started.
    with pytest.raises(epcis_validation.ValidationTimeout):
        validate(capture_document(object_event(link(batch))), time.monotonic() - 1)
    with settings.overridden(request_timeout_s=0.0):
        late = await capture(client, capture_document(object_event(link(batch), day=1)), member)
    assert late.status_code == 413
    assert "could not be validated within" in late.json()["detail"]
    assert await stored() == 1


async def test_schema_messages_keep_each_events_index(client: AsyncClient, db: Database) -> None:
    broken = object_event("https://id.gs1.org/01/08934563138165/10/X")
    del broken["eventTimeZoneOffset"]
    document = capture_document(object_event("https://id.gs1.org/01/08934563138165/10/X"), broken, broken)
    messages = epcis_validation.validate(document)
    assert messages
    assert all("/epcisBody/eventList/" in m for m in messages)
    assert {m.split(":", 1)[0].split("/")[3] for m in messages} == {"1", "2"}


# -- recordEvent ------------------------------------------------------------------------------------------


async def test_record_event_caps_sensor_reports(client: AsyncClient, db: Database) -> None:
    producer = await make_producer()
    batch = await lot({"producer": producer}, "L1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    mutation = """mutation($input: EventRecordInput!) { recordEvent(input: $input) {
      event { id } errors { field code message } } }"""
    report = {"type": "Temperature", "value": 4.5, "uom": "CEL"}
    event = {
        "eventTime": "2019-05-10T07:00:00+07:00",
        "lots": [{"batchId": to_base64("Batch", batch.id)}],
        "sensorElements": [{"sensorReport": [report] * (MAX_SENSOR_REPORTS + 1)}],
    }
    payload = (await gql(client, mutation, {"input": event}, token=member, lang="en"))["data"]["recordEvent"]
    assert payload["event"] is None
    assert payload["errors"] == [
        {
            "field": "sensorElements",
            "code": "TOO_LONG",
            "message": f"At most {MAX_SENSOR_REPORTS} sensor reports per event.",
        }
    ]
    event["sensorElements"] = [{"sensorReport": [report] * MAX_SENSOR_REPORTS}]
    payload = (await gql(client, mutation, {"input": event}, token=member))["data"]["recordEvent"]
    assert payload["errors"] == [], payload
    assert await stored() == 1


# -- each hostile request while /healthz is polled --------------------------------------------------------


async def healthz_while(client: AsyncClient, attack: Callable[[], Coroutine[Any, Any, Response]]) -> Response:
    """Runs `attack` while /healthz is asked every 50 ms, in the same event loop; asserts that no gap between
    two answers (or between the last answer and the attack's end) exceeds 1 s. A stalled loop stalls the
    poller too, so the gap, not one request's latency, is what shows the stall."""
    done = asyncio.Event()
    answered = [time.perf_counter()]

    async def poll() -> None:
        while not done.is_set():
            response = await client.get("/healthz")
            assert response.status_code == 200
            answered.append(time.perf_counter())
            await asyncio.sleep(0.05)

    poller = asyncio.create_task(poll())
    await asyncio.sleep(0.1)
    try:
        result = await attack()
    finally:
        answered.append(time.perf_counter())
        done.set()
        await poller
    gaps = [later - earlier for earlier, later in itertools.pairwise(answered)]
    assert len(gaps) >= 3
    assert max(gaps) < 1.0, f"/healthz did not answer for {max(gaps):.2f} s"
    return result


async def test_hostile_requests_leave_healthz_answering(client: AsyncClient, db: Database) -> None:
    search = " ".join(f"w{i}" for i in range(40_000))[:120_000]  # 120 KB of short words
    response = await healthz_while(
        client, lambda: client.post("/graphql", json={"query": PRODUCTS, "variables": {"s": search}})
    )
    assert graphql_error(response)["extensions"]["code"] == "TOO_LONG"

    body = Chunks(300_000_000)
    response = await healthz_while(
        client,
        lambda: client.post("/graphql", content=body, headers={"content-type": "application/json"}),
    )
    assert response.status_code == 413

    # A 4.6 MB capture document of small events from an account with no lots: refused before validation;
    # from a member, refused for its event count, before validation too.
    nobody = await token_for(None)
    small = capture_document(*[object_event("https://id.gs1.org/01/08934563138165/10/X")] * 17_500)
    assert 4_000_000 < len(orjson.dumps(small)) < CAPTURE_MAX_BYTES
    response = await healthz_while(client, lambda: capture(client, small, nobody))
    assert response.status_code == 403
    producer = await make_producer()
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    response = await healthz_while(client, lambda: capture(client, small, member))
    assert response.status_code == 413

    # 4 MB within the limits from a member with a lot: validated in a thread, event by event.
    batch = await lot({"producer": producer}, "L1")
    event = object_event(
        link(batch), sourceList=[{"type": "urn:example:s", "source": f"urn:example:{'x' * 8000}"}]
    )
    document = capture_document(*[event] * 500)
    assert 4_000_000 < len(orjson.dumps(document)) < CAPTURE_MAX_BYTES
    response = await healthz_while(client, lambda: capture(client, document, member))
    assert response.status_code == 400  # the same event 500 times: one hash, "already recorded"
    assert await stored() == 0


async def test_event_hashing_leaves_healthz_answering(client: AsyncClient, db: Database) -> None:
    """An event at the cap of sensor reports costs ~1.5 s of hashing (JSON-LD expansion) when it is recorded
    and whenever its lot's integrity is checked anew: on the hashing thread, not on the event loop."""
    producer = await make_producer()
    batch = await lot({"producer": producer}, "L1")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    report = {"type": "Temperature", "value": 4.5, "uom": "CEL"}
    event = {
        "eventTime": "2019-05-10T07:00:00+07:00",
        "lots": [{"batchId": to_base64("Batch", batch.id)}],
        "sensorElements": [{"sensorReport": [report] * MAX_SENSOR_REPORTS}],
    }
    record = """mutation($input: EventRecordInput!) { recordEvent(input: $input) { errors { code } } }"""
    headers = {"authorization": f"Bearer {member}"}
    response = await healthz_while(
        client,
        lambda: client.post(
            "/graphql", json={"query": record, "variables": {"input": event}}, headers=headers
        ),
    )
    assert response.json()["data"]["recordEvent"]["errors"] == []
    epcis_hash._known.clear()  # as in a fresh process: the integrity check hashes the event again
    check = "query($id: ID!) { batch(id: $id) { integrity { valid eventsChecked } } }"
    variables = {"id": to_base64("Batch", batch.id)}
    with settings.overridden(integrity_timeout_s=600):  # a busy test machine must not make it UNVERIFIED
        response = await healthz_while(
            client,
            lambda: client.post("/graphql", json={"query": check, "variables": variables}, headers=headers),
        )
    assert response.json()["data"]["batch"]["integrity"] == {"valid": True, "eventsChecked": 1}
    # Remembered by content: the next check hashes nothing; an edited row is hashed anew and caught.
    assert len(epcis_hash._known) == 1
    stored_event = await TraceEvent.get(id=(await EventQuantity.get(batch_id=batch.id)).event_id)
    stored_event.sensor_elements = [{"sensorReport": [report] * (MAX_SENSOR_REPORTS - 1)}]
    await stored_event.save(update_fields=["sensor_elements"])
    with settings.overridden(integrity_timeout_s=600):
        response = await client.post(
            "/graphql", json={"query": check, "variables": variables}, headers=headers
        )
    assert response.json()["data"]["batch"]["integrity"] == {"valid": False, "eventsChecked": 1}
    assert len(epcis_hash._known) == 2
