"""Filter of the audit log, and how it becomes the service's filter."""

from __future__ import annotations

import strawberry

from schema.mapping import InputMap
from services.accounts.audit import AuditFilterData


@strawberry.input
class AuditLogFilter:
    user_email: str | None = None
    action: str | None = None


AUDIT_FILTER = InputMap(AuditLogFilter, AuditFilterData)
