"""Validation of EPCIS 2.0 documents against the vendored GS1 JSON Schema (no database needed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

import pytest

from services.trace import epcis, epcis_validation
from tests.trace.epcis_samples import (
    COCONUT,
    HASH,
    T0,
    emitted,
    harvest,
    shipment,
)


def test_the_documents_we_emit_are_valid_epcis_2() -> None:
    events = emitted()
    created = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
    capture = epcis.document(events, created, document_id="https://ocop.test/epcis/documents/1")
    assert capture["@context"] == epcis.EPCIS_CONTEXT
    assert capture["schemaVersion"] == "2.0"
    assert capture["creationDate"] == "2024-06-01T09:00:00.000Z"
    assert epcis_validation.validate(capture) == []
    answer = epcis.query_document(events, creation_date=created, subscription_id="sub-1")
    assert answer["epcisBody"]["queryResults"]["queryName"] == "SimpleEventQuery"
    assert answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == events
    assert epcis_validation.validate(answer) == []
    assert epcis_validation.validate(epcis.query_document([])) == []


@pytest.mark.parametrize("index", range(7))
def test_each_emitted_event_is_valid_on_its_own(index: int) -> None:
    event = emitted()[index]
    assert epcis_validation.validate({"@context": epcis.EPCIS_CONTEXT, **event}) == []


def test_the_error_declaration_names_the_corrective_event() -> None:
    declaration = emitted()[5]["errorDeclaration"]
    assert declaration["declarationTime"] == "2024-05-27T01:30:00.000Z"
    assert declaration["reason"] == "incorrect_data"
    assert HASH.match(declaration["correctiveEventIDs"][0])


def broken(**changes: Any) -> dict[str, Any]:
    event = {**epcis.event_json(harvest()), **changes}
    return epcis.document([{k: v for k, v in event.items() if v is not None}], T0)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            broken(bizStep="harvesting"),
            "/epcisBody/eventList/0/bizStep: no alternative matched: 'harvesting'",
        ),
        (
            broken(quantityList=[{"epcClass": COCONUT, "quantity": "500"}]),
            "/epcisBody/eventList/0/quantityList/0/quantity: '500' is not of type 'number'",
        ),
        (
            broken(quantityList=[{"epcClass": "lot DX-2024-05"}]),
            "/epcisBody/eventList/0/quantityList/0/epcClass: 'lot DX-2024-05' is not a 'uri'",
        ),
        (broken(action="OBSERVE"), "/epcisBody/eventList/0/ilmd: not allowed here"),
        (broken(ilmd={"lotNumber": "DX-2024-05"}), "/epcisBody/eventList/0/ilmd: 'lotNumber' is not a 'uri'"),
        (broken(action=None), "/epcisBody/eventList/0: 'action' is a required property"),
        (broken(eventTime="2024-05-20 08:30"), "eventTime: '2024-05-20 08:30' is not a 'date-time'"),
        (broken(eventTimeZoneOffset="+7"), "eventTimeZoneOffset: '+7' does not match"),
    ],
)
def test_the_schema_rejects_a_broken_document_with_a_readable_message(
    doc: dict[str, Any], expected: str
) -> None:
    messages = epcis_validation.validate(doc)
    assert any(expected in message for message in messages), messages


def test_every_violation_is_reported() -> None:
    doc = broken(bizStep="harvesting", quantityList=[{"epcClass": COCONUT, "quantity": "500", "unit": "KGM"}])
    del doc["creationDate"]
    messages = epcis_validation.validate(doc)
    assert "/: 'creationDate' is a required property" in messages
    assert any("/bizStep:" in message for message in messages)
    assert any("'500' is not of type 'number'" in message for message in messages)
    assert any("'unit' was unexpected" in message for message in messages)


def test_a_transaction_needs_a_business_transaction() -> None:
    event = epcis.event_json(dataclasses.replace(shipment(), biz_transactions=[]))
    messages = epcis_validation.validate(epcis.document([event], T0))
    assert "/epcisBody/eventList/0: 'bizTransactionList' is a required property" in messages


def test_the_vendored_schema_is_the_official_copy() -> None:
    readme = (epcis_validation.SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(epcis_validation.SCHEMA_PATH.read_bytes()).hexdigest()
    assert digest in readme
    schema = epcis_validation.schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_our_vocabulary_lists_are_the_schemas() -> None:
    definitions = epcis_validation.schema()["definitions"]

    def words(name: str) -> set[str]:
        return {word for option in definitions[name]["anyOf"] for word in option.get("enum", [])}

    assert words("bizStep") == epcis.CBV_BIZ_STEPS
    assert words("disposition") == epcis.CBV_DISPOSITIONS
    assert words("bizTransaction-type") == epcis.CBV_BIZ_TRANSACTION_TYPES
    assert words("source-dest-type") == epcis.CBV_SOURCE_DESTINATION_TYPES
    assert words("error-reason") == epcis.CBV_ERROR_REASONS
    assert len(epcis.CBV_BIZ_STEPS) == 41
    assert len(epcis.CBV_DISPOSITIONS) == 33
