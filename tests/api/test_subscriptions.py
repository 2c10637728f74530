"""GraphQL subscriptions over graphql-transport-ws (web/subscriptions.py), with a real WebSocket client
(`websockets`, tests/live.py) against the app served by uvicorn in this test process: authentication in
connection_init, the policy, the limits and heartbeats; a lot's new events, a producer's scans. Job
progress: tests/jobs/test_live_progress.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from httpx import AsyncClient
from strawberry.relay import to_base64
from websockets.asyncio.client import connect

from models import EventType, Role
from services.accounts import auth as accounts
from services.accounts.seats import Seats
from services.labels import scans
from services.labels.runs import LabelRunData
from services.policy import SYSTEM
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from tests.conftest import Database
from tests.factories import make_batch, make_producer, make_product, token_for
from tests.labels.factories import system_run
from tests.live import PROTOCOL, close_code, connected, open_connection, receive, serve, subscribe

BASE = "https://ocop.test"
T0 = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture
async def url(db: Database) -> AsyncIterator[str]:
    async for address in serve(ws_max_subscriptions=2, ws_max_connections=2):
        yield address


LOT_EVENTS = "subscription ($lot: ID!) { lotEvents(lotId: $lot) { id bizStep disposition } }"
PRODUCER_SCANS = (
    "subscription ($p: ID!) { producerScans(producerId: $p) { lotId serial { serial scans recentNetworks "
    "flagged } } }"
)


async def a_lot(published: bool = True) -> tuple[int, int]:
    producer = await make_producer()
    product = await make_product(producer)
    lot = await make_batch(product, f"LIVE-{producer.id}", is_published=published)
    return producer.id, lot.id


_minutes = itertools.count()


async def shipping(lot_id: int, step: str = "shipping") -> int:
    at = T0 + dt.timedelta(minutes=next(_minutes))  # events of one time and content would be one event
    event = await trace.record_event(
        EventInput(EventType.OBJECT, at, subjects=[QuantityData(lot_id)], biz_step=step), SYSTEM, BASE
    )
    return event.id


# -- refusals ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (None, 4401),  # no token
        ({"Authorization": "Bearer ocop_not-a-real-token"}, 4403),
        ({"token": "ocop_not-a-real-token"}, 4403),
    ],
)
async def test_a_connection_without_a_valid_token_is_closed(
    url: str, payload: dict[str, Any] | None, code: int
) -> None:
    ws = await open_connection(url, payload)
    assert await close_code(ws) == code


async def test_a_connection_that_never_initialises_is_closed(db: Database) -> None:
    async for address in serve(ws_init_timeout_s=0.2):
        ws = await connect(address, subprotocols=[PROTOCOL])  # type: ignore[list-item]
        assert await close_code(ws) == 4408


async def test_the_token_may_come_in_the_usual_shapes(url: str) -> None:
    token = await token_for(Role.CENTRAL_ADMIN)
    for payload in ({"authorization": f"Bearer {token}"}, {"headers": {"Authorization": f"Bearer {token}"}}):
        ws = await open_connection(url, payload)
        assert (await receive(ws))["type"] == "connection_ack"
        await ws.close()


async def test_another_producers_lot_is_refused_as_not_found(url: str) -> None:
    mine, _ = await a_lot(published=False)
    _, theirs = await a_lot(published=False)
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=mine)
    ws = await connected(url, token)
    await subscribe(ws, "1", LOT_EVENTS, {"lot": to_base64("Batch", theirs)})
    answer = await receive(ws)
    assert answer["type"] == "error"
    assert answer["id"] == "1"
    assert answer["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    await subscribe(ws, "2", PRODUCER_SCANS, {"p": to_base64("Producer", theirs)})
    assert (await receive(ws))["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    await ws.close()


async def test_limits_on_subscriptions_connections_and_depth(url: str) -> None:
    producer_id, lot = await a_lot()
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=producer_id)
    ws = await connected(url, token)
    for op_id in ("1", "2"):
        await subscribe(ws, op_id, LOT_EVENTS, {"lot": to_base64("Batch", lot)})
    await subscribe(ws, "3", LOT_EVENTS, {"lot": to_base64("Batch", lot)})
    refused = await receive(ws)
    assert (refused["id"], refused["type"]) == ("3", "error")
    assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"

    second = await connected(url, token)  # two connections per account here
    third = await open_connection(url, {"token": token})
    assert await close_code(third) == 4429
    deep = "subscription ($lot: ID!) { lotEvents(lotId: $lot) { " + "readPoint { " * 13 + "id" + " }" * 15
    await subscribe(second, "9", deep, {"lot": to_base64("Batch", lot)})
    answer = await receive(second)
    assert answer["type"] == "error"
    assert [e["extensions"]["code"] for e in answer["payload"]] == ["QUERY_TOO_COMPLEX"]
    await subscribe(second, "10", "{ __typename }", {})
    assert (await receive(second))["type"] == "error"  # queries and mutations go to POST /graphql
    await second.close()
    await ws.close()
    again = await connected(url, token)  # the closed connections gave their places back
    await again.close()


async def test_the_server_pings_and_closes_a_connection_that_does_not_answer(db: Database) -> None:
    token = await token_for(Role.CENTRAL_ADMIN)
    async for address in serve(ws_heartbeat_s=0.2):
        ws = await open_connection(address, {"token": token})
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        assert orjson.loads(await ws.recv())["type"] == "ping"  # not answered
        assert await close_code(ws) == 4408
        polite = await connected(address, token)  # receive() answers pings: still open after several
        with pytest.raises(TimeoutError):
            await receive(polite, timeout_s=1.0)
        await polite.close()


# -- what subscribers receive --------------------------------------------------------------------------------


async def test_a_lots_new_events_reach_its_subscriber(url: str) -> None:
    producer_id, lot = await a_lot(published=False)
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=producer_id)
    ws = await connected(url, token)
    await shipping(lot, "commissioning")  # before the subscription: not sent
    await subscribe(ws, "1", LOT_EVENTS, {"lot": to_base64("Batch", lot)})
    await asyncio.sleep(0.3)  # the subscription is in place
    first, second = await shipping(lot), await shipping(lot, "receiving")
    got = [await receive(ws), await receive(ws)]
    assert [m["payload"]["data"]["lotEvents"]["id"] for m in got] == [
        to_base64("TraceEvent", first),
        to_base64("TraceEvent", second),
    ]
    assert got[0]["payload"]["data"]["lotEvents"]["bizStep"] == "shipping"
    await ws.send(orjson.dumps({"id": "1", "type": "complete"}).decode())
    await shipping(lot)
    with pytest.raises(TimeoutError):
        await receive(ws, timeout_s=0.5)
    await ws.close()


async def test_a_producers_scans_reach_its_staff(url: str) -> None:
    producer_id, lot = await a_lot()
    await system_run(LabelRunData(batch_id=lot, template="L7160", count=5, serialized=True))
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=producer_id)
    ws = await connected(url, token)
    await subscribe(ws, "1", PRODUCER_SCANS, {"p": to_base64("Producer", producer_id)})
    await asyncio.sleep(0.3)
    await scans.record_scan(lot, "1", address="203.0.113.9", language="vi", region=None)
    got = (await receive(ws))["payload"]["data"]["producerScans"]
    assert got["lotId"] == to_base64("Batch", lot)
    assert got["serial"] == {"serial": "1", "scans": 1, "recentNetworks": 1, "flagged": False}
    await ws.close()


async def test_a_subscription_over_its_cost_budget_is_refused(db: Database) -> None:
    producer_id, lot = await a_lot()
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=producer_id)
    async for address in serve(max_query_cost=2):
        ws = await connected(address, token)
        await subscribe(ws, "1", LOT_EVENTS, {"lot": to_base64("Batch", lot)})  # 4 fields
        answer = await receive(ws)
        assert answer["type"] == "error"
        assert [e["extensions"]["code"] for e in answer["payload"]] == ["QUERY_TOO_COMPLEX"]
        await ws.close()


async def test_post_refuses_a_subscription(client: AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": LOT_EVENTS, "variables": {"lot": "x"}})
    assert response.status_code == 400
    assert "WebSocket" in response.json()["errors"][0]["message"]


async def test_connections_are_counted_across_replicas(url: str, db: Database) -> None:
    if db.backend != "postgres":
        pytest.skip("SQLite is one process: its seats are counted in process (the limits test above)")
    token = await token_for(Role.CENTRAL_ADMIN)
    ws = await connected(url, token)  # seat 0, here
    me = (await accounts.authenticate(f"Bearer {token}")).user_id
    assert me is not None
    elsewhere = Seats(2)  # another replica: its own session holds the account's other seat
    try:
        assert await elsewhere.take(me) == 1
        assert await elsewhere.take(me) is None  # seat 0 is held by the server's session
        refused = await open_connection(url, {"token": token})
        assert await close_code(refused) == 4429
        await elsewhere.give_back(me, 1)
        again = await connected(url, token)
        await again.close()
    finally:
        await elsewhere.close()
    await ws.close()
