"""EPCIS 2.0 JSON-LD, the CBV 2.0 event hash and the vendored JSON Schema (no database needed)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
import re
import socket
import sys
from decimal import Decimal
from typing import Any

import pytest

from models.trace import EventAction, EventType, QuantityRole
from services.trace import epcis, epcis_hash, epcis_validation
from services.trace.epcis import ErrorDeclaration, EventData, QuantityElement
from services.trace.identity import batch_link

BASE = "https://ocop.test"
VN = dt.timezone(dt.timedelta(hours=7))
T0 = dt.datetime(2024, 5, 20, 8, 30, tzinfo=VN)
COCONUT = batch_link(BASE, product_id=11, gtin="08934563138165", lot_code="DX-2024-05")
SUGAR = batch_link(BASE, product_id=12, gtin=None, lot_code="DUONG/24")  # a product without a GTIN
CANDY = batch_link(BASE, product_id=13, gtin="08934563138172", lot_code="KD-2024-07")
FARM = f"{BASE}/locations/1"
FACTORY = "https://id.gs1.org/414/8934563000004"
SHOP = f"{BASE}/locations/3"
HASH = re.compile(r"^ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0$")


def harvest() -> EventData:
    """Coconuts harvested on a farm: a lot is commissioned, with its lot master data."""
    return EventData(
        type=EventType.OBJECT,
        action=EventAction.ADD,
        biz_step="commissioning",
        disposition="active",
        event_time=T0,
        time_zone_offset="+07:00",
        read_point_id=FARM,
        biz_location_id=FARM,
        quantities=[QuantityElement(QuantityRole.SUBJECT, COCONUT, Decimal("500.000"), "KGM")],
        ilmd={
            "cbvmda:lotNumber": "DX-2024-05",
            "cbvmda:countryOfOrigin": "VN",
            "cbvmda:itemExpirationDate": "2024-06-20",
        },
        certification_info="https://ocop.test/certificates/2024-117",
    )


def candy_making() -> EventData:
    """Coconut and sugar lots made into a lot of coconut candy."""
    return EventData(
        type=EventType.TRANSFORMATION,
        biz_step="commissioning",
        disposition="active",
        event_time=T0 + dt.timedelta(days=2),
        time_zone_offset="+07:00",
        read_point_id=FACTORY,
        biz_location_id=FACTORY,
        quantities=[
            QuantityElement(QuantityRole.INPUT, COCONUT, Decimal(300), "KGM"),
            QuantityElement(QuantityRole.INPUT, SUGAR, Decimal("50.5"), "KGM"),
            QuantityElement(QuantityRole.OUTPUT, CANDY, Decimal(120), "KGM"),
        ],
        ilmd={"cbvmda:lotNumber": "KD-2024-07", "cbvmda:bestBeforeDate": "2025-01-31"},
    )


def shipment() -> EventData:
    """Candy shipped from the factory to a shop against a purchase order and an invoice."""
    return EventData(
        type=EventType.TRANSACTION,
        action=EventAction.ADD,
        biz_step="shipping",
        disposition="in_transit",
        event_time=T0 + dt.timedelta(days=5),
        time_zone_offset="+07:00",
        read_point_id=FACTORY,
        quantities=[QuantityElement(QuantityRole.SUBJECT, CANDY, Decimal(40), "KGM")],
        biz_transactions=[
            {"type": "po", "bizTransaction": "https://ocop.test/orders/PO-2024-0042"},
            {"type": "inv", "bizTransaction": "urn:ocop:invoice:HD-00017"},
        ],
        sources=[
            {"type": "owning_party", "source": "https://id.gs1.org/417/8934563000011"},
            {"type": "location", "source": FACTORY},
        ],
        destinations=[
            {"type": "owning_party", "destination": "https://ocop.test/producers/42"},
            {"type": "location", "destination": SHOP},
        ],
    )


def cold_storage() -> EventData:
    """The candy lot observed in a cold room, with the temperature logger's readings."""
    return EventData(
        type=EventType.OBJECT,
        action=EventAction.OBSERVE,
        biz_step="storing",
        disposition="sellable_not_accessible",
        event_time=T0 + dt.timedelta(days=6),
        time_zone_offset="+07:00",
        read_point_id=SHOP,
        biz_location_id=SHOP,
        quantities=[QuantityElement(QuantityRole.SUBJECT, CANDY, None, None)],
        sensor_elements=[
            {
                "sensorMetadata": {
                    "time": "2024-05-26T08:30:00.000+07:00",
                    "deviceID": "urn:ocop:logger:CL-7",
                    "startTime": "2024-05-25T08:30:00+07:00",
                    "endTime": "2024-05-26T08:30:00+07:00",
                },
                "sensorReport": [
                    {"type": "Temperature", "value": 4.5, "uom": "CEL"},
                    {"type": "Temperature", "minValue": 2.1, "maxValue": 7.9, "meanValue": 4.4, "uom": "CEL"},
                    {"type": "RelativeHumidity", "value": 65, "uom": "A93"},
                ],
            }
        ],
    )


def emitted() -> list[dict[str, Any]]:
    wrong = cold_storage()
    corrected = dataclasses.replace(wrong, disposition="sellable_accessible")
    declaration = dataclasses.replace(
        wrong,
        error_declaration=ErrorDeclaration(
            declaration_time=T0 + dt.timedelta(days=7),
            reason="incorrect_data",
            corrective_event_ids=[epcis_hash.event_hash(epcis.event_json(corrected))],
        ),
    )
    aggregation = EventData(
        type=EventType.AGGREGATION,
        action=EventAction.ADD,
        biz_step="packing",
        event_time=T0 + dt.timedelta(days=4),
        time_zone_offset="+07:00",
        parent_id="https://id.gs1.org/00/389345630000000015",
        quantities=[QuantityElement(QuantityRole.SUBJECT, CANDY, Decimal(40), "KGM")],
    )
    return [
        epcis.event_json(data)
        for data in (harvest(), candy_making(), aggregation, shipment(), wrong, declaration, corrected)
    ]


# --- the JSON we emit ------------------------------------------------------------------------------------------


def test_an_object_event_is_emitted_in_epcis_json_ld_shape() -> None:
    event = epcis.event_json(harvest())
    assert event == {
        "type": "ObjectEvent",
        "eventTime": "2024-05-20T08:30:00.000+07:00",
        "eventTimeZoneOffset": "+07:00",
        "quantityList": [
            {"epcClass": "https://ocop.test/01/08934563138165/10/DX-2024-05", "quantity": 500, "uom": "KGM"}
        ],
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": {"id": FARM},
        "bizLocation": {"id": FARM},
        "ilmd": {
            "cbvmda:lotNumber": "DX-2024-05",
            "cbvmda:countryOfOrigin": "VN",
            "cbvmda:itemExpirationDate": "2024-06-20",
        },
        "certificationInfo": "https://ocop.test/certificates/2024-117",
    }


def test_a_transformation_has_input_and_output_lists_and_no_action() -> None:
    event = epcis.event_json(candy_making())
    assert "action" not in event
    assert "quantityList" not in event
    assert event["inputQuantityList"] == [
        {"epcClass": COCONUT, "quantity": 300, "uom": "KGM"},
        {"epcClass": "https://ocop.test/p/C/10/DUONG%2F24", "quantity": 50.5, "uom": "KGM"},
    ]
    assert event["outputQuantityList"] == [{"epcClass": CANDY, "quantity": 120, "uom": "KGM"}]


def test_event_time_is_written_in_the_events_own_offset_to_the_millisecond() -> None:
    utc = dt.datetime(2024, 5, 20, 1, 30, 0, 123456, tzinfo=dt.UTC)
    event = epcis.event_json(dataclasses.replace(harvest(), event_time=utc))
    assert event["eventTime"] == "2024-05-20T08:30:00.123+07:00"
    assert epcis.timestamp(utc) == "2024-05-20T01:30:00.123Z"


def test_a_quantity_without_amount_omits_quantity_and_uom() -> None:
    data = dataclasses.replace(
        harvest(), quantities=[QuantityElement(QuantityRole.SUBJECT, COCONUT, None, "KGM")]
    )
    assert epcis.event_json(data)["quantityList"] == [{"epcClass": COCONUT}]


def test_cbv_uris_are_written_as_bare_words_and_private_uris_kept() -> None:
    data = dataclasses.replace(
        harvest(),
        biz_step="https://ref.gs1.org/cbv/BizStep-commissioning",
        disposition="https://ocop.test/voc/Disp-quarantined",
    )
    event = epcis.event_json(data)
    assert event["bizStep"] == "commissioning"
    assert event["disposition"] == "https://ocop.test/voc/Disp-quarantined"


def test_typed_entries_put_the_identifier_before_its_type() -> None:
    event = epcis.event_json(shipment())
    assert [list(entry) for entry in event["bizTransactionList"]] == [["bizTransaction", "type"]] * 2
    assert [list(entry) for entry in event["sourceList"]] == [["source", "type"]] * 2
    assert [list(entry) for entry in event["destinationList"]] == [["destination", "type"]] * 2


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"action": EventAction.ADD}, "no action"),
        ({"type": EventType.OBJECT, "action": None}, "needs an action"),
        ({"type": EventType.OBJECT, "action": EventAction.ADD}, "does not fit"),
        ({"event_time": dt.datetime(2024, 5, 20, 8, 30)}, "no time zone"),
        ({"time_zone_offset": "+7"}, "offset"),
        ({"biz_step": "harvesting"}, "neither a CBV 2.0 term"),
        ({"disposition": "shipping"}, "neither a CBV 2.0 term"),
    ],
)
def test_data_no_epcis_event_can_hold_is_refused(change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        epcis.event_json(dataclasses.replace(candy_making(), **change))


def test_ilmd_is_refused_outside_an_add_or_a_transformation() -> None:
    with pytest.raises(ValueError, match="ILMD"):
        epcis.event_json(dataclasses.replace(harvest(), action=EventAction.OBSERVE))


# --- validation against GS1's JSON Schema ----------------------------------------------------------------------


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


# --- vocabulary --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("commissioning", "bizStep", "commissioning"),
        ("shipping", "bizStep", "shipping"),
        (" retail_selling ", "bizStep", "retail_selling"),
        ("https://ref.gs1.org/cbv/BizStep-shipping", "bizStep", "shipping"),
        ("urn:epcglobal:cbv:bizstep:receiving", "bizStep", "receiving"),
        ("cbv:BizStep-packing", "bizStep", "packing"),
        ("conformant", "disposition", "conformant"),
        ("recalled", "disposition", "recalled"),
        ("https://ref.gs1.org/cbv/Disp-in_transit", "disposition", "in_transit"),
        ("urn:epcglobal:cbv:disp:non_conformant", "disposition", "non_conformant"),
        ("https://ocop.test/voc/BizStep-drying", "bizStep", "https://ocop.test/voc/BizStep-drying"),
        ("urn:ocop:disp:quarantined", "disposition", "urn:ocop:disp:quarantined"),
        ("harvesting", "bizStep", None),  # there is no "harvesting": commissioning covers it
        ("shipping", "disposition", None),
        ("in_transit", "bizStep", None),
        ("https://ref.gs1.org/cbv/BizStep-harvesting", "bizStep", None),
        ("https://ref.gs1.org/cbv/Disp-active", "bizStep", None),
        ("urn:epcglobal:cbv:bizstep:harvesting", "bizStep", None),
        ("https://ns.gs1.org/cbv/BizStep-shipping", "bizStep", None),
        ("Shipping", "bizStep", None),
        ("", "bizStep", None),
        ("https://", "bizStep", None),
        ("http://ocop.test/voc/sấy khô", "bizStep", None),
    ],
)
def test_vocabulary_normalisation(value: str, kind: epcis.VocabularyKind, expected: str | None) -> None:
    assert epcis.normalize_vocabulary(value, kind) == expected


def test_every_cbv_word_normalises_to_itself_from_each_spelling() -> None:
    for kind, words, term in (
        ("bizStep", epcis.CBV_BIZ_STEPS, "BizStep"),
        ("disposition", epcis.CBV_DISPOSITIONS, "Disp"),
    ):
        for word in words:
            for spelling in (word, f"https://ref.gs1.org/cbv/{term}-{word}"):
                assert epcis.normalize_vocabulary(spelling, kind) == word  # type: ignore[arg-type]


# --- the CBV 2.0 event hash --------------------------------------------------------------------------------------

# From epcis-event-hash-generator's own test data (repository RalphTro/epcis-event-hash-generator,
# tests/examples/epcisDocWithSingleEvent.jsonld, .prehashes and .hashes); the wheel ships no examples.
REFERENCE_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
    "eventTime": "2022-02-16T20:33:31.116000-06:00",
    "eventTimeZoneOffset": "-06:00",
    "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    "bizTransactionList": [{"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}],
}
REFERENCE_PRE_HASH = (
    "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00"
    "epcListepc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018"
    "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit"
    "readPointid=https://id.gs1.org/414/0614141073467/254/1234"
    "bizTransactionListbizTransaction=http://transaction.acme.com/po/12345678type=https://ref.gs1.org/cbv/BTT-po"
)
REFERENCE_HASH = "ni:///sha-256;3e0f2437f4cb5e8a1b832b769c0eed1bf3e1421f14061132e9800ded03f10182?ver=CBV2.0"


def test_the_hash_of_the_packages_reference_example_matches() -> None:
    assert epcis_hash.pre_hash_string(REFERENCE_EVENT) == REFERENCE_PRE_HASH
    assert epcis_hash.event_hash(REFERENCE_EVENT) == REFERENCE_HASH
    digest = hashlib.sha256(REFERENCE_PRE_HASH.encode()).hexdigest()
    assert f"ni:///sha-256;{digest}?ver=CBV2.0" == REFERENCE_HASH


def test_a_hash_is_stable() -> None:
    first = epcis_hash.event_hash(epcis.event_json(shipment()))
    assert HASH.match(first)
    assert epcis_hash.event_hash(epcis.event_json(shipment())) == first
    # The same instant given in UTC, and the JSON after a jsonb-like round trip (keys sorted, `type` first).
    utc = dataclasses.replace(shipment(), event_time=shipment().event_time.astimezone(dt.UTC))
    assert epcis_hash.event_hash(epcis.event_json(utc)) == first
    stored = json.loads(json.dumps(epcis.event_json(shipment()), sort_keys=True))
    assert epcis_hash.event_hash(stored) == first
    # The order of list entries does not matter either.
    reordered = dataclasses.replace(
        shipment(),
        biz_transactions=list(reversed(shipment().biz_transactions)),
        sources=list(reversed(shipment().sources)),
    )
    assert epcis_hash.event_hash(epcis.event_json(reordered)) == first


def test_hashes_of_different_events_differ() -> None:
    hashes = {epcis_hash.event_hash(event) for event in emitted()}
    assert len(hashes) == 6  # the error declaration keeps the hash of the event it declares erroneous


def _sensor(value: float) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = [
        copy.deepcopy(dict(element)) for element in cold_storage().sensor_elements
    ]
    elements[0]["sensorReport"][0]["value"] = value
    return elements


HASHED_CHANGES: dict[str, tuple[EventData, dict[str, Any]]] = {
    "event time (1 ms)": (harvest(), {"event_time": T0 + dt.timedelta(milliseconds=1)}),
    "time zone offset": (harvest(), {"time_zone_offset": "+08:00"}),
    "action": (cold_storage(), {"action": EventAction.DELETE}),
    "biz step": (harvest(), {"biz_step": "inspecting"}),
    "disposition": (harvest(), {"disposition": "conformant"}),
    "read point": (harvest(), {"read_point_id": SHOP}),
    "business location": (harvest(), {"biz_location_id": SHOP}),
    "quantity": (
        harvest(),
        {"quantities": [QuantityElement(QuantityRole.SUBJECT, COCONUT, Decimal(501), "KGM")]},
    ),
    "uom": (harvest(), {"quantities": [QuantityElement(QuantityRole.SUBJECT, COCONUT, Decimal(500), "LTR")]}),
    "lot": (harvest(), {"quantities": [QuantityElement(QuantityRole.SUBJECT, CANDY, Decimal(500), "KGM")]}),
    "input": (
        candy_making(),
        {
            "quantities": [
                QuantityElement(QuantityRole.INPUT, COCONUT, Decimal(300), "KGM"),
                QuantityElement(QuantityRole.INPUT, SUGAR, Decimal(51), "KGM"),
                QuantityElement(QuantityRole.OUTPUT, CANDY, Decimal(120), "KGM"),
            ]
        },
    ),
    "ilmd": (harvest(), {"ilmd": {"cbvmda:lotNumber": "DX-2024-06"}}),
    "certification": (harvest(), {"certification_info": "https://ocop.test/certificates/2024-118"}),
    "business transaction": (
        shipment(),
        {"biz_transactions": [{"type": "po", "bizTransaction": "https://ocop.test/orders/PO-2024-0043"}]},
    ),
    "business transaction type": (
        shipment(),
        {"biz_transactions": [{"type": "desadv", "bizTransaction": "https://ocop.test/orders/PO-2024-0042"}]},
    ),
    "source": (shipment(), {"sources": [{"type": "location", "source": FARM}]}),
    "destination": (shipment(), {"destinations": [{"type": "possessing_party", "destination": SHOP}]}),
    "sensor reading": (cold_storage(), {"sensor_elements": _sensor(4.6)}),
    "parent": (
        EventData(
            type=EventType.AGGREGATION,
            action=EventAction.ADD,
            event_time=T0,
            time_zone_offset="+07:00",
            parent_id="https://id.gs1.org/00/389345630000000015",
            quantities=[QuantityElement(QuantityRole.SUBJECT, CANDY, Decimal(40), "KGM")],
        ),
        {"parent_id": "https://id.gs1.org/00/389345630000000022"},
    ),
}


@pytest.mark.parametrize("name", list(HASHED_CHANGES))
def test_the_hash_changes_when_a_hashed_field_changes(name: str) -> None:
    data, change = HASHED_CHANGES[name]
    before = epcis_hash.event_hash(epcis.event_json(data))
    assert epcis_hash.event_hash(epcis.event_json(dataclasses.replace(data, **change))) != before


def test_fields_outside_the_hash_leave_it_alone() -> None:
    data = harvest()
    before = epcis_hash.event_hash(epcis.event_json(data))
    unhashed = dataclasses.replace(
        data,
        event_id="ni:///sha-256;00?ver=CBV2.0",
        record_time=T0 + dt.timedelta(hours=1),
        event_time=T0 + dt.timedelta(microseconds=999),  # below the millisecond precision of EPCIS hashes
        error_declaration=ErrorDeclaration(T0 + dt.timedelta(days=1), "did_not_occur"),
    )
    event = epcis.event_json(unhashed)
    assert event["eventID"] == "ni:///sha-256;00?ver=CBV2.0"
    assert event["recordTime"] == "2024-05-20T02:30:00.000Z"
    assert epcis_hash.event_hash(event) == before


def test_ilmd_keys_are_hashed_with_their_full_namespace() -> None:
    pre_hash = epcis_hash.pre_hash_string(epcis.event_json(harvest()))
    assert pre_hash.endswith(
        "ilmd{urn:epcglobal:cbv:mda:}countryOfOrigin=VN{urn:epcglobal:cbv:mda:}itemExpirationDate=2024-06-20"
        "{urn:epcglobal:cbv:mda:}lotNumber=DX-2024-05"
    )
    # Our GTIN Digital Links hash as the canonical id.gs1.org form (CBV 2.0: the domain is not part of it).
    assert "epcClass=https://id.gs1.org/01/08934563138165/10/DX-2024-05" in pre_hash


def test_an_event_the_library_cannot_hash_is_an_error_not_a_missing_hash() -> None:
    elements = _sensor(4.5)
    elements[0]["sensorMetadata"]["time"] = "2024-05-26T08:30:00.9996+07:00"  # rounds to a 1000th millisecond
    event = epcis.event_json(dataclasses.replace(cold_storage(), sensor_elements=elements))
    with pytest.raises(epcis_hash.EPCISHashError):
        epcis_hash.event_hash(event)


# --- offline ---------------------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to resolve a host or open a connection fails the test (and is recorded)."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args))
        raise AssertionError(f"network access: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_hashing_loads_the_epcis_context_from_the_package_and_never_the_network(
    no_network: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = epcis.event_json(harvest())
    library = epcis_hash._hash_library()
    loaded: list[str] = []
    package_loader = library.package_loader

    def spy(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        document: dict[str, Any] = package_loader(url, options)
        loaded.append(url)
        return document

    monkeypatch.setattr(library, "package_loader", spy)
    library.jsonld._resolved_context_cache.clear()  # make PyLD load the context again, here
    library.jsonld._inverse_context_cache.clear()

    assert HASH.match(epcis_hash.event_hash(event))
    assert library.jsonld.get_document_loader() is epcis_hash.offline_document_loader
    assert loaded == [epcis.EPCIS_CONTEXT]
    assert no_network == []


def test_the_packaged_contexts_are_served_from_files(no_network: list[str]) -> None:
    for url in sorted(epcis_hash.PACKAGED_CONTEXTS):
        remote = epcis_hash.offline_document_loader(url)
        assert remote["documentUrl"] == url
        assert remote["document"]["@context"]["cbvmda"] == "urn:epcglobal:cbv:mda:"
    assert no_network == []


def test_any_other_context_is_refused_not_fetched(no_network: list[str]) -> None:
    jsonld = epcis_hash._hash_library().jsonld
    with pytest.raises(jsonld.JsonLdError, match="never fetches"):
        epcis_hash.offline_document_loader("https://example.org/contexts/extra.jsonld")
    with pytest.raises(jsonld.JsonLdError):
        epcis_hash.event_hash(
            {**epcis.event_json(harvest()), "@context": "https://example.org/contexts/extra.jsonld"}
        )
    assert no_network == []


def test_importing_the_hash_library_leaves_sys_path_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # epcis_event_hash_generator/context.py inserts site-packages at sys.path[0] when first imported.
    for name in [name for name in sys.modules if name.startswith("epcis_event_hash_generator")]:
        monkeypatch.delitem(sys.modules, name)
    epcis_hash._hash_library.cache_clear()
    before = list(sys.path)
    try:
        library = epcis_hash._hash_library()
        assert sys.path == before
        assert HASH.match(epcis_hash.event_hash(REFERENCE_EVENT))
        assert library.jsonld.get_document_loader() is epcis_hash.offline_document_loader
    finally:
        epcis_hash._hash_library.cache_clear()
