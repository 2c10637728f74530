"""Every mutation by an authenticated user is recorded: who, which mutation, on which object, whether it
succeeded. Attached to each mutation field as a field extension; a test fails when a mutation lacks it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.relay import Node
from strawberry.types import Info

from models import AuditEntry


def _touched(payload: Any) -> tuple[str | None, int | None]:
    """The object a payload carries (`producer`, `product`, `user`, `token`...), if any."""
    for value in vars(payload).values() if hasattr(payload, "__dict__") else ():
        if isinstance(value, Node):
            return type(value).__name__, int(value.id)  # type: ignore[attr-defined]
    return None, None


class Audit(FieldExtension):
    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        payload = await next_(source, info, **kwargs)
        context = info.context
        actor = context.actor
        user_id = actor.user_id or getattr(payload, "audit_user_id", None)
        if user_id is not None:
            errors = getattr(payload, "errors", None) or []
            object_type, object_id = _touched(payload)
            request = context.request
            await AuditEntry.create(
                user_id=user_id,
                token_kind=actor.token_kind.value if actor.token_kind else None,
                action=info.field_name,
                object_type=object_type,
                object_id=object_id,
                succeeded=not errors,
                error_codes=",".join(sorted({e.code.name for e in errors}))[:255] or None,
                request_id=getattr(getattr(request, "state", None), "request_id", None) if request else None,
            )
        return payload
