"""A signed link whose signature holds non-ASCII characters is refused like any bad signature (403), not a
500: `hmac.compare_digest` raises TypeError on a non-ASCII str."""

from __future__ import annotations

import time

from httpx import AsyncClient

from services.common import signing
from tests.conftest import Database


def test_verify_refuses_a_non_ascii_signature() -> None:
    expires = int(time.time()) + 600
    good = signing.sign("label-run", 1, "pdf", expires=expires)
    assert signing.verify("label-run", 1, "pdf", expires=expires, signature=good)
    for forged in ("é" * 32, good[:-1] + "é", "\udcff", "٣" * 32):
        assert not signing.verify("label-run", 1, "pdf", expires=expires, signature=forged)
    assert not signing.verify("label-run", 1, "pdf", expires="٣" * 5000, signature=good)


async def test_download_with_a_non_ascii_signature_is_refused(client: AsyncClient, db: Database) -> None:
    expires = int(time.time()) + 600
    for path in ("/labels/runs/1/pdf", "/jobs/1/result", "/packaging/versions/1/preview.png"):
        response = await client.get(path, params={"expires": str(expires), "sig": "ü" * 32})
        assert response.status_code in (403, 404), (path, response.status_code, response.text)
