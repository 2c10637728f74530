"""Accounts and authentication: passwords (argon2), opaque bearer tokens stored as keyed hashes, login with
brute-force limits, and the Actor every request acts as.

Argon2 costs ~190 ms of CPU at production cost: it runs in worker threads (`hashed`, `_verify`), at most
`password_hash_threads` at once per process, never on the event loop. A login reserves its attempt before
the password is checked, under a per-account lock, so that concurrent wrong passwords cannot get more
checks than the limit allows."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from anyio import CapacityLimiter, to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise import connections
from tortoise.transactions import in_transaction

from models import AccessToken, LoginAttempt, Membership, Role, TokenKind, User
from services.accounts.errors import AccountErrorCode
from services.common import clock, rows, settings, signing
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
EMAIL_MAX = 254  # LoginAttempt.email's column
# PostgreSQL advisory lock classes (the first key of pg_advisory_xact_lock(int, int)) of login reservations.
LOCK_ACCOUNT = 7_406_301
LOCK_ADDRESS = 7_406_302


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
    """On the calling thread: for the command line and tests. Request paths await `hashed`."""
    return _hasher().hash(password)


# Per event loop (a test run has several), by capacity (a test may change the setting).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, CapacityLimiter]] = (
    weakref.WeakKeyDictionary()
)
_reserve_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


async def _off_loop[T](fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in a worker thread, at most `password_hash_threads` at once: a flood of logins waits in
    line instead of taking every thread. A cancelled caller waits for its thread, so the cap holds."""
    capacity = max(1, settings.current().password_hash_threads)
    limiters = _limiters.setdefault(asyncio.get_running_loop(), {})
    if capacity not in limiters:
        limiters[capacity] = CapacityLimiter(capacity)
    return await to_thread.run_sync(fn, *args, limiter=limiters[capacity])


async def hashed(password: str) -> str:
    """The argon2 hash of `password`, computed in a worker thread."""
    return await _off_loop(hash_password, password)


def _check(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def _verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`, in a worker thread. Without a stored hash (unknown e-mail) the
    dummy hash is checked all the same, so that a wrong address costs as long as a wrong password."""
    if stored is None:
        await _off_loop(_check, await _off_loop(_dummy_hash), password)
        return False
    return await _off_loop(_check, stored, password)


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
        email=address, display_name=nfc(display_name), password_hash=await hashed(password)
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


def _too_many() -> DomainError:
    return _problem(
        AccountErrorCode.TOO_MANY_ATTEMPTS,
        "Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau 15 phút.",
        "Too many failed logins. Try again in 15 minutes.",
    )


async def _reserve_attempt(email: str, address: str) -> int:
    """Count the recent failures of the account and of the address and, under the limits, record this
    attempt as a failure before its password is checked (a success is marked later); the id of its row.
    Counting and recording are one step per account: on PostgreSQL under transaction-scoped advisory locks
    of the account and then of the address (every replica), on SQLite (one process) under a lock of the
    process. So twenty concurrent wrong passwords get MAX_FAILURES_PER_ACCOUNT checks, not twenty."""
    postgres = connections.get("default").capabilities.dialect == "postgres"
    lock = _reserve_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with contextlib.AsyncExitStack() as stack:
        if not postgres:
            await stack.enter_async_context(lock)
        conn = await stack.enter_async_context(in_transaction())
        if postgres:
            for lock_class, key in ((LOCK_ACCOUNT, email), (LOCK_ADDRESS, address)):
                await conn.execute_query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [lock_class, key])
        since = clock.now() - ATTEMPT_WINDOW
        recent = LoginAttempt.filter(succeeded=False, at__gte=since).using_db(conn)
        if (
            await recent.filter(email=email).count() >= MAX_FAILURES_PER_ACCOUNT
            or await recent.filter(address=address).count() >= MAX_FAILURES_PER_ADDRESS
        ):
            raise _too_many()
        row = await LoginAttempt.create(email=email, address=address, succeeded=False, using_db=conn)
    return row.id


async def login(email: str, password: str, address: str) -> tuple[str, User]:
    """A new session token for valid credentials. Unknown e-mail, wrong password and inactive account get
    the same answer; too many recent failures for the account or the address are refused outright, before
    any password is checked."""
    email = normalize_email(email)[:EMAIL_MAX]  # longer ones are no account's (create_user refuses them)
    attempt = await _reserve_attempt(email, address)
    user = await User.get_or_none(email=email)
    ok = await _verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise _problem(
            AccountErrorCode.INVALID_CREDENTIALS,
            "Email hoặc mật khẩu không đúng.",
            "Wrong e-mail or password.",
        )
    rehashed = await hashed(password) if _hasher().check_needs_rehash(user.password_hash) else None
    async with in_transaction():
        await LoginAttempt.filter(id=attempt).update(succeeded=True)
        token, _ = await _issue(user.id, TokenKind.SESSION, SESSION_LIFETIME)
        user.last_login_at = clock.now()
        await user.save(update_fields=["last_login_at"])
        if rehashed is not None:
            user.password_hash = rehashed
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
    found = await _token_rows(token_hash(token.strip()))
    moment = clock.now()
    if not found:
        raise unauthenticated()
    row = found[0]
    expires_at, last_used_at = (
        rows.value(AccessToken, "expires_at", row["expires_at"]),
        rows.value(AccessToken, "last_used_at", row["last_used_at"]),
    )
    active = rows.value(User, "is_active", row["is_active"])
    if row["revoked_at"] is not None or expires_at <= moment or not active:
        raise unauthenticated()
    if last_used_at is None or moment - last_used_at > LAST_USED_GRANULARITY:
        await AccessToken.filter(id=row["id"]).update(last_used_at=moment)
    return Actor(
        user_id=row["user_id"],
        email=row["email"],
        grants=tuple(
            Grant(Role(m["role"]), m["province_id"], m["producer_id"], m["fair_scope"])
            for m in found
            if m["role"] is not None
        ),
        token_id=row["id"],
        token_kind=TokenKind(row["kind"]),
    )


_ACTOR_SQL = (
    'SELECT t."id", t."kind", t."expires_at", t."last_used_at", t."revoked_at", t."user_id", u."email", '
    'u."is_active", m."role", m."province_id", m."producer_id", m."fair_scope" '
    'FROM "access_token" t JOIN "app_user" u ON u."id" = t."user_id" '
    'LEFT JOIN "membership" m ON m."user_id" = t."user_id" WHERE t."token_hash" = {mark} ORDER BY m."id"'
)


async def _token_rows(digest: str) -> list[dict[str, Any]]:
    """The token with that hash, its user and one row per membership (role NULL when it has none), in one
    statement: every signed-in request reads it, and the ORM spent ~1 ms of CPU building the two queries
    and their objects that read it before."""
    conn = connections.get("default")
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    return list(await conn.execute_query_dict(_ACTOR_SQL.format(mark=mark), [digest]))


async def actor_of_user(user_id: int) -> Actor | None:
    """The actor a user is now, with its current memberships, for work done on its behalf without a request
    (an EPCIS subscription's deliveries); None when the user is gone or deactivated."""
    user = await User.get_or_none(id=user_id)
    if user is None or not user.is_active:
        return None
    memberships = await Membership.filter(user_id=user.id)
    return Actor(
        user_id=user.id,
        email=user.email,
        grants=tuple(Grant(m.role, m.province_id, m.producer_id, m.fair_scope) for m in memberships),
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
