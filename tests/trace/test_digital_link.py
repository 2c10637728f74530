"""GS1 Digital Link syntax as the resolver reads it: malformed links are 400 (never 200), explained in the
reader's language, and compressed links are decompressed (GS1's test vectors) and resolved like their
uncompressed form. On SQLite and PostgreSQL through the `db` fixture."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from services.trace import digital_link
from services.trace.identity import product_code
from tests.conftest import Database
from tests.factories import make_batch, make_product
from tests.trace.conftest import (
    BASE,
    GTIN13,
    GTIN14,
    Catalogue,
    link_header,
    lot_path,
    trace_page,
    valid_linkset,
)

# -- 400 for bad syntax ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "why"),
    [
        (f"/01/{GTIN14[:-1]}4", "wrong check digit"),
        (f"/01/{GTIN13[:-1]}4/10/KD-2024", "wrong check digit of a GTIN-13"),
        ("/01/089345631381A5", "a letter in the GTIN"),
        ("/01/89345631381", "11 digits"),
        ("/01/893456313816512", "15 digits"),
        (f"/01/{GTIN14}/21/S1/10/KD-2024", "qualifiers out of order"),
        (f"/01/{GTIN14}/10/A/10/B", "a qualifier twice"),
        (f"/01/{GTIN14}/10/{'L' * 21}", "a lot of 21 characters"),
        (f"/01/{GTIN14}/10/KD-2024/21/{'9' * 21}", "a serial of 21 characters"),
        (f"/01/{GTIN14}/10/B%C3%A1nh", "a lot outside character set 82"),
        (f"/01/{GTIN14}/10/a%20b", "a space in the lot"),
        (f"/01/{GTIN14}/10/50%ZZ", "a broken percent escape"),
        (f"/01/{GTIN14}/10", "a qualifier without a value"),
        (f"/01/{GTIN14}/17/290331", "a data attribute in the path"),
        (f"/01/{GTIN14}//10/KD-2024", "an empty segment"),
        ("/p/AB-C/10/X", "a product code that is not alphanumeric"),
        ("/AQnYUc1gmiCNV4", "a truncated compressed link"),
        ("/AQnYUc1gmgAAAAAA", "a compressed link with trailing garbage"),
        ("/AN2yxDhfaiaw", "a compressed SSCC, not a GTIN"),
        ("/gAMJCAXukTMA", "a compressed AI 8003, not decompressed here"),
        (f"/01/{GTIN14}/AQnYUc1gmg", "a partially compressed link that repeats the GTIN"),
    ],
)
async def test_bad_syntax_is_400_never_200(
    client: AsyncClient, catalogue: Catalogue, path: str, why: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 400, (why, response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"], why
    assert response.headers["access-control-allow-origin"] == "*"


async def test_syntax_errors_are_explained_in_the_readers_language(client: AsyncClient, db: Database) -> None:
    path = f"/01/{GTIN14[:-1]}4"
    vietnamese = (await client.get(path)).json()["detail"]
    english = (await client.get(path, headers={"accept-language": "en"})).json()["detail"]
    assert "không hợp lệ" in vietnamese
    assert "Wrong check digit, expected 5" in english


# -- compressed links --------------------------------------------------------------------------------------------

# Published pairs of GS1 Digital Link compression (GS1's compression test vectors).
VECTORS = [
    ("AQnYUc1gmg", "/01/05412345000013", ""),
    ("AQnYUc1gmiCNV4JG", "/01/05412345000013/10/ABC123", ""),
    ("AQnYUc1gmiCNV4JGQhcNT6K6c", "/01/05412345000013/10/ABC123/21/72292641703", ""),
    (
        "AQnYUc1gmiCNV4JGQhcNT6K6cibQCWN9Pee9tT-PQ",
        "/01/05412345000013/22/AJY3095721P49/10/ABC123/21/72292641703",
        "",
    ),
    ("AQnYUc1gmkIXDU-iun", "/01/05412345000013/21/72292641703", ""),
    ("AQnYUc1gmkax7ipGrOHDPC5YNI8hMz", "/01/05412345000013/235/8TFV883a904GH%263", ""),
    ("AQnYUc1gmiCNV4JGLo3DY", "/01/05412345000013/10/ABC123", "17=290331"),
    (
        "AQnYUc1gmiCNV4JGLo3Dfg2q72Etrue8K7RPRWwjc0D4",
        "/01/05412345000013/10/ABC123",
        "17=290331&arv=true&donor=bmgf",
    ),
    ("01/05412345000013/EEarwSMXRuGw", "/01/05412345000013/10/ABC123", "17=290331"),
    ("01/05412345000013/EEarwSMhC4an0V04", "/01/05412345000013/10/ABC123/21/72292641703", ""),
]


@pytest.mark.parametrize(("compressed", "path", "query"), VECTORS)
def test_decompression_matches_gs1_vectors(compressed: str, path: str, query: str) -> None:
    link = digital_link.parse("/" + compressed)
    assert link.compressed
    assert link.path() == path
    assert link.attribute_query() == query


def test_compression_matches_gs1_vectors() -> None:
    gtin = "05412345000013"
    assert digital_link.compress(gtin) == "AQnYUc1gmg"
    assert digital_link.compress(gtin, lot="ABC123") == "AQnYUc1gmiCNV4JG"
    assert digital_link.compress(gtin, lot="ABC123", serial="72292641703") == "AQnYUc1gmiCNV4JGQhcNT6K6c"
    assert (
        digital_link.compress(gtin, lot="ABC123", serial="72292641703", cpv="AJY3095721P49")
        == "AQnYUc1gmiCNV4JGQhcNT6K6cibQCWN9Pee9tT-PQ"
    )
    for lot in ("KD-2024/07", "007", "abc", "A&B", "x_Y-9"):  # every value encoding, leading zeros kept
        assert digital_link.parse("/" + digital_link.compress(gtin, lot=lot, serial="0042")).lot == lot


async def test_compressed_links_are_decompressed_and_named_same_as(
    client: AsyncClient, catalogue: Catalogue
) -> None:
    full = BASE + lot_path() + "/21/U-0001"
    compressed = "/" + digital_link.compress(GTIN14, lot="KD-2024/07", serial="U-0001")
    response = await client.get(compressed)
    assert response.status_code == 307
    assert response.headers["location"] == trace_page(catalogue.candy_code, "KD-2024/07") + "?serial=U-0001"
    links = link_header(response)
    assert links["owl:sameAs"] == full
    assert links["linkset"] == f"{full}?linkType=linkset"
    body = valid_linkset(await client.get(compressed, params={"linkType": "linkset"}))
    assert body["linkset"][0]["anchor"] == full  # the subject is the uncompressed URI
    assert [item["anchor"] for item in body["linkset"][1:]] == [BASE + lot_path(), f"{BASE}/01/{GTIN14}"]
    # Partially compressed: the GTIN in clear, its qualifiers compressed.
    partial = f"/01/{GTIN14}/" + digital_link.compress(GTIN14, lot="KD-2024/07", with_gtin=False)
    response = await client.get(partial)
    assert response.status_code == 307
    assert link_header(response)["owl:sameAs"] == BASE + lot_path()
    assert digital_link.compress("05412345000013", lot="ABC123", serial="72292641703", with_gtin=False) == (
        "EEarwSMhC4an0V04"
    )


async def test_attributes_inside_a_compressed_link_are_passed_on(client: AsyncClient, db: Database) -> None:
    # GS1's own example item, (01)05412345000013 (10)ABC123 (17)290331 and two non-GS1 pairs.
    product = await make_product(name="Hàng mẫu GS1", gtin="05412345000013")
    await make_batch(product, "ABC123")
    trace = trace_page(product_code(product.id), "ABC123")
    response = await client.get("/AQnYUc1gmiCNV4JGLo3Dfg2q72Etrue8K7RPRWwjc0D4")
    assert response.status_code == 307
    assert response.headers["location"] == f"{trace}?17=290331&arv=true&donor=bmgf"
    same = f"{BASE}/01/05412345000013/10/ABC123?17=290331&arv=true&donor=bmgf"
    assert link_header(response)["owl:sameAs"] == same
    response = await client.get("/01/05412345000013/EEarwSMXRuGw?x=1", headers={"accept-language": "en"})
    assert response.headers["location"] == f"{trace}?lang=en&17=290331&x=1"


async def test_a_path_that_is_not_a_digital_link_is_a_plain_404(client: AsyncClient, db: Database) -> None:
    assert (await client.get("/favicon.ico")).status_code == 404
    assert (await client.get("/healthz")).status_code == 200  # other routes are not shadowed
    assert (await client.options("/graphql")).status_code == 405
    assert (await client.get("/AQnYUc1gm")).status_code == 404  # too short to hold a GTIN
