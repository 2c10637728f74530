"""Signed links: one helper, and every link handed out before it keeps opening.

The expected signatures below were computed with the formulas each module had before the helper existed
(HMAC-SHA256 of `purpose:parts:expires`, first 32 hex digits) under a fixed key: if the message layout or the
truncation changed, printed links and e-mailed downloads would stop working.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from services.accounts import auth
from services.common import settings, signing
from services.jobs import queue as jobs
from services.labels import runs, scans
from services.packaging import preview, uploads

KEY = "a-fixed-test-secret-for-known-answers"
EXPIRES = 2_000_000_000


@pytest.fixture(autouse=True)
def fixed_key() -> Iterator[None]:
    signing.secret_key.cache_clear()
    with settings.overridden(secret_key=KEY):
        yield
    signing.secret_key.cache_clear()


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_label_run_links_are_signed_as_before() -> None:
    url = runs.download_url("https://ocop.test", 12, "pdf", now=EXPIRES - 7 * 86400)
    assert (
        url == f"https://ocop.test/labels/runs/12/pdf?expires={EXPIRES}&sig=7089e8ba5db85b0ab5e055d3aeed1169"
    )
    assert runs.verify_download(12, "pdf", str(EXPIRES), "7089e8ba5db85b0ab5e055d3aeed1169", now=EXPIRES - 1)
    assert not runs.verify_download(
        12, "png", str(EXPIRES), "7089e8ba5db85b0ab5e055d3aeed1169", now=EXPIRES - 1
    )


def test_job_links_are_signed_as_before() -> None:
    url = jobs.download_url("https://ocop.test", 34, now=EXPIRES - 7 * 86400)
    assert url == f"https://ocop.test/jobs/34/result?expires={EXPIRES}&sig=fd32eb7d871e0d5960324634767877fa"
    assert jobs.verify_download(34, str(EXPIRES), "fd32eb7d871e0d5960324634767877fa", now=EXPIRES)
    assert not jobs.verify_download(34, str(EXPIRES), "fd32eb7d871e0d5960324634767877fa", now=EXPIRES + 1)


def test_preview_links_are_signed_as_before_and_rounded_to_the_hour() -> None:
    url = preview.preview_url("https://ocop.test", 7, "png", now=2_000_001_600 - 86_400 - 100)
    assert query(url) == {"expires": "2000001600", "sig": "97bf4aad7a1160962f43dc7225024f32"}
    assert preview.verify_url(7, "png", "2000001600", "97bf4aad7a1160962f43dc7225024f32", now=EXPIRES)


def test_upload_tokens_are_signed_as_before() -> None:
    url = uploads.upload_url("https://ocop.test", 42, now=EXPIRES - 15 * 60)
    assert query(url) == {"token": f"42.{EXPIRES}.a432fc6d28b8001fb634d09e6d386f95"}
    assert uploads.verify_upload_token(f"42.{EXPIRES}.a432fc6d28b8001fb634d09e6d386f95", now=EXPIRES) == 42


def test_scan_networks_and_token_hashes_are_keyed_as_before() -> None:
    assert scans.network_of("203.0.113.7") == "1733de75c7d58ec7"
    assert auth.token_hash("tok_abc") == "7cda271673f5e0e87dc1d9d2108dc1b9038d1a9a7643911551c16dfb2a528947"


def test_a_signature_is_bound_to_its_purpose_and_refuses_malformed_expiries() -> None:
    signature = signing.sign("job", 1, expires=EXPIRES)
    assert signing.verify("job", 1, expires=EXPIRES, signature=signature, now=EXPIRES)
    assert not signing.verify("label-run", 1, expires=EXPIRES, signature=signature, now=EXPIRES)
    assert not signing.verify("job", 1, expires="soon", signature=signature, now=EXPIRES)
    assert not signing.verify("job", 1, expires=EXPIRES, signature=signature.upper(), now=EXPIRES)


def test_production_refuses_to_sign_without_a_key() -> None:
    signing.secret_key.cache_clear()
    with (
        settings.overridden(secret_key=None, environment=settings.Environment.PRODUCTION),
        pytest.raises(RuntimeError, match="OCOP_SECRET_KEY must be set in production"),
    ):
        signing.secret_key()
