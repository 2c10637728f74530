"""When to run an operation compiled (OCOP_GRAPHQL_COMPILED, read at start-up in
services/common/settings.py):

- `off`: never; graphql-core runs every operation.
- `registered`: documents registered as trusted documents (services/api/trusted_documents.py,
  run by their hash): their text is fixed and known in advance, so compiling them once pays off.
- `seen` (the default): registered documents, and any other document once it has run
  `OCOP_GRAPHQL_COMPILED_AFTER` times in this process (counted per document hash, the last `SEEN_SIZE`
  documents remembered): the queries a web or mobile client sends over and over with other variables.

Queries only: mutations and subscriptions always run on graphql-core (plan.py says why).

web/graphql.py opens an `Execution` per request (`begin`), which says whether the document was run by
its registered hash; the executor writes into it whether it compiled and, if not, why, which the response
shows under `extensions.execution` when OCOP_GRAPHQL_DEBUG=1."""

from __future__ import annotations

from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass

from services.common import settings
from services.common.settings import GraphQLCompiled

SEEN_SIZE = 4096


@dataclass(slots=True)
class Execution:
    """One request's execution: what the caller asked for and what happened."""

    registered: bool = False
    # Tests: compile whatever the mode (True) or never (False); None follows the settings.
    force: bool | None = None
    compiled: bool = False
    # Until the executor runs: a document refused before execution (syntax, validation, cost) says so.
    fallback: str | None = "not executed"
    # Connections whose edges were projected from their rows (projection.py).
    projected: int = 0

    def debug(self) -> dict[str, object]:
        return {"compiled": self.compiled, "fallback": self.fallback, "projected": self.projected}


CURRENT: ContextVar[Execution | None] = ContextVar("ocop_graphql_execution", default=None)

_seen: OrderedDict[str, int] = OrderedDict()


def begin(*, registered: bool = False, force: bool | None = None) -> Execution:
    """Open the request's execution record (in the request's context: the executor runs in the same task)."""
    execution = Execution(registered=registered, force=force)
    CURRENT.set(execution)
    return execution


def _count(digest: str) -> int:
    count = _seen.get(digest, 0) + 1
    _seen[digest] = count
    _seen.move_to_end(digest)
    if len(_seen) > SEEN_SIZE:
        _seen.popitem(last=False)
    return count


def refusal(digest: str) -> str | None:
    """Why the document with this hash is not compiled now, or None to compile it."""
    execution = CURRENT.get()
    if execution is not None and execution.force is not None:
        return None if execution.force else "forced off"
    config = settings.current()
    mode = config.graphql_compiled
    if mode == GraphQLCompiled.OFF:
        return "OCOP_GRAPHQL_COMPILED=off"
    registered = execution is not None and execution.registered
    if registered:
        return None
    if mode == GraphQLCompiled.REGISTERED:
        return "not a registered document"
    after = config.graphql_compiled_after
    if _count(digest) > after:
        return None
    return f"seen fewer than {after} times"


def reset() -> None:
    """Forget the counts (tests)."""
    _seen.clear()
