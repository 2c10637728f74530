"""The two field extensions every mutation carries, outermost last: `extensions=[Refusals(), Audit()]`.

`Refusals` turns a DomainError escaping the resolver into the mutation's payload with `errors` filled and the
other fields null, so resolvers raise instead of each catching; an anonymous caller gets UNAUTHENTICATED
before the resolver runs (but for `ANONYMOUS_MUTATIONS`). `Audit` records every mutation by an
authenticated user: who, which mutation, on which object, whether it succeeded (with the error codes). A test
fails when a mutation lacks either."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, cast

from strawberry.extensions import FieldExtension
from strawberry.relay import Node
from strawberry.types import Info
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition
from strawberry.types.field import StrawberryField

from schema.errors import ERROR_CODES, domain_errors
from services.accounts import audit
from services.common.errors import DomainError, unauthenticated

# The only mutations an anonymous caller may send; every other one answers UNAUTHENTICATED before its
# resolver reads anything, a malformed ID included.
ANONYMOUS_MUTATIONS = frozenset({"login", "logout"})


def _touched(payload: Any) -> tuple[str | None, int | None]:
    """The object a payload carries (`producer`, `product`, `user`, `token`...), if any."""
    for value in vars(payload).values() if hasattr(payload, "__dict__") else ():
        if isinstance(value, Node):
            return type(value).__name__, int(value.id)  # type: ignore[attr-defined]
    return None, None


class Refusals(FieldExtension):
    """Answers a refused input with the payload type: `errors` in the request's language, every other field
    null (or its declared default, e.g. an empty list). Checked when the schema is built: the payload must
    have `errors: list[<Domain>Error]` and no other field that can be neither null nor defaulted."""

    payload: type[Any]
    error_type: type[Any]
    blanks: dict[str, None]

    def apply(self, field: StrawberryField) -> None:
        payload: Any = field.type
        definition = get_object_definition(payload, strict=True)
        blanks: dict[str, None] = {}
        error_type: type[Any] | None = None
        defaulted = {
            f.name
            for f in dataclasses.fields(payload)
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        }
        for f in definition.fields:
            if f.python_name == "errors":
                if isinstance(f.type, StrawberryList) and f.type.of_type in ERROR_CODES:
                    error_type = cast(type[Any], f.type.of_type)
            elif f.python_name not in defaulted:
                if not isinstance(f.type, StrawberryOptional):
                    raise TypeError(
                        f"{definition.name}.{f.python_name}: a refusal needs it nullable or defaulted"
                    )
                blanks[f.python_name] = None
        if error_type is None:
            raise TypeError(
                f"{definition.name} (of {field.python_name}) has no `errors: list[<Domain>Error]`"
            )
        self.payload, self.error_type, self.blanks = payload, error_type, blanks

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        try:
            if info.field_name not in ANONYMOUS_MUTATIONS and not info.context.actor.is_authenticated:
                raise unauthenticated()
            return await next_(source, info, **kwargs)
        except DomainError as exc:
            errors = domain_errors(self.error_type, exc, info.context.language)
            return self.payload(**self.blanks, errors=errors)


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
            await audit.record(
                user_id,
                actor.token_kind,
                info.field_name,
                object_type,
                object_id,
                error_codes=[e.code.name for e in errors],
                request_id=getattr(getattr(request, "state", None), "request_id", None) if request else None,
            )
        return payload
