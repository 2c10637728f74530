"""GraphQL types of accounts: the signed-in user, memberships, API tokens and audit entries."""

from __future__ import annotations

import datetime as dt
from typing import Self

import strawberry
from strawberry import relay

from models import AccessToken, AuditEntry, Membership, Role, TokenKind, User
from schema.admin import AdministrativeUnit
from schema.context import Info
from schema.mapping import from_row
from schema.pagination import Connection
from services.accounts import audit

strawberry.enum(
    Role, description="A role in a scope: national, a province, a producer, a fair, or review work."
)
strawberry.enum(TokenKind, description="SESSION tokens come from login; API tokens are created for scripts.")


@strawberry.type(description="A role of a user in a scope.")
class MembershipType:
    role: Role
    producer_id: relay.GlobalID | None
    fair_scope: str | None
    province_unit_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: Membership) -> Self:
        producer_id = m.producer_id
        return from_row(
            cls,
            m,
            producer_id=relay.GlobalID("Producer", str(producer_id)) if producer_id else None,
            province_unit_id=m.province_id,
        )

    @strawberry.field
    async def province(self, info: Info) -> AdministrativeUnit | None:
        if self.province_unit_id is None:
            return None
        unit = await info.context.loaders.admin_unit.load(self.province_unit_id)
        return AdministrativeUnit.from_model(unit) if unit else None


@strawberry.type(name="User", description="An account.")
class UserType(relay.Node):
    id: relay.NodeID[int]
    email: str
    display_name: str
    is_active: bool
    last_login_at: dt.datetime | None

    @classmethod
    def from_model(cls, user: User) -> Self:
        return from_row(cls, user)

    @strawberry.field
    async def memberships(self) -> list[MembershipType]:
        return [MembershipType.from_model(m) for m in await audit.memberships_of(self.id)]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Self | None]:
        # Accounts are private: a user sees their own, a central admin anyone's.
        out: list[Self | None] = []
        for node_id in node_ids:
            user = await audit.visible_user(info.context.reach, int(node_id))
            out.append(cls.from_model(user) if user else None)
        return out


@strawberry.type(name="ApiToken", description="An access token; its secret value is shown only once.")
class ApiTokenType:
    id: relay.GlobalID
    kind: TokenKind
    name: str | None
    prefix: str = strawberry.field(description="The first characters, to tell tokens apart.")
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def from_model(cls, token: AccessToken) -> Self:
        return from_row(cls, token, id=relay.GlobalID("ApiToken", str(token.id)))


@strawberry.type(name="AuditEntry", description="One mutation by an authenticated user.")
class AuditEntryType:
    at: dt.datetime
    action: str
    object_type: str | None
    object_id: relay.GlobalID | None
    succeeded: bool
    error_codes: list[str]
    request_id: str | None
    user_email: str | None

    @classmethod
    def from_model(cls, entry: AuditEntry, email: str | None) -> Self:
        return from_row(
            cls,
            entry,
            object_id=relay.GlobalID(entry.object_type, str(entry.object_id))
            if entry.object_type and entry.object_id is not None
            else None,
            error_codes=entry.error_codes.split(",") if entry.error_codes else [],
            user_email=email,
        )


@strawberry.type(name="AuditLogConnection", description="A page of the audit log, Relay style.")
class AuditLogConnection(Connection[AuditEntryType]):
    pass
