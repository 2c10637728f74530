"""Root query fields of accounts: `me`, your tokens, the audit log."""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry

from schema.accounts.filters import AUDIT_FILTER, AuditLogFilter
from schema.accounts.types import ApiTokenType, AuditEntryType, AuditLogConnection, UserType
from schema.context import Info
from schema.pagination import After, Before, Connection, First, Last, Page, fetch_page
from schema.response_cache import per_caller
from services.accounts import audit
from services.policy import registry as policy


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in user, or null for the public.", metadata=per_caller)
    async def me(self, info: Info) -> UserType | None:
        if info.context.actor.user_id is None:
            return None
        user = await audit.user_of(info.context.actor.user_id)
        return UserType.from_model(user) if user else None

    @strawberry.field(
        description="Your own tokens (sessions and API tokens), newest first; empty for the public.",
        metadata=per_caller,
    )
    async def api_tokens(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ApiTokenType]:
        user_id = info.context.actor.user_id
        query = audit.tokens_query(0 if user_id is None else user_id)
        page: Page[Any] = await fetch_page(query, audit.TOKEN_ORDER, first, after, last, before)
        return Connection[ApiTokenType].of(page, [ApiTokenType.from_model(t) for t in page.rows], query)

    @strawberry.field(description="Mutations by authenticated users, newest first. Central admins only.")
    async def audit_log(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[AuditLogFilter | None, strawberry.argument(description="Which entries.")] = None,
    ) -> AuditLogConnection:
        if not policy.may_read_audit(info.context.reach):
            raise policy.deny(info.context.reach)
        query = audit.audit_query(AUDIT_FILTER(filter or AuditLogFilter()))
        page: Page[Any] = await fetch_page(query, ("-at", "-id"), first, after, last, before)
        emails = await audit.emails_of(e.user_id for e in page.rows)
        nodes = [AuditEntryType.from_model(e, emails.get(e.user_id)) for e in page.rows]
        return cast(AuditLogConnection, AuditLogConnection.of(page, nodes, query))
