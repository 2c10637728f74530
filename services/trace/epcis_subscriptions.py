"""EPCIS 2.0 query subscriptions (`/epcis/queries/{queryName}/subscriptions` of GS1's REST OpenAPI): a partner
subscribes a webhook to one of its named queries and receives the matching events as EPCISQueryDocuments,

- `stream: true`: each newly captured event the query matches, soon after its transaction commits. The event's
  own transaction writes a `StreamPending` row (`note_appended`), so an event is neither missed (a crash
  between commit and matching) nor announced before it exists (a rolled-back capture);
- `schedule` (the OpenAPI's second/minute/hour/dayOfMonth/month/dayOfWeek, cron-like, in Viet Nam time):
  at each matching moment, the events recorded since the previous run (`minRecordTime`), with
  `reportIfEmpty` deciding whether an empty answer is sent.

Deliveries are rows (`SubscriptionDelivery`), sent by the job workers' dispatcher (`Dispatcher`, in
`server.py worker` and in the embedded web process), claimed with a conditional UPDATE so that any number of
dispatchers on one PostgreSQL send each delivery once at a time. A POST carries at most
`EVENTS_PER_DELIVERY` events, the `GS1-Signature` header (`sha256=` HMAC-SHA256 of the body under the
subscriber's `signatureToken`, when it gave one) and `GS1-EPCIS-Version`; a non-2xx answer or a network
failure is retried after `RETRY_DELAYS_S` (30 s, 2 min, 10 min, 1 h, 6 h, 24 h), then the delivery is dead:
its owner lists the dead letters and may send one again. The events of a delivery are those the owner may see
when it is sent, as for the same query asked then.

Authorization is the named query's: only its owner subscribes, lists, reads and unsubscribes (another
user's query name does not exist for them). Destinations on private, loopback or link-local addresses are
refused (a webhook must not reach into the operator's network) unless `OCOP_WEBHOOK_ALLOW_PRIVATE` allows
them (tests, an intranet installation); they are checked when subscribing and again at each send.

Nothing here knows HTTP: web/epcis.py answers the REST resources and web/webhooks.py sends the POSTs."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import re
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import structlog
from croniter import croniter
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import NamedQuery, TraceEvent
from models.subscriptions import DeliveryStatus, QuerySubscription, StreamPending, SubscriptionDelivery
from services.accounts import auth
from services.accounts.auth import Actor
from services.common import clock, settings
from services.policy import reach_of
from services.trace import epcis, epcis_named_queries, epcis_query, epcis_query_params
from services.trace import events as trace
from services.trace.epcis_problems import (
    Problem,
    ProblemKind,
    no_such_name,
    unauthenticated_problem,
)

log = structlog.get_logger("ocop.epcis.subscriptions")

EVENTS_PER_DELIVERY = 100
RETRY_DELAYS_S = (30, 120, 600, 3600, 6 * 3600, 24 * 3600)
MAX_SUBSCRIPTIONS_PER_QUERY = 20
LOCK_S = 120  # a dispatcher that claimed a delivery and died: another takes it after this
SEND_TIMEOUT_S = 10.0
SCHEDULE_FIELDS = ("second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek")
_RANGES = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (1, 7),  # EPCIS 1.2: 1 = Monday ... 7 = Sunday
}
_ELEMENT = re.compile(r"^(?:(\d{1,2})|\[(\d{1,2})-(\d{1,2})\])$")

# (url, body, headers) -> the subscriber's HTTP status; raises SendFailed when no answer came.
Sender = Callable[[str, bytes, Mapping[str, str]], Awaitable[int]]


class SendFailed(Exception):
    """No HTTP answer: refused connection, timeout, TLS failure, a destination that became private."""


def _now() -> dt.datetime:
    """Now, in Viet Nam time: the offset the database layer writes times with, so that SQLite (which compares
    times as text) orders the times this module writes and compares the same way as PostgreSQL does."""
    return clock.now().astimezone(clock.VIETNAM)


def controls_problem(detail: str) -> Problem:
    return Problem(ProblemKind.SUBSCRIPTION_CONTROLS, "Invalid subscription", detail)


# -- the request ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    dest: str
    signature_token: str | None
    stream: bool
    schedule: dict[str, str] | None
    report_if_empty: bool
    initial_record_time: dt.datetime | None


def _cron_field(name: str, value: Any) -> str:
    """One schedule field (`"5"`, `"1,5"`, `"[1-5]"`, `"[0-10],30"`) as a cron field; raises Problem."""
    low, high = _RANGES[name]
    text = str(value).strip()
    parts = []
    for element in text.split(","):
        match = _ELEMENT.match(element.strip())
        if match is None:
            raise controls_problem(
                f"schedule.{name}: {text!r} is not a number, a [from-to] range or a list of them."
            )
        first, start, end = match.groups()
        numbers = [int(first)] if first is not None else [int(start), int(end)]
        if any(not low <= n <= high for n in numbers) or (first is None and numbers[0] > numbers[1]):
            raise controls_problem(f"schedule.{name}: {text!r} is outside {low}..{high}.")
        if name == "dayOfWeek":
            numbers = [n % 7 for n in numbers]  # cron: 0 = Sunday
            if len(numbers) == 2 and numbers[0] > numbers[1]:  # [1-7] = Monday..Sunday
                parts.extend([f"{numbers[0]}-6", "0"])
                continue
        parts.append(str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[1]}")
    return ",".join(parts)


def cron_of(schedule: Mapping[str, Any]) -> str:
    """The schedule as a croniter expression with seconds (`minute hour day month weekday second`). A field
    left out matches any value, except the fields finer than the finest one given, which match their first
    value: `{"hour": "1", "minute": "5"}` runs at 01:05:00 every day, `{"dayOfWeek": "1"}` at 00:00:00 every
    Monday (EPCIS 1.2 §8.2.5.3 names what each field matches; "run once at that moment" is the reading every
    implementation takes for a partly given schedule)."""
    unknown = set(schedule) - set(SCHEDULE_FIELDS)
    if unknown:
        raise controls_problem(f"schedule: unknown field(s) {', '.join(sorted(unknown))}.")
    given = [name for name in SCHEDULE_FIELDS if schedule.get(name) not in (None, "")]
    if not given:
        raise controls_problem("schedule: give at least one of " + ", ".join(SCHEDULE_FIELDS) + ".")
    finest = min(SCHEDULE_FIELDS.index(name) for name in given)
    fields: dict[str, str] = {}
    for index, name in enumerate(SCHEDULE_FIELDS):
        if name in given:
            fields[name] = _cron_field(name, schedule[name])
        elif index < finest and name in ("second", "minute", "hour"):
            fields[name] = "0"
        else:
            fields[name] = "*"
    return " ".join(fields[name] for name in ("minute", "hour", "dayOfMonth", "month", "dayOfWeek", "second"))


def next_run(schedule: Mapping[str, Any], after: dt.datetime) -> dt.datetime:
    """The first moment after `after` the schedule matches, in Viet Nam time (aware)."""
    start = after.astimezone(clock.VIETNAM)
    return croniter(cron_of(schedule), start).get_next(dt.datetime)


def _bool(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise controls_problem(f"{name} must be true or false.")
    return value


def parse_request(body: Mapping[str, Any]) -> SubscriptionRequest:
    """A subscription request (the OpenAPI's QueryScheduleSubscription or QueryStreamSubscription); raises
    Problem (SubscriptionControlsException) naming what is wrong."""
    if not isinstance(body, Mapping):
        raise controls_problem("The body must be a JSON object with dest and either stream or schedule.")
    known = {"dest", "signatureToken", "stream", "schedule", "reportIfEmpty", "initialRecordTime"}
    unknown = set(body) - known
    if unknown:
        raise controls_problem(f"Unknown member(s): {', '.join(sorted(unknown))}.")
    dest = body.get("dest")
    if not isinstance(dest, str) or not dest:
        raise controls_problem("dest (the webhook URL events are sent to) is required.")
    parts = urlsplit(dest)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise controls_problem("dest must be an absolute https URL.")
    if (
        parts.scheme == "http"
        and settings.current().is_production
        and not settings.current().webhook_allow_private
    ):
        raise controls_problem("dest must use https: events and their signature travel in the body.")
    if parts.username or parts.password:
        raise controls_problem("dest must not carry credentials; use signatureToken to authenticate us.")
    token = body.get("signatureToken")
    if token is not None and (not isinstance(token, str) or not 1 <= len(token) <= 255):
        raise controls_problem("signatureToken must be a string of 1 to 255 characters.")
    stream = _bool(body, "stream")
    schedule = body.get("schedule")
    if stream and schedule is not None:
        raise controls_problem("Give either stream: true or a schedule, not both.")
    if not stream and schedule is None:
        raise controls_problem(
            "Give stream: true (every new matching event) or a schedule (when to run the query)."
        )
    if schedule is not None:
        if not isinstance(schedule, Mapping):
            raise controls_problem(
                "schedule must be an object (second, minute, hour, dayOfMonth, month, dayOfWeek)."
            )
        schedule = {k: str(v) for k, v in schedule.items() if v not in (None, "")}
        cron_of(schedule)  # checks it
    initial = body.get("initialRecordTime")
    initial_time = None
    if initial is not None:
        try:
            initial_time = dt.datetime.fromisoformat(str(initial).replace("Z", "+00:00"))
        except ValueError:
            raise controls_problem("initialRecordTime must be an RFC 3339 date-time.") from None
        if initial_time.tzinfo is None:
            raise controls_problem("initialRecordTime needs a time zone offset.")
    return SubscriptionRequest(
        dest=dest,
        signature_token=token,
        stream=stream,
        schedule=dict(schedule) if schedule is not None else None,
        report_if_empty=_bool(body, "reportIfEmpty"),
        initial_record_time=initial_time,
    )


# -- where a webhook may go ------------------------------------------------------------------------------------


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_destination(dest: str) -> None:
    """Refuse a destination that resolves to a private, loopback, link-local or reserved address (unless
    OCOP_WEBHOOK_ALLOW_PRIVATE): the server would otherwise POST into its own network for anyone who can
    subscribe. Resolved in a thread (getaddrinfo blocks). Raises SendFailed."""
    if settings.current().webhook_allow_private:
        return
    host = urlsplit(dest).hostname or ""
    port = urlsplit(dest).port or (443 if dest.startswith("https") else 80)
    try:
        infos = await asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise SendFailed(f"{host} does not resolve: {exc}") from None
    for info in infos:
        if _private(str(info[4][0])):
            raise SendFailed(
                f"{host} resolves to a private address ({info[4][0]}); webhooks go to public hosts"
            )


# -- subscribing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A subscription as the OpenAPI answers it (the secret never shown)."""

    subscription_id: str
    query_name: str
    dest: str
    stream: bool
    schedule: dict[str, str] | None
    report_if_empty: bool
    created_at: dt.datetime
    initial_record_time: dt.datetime
    min_record_time: dt.datetime
    last_notified_at: dt.datetime | None
    pending: int = 0
    dead: int = 0

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "subscriptionID": self.subscription_id,
            "dest": self.dest,
            "createdAt": epcis.timestamp(self.created_at),
            "initialRecordTime": epcis.timestamp(self.initial_record_time),
            "minRecordTime": epcis.timestamp(self.min_record_time),
            "reportIfEmpty": self.report_if_empty,
            "pendingDeliveries": self.pending,
            "deadLetters": self.dead,
        }
        if self.stream:
            out["stream"] = True
        else:
            out["schedule"] = dict(self.schedule or {})
        if self.last_notified_at is not None:
            out["lastNotifiedAt"] = epcis.timestamp(self.last_notified_at)
        return out


async def _query_row(actor: Actor, name: str) -> NamedQuery:
    if not actor.is_authenticated or actor.user_id is None:
        raise unauthenticated_problem()
    row = await NamedQuery.get_or_none(owner_id=actor.user_id, name=name)
    if row is None:
        raise no_such_name("query", name)
    return row


async def _view(row: QuerySubscription, query_name: str) -> SubscriptionView:
    counts = {
        status: await SubscriptionDelivery.filter(subscription_id=row.id, status=status).count()
        for status in (DeliveryStatus.PENDING, DeliveryStatus.DEAD)
    }
    return SubscriptionView(
        subscription_id=row.subscription_id,
        query_name=query_name,
        dest=row.dest,
        stream=row.stream,
        schedule=row.schedule,
        report_if_empty=row.report_if_empty,
        created_at=row.created_at,
        initial_record_time=row.initial_record_time,
        min_record_time=row.min_record_time,
        last_notified_at=row.last_notified_at,
        pending=counts[DeliveryStatus.PENDING],
        dead=counts[DeliveryStatus.DEAD],
    )


async def subscribe(actor: Actor, name: str, body: Mapping[str, Any]) -> SubscriptionView:
    """Subscribe a webhook to the actor's named query; raises Problem."""
    query = await _query_row(actor, name)
    request = parse_request(body)
    try:
        await check_destination(request.dest)
    except SendFailed as exc:
        raise controls_problem(f"dest: {exc}.") from None
    if await QuerySubscription.filter(query_id=query.id).count() >= MAX_SUBSCRIPTIONS_PER_QUERY:
        raise controls_problem(f"A query has at most {MAX_SUBSCRIPTIONS_PER_QUERY} subscriptions.")
    now = _now()
    initial = request.initial_record_time or now
    row = await QuerySubscription.create(
        subscription_id=str(uuid.uuid4()),
        query_id=query.id,
        owner_id=query.owner_id,
        dest=request.dest,
        signature_token=request.signature_token,
        stream=request.stream,
        schedule=request.schedule,
        report_if_empty=request.report_if_empty,
        initial_record_time=initial,
        min_record_time=initial,
        next_run_at=next_run(request.schedule, now) if request.schedule is not None else None,
    )
    log.info("epcis subscription created", subscription=row.subscription_id, query=name, stream=row.stream)
    return await _view(row, name)


async def subscriptions(actor: Actor, name: str) -> list[SubscriptionView]:
    query = await _query_row(actor, name)
    rows = await QuerySubscription.filter(query_id=query.id).order_by("id")
    return [await _view(row, name) for row in rows]


async def _subscription_row(actor: Actor, name: str, subscription_id: str) -> QuerySubscription:
    query = await _query_row(actor, name)
    row = await QuerySubscription.get_or_none(query_id=query.id, subscription_id=subscription_id)
    if row is None:
        raise no_such_name("subscription", subscription_id)
    return row


async def subscription(actor: Actor, name: str, subscription_id: str) -> SubscriptionView:
    return await _view(await _subscription_row(actor, name, subscription_id), name)


async def unsubscribe(actor: Actor, name: str, subscription_id: str) -> None:
    row = await _subscription_row(actor, name, subscription_id)
    await row.delete()  # its deliveries go with it
    log.info("epcis subscription deleted", subscription=subscription_id, query=name)


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: int
    status: str
    event_count: int
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None

    def json(self) -> dict[str, Any]:
        return {
            "deliveryID": self.id,
            "status": self.status,
            "eventCount": self.event_count,
            "attempts": self.attempts,
            "lastStatus": self.last_status,
            "lastError": self.last_error,
            "createdAt": epcis.timestamp(self.created_at),
            "nextAttemptAt": epcis.timestamp(self.next_attempt_at) if self.next_attempt_at else None,
        }


def _delivery_view(row: SubscriptionDelivery) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        status=row.status.value,
        event_count=len(row.event_ids),
        attempts=row.attempts,
        last_status=row.last_status,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if row.status == DeliveryStatus.PENDING else None,
    )


async def dead_letters(actor: Actor, name: str, subscription_id: str) -> list[DeliveryView]:
    """The deliveries that never got through (newest first, at most 100)."""
    row = await _subscription_row(actor, name, subscription_id)
    dead = (
        await SubscriptionDelivery.filter(subscription_id=row.id, status=DeliveryStatus.DEAD)
        .order_by("-id")
        .limit(100)
    )
    return [_delivery_view(d) for d in dead]


async def redeliver(actor: Actor, name: str, subscription_id: str, delivery_id: int) -> DeliveryView:
    """Send a dead letter again (at once, with a fresh series of retries)."""
    row = await _subscription_row(actor, name, subscription_id)
    updated = await SubscriptionDelivery.filter(
        id=delivery_id, subscription_id=row.id, status=DeliveryStatus.DEAD
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=_now(), locked_until=None)
    if not updated:
        raise no_such_name("dead letter", str(delivery_id))
    return _delivery_view(await SubscriptionDelivery.get(id=delivery_id))


# -- what to send --------------------------------------------------------------------------------------------


async def _owner_reach(user_id: int) -> Any:
    actor = await auth.actor_of_user(user_id)
    return None if actor is None else await reach_of(actor)


async def _matching_ids(
    owner_id: int,
    query: NamedQuery,
    base_url: str,
    *,
    ids: Sequence[int] | None = None,
    after_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[int] | None:
    """The ids of the events the named query matches, as its owner sees them now, among `ids` / after
    `after_id` / recorded in [since, until) (None: the owner is gone or deactivated, nothing is sent). The
    record-time window goes through the query's own GE_/LT_recordTime, which compares instants on both
    databases."""
    reach = await _owner_reach(owner_id)
    if reach is None:
        return None
    params = epcis_named_queries.parameters(query.query)
    params = [(k, v) for k, v in params if k not in ("GE_recordTime", "LT_recordTime")]
    window = [("GE_recordTime", since), ("LT_recordTime", until)]
    params += [(name, epcis.timestamp(moment)) for name, moment in window if moment is not None]
    events = await epcis_query.matching(epcis_query_params.parse(params), reach, base_url)
    if ids is not None:
        events = events.filter(id__in=list(ids))
    if after_id is not None:
        events = events.filter(id__gt=after_id)
    rows = await events.order_by("id").values("id")
    return [int(row["id"]) for row in rows]


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i : i + EVENTS_PER_DELIVERY]) for i in range(0, len(ids), EVENTS_PER_DELIVERY)]


async def match_stream(base_url: str, *, limit: int = 500) -> int:
    """Match pending events against every stream subscription; returns how many events were matched."""
    pending = await StreamPending.all().order_by("id").limit(limit)
    if not pending:
        return 0
    ids = [p.event_id for p in pending]
    subs = await QuerySubscription.filter(stream=True).order_by("id")
    now = _now()
    try:
        async with in_transaction() as conn:
            # Whoever deletes the pending rows matches them: two dispatchers never both do (the second's
            # DELETE waits for the first's transaction, then finds fewer rows and gives up, rolling back).
            taken = await StreamPending.filter(id__in=[p.id for p in pending]).using_db(conn).delete()
            if taken != len(pending):
                raise _Taken
            await _deliveries_for(subs, ids, base_url, now, conn)
    except _Taken:
        return 0
    return len(ids)


class _Taken(Exception):
    """Another dispatcher matched (some of) these pending events first."""


async def _deliveries_for(
    subs: Sequence[QuerySubscription],
    ids: list[int],
    base_url: str,
    now: dt.datetime,
    conn: BaseDBAsyncClient,
) -> None:
    for sub in subs:
        query = await NamedQuery.get_or_none(id=sub.query_id)
        if query is None:
            continue
        matched = await _matching_ids(sub.owner_id, query, base_url, ids=ids, since=sub.initial_record_time)
        for chunk in _chunks(matched or []):
            await SubscriptionDelivery.create(
                subscription_id=sub.id, event_ids=chunk, next_attempt_at=now, using_db=conn
            )


async def run_schedules(base_url: str, now: dt.datetime | None = None) -> int:
    """Run the scheduled subscriptions whose time has come; returns how many ran."""
    now = now or _now()
    ran = 0
    for sub in await QuerySubscription.filter(stream=False, next_run_at__lte=now).order_by("next_run_at"):
        assert sub.schedule is not None
        assert sub.next_run_at is not None
        following = next_run(sub.schedule, now)
        # Claimed by moving its next run: a concurrent dispatcher's update then matches no row.
        claimed = await QuerySubscription.filter(id=sub.id, next_run_at=sub.next_run_at).update(
            next_run_at=following, min_record_time=now
        )
        if not claimed:
            continue
        query = await NamedQuery.get_or_none(id=sub.query_id)
        if query is None:
            continue
        matched = await _matching_ids(sub.owner_id, query, base_url, since=sub.min_record_time, until=now)
        if matched is None:
            continue
        chunks = _chunks(matched) or ([[]] if sub.report_if_empty else [])
        for chunk in chunks:
            await SubscriptionDelivery.create(subscription_id=sub.id, event_ids=chunk, next_attempt_at=now)
        ran += 1
    return ran


def signature(token: str, body: bytes) -> str:
    """The `GS1-Signature` header: `sha256=` and the hex HMAC-SHA256 of the body under the subscriber's token."""
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


async def document_of(
    delivery: SubscriptionDelivery, sub: QuerySubscription, base_url: str, *, query: NamedQuery | None = None
) -> bytes | None:
    """The EPCISQueryDocument a delivery sends (None: the owner can no longer see anything)."""
    query = query or await NamedQuery.get_or_none(id=sub.query_id)
    reach = await _owner_reach(sub.owner_id)
    if query is None or reach is None:
        return None
    rows = await TraceEvent.filter(id__in=delivery.event_ids).order_by("id") if delivery.event_ids else []
    jsons = await trace.event_jsons(list(rows), base_url, reach)
    name, subscription_id = query.name, sub.subscription_id

    def serialised() -> bytes:
        document = epcis.query_document(jsons, name, creation_date=_now())
        if subscription_id:
            document["epcisBody"]["queryResults"]["subscriptionID"] = subscription_id
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    # Up to 100 events, each possibly with 1,000 sensor reports: built and serialised off the event loop.
    return await asyncio.to_thread(serialised)


async def _claim(worker: str, now: dt.datetime, limit: int) -> list[SubscriptionDelivery]:
    due = (
        await SubscriptionDelivery.filter(
            Q(status=DeliveryStatus.PENDING),
            Q(next_attempt_at__lte=now),
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        )
        .order_by("next_attempt_at", "id")
        .limit(limit)
    )
    claimed = []
    for row in due:
        taken = await SubscriptionDelivery.filter(
            Q(id=row.id),
            Q(status=DeliveryStatus.PENDING),
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        ).update(locked_by=worker, locked_until=now + dt.timedelta(seconds=LOCK_S))
        if taken:
            claimed.append(row)
    return claimed


async def send_due(send: Sender, base_url: str, worker: str, *, limit: int = 20) -> int:
    """Send the deliveries that are due; returns how many were attempted."""
    now = _now()
    attempted = 0
    for delivery in await _claim(worker, now, limit):
        sub = await QuerySubscription.get_or_none(id=delivery.subscription_id)
        if sub is None:
            continue
        attempted += 1
        status: int | None = None
        error: str | None = None
        try:
            body = await document_of(delivery, sub, base_url)
            if body is None:
                error = "the subscription's owner or query is gone"
            else:
                await check_destination(sub.dest)
                headers = {
                    "Content-Type": "application/json",
                    "GS1-EPCIS-Version": epcis_query.EPCIS_VERSION,
                    "GS1-CBV-Version": epcis_query.CBV_VERSION,
                    "OCOP-Delivery-Id": str(delivery.id),
                }
                if sub.signature_token:
                    headers["GS1-Signature"] = signature(sub.signature_token, body)
                status = await send(sub.dest, body, headers)
        except SendFailed as exc:
            error = str(exc)
        done = status is not None and 200 <= status < 300
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "last_status": status,
            "locked_by": None,
            "locked_until": None,
        }
        if done:
            values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": _now(), "last_error": None}
            await QuerySubscription.filter(id=sub.id).update(last_notified_at=_now())
        else:
            values["last_error"] = error or f"the subscriber answered HTTP {status}"
            if attempts > len(RETRY_DELAYS_S) or body_refused_for_good(status):
                values["status"] = DeliveryStatus.DEAD
                log.warning(
                    "epcis delivery dead",
                    delivery=delivery.id,
                    subscription=sub.subscription_id,
                    error=values["last_error"],
                )
            else:
                values["next_attempt_at"] = _now() + dt.timedelta(seconds=RETRY_DELAYS_S[attempts - 1])
        await SubscriptionDelivery.filter(id=delivery.id, locked_by=worker).update(**values)
    return attempted


def body_refused_for_good(status: int | None) -> bool:
    """A 4xx that retrying cannot fix (the subscriber rejects this body or this sender): 400, 401, 403, 404, 410,
    413, 415, 422. 408 and 429 are retried, as are 5xx and network failures."""
    return status in (400, 401, 403, 404, 410, 413, 415, 422)


# -- the dispatcher ------------------------------------------------------------------------------------------


class Dispatcher:
    """Matches stream events, runs schedules and sends deliveries until cancelled: a task of `server.py
    worker` and of the embedded web process. Several may run on one PostgreSQL."""

    def __init__(self, send: Sender, base_url: str, name: str, *, poll_s: float = 1.0) -> None:
        self.send = send
        self.base_url = base_url
        self.name = name
        self.poll_s = poll_s

    async def step(self) -> int:
        """One round; returns how much it did (0: nothing was due)."""
        done = await match_stream(self.base_url)
        done += await run_schedules(self.base_url)
        done += await send_due(self.send, self.base_url, self.name)
        return done

    async def run(self) -> None:
        log.info("epcis subscription dispatcher started", dispatcher=self.name)
        while True:
            try:
                if await self.step() == 0:
                    await asyncio.sleep(self.poll_s)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database went away: keep trying
                log.exception("epcis subscription dispatcher error", dispatcher=self.name)
                await asyncio.sleep(self.poll_s * 5)

    async def drain(self, rounds: int = 10) -> None:
        """Run rounds until nothing is due (tests)."""
        for _ in range(rounds):
            if await self.step() == 0:
                return


# -- WebSocket subscriptions -----------------------------------------------------------------------------------


WEBSOCKET_POLL_S = 1.0
MAX_WEBSOCKETS_PER_USER = 5
_open_websockets: dict[int, int] = {}


def websocket_request(params: Mapping[str, str]) -> SubscriptionRequest:
    """The subscription a WebSocket handshake asks for (`?stream=true`, or schedule fields and
    `reportIfEmpty` as query parameters, GS1-Query-* in the OpenAPI); raises Problem."""
    schedule = {name: params[name] for name in SCHEDULE_FIELDS if params.get(name)}
    body: dict[str, Any] = {"dest": "https://websocket.invalid/"}
    if params.get("stream", "").lower() == "true":
        body["stream"] = True
    if schedule:
        body["schedule"] = schedule
    for name in ("reportIfEmpty", "initialRecordTime"):
        if params.get(name):
            body[name] = params[name]
    return parse_request(body)


async def websocket_feed(
    actor: Actor, name: str, request: SubscriptionRequest, base_url: str, *, poll_s: float = WEBSOCKET_POLL_S
) -> Any:
    """The EPCISQueryDocuments (as JSON text) a WebSocket subscriber receives, as an async iterator: for a
    stream, each batch of newly recorded events the query matches; for a schedule, at each matching moment,
    the events recorded since the last one. The same authorization as the query (its owner, and what the
    owner may see). A WebSocket lives as long as its connection: what happened while it was closed is not
    replayed (subscribe a webhook for that). Raises Problem before the first document."""
    query = await _query_row(actor, name)
    user_id = query.owner_id
    if _open_websockets.get(user_id, 0) >= MAX_WEBSOCKETS_PER_USER:
        raise controls_problem(f"At most {MAX_WEBSOCKETS_PER_USER} WebSocket subscriptions per user at once.")
    return _feed(query, request, base_url, poll_s)


async def _newest_event_id() -> int:
    newest = await TraceEvent.all().order_by("-id").first()
    return newest.id if newest is not None else 0


async def _feed(query: NamedQuery, request: SubscriptionRequest, base_url: str, poll_s: float) -> Any:
    user_id = query.owner_id
    _open_websockets[user_id] = _open_websockets.get(user_id, 0) + 1
    try:
        since = request.initial_record_time or _now()
        last_id = 0
        if request.initial_record_time is None:
            last_id = await _newest_event_id()
        sub = QuerySubscription(owner_id=user_id, query_id=query.id, initial_record_time=since)
        while True:
            if request.stream:
                await asyncio.sleep(poll_s)
                matched = await _matching_ids(user_id, query, base_url, after_id=last_id, since=since)
                if matched is None:
                    return
                last_id = max([last_id, *matched, await _newest_event_id()])
            else:
                assert request.schedule is not None
                moment = next_run(request.schedule, _now())
                await asyncio.sleep(max(0.0, (moment - _now()).total_seconds()))
                matched = await _matching_ids(user_id, query, base_url, since=since, until=moment)
                since = moment
                if matched is None:
                    return
                if not matched and not request.report_if_empty:
                    continue
            if not matched and request.stream:
                continue
            for chunk in _chunks(matched) or [[]]:
                delivery = SubscriptionDelivery(event_ids=chunk)
                body = await document_of(delivery, sub, base_url, query=query)
                if body is None:
                    return
                yield body.decode()
    finally:
        _open_websockets[user_id] -= 1
