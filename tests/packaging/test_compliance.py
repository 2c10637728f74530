"""Label-law compliance of declared packaging content: the rule table per product type, type sizes, origin,
dates, the OCOP mark against the certificate, QR print size, and the check of a stored design version."""

from __future__ import annotations

import copy
import datetime as dt
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from models import DesignVersion, LabelProductType, PackageType, PackagingDesign, Product
from services.common.errors import DomainError
from services.labels.qr import encode
from services.packaging import compliance, label_rules
from services.packaging.compliance import check
from services.packaging.declared import ITEM_FIELDS, DeclaredContent, OcopMark, QrDeclaration
from services.packaging.findings import Finding, has_errors
from services.packaging.label_rules import default_rules_json, load_rules, rules_from
from tests.factories import certify, make_product

T = LabelProductType
SHORT_LINK = "https://ocop.vn/01/08930000000017/10/BP-2026-11"  # 29 modules: ≥ 14.7 mm
# 126 characters, QR version 7 at level M (45 modules): (45 + 8) × 0.396 = 20.988 mm
LONG_LINK = (
    "https://truyxuat.ocop.bentre.gov.vn/01/08938123450013/10/banh-phong-son-doc-2026-11/21/0000123"
    "?17=270501&11=260501&7007=260415"
)
# 64 characters, version 4 (33 modules): (33 + 8) × 0.396 = 16.236 mm
MEDIUM_LINK = "https://ocop.bentre.gov.vn/01/08930000000017/10/bp-2026-11/21/12"

COMMON = {"product_name", "responsible_party", "origin_wording"}
FOOD = {
    "net_quantity",
    "manufacture_date_format",
    "expiry",
    "ingredients",
    "warnings",
    "instructions_use",
    "instructions_storage",
}
EXPECTED: dict[LabelProductType, set[str]] = {
    T.FOOD: FOOD,
    T.GRAIN: {"net_quantity", "manufacture_date_format", "expiry", "warnings"},
    T.HEALTH_SUPPLEMENT: FOOD | {"health_supplement_statements"},
    T.SPIRITS: {"net_quantity", "ethanol_content", "warnings", "lot_code_position"},
    T.NON_ALCOHOLIC_DRINK: FOOD,
    T.COSMETICS: {
        "net_quantity",
        "ingredients",
        "lot_code_position",
        "expiry",
        "instructions_use",
        "warnings",
    },
    T.HANDICRAFT: {"ingredients", "instructions_use", "warnings"},
}
UNCERTAIN = {T.COSMETICS, T.HANDICRAFT, T.NON_ALCOHOLIC_DRINK}

FULL: dict[str, Any] = {
    "product_name": {"text": "Bánh phồng Sơn Đốc", "type_size_mm": 6},
    "responsible_party": {
        "name": "HTX Bánh phồng Sơn Đốc",
        "address": "Ấp 1, xã Hưng Nhượng, huyện Giồng Trôm, tỉnh Bến Tre",
    },
    "origin_wording": "Sản xuất tại Việt Nam",
    "net_quantity": "500 g",
    "manufacture_date_format": "NSX: dd/mm/yyyy",
    "expiry": "12 tháng kể từ NSX",
    "ingredients": "Gạo nếp, nước cốt dừa, đường, muối.",
    "instructions_use": "Nướng hoặc chiên trước khi ăn.",
    "instructions_storage": "Nơi khô ráo, thoáng mát.",
    "warnings": "Không dùng khi bao bì bị rách.",
    "ethanol_content": "29,5% vol",
    "lot_code_position": "In trên đáy hộp",
    "health_supplement_statements": [
        "Thực phẩm bảo vệ sức khỏe",
        "Thực phẩm này không phải là thuốc và không có tác dụng thay thế thuốc chữa bệnh.",
    ],
    "other_languages": [
        {"language": "en", "text": "Son Doc puffed rice cake", "type_size_mm": 4, "item": "product_name"}
    ],
    "mandatory_text_sizes": {"net_quantity": 4, "responsible_party": 2, "origin_wording": 2},
    "ocop_mark": {"present": True, "stars": 4},
    "qr": {"link": SHORT_LINK, "printed_size_mm": 18, "error_correction": "M"},
}


def declaration_for(label_type: LabelProductType, **changes: Any) -> dict[str, Any]:
    """FULL with only the label items the type requires (other keys kept), then `changes`."""
    wanted = COMMON | EXPECTED[label_type]
    data = {k: copy.deepcopy(v) for k, v in FULL.items() if k not in ITEM_FIELDS or k in wanted}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def run(data: dict[str, Any], label_type: LabelProductType = T.FOOD, **kwargs: Any) -> list[Finding]:
    options: dict[str, Any] = {"certified_stars": 4, "certificate_valid": True}
    options.update(kwargs)
    return check(DeclaredContent.from_json(data), label_type, **options)


def codes(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.code, f.severity, f.field) for f in findings]


# ---- the rule table ------------------------------------------------------------------------------------


@pytest.mark.parametrize("label_type", list(T))
def test_the_table_lists_the_mandatory_items_of_each_type(label_type: LabelProductType) -> None:
    rows = load_rules().mandatory(label_type)
    assert {r.field for r in rows} == COMMON | EXPECTED[label_type]
    for row in rows:
        assert row.source
        assert row.uncertain == (label_type in UNCERTAIN and row.field not in COMMON), row
    assert load_rules().types[label_type].uncertain == (label_type in UNCERTAIN)


@pytest.mark.parametrize("label_type", list(T))
def test_a_complete_declaration_has_no_findings(label_type: LabelProductType) -> None:
    assert run(declaration_for(label_type), label_type) == []


@pytest.mark.parametrize(
    ("label_type", "item"),
    [(t, item) for t in T for item in sorted(COMMON | EXPECTED[t])],
)
def test_removing_a_mandatory_item_gives_exactly_that_finding(
    label_type: LabelProductType, item: str
) -> None:
    findings = run(declaration_for(label_type, **{item: None}), label_type)
    uncertain = label_type in UNCERTAIN and item not in COMMON
    assert codes(findings) == [("missing_item", "warning" if uncertain else "error", item)]
    assert findings[0].message_vi.startswith("Thiếu nội dung bắt buộc")


def test_a_partly_given_responsible_party_names_the_missing_part() -> None:
    data = declaration_for(T.FOOD, responsible_party={"name": "HTX Sơn Đốc"})
    assert codes(run(data)) == [("missing_item", "error", "responsible_party.address")]


def test_spirits_without_ethanol_content_is_an_error() -> None:
    findings = run(declaration_for(T.SPIRITS, ethanol_content=None), T.SPIRITS)
    assert codes(findings) == [("missing_item", "error", "ethanol_content")]
    assert "etanol" in findings[0].message_vi
    assert "Ethanol content" in findings[0].message_en


def test_ethanol_content_without_a_percentage_is_a_warning() -> None:
    findings = run(declaration_for(T.SPIRITS, ethanol_content="nồng độ cao"), T.SPIRITS)
    assert codes(findings) == [("ethanol_content_format", "warning", "ethanol_content")]


def test_uncertain_rows_give_warnings_not_errors() -> None:
    bare = {k: FULL[k] for k in COMMON}
    for label_type in UNCERTAIN:
        findings = run(bare, label_type)
        assert {f.field for f in findings} == EXPECTED[label_type]
        assert {f.severity for f in findings} == {"warning"}
        assert all("chưa được xác nhận" in f.message_vi for f in findings)
    # the rows for every label stay certain on an uncertain type
    assert codes(run({"origin_wording": "Sản xuất tại Việt Nam"}, T.HANDICRAFT))[:2] == [
        ("missing_item", "error", "product_name"),
        ("missing_item", "error", "responsible_party"),
    ]


def test_health_supplement_statements_must_both_be_there() -> None:
    data = declaration_for(T.HEALTH_SUPPLEMENT, health_supplement_statements=["Thực phẩm bảo vệ sức khoẻ"])
    findings = run(data, T.HEALTH_SUPPLEMENT)
    assert codes(findings) == [
        ("health_supplement_statement_missing", "error", "health_supplement_statements")
    ]
    assert "không phải là thuốc" in findings[0].message_vi
    # the older tone placement ("khoẻ") counts, and the statements are not required of plain food
    data["health_supplement_statements"].append(
        "THỰC PHẨM NÀY KHÔNG PHẢI LÀ THUỐC VÀ KHÔNG CÓ TÁC DỤNG THAY THẾ THUỐC CHỮA BỆNH"
    )
    assert run(data, T.HEALTH_SUPPLEMENT) == []


# ---- type sizes ----------------------------------------------------------------------------------------


def test_the_product_name_must_be_the_largest_mandatory_text() -> None:
    data = declaration_for(T.FOOD, mandatory_text_sizes={"net_quantity": 7, "warnings": 6.5})
    findings = run(data)
    assert codes(findings) == [("name_not_largest", "error", "product_name.type_size_mm")]
    assert "Net quantity" in findings[0].message_en
    assert "(7 mm)" in findings[0].message_vi
    # an equal size is not larger; a size of an item the type does not require is not compared
    assert run(declaration_for(T.FOOD, mandatory_text_sizes={"net_quantity": 6})) == []
    assert run(declaration_for(T.FOOD, mandatory_text_sizes={"ethanol_content": 9})) == []


def test_an_undeclared_name_size_is_a_warning() -> None:
    data = declaration_for(T.FOOD, product_name={"text": "Bánh phồng Sơn Đốc"}, other_languages=None)
    assert codes(run(data)) == [("type_size_missing", "warning", "product_name.type_size_mm")]


def test_foreign_text_larger_than_the_vietnamese() -> None:
    larger = [
        {"language": "en", "text": "Son Doc puffed rice cake", "type_size_mm": 6.5, "item": "product_name"}
    ]
    findings = run(declaration_for(T.FOOD, other_languages=larger))
    assert codes(findings) == [("foreign_text_larger", "error", "other_languages[0].type_size_mm")]
    assert "6,5 mm" in findings[0].message_vi
    # compared with its own item's Vietnamese size
    ingredients = [{"language": "en", "text": "Rice, coconut", "type_size_mm": 3, "item": "ingredients"}]
    sizes = {"net_quantity": 4, "ingredients": 2}
    findings = run(declaration_for(T.FOOD, other_languages=ingredients, mandatory_text_sizes=sizes))
    assert codes(findings) == [("foreign_text_larger", "error", "other_languages[0].type_size_mm")]
    # without an item: compared with the largest Vietnamese text
    free = [{"language": "zh", "text": "椰子米饼", "type_size_mm": 6}]
    assert run(declaration_for(T.FOOD, other_languages=free)) == []
    free[0]["type_size_mm"] = 6.1
    assert codes(run(declaration_for(T.FOOD, other_languages=free))) == [
        ("foreign_text_larger", "error", "other_languages[0].type_size_mm")
    ]


# ---- origin and dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wording", "expected"),
    [
        ("Sản xuất tại Việt Nam", []),
        ("Xuất xứ: Việt Nam", []),
        ("XUẤT XỨ: VIỆT NAM", []),
        ("Sản xuất tại: ấp 1, xã Hưng Nhượng, Bến Tre, Việt Nam", []),
        ("Xuất xứ: VN", [("origin_country_abbreviated", "error", "origin_wording")]),
        ("Sản xuất tại V.N.", [("origin_country_abbreviated", "error", "origin_wording")]),
        ("Sản xuất tại", [("origin_country_missing", "error", "origin_wording")]),
        ("Sản xuất tại Bến Tre", [("origin_country_unknown", "warning", "origin_wording")]),
        ("Made in Vietnam", [("origin_wording", "warning", "origin_wording")]),
    ],
)
def test_origin_names_the_country_in_full(wording: str, expected: list[tuple[str, str, str]]) -> None:
    assert codes(run(declaration_for(T.FOOD, origin_wording=wording))) == expected


@pytest.mark.parametrize(
    ("item", "value", "expected"),
    [
        ("manufacture_date_format", "2025-01-31", "date_not_dmy"),
        ("manufacture_date_format", "yyyy-mm-dd", "date_not_dmy"),
        ("manufacture_date_format", "mm/dd/yyyy", "date_not_dmy"),
        ("expiry", "HSD: 01/31/2026", "date_not_dmy"),
        ("manufacture_date_format", "dd/mm/yyyy", None),
        ("manufacture_date_format", "ngày/tháng/năm", None),
        ("manufacture_date_format", "31.01.2025", None),
        ("expiry", "HSD: dd.mm.yy (in trên nắp hộp)", None),
        ("expiry", "24 tháng kể từ ngày sản xuất", None),
        ("expiry", "xem trên bao bì", "date_format_unrecognised"),
        ("manufacture_date_format", "12 tháng", "date_format_unrecognised"),
    ],
)
def test_dates_are_day_month_year(item: str, value: str, expected: str | None) -> None:
    findings = run(declaration_for(T.FOOD, **{item: value}))
    if expected is None:
        assert findings == []
        return
    severity = "error" if expected == "date_not_dmy" else "warning"
    assert codes(findings) == [(expected, severity, item)]


# ---- the OCOP mark -------------------------------------------------------------------------------------


def test_more_stars_than_certified_is_an_error() -> None:
    data = declaration_for(T.FOOD, ocop_mark={"present": True, "stars": 5})
    findings = run(data, certified_stars=3)
    assert codes(findings) == [("ocop_mark_stars_exceed", "error", "ocop_mark.stars")]
    assert "5★" in findings[0].message_en
    assert "3★" in findings[0].message_en


def test_a_mark_on_an_expired_certificate_is_an_error() -> None:
    data = declaration_for(T.FOOD, ocop_mark={"present": True, "stars": 4})
    findings = run(data, certified_stars=4, certificate_valid=False)
    assert codes(findings) == [("ocop_mark_certificate_invalid", "error", "ocop_mark")]


def test_a_mark_without_any_certificate_is_an_error() -> None:
    findings = run(declaration_for(T.FOOD), certified_stars=None, certificate_valid=False)
    assert codes(findings) == [("ocop_mark_no_certificate", "error", "ocop_mark")]
    # no mark: nothing to say, certified or not
    assert run(declaration_for(T.FOOD, ocop_mark=None), certified_stars=None, certificate_valid=False) == []
    absent = declaration_for(T.FOOD, ocop_mark={"present": False})
    assert run(absent, certified_stars=4, certificate_valid=False) == []


def test_fewer_stars_or_none_declared() -> None:
    assert codes(run(declaration_for(T.FOOD, ocop_mark={"present": True, "stars": 3}))) == [
        ("ocop_mark_stars_below", "info", "ocop_mark.stars")
    ]
    assert codes(run(declaration_for(T.FOOD, ocop_mark={"present": True}))) == [
        ("ocop_mark_stars_missing", "warning", "ocop_mark.stars")
    ]


# ---- the QR code ---------------------------------------------------------------------------------------


def test_a_qr_too_small_for_its_link_names_the_size_that_passes() -> None:
    assert encode(LONG_LINK).size == 45
    data = declaration_for(T.FOOD, qr={"link": LONG_LINK, "printed_size_mm": 20})
    findings = run(data)
    assert codes(findings) == [("qr_too_small", "error", "qr.printed_size_mm")]
    assert "≥ 21 mm" in findings[0].message_en
    assert "≥ 21 mm" in findings[0].message_vi
    assert "45" in findings[0].message_en
    assert "20.99 mm" in findings[0].message_en
    assert run(declaration_for(T.FOOD, qr={"link": LONG_LINK, "printed_size_mm": 21})) == []


def test_the_passing_size_is_rounded_up_and_follows_error_correction() -> None:
    findings = run(declaration_for(T.FOOD, qr={"link": MEDIUM_LINK, "printed_size_mm": 16.2}))
    assert codes(findings) == [("qr_too_small", "error", "qr.printed_size_mm")]  # 16.2 / 41 < 0.396
    assert "≥ 16.3 mm" in findings[0].message_en
    assert "≥ 16,3 mm" in findings[0].message_vi
    assert run(declaration_for(T.FOOD, qr={"link": MEDIUM_LINK, "printed_size_mm": 16.24})) == []
    # level H needs more modules for the same link
    high = run(
        declaration_for(T.FOOD, qr={"link": MEDIUM_LINK, "printed_size_mm": 16.3, "error_correction": "H"})
    )
    assert codes(high) == [("qr_too_small", "error", "qr.printed_size_mm")]


def test_qr_declared_without_a_size_or_too_large() -> None:
    assert codes(run(declaration_for(T.FOOD, qr={"link": SHORT_LINK}))) == [
        ("qr_size_missing", "warning", "qr.printed_size_mm")
    ]
    assert codes(run(declaration_for(T.FOOD, qr={"link": SHORT_LINK, "printed_size_mm": 40}))) == [
        ("qr_module_above_max", "info", "qr.printed_size_mm")
    ]
    assert codes(
        run(declaration_for(T.FOOD, qr={"link": "https://x.vn/" + "a" * 3000, "printed_size_mm": 40}))
    ) == [("qr_unencodable", "error", "qr.link")]


# ---- determinism and editing the table -----------------------------------------------------------------


def test_check_is_deterministic() -> None:
    data = declaration_for(
        T.FOOD,
        origin_wording="Xuất xứ: VN",
        manufacture_date_format="2025-01-31",
        ocop_mark={"present": True, "stars": 5},
        qr={"link": LONG_LINK, "printed_size_mm": 20},
        net_quantity=None,
    )
    first = run(data, certified_stars=3)
    assert [f.code for f in first] == [
        "missing_item",
        "origin_country_abbreviated",
        "date_not_dmy",
        "ocop_mark_stars_exceed",
        "qr_too_small",
    ]
    assert run(data, certified_stars=3) == first


def test_an_edited_table_is_used_as_given(tmp_path: Path) -> None:
    table = default_rules_json()
    cosmetics = table["types"]["cosmetics"]
    for row in cosmetics["items"]:
        if row["field"] == "net_quantity":
            row["uncertain"] = False
            row["source"] = "Xác nhận: NĐ 43/2017 Phụ lục I (ví dụ)"
    table["types"]["handicraft"]["items"] = []
    data = declaration_for(T.COSMETICS, net_quantity=None)
    assert codes(run(data, T.COSMETICS, rules=table)) == [("missing_item", "error", "net_quantity")]
    assert codes(run(data, T.COSMETICS)) == [
        ("missing_item", "warning", "net_quantity")
    ]  # built-in unchanged
    assert run({k: FULL[k] for k in COMMON}, T.HANDICRAFT, rules=rules_from(table)) == []
    saved = tmp_path / "label_rules.json"
    saved.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    assert load_rules(saved).to_json() == table


def test_a_broken_table_is_refused_with_every_problem() -> None:
    table = default_rules_json()
    del table["types"]["spirits"]
    table["types"]["food"]["items"][0]["field"] = "colour"
    table["common"][0]["uncertain"] = "maybe"
    with pytest.raises(DomainError) as caught:
        rules_from(table)
    fields = {p.field for p in caught.value.problems}
    assert fields == {"types.spirits", "types.food.items[0].field", "common[0].uncertain"}


def test_the_built_in_file_reads_as_a_table() -> None:
    raw = json.loads(label_rules.RULES_FILE.read_text(encoding="utf-8"))
    assert load_rules().to_json() == raw
    assert set(raw["types"]) == {t.value for t in T}


# ---- the declared content ------------------------------------------------------------------------------


def test_declared_content_round_trips_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "  Bánh  phồng Sơn Đốc ")
    data = declaration_for(T.FOOD, product_name={"text": decomposed, "type_size_mm": 6})
    data["ingredients"] = unicodedata.normalize("NFD", "Gạo nếp,  nước cốt dừa\n\n  đường ")
    content = DeclaredContent.from_json(data)
    assert content.product_name is not None
    assert content.product_name.text == "Bánh phồng Sơn Đốc"
    assert unicodedata.is_normalized("NFC", content.product_name.text)
    assert content.ingredients == "Gạo nếp, nước cốt dừa\nđường"
    assert DeclaredContent.from_json(content.to_json()) == content
    assert content.ocop_mark == OcopMark(True, 4)
    assert content.qr == QrDeclaration(SHORT_LINK, 18.0, "M")
    built = DeclaredContent(origin_wording=unicodedata.normalize("NFD", "Xuất xứ: Việt Nam"))
    assert built.normalized().origin_wording == "Xuất xứ: Việt Nam"
    assert DeclaredContent.from_json({}) == DeclaredContent()


def test_declared_content_reports_every_shape_problem() -> None:
    bad = {
        "product_name": {"text": "Bánh", "type_size_mm": -1},
        "net_quantity": 500,
        "colour": "red",
        "ocop_mark": {"present": "yes", "stars": 7},
        "qr": {"link": SHORT_LINK, "error_correction": "X"},
        "mandatory_text_sizes": {"product_name": 5, "net_quantity": "big"},
        "other_languages": [{"text": "Puffed rice cake"}, {"language": "en", "text": "x", "item": "logo"}],
    }
    with pytest.raises(DomainError) as caught:
        DeclaredContent.from_json(bad)
    assert {p.field for p in caught.value.problems} == {
        "product_name.type_size_mm",
        "net_quantity",
        "colour",
        "ocop_mark.present",
        "ocop_mark.stars",
        "qr.error_correction",
        "mandatory_text_sizes.product_name",
        "mandatory_text_sizes.net_quantity",
        "other_languages[0].language",
        "other_languages[1].item",
    }
    content, problems = DeclaredContent.parse(bad)
    assert len(problems) == 10
    assert content.product_name is not None
    assert content.product_name.type_size_mm is None
    assert content.net_quantity is None
    assert content.qr == QrDeclaration(SHORT_LINK, None, "M")
    assert content.problems() == []  # what was kept is well formed
    with pytest.raises(DomainError):
        DeclaredContent(ocop_mark=OcopMark(True, 9)).validate()


# ---- a stored version ----------------------------------------------------------------------------------


async def _version(product: Product, declared: dict[str, Any], label_type: LabelProductType) -> DesignVersion:
    design = await PackagingDesign.create(product=product, name="Hộp 500 g", label_type=label_type)
    return await DesignVersion.create(
        design=design, number=1, name="Bản 1", package_type=PackageType.BOX, declared=declared
    )


async def test_version_findings_reads_the_product_certificate(db: object) -> None:
    product = await make_product()
    await certify(product, stars=3, decided=dt.date(2024, 6, 20))  # valid until 2027-06-19
    data = declaration_for(T.FOOD, ocop_mark={"present": True, "stars": 5})
    version = await _version(product, data, T.FOOD)

    findings = await compliance.version_findings(version.id, today=dt.date(2025, 1, 1))
    assert codes(findings) == [("ocop_mark_stars_exceed", "error", "ocop_mark.stars")]

    expired = await compliance.version_findings(version.id, today=dt.date(2027, 6, 20))
    assert codes(expired) == [("ocop_mark_certificate_invalid", "error", "ocop_mark")]

    version.declared = declaration_for(T.FOOD, ocop_mark={"present": True, "stars": 3})
    await version.save()
    assert await compliance.version_findings(version.id, today=dt.date(2025, 1, 1)) == []


async def test_version_findings_without_certificate_and_with_broken_content(db: object) -> None:
    product = await make_product(name="Rượu dừa Mỏ Cày")
    data = declaration_for(T.SPIRITS, ethanol_content=None)
    data["qr"] = {"link": LONG_LINK, "printed_size_mm": "20 mm"}
    version = await _version(product, data, T.SPIRITS)
    findings = await compliance.version_findings(version.id)
    assert codes(findings) == [
        ("invalid_declaration", "error", "qr.printed_size_mm"),
        ("missing_item", "error", "ethanol_content"),
        ("ocop_mark_no_certificate", "error", "ocop_mark"),
        ("qr_size_missing", "warning", "qr.printed_size_mm"),
    ]
    assert has_errors(findings)
    with pytest.raises(DomainError) as caught:
        await compliance.version_findings(version.id + 1000)
    assert caught.value.problems[0].code == "not_found"
