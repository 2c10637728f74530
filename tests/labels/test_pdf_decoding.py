"""Label PDFs read back as a scanner and a reader would: every page rasterised (pypdfium2) at office-printer
resolution (300 dpi) and at a poor one (150 dpi), every QR decoded with zxing-cpp, and the text extracted.

A page must carry exactly the links of the labels printed on it, each in the slot it was meant for, as QR
codes with error correction M; a serialised run's links must lead through our GS1 resolver; the Vietnamese
text must come out as written (NFC), in fonts embedded in the file.
"""

from __future__ import annotations

import ctypes
import io
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from httpx import AsyncClient
from pdfminer.high_level import extract_text
from pdfminer.layout import LAParams

from services.common import storage
from services.labels import pdf, runs
from services.labels.runs import LabelRunData
from services.trace.identity import product_code
from tests.factories import make_batch, make_producer, make_product
from tests.labels.factories import BASE, system_run
from tests.labels.pdfcheck import (
    GRIDS,
    PRODUCER,
    PRODUCT,
    ROLLS,
    TEMPLATES,
    Read,
    expected_by_page,
    job,
    scan_pages,
)


def full_page_and_a_few(code: str) -> int:
    """One full page and 3 labels on the next (a roll's page is one label: 3 labels)."""
    return 3 if code in ROLLS else GRIDS[code].per_page + 3


def assert_page_reads(code: str, reads: list[Read], expected: dict[int, str], page: int) -> None:
    where = f"{code} page {page + 1}"
    assert Counter(r.text for r in reads) == Counter(expected.values()), where
    assert all(r.is_qr for r in reads), where
    assert {r.ec_level for r in reads} == {"M"}, where
    grid = GRIDS[code]
    found = {}
    for read in reads:
        slot = grid.slot_at(*read.centre_mm)
        assert slot is not None, f"{where}: a code outside every label, at {read.centre_mm}"
        found[slot] = read.text
    assert found == expected, f"{where}: codes in the wrong slots"


@pytest.mark.parametrize("dpi", [300, 150])
@pytest.mark.parametrize("serialized", [False, True], ids=["lot", "serial"])
@pytest.mark.parametrize("code", TEMPLATES)
def test_every_page_scans_to_exactly_its_labels_links(code: str, serialized: bool, dpi: int) -> None:
    j = job(code, full_page_and_a_few(code), serialized=serialized, first_serial=981)
    expected = expected_by_page(j)
    pages = scan_pages(pdf.labels_pdf(j), dpi)
    assert len(pages) == len(expected) == (3 if code in ROLLS else 2)
    for number, (reads, wanted) in enumerate(zip(pages, expected, strict=True)):
        assert_page_reads(code, reads, wanted, number)
    if serialized:  # every unit has its own code
        assert len({j.link(i) for i in range(j.count)}) == j.count


def test_start_at_slot_n_fills_the_rest_of_a_part_used_sheet() -> None:
    grid = GRIDS["L7160"]
    j = job("L7160", 15, serialized=True, start_slot=10)
    pages = scan_pages(pdf.labels_pdf(j), 300)
    assert [len(p) for p in pages] == [12, 3]  # slots 10-21 of the first sheet, then 1-3 of the next
    first = {grid.slot_at(*r.centre_mm): r.text for r in pages[0]}
    assert first[9] == j.link(0)  # slot 10 (row 4, column 1) holds the first label
    assert first[20] == j.link(11)
    assert not set(range(9)) & set(first)  # slots 1-9 (already used) stay blank
    second = {grid.slot_at(*r.centre_mm): r.text for r in pages[1]}
    assert second == {0: j.link(12), 1: j.link(13), 2: j.link(14)}


async def test_a_serialised_runs_codes_lead_through_the_resolver(
    db: object, client: AsyncClient, media: Path
) -> None:
    producer = await make_producer(name=PRODUCER)
    product = await make_product(producer, name=PRODUCT)
    batch = await make_batch(product, "BP-2026-11")
    run = await system_run(LabelRunData(batch_id=batch.id, template="L7160", count=4, serialized=True))
    key, _ = await runs.output(run, "pdf")
    (reads,) = scan_pages(await storage.current().read_bytes(key), 300)
    links = sorted(r.text for r in reads)
    assert len(links) == 4
    assert len(set(links)) == 4
    for link in links:
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc) == ("https", "ocop.test")
        assert parts.path.endswith(tuple(f"/10/BP-2026-11/21/{n}" for n in range(1, 5)))
        response = await client.get(parts.path, follow_redirects=False)
        assert response.status_code == 307, (link, response.text)
        # ... to the lot's public trace page.
        assert (
            response.headers["location"]
            == f"{BASE}/t/{product_code(product.id)}/BP-2026-11?serial={parts.path.rsplit('/', 1)[1]}"
        )


def text_of(data: bytes) -> str:
    # all_texts: the text every label shares is drawn once in a form XObject.
    return extract_text(io.BytesIO(data), laparams=LAParams(all_texts=True))


@pytest.mark.parametrize("code", TEMPLATES)
def test_vietnamese_text_reads_back_exactly_in_embedded_fonts(code: str) -> None:
    j = job(code, 2, serialized=True)
    data = pdf.labels_pdf(j)
    text = text_of(data)
    assert unicodedata.is_normalized("NFC", text)
    # The name may wrap over two lines; read with single spaces it is the product name, letter for letter.
    words = " ".join(text.split())
    assert PRODUCT in words
    assert unicodedata.normalize("NFD", PRODUCT) not in text
    assert "Lô: BP-2026-11" in words
    if code == "L7163":  # the widest label: the producer's name fits whole
        assert PRODUCER in words
    # Every piece of text, in the page or in the shared form, is set in an embedded Be Vietnam Pro.
    doc = pypdfium2.PdfDocument(data)
    try:
        fonts = {}
        for obj in doc[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=4):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            name = ctypes.create_string_buffer(128)
            pdfium_c.FPDFFont_GetBaseFontName(font, name, 128)
            fonts[name.value.decode()] = bool(pdfium_c.FPDFFont_GetIsEmbedded(font))
    finally:
        doc.close()
    assert fonts == {"BeVietnamPro-SemiBold": True, "BeVietnamPro-Regular": True}
