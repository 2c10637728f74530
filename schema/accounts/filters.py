"""Filter of the audit log, and how it becomes the service's filter."""

from __future__ import annotations

import strawberry

from schema.mapping import InputMap
from services.accounts.audit import AuditFilterData


@strawberry.input(description="Audit log filters; all given filters must match.")
class AuditLogFilter:
    user_email: str | None = strawberry.field(default=None, description="Only mutations of this user.")
    action: str | None = strawberry.field(default=None, description="Only this mutation, e.g. createProduct.")


AUDIT_FILTER = InputMap(AuditLogFilter, AuditFilterData)
