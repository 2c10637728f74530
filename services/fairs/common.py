"""What every fairs service needs: the fair an actor manages, refusals and the messages they carry."""

from __future__ import annotations

from models import Fair, FairStatus
from services.common.errors import DomainError, FieldProblem
from services.fairs.errors import FairErrorCode
from services.policy import Reach
from services.policy import fairs as fair_policy
from services.policy import registry as registry_policy


def error(field: str, code: FairErrorCode, message: str, message_en: str) -> DomainError:
    return DomainError([FieldProblem(field, code, message, message_en)])


def deny(reach: Reach, field: str = "") -> DomainError:
    """UNAUTHENTICATED for the public, FORBIDDEN otherwise; the message names nothing."""
    return registry_policy.deny(reach, field)


def not_found(field: str, what: str, what_en: str) -> DomainError:
    return error(field, FairErrorCode.NOT_FOUND, f"Không tìm thấy {what}.", f"No such {what_en}.")


def require_authenticated(reach: Reach) -> None:
    if not reach.actor.is_authenticated and not reach.everything:
        raise deny(reach)


def refuse_unreachable(reach: Reach, field: str, what: str, what_en: str) -> DomainError:
    """The same answer for a missing and an unreachable object, so that a guessed ID reveals nothing;
    central admins, who reach everything, are told it does not exist."""
    return not_found(field, what, what_en) if reach.everything else deny(reach, field)


async def managed_fair(fair_id: int, reach: Reach, field: str = "fairId") -> Fair:
    """The fair, if the actor organises it (or is a central admin)."""
    require_authenticated(reach)
    fair = await Fair.get_or_none(id=fair_id)
    if fair is None or not fair_policy.may_manage_fair(reach, fair):
        raise refuse_unreachable(reach, field, "hội chợ", "fair")
    return fair


def require_not_closed(fair: Fair, field: str = "fairId") -> None:
    if FairStatus(fair.status) == FairStatus.CLOSED:
        raise error(
            field,
            FairErrorCode.NOT_ALLOWED,
            "Hội chợ đã kết thúc, không thể thay đổi.",
            "The fair is closed and can no longer be changed.",
        )
