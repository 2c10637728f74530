"""Conformance (issue 14): GS1's own example EPCIS 2.0 documents (tests/trace/epcis_corpus/), made about our lots
(tests/trace/corpus.py), are captured whole through POST /epcis/capture and come back through GET /epcis/events:
every answer validates against GS1's JSON Schema, and each event comes back as it was sent (modulo recordTime and
the eventID we assign: its CBV 2.0 hash, which is also the hash of the event as the partner sent it)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import orjson
from httpx import AsyncClient

from models import Role
from services.trace import epcis, epcis_hash, epcis_validation
from services.trace.epcis_capture import document_namespaces
from services.trace.epcis_identifiers import canonical_identifier
from tests.conftest import Database
from tests.factories import token_for
from tests.trace.corpus import catalogue, corpus_files, events_of, load, map_document, names_a_lot

IDENTIFIER_KEYS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
QUANTITY_KEYS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


def canonical_event(event: dict[str, Any]) -> dict[str, Any]:
    """An event in a form where two spellings of one EPCIS event are equal: without eventID, recordTime and
    @context; identifiers in GS1's canonical Digital Link form; times as instants; CBV terms as bare words;
    quantities as numbers; list order ignored (EPCIS lists are sets), empty lists as absent."""
    out = {
        key: value
        for key, value in event.items()
        if key not in ("eventID", "recordTime", "@context") and value != []  # an empty list is no list
    }
    out["eventTime"] = dt.datetime.fromisoformat(event["eventTime"].upper()).timestamp()
    for key in IDENTIFIER_KEYS:
        if key in out:
            out[key] = sorted(canonical_identifier(epc) for epc in out[key])
    if "parentID" in out:
        out["parentID"] = canonical_identifier(out["parentID"])
    for key in QUANTITY_KEYS:
        if key in out:
            out[key] = sorted(
                (
                    canonical_identifier(element["epcClass"]),
                    None if element.get("quantity") is None else Decimal(str(element["quantity"])),
                    element.get("uom"),
                )
                for element in out[key]
            )
    if isinstance(out.get("certificationInfo"), str):
        out["certificationInfo"] = [out["certificationInfo"]]
    if "bizStep" in out:
        out["bizStep"] = epcis.normalize_vocabulary(out["bizStep"], "bizStep")
    if "disposition" in out:
        out["disposition"] = epcis.normalize_vocabulary(out["disposition"], "disposition")
    plain: dict[str, Any] = json.loads(json.dumps(out, default=str, sort_keys=True))
    return plain


def as_sent(event: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The event with the prefixes its document declares, as one hashes it alone."""
    namespaces = document_namespaces(document.get("@context"))
    return {**event, "@context": namespaces} if namespaces else event


async def every_event(client: AsyncClient, token: str) -> list[dict[str, Any]]:
    """Every event the caller sees, page by page; each answer validated against GS1's JSON Schema."""
    found: list[dict[str, Any]] = []
    params = {"perPage": "100"}
    while True:
        response = await client.get(
            "/epcis/events", params=params, headers={"authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        document = response.json()
        assert epcis_validation.validate(document) == []
        found += document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        token_header = response.headers.get("gs1-next-page-token") or response.headers.get(
            "GS1-Next-Page-Token"
        )
        if not token_header:
            return found
        params = {"perPage": "100", "nextPageToken": token_header}


async def test_gs1_examples_are_captured_whole_and_come_back_the_same(
    client: AsyncClient, db: Database
) -> None:
    ours = await catalogue()
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=ours.producer_id)
    files = corpus_files()
    assert len(files) == 47
    sent: list[tuple[str, dict[str, Any], list[str]]] = []  # (file, mapped document, eventIDs)
    refused = []
    for path in files:
        document = await map_document(load(path), ours)
        assert epcis_validation.validate(document) == [], path.name
        response = await client.post(
            "/epcis/capture",
            content=orjson.dumps(document),
            headers={"authorization": f"Bearer {member}", "content-type": "application/ld+json"},
        )
        if names_a_lot(document):
            assert response.status_code == 202, f"{path.name}: {response.text}"
            job = response.json()
            assert len(job["eventIDs"]) == len(events_of(document))
            sent.append((path.name, document, job["eventIDs"]))
        else:
            assert response.status_code == 400, f"{path.name}: {response.text}"
            problem = response.json()
            assert problem["type"] == "epcisException:ValidationException"
            assert problem.get("reason") == "noLotOfOurs", (path.name, problem)
            refused.append(path.name)
    assert len(sent) == 35, refused
    returned: dict[str, list[dict[str, Any]]] = {}
    for event in await every_event(client, member):
        returned.setdefault(event["eventID"], []).append(event)
    for name, document, event_ids in sent:
        for event, event_id in zip(events_of(document), event_ids, strict=True):
            # The eventID is GS1's CBV 2.0 hash of the event as the partner sent it...
            assert event_id == epcis_hash.event_hash(as_sent(event, document)), name
            candidates = returned[event_id]
            same = [c for c in candidates if canonical_event(c) == canonical_event(event)]
            # ...and the event comes back with every field it was sent with.
            assert same, f"{name}: {canonical_event(event)} != {[canonical_event(c) for c in candidates]}"
            assert epcis_hash.event_hash(same[0]) == event_id
