"""EPCIS 2.0 query subscriptions (`/epcis/queries/{name}/subscriptions` of GS1's REST OpenAPI): a partner's
webhook that receives the events of one of its named queries, on a schedule or as they are captured, and
the deliveries made to it (retried with backoff; the ones that never got through are its dead letters).

WebSocket subscriptions live as long as their connection and are not stored."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.accounts import User
from models.trace import NamedQuery, TraceEvent


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # to send (again) at next_attempt_at
    DELIVERED = "delivered"  # the subscriber answered 2xx
    DEAD = "dead"  # given up after the last retry, or the subscriber refused it for good: a dead letter


class QuerySubscription(Model):
    """A webhook subscription to a named query. `stream`: every newly captured event the query matches.
    Else `schedule` (the OpenAPI's second/minute/hour/dayOfMonth/month/dayOfWeek, as given) runs the query
    over the events recorded since the last run (`min_record_time`). The events are those the owner may see
    when they are sent. `signature_token` is the subscriber's secret for the `GS1-Signature` HMAC: never shown
    back."""

    id = fields.IntField(primary_key=True)
    subscription_id = fields.CharField(max_length=36, unique=True)  # a UUID: the OpenAPI's subscriptionID
    query: fields.ForeignKeyRelation[NamedQuery] = fields.ForeignKeyField(
        "models.NamedQuery", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    query_id: int
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    owner_id: int
    dest = fields.CharField(max_length=2000)
    signature_token = fields.CharField(max_length=255, null=True)
    stream = fields.BooleanField(default=False, db_index=True)
    schedule: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    report_if_empty = fields.BooleanField(default=False)
    initial_record_time = fields.DatetimeField()
    min_record_time = fields.DatetimeField()  # scheduled: events recorded from here on are the next run's
    next_run_at = fields.DatetimeField(null=True, db_index=True)  # scheduled only
    created_at = fields.DatetimeField(auto_now_add=True)
    last_notified_at = fields.DatetimeField(null=True)  # the last delivery answered 2xx

    class Meta:
        table = "epcis_subscription"


class SubscriptionDelivery(Model):
    """One POST of an EPCISQueryDocument to a subscription's `dest`: the events (by id, at most
    services.trace.epcis_subscriptions.EVENTS_PER_DELIVERY) and how sending it went. The document is built
    when it is sent, from the append-only events, with what the owner may see then."""

    id = fields.IntField(primary_key=True)
    subscription: fields.ForeignKeyRelation[QuerySubscription] = fields.ForeignKeyField(
        "models.QuerySubscription", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    subscription_id: int
    event_ids: fields.Field[list[int]] = fields.JSONField(default=list)
    status = fields.CharEnumField(DeliveryStatus, max_length=9, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    locked_by = fields.CharField(max_length=100, null=True)  # the dispatcher sending it now
    locked_until = fields.DatetimeField(null=True)
    last_status = fields.IntField(null=True)  # the subscriber's last HTTP status, None when unreachable
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "epcis_delivery"


class StreamPending(Model):
    """An event recorded while a stream subscription existed, waiting to be matched against the stream
    subscriptions' queries (written in the event's own transaction, so none is missed or announced early;
    removed once matched)."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[TraceEvent] = fields.ForeignKeyField(
        "models.TraceEvent", related_name=False, on_delete=fields.CASCADE, unique=True, db_index=True
    )
    event_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "epcis_stream_pending"
