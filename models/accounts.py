"""Accounts: users, their roles in a scope (memberships), access tokens, login attempts and the audit log."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.admin import AdminUnit
from models.registry import Producer


class Role(StrEnum):
    CENTRAL_ADMIN = "central_admin"  # national coordination office: everything
    PROVINCE_OFFICER = "province_officer"  # one province
    PRODUCER_MEMBER = "producer_member"  # one producer
    FAIR_ORGANISER = "fair_organiser"  # one fair or organising body
    CONSULTANT = "consultant"  # review work (packaging)


class TokenKind(StrEnum):
    SESSION = "session"  # from login, short-lived
    API = "api"  # for scripts and partner systems, created by a user


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)  # stored lower-case
    display_name = fields.CharField(max_length=150)
    password_hash = fields.CharField(max_length=255)
    is_active = fields.BooleanField(default=True)
    last_login_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "app_user"


class Membership(Model):
    """A role in a scope. The scope column that a role needs is required by a CHECK constraint."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE, db_index=True
    )
    user_id: int
    role = fields.CharEnumField(Role, max_length=20)
    province: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    province_id: int | None
    producer: fields.ForeignKeyNullableRelation[Producer] = fields.ForeignKeyField(
        "models.Producer", related_name="memberships", null=True, on_delete=fields.CASCADE, db_index=True
    )
    producer_id: int | None
    # The fair or organising body; a foreign key once fairs exist.
    fair_scope = fields.CharField(max_length=100, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership"
        constraints = (
            CheckConstraint(
                check="(role = 'province_officer') = (province_id IS NOT NULL) "
                "AND (role = 'producer_member') = (producer_id IS NOT NULL) "
                "AND (role = 'fair_organiser') = (fair_scope IS NOT NULL)",
                name="membership_scope",
            ),
        )


class AccessToken(Model):
    """A bearer token, stored only as a keyed hash. Session tokens come from login, API tokens are created
    by a user for scripts and act with that user's memberships."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE, db_index=True
    )
    user_id: int
    kind = fields.CharEnumField(TokenKind, max_length=10)
    name = fields.CharField(max_length=100, null=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)  # shown in lists so a user can tell tokens apart
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "access_token"


class LoginAttempt(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    address = fields.CharField(max_length=64, db_index=True)
    succeeded = fields.BooleanField()
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "login_attempt"


class AuditEntry(Model):
    """One mutation by an authenticated user: who, what, when, on which object, and whether it succeeded."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    user_id: int | None
    token_kind = fields.CharField(max_length=10, null=True)
    action = fields.CharField(max_length=100, db_index=True)  # the mutation's name
    object_type = fields.CharField(max_length=50, null=True)
    object_id = fields.IntField(null=True)
    succeeded = fields.BooleanField()
    error_codes = fields.CharField(max_length=255, null=True)
    request_id = fields.CharField(max_length=32, null=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_entry"
