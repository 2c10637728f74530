"""Who may do what with packaging designs.

- Seeing designs (their versions, files, comments, findings and previews): the producer's members, officers
  of its province (across the 2025 reform), consultants (review work is theirs, in every province) and
  central admins. The public sees none, whatever the product's publication.
- Authoring (creating a design, adding and submitting versions): those who manage the producer in the
  registry: its members, and its province's officers and central admins acting for it.
- Commenting: everyone who sees the design (reviewers comment, producers reply).
- Requesting changes: consultants, officers of the product's province, central admins.
- Approving (and overriding error findings with a reason): officers of the product's province and central
  admins; never consultants, whose opinion is advice.
- Upload links (artwork files, attached to a version afterwards): those who could author some design.
"""

from __future__ import annotations

from tortoise.expressions import Q

from models import Producer, Role
from services.policy import Reach
from services.policy.registry import managed_producers, may_manage_producer


def is_consultant(reach: Reach) -> bool:
    return reach.actor.has(Role.CONSULTANT)


def sees_designs(reach: Reach, producer: Producer) -> bool:
    return is_consultant(reach) or may_manage_producer(reach, producer)


def may_author(reach: Reach, producer: Producer) -> bool:
    return may_manage_producer(reach, producer)


def may_comment(reach: Reach, producer: Producer) -> bool:
    return sees_designs(reach, producer)


def may_approve(reach: Reach, producer: Producer) -> bool:
    return reach.covers_place(producer.province_id, producer.commune_id)


def may_request_changes(reach: Reach, producer: Producer) -> bool:
    return is_consultant(reach) or may_approve(reach, producer)


def is_reviewer(reach: Reach, producer: Producer) -> bool:
    """Whether the actor's comments are review (they move a submitted version into review)."""
    return may_request_changes(reach, producer)


def may_upload(reach: Reach) -> bool:
    return reach.everything or bool(reach.producer_ids or reach.province_ids or reach.commune_ids)


def acting_role(reach: Reach, producer: Producer) -> Role:
    """The role in which the actor speaks on this producer's design (recorded with each comment): its own
    producer first, then the province, the central office, consultants."""
    if producer.id in reach.producer_ids:
        return Role.PRODUCER_MEMBER
    if producer.province_id in reach.province_ids or producer.commune_id in reach.commune_ids:
        return Role.PROVINCE_OFFICER
    if reach.everything:
        return Role.CENTRAL_ADMIN
    return Role.CONSULTANT


def design_visibility(reach: Reach) -> Q | None:
    """Filter on the designs (PackagingDesign) an actor may list; None when it sees all."""
    if reach.everything or is_consultant(reach):
        return None
    managed = managed_producers(reach, "product__producer__")
    return managed if managed is not None else Q(id__in=[])
