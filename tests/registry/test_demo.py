"""The demo data set a newcomer sees on the first `make run`, and the data files it is read from."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from httpx import AsyncClient

from models import Evaluation, Producer, Product, User
from services.demo import fair, files, registry
from services.demo import loader as demo
from tests.conftest import Database, gql

STARS = """
query($search: String!) { products(filter: {search: $search}) { edges { node { name stars certificate { status } } } } }
"""


async def stars_of(client: AsyncClient, name: str) -> list[tuple[str, int | None]]:
    body = await gql(client, STARS, {"search": name})
    return [(e["node"]["name"], e["node"]["stars"]) for e in body["data"]["products"]["edges"]]


async def test_the_demo_loads_once_and_tells_its_story(client: AsyncClient, db: Database) -> None:
    first = await demo.load()
    assert first["producers"] >= 14
    assert first["products"] >= 30
    again = await demo.load()
    assert again == {
        "producers": 0,
        "products": 0,
        "evaluations": 0,
        "plans": 0,
        "targets": 0,
        "batches": 0,
        "accounts": 0,
    }
    assert await Producer.exclude(name__endswith="(demo)").count() == 0, (
        "demo producers must be marked as fictional"
    )
    # Certified under 1048 in 2020 only: the certificate expired in 2023, so no stars today.
    assert await stars_of(client, "banh trang my long nuoc dua") == [("Bánh tráng Mỹ Lồng nước dừa", None)]
    # Its 2025 score of 91 awaits the central council: it keeps the 4★ of its 2023 certificate.
    assert await stars_of(client, "keo dua sau rieng la dua") == [("Kẹo dừa sầu riêng lá dứa", 4)]
    # The 5★ product recognised by the central council under QĐ 148 (Quảng Nam).
    assert await stars_of(client, "cao sam ngoc linh") == [("Cao sâm Ngọc Linh", 5)]
    assert await Evaluation.filter(status="revoked").count() == 1
    assert await Product.filter(latest_certificate_id__isnull=True).count() >= 2
    # Two producers have logos drawn for the demo, served under /static/ as PNG images.
    logos = sorted(str(p.logo_url) for p in await Producer.filter(logo_url__isnull=False))
    assert logos == [
        "/static/demo/logo-banh-phong-son-doc.png",
        "/static/demo/logo-keo-dua-phu-hung.png",
    ]
    for url in logos:
        served = await client.get(url)
        assert (served.status_code, served.headers["content-type"]) == (200, "image/png"), url


async def test_demo_accounts_sign_in_with_their_roles(client: AsyncClient, db: Database) -> None:
    await demo.load(with_accounts=True)
    login = 'mutation($e: String!) { login(input: {email: $e, password: "ocop-demo-2019"}) { token errors { code } } }'
    me = "{ me { memberships { role province { name } } } }"
    roles = {}
    for email in ("admin", "officer.bentre", "producer", "organiser", "consultant"):
        payload = (await gql(client, login, {"e": f"{email}@demo.ocop.vn"}))["data"]["login"]
        assert payload["errors"] == [], email
        memberships = (await gql(client, me, token=payload["token"]))["data"]["me"]["memberships"]
        roles[email] = [(m["role"], (m["province"] or {}).get("name")) for m in memberships]
    assert roles == {
        "admin": [("CENTRAL_ADMIN", None)],
        "officer.bentre": [("PROVINCE_OFFICER", "Tỉnh Bến Tre")],
        "producer": [("PRODUCER_MEMBER", None)],
        "organiser": [("FAIR_ORGANISER", None)],
        "consultant": [("CONSULTANT", None)],
    }


async def test_no_demo_accounts_without_asking(db: Database) -> None:
    counts = await demo.load(with_accounts=False)
    assert counts["accounts"] == 0
    assert await User.all().count() == 0


async def test_the_demo_lots_have_full_valid_histories(db: Database) -> None:
    from models import Batch
    from services.trace import epcis_validation
    from services.trace import events as trace
    from services.trace.integrity import integrity
    from services.trace.lineage import lineage

    await demo.load(with_accounts=False, base_url="https://ocop.test")
    pomelo = await Batch.get(lot_code="BDX-190520")
    steps = [e.biz_step for e in await trace.events_of(pomelo.id)]
    assert steps == ["commissioning", "packing", "inspecting", "shipping", "receiving"]
    candy = await Batch.get(lot_code="KDSR-190520")
    origins = await lineage([candy.id], backward=True)
    assert sorted(b.lot_code for b in origins[0]) == ["DUONG-1905", "DX-190515"]
    for batch in await Batch.all():
        assert (await integrity(batch.id, "https://ocop.test")).valid, batch.lot_code
        assert epcis_validation.validate(await trace.batch_document(batch.id, "https://ocop.test")) == [], (
            batch.lot_code
        )


def test_every_demo_data_file_is_nfc_and_read() -> None:
    """The demo is data files (services/demo/data/): each is NFC text and read by a loader."""
    found = sorted(p for p in files.DATA.rglob("*") if p.is_file() and p.suffix in (".toml", ".csv", ".json"))
    assert found
    for path in found:
        body = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", body), path
    registry.data.cache_clear()
    fair.data.cache_clear()
    assert len(registry.data().producers) == 19
    assert len(fair.data().exhibitors) == 67
    read = {"registry/" + n for n in ("producers.toml", "products.toml", "provincial_plans.csv")}
    read |= {"registry/" + n for n in ("programme_targets.toml", "accounts.toml", "trace.json")}
    read |= {"fair/" + n for n in ("fair.toml", "producers.csv", "products.csv", "evaluations.csv")}
    read |= {"fair/" + n for n in ("exhibitors.csv", "other_applications.csv", "sessions.toml")}
    read |= {"fair/offerings.toml", "fair/sponsors.csv", "packaging/designs.toml"}
    assert {p.relative_to(files.DATA).as_posix() for p in found} == read


def test_a_demo_file_saved_decomposed_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "decomposed.csv").write_text(
        "name\n" + unicodedata.normalize("NFD", "Bánh phồng Sơn Đốc") + "\n", encoding="utf-8"
    )
    (tmp_path / "composed.csv").write_text("name,# note,website\nBánh phồng Sơn Đốc,x,\n", encoding="utf-8")
    monkeypatch.setattr(files, "DATA", tmp_path)
    with pytest.raises(ValueError, match=r"decomposed\.csv is not NFC"):
        files.read_csv("decomposed.csv")
    assert files.read_csv("composed.csv") == [
        {"name": "Bánh phồng Sơn Đốc"}
    ]  # notes and empty cells left out
