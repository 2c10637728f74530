"""The first administrator of a deployment, made at the console (`server.py create-admin`, web/commands.py
calling services/accounts/admins.py): the password from a prompt or standard input, never an argument;
weak passwords and e-mails in use refused; a password reset on request; every run audited."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from httpx import AsyncClient

from models import AccessToken, AuditEntry, Membership, Role, User
from services.accounts import admins
from services.accounts import auth as accounts
from services.accounts.errors import AccountErrorCode
from services.common.errors import DomainError
from tests.conftest import Database, gql
from tests.factories import make_user, token_for
from web import commands

ROOT = Path(__file__).resolve().parents[2]
GOOD = "rặng dừa xanh mướt 2026"
ME = "{ me { email memberships { role } } }"
LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token errors { code } }
}
"""


def args(*argv: str) -> argparse.Namespace:
    return commands.parser().parse_args(["create-admin", *argv])


def no_prompt(text: str) -> str:
    raise AssertionError("not a terminal: no prompt")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_the_first_admin_signs_in_as_a_central_admin(client: AsyncClient, db: Database) -> None:
    assert await User.all().count() == 0
    code = await commands.create_admin(
        args("--email", " Admin@Tinh.gov.vn "), io.StringIO(GOOD + "\n"), no_prompt
    )
    assert code == 0
    login = (await gql(client, LOGIN, {"email": "admin@tinh.gov.vn", "password": GOOD}))["data"]["login"]
    assert login["errors"] == []
    me = (await gql(client, ME, token=login["token"]))["data"]["me"]
    assert me == {"email": "admin@tinh.gov.vn", "memberships": [{"role": "CENTRAL_ADMIN"}]}
    entry = await AuditEntry.get(action="createAdmin")
    user = await User.get(email="admin@tinh.gov.vn")
    assert (entry.succeeded, entry.object_id, entry.request_id, entry.user_id) == (True, user.id, "cli", None)


def test_the_password_is_never_an_argument() -> None:
    with pytest.raises(SystemExit):
        commands.parser().parse_args(["create-admin", "--email", "a@b.vn", "--password", GOOD])
    with pytest.raises(SystemExit):
        commands.parser().parse_args(["create-admin", "--email", "a@b.vn", GOOD])


async def test_at_a_terminal_the_password_is_asked_twice(db: Database) -> None:
    answers = iter([GOOD, GOOD + "x"])
    assert (
        await commands.create_admin(args("--email", "a@tinh.gov.vn"), Terminal(), lambda _: next(answers))
        == 2
    )
    assert await User.all().count() == 0
    answers = iter([GOOD, GOOD])
    assert (
        await commands.create_admin(args("--email", "a@tinh.gov.vn"), Terminal(), lambda _: next(answers))
        == 0
    )
    assert await User.exists(email="a@tinh.gov.vn")


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("", "at least 12"),
        ("short1!", "at least 12"),
        ("aaaaaaaaaaaaaaaa", "different characters"),
        ("1212121212123434", "different characters"),
        ("Password12345678", "too common"),
        ("ocop-demo-2019", "too common"),
        ("123456789012345", "too common"),
        ("quantri.tinh!2026", "e-mail's name"),
        ("x" * 2000, "longer than"),
    ],
)
async def test_weak_passwords_are_refused_and_audited(
    db: Database, capsys: pytest.CaptureFixture[str], password: str, words: str
) -> None:
    code = await commands.create_admin(
        args("--email", "quantri.tinh@tinh.gov.vn"), io.StringIO(password + "\n"), no_prompt
    )
    assert code == 2
    assert words in capsys.readouterr().err
    assert await User.all().count() == 0
    entry = await AuditEntry.get(action="createAdmin")
    assert (entry.succeeded, entry.error_codes) == (False, "invalid")


async def test_an_email_in_use_is_refused_unless_the_password_is_reset(db: Database) -> None:
    user = await make_user("lan@tinh.gov.vn")
    old_hash = user.password_hash
    session = await accounts.issue_session(user.id)
    with pytest.raises(DomainError) as refused:
        await admins.create_admin("lan@tinh.gov.vn", GOOD)
    assert refused.value.problems[0].code == AccountErrorCode.UNIQUE
    assert (await User.get(id=user.id)).password_hash == old_hash
    assert not await Membership.exists(user_id=user.id)

    outcome = await admins.create_admin("lan@tinh.gov.vn", GOOD, reset_password=True)
    assert (outcome.created, outcome.membership_added) == (False, True)
    stored = await User.get(id=user.id)
    assert stored.password_hash != old_hash
    assert await Membership.filter(user_id=user.id, role=Role.CENTRAL_ADMIN).count() == 1
    assert await AccessToken.filter(user_id=user.id, revoked_at=None).count() == 0  # the old session too
    with pytest.raises(DomainError):
        await accounts.authenticate(f"Bearer {session}")
    # Again: idempotent, one membership still.
    await admins.create_admin("lan@tinh.gov.vn", GOOD + "!", reset_password=True)
    assert await Membership.filter(user_id=user.id, role=Role.CENTRAL_ADMIN).count() == 1
    audited = await AuditEntry.filter(object_id=user.id).order_by("id").values_list("action", "succeeded")
    assert audited == [("createAdmin", False), ("resetAdminPassword", True), ("resetAdminPassword", True)]


async def test_a_reset_of_an_unknown_email_is_refused(db: Database) -> None:
    await token_for(Role.CENTRAL_ADMIN)
    with pytest.raises(DomainError) as refused:
        await admins.create_admin("nobody@tinh.gov.vn", GOOD, reset_password=True)
    assert refused.value.problems[0].code == AccountErrorCode.NOT_FOUND
    assert not await User.exists(email="nobody@tinh.gov.vn")


@pytest.mark.slow  # real server.py processes (make test-slow)
async def test_the_command_runs_from_the_shell_with_the_password_on_stdin(db: Database) -> None:
    env = {**os.environ, "DATABASE_URL": db.server_url, "OCOP_ENV": "production", "OCOP_SECRET_KEY": "k" * 40}
    command = [
        sys.executable,
        "server.py",
        "create-admin",
        "--email",
        "root@ocop.gov.vn",
        "--name",
        "Quản trị",
    ]
    done = await asyncio.to_thread(
        subprocess.run,
        command,
        cwd=ROOT,
        input=GOOD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "root@ocop.gov.vn" in done.stdout
    user = await User.get(email="root@ocop.gov.vn")
    assert user.display_name == "Quản trị"
    assert await Membership.exists(user_id=user.id, role=Role.CENTRAL_ADMIN)
    again = await asyncio.to_thread(
        subprocess.run,
        command,
        cwd=ROOT,
        input=GOOD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert again.returncode == 2
    assert "--reset-password" in again.stderr
    assert await User.filter(email="root@ocop.gov.vn").count() == 1
