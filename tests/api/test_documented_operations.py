"""The operations a frontend team copies never rot: every operation in examples/operations/ and every
```graphql block of docs/frontend.md runs on the demo data (both databases), as the role it is meant for,
and answers without errors something a user would recognise. CI also runs graphql-codegen on them
(`make codegen`), so they type-check against schema.graphql too."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, OperationType, parse
from httpx import AsyncClient

from services.demo import loader as demo
from tests.conftest import ROOT, Database, gql
from tests.live import connected, receive, serve, subscribe

EXAMPLES = ROOT / "examples" / "operations"
FRONTEND_DOC = ROOT / "docs" / "frontend.md"
PASSWORD = "ocop-demo-2019"
PRODUCER = "producer@demo.ocop.vn"  # a member of HTX Dừa Xanh Giồng Trôm, which harvests lot DX-190515
ORGANISER = "organiser@demo.ocop.vn"  # organises the demo fair
ADMIN = "admin@demo.ocop.vn"
FAIR = "hoi-cho-ocop-du-lich-2019"

Data = dict[str, Any]


class Session:
    """A client of the API: signs in as a demo account when an operation needs one, remembers the
    answers so a later operation can use an id an earlier one returned."""

    def __init__(self, client: AsyncClient, ws_url: str) -> None:
        self.client = client
        self.ws_url = ws_url
        self.tokens: dict[str, str] = {}
        self.answers: dict[str, Data] = {}

    async def token(self, email: str) -> str:
        if email not in self.tokens:
            body = await gql(
                self.client,
                "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }",
                {"e": email, "p": PASSWORD},
            )
            self.tokens[email] = body["data"]["login"]["token"]
        return self.tokens[email]

    async def run(self, document: str, name: str, variables: Data, as_user: str | None) -> Data:
        if operation_type(document, name) == OperationType.SUBSCRIPTION:
            return await self.first_message(document, name, variables, as_user)
        token = await self.token(as_user) if as_user else None
        response = await self.client.post(
            "/graphql",
            json={"query": document, "variables": variables, "operationName": name},
            headers={"authorization": f"Bearer {token}"} if token else {},
        )
        assert response.status_code == 200, (name, response.text)
        body: Data = response.json()
        assert "errors" not in body, (name, body["errors"])
        data: Data = body["data"]
        self.answers[name] = data
        return data

    async def first_message(self, document: str, name: str, variables: Data, as_user: str | None) -> Data:
        """A subscription, as a client runs it: over WebSocket /graphql (graphql-transport-ws), signed in
        through connection_init; its first message (the object as it is now)."""
        assert as_user, "subscriptions need a token"
        ws = await connected(self.ws_url, await self.token(as_user))
        try:
            await subscribe(ws, "1", document, variables)
            answer = await receive(ws)
        finally:
            await ws.close()
        assert answer["type"] == "next", (name, answer)
        assert "errors" not in answer["payload"], (name, answer["payload"]["errors"])
        data: Data = answer["payload"]["data"]
        self.answers[name] = data
        return data

    async def one_id(self, query: str, path: str, variables: Data | None = None) -> str:
        body = await gql(self.client, query, variables, token=await self.token(ADMIN))
        value: Any = body["data"]
        for key in path.split("."):
            value = value[int(key)] if key.isdigit() else value[key]
        assert isinstance(value, str)
        return value


Variables = Callable[[Session], Awaitable[Data]]


async def no_variables(_: Session) -> Data:
    return {}


@dataclass(frozen=True)
class Scenario:
    """How a realistic client calls one operation: as whom, with which variables, and what it must see."""

    check: Callable[[Data], None]
    as_user: str | None = None
    variables: Variables = no_variables
    after: tuple[str, ...] = field(default=())  # operations whose answers this one reads


def nodes(connection: Data) -> list[Data]:
    return [edge["node"] for edge in connection["edges"]]


def check_search(data: Data) -> None:
    products = data["products"]
    found = nodes(products)
    assert products["totalCount"] >= len(found) > 0
    assert all(product["stars"] >= 4 for product in found)
    assert any("dừa" in product["name"].lower() for product in found)


def check_lot_trace(data: Data) -> None:
    (lot,) = nodes(data["batches"])
    assert lot["lotCode"] == "KDSR-190520"
    assert lot["product"]["name"]
    events = nodes(lot["eventsConnection"])
    assert len(events) >= 2
    assert lot["eventsConnection"]["totalCount"] == len(events)
    assert lot["integrity"]["eventsChecked"] == len(events)
    assert lot["digitalLink"].endswith("/10/KDSR-190520")


def check_fair(data: Data) -> None:
    fair = data["fair"]
    assert fair["displayName"].startswith("Hội chợ OCOP")
    booths = [booth for zone in fair["zones"] for booth in nodes(zone["boothsConnection"])]
    assert len(fair["zones"]) == 7
    assert len(booths) == 87 == sum(zone["boothsConnection"]["totalCount"] for zone in fair["zones"])
    assert any(booth["exhibitor"] for booth in booths)
    exhibitors = fair["exhibitorsConnection"]
    assert exhibitors["totalCount"] == 67
    assert len(nodes(exhibitors)) == 50
    assert exhibitors["pageInfo"]["hasNextPage"]
    assert any(exhibitor["products"] for exhibitor in nodes(exhibitors))


def check_login(data: Data) -> None:
    login = data["login"]
    assert login["errors"] == []
    assert login["token"]
    assert login["user"]["email"] == PRODUCER


def check_label_run(data: Data) -> None:
    payload = data["createLabelRun"]
    assert payload["errors"] == []
    run = payload["labelRun"]
    assert run["count"] == 21
    assert run["batch"]["lotCode"] == "DX-190515"
    assert run["firstSerial"]
    assert run["lastSerial"]
    assert run["firstSerial"] != run["lastSerial"]
    assert run["pdfUrl"]


def check_generate_catalog(data: Data) -> None:
    payload = data["generateCatalog"]
    assert payload["errors"] == []
    assert payload["job"]["kind"] == "CATALOG"
    assert payload["job"]["status"] in {"QUEUED", "RUNNING", "SUCCEEDED"}


def check_catalog_job_progress(data: Data) -> None:
    job = data["jobProgress"]
    assert job["status"] in {"QUEUED", "RUNNING", "SUCCEEDED"}
    assert 0 <= job["progress"] <= 100


def check_catalog_job(data: Data) -> None:
    assert data["node"]["kind"] == "CATALOG"
    assert 0 <= data["node"]["progress"] <= 100


def check_ben_tre_stars(data: Data) -> None:
    found = nodes(data["products"])
    assert found
    assert all(product["stars"] >= 4 for product in found)
    assert all(product["producer"]["province"]["code"] in {"83", "86"} for product in found)


def check_registry(data: Data) -> None:
    assert nodes(data["producers"])
    assert data["administrativeUnit"]["name"] == "Tỉnh Bến Tre"
    assert data["administrativeUnit"]["children"]
    assert any(province["predecessors"] for province in data["provinces"])
    assert data["programmeProgress"]


def check_create_product(data: Data) -> None:
    payload = data["createProduct"]
    assert payload["errors"] == []
    assert payload["product"]["gtin"] == "08934563138165"


async def producer_lot(session: Session) -> Data:
    batch_id = await session.one_id(
        'query { batches(first: 1, filter: {lotCode: "DX-190515"}) { edges { node { id } } } }',
        "batches.edges.0.node.id",
    )
    return {"batchId": batch_id, "count": 21}


async def demo_fair(session: Session) -> Data:
    return {"fairId": await session.one_id(f'query {{ fair(slug: "{FAIR}") {{ id }} }}', "fair.id")}


async def the_catalog_job(session: Session) -> Data:
    return {"id": session.answers["GenerateCatalog"]["generateCatalog"]["job"]["id"]}


async def a_demo_producer(session: Session) -> Data:
    return {
        "producerId": await session.one_id(
            'query { producers(first: 1, filter: {provinceCode: "83"}) { edges { node { id } } } }',
            "producers.edges.0.node.id",
        )
    }


async def coconut_candy(_: Session) -> Data:
    return {"search": "keo dua", "minStars": 4}


async def kdsr_lot(_: Session) -> Data:
    return {"lotCode": "KDSR-190520"}


async def fair_slug(_: Session) -> Data:
    return {"slug": FAIR}


async def producer_credentials(_: Session) -> Data:
    return {"email": PRODUCER, "password": PASSWORD}


# Every operation of examples/operations/ and docs/frontend.md, by name. A new example must be added here:
# the tests below fail on an operation without a scenario.
SCENARIOS: dict[str, Scenario] = {
    "SearchProducts": Scenario(check_search, variables=coconut_candy),
    "LotTrace": Scenario(check_lot_trace, variables=kdsr_lot),
    "FairWithBooths": Scenario(check_fair, variables=fair_slug),
    "Login": Scenario(check_login, variables=producer_credentials),
    "CreateLabelRun": Scenario(check_label_run, as_user=PRODUCER, variables=producer_lot),
    "GenerateCatalog": Scenario(check_generate_catalog, as_user=ORGANISER, variables=demo_fair),
    "CatalogJob": Scenario(
        check_catalog_job, as_user=ORGANISER, variables=the_catalog_job, after=("GenerateCatalog",)
    ),
    "CatalogJobProgress": Scenario(
        check_catalog_job_progress, as_user=ORGANISER, variables=the_catalog_job, after=("GenerateCatalog",)
    ),
    "BenTreFourStars": Scenario(check_ben_tre_stars),
    "BenTreRegistry": Scenario(check_registry),
    "CreateProduct": Scenario(check_create_product, as_user=ADMIN, variables=a_demo_producer),
}


def operation_names(document: str) -> list[str]:
    names = []
    for definition in parse(document).definitions:
        assert isinstance(definition, OperationDefinitionNode), document[:80]
        assert definition.name, (
            f"every documented operation is named (codegen names its types after it): {document[:80]}"
        )
        names.append(definition.name.value)
    return names


def operation_type(document: str, name: str) -> OperationType:
    for definition in parse(document).definitions:
        if (
            isinstance(definition, OperationDefinitionNode)
            and definition.name
            and definition.name.value == name
        ):
            return definition.operation
    raise AssertionError(f"no operation {name}")


def example_documents() -> list[tuple[str, str]]:
    """(operation name, its file's text) for every operation of examples/operations/."""
    found = []
    for path in sorted(EXAMPLES.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        found += [(name, text) for name in operation_names(text)]
    return found


def doc_documents(path: Path = FRONTEND_DOC) -> list[tuple[str, str]]:
    """(operation name, block) for every ```graphql block of the doc."""
    blocks = re.findall(r"^```graphql\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    return [(name, block) for block in blocks for name in operation_names(block)]


def in_dependency_order(documents: list[tuple[str, str]]) -> list[tuple[str, str]]:
    order = {name: float(index) for index, (name, _) in enumerate(documents)}
    for name, _ in documents:
        for earlier in SCENARIOS[name].after:
            order[name] = max(order[name], order[earlier] + 0.5)
    return sorted(documents, key=lambda item: order[item[0]])


async def run_all(client: AsyncClient, ws_url: str, documents: list[tuple[str, str]]) -> set[str]:
    await demo.load(with_accounts=True, base_url="https://ocop.test")
    session = Session(client, ws_url)
    unknown = [name for name, _ in documents if name not in SCENARIOS]
    assert not unknown, f"operations without a scenario in {__name__}.SCENARIOS: {unknown}"
    for name, document in in_dependency_order(documents):
        scenario = SCENARIOS[name]
        data = await session.run(document, name, await scenario.variables(session), scenario.as_user)
        scenario.check(data)
    return {name for name, _ in documents}


def test_the_examples_cover_what_a_frontend_needs() -> None:
    names = {name for name, _ in example_documents()}
    assert {
        "SearchProducts",
        "LotTrace",
        "FairWithBooths",
        "Login",
        "CreateLabelRun",
        "GenerateCatalog",
    } <= names


async def test_every_example_and_every_doc_block_runs_on_the_demo_data(
    client: AsyncClient, db: Database
) -> None:
    """One demo load for both sets (it is the slow part); names are unique across them."""
    examples, blocks = example_documents(), doc_documents()
    async for ws_url in serve():
        ran = await run_all(client, ws_url, examples + blocks)
    assert len(ran) == len(examples) + len(blocks)
    assert len(examples) == len(list(EXAMPLES.glob("*.graphql")))
    assert {"BenTreFourStars", "BenTreRegistry", "CreateProduct"} <= ran


def test_an_unnamed_or_unknown_operation_is_caught(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("```graphql\nquery Nobody { me { email } }\n```\n", encoding="utf-8")
    assert doc_documents(doc) == [("Nobody", "query Nobody { me { email } }\n")]
    doc.write_text("```graphql\n{ me { email } }\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="named"):
        doc_documents(doc)
