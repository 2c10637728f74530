"""Who may do what with lots. Producer members and the producer's province officers manage a producer's
lots (create, record events, declare errors); recalls are for the province's officers and central admins.
Everyone reads published lots of published products; those who manage a producer also its others.

Locations: a producer's own (its farm, facility, warehouse) are created and used by those who manage the
producer; shared ones (no producer: a market, a fair booth) by officers of their commune's province and
central admins, and anyone may see and use them. A location shows on the events of a visible lot. Partners'
places (external locations, named on events by their SGLN or GLN Digital Link) are listed and used by ID by central
admins only: which partners a producer works with is its business; others name them by their identifier."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from models import AdminUnit, Batch, Location, Producer, Product
from services.policy import Reach
from services.policy.registry import managed_producers, may_manage_producer, sees_product


def may_recall(reach: Reach, producer: Producer) -> bool:
    return reach.covers_place(producer.province_id, producer.commune_id)


def sees_batch(reach: Reach, batch: Batch, product: Product, producer: Producer) -> bool:
    if may_manage_producer(reach, producer):
        return True
    return bool(batch.is_published) and sees_product(reach, product, producer)


def batch_visibility(reach: Reach) -> Q | None:
    """Filter on lots an actor may list; None when it sees all."""
    if reach.everything:
        return None
    public = Q(is_published=True, product__is_published=True)
    managed = managed_producers(reach, "product__producer__")
    return public if managed is None else Q(public, managed, join_type="OR")


def may_create_location(reach: Reach, producer: Producer | None, commune: AdminUnit | None) -> bool:
    """A producer's location: those who manage the producer (a member only for its own producer). A shared
    location: central admins, and officers of the province of its commune."""
    if producer is not None:
        return may_manage_producer(reach, producer)
    if reach.everything:
        return True
    return commune is not None and reach.covers_place(commune.province_id, commune.id)


def may_create_shared_locations(reach: Reach) -> bool:
    """Whether the actor could create a shared location anywhere (checked before looking at the input)."""
    return reach.everything or bool(reach.province_ids or reach.commune_ids)


def sees_location(reach: Reach, location: Location, producer: Producer | None) -> bool:
    """Listing, reading by ID, and naming as an event's read point or business location."""
    if location.identifier is not None:
        return reach.everything
    if location.producer_id is None:
        return True
    return producer is not None and may_manage_producer(reach, producer)


def location_visibility(reach: Reach) -> Q | None:
    """Filter on locations an actor may list; None when it sees all."""
    if reach.everything:
        return None
    shared = Q(producer_id__isnull=True, identifier__isnull=True)
    managed = managed_producers(reach, "")
    if managed is None:
        return shared
    return Q(shared, Q(producer_id__in=Subquery(Producer.filter(managed).values("id"))), join_type="OR")
