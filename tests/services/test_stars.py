from __future__ import annotations

import datetime as dt

import pytest

from models import CriteriaSet, Evaluation, EvaluationStatus
from services.registry import stars


@pytest.mark.parametrize(
    ("total", "expected"),
    [(100, 5), (90, 5), (89, 4), (70, 4), (69, 3), (50, 3), (49, 2), (30, 2), (29, 1), (0, 1)],
)
def test_1048_bands(total: int, expected: int) -> None:
    assert stars.stars_for(CriteriaSet.QD_1048, total) == expected


def test_a_failed_mandatory_criterion_keeps_a_high_score_below_certification() -> None:
    assert stars.stars_for(CriteriaSet.QD_148, 85, mandatory_passed=False) == 2


def test_part_maxima_differ_between_criteria_sets() -> None:
    assert stars.RULES[CriteriaSet.QD_1048].part_maxima == {"A": 35, "B": 25, "C": 40}
    assert stars.RULES[CriteriaSet.QD_148].part_maxima == {"A": 40, "B": 25, "C": 35}
    for rules in stars.RULES.values():
        assert sum(rules.part_maxima.values()) == 100


def test_a_certificate_is_valid_for_36_months() -> None:
    assert stars.default_valid_until(dt.date(2020, 1, 15)) == dt.date(2023, 1, 14)
    assert stars.default_valid_until(dt.date(2020, 2, 29)) == dt.date(2023, 2, 27)


def _certificate(valid_from: dt.date, valid_until: dt.date, status: EvaluationStatus) -> Evaluation:
    return Evaluation(
        stars=4, status=status, decision_date=valid_from, valid_from=valid_from, valid_until=valid_until
    )


def test_current_stars_only_while_the_certificate_is_valid() -> None:
    cert = _certificate(dt.date(2024, 1, 1), dt.date(2026, 12, 31), EvaluationStatus.CERTIFIED)
    assert stars.current_stars(cert, dt.date(2025, 5, 1)) == 4
    assert stars.current_stars(cert, dt.date(2026, 12, 31)) == 4
    assert stars.current_stars(cert, dt.date(2027, 1, 1)) is None
    assert stars.current_stars(cert, dt.date(2023, 12, 31)) is None
    assert stars.effective_status(cert, dt.date(2027, 1, 1)) == EvaluationStatus.EXPIRED


def test_a_revoked_certificate_gives_no_stars() -> None:
    cert = _certificate(dt.date(2024, 1, 1), dt.date(2026, 12, 31), EvaluationStatus.REVOKED)
    assert stars.current_stars(cert, dt.date(2025, 5, 1)) is None
