"""Every mutation by an authenticated user is recorded and readable by central admins."""

from __future__ import annotations

from httpx import AsyncClient
from strawberry.relay import to_base64

from models import AuditEntry, Role
from tests.conftest import Database, gql
from tests.factories import PASSWORD, make_producer, make_user, token_for

AUDIT = (
    "{ auditLog(first: 10) { edges { node { action objectType objectId succeeded errorCodes userEmail } } } }"
)


async def test_mutations_are_recorded_with_who_what_and_which_object(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer()
    member = await token_for(Role.PRODUCER_MEMBER, email="member@test.ocop.vn", producer_id=producer.id)
    update = 'mutation($id: ID!) { updateProducer(input: {id: $id, website: "https://p.example.vn"}) { errors { code } } }'
    await gql(client, update, {"id": to_base64("Producer", producer.id)}, token=member)
    bad = 'mutation($id: ID!) { updateProducer(input: {id: $id, taxCode: "12"}) { errors { code } } }'
    await gql(client, bad, {"id": to_base64("Producer", producer.id)}, token=member)
    await gql(client, update, {"id": to_base64("Producer", producer.id)})  # anonymous: refused, not recorded
    admin = await token_for(Role.CENTRAL_ADMIN)
    entries = [e["node"] for e in (await gql(client, AUDIT, token=admin))["data"]["auditLog"]["edges"]]
    assert entries == [
        {
            "action": "updateProducer",
            "objectType": None,
            "objectId": None,
            "succeeded": False,
            "errorCodes": ["INVALID_TAX_CODE"],
            "userEmail": "member@test.ocop.vn",
        },
        {
            "action": "updateProducer",
            "objectType": "Producer",
            "objectId": to_base64("Producer", producer.id),
            "succeeded": True,
            "errorCodes": [],
            "userEmail": "member@test.ocop.vn",
        },
    ]


async def test_a_successful_login_is_recorded(client: AsyncClient, db: Database) -> None:
    await make_user("lan@test.ocop.vn")
    login = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }"
    await gql(client, login, {"e": "lan@test.ocop.vn", "p": PASSWORD})
    await gql(client, login, {"e": "lan@test.ocop.vn", "p": "wrong password"})
    assert [(e.action, e.succeeded) for e in await AuditEntry.all()] == [("login", True)]
