"""OCOP star ratings: part maxima and star bands per criteria set, validity, and a product's current stars."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models import CriteriaSet, Evaluation, EvaluationStatus

CERTIFICATE_VALIDITY_MONTHS = 36
CERTIFIED_MIN_STARS = 3  # 1-2★ are rated but not certified OCOP products


@dataclass(frozen=True, slots=True)
class CriteriaSetRules:
    criteria_set: CriteriaSet
    title: str
    part_maxima: dict[str, int]  # part A, B, C
    # Lowest total for 5, 4, 3, 2 stars; below the last is 1★. QĐ 148 keeps "100 points, 5 ranks"; whether
    # its numeric bands are exactly those of 1048 is not confirmed by a source, so they are data here.
    band_floors: tuple[int, int, int, int]
    bands_uncertain: bool = False


RULES: dict[CriteriaSet, CriteriaSetRules] = {
    CriteriaSet.QD_1048: CriteriaSetRules(
        CriteriaSet.QD_1048,
        "QĐ 1048/QĐ-TTg (2019), sửa đổi bởi QĐ 781/QĐ-TTg (2020)",
        {"A": 35, "B": 25, "C": 40},
        (90, 70, 50, 30),
    ),
    CriteriaSet.QD_148: CriteriaSetRules(
        CriteriaSet.QD_148,
        "QĐ 148/QĐ-TTg (2023)",
        {"A": 40, "B": 25, "C": 35},
        (90, 70, 50, 30),
        bands_uncertain=True,
    ),
}


def stars_for(criteria_set: CriteriaSet, total: int, *, mandatory_passed: bool = True) -> int:
    """Stars earned by a total score. A product that fails a mandatory criterion (QĐ 148) cannot reach a
    certified rank whatever its score: it is held at 2★."""
    floors = RULES[criteria_set].band_floors
    stars = 1
    for rank, floor in zip((5, 4, 3, 2), floors, strict=True):
        if total >= floor:
            stars = rank
            break
    if not mandatory_passed:
        stars = min(stars, CERTIFIED_MIN_STARS - 1)
    return stars


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_valid_until(valid_from: dt.date) -> dt.date:
    """Last day of a certificate's validity: 36 months from the decision, inclusive of the day before."""
    return add_months(valid_from, CERTIFICATE_VALIDITY_MONTHS) - dt.timedelta(days=1)


def is_valid_on(evaluation: Evaluation, day: dt.date) -> bool:
    """A certificate counts on `day` if it is certified and `day` lies within its validity."""
    if evaluation.status != EvaluationStatus.CERTIFIED or evaluation.valid_until is None:
        return False
    start = evaluation.valid_from or evaluation.decision_date
    return (start is None or start <= day) and day <= evaluation.valid_until


def effective_status(evaluation: Evaluation, day: dt.date) -> EvaluationStatus:
    """Status as a reader sees it on `day`: a certified evaluation past its validity reads as expired."""
    status = EvaluationStatus(evaluation.status)
    if status == EvaluationStatus.CERTIFIED and evaluation.valid_until and evaluation.valid_until < day:
        return EvaluationStatus.EXPIRED
    return status


def current_stars(latest_certificate: Evaluation | None, day: dt.date) -> int | None:
    """A product's stars on `day`: those of its latest certified evaluation while valid, else none."""
    if latest_certificate is None or not is_valid_on(latest_certificate, day):
        return None
    return int(latest_certificate.stars)
