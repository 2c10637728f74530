"""GraphiQL (GET /graphql, development only) works without internet: the page loads only files of our own
origin, each pinned by a sha384 integrity that matches the file served and static/graphiql/manifest.json,
under a CSP that runs scripts of this origin only; its example tabs run on the demo data."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from services.common.settings import Environment
from services.demo import loader as demo
from tests.conftest import ROOT, Database, gql, make_app

ASSETS = ROOT / "static" / "graphiql"
HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TAG = re.compile(r"<(script|link)\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r'([a-z-]+)="([^"]*)"')


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def manifest() -> dict[str, dict[str, object]]:
    assets = json.loads((ASSETS / "manifest.json").read_text())["assets"]
    return {asset["file"]: asset for asset in assets}


async def explorer(client: AsyncClient) -> tuple[str, list[dict[str, str]]]:
    """The page and its tags' attributes (script and link)."""
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text, [dict(ATTR.findall(attrs)) for _, attrs in TAG.findall(response.text)]


async def test_the_page_loads_only_our_own_files_under_a_self_only_script_policy(
    client: AsyncClient, db: Database
) -> None:
    page, tags = await explorer(client)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.IGNORECASE), (
        "no CDN or other origin"
    )
    urls = [tag.get("src") or tag.get("href") for tag in tags if tag.get("type") != "application/json"]
    assert urls
    assert all(url and url.startswith("/graphql/assets/") for url in urls)
    executable = [tag for tag in tags if "src" in tag or tag.get("rel") == "stylesheet"]
    assert all(tag.get("integrity", "").startswith("sha384-") for tag in executable)
    # Every <script> is either a file or a JSON data block (never run): no inline code the CSP would block.
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.DOTALL | re.IGNORECASE):
        assert 'src="' in attrs or ('type="application/json"' in attrs and json.loads(body))
    csp = dict(
        part.strip().split(" ", 1)
        for part in (await client.get("/graphql", headers=HTML)).headers["content-security-policy"].split(";")
    )
    assert csp["script-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert csp["default-src"] == "'none'"


async def test_every_file_is_served_with_the_integrity_the_page_and_the_manifest_give(
    client: AsyncClient, db: Database
) -> None:
    _, tags = await explorer(client)
    pinned = manifest()
    seen = set()
    for tag in tags:
        url = tag.get("src") or tag.get("href")
        if url is None:
            continue
        name = url.removeprefix("/graphql/assets/")
        response = await client.get(url)
        assert response.status_code == 200, url
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        assert response.headers["content-type"].split(";")[0] == kind
        assert sha384(response.content) == tag["integrity"], f"{name} differs from the page's integrity"
        if name in pinned:
            seen.add(name)
            assert tag["integrity"] == pinned[name]["integrity"]
            assert len(response.content) == pinned[name]["bytes"]
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert seen == set(pinned), "every vendored file is used by the page"
    versions = {asset["package"]: str(asset["version"]) for asset in pinned.values()}
    assert versions["graphiql"].startswith("3.")
    assert versions["react"] == versions["react-dom"]


def test_the_vendored_files_are_those_of_the_manifest() -> None:
    pinned = manifest()
    vendored = {path.name for path in ASSETS.glob("*.min.*")}
    assert vendored == set(pinned)
    for name, asset in pinned.items():
        data = (ASSETS / name).read_bytes()
        assert sha384(data) == asset["integrity"], name
        assert len(data) == asset["bytes"], name
    assert sum(int(str(asset["bytes"])) for asset in pinned.values()) < 5_000_000, "minified builds only"


async def test_only_the_explorer_files_are_served(client: AsyncClient, db: Database) -> None:
    for name in ("manifest.json", "examples.json", "..%2F..%2Fpyproject.toml", "nope.js"):
        assert (await client.get(f"/graphql/assets/{name}")).status_code == 404, name


@pytest.fixture(scope="module")
def production_app() -> Starlette:
    return make_app(environment=Environment.PRODUCTION)


@pytest.fixture
async def prod(db: Database, production_app: Starlette) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=production_app), base_url="http://ocop.test") as http:
        yield http


async def test_production_has_no_explorer_and_serves_none_of_its_files(prod: AsyncClient) -> None:
    page = await prod.get("/graphql", headers=HTML)
    assert page.status_code == 405
    assert "<html" not in page.text.lower()
    for name in manifest():
        assert (await prod.get(f"/graphql/assets/{name}")).status_code == 404
    assert (await prod.get("/graphql/assets/explorer.js")).status_code == 404


async def test_the_example_tabs_run_on_the_demo_data(client: AsyncClient, db: Database) -> None:
    await demo.load(with_accounts=True, base_url="https://ocop.test")
    examples = {example["title"]: example for example in json.loads((ASSETS / "examples.json").read_text())}
    results = {}
    token = None
    for title, example in examples.items():
        body = await gql(client, example["query"], json.loads(example["variables"]), token=token)
        assert "errors" not in body, (title, body.get("errors"))
        results[title] = body["data"]
        if "login" in body["data"]:
            token = body["data"]["login"]["token"]
    stars = [edge["node"]["stars"] for edge in results["Products with stars"]["products"]["edges"]]
    assert stars
    assert all(star >= 4 for star in stars)
    (lot,) = results["A lot's trace history"]["batches"]["edges"]
    assert lot["node"]["lotCode"] == "KDSR-190520"
    assert lot["node"]["events"]
    assert token
    assert results["Who am I"]["me"]["email"] == "producer@demo.ocop.vn"
