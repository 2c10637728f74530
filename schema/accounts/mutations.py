"""Mutations of accounts: login, logout, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from schema.accounts.inputs import ApiTokenCreateInput, ApiTokenRevokeInput, LoginInput
from schema.accounts.types import ApiTokenType, UserType
from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import ERRORS, INPUT, AccountError
from schema.ids import decode_id
from services.accounts import auth as accounts
from services.common import clock
from services.policy import registry as policy


@strawberry.type(description="The result of signing in.")
class LoginPayload:
    token: str | None = strawberry.field(
        description="Send as `Authorization: Bearer <token>`. Null when `errors` is not empty."
    )
    expires_at: dt.datetime | None = strawberry.field(
        description="When the token stops working. Null when `errors` is not empty."
    )
    user: UserType | None = strawberry.field(
        description="The signed-in user. Null when `errors` is not empty."
    )
    errors: list[AccountError] = strawberry.field(description=ERRORS)
    audit_user_id: strawberry.Private[int | None] = None


@strawberry.type(description="The result of signing out.")
class LogoutPayload:
    ok: bool = strawberry.field(default=False, description="True when the token was revoked.")
    errors: list[AccountError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The new API token.")
class ApiTokenCreatePayload:
    token: str | None = strawberry.field(
        description="The secret: shown only in this response. Null when `errors` is not empty."
    )
    api_token: ApiTokenType | None = strawberry.field(
        description="The token's record (without its secret). Null when `errors` is not empty."
    )
    errors: list[AccountError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The revoked token.")
class ApiTokenRevokePayload:
    api_token: ApiTokenType | None = strawberry.field(
        description="The token, now revoked. Null when `errors` is not empty."
    )
    errors: list[AccountError] = strawberry.field(description=ERRORS)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="Sign in: a session token valid 12 hours. Repeated failures for an account or an address "
        "are refused for 15 minutes.",
        extensions=[Refusals(), Audit()],
    )
    async def login(
        self, info: Info, input: Annotated[LoginInput, strawberry.argument(description=INPUT)]
    ) -> LoginPayload:
        token, user = await accounts.login(input.email, input.password, info.context.client_address)
        return LoginPayload(
            token=token,
            expires_at=clock.vietnam_now() + accounts.SESSION_LIFETIME,  # +07:00, as every time we show
            user=UserType.from_model(user),
            errors=[],
            audit_user_id=user.id,
        )

    @strawberry.mutation(
        description="Sign out: revokes the token this request was sent with.",
        extensions=[Refusals(), Audit()],
    )
    async def logout(self, info: Info) -> LogoutPayload:
        await accounts.logout(info.context.actor)
        return LogoutPayload(ok=True, errors=[])

    @strawberry.mutation(
        description="A token for scripts and partner systems, acting with your memberships.",
        extensions=[Refusals(), Audit()],
    )
    async def create_api_token(
        self, info: Info, input: Annotated[ApiTokenCreateInput, strawberry.argument(description=INPUT)]
    ) -> ApiTokenCreatePayload:
        token, row = await accounts.create_api_token(info.context.actor, input.name, input.expires_in_days)
        return ApiTokenCreatePayload(token=token, api_token=ApiTokenType.from_model(row), errors=[])

    @strawberry.mutation(description="Revoke one of your tokens.", extensions=[Refusals(), Audit()])
    async def revoke_api_token(
        self, info: Info, input: Annotated[ApiTokenRevokeInput, strawberry.argument(description=INPUT)]
    ) -> ApiTokenRevokePayload:
        token_id = decode_id(input.id, "ApiToken", "id")
        if not info.context.actor.is_authenticated:
            raise policy.deny(info.context.reach)
        row = await accounts.revoke_token(info.context.actor, token_id)
        return ApiTokenRevokePayload(api_token=ApiTokenType.from_model(row), errors=[])
