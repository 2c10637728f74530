"""The HTTP client of EPCIS subscription webhooks: services/trace/epcis_subscriptions.py decides what to send
and when; this sends one POST and says what the subscriber answered. No redirects are followed (a webhook
that moved must be subscribed again: a redirect could lead into a private network), and the answer's body is
not read beyond its status."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from services.trace.epcis_subscriptions import SEND_TIMEOUT_S, SendFailed


class WebhookSender:
    """One connection pool for every webhook of a process (`send` is the dispatcher's Sender)."""

    def __init__(self, timeout_s: float = SEND_TIMEOUT_S) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            headers={"User-Agent": "ocop-hub EPCIS subscriptions"},
        )

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            response = await self._client.post(url, content=body, headers=dict(headers))
        except httpx.HTTPError as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}") from None
        await response.aclose()
        return response.status_code

    async def close(self) -> None:
        await self._client.aclose()
