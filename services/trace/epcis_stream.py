"""The one hook the event log has for EPCIS stream subscriptions (services/trace/epcis_subscriptions.py): an
event recorded while a stream subscription exists is queued for matching in the event's own transaction, so
it is matched once its transaction commits, never before, and never lost. Kept apart so that the event log
does not import the query machinery."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models.subscriptions import QuerySubscription, StreamPending


async def note_appended(event_id: int, conn: BaseDBAsyncClient) -> None:
    """Called in the transaction that records an event: queue it for the stream subscriptions, if any."""
    if await QuerySubscription.filter(stream=True).using_db(conn).exists():
        await StreamPending.create(event_id=event_id, using_db=conn)
