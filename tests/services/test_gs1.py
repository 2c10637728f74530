from __future__ import annotations

import pytest

from services.common import gs1


@pytest.mark.parametrize(
    ("raw", "gtin14"),
    [
        ("12345678901231", "12345678901231"),
        ("1234567890128", "01234567890128"),
        ("8934563138165", "08934563138165"),  # a Vietnamese (893) GTIN-13
        ("96385074", "00000096385074"),  # GTIN-8
        ("036000291452", "00036000291452"),  # GTIN-12 (UPC-A)
    ],
)
def test_a_valid_gtin_is_stored_as_gtin14(raw: str, gtin14: str) -> None:
    assert gs1.normalize_gtin(raw) == gtin14


def test_a_wrong_check_digit_is_refused_and_the_right_one_is_named() -> None:
    with pytest.raises(gs1.GS1KeyError) as caught:
        gs1.normalize_gtin("1234567890129")
    assert caught.value.code == "invalid_check_digit"
    assert "expected 8" in str(caught.value)


@pytest.mark.parametrize("raw", ["123", "12345678901", "12345678ABCDE", ""])
def test_a_gtin_of_the_wrong_shape_is_refused(raw: str) -> None:
    with pytest.raises(gs1.GS1KeyError) as caught:
        gs1.normalize_gtin(raw)
    assert caught.value.code == "invalid"


def test_check_digit_weights_three_and_one_from_the_right() -> None:
    assert gs1.check_digit("1234567890123") == "1"
    assert gs1.check_digit("893456313816") == "5"


def test_gln_check_digit() -> None:
    assert gs1.validate_gln("8934567000017") == "8934567000017"
    with pytest.raises(gs1.GS1KeyError):
        gs1.validate_gln("8934567000016")
