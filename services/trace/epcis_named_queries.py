"""EPCIS 2.0 named queries (`/epcis/queries` of the REST OpenAPI): a SimpleEventQuery kept under a name, per owner
(models.trace.NamedQuery). The query is checked when it is created (services.trace.epcis_query_params.parse), so
a kept query is always one the repository can answer; its events are what the caller may see when they are asked
(services.trace.epcis_query.query_events with the caller's reach), as for the same query sent to /epcis/events.

Only an authenticated user keeps named queries, and sees, runs and deletes only its own: another user's query
name is unknown to it (NoSuchNameException), as for a name never created.

Nothing here knows HTTP: web/epcis.py answers these or their Problem."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import NamedQuery
from services.accounts.auth import Actor
from services.policy import Reach
from services.trace import epcis_query, epcis_query_params
from services.trace.epcis_problems import (
    already_exists,
    no_such_name,
    query_problem,
    unauthenticated_problem,
    validation_problem,
)

NAME = re.compile(r"[A-Za-z0-9._~-]{1,100}")  # a URL path segment as it is: unreserved characters (RFC 3986)
MAX_QUERIES_PER_OWNER = 200


@dataclass(frozen=True, slots=True)
class NamedQueryView:
    """A named query as the OpenAPI writes it: `{"name": ..., "query": {...}}`."""

    name: str
    query: dict[str, Any]

    def json(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query}


def _owner_id(actor: Actor) -> int:
    if not actor.is_authenticated or actor.user_id is None:
        raise unauthenticated_problem()
    return actor.user_id


def _view(row: NamedQuery) -> NamedQueryView:
    return NamedQueryView(row.name, dict(row.query))


def parameters(query: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A named query's definition as the (name, value) pairs services.trace.epcis_query.query_events takes."""
    return epcis_query_params.pairs_of(dict(query))


async def create_named_query(
    actor: Actor, body: object, prefixes: Mapping[str, str] | None = None
) -> NamedQueryView:
    """Keep `body` (the OpenAPI's QueryDefinition: `{"name": ..., "query": {...}}`) as the actor's named query.
    ValidationException for a body of another shape or a name that is not a path segment (1 to 100 of
    `A-Z a-z 0-9 . _ ~ -`); QueryParameterException for a query the repository cannot answer;
    ResourceAlreadyExistsException when the actor has a query of that name."""
    owner_id = _owner_id(actor)
    if (
        not isinstance(body, dict)
        or set(body) - {"name", "query"}
        or "name" not in body
        or "query" not in body
    ):
        raise validation_problem(
            'The body is {"name": ..., "query": {...}}.', ["body"], title="The named query was rejected"
        )
    name = body["name"]
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise validation_problem(
            "A query name is 1 to 100 letters, digits or . _ ~ - (it is a path segment).",
            ["name"],
            title="The named query was rejected",
        )
    query = body["query"]
    pairs = epcis_query_params.pairs_of(query)
    problem = epcis_query_params.check(pairs, prefixes)
    if problem is not None:
        raise problem
    async with in_transaction():
        if await NamedQuery.filter(owner_id=owner_id).count() >= MAX_QUERIES_PER_OWNER:
            raise query_problem("name", f"At most {MAX_QUERIES_PER_OWNER} named queries per user.")
        try:
            row = await NamedQuery.create(owner_id=owner_id, name=name, query=query)
        except IntegrityError as exc:
            raise already_exists("query", name) from exc
    return _view(row)


async def named_query(actor: Actor, name: str) -> NamedQueryView:
    """The actor's query of that name; NoSuchNameException if it has none."""
    row = await NamedQuery.get_or_none(owner_id=_owner_id(actor), name=name)
    if row is None:
        raise no_such_name("query", name)
    return _view(row)


async def named_queries(
    actor: Actor, *, after: str | None = None, limit: int = 30
) -> tuple[list[NamedQueryView], bool]:
    """The actor's queries by name, `limit` of them after the name `after`; and whether there are more."""
    rows = NamedQuery.filter(owner_id=_owner_id(actor))
    if after is not None:
        rows = rows.filter(name__gt=after)
    found = list(await rows.order_by("name").limit(limit + 1))
    return [_view(row) for row in found[:limit]], len(found) > limit


async def delete_named_query(actor: Actor, name: str) -> None:
    """Forget the actor's query of that name; NoSuchNameException if it has none."""
    deleted = await NamedQuery.filter(owner_id=_owner_id(actor), name=name).delete()
    if not deleted:
        raise no_such_name("query", name)


async def named_query_events(
    actor: Actor,
    reach: Reach,
    name: str,
    page: Sequence[tuple[str, str]],
    base_url: str,
    prefixes: Mapping[str, str] | None = None,
) -> epcis_query.Page:
    """One page of the events of the actor's named query: `page` holds the request's perPage and nextPageToken
    (any other parameter is refused: the query is the kept one). The document's queryName is the query's name."""
    for key, _ in page:
        if key not in epcis_query_params.PAGE_PARAMETERS:
            raise query_problem(key, f"{key} is not a page parameter; the query's own parameters are kept.")
    view = await named_query(actor, name)
    return await epcis_query.query_events(
        parameters(view.query) + list(page), reach, base_url, prefixes=prefixes, query_name=view.name
    )
