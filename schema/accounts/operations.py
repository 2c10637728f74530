"""Login, logout, API tokens, `me` and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry import relay

from models import AccessToken, AuditEntry, User
from schema.accounts.types import ApiTokenType, AuditEntryType, UserType
from schema.audit import Audit
from schema.context import Info
from schema.errors import FieldError, field_errors
from schema.ids import decode_id
from schema.pagination import Page, fetch_page, query_error
from services.accounts import auth as accounts
from services.common import clock
from services.common.errors import DomainError
from services.policy import registry as policy


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginPayload:
    token: str | None = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    expires_at: dt.datetime | None
    user: UserType | None
    errors: list[FieldError]
    audit_user_id: strawberry.Private[int | None] = None


@strawberry.type
class LogoutPayload:
    ok: bool
    errors: list[FieldError]


@strawberry.input
class ApiTokenCreateInput:
    name: str
    expires_in_days: int | None = strawberry.field(default=None, description="1-366, default 90.")


@strawberry.type
class ApiTokenCreatePayload:
    token: str | None = strawberry.field(description="The secret: shown only in this response.")
    api_token: ApiTokenType | None
    errors: list[FieldError]


@strawberry.input
class ApiTokenRevokeInput:
    id: relay.GlobalID


@strawberry.type
class ApiTokenRevokePayload:
    api_token: ApiTokenType | None
    errors: list[FieldError]


@strawberry.input
class AuditLogFilter:
    user_email: str | None = None
    action: str | None = None


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntryType


@strawberry.type
class AuditLogConnection:
    edges: list[AuditEntryEdge]
    has_next_page: bool


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in user, or null for the public.")
    async def me(self, info: Info) -> UserType | None:
        if info.context.actor.user_id is None:
            return None
        user = await User.get_or_none(id=info.context.actor.user_id)
        return UserType.from_model(user) if user else None

    @strawberry.field(description="Your own tokens (sessions and API tokens), newest first.")
    async def api_tokens(self, info: Info) -> list[ApiTokenType]:
        if info.context.actor.user_id is None:
            return []
        rows = await AccessToken.filter(user_id=info.context.actor.user_id).order_by("-created_at", "-id")
        return [ApiTokenType.from_model(t) for t in rows]

    @strawberry.field(description="Mutations by authenticated users, newest first. Central admins only.")
    async def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AuditLogFilter | None = None,
    ) -> AuditLogConnection:
        if not policy.may_read_audit(info.context.reach):
            raise query_error(policy.deny(info.context.reach), info.context.language)
        query = AuditEntry.all()
        if filter and filter.action:
            query = query.filter(action=filter.action)
        if filter and filter.user_email:
            query = query.filter(user__email=accounts.normalize_email(filter.user_email))
        try:
            page: Page[Any] = await fetch_page(query, ("-at", "-id"), first, after, None, None)
        except DomainError as exc:
            raise query_error(exc, info.context.language) from exc
        emails = dict(
            await User.filter(id__in={e.user_id for e in page.rows if e.user_id}).values_list("id", "email")
        )
        return AuditLogConnection(
            edges=[
                AuditEntryEdge(cursor=c, node=AuditEntryType.from_model(e, emails.get(e.user_id)))
                for c, e in zip(page.cursors, page.rows, strict=True)
            ],
            has_next_page=page.has_next_page,
        )


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="Sign in: a session token valid 12 hours. Repeated failures for an account or an address "
        "are refused for 15 minutes.",
        extensions=[Audit()],
    )
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        try:
            token, user = await accounts.login(input.email, input.password, info.context.client_address)
        except DomainError as exc:
            return LoginPayload(
                token=None, expires_at=None, user=None, errors=field_errors(exc, info.context.language)
            )
        return LoginPayload(
            token=token,
            expires_at=clock.now() + accounts.SESSION_LIFETIME,
            user=UserType.from_model(user),
            errors=[],
            audit_user_id=user.id,
        )

    @strawberry.mutation(
        description="Sign out: revokes the token this request was sent with.", extensions=[Audit()]
    )
    async def logout(self, info: Info) -> LogoutPayload:
        try:
            await accounts.logout(info.context.actor)
        except DomainError as exc:
            return LogoutPayload(ok=False, errors=field_errors(exc, info.context.language))
        return LogoutPayload(ok=True, errors=[])

    @strawberry.mutation(
        description="A token for scripts and partner systems, acting with your memberships.",
        extensions=[Audit()],
    )
    async def create_api_token(self, info: Info, input: ApiTokenCreateInput) -> ApiTokenCreatePayload:
        try:
            token, row = await accounts.create_api_token(
                info.context.actor, input.name, input.expires_in_days
            )
        except DomainError as exc:
            return ApiTokenCreatePayload(
                token=None, api_token=None, errors=field_errors(exc, info.context.language)
            )
        return ApiTokenCreatePayload(token=token, api_token=ApiTokenType.from_model(row), errors=[])

    @strawberry.mutation(description="Revoke one of your tokens.", extensions=[Audit()])
    async def revoke_api_token(self, info: Info, input: ApiTokenRevokeInput) -> ApiTokenRevokePayload:
        try:
            token_id = decode_id(input.id, "ApiToken", "id")
            if not info.context.actor.is_authenticated:
                raise policy.deny(info.context.reach)
            row = await accounts.revoke_token(info.context.actor, token_id)
        except DomainError as exc:
            return ApiTokenRevokePayload(api_token=None, errors=field_errors(exc, info.context.language))
        return ApiTokenRevokePayload(api_token=ApiTokenType.from_model(row), errors=[])
