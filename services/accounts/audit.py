"""Reading the audit log (schema/audit.py writes it): entries filtered by action or user, and the e-mail
addresses to show beside them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from models import AccessToken, AuditEntry, User
from services.accounts.auth import normalize_email


@dataclass(frozen=True, slots=True)
class AuditFilterData:
    user_email: str | None = None
    action: str | None = None


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


async def tokens_of(user_id: int) -> list[AccessToken]:
    """A user's tokens (sessions and API tokens), newest first."""
    return await AccessToken.filter(user_id=user_id).order_by("-created_at", "-id")
