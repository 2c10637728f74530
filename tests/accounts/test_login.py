"""Signing in, tokens and their lifetimes, brute-force limits."""

from __future__ import annotations

import datetime as dt

from httpx import AsyncClient

from models import AccessToken, LoginAttempt, User
from services.accounts import auth as accounts
from services.common import clock
from tests.conftest import Database, gql
from tests.factories import make_user

LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token expiresAt user { email displayName } errors { field code message } }
}
"""
ME = "{ me { email memberships { role } } }"


async def login(client: AsyncClient, email: str, password: str) -> dict[str, object]:
    body = await gql(client, LOGIN, {"email": email, "password": password})
    return body["data"]["login"]  # type: ignore[no-any-return]


async def test_a_user_signs_in_and_is_known_by_the_token(client: AsyncClient, db: Database) -> None:
    await make_user("lan@test.ocop.vn")
    payload = await login(client, "  LAN@test.ocop.vn ", "correct horse battery")
    assert payload["errors"] == []
    token = str(payload["token"])
    assert token.startswith("ocop_")
    assert (await gql(client, ME))["data"]["me"] is None
    me = (await gql(client, ME, token=token))["data"]["me"]
    assert me == {"email": "lan@test.ocop.vn", "memberships": []}
    # Only a keyed hash of the token and an argon2 hash of the password are stored.
    assert not await AccessToken.filter(token_hash=token).exists()
    stored = await User.get(email="lan@test.ocop.vn")
    assert stored.password_hash.startswith("$argon2")
    assert stored.last_login_at is not None


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    client: AsyncClient, db: Database
) -> None:
    await make_user("lan@test.ocop.vn")
    wrong = await login(client, "lan@test.ocop.vn", "wrong password!")
    unknown = await login(client, "nobody@test.ocop.vn", "wrong password!")
    assert wrong["token"] is None
    assert (
        wrong["errors"]
        == unknown["errors"]
        == [{"field": "", "code": "INVALID_CREDENTIALS", "message": "Email hoặc mật khẩu không đúng."}]
    )


async def test_repeated_failures_lock_the_account_for_a_while(client: AsyncClient, db: Database) -> None:
    await make_user("lan@test.ocop.vn")
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        assert (await login(client, "lan@test.ocop.vn", "guess guess guess"))["token"] is None
    locked = await login(client, "lan@test.ocop.vn", "correct horse battery")
    assert locked["token"] is None
    assert locked["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"  # type: ignore[index]
    # Once the failures are older than the window, the right password works again.
    await LoginAttempt.all().update(at=clock.now() - accounts.ATTEMPT_WINDOW - dt.timedelta(minutes=1))
    assert (await login(client, "lan@test.ocop.vn", "correct horse battery"))["token"]


async def test_one_address_cannot_try_many_accounts(client: AsyncClient, db: Database) -> None:
    await make_user("lan@test.ocop.vn")
    for n in range(accounts.MAX_FAILURES_PER_ADDRESS):
        await login(client, f"user{n}@test.ocop.vn", "guess guess guess")
    refused = await login(client, "lan@test.ocop.vn", "correct horse battery")
    assert refused["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"  # type: ignore[index]


async def test_expired_revoked_and_malformed_credentials_are_refused(
    client: AsyncClient, db: Database
) -> None:
    await make_user("lan@test.ocop.vn")
    token = str((await login(client, "lan@test.ocop.vn", "correct horse battery"))["token"])
    for header in (f"Token {token}", f"Basic {token}", "Bearer", "Bearer ocop_made-up", token):
        response = await client.post("/graphql", json={"query": ME}, headers={"authorization": header})
        body = response.json()
        assert body["data"] is None, header
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", header
        assert token not in response.text
    await AccessToken.all().update(expires_at=clock.now() - dt.timedelta(seconds=1))
    expired = await gql(client, ME, token=token)
    assert expired["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_logout_revokes_the_session(client: AsyncClient, db: Database) -> None:
    await make_user("lan@test.ocop.vn")
    token = str((await login(client, "lan@test.ocop.vn", "correct horse battery"))["token"])
    body = await gql(client, "mutation { logout { ok errors { code } } }", token=token)
    assert body["data"]["logout"] == {"ok": True, "errors": []}
    assert (await gql(client, ME, token=token))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    anonymous = await gql(client, "mutation { logout { ok errors { code } } }")
    assert anonymous["data"]["logout"] == {"ok": False, "errors": [{"code": "UNAUTHENTICATED"}]}


CREATE_TOKEN = """
mutation($name: String!, $days: Int) {
  createApiToken(input: {name: $name, expiresInDays: $days}) { token apiToken { id name prefix expiresAt } errors { field code } }
}
"""


async def test_an_api_token_is_shown_once_works_and_can_be_revoked(client: AsyncClient, db: Database) -> None:
    await make_user("lan@test.ocop.vn")
    session = str((await login(client, "lan@test.ocop.vn", "correct horse battery"))["token"])
    created = (
        await gql(
            client, CREATE_TOKEN, {"name": "Đồng bộ cổng truy xuất quốc gia", "days": 30}, token=session
        )
    )["data"]["createApiToken"]
    assert created["errors"] == []
    api_token = created["token"]
    assert api_token.startswith(created["apiToken"]["prefix"])
    assert (await gql(client, ME, token=api_token))["data"]["me"]["email"] == "lan@test.ocop.vn"
    tokens = "{ apiTokens { edges { node { name kind token: prefix lastUsedAt } } } }"
    listed = [e["node"] for e in (await gql(client, tokens, token=session))["data"]["apiTokens"]["edges"]]
    assert {t["kind"] for t in listed} == {"SESSION", "API"}
    assert all(api_token != t["token"] for t in listed)  # the secret is never shown again
    revoke = (
        "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { revokedAt } errors { code } } }"
    )
    body = await gql(client, revoke, {"id": created["apiToken"]["id"]}, token=session)
    assert body["data"]["revokeApiToken"]["errors"] == []
    assert (await gql(client, ME, token=api_token))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    too_long = await gql(client, CREATE_TOKEN, {"name": "x", "days": 1000}, token=session)
    assert too_long["data"]["createApiToken"]["errors"] == [
        {"field": "expiresInDays", "code": "OUT_OF_RANGE"}
    ]


async def test_a_user_cannot_revoke_someone_elses_token(client: AsyncClient, db: Database) -> None:
    await make_user("lan@test.ocop.vn")
    await make_user("minh@test.ocop.vn")
    lan = str((await login(client, "lan@test.ocop.vn", "correct horse battery"))["token"])
    minh = str((await login(client, "minh@test.ocop.vn", "correct horse battery"))["token"])
    created = (await gql(client, CREATE_TOKEN, {"name": "script"}, token=lan))["data"]["createApiToken"]
    revoke = (
        "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { revokedAt } errors { code } } }"
    )
    body = await gql(client, revoke, {"id": created["apiToken"]["id"]}, token=minh)
    assert body["data"]["revokeApiToken"] == {"apiToken": None, "errors": [{"code": "NOT_FOUND"}]}
    assert (await gql(client, ME, token=created["token"]))["data"]["me"]["email"] == "lan@test.ocop.vn"


async def test_the_session_expiry_is_in_viet_nam_time_like_every_other_time(
    client: AsyncClient, db: Database
) -> None:
    await make_user("lan@test.ocop.vn")
    payload = await login(client, "lan@test.ocop.vn", "correct horse battery")
    expires = str(payload["expiresAt"])
    assert expires.endswith("+07:00"), expires
    stored = await AccessToken.get(kind="session")
    assert abs(dt.datetime.fromisoformat(expires) - stored.expires_at) < dt.timedelta(seconds=5)
    # As the API token of the same account shows its own.
    created = await gql(client, CREATE_TOKEN, {"name": "script", "days": 30}, token=str(payload["token"]))
    assert created["data"]["createApiToken"]["apiToken"]["expiresAt"].endswith("+07:00")
