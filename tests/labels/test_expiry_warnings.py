"""A producer prints labels for a lot that is expired or about to be: the mutation says so (typed warnings in
the payload, in the request's language), and an expired lot is printed only when the producer confirms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from strawberry.relay import to_base64

from models import LabelRun, Role
from services.common import clock, settings
from tests.conftest import gql
from tests.factories import make_batch, make_product, token_for

CREATE = """
mutation($input: LabelRunInput!) {
  createLabelRun(input: $input) {
    labelRun { id count batch { lotCode } }
    errors { field code message }
    warnings { code message expiresOn }
  }
}
"""


@pytest.fixture(autouse=True)
def own_media(media: Path) -> None:
    """Label files of each test in its own media directory (tests/labels/conftest.py)."""


async def lot_expiring(days_from_today: int | None) -> tuple[str, str, dt.date | None]:
    """A producer member's token and a published lot expiring `days_from_today` (None: no expiry date)."""
    product = await make_product(name="Kẹo dừa sầu riêng")
    expires = None if days_from_today is None else clock.today() + dt.timedelta(days=days_from_today)
    batch = await make_batch(product, f"KD-{days_from_today}".replace("-None", "-NA"), expiry_date=expires)
    token = await token_for(Role.PRODUCER_MEMBER, producer_id=product.producer_id)
    return token, to_base64("Batch", batch.id), expires


async def create(
    client: AsyncClient, token: str, batch_gid: str, *, lang: str | None = None, **more: Any
) -> dict[str, Any]:
    variables = {"input": {"batchId": batch_gid, "template": "ROLL-50x30", "count": 2, **more}}
    body = await gql(client, CREATE, variables, token=token, lang=lang)
    payload: dict[str, Any] = body["data"]["createLabelRun"]
    return payload


async def test_an_expired_lot_is_refused_until_the_producer_confirms(client: AsyncClient, db: object) -> None:
    token, gid, expires = await lot_expiring(-3)
    assert expires is not None
    refused = await create(client, token, gid)
    assert refused["labelRun"] is None
    assert refused["warnings"] == []
    (error,) = refused["errors"]
    assert error["field"] == "confirmExpired"
    assert error["code"] == "LOT_EXPIRED"
    assert expires.strftime("%d/%m/%Y") in error["message"]
    assert error["message"].startswith("Lô hàng đã hết hạn sử dụng")
    assert await LabelRun.all().count() == 0  # nothing printed, no serials taken

    english = await create(client, token, gid, lang="en", confirmExpired=False)
    assert english["errors"][0]["message"].startswith(f"The lot expired on {expires.isoformat()}")

    printed = await create(client, token, gid, lang="en", confirmExpired=True)
    assert printed["errors"] == []
    assert printed["labelRun"]["count"] == 2
    assert printed["warnings"] == [
        {
            "code": "LOT_EXPIRED",
            "message": f"The lot expired on {expires.isoformat()} (3 days ago).",
            "expiresOn": expires.isoformat(),
        }
    ]
    assert await LabelRun.all().count() == 1


async def test_a_lot_expiring_soon_prints_with_a_warning(client: AsyncClient, db: object) -> None:
    token, gid, expires = await lot_expiring(10)
    assert expires is not None
    payload = await create(client, token, gid)
    assert payload["errors"] == []
    assert payload["labelRun"] is not None
    (warning,) = payload["warnings"]
    assert warning["code"] == "LOT_EXPIRES_SOON"
    assert warning["expiresOn"] == expires.isoformat()
    assert warning["message"] == f"Lô hàng sắp hết hạn sử dụng: {expires.strftime('%d/%m/%Y')} (sau 10 ngày)."
    # The last good day is a warning too, not a refusal: a lot is good through its expiry date.
    token, gid, expires = await lot_expiring(0)
    today = await create(client, token, gid, lang="en")
    assert today["labelRun"] is not None
    assert [w["message"] for w in today["warnings"]] == [f"The lot expires soon: {expires} (today)."]


async def test_the_warning_threshold_is_a_setting(client: AsyncClient, db: object) -> None:
    token, gid, _ = await lot_expiring(10)
    with settings.overridden(label_expiry_warning_days=7):
        quiet = await create(client, token, gid)
    assert quiet["labelRun"] is not None
    assert quiet["warnings"] == []
    with settings.overridden(label_expiry_warning_days=10):
        warned = await create(client, token, gid)
    assert [w["code"] for w in warned["warnings"]] == ["LOT_EXPIRES_SOON"]


@pytest.mark.parametrize("days", [31, None], ids=["far", "no-expiry"])
async def test_a_lot_far_from_expiry_prints_without_warnings(
    client: AsyncClient, db: object, days: int | None
) -> None:
    token, gid, _ = await lot_expiring(days)
    payload = await create(client, token, gid)
    assert payload["errors"] == []
    assert payload["labelRun"] is not None
    assert payload["warnings"] == []
