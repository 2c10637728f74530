"""Reading accounts and the audit log (schema/audit.py writes it): entries filtered by action or user, the
e-mail addresses to show beside them, and who may see which account."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from models import AccessToken, AuditEntry, Membership, TokenKind, User
from services.accounts.auth import normalize_email
from services.policy import Reach


@dataclass(frozen=True, slots=True)
class AuditFilterData:
    user_email: str | None = None
    action: str | None = None


async def record(
    user_id: int,
    token_kind: TokenKind | None,
    action: str,
    object_type: str | None,
    object_id: int | None,
    *,
    error_codes: Iterable[str],
    request_id: str | None,
) -> AuditEntry:
    """One audit entry: who (and with which kind of token) ran which mutation on which object, and whether it
    was refused (its error codes, sorted, in the column's 255 characters)."""
    codes = ",".join(sorted(set(error_codes)))[:255]
    return await AuditEntry.create(
        user_id=user_id,
        token_kind=token_kind.value if token_kind else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        succeeded=not codes,
        error_codes=codes or None,
        request_id=request_id,
    )


def audit_query(filters: AuditFilterData) -> QuerySet[AuditEntry]:
    query = AuditEntry.all()
    if filters.action:
        query = query.filter(action=filters.action)
    if filters.user_email:
        query = query.filter(user__email=normalize_email(filters.user_email))
    return query


async def emails_of(user_ids: Iterable[int | None]) -> dict[int, str]:
    rows = await User.filter(id__in={i for i in user_ids if i}).values_list("id", "email")
    return {int(user_id): str(email) for user_id, email in rows}


async def user_of(user_id: int) -> User | None:
    return await User.get_or_none(id=user_id)


async def visible_user(reach: Reach, user_id: int) -> User | None:
    """The account, when the actor may see it: accounts are private, so a user sees their own and a signed-in
    central admin anyone's; None otherwise (the same answer as for an account that does not exist)."""
    allowed = reach.actor.user_id == user_id or (reach.everything and reach.actor.is_authenticated)
    return await User.get_or_none(id=user_id) if allowed else None


async def memberships_of(user_id: int) -> list[Membership]:
    """A user's roles, in the order they were granted."""
    return await Membership.filter(user_id=user_id).order_by("id")


TOKEN_ORDER = ("-created_at", "-id")


def tokens_query(user_id: int) -> QuerySet[AccessToken]:
    """A user's tokens (sessions and API tokens), to page newest first (`TOKEN_ORDER`)."""
    return AccessToken.filter(user_id=user_id)
