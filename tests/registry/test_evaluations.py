"""A province officer records evaluations; stars follow the criteria set's rules and the certificate's validity."""

from __future__ import annotations

import datetime as dt

import pytest
from httpx import AsyncClient
from strawberry.relay import to_base64
from tortoise.exceptions import IntegrityError

from models import CriteriaSet, Evaluation, Product
from services.common.clock import today as vietnam_today
from tests.conftest import Database, gql
from tests.factories import certify, make_product


@pytest.fixture
def client(admin_client: AsyncClient) -> AsyncClient:
    """These tests are about validation: they act as a central admin (authorization: tests/accounts)."""
    return admin_client


RECORD = """
mutation($input: EvaluationInput!) {
  recordEvaluation(input: $input) {
    evaluation { total stars status validFrom validUntil isValid }
    errors { field code message }
  }
}
"""
PRODUCT = """
query($id: ID!) { product(id: $id) { name stars certificate { number level validUntil isValid status } } }
"""


def evaluation_input(product: Product, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "productId": to_base64("Product", product.id),
        "criteriaSet": "QD_148",
        "level": "PROVINCE",
        "scoreA": 30,
        "scoreB": 20,
        "scoreC": 28,
        "status": "CERTIFIED",
        "decisionNumber": "1234/QĐ-UBND",
        "decisionDate": (vietnam_today() - dt.timedelta(days=100)).isoformat(),
    }
    values.update(overrides)
    return values


async def test_a_certified_evaluation_gives_the_product_its_stars(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    body = await gql(client, RECORD, {"input": evaluation_input(product)})
    evaluation = body["data"]["recordEvaluation"]["evaluation"]
    assert body["data"]["recordEvaluation"]["errors"] == []
    assert evaluation["total"] == 78
    assert evaluation["stars"] == 4
    assert evaluation["isValid"] is True
    decided = vietnam_today() - dt.timedelta(days=100)
    assert evaluation["validFrom"] == decided.isoformat()
    assert dt.date.fromisoformat(evaluation["validUntil"]).year == decided.year + 3
    body = await gql(client, PRODUCT, {"id": to_base64("Product", product.id)})
    assert body["data"]["product"]["stars"] == 4
    assert body["data"]["product"]["certificate"]["number"] == "1234/QĐ-UBND"


async def test_an_expired_certificate_shows_no_stars(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    await certify(product, stars=5, decided=dt.date(2019, 12, 20), criteria_set=CriteriaSet.QD_1048)
    body = await gql(client, PRODUCT, {"id": to_base64("Product", product.id)})
    assert body["data"]["product"]["stars"] is None
    assert body["data"]["product"]["certificate"]["isValid"] is False
    assert body["data"]["product"]["certificate"]["status"] == "EXPIRED"
    assert body["data"]["product"]["certificate"]["validUntil"] == "2022-12-19"


async def test_the_latest_certificate_decides_the_stars(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    await certify(product, stars=5, decided=vietnam_today() - dt.timedelta(days=700))
    await certify(product, stars=3, decided=vietnam_today() - dt.timedelta(days=10))
    body = await gql(client, PRODUCT, {"id": to_base64("Product", product.id)})
    assert body["data"]["product"]["stars"] == 3


async def test_a_part_score_above_the_sets_maximum_is_refused(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    # 38 points in part A is allowed under QĐ 148 (max 40) but not under QĐ 1048 (max 35).
    body = await gql(client, RECORD, {"input": evaluation_input(product, criteriaSet="QD_1048", scoreA=38)})
    payload = body["data"]["recordEvaluation"]
    assert payload["evaluation"] is None
    assert payload["errors"] == [
        {"field": "scoreA", "code": "OUT_OF_RANGE", "message": "Điểm phần A theo QĐ 1048 phải từ 0 đến 35."}
    ]
    body = await gql(client, RECORD, {"input": evaluation_input(product, criteriaSet="QD_148", scoreA=38)})
    assert body["data"]["recordEvaluation"]["errors"] == []
    assert await Evaluation.all().count() == 1


async def test_a_validity_end_before_its_start_is_refused(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    body = await gql(
        client, RECORD, {"input": evaluation_input(product, validFrom="2024-06-01", validUntil="2024-05-31")}
    )
    assert body["data"]["recordEvaluation"]["errors"][0]["field"] == "validUntil"
    assert body["data"]["recordEvaluation"]["errors"][0]["code"] == "INVALID_DATE_RANGE"
    assert await Evaluation.all().count() == 0


async def test_two_stars_cannot_be_certified(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    body = await gql(client, RECORD, {"input": evaluation_input(product, scoreA=10, scoreB=10, scoreC=20)})
    assert [(e["field"], e["code"]) for e in body["data"]["recordEvaluation"]["errors"]] == [
        ("status", "NOT_ALLOWED")
    ]


async def test_a_failed_mandatory_criterion_blocks_certification(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    body = await gql(client, RECORD, {"input": evaluation_input(product, mandatoryPassed=False)})
    assert body["data"]["recordEvaluation"]["errors"][0]["code"] == "NOT_ALLOWED"
    body = await gql(
        client, RECORD, {"input": evaluation_input(product, mandatoryPassed=False, status="DRAFT")}
    )
    assert body["data"]["recordEvaluation"]["evaluation"]["stars"] == 2


async def test_five_stars_are_recognised_centrally(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    high = {"scoreA": 38, "scoreB": 24, "scoreC": 33}
    body = await gql(client, RECORD, {"input": evaluation_input(product, **high)})
    assert body["data"]["recordEvaluation"]["errors"][0]["field"] == "level"
    body = await gql(client, RECORD, {"input": evaluation_input(product, **high, status="POTENTIAL_5_STAR")})
    assert body["data"]["recordEvaluation"]["evaluation"]["status"] == "POTENTIAL_5_STAR"
    body = await gql(client, RECORD, {"input": evaluation_input(product, **high, level="CENTRAL")})
    assert body["data"]["recordEvaluation"]["evaluation"]["stars"] == 5


async def test_a_revocation_removes_the_stars(client: AsyncClient, db: Database) -> None:
    product = await make_product()
    cert = await certify(product, stars=4, decided=vietnam_today() - dt.timedelta(days=200))
    await Evaluation.filter(id=cert.id).update(status="revoked")
    from services.registry.evaluations import refresh_latest_certificate

    await refresh_latest_certificate(product)
    body = await gql(client, PRODUCT, {"id": to_base64("Product", product.id)})
    assert body["data"]["product"]["stars"] is None


async def test_the_database_itself_refuses_a_part_score_above_its_maximum(db: Database) -> None:
    product = await make_product()
    with pytest.raises(IntegrityError):
        await Evaluation.create(
            product_id=product.id,
            criteria_set="1048",
            level="province",
            score_a=38,
            score_b=20,
            score_c=30,
            total=88,
            stars=4,
            status="draft",
        )
