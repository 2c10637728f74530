"""Who may do what with lots. Producer members and the producer's province officers manage a producer's
lots (create, record events, declare errors); recalls are for the province's officers and central admins.
Everyone reads published lots of published products; those who manage a producer also its others."""

from __future__ import annotations

from tortoise.expressions import Q

from models import Batch, Producer, Product
from services.policy import Reach
from services.policy.registry import managed_producers, may_manage_producer, sees_product


def may_recall(reach: Reach, producer: Producer) -> bool:
    return reach.covers_place(producer.province_id, producer.commune_id)  # type: ignore[attr-defined]


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
