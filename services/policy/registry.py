"""Who may do what in the registry. Central admins: everything. Province officers: producers, products
and evaluations of their province (across the 2025 reform). Producer members: their producer and its
products, never evaluations. Everyone else, the public included: reads of published data only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.expressions import Q

from models import Evaluation, EvaluationStatus, Producer, Product
from services.common.errors import DomainError, forbidden, unauthenticated
from services.policy import Reach

# What anyone may read of evaluations: decisions (certified, also once expired, and revoked), not drafts or
# scores awaiting the central council.
PUBLIC_EVALUATION_STATUSES = (EvaluationStatus.CERTIFIED, EvaluationStatus.REVOKED)


def deny(reach: Reach, field: str = "") -> DomainError:
    return forbidden(field) if reach.actor.is_authenticated else unauthenticated()


def may_register_producer(reach: Reach, province_id: int, commune_id: int) -> bool:
    return reach.covers_place(province_id, commune_id)


def may_manage_producer(reach: Reach, producer: Producer) -> bool:
    return reach.covers(producer.id, producer.province_id, producer.commune_id)


def may_record_evaluation(reach: Reach, producer: Producer, *, certifies_five_stars: bool) -> bool:
    """Officers of the producer's province record evaluations; only the central level certifies 5★."""
    if certifies_five_stars:
        return reach.everything
    return reach.covers_place(producer.province_id, producer.commune_id)


def sees_private_contacts(reach: Reach, producer_id: int, province_id: int, commune_id: int) -> bool:
    """Phone, e-mail and representative: for those with a role on the producer."""
    return reach.covers(producer_id, province_id, commune_id)


def sees_product(reach: Reach, product: Product, producer: Producer) -> bool:
    return bool(product.is_published) or may_manage_producer(reach, producer)


def sees_evaluation(reach: Reach, evaluation: Evaluation, producer: Producer) -> bool:
    return evaluation.status in PUBLIC_EVALUATION_STATUSES or may_manage_producer(reach, producer)


def managed_producers(reach: Reach, prefix: str) -> Q | None:
    """Filter on the producers (through `prefix`) an actor manages; None when it manages none."""
    parts = [
        Q(**{f"{prefix}{column}__in": sorted(ids)})  # type: ignore[arg-type]
        for column, ids in (
            ("id", reach.producer_ids),
            ("province_id", reach.province_ids),
            ("commune_id", reach.commune_ids),
        )
        if ids
    ]
    return Q(*parts, join_type="OR") if parts else None


@dataclass(frozen=True, slots=True)
class ProductVisibility:
    """The products an actor may list: the published ones, and every product of the producers it manages
    (by producer, or by the province and communes it administers)."""

    producer_ids: frozenset[int]
    province_ids: frozenset[int]
    commune_ids: frozenset[int]


def product_scope(reach: Reach) -> ProductVisibility | None:
    """What `reach` may list of products; None when it sees all (services/registry/listing.py's SQL and
    `product_visibility`'s filter are both made from it)."""
    if reach.everything:
        return None
    return ProductVisibility(reach.producer_ids, reach.province_ids, reach.commune_ids)


def product_visibility(reach: Reach) -> Q | None:
    """Filter on products an actor may list; None when it sees all."""
    if product_scope(reach) is None:
        return None
    managed = managed_producers(reach, "producer__")
    return Q(is_published=True) if managed is None else Q(is_published=True) | managed


def evaluation_visibility(reach: Reach) -> Q | None:
    if reach.everything:
        return None
    public = Q(status__in=PUBLIC_EVALUATION_STATUSES, product__is_published=True)
    managed = managed_producers(reach, "product__producer__")
    return public if managed is None else public | managed


def may_read_audit(reach: Reach) -> bool:
    return reach.everything and reach.actor.is_authenticated


def may_export_producer(reach: Reach, producer: Producer) -> bool:
    """A producer's own data as a zip (exportMyData): its members, and central admins (support, or a
    producer without an account) and the command line; not province officers, who manage the producer
    but are not it."""
    return reach.everything or producer.id in reach.actor.producer_ids()


def may_import_spreadsheets(reach: Reach) -> bool:
    """Registry spreadsheets are imported by central admins and province officers (each row then within
    their province); producers' members and the public may not import."""
    return reach.actor.is_authenticated and (reach.everything or bool(reach.province_ids))


def may_follow_programme(reach: Reach, province_ids: Iterable[int] | None) -> bool:
    """Who reads the expiring certificates of a scope and orders its printed programme report: a
    province's officers for their province (`province_ids`: its units in either era), central admins for
    any scope; the country and regions (None) only central admins."""
    if reach.everything:
        return True
    return province_ids is not None and any(i in reach.province_ids for i in province_ids)
