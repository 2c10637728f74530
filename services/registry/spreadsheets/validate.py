"""Checking parsed spreadsheet rows (services/registry/spreadsheets/parse.py) against the database and the
officer's reach, and planning what an import would do: for each row, whether its producer, product and
decision are created, updated or unchanged. Nothing is written here (`apply` writes the plan).

Matching: producers by tax code (without one: commune and folded name), products by GTIN (without one:
producer and folded name), decisions by product and decision number. Reads are batched (one query per
table per chunk), never one per row."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from models import (
    AdminUnit,
    CriteriaSet,
    Evaluation,
    Producer,
    Product,
    ProductGroup,
    UnitLevel,
)
from services.common.text import fold
from services.policy import Reach
from services.registry.spreadsheets.parse import Rows, producer_key, product_key

CHUNK = 500  # values per IN (...) list

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(slots=True)
class Plan:
    """What an import does. Values are the models' fields; `*_key`s tie rows to producers and products
    that do not exist yet."""

    producers: dict[str, tuple[str, int | None, dict[str, Any]]] = field(default_factory=dict)
    products: dict[str, tuple[str, int | None, str, dict[str, Any]]] = field(default_factory=dict)
    evaluations: list[tuple[str, int | None, str, dict[str, Any]]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        def count(actions: Iterable[str]) -> dict[str, int]:
            listed = list(actions)
            return {action: listed.count(action) for action in (CREATE, UPDATE, UNCHANGED)}

        return {
            "producers": count(a for a, *_ in self.producers.values()),
            "products": count(a for a, *_ in self.products.values()),
            "evaluations": count(a for a, *_ in self.evaluations),
        }


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def _communes(rows: list[dict[str, Any]]) -> dict[tuple[str, str], AdminUnit]:
    found: dict[tuple[str, str], AdminUnit] = {}
    for codes in _chunks(r["commune_code"] for r in rows):
        for unit in await AdminUnit.filter(level=UnitLevel.COMMUNE, code__in=codes):
            found[(unit.code, str(unit.era))] = unit
    return found


async def _producers(rows: list[dict[str, Any]]) -> dict[str, Producer]:
    by_key: dict[str, Producer] = {}
    for codes in _chunks(r["tax_code"] for r in rows if r["tax_code"]):
        for producer in await Producer.filter(tax_code__in=codes):
            by_key[f"tax:{producer.tax_code}"] = producer
    names = [fold(r["producer_name"]) for r in rows if not r["tax_code"]]
    for chunk in _chunks(names):
        for producer in await Producer.filter(name_folded__in=chunk).select_related("commune"):
            by_key[f"name:{producer.commune.code}:{producer.name_folded}"] = producer
    return by_key


async def _products(rows: list[dict[str, Any]], producer_ids: set[int]) -> dict[str, Product]:
    by_key: dict[str, Product] = {}
    for gtins in _chunks(r["gtin"] for r in rows if r["gtin"]):
        for product in await Product.filter(gtin__in=gtins):
            by_key[f"gtin:{product.gtin}"] = product
    for ids in _chunks(producer_ids):
        for product in await Product.filter(producer_id__in=ids):
            by_key.setdefault(f"by-name:{product.producer_id}:{product.name_folded}", product)
    return by_key


async def _evaluations(product_ids: set[int]) -> dict[tuple[int, str], Evaluation]:
    by_key: dict[tuple[int, str], Evaluation] = {}
    for ids in _chunks(product_ids):
        for evaluation in await Evaluation.filter(product_id__in=ids, decision_number__isnull=False):
            by_key[(evaluation.product_id, fold(str(evaluation.decision_number)))] = evaluation
    return by_key


def _changed(current: Any, values: dict[str, Any]) -> bool:
    def same(a: Any, b: Any) -> bool:
        return (str(a) if a is not None else None) == (str(b) if b is not None else None)

    return any(not same(getattr(current, name), value) for name, value in values.items())


def _forbidden(rows: Rows, line: int, column: str, what: str, what_en: str) -> None:
    rows.add(
        line,
        column,
        "forbidden",
        f"Bạn không quản lý {what}: dòng này không được nhập.",
        f"You do not manage {what_en}: this row cannot be imported.",
    )


async def plan_import(parsed: list[dict[str, Any]], reach: Reach, rows: Rows) -> Plan:
    """The plan of an import and, in `rows`, every row's problems with the database and the reach. A row with
    a problem is left out of the plan (and the import is not applied while any problem remains)."""
    plan = Plan()
    communes = await _communes(parsed)
    groups = {(str(g.criteria_set), g.code): g for g in await ProductGroup.all()}
    producers = await _producers(parsed)
    products = await _products(parsed, {p.id for p in producers.values()})
    evaluations = await _evaluations({p.id for p in products.values()})
    for index, row in enumerate(parsed):
        if index % CHUNK == CHUNK - 1:
            await asyncio.sleep(0)  # a long file does not hold the worker's loop
        line, before = row["row"], len(rows.problems)
        commune = communes.get((row["commune_code"], row["unit_era"]))
        if commune is None:
            era_vi = "trước" if row["unit_era"] == "legacy" else "từ"
            rows.add(
                line,
                "commune_code",
                "not_found",
                f"Không có xã/phường mã {row['commune_code']} (đơn vị {era_vi} 01/7/2025).",
                f"No commune with code {row['commune_code']} ({row['unit_era']} units).",
            )
        elif not reach.covers_place(commune.province_id, commune.id):
            _forbidden(rows, line, "commune_code", "tỉnh của xã/phường này", "this commune's province")
        p_key = producer_key(row)
        producer = producers.get(p_key)
        if producer is not None and not reach.covers(producer.id, producer.province_id, producer.commune_id):
            _forbidden(rows, line, "tax_code", "chủ thể này", "this producer")
        product_set = CriteriaSet(row["product_criteria_set"])
        group = groups.get((product_set.value, row["group"]))
        subgroup = groups.get((product_set.value, row["subgroup"])) if row["subgroup"] else None
        if group is None:
            rows.add(
                line,
                "group",
                "not_found",
                f"Bộ tiêu chí {product_set.value} không có nhóm {row['group']}.",
                f"Criteria set {product_set.value} has no group {row['group']}.",
            )
        if row["subgroup"] and subgroup is None:
            rows.add(
                line,
                "subgroup",
                "not_found",
                f"Bộ tiêu chí {product_set.value} không có phân nhóm {row['subgroup']}.",
                f"Criteria set {product_set.value} has no sub-group {row['subgroup']}.",
            )
        elif group is not None and subgroup is not None and subgroup.parent_id != group.id:
            rows.add(
                line,
                "subgroup",
                "invalid",
                f"Phân nhóm {subgroup.code} không thuộc nhóm {group.code}.",
                f"Sub-group {subgroup.code} is not part of group {group.code}.",
            )
        product = products.get(f"gtin:{row['gtin']}") if row["gtin"] else None
        if product is not None and (producer is None or product.producer_id != producer.id):
            rows.add(
                line,
                "gtin",
                "unique",
                f"GTIN {row['gtin']} đã dùng cho sản phẩm của chủ thể khác.",
                f"GTIN {row['gtin']} belongs to another producer's product.",
            )
        if product is None and producer is not None:
            product = products.get(f"by-name:{producer.id}:{fold(row['product_name'])}")
            if product is not None and row["gtin"] and product.gtin and product.gtin != row["gtin"]:
                rows.add(
                    line,
                    "gtin",
                    "invalid",
                    f"Sản phẩm '{product.name}' đã có GTIN {product.gtin}, khác với {row['gtin']}.",
                    f"Product '{product.name}' already has GTIN {product.gtin}, not {row['gtin']}.",
                )
        evaluation_row = row["evaluation"]
        if (
            evaluation_row is not None
            and evaluation_row["stars"] == 5
            and evaluation_row["status"] == "certified"
            and not reach.everything
        ):
            _forbidden(
                rows, line, "level", "việc công nhận 5 sao (cấp Trung ương)", "5★ recognition (central)"
            )
        if len(rows.problems) > before or commune is None or group is None:
            continue
        _plan_row(plan, row, p_key, producer, commune, product, group, subgroup, evaluations)
    return plan


def _plan_row(
    plan: Plan,
    row: dict[str, Any],
    p_key: str,
    producer: Producer | None,
    commune: AdminUnit,
    product: Product | None,
    group: ProductGroup,
    subgroup: ProductGroup | None,
    evaluations: dict[tuple[int, str], Evaluation],
) -> None:
    producer_values = {
        "name": row["producer_name"],
        "kind": row["producer_kind"],
        "commune_id": commune.id,
        "province_id": commune.province_id,
        "address_line": row["address_line"],
    }
    if p_key not in plan.producers:
        if producer is None:
            plan.producers[p_key] = (CREATE, None, {**producer_values, "tax_code": row["tax_code"]})
        else:
            changed = _changed(producer, producer_values)
            plan.producers[p_key] = (UPDATE if changed else UNCHANGED, producer.id, producer_values)
    product_values: dict[str, Any] = {
        "name": row["product_name"],
        "criteria_set": row["product_criteria_set"],
        "group_id": group.id,
        "subgroup_id": subgroup.id if subgroup else None,
    }
    if row["gtin"]:
        product_values["gtin"] = row["gtin"]
    pr_key = product_key(row)
    if pr_key not in plan.products:
        if product is None:
            plan.products[pr_key] = (CREATE, None, p_key, product_values)
        else:
            changed = _changed(product, product_values)
            plan.products[pr_key] = (UPDATE if changed else UNCHANGED, product.id, p_key, product_values)
    action: dict[str, Any] = {
        "row": row["row"],
        "producer": plan.producers[p_key][0],
        "product": plan.products[pr_key][0],
        "evaluation": None,
    }
    wanted = row["evaluation"]
    if wanted is not None:
        decision_date = dt.date.fromisoformat(str(wanted["decision_date"]))
        values = {
            "criteria_set": wanted["criteria_set"],
            "level": wanted["level"],
            "score_a": wanted["score_a"],
            "score_b": wanted["score_b"],
            "score_c": wanted["score_c"],
            "status": wanted["status"],
            "decision_number": wanted["decision_number"],
            "decision_date": decision_date,
        }
        current = evaluations.get((product.id, fold(wanted["decision_number"]))) if product else None
        if current is None:
            plan.evaluations.append((CREATE, None, pr_key, values))
        else:
            changed = _changed(current, values)
            plan.evaluations.append((UPDATE if changed else UNCHANGED, current.id, pr_key, values))
        action["evaluation"] = plan.evaluations[-1][0]
    plan.actions.append(action)
