"""EPCIS 2.0 query subscriptions (`/epcis/queries/{name}/subscriptions`): a webhook receives the events of a
named query as they are captured (stream) or on a schedule, signed, retried with backoff, with dead letters
its owner can see and send again; authorization as for the query. The webhook is a real HTTP server on
loopback; the dispatcher is the one the job workers run."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from httpx import AsyncClient

from models import EventType, Role, TraceEvent
from models.subscriptions import DeliveryStatus, QuerySubscription, SubscriptionDelivery
from services.common import clock, settings
from services.policy import SYSTEM
from services.trace import epcis_subscriptions as subs
from services.trace import epcis_validation
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from tests.conftest import Database
from tests.factories import make_batch, make_producer, make_product, token_for
from web.webhooks import WebhookSender

BASE = "https://ocop.test"
T0 = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
SECRET = "13df38d8275b13f05704629e5f1cf3d45d6132d5"  # the OpenAPI's example signatureToken


@dataclass
class Receiver:
    """A webhook endpoint: records each POST (headers, body) and answers `status`."""

    url: str
    status: int = 200
    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.posts]

    def event_steps(self) -> list[list[str]]:
        return [
            [e.get("bizStep", "") for e in d["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
            for d in self.documents()
        ]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            state.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/epcis-callback"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
async def dispatcher(db: Database) -> Any:
    sender = WebhookSender(timeout_s=5)
    yield subs.Dispatcher(sender.send, BASE, "test-dispatcher", poll_s=0.05)
    await sender.close()


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


_minutes = iter(range(10_000))


async def record(lot_id: int, step: str) -> TraceEvent:
    return await trace.record_event(
        EventInput(
            EventType.OBJECT,
            T0 + dt.timedelta(minutes=next(_minutes)),
            subjects=[QuantityData(lot_id, Decimal(1), "KGM")],
            biz_step=step,
        ),
        SYSTEM,
        BASE,
    )


async def a_lot(code: str, published: bool = True) -> tuple[int, int]:
    producer = await make_producer()
    product = await make_product(producer)
    lot = await make_batch(product, code, is_published=published)
    return producer.id, lot.id


async def named_query(client: AsyncClient, headers: dict[str, str], name: str = "shipped") -> None:
    made = await client.post(
        "/epcis/queries", json={"name": name, "query": {"EQ_bizStep": ["shipping"]}}, headers=headers
    )
    assert made.status_code == 201, made.text


async def subscribe(
    client: AsyncClient, headers: dict[str, str], body: dict[str, Any], name: str = "shipped"
) -> Any:
    return await client.post(f"/epcis/queries/{name}/subscriptions", json=body, headers=headers)


async def test_a_stream_subscription_receives_each_new_matching_event_signed(
    client: AsyncClient, receiver: Receiver, dispatcher: subs.Dispatcher
) -> None:
    _, lot = await a_lot("STREAM-1")
    await record(lot, "shipping")  # before the subscription: not sent
    owner = auth(await token_for(Role.CENTRAL_ADMIN))
    await named_query(client, owner)
    created = await subscribe(client, owner, {"dest": receiver.url, "signatureToken": SECRET, "stream": True})
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/epcis/queries/shipped/subscriptions/{body['subscriptionID']}"
    assert body["stream"] is True
    assert body["dest"] == receiver.url
    assert SECRET not in created.text  # the secret is never shown back

    await record(lot, "shipping")
    await record(lot, "receiving")  # not matched by the query
    await dispatcher.drain()
    assert receiver.event_steps() == [["shipping"]]
    headers, raw = receiver.posts[0]
    assert headers["gs1-signature"] == "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["gs1-epcis-version"] == "2.0.0"
    document = receiver.documents()[0]
    assert epcis_validation.validate(document) == []
    assert document["epcisBody"]["queryResults"]["subscriptionID"] == body["subscriptionID"]
    assert document["epcisBody"]["queryResults"]["queryName"] == "shipped"
    # Nothing is sent twice.
    await dispatcher.drain()
    assert len(receiver.posts) == 1
    listed = await client.get(f"/epcis/queries/shipped/subscriptions/{body['subscriptionID']}", headers=owner)
    assert listed.json()["lastNotifiedAt"]


async def test_a_failing_webhook_is_retried_with_backoff_then_kept_as_a_dead_letter(
    client: AsyncClient, receiver: Receiver, dispatcher: subs.Dispatcher
) -> None:
    _, lot = await a_lot("RETRY-1")
    owner = auth(await token_for(Role.CENTRAL_ADMIN))
    await named_query(client, owner)
    sid = (await subscribe(client, owner, {"dest": receiver.url, "stream": True})).json()["subscriptionID"]
    receiver.status = 503
    await record(lot, "shipping")
    await dispatcher.drain()
    delivery = await SubscriptionDelivery.get()
    assert (delivery.status, delivery.attempts, delivery.last_status) == (DeliveryStatus.PENDING, 1, 503)
    wait = (delivery.next_attempt_at - clock.now()).total_seconds()
    assert subs.RETRY_DELAYS_S[0] - 5 < wait <= subs.RETRY_DELAYS_S[0]
    await dispatcher.drain()
    assert len(receiver.posts) == 1  # not before its time
    delays = []
    for _ in subs.RETRY_DELAYS_S:  # time passes: each retry comes due
        row = await SubscriptionDelivery.get(id=delivery.id)
        if row.status != DeliveryStatus.PENDING:
            break
        delays.append(round((row.next_attempt_at - row.created_at).total_seconds()))
        await SubscriptionDelivery.filter(id=delivery.id).update(next_attempt_at=subs._now())
        await dispatcher.drain()
    assert len(receiver.posts) == len(subs.RETRY_DELAYS_S) + 1
    assert delays == sorted(delays)  # backoff grows
    dead = await client.get(f"/epcis/queries/shipped/subscriptions/{sid}/deadLetters", headers=owner)
    assert dead.status_code == 200
    [letter] = dead.json()
    assert (letter["status"], letter["attempts"], letter["lastStatus"]) == ("dead", 7, 503)
    # The subscriber is back: the owner sends the dead letter again and it gets through.
    receiver.status = 200
    again = await client.post(
        f"/epcis/queries/shipped/subscriptions/{sid}/deadLetters/{letter['deliveryID']}/retry", headers=owner
    )
    assert again.status_code == 200, again.text
    await dispatcher.drain()
    assert (await SubscriptionDelivery.get(id=delivery.id)).status == DeliveryStatus.DELIVERED
    assert (
        await client.get(f"/epcis/queries/shipped/subscriptions/{sid}/deadLetters", headers=owner)
    ).json() == []


async def test_a_webhook_refusing_the_body_for_good_is_not_retried(
    client: AsyncClient, receiver: Receiver, dispatcher: subs.Dispatcher
) -> None:
    _, lot = await a_lot("GONE-1")
    owner = auth(await token_for(Role.CENTRAL_ADMIN))
    await named_query(client, owner)
    await subscribe(client, owner, {"dest": receiver.url, "stream": True})
    receiver.status = 410
    await record(lot, "shipping")
    await dispatcher.drain()
    delivery = await SubscriptionDelivery.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 1)


async def test_a_scheduled_subscription_sends_what_was_recorded_since_its_last_run(
    client: AsyncClient, receiver: Receiver, dispatcher: subs.Dispatcher
) -> None:
    _, lot = await a_lot("SCHED-1")
    owner = auth(await token_for(Role.CENTRAL_ADMIN))
    await named_query(client, owner)
    made = await subscribe(
        client, owner, {"dest": receiver.url, "schedule": {"hour": "1", "minute": "5"}, "reportIfEmpty": True}
    )
    assert made.status_code == 201, made.text
    assert made.json()["schedule"] == {"hour": "1", "minute": "5"}
    row = await QuerySubscription.get()
    assert row.next_run_at is not None
    assert row.next_run_at.astimezone(clock.VIETNAM).time() == dt.time(1, 5)
    await record(lot, "shipping")
    await record(lot, "receiving")
    await dispatcher.drain()
    assert receiver.posts == []  # not yet 01:05
    await QuerySubscription.filter(id=row.id).update(next_run_at=subs._now())  # 01:05 has come
    await dispatcher.drain()
    assert receiver.event_steps() == [["shipping"]]
    # The next run has nothing new: reportIfEmpty sends an empty answer.
    await QuerySubscription.filter(id=row.id).update(next_run_at=subs._now())
    await dispatcher.drain()
    assert receiver.event_steps() == [["shipping"], []]
    assert epcis_validation.validate(receiver.documents()[1]) == []


async def test_only_the_querys_owner_subscribes_and_sees_only_what_it_may(
    client: AsyncClient, receiver: Receiver, dispatcher: subs.Dispatcher
) -> None:
    mine, my_lot = await a_lot("MINE-1", published=False)
    _, their_lot = await a_lot("THEIRS-1", published=False)
    owner = auth(await token_for(Role.PRODUCER_MEMBER, producer_id=mine))
    stranger = auth(await token_for(Role.CENTRAL_ADMIN))
    await named_query(client, owner)
    assert (await subscribe(client, {}, {"dest": receiver.url, "stream": True})).status_code == 401
    refused = await subscribe(client, stranger, {"dest": receiver.url, "stream": True})
    assert refused.status_code == 404  # another user's query name does not exist for the stranger
    assert refused.json()["type"] == "epcisException:NoSuchNameException"
    sid = (await subscribe(client, owner, {"dest": receiver.url, "stream": True})).json()["subscriptionID"]
    assert (
        await client.get(f"/epcis/queries/shipped/subscriptions/{sid}", headers=stranger)
    ).status_code == 404
    assert (
        await client.delete(f"/epcis/queries/shipped/subscriptions/{sid}", headers=stranger)
    ).status_code == 404
    await record(their_lot, "shipping")  # the owner may not see this lot's events
    await record(my_lot, "shipping")
    await dispatcher.drain()
    [[step]] = receiver.event_steps()
    assert step == "shipping"
    [event] = receiver.documents()[0]["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert "MINE-1" in json.dumps(event)
    # Unsubscribing stops the deliveries; deleting the query unsubscribes all.
    assert (
        await client.delete(f"/epcis/queries/shipped/subscriptions/{sid}", headers=owner)
    ).status_code == 204
    await record(my_lot, "shipping")
    await dispatcher.drain()
    assert len(receiver.posts) == 1
    await subscribe(client, owner, {"dest": receiver.url, "stream": True})
    assert await QuerySubscription.all().count() == 1
    assert (await client.delete("/epcis/queries/shipped", headers=owner)).status_code == 204
    assert await QuerySubscription.all().count() == 0


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"dest": "https://client.example.com/cb"}, "stream"),
        ({"dest": "https://client.example.com/cb", "stream": True, "schedule": {"hour": "1"}}, "not both"),
        ({"dest": "https://client.example.com/cb", "schedule": {"hour": "25"}}, "outside"),
        ({"dest": "https://client.example.com/cb", "schedule": {"minute": "[9-3]"}}, "outside"),
        ({"dest": "https://client.example.com/cb", "schedule": {"fortnight": "1"}}, "unknown"),
        ({"dest": "ftp://client.example.com/cb", "stream": True}, "https"),
        ({"stream": True}, "dest"),
    ],
)
async def test_a_bad_subscription_is_a_subscription_controls_exception(
    client: AsyncClient, db: Database, body: dict[str, Any], detail: str
) -> None:
    owner = auth(await token_for(Role.CENTRAL_ADMIN))
    await named_query(client, owner)
    refused = await subscribe(client, owner, body)
    assert refused.status_code == 400, refused.text
    problem = refused.json()
    assert problem["type"] == "epcisException:SubscriptionControlsException"
    assert detail in problem["detail"]
    assert await QuerySubscription.all().count() == 0


async def test_a_webhook_into_a_private_network_is_refused_in_production(
    client: AsyncClient, receiver: Receiver, dispatcher: subs.Dispatcher
) -> None:
    owner = auth(await token_for(Role.CENTRAL_ADMIN))
    await named_query(client, owner)
    with settings.overridden(webhook_allow_private=False):
        for dest in (
            receiver.url.replace("http:", "https:"),
            "https://10.0.0.7/cb",
            "https://[::1]/cb",
            "https://localhost/cb",
        ):
            refused = await subscribe(client, owner, {"dest": dest, "stream": True})
            assert refused.status_code == 400, (dest, refused.text)
            assert "private address" in refused.json()["detail"]
    # Allowed when subscribed, then the operator forbids private destinations: the send is refused too.
    await subscribe(client, owner, {"dest": receiver.url, "stream": True})
    _, lot = await a_lot("PRIV-1")
    await record(lot, "shipping")
    with settings.overridden(webhook_allow_private=False):
        await dispatcher.drain()
    assert receiver.posts == []
    delivery = await SubscriptionDelivery.get()
    assert "private address" in (delivery.last_error or "")


def test_a_schedule_reads_as_cron() -> None:
    assert subs.cron_of({"hour": "1", "minute": "5"}) == "5 1 * * * 0"
    assert subs.cron_of({"minute": "[0-10],30"}) == "0-10,30 * * * * 0"
    assert subs.cron_of({"dayOfWeek": "1"}) == "0 0 * * 1 0"  # Monday, at midnight
    assert subs.cron_of({"dayOfWeek": "[6-7]"}) == "0 0 * * 6-6,0 0"  # Saturday and Sunday
    monday = dt.datetime(2026, 12, 7, 0, 0, tzinfo=clock.VIETNAM)
    assert subs.next_run({"dayOfWeek": "1"}, monday - dt.timedelta(seconds=1)) == monday
    assert subs.next_run({"second": "30"}, monday) == monday + dt.timedelta(seconds=30)
