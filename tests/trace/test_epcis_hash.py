"""The CBV 2.0 event hash of EPCIS events, computed offline (no database needed)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
import socket
import sys
from decimal import Decimal
from typing import Any

import pytest

from models.trace import EventAction, EventType, QuantityRole
from services.trace import epcis, epcis_hash
from services.trace.epcis import ErrorDeclaration, EventData, QuantityElement
from tests.trace.epcis_samples import (
    CANDY,
    COCONUT,
    FARM,
    HASH,
    SHOP,
    SUGAR,
    T0,
    candy_making,
    cold_storage,
    emitted,
    harvest,
    shipment,
)

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
