"""GS1's example EPCIS 2.0 documents (tests/trace/epcis_corpus/, see its README) made about our lots: the mapping
step of the conformance test. Each product identifier of an example (SGTIN, LGTIN and GTIN pattern EPC URIs, GTIN
Digital Links with a lot or serial) is replaced by one of ours in the same form: each foreign GTIN by one of our
products' GTINs, each foreign lot by a lot of that product, each foreign serial by a serial our labels issued for
the product's first lot. Everything else (locations, parties, assets, sensors, extensions) stays as GS1 wrote it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from models import Batch, Product
from services.common.gs1 import check_digit
from services.labels import runs
from services.labels.runs import LabelRunData
from services.policy import SYSTEM
from services.trace.epcis_identifiers import canonical_identifier
from tests.factories import make_batch, make_producer, make_product

CORPUS = Path(__file__).parent / "epcis_corpus" / "JSON"
BASE = "https://ocop.test"
SERIALS_ISSUED = 200  # per product, on its first lot
COMPANY_PREFIX = "893456313"  # nine digits: an SGTIN URN of our GTIN-14 splits as 9 + (indicator + 3)
PRODUCT_COUNT = 8


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.jsonld"))


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def events_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    body = document["epcisBody"]
    found: list[dict[str, Any]] = (
        body["queryResults"]["resultsBody"]["eventList"] if "queryResults" in body else body["eventList"]
    )
    return found


def our_gtin14(index: int) -> str:
    body = f"0{COMPANY_PREFIX}{index:03d}"  # indicator 0, prefix, item reference: 13 digits
    return body + str(check_digit(body))


@dataclass
class Catalogue:
    """Our products (with GTINs) and lots the corpus is mapped to. Each document is mapped afresh (the same GS1
    event appears in several examples, and an event is recorded once): its foreign GTINs to our products, its lots
    to lots not used by an earlier document (made by `materialise`), its serials to serials not used before."""

    producer_id: int
    products: list[Product]
    lots: dict[str, Batch]  # by lot code
    gtins: dict[str, int] = field(default_factory=dict)  # foreign GTIN-14 -> product index (this document)
    lot_codes: dict[tuple[str, str], str] = field(default_factory=dict)  # (foreign GTIN, lot) -> ours (idem)
    serials: dict[tuple[str, str], str] = field(default_factory=dict)  # (foreign GTIN, serial) -> ours (idem)
    next_lot: dict[int, int] = field(default_factory=dict)  # product index -> lots used so far
    next_serial: dict[int, int] = field(default_factory=dict)  # product index -> serials used so far
    documents: int = 0

    def begin_document(self) -> None:
        self.gtins, self.lot_codes, self.serials = {}, {}, {}
        self.documents += 1

    def product_of(self, gtin: str) -> int:
        return self.gtins.setdefault(gtin, (self.documents + len(self.gtins)) % len(self.products))

    def gtin_of(self, gtin: str) -> str:
        return our_gtin14(self.product_of(gtin) + 1)

    def lot_of(self, gtin: str, lot: str, output: bool = False) -> str:
        """Our lot for a foreign lot; as a transformation's output, another one (GS1's "all possible fields"
        transformation makes its input lots into themselves, a cycle ocop-hub's lineage refuses)."""
        index = self.product_of(gtin)
        key = (gtin, lot + ("\0output" if output else ""))
        if key not in self.lot_codes:
            self.next_lot[index] = self.next_lot.get(index, 0) + 1
            self.lot_codes[key] = f"GS1-{index + 1}-{self.next_lot[index]}"
        return self.lot_codes[key]

    def serial_of(self, gtin: str, serial: str) -> str:
        index = self.product_of(gtin)
        if (gtin, serial) not in self.serials:
            self.next_serial[index] = self.next_serial.get(index, 0) + 1
            assert self.next_serial[index] <= SERIALS_ISSUED
            self.serials[(gtin, serial)] = str(self.next_serial[index])
        return self.serials[(gtin, serial)]

    def first_lot(self, gtin: str) -> str:
        return f"GS1-{self.product_of(gtin) + 1}-0"

    async def materialise(self) -> None:
        """Make the lots the current document was mapped to (no production date: GS1's examples happened in
        2005-2020)."""
        for (gtin, _), code in self.lot_codes.items():
            if code not in self.lots:
                product = self.products[self.product_of(gtin)]
                self.lots[code] = await make_batch(product, code, production_date=None)


async def catalogue() -> Catalogue:
    """Our products, each with a first lot (`GS1-{n}-0`) that has SERIALS_ISSUED serialised labels printed."""
    producer = await make_producer()
    products = []
    lots: dict[str, Batch] = {}
    for index in range(PRODUCT_COUNT):
        gtin13 = our_gtin14(index + 1)[1:]
        product = await make_product(producer, name=f"Sản phẩm mẫu {index + 1}", gtin=gtin13)
        products.append(product)
        first = await make_batch(product, f"GS1-{index + 1}-0", production_date=None)
        lots[first.lot_code] = first
        await runs.create_label_run(
            LabelRunData(batch_id=first.id, template="L7160", count=SERIALS_ISSUED, serialized=True),
            SYSTEM,
            user_id=None,
            base_url=BASE,
        )
    return Catalogue(producer.id, products, lots)


def _urn_parts(gtin14: str) -> tuple[str, str]:
    """Company prefix and item reference (indicator first) of one of our GTIN-14s, for EPC URNs."""
    return gtin14[1:10], gtin14[0] + gtin14[10:13]


def map_identifier(uri: str, ours: Catalogue, output: bool = False) -> str:
    """One identifier of an example, as the same kind of identifier of ours (in the same form); any other
    identifier (an SSCC, a GRAI, a location) unchanged."""
    canonical = canonical_identifier(uri)
    prefix = "https://id.gs1.org/01/"
    if not canonical.startswith(prefix):
        return uri
    segments = canonical[len(prefix) :].split("/")
    gtin = segments[0]
    qualifier = dict(zip(segments[1::2], segments[2::2], strict=True))
    mine = ours.gtin_of(gtin)
    company, item = _urn_parts(mine)
    if uri.startswith("urn:epc:id:sgtin:"):
        return f"urn:epc:id:sgtin:{company}.{item}.{ours.serial_of(gtin, qualifier['21'])}"
    if uri.startswith("urn:epc:class:lgtin:"):
        return f"urn:epc:class:lgtin:{company}.{item}.{ours.lot_of(gtin, qualifier['10'], output)}"
    if uri.startswith("urn:epc:idpat:sgtin:"):
        return f"urn:epc:idpat:sgtin:{company}.{item}.*"
    parts = urlsplit(uri)
    host = f"{parts.scheme}://{parts.netloc}"
    if "21" in qualifier:
        return f"{host}/01/{mine}/10/{ours.first_lot(gtin)}/21/{ours.serial_of(gtin, qualifier['21'])}"
    if "10" in qualifier:
        return f"{host}/01/{mine}/10/{ours.lot_of(gtin, qualifier['10'], output)}"
    return f"{host}/01/{mine}"


def _each_identifier(event: dict[str, Any], change: Callable[[str, bool], str]) -> None:
    """Apply `change(identifier, is_output)` to each identifier of the event."""
    for key in ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"):
        for element in event.get(key) or []:
            element["epcClass"] = change(element["epcClass"], key.startswith("output"))
    for key in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        if key in event:
            event[key] = [change(epc, key.startswith("output")) for epc in event[key]]
    if isinstance(event.get("parentID"), str):
        event["parentID"] = change(event["parentID"], False)


async def map_document(document: dict[str, Any], ours: Catalogue) -> dict[str, Any]:
    """A copy of an example document about our products, lots and serials (its lots made)."""
    ours.begin_document()
    mapped = copy.deepcopy(document)
    for event in events_of(mapped):
        _each_identifier(event, lambda uri, output: map_identifier(uri, ours, output))
    await ours.materialise()
    return mapped


def names_a_lot(document: dict[str, Any]) -> bool:
    """Whether an example names a lot or a serialised unit of a trade item at all: those that do not (returnable
    assets, sensors, rail cars, no identifier) cannot be about a lot of ours."""
    found: list[str] = []

    def collect(uri: str, _output: bool) -> str:
        found.append(canonical_identifier(uri))
        return uri

    for event in events_of(copy.deepcopy(document)):
        _each_identifier(event, collect)
    return any(uri.startswith("https://id.gs1.org/01/") and ("/10/" in uri or "/21/" in uri) for uri in found)
