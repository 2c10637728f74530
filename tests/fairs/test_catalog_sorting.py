"""Vietnamese alphabetical order of the catalog's directory and indexes."""

from __future__ import annotations

import random
import unicodedata

import pytest

from services.fairs.catalog.sorting import collation_key, initial, sort_vietnamese


def ordered(names: list[str]) -> list[str]:
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    return sort_vietnamese(shuffled, key=lambda name: name)


def test_letters_with_marks_come_after_their_base_letter() -> None:
    names = ["Ê Đê", "Em Út", "Đồng Tháp", "Dừa Xanh", "Ăn Ngon", "Ấp Bắc", "An Phú", "Bến Tre"]
    assert ordered(names) == [
        "An Phú",
        "Ăn Ngon",
        "Ấp Bắc",
        "Bến Tre",
        "Dừa Xanh",
        "Đồng Tháp",
        "Em Út",
        "Ê Đê",
    ]


def test_o_family_and_u_family() -> None:
    names = ["Ưu Việt", "Uyên", "Ơn Quê", "Ông Hai", "Ong Mật", "Phú Lễ"]
    assert ordered(names) == ["Ong Mật", "Ông Hai", "Ơn Quê", "Phú Lễ", "Uyên", "Ưu Việt"]


def test_dd_sorts_between_d_and_e_whatever_the_case() -> None:
    names = ["đường", "Duyên", "E", "Đông", "dừa", "D"]
    assert ordered(names) == ["D", "Duyên", "dừa", "Đông", "đường", "E"]


def test_tones_only_break_ties_in_dictionary_order() -> None:
    # none, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot below (nặng)
    assert ordered(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # the letters decide before any tone: "mạ" before "mác"
    assert ordered(["mác", "mạ"]) == ["mạ", "mác"]
    assert ordered(["Bánh tráng", "Bành", "Banh"]) == ["Banh", "Bành", "Bánh tráng"]


def test_words_before_longer_words_and_digits_before_letters() -> None:
    assert ordered(["Anh Đào", "An Giang", "An"]) == ["An", "An Giang", "Anh Đào"]
    assert ordered(["Ba Tri", "3 Miền", "Ánh"]) == ["3 Miền", "Ánh", "Ba Tri"]


def test_decomposed_text_sorts_as_composed() -> None:
    composed = "Bánh phồng Sơn Đốc"
    decomposed = unicodedata.normalize("NFD", composed)
    assert collation_key(decomposed) == collation_key(composed)


def test_lower_case_first_on_a_full_tie() -> None:
    assert ordered(["Ba", "ba"]) == ["ba", "Ba"]


def test_foreign_letters_at_their_latin_place() -> None:
    assert ordered(["Zen", "Xoài", "Fin", "Gạo"]) == ["Fin", "Gạo", "Xoài", "Zen"]


@pytest.mark.parametrize(
    ("name", "letter"),
    [
        ("Ấp Bắc", "Â"),
        ("đường", "Đ"),
        ("Ống", "Ô"),
        ("ơn", "Ơ"),
        ("Ưu", "Ư"),
        ("Ếch", "Ê"),
        ("Bà", "B"),
        ("3 Miền", "#"),
    ],
)
def test_directory_letter(name: str, letter: str) -> None:
    assert initial(name) == letter
