"""Inputs of the account mutations."""

from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class ApiTokenCreateInput:
    name: str
    expires_in_days: int | None = strawberry.field(default=None, description="1-366, default 90.")


@strawberry.input
class ApiTokenRevokeInput:
    id: relay.GlobalID
