"""GraphQL types of accounts: the signed-in user, memberships, API tokens and audit entries."""

from __future__ import annotations

import datetime as dt
from typing import Self

import strawberry
from strawberry import relay

from models import AccessToken, AuditEntry, Membership, Role, TokenKind, User
from schema.admin import AdministrativeUnit
from schema.context import Info
from schema.enums import describe_enum
from schema.mapping import from_row
from schema.pagination import Connection
from services.accounts import audit

describe_enum(
    Role,
    description="A role in a scope: national, a province, a producer, a fair, or review work.",
    values={
        "CENTRAL_ADMIN": "The central coordination office: everything, everywhere; the only one to certify 5 stars.",
        "PROVINCE_OFFICER": "An OCOP officer of one province: its producers, products, evaluations and lots.",
        "PRODUCER_MEMBER": "A member of one producer: its products, lots, labels and packaging designs.",
        "FAIR_ORGANISER": "The organiser of one fair: its floor plan, applications, booths and catalog.",
        "CONSULTANT": "A packaging consultant: reviews packaging designs.",
    },
)
describe_enum(
    TokenKind,
    description="SESSION tokens come from login; API tokens are created for scripts.",
    values={
        "SESSION": "A token from login, valid 12 hours.",
        "API": "A token created with createApiToken, for scripts and partner systems.",
    },
)


@strawberry.type(description="A role of a user in a scope.")
class MembershipType:
    role: Role = strawberry.field(description="The role.")
    producer_id: relay.GlobalID | None = strawberry.field(
        description="The producer a producer member acts for. Null for roles other than PRODUCER_MEMBER."
    )
    fair_scope: str | None = strawberry.field(
        description="Slug of the fair a fair organiser organises. Null for roles other than FAIR_ORGANISER."
    )
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

    @strawberry.field(
        description="The province a province officer works for. Null for roles other than PROVINCE_OFFICER."
    )
    async def province(self, info: Info) -> AdministrativeUnit | None:
        if self.province_unit_id is None:
            return None
        unit = await info.context.loaders.admin_unit.load(self.province_unit_id)
        return AdministrativeUnit.from_model(unit) if unit else None


@strawberry.type(name="User", description="An account.")
class UserType(relay.Node):
    id: relay.NodeID[int]
    email: str = strawberry.field(description="The address the user signs in with.")
    display_name: str = strawberry.field(description="The name shown for the user.")
    is_active: bool = strawberry.field(
        description="False once the account is disabled: it can no longer sign in."
    )
    last_login_at: dt.datetime | None = strawberry.field(
        description="When the user last signed in. Null until the user first signs in."
    )

    @classmethod
    def from_model(cls, user: User) -> Self:
        return from_row(cls, user)

    @strawberry.field(description="The user's roles, each in its scope (a province, a producer, a fair).")
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
    id: relay.GlobalID = strawberry.field(description="The token's global ID (to revoke it).")
    kind: TokenKind = strawberry.field(description="A session (from login) or an API token (for scripts).")
    name: str | None = strawberry.field(
        description="What it is for, as named when created. Null when it was created without a name."
    )
    prefix: str = strawberry.field(description="The first characters, to tell tokens apart.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    expires_at: dt.datetime = strawberry.field(description="When it stops working.")
    last_used_at: dt.datetime | None = strawberry.field(
        description="When a request last used it. Null until a request uses it."
    )
    revoked_at: dt.datetime | None = strawberry.field(
        description="When it was revoked (logout or revokeApiToken); null while valid."
    )

    @classmethod
    def from_model(cls, token: AccessToken) -> Self:
        return from_row(cls, token, id=relay.GlobalID("ApiToken", str(token.id)))


@strawberry.type(name="AuditEntry", description="One mutation by an authenticated user.")
class AuditEntryType:
    at: dt.datetime = strawberry.field(description="When the mutation ran.")
    action: str = strawberry.field(description="The mutation's name, e.g. createProduct.")
    object_type: str | None = strawberry.field(
        description="Type of the object it changed, e.g. Product. Null when the action changed no single object (a sign-in, a refused request)."
    )
    object_id: relay.GlobalID | None = strawberry.field(
        description="Global ID of the object it changed. Null when the action changed no single object (a sign-in, a refused request)."
    )
    succeeded: bool = strawberry.field(description="False when the mutation was refused.")
    error_codes: list[str] = strawberry.field(description="The codes it was refused with.")
    request_id: str | None = strawberry.field(
        description="The request's ID (X-Request-ID), to find it in the logs. Null for actions outside an HTTP request (a command, a background job)."
    )
    user_email: str | None = strawberry.field(
        description="Who ran it. Null when no signed-in user ran it (an anonymous request, the system, a deleted user)."
    )

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
