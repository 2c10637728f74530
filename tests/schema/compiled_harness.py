"""Differential testing of compiled execution (schema/compiled/): one operation run by graphql-core and by
the compiled plan, each with a fresh context (its own DataLoaders) for the same caller, compared after
canonical JSON (sorted keys), errors included."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from models import User
from schema import schema
from schema.compiled import policy
from schema.context import Context
from services.accounts.auth import PUBLIC, Actor, actor_of_user
from services.policy import reach_of

# The callers of the contract: anonymous, a producer's member, a province officer, a central admin.
ROLES = {
    "anonymous": None,
    "producer": "producer@demo.ocop.vn",
    "officer": "officer.bentre@demo.ocop.vn",
    "admin": "admin@demo.ocop.vn",
}


async def actors() -> dict[str, Actor]:
    """The demo accounts' actors by role name (the demo data must be loaded)."""
    found: dict[str, Actor] = {}
    for role, email in ROLES.items():
        if email is None:
            found[role] = PUBLIC
            continue
        user = await User.get(email=email)
        actor = await actor_of_user(user.id)
        assert actor is not None, email
        found[role] = actor
    return found


async def context_for(actor: Actor, language: str = "vi") -> Context:
    return Context(request=None, language=language, actor=actor, reach=await reach_of(actor))


@dataclass(frozen=True)
class Outcome:
    canonical: bytes
    compiled: bool
    fallback: str | None
    body: dict[str, Any]
    # Connections whose edges were projected from their rows (schema/compiled/projection.py).
    projected: int = 0
    # The answer as sent: keys in the response's order (`canonical` sorts them).
    ordered: bytes = b""


# The one value that is the time of the request, not data: an EPCIS document's creationDate (two runs a
# few milliseconds apart differ there whatever executes them).
_NOW = re.compile(rb'"creationDate":"[^"]*"')


def canonical(result: Any) -> tuple[bytes, dict[str, Any]]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    dumped = orjson.dumps(body, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return _NOW.sub(b'"creationDate":"<request time>"', dumped), body


async def run(
    query: str,
    actor: Actor,
    *,
    compiled: bool,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> Outcome:
    execution = policy.begin(force=compiled)
    result = await schema.execute(
        query,
        variable_values=variables,
        context_value=await context_for(actor),
        operation_name=operation_name,
    )
    data, body = canonical(result)
    ordered = orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    return Outcome(data, execution.compiled, execution.fallback, body, execution.projected, ordered)


RERUNS = 20
# Documents whose answer differed in one run and agreed in another (graphql-core's own races), for the report.
RACY: list[str] = []


async def differential(
    query: str,
    actor: Actor,
    *,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
    must_compile: bool = True,
) -> Outcome:
    """Runs the operation both ways and fails when the answers differ (or, with `must_compile`, when the
    compiled run fell back to graphql-core); the compiled outcome."""
    reference = await run(query, actor, compiled=False, variables=variables, operation_name=operation_name)
    assert not reference.compiled
    outcome = await run(query, actor, compiled=True, variables=variables, operation_name=operation_name)
    if must_compile:
        assert outcome.compiled, (outcome.fallback, query)
    if outcome.canonical != reference.canonical:
        # graphql-core itself is not deterministic when sibling fields fail after I/O: with two non-null
        # root fields that both fail once their count query returns, whichever query returns first is the
        # one error reported (the other is cancelled). Such a document is run again both ways: the compiled
        # answer must be one graphql-core gives.
        references, outcomes = {reference.canonical}, {outcome.canonical}
        for _ in range(RERUNS):
            again = await run(
                query, actor, compiled=False, variables=variables, operation_name=operation_name
            )
            references.add(again.canonical)
            compiled = await run(
                query, actor, compiled=True, variables=variables, operation_name=operation_name
            )
            outcomes.add(compiled.canonical)
            if references & outcomes:
                RACY.append(query)
                return compiled
    assert outcome.canonical == reference.canonical, (
        f"compiled and graphql-core differ for\n{query}\nvariables={variables}\n"
        f"graphql-core: {reference.canonical.decode()[:3000]}\ncompiled:     {outcome.canonical.decode()[:3000]}"
    )
    return outcome
