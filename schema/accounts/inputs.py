"""Inputs of the account mutations."""

from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input(description="Credentials.")
class LoginInput:
    email: str = strawberry.field(description="The account's email.")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(description="A new API token.")
class ApiTokenCreateInput:
    name: str = strawberry.field(description='What it is for, e.g. "ERP sync".')
    expires_in_days: int | None = strawberry.field(default=None, description="1-366, default 90.")


@strawberry.input(description="The token to revoke.")
class ApiTokenRevokeInput:
    id: relay.GlobalID = strawberry.field(description="Global ID of one of your tokens.")
