from __future__ import annotations

import unicodedata

import pytest

from services.common.text import fold, nfc, search_terms, sort_key
from tests.factories import MUST_RENDER


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Bánh phồng Sơn Đốc", "banh phong son doc"),
        ("Bưởi da xanh Chợ Lách", "BUOI DA XANH"),
        ("Mỏ Cày Bắc", "mo cay bac"),
        ("Nguyễn Đình Chiểu", "nguyen dinh chieu"),
        ("Rượu Phú Lễ", "RUOU PHU LE"),
    ],
)
def test_search_matches_without_diacritics_in_either_case(text: str, query: str) -> None:
    assert fold(query) in fold(text)


@pytest.mark.parametrize("text", MUST_RENDER)
def test_decomposed_text_is_stored_and_folded_as_its_composed_form(text: str) -> None:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert nfc(decomposed) == text
    assert fold(decomposed) == fold(text)


def test_nfc_collapses_white_space() -> None:
    assert nfc("  Kẹo   dừa \n Bến Tre ") == "Kẹo dừa Bến Tre"


def test_search_terms_are_folded_words() -> None:
    assert search_terms("  Bánh  PHỒNG ") == ["banh", "phong"]
    assert search_terms("   ") == []


def test_vietnamese_order_puts_a_breve_after_a_and_d_stroke_after_d() -> None:
    names = ["Đồng Tháp", "Ăn", "Bến Tre", "Dừa", "Âu", "An Giang", "Ba Tri"]
    assert sorted(names, key=sort_key) == ["An Giang", "Ăn", "Âu", "Ba Tri", "Bến Tre", "Dừa", "Đồng Tháp"]


def test_tones_order_after_the_base_letter() -> None:
    assert sorted(["má", "ma", "mạ", "mà"], key=sort_key) == ["ma", "mà", "má", "mạ"]
