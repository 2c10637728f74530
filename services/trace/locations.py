"""What events point to. Locations: farms, facilities, warehouses, shops and fair booths, named by events as
their read point (where an event was observed) or business location (where the goods are afterwards); who
may create and see them: services/policy/trace.py. Attached documents: certificates, lab results, photos,
invoices, by URL.

External locations: a partner's place an event names by its SGLN or GLN Digital Link (services.trace.location_ids)
is kept as a Location of kind `external` with that identifier, verbatim and once (`external_location_ids`, within
the event's transaction: a refused event leaves nothing). It is shown by its GLN, or by the name a producer whose
events reference it gives it (`name_external_location`, `ExternalLocationName`: per producer and place, under a
digest that `altered_names` verifies for the lot integrity check)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import (
    AdminUnit,
    Batch,
    EventQuantity,
    ExternalLocationName,
    Location,
    LocationKind,
    Producer,
    TraceEvent,
    UnitEra,
)
from services.common import clock, page_cache
from services.common.errors import DomainError, FieldProblem, Problems
from services.common.text import nfc_or_none
from services.policy import Reach
from services.policy import registry as policy
from services.policy import trace as trace_policy
from services.registry.manage import clean_gln, find_commune
from services.trace import epcis, location_ids, snapshot
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
    if data.kind is LocationKind.EXTERNAL:
        problems.add(
            "kind",
            TraceErrorCode.INVALID,
            "Địa điểm của đối tác được tạo khi sự kiện gọi đến mã SGLN/GLN của nó.",
            "A partner's location is made when an event names its SGLN or GLN Digital Link.",
        )
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


# -- external locations: partners' places -------------------------------------------------------------------


async def our_locations(uris: Iterable[str], base_url: str) -> dict[str, int]:
    """Our locations named by the URIs services.trace.events.location_uri writes for them: `{base}/locations/{id}`
    or, for one with a GLN, `https://id.gs1.org/414/{gln}`. Partners' (external) locations are not among them."""
    prefix = base_url.rstrip("/") + "/locations/"
    wanted = set(uris)
    by_id = {
        uri: int(uri[len(prefix) :]) for uri in wanted if re.fullmatch(re.escape(prefix) + r"[0-9]{1,9}", uri)
    }
    by_gln = {
        uri: uri.rsplit("/", 1)[1]
        for uri in wanted
        if re.fullmatch(r"https://id\.gs1\.org/414/[0-9]{13}", uri)
    }
    found: dict[str, int] = {}
    ours = Location.filter(identifier__isnull=True)
    if by_id:
        rows = await ours.filter(id__in=sorted(set(by_id.values()))).values_list("id", flat=True)
        known = {int(cast(int, ident)) for ident in rows}
        found |= {uri: ident for uri, ident in by_id.items() if ident in known}
    if by_gln:
        glns = dict(await ours.filter(gln__in=sorted(set(by_gln.values()))).values_list("gln", "id"))
        found |= {uri: glns[gln] for uri, gln in by_gln.items() if gln in glns}
    return found


def partner_identifier_problem(uri: str, base_url: str) -> tuple[str, str] | None:
    """Why `uri`, which names none of our locations (see our_locations), cannot name a partner's place either:
    (English, Vietnamese), or None when it is a well-formed SGLN or GLN Digital Link, or a URI in no GS1 scheme
    (location_ids.is_other_place: a `geo:` URI...). A malformed GS1 identifier is refused."""
    if uri.startswith(base_url.rstrip("/") + "/locations/"):
        return f"no location of ours is {uri}", f"không có địa điểm {uri}"
    try:
        location_ids.parse(uri)
    except location_ids.LocationIdError as exc:
        if location_ids.is_other_place(uri):
            return None
        return exc.message_en, exc.message_vi
    return None


async def external_location_ids(uris: Iterable[str], conn: BaseDBAsyncClient) -> dict[str, int]:
    """The external location of each identifier (checked by location_ids.parse before), made if new: at most one
    row per identifier, also when two requests capture it at once (an insert that ignores the conflict, then a
    read). Runs in the caller's transaction (`conn`), so that a refused event leaves no location behind."""
    wanted = sorted(set(uris))
    if not wanted:
        return {}
    parsed = {uri: location_ids.parse_or_none(uri) for uri in wanted}  # else a place in no GS1 scheme
    await Location.bulk_create(
        [
            Location(name=p.hri() if p else uri, kind=LocationKind.EXTERNAL, identifier=uri)
            for uri, p in parsed.items()
        ],
        ignore_conflicts=True,
        using_db=conn,
    )
    rows = await Location.filter(identifier__in=wanted).using_db(conn).values_list("identifier", "id")
    return {cast(str, identifier): cast(int, ident) for identifier, ident in rows}


def _place_of(location: Location) -> str | None:
    parsed = location_ids.parse_or_none(location.identifier) if location.identifier else None
    return parsed.place if parsed else None


def name_digest(producer_id: int, place: str, name: str) -> str:
    """What an ExternalLocationName's digest is: sha256 over the producer, the place and the name."""
    return hashlib.sha256(f"external-location-name:1|{producer_id}|{place}|{name}".encode()).hexdigest()


async def _names(
    producer_id: int, locations: Iterable[Location]
) -> tuple[dict[int, str], list[ExternalLocationName]]:
    places = {loc.id: place for loc in locations if (place := _place_of(loc)) is not None}
    if not places:
        return places, []
    rows = await ExternalLocationName.filter(producer_id=producer_id, place__in=sorted(set(places.values())))
    return places, rows


async def given_names(producer_id: int, locations: Iterable[Location]) -> dict[int, str]:
    """The names the producer gave to the external ones of `locations`, by location id (one query, none when
    there is no external location)."""
    places, rows = await _names(producer_id, locations)
    names = {row.place: row.name for row in rows}
    return {ident: names[place] for ident, place in places.items() if place in names}


async def altered_names(batch_id: int, locations: Iterable[Location]) -> set[int]:
    """The external ones of `locations` whose name, as the lot's producer gave it, no longer matches its digest:
    changed outside name_external_location. The lot integrity check reports them (as shown details changed)."""
    listed = list(locations)
    if not any(loc.identifier for loc in listed):
        return set()
    producer_ids = await Batch.filter(id=batch_id).values_list("product__producer_id", flat=True)
    if not producer_ids:
        return set()
    places, rows = await _names(int(cast(int, producer_ids[0])), listed)
    bad = {row.place for row in rows if row.digest != name_digest(row.producer_id, row.place, row.name)}
    return {ident for ident, place in places.items() if place in bad}


def place_label(location: Location, lang: str, given: str | None = None) -> str:
    """How a page names a location: ours by its name; a partner's by its GLN, after the name its producer gave it."""
    parsed = location_ids.parse_or_none(location.identifier) if location.identifier else None
    if parsed is None:
        return location.name
    return f"{given} ({parsed.label(lang)})" if given else parsed.label(lang)


def _not_referenced() -> DomainError:
    return DomainError(
        [
            FieldProblem(
                "locationId",
                TraceErrorCode.NOT_FOUND,
                "Không có địa điểm đối tác nào như vậy trong các sự kiện của cơ sở.",
                "No such partner location on this producer's events.",
            )
        ]
    )


async def name_external_location(
    location_id: int, producer_id: int, name: str | None, reach: Reach, actor_id: int | None = None
) -> tuple[Location, str | None]:
    """Give a partner's location the name it shows by on the producer's trace pages (None or blank: show it by its
    GLN again). For those who manage the producer, and only for a location its lots' events name. Returns the
    location and the name now given. Names are per producer and place; the digest is written with the name."""
    producer = await Producer.get_or_none(id=producer_id)
    if producer is None or not policy.may_manage_producer(reach, producer):
        if producer is None and reach.everything:
            raise DomainError(
                [
                    FieldProblem(
                        "producerId", TraceErrorCode.NOT_FOUND, "Không có cơ sở này.", "No such producer."
                    )
                ]
            )
        raise policy.deny(reach, "producerId")
    location = await Location.get_or_none(id=location_id, kind=LocationKind.EXTERNAL)
    place = _place_of(location) if location is not None else None
    if location is None or place is None:
        raise _not_referenced()
    events_of_producer = EventQuantity.filter(batch__product__producer_id=producer.id).values("event_id")
    referenced = await TraceEvent.filter(
        Q(read_point_id=location.id, biz_location_id=location.id, join_type="OR"),
        id__in=Subquery(events_of_producer),
    ).exists()
    if not referenced:
        raise _not_referenced()
    problems = Problems()
    text = _text(problems, "name", name, required=False)
    problems.raise_if_any()
    async with in_transaction() as conn:
        current = (
            await ExternalLocationName.filter(producer_id=producer.id, place=place)
            .using_db(conn)
            .select_for_update()
            .first()
        )
        if text is None:
            if current is not None:
                await ExternalLocationName.filter(id=current.id).using_db(conn).delete()
        elif current is None:
            await ExternalLocationName.create(
                producer_id=producer.id,
                place=place,
                name=text,
                named_at=clock.now(),
                actor_id=actor_id,
                digest=name_digest(producer.id, place, text),
                using_db=conn,
            )
        else:
            await (
                ExternalLocationName.filter(id=current.id)
                .using_db(conn)
                .update(
                    name=text,
                    named_at=clock.now(),
                    actor_id=actor_id,
                    digest=name_digest(producer.id, place, text),
                )
            )
    await snapshot.stale_for_producer(
        producer.id
    )  # its lots show the name (a QuerySet update sends no signal)
    await page_cache.invalidate_everywhere()
    return location, text
