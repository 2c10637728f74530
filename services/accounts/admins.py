"""The first central administrator of a deployment, made by an operator at the console
(`python server.py create-admin`, web/commands.py): production has no demo accounts, and every other account
is made by someone signed in. Also the way back in when an administrator's password is lost
(`--reset-password`). Every run is written to the audit log, refused ones too (action `createAdmin` or
`resetAdminPassword`, request id `cli`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import AccessToken, AuditEntry, Membership, Role, User
from services.accounts.auth import hash_password, normalize_email
from services.accounts.errors import AccountErrorCode
from services.common import clock
from services.common.errors import DomainError, FieldProblem
from services.common.text import nfc

ADMIN_PASSWORD_MIN_LENGTH = 12
ADMIN_PASSWORD_MAX_LENGTH = 1024
ADMIN_PASSWORD_MIN_DISTINCT = 6
# Passwords (and their stems, digits and symbols removed) that are among the first any attacker tries;
# the published demo password is one of them.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "passw0rd",
        "matkhau",
        "admin",
        "administrator",
        "qwerty",
        "qwertyuiop",
        "abc",
        "abcdef",
        "letmein",
        "welcome",
        "iloveyou",
        "ocop",
        "ocopdemo",
        "ocop-demo-2019",
        "changeme",
        "secret",
        "vietnam",
        "hanoi",
        "saigon",
    }
)
CLI_REQUEST_ID = "cli"


@dataclass(frozen=True, slots=True)
class AdminOutcome:
    user: User
    created: bool  # a new account (else an existing one's password was reset)
    membership_added: bool  # the central-admin membership was made now


def _refuse(field: str, code: AccountErrorCode, message: str, message_en: str) -> DomainError:
    return DomainError([FieldProblem(field, code, message, message_en)])


def password_problem(password: str, email: str) -> FieldProblem | None:
    """Why `password` is too weak for an administrator, or None. Checked: length (12 to 1024), variety
    (at least 6 different characters), the e-mail's name in it, and a list of the first passwords tried."""

    def weak(message: str, message_en: str) -> FieldProblem:
        return FieldProblem("password", AccountErrorCode.INVALID, message, message_en)

    if len(password) < ADMIN_PASSWORD_MIN_LENGTH:
        return weak(
            f"Mật khẩu quản trị cần ít nhất {ADMIN_PASSWORD_MIN_LENGTH} ký tự.",
            f"An administrator's password needs at least {ADMIN_PASSWORD_MIN_LENGTH} characters.",
        )
    if len(password) > ADMIN_PASSWORD_MAX_LENGTH:
        return weak(
            f"Mật khẩu dài quá {ADMIN_PASSWORD_MAX_LENGTH} ký tự.",
            f"The password is longer than {ADMIN_PASSWORD_MAX_LENGTH} characters.",
        )
    if len(set(password)) < ADMIN_PASSWORD_MIN_DISTINCT:
        return weak(
            f"Mật khẩu cần ít nhất {ADMIN_PASSWORD_MIN_DISTINCT} ký tự khác nhau.",
            f"The password needs at least {ADMIN_PASSWORD_MIN_DISTINCT} different characters.",
        )
    lowered = password.lower()
    name = normalize_email(email).split("@", 1)[0]
    if len(name) >= 4 and name in lowered:
        return weak(
            "Mật khẩu không được chứa tên trong email.", "The password must not contain the e-mail's name."
        )
    stem = "".join(ch for ch in lowered if ch.isalpha())
    if lowered in COMMON_PASSWORDS or stem in COMMON_PASSWORDS or not stem.strip():
        return weak(
            "Mật khẩu quá phổ biến hoặc dễ đoán.",
            "The password is too common or easy to guess (a common word with digits, or digits only).",
        )
    return None


async def _audit(action: str, account_id: int | None, error_codes: list[str]) -> None:
    """No signed-in user ran it: `user` stays empty, the account is the object, the request id is `cli`."""
    codes = ",".join(sorted(set(error_codes)))[:255]
    await AuditEntry.create(
        user_id=None,
        token_kind=None,
        action=action,
        object_type="User" if account_id is not None else None,
        object_id=account_id,
        succeeded=not codes,
        error_codes=codes or None,
        request_id=CLI_REQUEST_ID,
    )


async def create_admin(
    email: str, password: str, *, display_name: str | None = None, reset_password: bool = False
) -> AdminOutcome:
    """Make `email` a central administrator with `password`. An e-mail already in use is refused (UNIQUE)
    unless `reset_password`: then that account gets the new password, is active again, loses its sessions
    and API tokens, and gets the central-admin membership if it lacked one. A weak password is refused
    (INVALID) and nothing is written but the audit entry."""
    action = "resetAdminPassword" if reset_password else "createAdmin"
    address = normalize_email(email.strip())
    local, _, domain = address.partition("@")
    try:
        if not local or "." not in domain or len(address) > 254 or any(ch.isspace() for ch in address):
            raise _refuse("email", AccountErrorCode.INVALID, "Email không hợp lệ.", "Invalid e-mail.")
        problem = password_problem(password, address)
        if problem is not None:
            raise DomainError([problem])
        existing = await User.get_or_none(email=address)
        if existing is None and reset_password:
            raise _refuse(
                "email",
                AccountErrorCode.NOT_FOUND,
                "Không có tài khoản với email này.",
                "No account has this e-mail.",
            )
        if existing is not None and not reset_password:
            raise _refuse(
                "email",
                AccountErrorCode.UNIQUE,
                "Email đã được dùng: dùng --reset-password để đặt lại mật khẩu.",
                "E-mail already in use: use --reset-password to set a new password for it.",
            )
        password_hash = await asyncio.to_thread(hash_password, password)  # argon2: ~0.2 s of CPU
        async with in_transaction():
            if existing is None:
                user = await User.create(
                    email=address,
                    display_name=nfc(display_name or "Quản trị viên"),
                    password_hash=password_hash,
                )
            else:
                user = existing
                user.password_hash = password_hash
                user.is_active = True
                if display_name:
                    user.display_name = nfc(display_name)
                await user.save(update_fields=["password_hash", "is_active", "display_name"])
                await AccessToken.filter(user_id=user.id, revoked_at=None).update(revoked_at=clock.now())
            has_role = await Membership.exists(user_id=user.id, role=Role.CENTRAL_ADMIN)
            if not has_role:
                await Membership.create(user_id=user.id, role=Role.CENTRAL_ADMIN)
            await _audit(action, user.id, [])
    except IntegrityError as exc:  # another create-admin made the same e-mail meanwhile
        await _audit(action, None, [AccountErrorCode.UNIQUE.value])
        raise _refuse(
            "email", AccountErrorCode.UNIQUE, "Email đã được dùng.", "E-mail already in use."
        ) from exc
    except DomainError as refused:
        target = await User.get_or_none(email=address) if "@" in address else None
        await _audit(action, target.id if target else None, [str(p.code) for p in refused.problems])
        raise
    return AdminOutcome(user=user, created=existing is None, membership_added=not has_role)
