"""Evaluations of OCOP products: checking and recording a council's scores and stars, and keeping each
product's latest certificate. Producers and products are written by services.registry.manage."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models import Evaluation, EvaluationStatus, Product, RecognisingLevel
from services.common.errors import Problems
from services.common.text import nfc_or_none
from services.policy import Reach
from services.policy import registry as policy
from services.registry import stars

# EvaluationData and CertificationData live in data.py; they are re-exported here, where callers find the
# function that takes them.
from services.registry.data import CertificationData as CertificationData
from services.registry.data import EvaluationData as EvaluationData
from services.registry.errors import RegistryErrorCode
from services.registry.manage import not_found
from services.trace import snapshot


def check_evaluation(data: EvaluationData) -> Problems:
    problems = Problems()
    rules = stars.RULES[data.criteria_set]
    for part, value in (("A", data.score_a), ("B", data.score_b), ("C", data.score_c)):
        maximum = rules.part_maxima[part]
        if not 0 <= value <= maximum:
            problems.add(
                f"score{part}",
                RegistryErrorCode.OUT_OF_RANGE,
                f"Điểm phần {part} theo QĐ {data.criteria_set.value} phải từ 0 đến {maximum}.",
                f"Part {part} under decision {data.criteria_set.value} must be between 0 and {maximum}.",
            )
    total = data.score_a + data.score_b + data.score_c
    earned = stars.stars_for(data.criteria_set, total, mandatory_passed=data.mandatory_passed)
    if data.status in (EvaluationStatus.CERTIFIED, EvaluationStatus.REVOKED):
        if not data.decision_number:
            problems.add(
                "decisionNumber",
                RegistryErrorCode.REQUIRED,
                "Cần số quyết định công nhận.",
                "The decision number is required.",
            )
        if data.decision_date is None:
            problems.add(
                "decisionDate",
                RegistryErrorCode.REQUIRED,
                "Cần ngày quyết định công nhận.",
                "The decision date is required.",
            )
        if earned < stars.CERTIFIED_MIN_STARS and not problems:
            reason_vi = (
                "không đạt tiêu chí bắt buộc"
                if not data.mandatory_passed
                else f"{total} điểm chỉ đạt {earned} sao"
            )
            problems.add(
                "status",
                RegistryErrorCode.NOT_ALLOWED,
                f"Không thể công nhận sản phẩm OCOP: {reason_vi}.",
                "Only 3★ and above can be certified"
                + (
                    " (a mandatory criterion failed)." if not data.mandatory_passed else f" ({total} points)."
                ),
            )
        if earned == 5 and data.level != RecognisingLevel.CENTRAL:
            problems.add(
                "level",
                RegistryErrorCode.NOT_ALLOWED,
                "Sản phẩm 5 sao do Trung ương công nhận.",
                "5★ products are recognised by the central council.",
            )
    if data.status == EvaluationStatus.POTENTIAL_5_STAR and earned < 5:
        problems.add(
            "status",
            RegistryErrorCode.NOT_ALLOWED,
            "Chỉ sản phẩm đạt từ 90 điểm mới là tiềm năng 5 sao.",
            "Only a score of 90 or more is a potential 5★.",
        )
    if data.status == EvaluationStatus.EXPIRED:
        problems.add(
            "status",
            RegistryErrorCode.NOT_ALLOWED,
            "Trạng thái hết hạn được tính từ ngày hiệu lực, không nhập tay.",
            "Expiry follows from the validity dates; it is not recorded by hand.",
        )
    valid_from = data.valid_from or data.decision_date
    if valid_from and data.valid_until and data.valid_until <= valid_from:
        problems.add(
            "validUntil",
            RegistryErrorCode.INVALID_DATE_RANGE,
            "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            "The end of validity must come after its start.",
        )
    return problems


async def record_evaluation(data: EvaluationData, reach: Reach) -> Evaluation:
    product = await Product.get_or_none(id=data.product_id).select_related("producer")
    total = data.score_a + data.score_b + data.score_c
    five_stars = (
        data.status == EvaluationStatus.CERTIFIED
        and stars.stars_for(data.criteria_set, total, mandatory_passed=data.mandatory_passed) == 5
    )
    if product is None or not policy.may_record_evaluation(
        reach, product.producer, certifies_five_stars=False
    ):
        raise (
            not_found("productId", "sản phẩm", "product")
            if reach.everything
            else policy.deny(reach, "productId")
        )
    problems = check_evaluation(data)
    problems.raise_if_any()
    if five_stars and not policy.may_record_evaluation(reach, product.producer, certifies_five_stars=True):
        raise policy.deny(reach, "status")
    valid_from = data.valid_from or data.decision_date
    valid_until = data.valid_until
    if valid_until is None and valid_from is not None and data.status == EvaluationStatus.CERTIFIED:
        valid_until = stars.default_valid_until(valid_from)
    async with in_transaction():
        evaluation = await Evaluation.create(
            product_id=product.id,
            criteria_set=data.criteria_set,
            level=data.level,
            score_a=data.score_a,
            score_b=data.score_b,
            score_c=data.score_c,
            total=total,
            mandatory_passed=data.mandatory_passed,
            stars=stars.stars_for(data.criteria_set, total, mandatory_passed=data.mandatory_passed),
            status=data.status,
            decision_number=nfc_or_none(data.decision_number),
            decision_date=data.decision_date,
            valid_from=valid_from,
            valid_until=valid_until,
            note=nfc_or_none(data.note),
        )
        await refresh_latest_certificate(product)
    return evaluation


async def refresh_latest_certificate(product: Product) -> None:
    """Point the product at its latest certified evaluation (by decision date), within the caller's transaction."""
    latest = (
        await Evaluation.filter(product_id=product.id, status=EvaluationStatus.CERTIFIED)
        .order_by("-decision_date", "-id")
        .first()
    )
    latest_id = latest.id if latest else None
    if product.latest_certificate_id != latest_id:
        await Product.filter(id=product.id).update(latest_certificate_id=latest_id)
        await snapshot.stale_for_products([product.id])  # no signal for a QuerySet update
        product.latest_certificate_id = latest_id
