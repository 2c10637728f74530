"""Accounts and authentication: passwords (argon2), opaque bearer tokens stored as keyed hashes, login with
brute-force limits, and the Actor every request acts as."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.transactions import in_transaction

from models import AccessToken, LoginAttempt, Membership, Role, TokenKind, User
from services.accounts.errors import AccountErrorCode
from services.common import clock, settings, signing
from services.common.errors import DomainError, FieldProblem, unauthenticated
from services.common.text import nfc

SESSION_LIFETIME = dt.timedelta(hours=12)
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 366
TOKEN_PREFIX = "ocop_"  # noqa: S105 - a public marker of our tokens, not a secret
# Brute force: failures counted over a sliding window, per account and per client address.
ATTEMPT_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


@cache
def _hasher() -> PasswordHasher:
    """argon2-cffi's default parameters (RFC 9106's low-memory profile), which are slow on purpose. The test
    suite, which hashes hundreds of passwords, asks for the cheapest ones with OCOP_PASSWORD_HASH=fast; the
    settings honour that only when OCOP_ENV=test, so no deployment can weaken its hashes by a stray
    variable. Chosen at first use, not at import."""
    if settings.current().fast_password_hash:
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so that a wrong address costs as long as a wrong
    password."""
    return _hasher().hash("not a password of anyone")


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    province_id: int | None = None
    producer_id: int | None = None
    fair_scope: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a request acts as: a user with the grants of their memberships, or the anonymous public."""

    user_id: int | None = None
    email: str | None = None
    grants: tuple[Grant, ...] = ()
    token_id: int | None = None
    token_kind: TokenKind | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has(self, role: Role) -> bool:
        return any(g.role == role for g in self.grants)

    @property
    def is_central_admin(self) -> bool:
        return self.has(Role.CENTRAL_ADMIN)

    def province_ids(self) -> set[int]:
        return {g.province_id for g in self.grants if g.role == Role.PROVINCE_OFFICER and g.province_id}

    def producer_ids(self) -> set[int]:
        return {g.producer_id for g in self.grants if g.role == Role.PRODUCER_MEMBER and g.producer_id}


PUBLIC = Actor()


# Kept under its old name: server.py checks the key at start-up through it.


def token_hash(token: str) -> str:
    # No purpose tag: the stored hashes of every token already issued are over the bare token.
    return signing.mac(token)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def normalize_email(email: str) -> str:
    return nfc(email).lower()


def _problem(code: AccountErrorCode, message: str, message_en: str, field: str = "") -> DomainError:
    return DomainError([FieldProblem(field, code, message, message_en)])


async def create_user(email: str, display_name: str, password: str) -> User:
    problems = []
    address = normalize_email(email)
    if "@" not in address or len(address) > 254:
        problems.append(
            FieldProblem("email", AccountErrorCode.INVALID, "Email không hợp lệ.", "Invalid e-mail.")
        )
    if len(password) < 10:
        problems.append(
            FieldProblem(
                "password",
                AccountErrorCode.INVALID,
                "Mật khẩu cần ít nhất 10 ký tự.",
                "At least 10 characters.",
            )
        )
    if await User.exists(email=address):
        problems.append(
            FieldProblem("email", AccountErrorCode.UNIQUE, "Email đã được dùng.", "E-mail already in use.")
        )
    if problems:
        raise DomainError(problems)
    return await User.create(
        email=address, display_name=nfc(display_name), password_hash=hash_password(password)
    )


async def _issue(
    user_id: int, kind: TokenKind, lifetime: dt.timedelta, name: str | None = None
) -> tuple[str, AccessToken]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await AccessToken.create(
        user_id=user_id,
        kind=kind,
        name=name,
        token_hash=token_hash(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        expires_at=clock.now() + lifetime,
    )
    return token, row


async def issue_session(user_id: int) -> str:
    """A session token for a user already authenticated by other means (tests, future single sign-on)."""
    token, _ = await _issue(user_id, TokenKind.SESSION, SESSION_LIFETIME)
    return token


async def login(email: str, password: str, address: str) -> tuple[str, User]:
    """A new session token for valid credentials. Unknown e-mail, wrong password and inactive account get
    the same answer; too many recent failures for the account or the address are refused outright."""
    email = normalize_email(email)
    since = clock.now() - ATTEMPT_WINDOW
    failures_account = await LoginAttempt.filter(email=email, succeeded=False, at__gte=since).count()
    failures_address = await LoginAttempt.filter(address=address, succeeded=False, at__gte=since).count()
    if failures_account >= MAX_FAILURES_PER_ACCOUNT or failures_address >= MAX_FAILURES_PER_ADDRESS:
        raise _problem(
            AccountErrorCode.TOO_MANY_ATTEMPTS,
            "Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau 15 phút.",
            "Too many failed logins. Try again in 15 minutes.",
        )
    user = await User.get_or_none(email=email)
    try:
        ok = _hasher().verify(user.password_hash if user else _dummy_hash(), password) and user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.is_active
    await LoginAttempt.create(email=email, address=address, succeeded=ok)
    if not ok or user is None:
        raise _problem(
            AccountErrorCode.INVALID_CREDENTIALS,
            "Email hoặc mật khẩu không đúng.",
            "Wrong e-mail or password.",
        )
    async with in_transaction():
        token, _ = await _issue(user.id, TokenKind.SESSION, SESSION_LIFETIME)
        user.last_login_at = clock.now()
        await user.save(update_fields=["last_login_at"])
        if _hasher().check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            await user.save(update_fields=["password_hash"])
    return token, user


async def authenticate(authorization: str | None) -> Actor:
    """The actor for an `Authorization` header: PUBLIC without one; an error for a malformed, unknown,
    expired or revoked token (a client that sends a token expects to act as its user, not as the public)."""
    if not authorization:
        return PUBLIC
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip().startswith(TOKEN_PREFIX):
        raise unauthenticated()
    row = await AccessToken.get_or_none(token_hash=token_hash(token.strip())).select_related("user")
    moment = clock.now()
    if row is None or row.revoked_at is not None or row.expires_at <= moment or not row.user.is_active:
        raise unauthenticated()
    if row.last_used_at is None or moment - row.last_used_at > LAST_USED_GRANULARITY:
        await AccessToken.filter(id=row.id).update(last_used_at=moment)
    memberships = await Membership.filter(user_id=row.user.id)
    return Actor(
        user_id=row.user.id,
        email=row.user.email,
        grants=tuple(Grant(m.role, m.province_id, m.producer_id, m.fair_scope) for m in memberships),
        token_id=row.id,
        token_kind=TokenKind(row.kind),
    )


async def logout(actor: Actor) -> None:
    if not actor.is_authenticated or actor.token_id is None:
        raise unauthenticated()
    await AccessToken.filter(id=actor.token_id).update(revoked_at=clock.now())


async def create_api_token(actor: Actor, name: str, days: int | None) -> tuple[str, AccessToken]:
    """A token for scripts, acting with the creating user's memberships. Shown once: only its hash is kept."""
    if not actor.is_authenticated or actor.user_id is None:
        raise unauthenticated()
    lifetime = days if days is not None else API_TOKEN_DEFAULT_DAYS
    problems = []
    if not 1 <= lifetime <= API_TOKEN_MAX_DAYS:
        problems.append(
            FieldProblem(
                "expiresInDays",
                AccountErrorCode.OUT_OF_RANGE,
                f"Từ 1 đến {API_TOKEN_MAX_DAYS} ngày.",
                f"Between 1 and {API_TOKEN_MAX_DAYS} days.",
            )
        )
    if not nfc(name):
        problems.append(
            FieldProblem("name", AccountErrorCode.REQUIRED, "Cần đặt tên.", "A name is required.")
        )
    if problems:
        raise DomainError(problems)
    return await _issue(actor.user_id, TokenKind.API, dt.timedelta(days=lifetime), nfc(name))


async def revoke_token(actor: Actor, token_id: int) -> AccessToken:
    """Users revoke their own tokens; a central admin revokes anyone's."""
    if not actor.is_authenticated:
        raise unauthenticated()
    row = await AccessToken.get_or_none(id=token_id)
    if row is None or (row.user_id != actor.user_id and not actor.is_central_admin):
        raise _problem(AccountErrorCode.NOT_FOUND, "Không tìm thấy mã truy cập.", "No such token.", "id")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        await row.save(update_fields=["revoked_at"])
    return row
