"""The installation's identity: the public base URL its identifiers were minted with.

Identifiers that hold our address (a lot without a GTIN is `{base}/p/{code}/10/{lot}`, a location without a
GLN `{base}/locations/{id}`) are part of every event's CBV hash, and printed QR codes carry them for years.
So they are minted once: the first start (or the first event) of an installation writes the configured
`OCOP_PUBLIC_BASE_URL` into the `instance` table, and hashing always uses that one (`identity_base`). A
deployment that moves from a trial domain to its real one changes `OCOP_PUBLIC_BASE_URL`: pages, new labels
and links are served under the new address, events keep their identifiers and hashes (never a false tamper
warning), and the resolver answers the old printed links too, since its routes do not depend on the host
(point the old domain at the server). `minted_and_configured` tells the start-up log both."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models import Instance

_minted: str | None = None  # read once per process


async def identity_base(configured: str) -> str:
    """The base URL identifiers are minted with: the stored one, else `configured`, stored now."""
    global _minted
    if _minted is None:
        row = await Instance.get_or_none(id=1)
        if row is None:
            try:
                row = await Instance.create(id=1, minted_base_url=configured.rstrip("/"))
            except IntegrityError:  # another process minted it first
                row = await Instance.get(id=1)
        _minted = row.minted_base_url
    return _minted


async def identity_base_if_minted(configured: str) -> str:
    """The stored base URL, else `configured` without storing it: for a check of what is already recorded
    (nothing was hashed before the identity was minted), which must not mint it as a side effect."""
    global _minted
    if _minted is None:
        row = await Instance.get_or_none(id=1)
        if row is None:
            return configured.rstrip("/")
        _minted = row.minted_base_url
    return _minted


def forget() -> None:
    """Read the identity again on next use (tests empty the table between tests)."""
    global _minted
    _minted = None
