"""What events point to. Locations: farms, facilities, warehouses, shops and fair booths, named by events as
their read point (where an event was observed) or business location (where the goods are afterwards); who
may create and see them: services/policy/trace.py. Attached documents: certificates, lab results, photos,
invoices, by URL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models import AdminUnit, Location, LocationKind, Producer, UnitEra
from services.common.errors import DomainError, FieldProblem, Problems
from services.common.text import nfc_or_none
from services.policy import Reach
from services.policy import registry as policy
from services.policy import trace as trace_policy
from services.registry.manage import clean_gln, find_commune
from services.trace import epcis
from services.trace.errors import TraceErrorCode

DOCUMENT_TYPES = ("certificate", "testResult", "photo", "invoice", "other")
MAX_DOCUMENTS = 10  # per event
MAX_URL_LENGTH = 2000


@dataclass(slots=True)
class LocationData:
    name: str
    kind: LocationKind
    producer_id: int | None = None  # None: a shared location (a market, a fair booth)
    gln: str | None = None
    commune_code: str | None = None
    commune_era: UnitEra = UnitEra.CURRENT
    address_line: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def _text(problems: Problems, name: str, value: str | None, *, required: bool) -> str | None:
    text = nfc_or_none(value)
    if text is None and required:
        problems.add(name, TraceErrorCode.REQUIRED, "Trường này là bắt buộc.", "This field is required.")
    elif text is not None and len(text) > 255:
        problems.add(name, TraceErrorCode.TOO_LONG, "Tối đa 255 ký tự.", "At most 255 characters.")
    return text


def _coordinates(problems: Problems, latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        problems.add(
            "latitude" if latitude is None else "longitude",
            TraceErrorCode.REQUIRED,
            "Cần cả vĩ độ và kinh độ.",
            "Latitude and longitude go together.",
        )
    if latitude is not None and not -90 <= latitude <= 90:
        problems.add("latitude", TraceErrorCode.OUT_OF_RANGE, "Vĩ độ từ -90 đến 90.", "Between -90 and 90.")
    if longitude is not None and not -180 <= longitude <= 180:
        problems.add(
            "longitude", TraceErrorCode.OUT_OF_RANGE, "Kinh độ từ -180 đến 180.", "Between -180 and 180."
        )


async def create_location(data: LocationData, reach: Reach) -> Location:
    """Create a location of a producer (its members, its province's officers, central admins) or a shared one
    (officers of its commune's province, central admins). Text is stored NFC; the GLN is check-digit
    verified and unique."""
    producer: Producer | None = None
    if data.producer_id is not None:
        producer = await Producer.get_or_none(id=data.producer_id)
        if producer is None or not trace_policy.may_create_location(reach, producer, None):
            if producer is None and reach.everything:
                raise DomainError(
                    [
                        FieldProblem(
                            "producerId", TraceErrorCode.NOT_FOUND, "Không có cơ sở này.", "No such producer."
                        )
                    ]
                )
            raise policy.deny(reach, "producerId")
    elif not trace_policy.may_create_shared_locations(reach):
        raise policy.deny(reach, "producerId")
    problems = Problems()
    name = _text(problems, "name", data.name, required=True)
    address_line = _text(problems, "addressLine", data.address_line, required=False)
    gln = clean_gln(problems, data.gln)
    if gln is not None and await Location.exists(gln=gln):
        problems.add("gln", TraceErrorCode.UNIQUE, "GLN này đã được dùng.", "This GLN is already in use.")
    commune: AdminUnit | None = None
    if data.commune_code and data.commune_code.strip():
        commune = await find_commune(data.commune_code, data.commune_era)
        if commune is None:
            problems.add(
                "communeCode", TraceErrorCode.NOT_FOUND, "Không có xã/phường này.", "No such commune."
            )
    elif producer is None and not reach.everything:
        problems.add(
            "communeCode",
            TraceErrorCode.REQUIRED,
            "Địa điểm dùng chung cần xã/phường.",
            "A shared location needs its commune.",
        )
    _coordinates(problems, data.latitude, data.longitude)
    problems.raise_if_any()
    if producer is None and not trace_policy.may_create_location(reach, None, commune):
        raise policy.deny(reach, "communeCode")
    return await Location.create(
        name=name,
        kind=data.kind,
        gln=gln,
        commune_id=commune.id if commune else None,
        address_line=address_line,
        latitude=data.latitude,
        longitude=data.longitude,
        producer_id=producer.id if producer else None,
    )


async def usable_locations(ids: set[int], reach: Reach) -> dict[int, Location]:
    """Of these location ids, those that exist and the actor may see (and so name on its events)."""
    if not ids:
        return {}
    found = await Location.filter(id__in=sorted(ids))
    owners = {loc.producer_id for loc in found if loc.producer_id is not None}
    producers = {p.id: p for p in await Producer.filter(id__in=sorted(owners))} if owners else {}
    return {
        loc.id: loc
        for loc in found
        if trace_policy.sees_location(reach, loc, producers.get(loc.producer_id) if loc.producer_id else None)
    }


async def check_places(
    read_point_id: int | None, biz_location_id: int | None, reach: Reach, problems: Problems
) -> None:
    """An event's read point and business location exist and the actor may name them (else not found, so
    that a guessed ID reveals nothing)."""
    places = (("readPointId", read_point_id), ("bizLocationId", biz_location_id))
    usable = await usable_locations({i for _, i in places if i is not None}, reach)
    for name, location_id in places:
        if location_id is not None and location_id not in usable:
            problems.add(name, TraceErrorCode.NOT_FOUND, "Không có địa điểm này.", "No such location.")


# -- attached documents -------------------------------------------------------------------------------------


def _document_url_ok(url: str, base_url: str) -> bool:
    """https, or our own public address (which may be http in development)."""
    if len(url) > MAX_URL_LENGTH or not epcis.is_absolute_uri(url):
        return False
    parts, ours = urlsplit(url), urlsplit(base_url)
    if parts.scheme.lower() == "https":
        return True
    return (parts.scheme.lower(), parts.netloc.lower()) == (ours.scheme.lower(), ours.netloc.lower())


def clean_documents(
    documents: Sequence[dict[str, Any]], base_url: str, problems: Problems
) -> list[dict[str, str]]:
    """Documents attached to an event, as stored and hashed: `{"type", "url", "title"?}` with a type of
    DOCUMENT_TYPES, a trimmed https URL (or one on our public address `base_url`) and an NFC title; at most
    MAX_DOCUMENTS. Adds a problem per bad entry (`documents.{index}.{key}`)."""
    if len(documents) > MAX_DOCUMENTS:
        problems.add(
            "documents",
            TraceErrorCode.OUT_OF_RANGE,
            f"Tối đa {MAX_DOCUMENTS} tài liệu mỗi sự kiện.",
            f"At most {MAX_DOCUMENTS} documents per event.",
        )
    cleaned: list[dict[str, str]] = []
    for index, item in enumerate(documents):
        kind, raw_url, raw_title = item.get("type"), item.get("url"), item.get("title")
        if kind not in DOCUMENT_TYPES:
            problems.add(
                f"documents.{index}.type",
                TraceErrorCode.INVALID,
                f"Loại tài liệu: {', '.join(DOCUMENT_TYPES)}.",
                f"Document types: {', '.join(DOCUMENT_TYPES)}.",
            )
        url = raw_url.strip() if isinstance(raw_url, str) else ""
        if not _document_url_ok(url, base_url):
            problems.add(
                f"documents.{index}.url",
                TraceErrorCode.INVALID,
                "Cần một địa chỉ https (ký tự có dấu phải được mã hoá %).",
                "An https URL is required (non-ASCII characters percent-encoded).",
            )
        title = nfc_or_none(raw_title) if isinstance(raw_title, str) else None
        if title is not None and len(title) > 255:
            problems.add(
                f"documents.{index}.title",
                TraceErrorCode.TOO_LONG,
                "Tối đa 255 ký tự.",
                "At most 255 characters.",
            )
        entry = {"type": str(kind), "url": url}
        if title:
            entry["title"] = title
        cleaned.append(entry)
    return cleaned


@dataclass(frozen=True, slots=True)
class LocationFilterData:
    producer_id: int | None = None
    kind: LocationKind | None = None
    gln: str | None = None


def location_query(filters: LocationFilterData, *, visibility: Q | None) -> QuerySet[Location]:
    """Locations matching `filters` among those `visibility` lets the actor list (None: all; see
    services.policy.trace.location_visibility)."""
    query = Location.all()
    if visibility is not None:
        query = query.filter(visibility)
    if filters.producer_id is not None:
        query = query.filter(producer_id=filters.producer_id)
    if filters.kind is not None:
        query = query.filter(kind=filters.kind)
    if filters.gln:
        query = query.filter(gln=filters.gln.strip())
    return query
