"""`GET /` is a landing page (it was a bare "Not Found"): what this server is and where its doors are, in
Vietnamese or English, with the security headers of the public pages; JSON for a client that asks for it;
the documentation it links to is served."""

from __future__ import annotations

import re

from httpx import ASGITransport, AsyncClient

from services.common.settings import Environment
from tests.conftest import make_app
from web.responses import html_security_headers


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


async def test_the_landing_page_says_what_this_is_in_the_callers_language(client: AsyncClient) -> None:
    vi = await client.get("/", headers={"accept": "text/html", "accept-language": "vi-VN,vi;q=0.9"})
    assert vi.status_code == 200
    assert vi.headers["content-type"].startswith("text/html")
    assert vi.headers["content-language"] == "vi"
    assert "Máy chủ dữ liệu của chương trình OCOP" in vi.text
    for name, value in html_security_headers(vi.content).items():
        assert vi.headers[name] == value
    assert "script" not in vi.text
    assert {"/graphql", "/healthz", "/readyz", "/.well-known/gs1resolver", "/docs/frontend.md"} <= set(
        links(vi.text)
    )
    en = await client.get("/", headers={"accept": "text/html", "accept-language": "en-GB,en;q=0.9,vi;q=0.5"})
    assert en.headers["content-language"] == "en"
    assert "The data server of the OCOP programme" in en.text
    assert "GraphQL API explorer" in en.text
    assert (await client.get("/?lang=en", headers={"accept-language": "vi"})).headers[
        "content-language"
    ] == "en"
    # Every link of the page answers.
    for href in links(vi.text):
        if href.startswith("/") and not href.startswith("/?"):
            response = await client.get(href, headers={"accept": "text/html"})
            assert response.status_code == 200, href


async def test_the_documents_are_served_as_markdown_and_nothing_else(client: AsyncClient) -> None:
    response = await client.get("/docs/frontend.md")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    assert response.text.startswith("# GraphQL API for frontend teams")
    for path in ("/docs/nothing.md", "/docs/..%2FREADME.md", "/docs/CHANGELOG.md"):
        assert (await client.get(path)).status_code == 404, path


async def test_a_json_client_gets_json() -> None:
    async with AsyncClient(transport=ASGITransport(app=make_app()), base_url="http://ocop.test") as http:
        response = await http.get("/", headers={"accept": "application/json"})
    assert response.status_code == 200
    body = response.json()
    assert body["graphql"] == "/graphql"
    assert body["health"] == "/healthz"
    assert "/docs/frontend.md" in body["docs"]


async def test_production_has_no_explorer_link() -> None:
    app = make_app(environment=Environment.PRODUCTION)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http:
        page = await http.get("/", headers={"accept": "text/html", "accept-language": "en"})
        as_json = (await http.get("/", headers={"accept": "application/json"})).json()
    assert page.status_code == 200
    assert "/graphql" not in links(page.text)
    assert "POST /graphql" in page.text
    assert as_json["graphqlExplorer"] is None
