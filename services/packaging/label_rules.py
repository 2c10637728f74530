"""The label-law rule table: mandatory items per product type (Decree 43/2017 as amended by Decree 111/2021,
Annex I), type sizes and origin wording, as data in `label_rules.json` beside this module.

`load_rules()` reads it (the default table once); `rules_from()` checks an edited table and explains every
mistake as a DomainError; `default_rules_json()` is a copy to edit (see docs/packaging.md)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from models import LabelProductType
from services.common.errors import DomainError, FieldProblem
from services.common.text import fold
from services.packaging.declared import ITEM_FIELDS
from services.packaging.errors import PackagingErrorCode

RULES_FILE: Final = Path(__file__).with_name("label_rules.json")


@dataclass(frozen=True, slots=True)
class ItemRule:
    field: str  # one of declared.ITEM_FIELDS
    uncertain: bool
    source: str


@dataclass(frozen=True, slots=True)
class TypeRules:
    label_type: LabelProductType
    name_vi: str
    name_en: str
    uncertain: bool
    source: str
    items: tuple[ItemRule, ...]
    required_statements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OriginRules:
    prefixes: tuple[str, ...]  # folded: "san xuat tai", "xuat xu"
    abbreviations: frozenset[str]  # folded, dots removed: "vn", "usa"
    countries: tuple[str, ...]  # folded full names: "viet nam"
    source: str


@dataclass(frozen=True, slots=True)
class LabelRules:
    version: str
    item_names: Mapping[str, tuple[str, str]]  # field -> (Vietnamese, English)
    common: tuple[ItemRule, ...]
    types: Mapping[LabelProductType, TypeRules]
    origin: OriginRules
    data: Mapping[str, Any]  # the table it was read from

    def mandatory(self, label_type: LabelProductType) -> tuple[ItemRule, ...]:
        """Rows for every label, then those of the type; a field listed twice keeps its first row."""
        seen: dict[str, ItemRule] = {}
        for row in (*self.common, *self.types[LabelProductType(label_type)].items):
            seen.setdefault(row.field, row)
        return tuple(seen.values())

    def name(self, item: str) -> tuple[str, str]:
        return self.item_names.get(item, (item, item))

    def to_json(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.data))


@cache
def _default_table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return data


def default_rules_json() -> dict[str, Any]:
    """A copy of the built-in table to edit and pass to `rules_from()` or `check(rules=...)`."""
    return copy.deepcopy(_default_table())


@cache
def _default_rules() -> LabelRules:
    return rules_from(_default_table())


def load_rules(path: Path | None = None) -> LabelRules:
    """The rule table: the built-in `label_rules.json` (read once), or an edited copy saved at `path`."""
    if path is None:
        return _default_rules()
    return rules_from(json.loads(path.read_text(encoding="utf-8")))


class _TableReader:
    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def bad(self, path: str, vi: str, en: str) -> None:
        self.problems.append(FieldProblem(path, PackagingErrorCode.INVALID, vi, en))

    def string(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.bad(path, "Cần một chuỗi không rỗng.", "Needs a non-empty string.")
            return ""
        return value.strip()

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.bad(path, "Cần một danh sách chuỗi.", "Needs a list of strings.")
            return ()
        return tuple(v.strip() for v in value)

    def flag(self, value: Any, path: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.bad(path, "Cần true hoặc false.", "Needs true or false.")
            return False
        return value

    def rows(self, value: Any, path: str) -> tuple[ItemRule, ...]:
        if not isinstance(value, list):
            self.bad(path, "Cần một danh sách dòng.", "Needs a list of rows.")
            return ()
        out = []
        for i, row in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(row, Mapping):
                self.bad(where, "Mỗi dòng là một đối tượng.", "Each row is an object.")
                continue
            item = row.get("field")
            if item not in ITEM_FIELDS:
                self.bad(
                    f"{where}.field",
                    f"Không phải một nội dung của nhãn; chọn một trong: {', '.join(ITEM_FIELDS)}.",
                    f"Not a label item; use one of: {', '.join(ITEM_FIELDS)}.",
                )
                continue
            out.append(
                ItemRule(
                    item,
                    self.flag(row.get("uncertain"), f"{where}.uncertain"),
                    self.string(row.get("source"), f"{where}.source"),
                )
            )
        return tuple(out)


def rules_from(data: Mapping[str, Any]) -> LabelRules:
    """Read a rule table (the shape of label_rules.json), raising DomainError with every problem found."""
    r = _TableReader()
    if not isinstance(data, Mapping):
        raise DomainError(
            [FieldProblem("", PackagingErrorCode.INVALID, "Cần một đối tượng.", "Needs an object.")]
        )
    version = r.string(data.get("version"), "version")
    names: dict[str, tuple[str, str]] = {}
    raw_items = data.get("items")
    if not isinstance(raw_items, Mapping):
        r.bad("items", "Cần tên của từng nội dung.", "Needs the name of every item.")
        raw_items = {}
    for item in ITEM_FIELDS:
        entry = raw_items.get(item)
        if not isinstance(entry, Mapping):
            r.bad(f"items.{item}", "Thiếu tên của nội dung này.", "This item's name is missing.")
            continue
        names[item] = (
            r.string(entry.get("name_vi"), f"items.{item}.name_vi"),
            r.string(entry.get("name_en"), f"items.{item}.name_en"),
        )
    for item in sorted(set(raw_items) - set(ITEM_FIELDS), key=str):
        r.bad(f"items.{item}", "Không phải một nội dung của nhãn.", "Not a label item.")
    common = r.rows(data.get("common"), "common")
    types: dict[LabelProductType, TypeRules] = {}
    raw_types = data.get("types")
    if not isinstance(raw_types, Mapping):
        r.bad("types", "Cần một bảng theo loại hàng.", "Needs a table per product type.")
        raw_types = {}
    for label_type in LabelProductType:
        entry = raw_types.get(label_type.value)
        path = f"types.{label_type.value}"
        if not isinstance(entry, Mapping):
            r.bad(path, "Thiếu quy định cho loại hàng này.", "This product type has no rules.")
            continue
        types[label_type] = TypeRules(
            label_type,
            r.string(entry.get("name_vi"), f"{path}.name_vi"),
            r.string(entry.get("name_en"), f"{path}.name_en"),
            r.flag(entry.get("uncertain"), f"{path}.uncertain"),
            r.string(entry.get("source"), f"{path}.source"),
            r.rows(entry.get("items"), f"{path}.items"),
            r.strings(entry.get("required_statements"), f"{path}.required_statements"),
        )
    known = {t.value for t in LabelProductType}
    for key in sorted(set(raw_types) - known, key=str):
        r.bad(f"types.{key}", "Không phải một loại hàng của bảng.", "Not a product type of the table.")
    raw_origin = data.get("origin")
    if not isinstance(raw_origin, Mapping):
        r.bad("origin", "Cần quy định ghi xuất xứ.", "Needs the origin rules.")
        raw_origin = {}
    prefixes = r.strings(raw_origin.get("prefixes"), "origin.prefixes")
    if not prefixes:
        r.bad("origin.prefixes", "Cần ít nhất một cụm từ.", "Needs at least one wording.")
    origin = OriginRules(
        prefixes=tuple(fold(p) for p in prefixes),
        abbreviations=frozenset(
            fold(a).replace(".", "")
            for a in r.strings(raw_origin.get("abbreviations"), "origin.abbreviations")
        ),
        countries=tuple(fold(c) for c in r.strings(raw_origin.get("countries"), "origin.countries")),
        source=r.string(raw_origin.get("source"), "origin.source"),
    )
    if r.problems:
        raise DomainError(r.problems)
    return LabelRules(version, names, common, types, origin, copy.deepcopy(dict(data)))
