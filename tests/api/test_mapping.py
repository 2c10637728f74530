"""An entity's fields are written once per layer and copied by name (schema/mapping.py): this fails when a
GraphQL input, the service dataclass it becomes and the type the mutation answers with drift apart."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.types.base import get_object_definition

import schema as graphql_schema  # imports every domain, so that every map is recorded
from schema.mapping import MAPS, InputMap, from_row


def _input_names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("mapping", MAPS, ids=lambda m: f"{m.input.__name__}->{m.data.__name__}")
def test_an_input_and_its_dataclass_have_the_same_fields_but_those_declared(mapping: InputMap) -> None:  # type: ignore[type-arg]
    inputs = _input_names(mapping.input)
    data = {f.name for f in dataclasses.fields(mapping.data)}
    declared = set(mapping.decoded) | set(mapping.skipped)
    assert declared <= inputs, f"declared input fields that do not exist: {declared - inputs}"
    assert set(mapping.decoded) <= data, f"decoded fields the dataclass lacks: {set(mapping.decoded) - data}"
    assert set(mapping.absent) <= data, (
        f"declared absent fields that do not exist: {set(mapping.absent) - data}"
    )
    only_input = inputs - set(mapping.skipped) - data
    only_data = data - set(mapping.absent) - inputs
    assert not only_input, f"{mapping.input.__name__} has {only_input}, {mapping.data.__name__} lacks them"
    assert not only_data, f"{mapping.data.__name__} has {only_data}, {mapping.input.__name__} lacks them"
    assert set(mapping.nested) <= inputs


def _shown(cls: type) -> set[str]:
    """The GraphQL fields of an output type, by their Python names (private fields are not shown)."""
    definition = get_object_definition(cls, strict=True)
    graphql_type = graphql_schema.schema._schema.type_map[definition.name]
    assert isinstance(graphql_type, GraphQLObjectType)
    by_graphql_name = {
        graphql_schema.schema.config.name_converter.get_graphql_name(f): f.python_name
        for f in definition.fields
    }
    return {by_graphql_name[name] for name in graphql_type.fields}


@pytest.mark.parametrize(
    "mapping", [m for m in MAPS if m.output is not None], ids=lambda m: f"{m.input.__name__}->{m.output}"
)
def test_what_a_mutation_writes_it_answers_under_the_same_name(mapping: InputMap) -> None:  # type: ignore[type-arg]
    assert mapping.output is not None
    shown = _shown(mapping.output)
    written = _input_names(mapping.input) - set(mapping.skipped) - set(mapping.write_only)
    assert set(mapping.write_only) <= _input_names(mapping.input)
    assert written <= shown, f"{mapping.output.__name__} does not show {written - shown}"
    stale = set(mapping.write_only) & shown
    assert not stale, f"{mapping.output.__name__} shows {stale}: drop them from write_only"


def test_a_map_copies_sent_fields_and_leaves_unsent_ones_to_the_dataclass() -> None:
    @strawberry.input
    class Change:
        name: str | None = strawberry.UNSET
        note: str | None = strawberry.UNSET
        owner_id: strawberry.ID | None = strawberry.UNSET

    @dataclasses.dataclass(frozen=True)
    class Data:
        name: str | None = "kept"
        note: str | None = "kept"
        owner_id: int = 0

    mapping = InputMap(Change, Data, decoded=("owner_id",))
    MAPS.remove(mapping)  # a map of this test only
    assert mapping(Change(note=None), owner_id=7) == Data(name="kept", note=None, owner_id=7)


def test_a_row_becomes_a_type_field_by_field() -> None:
    @strawberry.type
    class Thing:
        name: str
        made_on: dt.date
        label: str

    row = type("Row", (), {"name": "Kẹo dừa", "made_on": dt.date(2025, 7, 1), "label": "ignored"})()
    assert from_row(Thing, row, label="computed") == Thing(
        name="Kẹo dừa", made_on=dt.date(2025, 7, 1), label="computed"
    )
