"""Sample EPCIS events (a coconut lot harvested, made into candy, shipped, stored; an error declaration and
its correction) shared by the EPCIS tests: documents, validation and the event hash."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from models.trace import EventAction, EventType, QuantityRole
from services.trace import epcis, epcis_hash
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
