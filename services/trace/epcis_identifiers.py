"""Identifiers and field names of captured EPCIS 2.0 events, in the one canonical form that storage and queries
share (models.trace.EventIdentifier.value, EventField.name):

- `canonical_identifier`: an EPC URN (sgtin, sscc, sgln, lgtin class, idpat patterns...) or a GS1 Digital Link on
  any host, as GS1's canonical `https://id.gs1.org/...` Digital Link at its finest key level (GS1's own
  normaliser, the one the CBV 2.0 event hash uses: epcis-event-hash-generator's `dl_normaliser`); anything else
  (urn:uuid, our `/p/{code}` links, private URIs) as received.
- `expand_name`: a field name (a CURIE such as `cbvmda:lotNumber` or `example:myField`, or a full IRI) as its full
  IRI, with the event's namespaces and the EPCIS context's prefixes.
- `indexed_values`: the queryable values of a field (EventField rows: text, number, time).

Nothing here touches the database."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, Protocol

from services.trace import epcis_hash
from services.trace.epcis import is_date_time

# The prefixes the EPCIS 2.0 JSON-LD context defines (ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld).
CONTEXT_PREFIXES = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
TEXT_INDEX_LENGTH = 255  # models.trace.EventField.text_value


class _Normaliser(Protocol):
    def __call__(self, uri: str) -> str | None: ...


@cache
def _normaliser() -> _Normaliser:
    epcis_hash.hash_library_loaded()  # imports the package with its sys.path side effect undone
    from epcis_event_hash_generator.dl_normaliser import normaliser  # type: ignore[import-untyped]

    normalise: _Normaliser = normaliser
    return normalise


def canonical_identifier(uri: str) -> str:
    """The canonical form of an identifier (see the module docstring); `uri` itself when GS1's normaliser does
    not recognise it."""
    try:
        found = _normaliser()(uri)
    except (ValueError, IndexError):  # a URN that matches a pattern but not its arithmetic
        found = None
    return found if isinstance(found, str) else uri


def expand_name(name: str, namespaces: Mapping[str, str] | None = None) -> str:
    """A field name as its full IRI: `prefix:local` with the prefix of `namespaces` or of the EPCIS context; a
    name that is already an IRI, or whose prefix is unknown, as given."""
    prefix, colon, local = name.partition(":")
    if not colon or local.startswith("//"):
        return name
    iri = (namespaces or {}).get(prefix) or CONTEXT_PREFIXES.get(prefix)
    return iri + local if iri else name


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, str) and is_date_time(value):
        return dt.datetime.fromisoformat(value.upper())
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


type IndexedValue = tuple[str, bool, str | None, float | None, dt.datetime | None]


def indexed_values(
    fields: Mapping[str, Any], namespaces: Mapping[str, str] | None, *, inner: bool = False
) -> Iterator[IndexedValue]:
    """(name IRI, inner, text, number, time) for each scalar in `fields` (an ilmd or the event's extensions):
    arrays give one value per element, objects none for themselves and inner values for their fields."""
    for key, value in fields.items():
        if key.startswith("@"):
            continue
        yield from _values(expand_name(key, namespaces), value, namespaces, inner)


def _values(
    name: str, value: Any, namespaces: Mapping[str, str] | None, inner: bool
) -> Iterator[IndexedValue]:
    if isinstance(value, Mapping):
        yield from indexed_values(value, namespaces, inner=True)
    elif isinstance(value, list):
        for item in value:
            yield from _values(name, item, namespaces, inner)
    elif value is not None:
        yield name, inner, _text(value)[:TEXT_INDEX_LENGTH], _number(value), _time(value)
