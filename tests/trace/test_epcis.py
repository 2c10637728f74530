"""EPCIS 2.0 JSON-LD events and the CBV vocabulary (no database needed). The event hash is tested in
test_epcis_hash.py, validation against the JSON Schema in test_epcis_validation.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from models.trace import EventAction, EventType, QuantityRole
from services.trace import epcis
from services.trace.epcis import QuantityElement
from tests.trace.epcis_samples import (
    CANDY,
    COCONUT,
    FARM,
    candy_making,
    harvest,
    shipment,
)

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
