"""The one signing helper: HMAC-SHA256 under the server's secret key.

A signed link (a label run's file, a job's result, a packaging preview, an upload URL) carries an expiry and
a signature over `{purpose}:{part}:...:{expires}`; the purpose tag keeps a signature made for one kind of
link from opening another. Signatures are the first 32 hex digits (128 bits) of the MAC. The message layout
and the truncation are part of every link already handed out: changing either breaks them all.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from functools import cache
from pathlib import Path

from services.common import settings

SECRET_FILE = Path("var/secret_key")
SIGNATURE_HEX = 32


@cache
def secret_key() -> bytes:
    """OCOP_SECRET_KEY from the settings. Outside production a random key is generated once and kept in
    var/secret_key; production refuses to start without the variable."""
    current = settings.current()
    if current.secret_key:
        return current.secret_key.encode()
    if current.is_production:
        raise RuntimeError("OCOP_SECRET_KEY must be set in production")
    if not SECRET_FILE.exists():
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.write_text(secrets.token_urlsafe(48))
        SECRET_FILE.chmod(0o600)
    return SECRET_FILE.read_text().strip().encode()


def mac(message: str) -> str:
    """The full hex HMAC-SHA256 of `message` under the secret key."""
    return hmac.new(secret_key(), message.encode(), hashlib.sha256).hexdigest()


def sign(purpose: str, *parts: object, expires: int | None = None, length: int = SIGNATURE_HEX) -> str:
    """The signature of `parts` (and `expires`, when the signature ends) for `purpose`."""
    fields = [purpose, *(str(part) for part in parts)]
    if expires is not None:
        fields.append(str(expires))
    return mac(":".join(fields))[:length]


def expires_in(seconds: float, *, now: float | None = None, round_to: int | None = None) -> int:
    """The Unix time `seconds` from `now`, rounded up to a multiple of `round_to` seconds when given (so
    that the same link is handed out for a while and browsers can cache what it opens)."""
    moment = (now if now is not None else time.time()) + seconds
    if round_to:
        return int(math.ceil(moment / round_to) * round_to)
    return int(moment)


def verify(
    purpose: str, *parts: object, expires: str | int, signature: str, now: float | None = None
) -> bool:
    """Whether `signature` was made by `sign` for these parts and has not expired (compared in constant
    time; a malformed expiry or signature, non-ASCII included, is a refusal, not an error)."""
    try:
        when = int(expires)
    except ValueError:
        return False
    if when < (now if now is not None else time.time()):
        return False
    # compare_digest raises TypeError on a str with non-ASCII characters: compare bytes.
    given = signature.encode("utf-8", "replace")
    return hmac.compare_digest(sign(purpose, *parts, expires=when).encode(), given)
