"""Who may do what with fairs. Central admins manage every fair; a fair organiser manages the fairs whose
slug is its membership's scope (`Membership.fair_scope`). The public sees fairs once they accept
applications or are published (and closed ones); drafts only their organisers. Producers (their members)
apply to fairs that accept applications and withdraw their own applications."""

from __future__ import annotations

from tortoise.expressions import Q

from models import Fair, FairStatus, Producer, Role
from services.policy import Reach
from services.policy import registry as registry_policy

PUBLIC_STATUSES = frozenset({FairStatus.ACCEPTING, FairStatus.PUBLISHED, FairStatus.CLOSED})


def organised_slugs(reach: Reach) -> frozenset[str]:
    return frozenset(
        g.fair_scope for g in reach.actor.grants if g.role == Role.FAIR_ORGANISER and g.fair_scope is not None
    )


def may_manage_fair(reach: Reach, fair: Fair) -> bool:
    return reach.everything or fair.slug in organised_slugs(reach)


def may_create_fair(reach: Reach, slug: str) -> bool:
    """Central admins, and an organiser for the slug of its own scope (its membership names the fair)."""
    return reach.everything or slug in organised_slugs(reach)


def sees_fair(reach: Reach, fair: Fair) -> bool:
    return FairStatus(fair.status) in PUBLIC_STATUSES or may_manage_fair(reach, fair)


def sees_exhibitors(reach: Reach, fair: Fair) -> bool:
    """Exhibitors, booths taken and the catalog are public once the fair is published."""
    return FairStatus(fair.status) in (FairStatus.PUBLISHED, FairStatus.CLOSED) or may_manage_fair(
        reach, fair
    )


def fair_visibility(reach: Reach) -> Q | None:
    """Filter on the fairs an actor may list; None when it sees all."""
    if reach.everything:
        return None
    public = Q(status__in=sorted(PUBLIC_STATUSES))
    slugs = organised_slugs(reach)
    return public | Q(slug__in=sorted(slugs)) if slugs else public


def may_apply_for(reach: Reach, producer: Producer) -> bool:
    """Applying and withdrawing are acts of the producer: its members, and those who manage it in the
    registry (its province's officers, central admins)."""
    return registry_policy.may_manage_producer(reach, producer)


def sees_application(reach: Reach, fair: Fair, producer: Producer, *, approved: bool) -> bool:
    """The fair's organisers see every application, a producer's managers its own; anyone sees an
    approved one (an exhibitor) once exhibitors are public."""
    return (
        may_manage_fair(reach, fair)
        or registry_policy.may_manage_producer(reach, producer)
        or (approved and sees_exhibitors(reach, fair))
    )
