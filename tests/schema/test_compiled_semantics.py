"""Compiled execution's semantics, case by case, on a small strawberry schema built to fail in every way
graphql-core handles specially: null propagation to the nearest nullable parent (through lists, sync and
async), errors in list items, aliases that collide or merge, fragments on interfaces and unions,
@skip/@include with variables and literals, variable defaults and coercion errors, custom scalars, enums,
permission classes that refuse a field. Each query runs on graphql-core and on the compiled plan; the
answers must be equal byte for byte after canonical JSON. No database: the ocop schema's own cases are
in test_compiled_differential.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import enum
from typing import Annotated, Any

import orjson
import pytest
import strawberry
from strawberry.permission import BasePermission

from schema.compiled import policy
from schema.compiled.executor import CompiledExecutor
from schema.scalars import SCALAR_OVERRIDES


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


class Boom(Exception):
    pass


class OnlyAdmins(BasePermission):
    message = "Only admins may read this"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return bool(info.context.get("admin"))


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leaf(Named):
    name: str
    colour: Colour = Colour.RED
    on: dt.date = dt.date(2019, 5, 20)
    price: decimal.Decimal = decimal.Decimal("12.50")

    @strawberry.field
    def broken(self) -> str | None:
        raise Boom(f"broken {self.name}")

    @strawberry.field
    def required_broken(self) -> str:
        raise Boom(f"required broken {self.name}")

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return f"later {self.name}"

    @strawberry.field
    async def later_broken(self) -> str:
        await asyncio.sleep(0)
        raise Boom(f"later broken {self.name}")

    @strawberry.field
    def null_required(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field(permission_classes=[OnlyAdmins])
    def secret(self) -> str:
        return f"secret of {self.name}"

    @strawberry.field
    def bad_colour(self) -> Colour:
        return "purple"  # type: ignore[return-value]

    @strawberry.field
    def greet(self, who: str = "world", times: int = 1) -> str:
        return " ".join([f"hello {who} from {self.name}"] * times)


@strawberry.type
class Other(Named):
    name: str
    size: int = 3


Thing = Annotated[Leaf | Other, strawberry.union("Thing")]


@strawberry.input
class Filter:
    prefix: str = ""
    limit: int = 10


LEAVES = [Leaf(name="a"), Leaf(name="b"), Leaf(name="c")]


@strawberry.type
class Query:
    @strawberry.field
    def leaves(self, filter: Filter | None = None) -> list[Leaf]:
        filter = filter or Filter()
        return [leaf for leaf in LEAVES if leaf.name.startswith(filter.prefix)][: filter.limit]

    @strawberry.field
    def required_leaves(self) -> list[Leaf]:
        return LEAVES

    @strawberry.field
    def maybe_leaves(self) -> list[Leaf | None] | None:
        return [LEAVES[0], None, LEAVES[1]]

    @strawberry.field
    async def async_leaves(self) -> list[Leaf]:
        await asyncio.sleep(0)
        return LEAVES

    @strawberry.field
    def leaf(self) -> Leaf | None:
        return LEAVES[0]

    @strawberry.field
    def required_leaf(self) -> Leaf:
        return LEAVES[1]

    @strawberry.field
    def named(self) -> list[Named]:
        return [LEAVES[0], Other(name="o")]

    @strawberry.field
    def things(self) -> list[Thing]:
        return [Other(name="p"), LEAVES[2]]

    @strawberry.field
    def numbers(self) -> list[int | None]:
        return [1, None, 3]

    @strawberry.field
    def bad_numbers(self) -> list[int]:
        return [1, "two", 3]  # type: ignore[list-item]

    @strawberry.field
    def echo(self, day: dt.date, amount: decimal.Decimal, colour: Colour = Colour.GREEN) -> str:
        return f"{day.isoformat()} {amount} {colour.value}"

    @strawberry.field
    async def fail_after(self, ticks: int) -> str:
        for _ in range(ticks):
            await asyncio.sleep(0)
        raise Boom(f"failed after {ticks} ticks")

    @strawberry.field
    def not_a_list(self) -> list[int] | None:
        return 5  # type: ignore[return-value]


SCHEMA = strawberry.Schema(
    query=Query,
    types=[Leaf, Other],
    scalar_overrides=SCALAR_OVERRIDES,
    execution_context_class=CompiledExecutor,
)


async def both(query: str, variables: dict[str, Any] | None = None, *, admin: bool = False) -> dict[str, Any]:
    """The answer, after checking that graphql-core and the compiled plan give the same bytes."""
    answers = []
    for compiled in (False, True):
        execution = policy.begin(force=compiled)
        result = await SCHEMA.execute(query, variable_values=variables, context_value={"admin": admin})
        assert execution.compiled is compiled or result.data is None, execution
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        answers.append((orjson.dumps(body, option=orjson.OPT_SORT_KEYS), body))
    (reference, body), (compiled_answer, _) = answers
    assert compiled_answer == reference, (
        f"\ngraphql-core: {reference.decode()}\ncompiled:     {compiled_answer.decode()}"
    )
    return body


async def test_plain_fields_scalars_enums_and_typename() -> None:
    body = await both("{ leaves { __typename name colour on price later } leaf { name } }")
    assert body["data"]["leaves"][0] == {
        "__typename": "Leaf",
        "name": "a",
        "colour": "RED",
        "on": "2019-05-20",
        "price": "12.50",
        "later": "later a",
    }


async def test_a_nullable_field_error_is_null_with_its_path_and_location() -> None:
    body = await both("{ leaves { name broken } }")
    assert [e["path"] for e in body["errors"]] == [["leaves", i, "broken"] for i in range(3)]
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 17}]


async def test_a_non_null_error_nulls_the_nearest_nullable_parent() -> None:
    # requiredBroken: String! inside Leaf! inside [Leaf!]! inside Query: the whole data is null.
    body = await both("{ requiredLeaves { name requiredBroken } }")
    assert body["data"] is None
    # leaf: Leaf (nullable): only it becomes null, its sibling stays.
    body = await both("{ leaf { requiredBroken } numbers }")
    assert body["data"] == {"leaf": None, "numbers": [1, None, 3]}
    body = await both("{ maybeLeaves { name laterBroken } }")
    assert body["data"]["maybeLeaves"] == [None, None, None]
    body = await both("{ leaf { nullRequired } }")
    assert "Cannot return null for non-nullable field Leaf.nullRequired." in body["errors"][0]["message"]


async def test_async_errors_in_lists_keep_graphql_core_order() -> None:
    body = await both("{ asyncLeaves { later laterBroken } leaf { laterBroken } numbers }")
    assert body["data"] is None
    await both("{ a: asyncLeaves { later } b: leaves { broken later } c: maybeLeaves { laterBroken } }")


async def test_of_two_failing_non_null_siblings_the_first_to_fail_is_reported() -> None:
    body = await both("{ a: failAfter(ticks: 3) b: failAfter(ticks: 1) numbers }")
    assert body["data"] is None
    assert [e["path"] for e in body["errors"]] == [["b"]]


async def test_errors_in_list_items() -> None:
    body = await both("{ badNumbers }")
    assert body["data"] is None
    await both("{ numbers notAList }")


async def test_aliases_colliding_and_merging() -> None:
    body = await both('{ leaf { x: name x: name y: greet(who: "an") z: greet(times: 2) } a: leaf { name } }')
    assert body["data"]["leaf"]["x"] == "a"
    await both("{ leaf { name } leaf { colour } n: numbers }")


async def test_fragments_on_interfaces_and_unions() -> None:
    query = """
    query Q { named { __typename name ...L ... on Other { size } } things { ...T } }
    fragment L on Leaf { colour later }
    fragment T on Thing { __typename ... on Leaf { name broken } ... on Other { name size } ... on Named { name } }
    """
    body = await both(query)
    assert body["data"]["named"][1] == {"__typename": "Other", "name": "o", "size": 3}


@pytest.mark.parametrize("flag", [True, False])
async def test_skip_and_include_with_variables(flag: bool) -> None:
    query = """
    query Q($on: Boolean!, $off: Boolean = false) {
      leaf { name @include(if: $on) colour @skip(if: $on) greet @skip(if: $off) ...F @include(if: $on) }
      numbers @skip(if: true)
    }
    fragment F on Leaf { later }
    """
    body = await both(query, {"on": flag})
    assert ("name" in body["data"]["leaf"]) is flag


async def test_variables_defaults_coercion_and_custom_scalars() -> None:
    query = """query Q($day: Date!, $amount: Decimal!, $colour: Colour, $f: Filter = {prefix: "b"}) {
      echo(day: $day, amount: $amount, colour: $colour) other: echo(day: "2020-01-02", amount: "3.5")
      leaves(filter: $f) { name }
    }"""
    body = await both(query, {"day": "2019-05-20", "amount": "1.25", "colour": "RED"})
    assert body["data"]["leaves"] == [{"name": "b"}]
    await both(query, {"day": "not a date", "amount": "1.25"})
    await both(query, {"amount": "1.25"})
    await both(query, {"day": "2019-05-20", "amount": "1.25", "f": {"prefix": "", "limit": 2}})


async def test_permission_classes_refuse_the_same_way() -> None:
    body = await both("{ leaves { name secret } }")
    assert body["errors"][0]["message"] == "Only admins may read this"
    body = await both("{ leaves { name secret } }", admin=True)
    assert "errors" not in body


async def test_a_wrong_enum_value_is_an_error_at_its_path() -> None:
    await both("{ leaf { badColour } }")


async def test_invalid_documents_are_refused_before_execution_alike() -> None:
    await both("{ leaf { nope } }")
    await both("{ leaf }")
    await both("query Q($x: Int!) { numbers }")


async def test_what_is_not_compiled_says_why() -> None:
    execution = policy.begin(force=True)
    await SCHEMA.execute("query Q { leaf { name } }")
    assert execution.compiled
    schema = strawberry.Schema(query=Query, mutation=Mutation, execution_context_class=CompiledExecutor)
    execution = policy.begin(force=True)
    result = await schema.execute("mutation { touch }")
    assert result.data == {"touch": True}
    assert (execution.compiled, execution.fallback) == (False, "mutation")


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> bool:
        return True


@strawberry.type
class OtherQuery:
    @strawberry.field
    def numbers(self) -> list[str]:
        return ["x"]


OTHER_SCHEMA = strawberry.Schema(query=OtherQuery, execution_context_class=CompiledExecutor)


async def test_a_plan_belongs_to_the_schema_it_was_compiled_for() -> None:
    for served, expected in ((SCHEMA, [1, None, 3]), (OTHER_SCHEMA, ["x"]), (SCHEMA, [1, None, 3])):
        execution = policy.begin(force=True)
        result = await served.execute("{ numbers }")
        assert execution.compiled
        assert result.data == {"numbers": expected}
