"""The public trace page a consumer sees after scanning a lot's QR code: server-rendered, no JavaScript,
small enough for a cheap phone on a slow connection. Vietnamese by default, English on request.

It carries the ten items of Circular 02/2024/TT-BKHCN: product name, image, producer name and address,
the production and business stages (each with its tracing code, location and time), production time,
the product's traceability code, brand/serial, shelf life, and the standards applied."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from models import Batch, BatchStatus, Certification, Producer, Product, ProductImage
from services.common import clock, paths
from services.registry import admin_units, stars
from services.trace import events as trace
from services.trace import snapshot
from services.trace.identity import batch_link, product_code, product_id_of
from services.trace.integrity import (
    Integrity,
    IntegrityStatus,
    for_page,
    integrity_cached,
    page_integrity,
    stored_verdict,
)
from services.trace.lineage import lineage
from services.trace.locations import given_names, place_label
from services.trace.resolver import ProductPage

TEMPLATES = paths.TEMPLATES

# The wording of templates/parts.html, the pieces the product page (services/registry/product_page.py)
# shows too, and of base.html: one place, so both pages say the same.
PARTS_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "producer": "Chủ thể sản xuất",
        "shelf_life": "Thời hạn sử dụng",
        "days": "ngày",
        "ocop": "Sản phẩm OCOP",
        "certificate": "Quyết định",
        "valid_until": "hiệu lực đến",
        "no_ocop": "Chưa có chứng nhận OCOP còn hiệu lực",
        "standards": "Tiêu chuẩn áp dụng",
        "certifications": "Chứng nhận",
        "other_language": "English",
    },
    "en": {
        "producer": "Producer",
        "shelf_life": "Shelf life",
        "days": "days",
        "ocop": "OCOP product",
        "certificate": "Decision",
        "valid_until": "valid until",
        "no_ocop": "No valid OCOP certificate",
        "standards": "Standards applied",
        "certifications": "Certifications",
        "other_language": "Tiếng Việt",
    },
}
LABELS: dict[str, dict[str, str]] = {
    "vi": {
        **PARTS_LABELS["vi"],
        "title": "Truy xuất nguồn gốc",
        "lot": "Lô",
        "origin": "Nguồn gốc",
        "made": "Ngày sản xuất",
        "harvested": "Ngày thu hoạch",
        "expiry": "Hạn sử dụng",
        "stages": "Hành trình của lô hàng",
        "stages_omitted": "… {n} công đoạn khác không hiển thị",
        "code": "Mã truy xuất sản phẩm",
        "event_id": "Mã sự kiện",
        "place_code": "Mã địa điểm",
        "serial": "Số sê-ri",
        "gtin": "Mã sản phẩm (GTIN)",
        "product_page": "Xem thông tin sản phẩm",
        "withheld": "Lô nguyên liệu chưa công bố: {n}",
        "expired": "LÔ HÀNG ĐÃ HẾT HẠN SỬ DỤNG",
        "expired_text": "Hạn sử dụng của lô này là {date}. Không sử dụng sản phẩm đã quá hạn.",
        "expired_marked": "Chủ thể sản xuất đã đánh dấu lô này là hết hạn.",
        "recall_status": "Tình trạng thu hồi",
        "not_recalled": "Lô hàng không bị thu hồi.",
        "doc_certificate": "Giấy chứng nhận",
        "doc_testResult": "Kết quả kiểm nghiệm",
        "doc_photo": "Ảnh",
        "doc_invoice": "Hoá đơn",
        "doc_other": "Tài liệu",
        "made_from": "Làm từ các lô nguyên liệu",
        "recall": "LÔ HÀNG ĐÃ BỊ THU HỒI",
        "recall_text": "Không sử dụng sản phẩm thuộc lô này. Liên hệ nơi bán hoặc chủ thể sản xuất.",
        "scan_warning": "Mã này được quét nhiều bất thường",
        "scan_warning_text": "Mã QR trên sản phẩm này đã được quét từ nhiều nơi trong thời gian ngắn: có thể là mã bị sao chép. Hãy kiểm tra tem, bao bì và mua tại nơi bán tin cậy.",
        "scan_not_issued": "Số sê-ri này chưa từng được cấp",
        "scan_not_issued_text": "Lô hàng này không có tem nào mang số sê-ri trong mã QR bạn vừa quét: mã có thể là giả. Hãy kiểm tra tem, bao bì và mua tại nơi bán tin cậy.",
        "integrity_ok": "Dữ liệu truy xuất toàn vẹn: chuỗi mã băm của {n} sự kiện khớp.",
        "integrity_broken": "Cảnh báo: dữ liệu truy xuất đã bị thay đổi sau khi ghi nhận.",
        "integrity_legacy": "Chuỗi mã băm của {n} sự kiện khớp; ghi chú và địa điểm của {k} sự kiện ghi trước khi được bảo vệ (đánh dấu †) không được mã băm bảo vệ.",
        "legacy_mark": "†",
        "broken_event_changed": "Nội dung một sự kiện (công đoạn, thời gian, số lượng, địa điểm, tài liệu) đã bị sửa.",
        "broken_details_changed": "Ghi chú, địa điểm hoặc đính chính của một sự kiện đã bị sửa.",
        "broken_chain_broken": "Một sự kiện đã bị xoá hoặc chuyển khỏi lô.",
        "broken_truncated": "Các sự kiện cuối cùng của lô đã bị xoá.",
        "broken_extra_events": "Có sự kiện được thêm ngoài nhật ký sự kiện.",
        "broken_head_mismatch": "Sự kiện cuối cùng của lô không khớp với bản ghi đầu chuỗi.",
        "broken_head_missing": "Bản ghi đầu chuỗi của lô bị mất.",
        "broken_lot_changed": "Thông tin của lô (ngày, số lượng, nguồn gốc, trạng thái) đã bị sửa.",
        "integrity_unverified": "Chưa kiểm tra xong tính toàn vẹn của dữ liệu truy xuất (dữ liệu lớn hoặc máy chủ đang bận); vui lòng xem lại sau ít phút.",
        "corrected": "Đã được đính chính: thông tin này không đúng",
        "demo": "",
    },
    "en": {
        **PARTS_LABELS["en"],
        "title": "Product traceability",
        "lot": "Lot",
        "origin": "Origin",
        "made": "Production date",
        "harvested": "Harvest date",
        "expiry": "Best before",
        "stages": "The lot's journey",
        "stages_omitted": "… {n} more stages not shown",
        "code": "Product tracing code",
        "event_id": "Event ID",
        "place_code": "Location code",
        "serial": "Serial number",
        "gtin": "Product code (GTIN)",
        "product_page": "About this product",
        "withheld": "Ingredient lots not published: {n}",
        "expired": "THIS LOT HAS EXPIRED",
        "expired_text": "This lot's expiry date was {date}. Do not use products past their expiry date.",
        "expired_marked": "The producer marked this lot as expired.",
        "recall_status": "Recall status",
        "not_recalled": "This lot has not been recalled.",
        "doc_certificate": "Certificate",
        "doc_testResult": "Test result",
        "doc_photo": "Photo",
        "doc_invoice": "Invoice",
        "doc_other": "Document",
        "made_from": "Made from these lots",
        "recall": "THIS LOT HAS BEEN RECALLED",
        "recall_text": "Do not use products of this lot. Contact the shop or the producer.",
        "scan_warning": "This code has been scanned unusually often",
        "scan_warning_text": "The QR code on this item was scanned from many places in a short time: it may be a copy. Check the seal and packaging, and buy from a seller you trust.",
        "scan_not_issued": "This serial number was never issued",
        "scan_not_issued_text": "No label of this lot carries the serial number in the QR code you scanned: the code may be counterfeit. Check the seal and packaging, and buy from a seller you trust.",
        "integrity_ok": "Trace data intact: the hash chain of {n} events matches.",
        "integrity_broken": "Warning: the trace data was changed after it was recorded.",
        "integrity_legacy": "The hash chain of {n} events matches; the notes and places of {k} events recorded before they were protected (marked †) are not covered by it.",
        "legacy_mark": "†",
        "broken_event_changed": "An event's content (step, time, quantities, places, documents) was edited.",
        "broken_details_changed": "An event's note, place or correction was edited.",
        "broken_chain_broken": "An event was deleted or moved out of this lot.",
        "broken_truncated": "The lot's last events were deleted.",
        "broken_extra_events": "Events were added outside the event log.",
        "broken_head_mismatch": "The lot's last event does not match its chain head.",
        "broken_head_missing": "The lot's chain head is missing.",
        "broken_lot_changed": "The lot's details (dates, quantity, origin, status) were edited.",
        "integrity_unverified": "The trace data has not been verified yet (much data or a busy server); please check again in a few minutes.",
        "corrected": "Corrected: this record was declared wrong",
        "demo": "",
    },
}
STEP_NAMES: dict[str, tuple[str, str]] = {
    "commissioning": ("Thu hoạch / khởi tạo", "Harvest / commissioning"),
    "creating_class_instance": ("Sản xuất, chế biến", "Production"),
    "packing": ("Đóng gói", "Packing"),
    "inspecting": ("Kiểm tra chất lượng", "Inspection"),
    "shipping": ("Xuất hàng", "Shipping"),
    "receiving": ("Nhận hàng", "Receiving"),
    "storing": ("Lưu kho", "Storage"),
    "holding": ("Tạm giữ", "Holding"),
    "retail_selling": ("Bán lẻ", "Retail sale"),
}
# An event whose disposition is `recalled` (services.trace.events.record_recall records a `holding` step)
# is a recall, whatever its step.
RECALL_STEP = ("Thu hồi", "Recall")


# The stages a page shows at most: its origin (the first ones) and its latest steps. A lot with thousands of
# events (a sensor feed, a busy warehouse) would otherwise make a page of megabytes for a phone.
FIRST_STAGES = 10
LAST_STAGES = 40


@dataclass(slots=True)
class Stage:
    name: str
    time: str
    place: str | None  # the read point (where it was observed)
    code: str
    note: str | None
    place_code: str | None = None  # the location's GLN, else its EPCIS identifier (Circular 02/2024 item 5)
    documents: list[tuple[str, str]] = field(default_factory=list)  # (link text, https URL)
    recalled: bool = False
    corrected: bool = False  # declared erroneous by the producer (EPCIS error declaration)
    covered: bool = True  # its note and place are covered by its chain hash (hash scheme 2)
    destination: str | None = (
        None  # the business location (where the goods are afterwards), when another place
    )


@dataclass(slots=True)
class Page:
    lang: str
    labels: dict[str, str]
    product_name: str
    image: str | None
    producer_name: str
    producer_address: str
    lot_code: str
    link: str
    origin: str | None
    made: str | None
    harvested: str | None
    expiry: str | None
    shelf_life_days: int | None
    stars: int | None
    certificate: str | None
    certificate_until: str | None
    recalled: bool
    stages: list[Stage] = field(default_factory=list)
    # A lot with more than FIRST_STAGES + LAST_STAGES stages shows its first and its last ones: `stages_omitted`
    # are left out after the first FIRST_STAGES shown.
    stages_omitted: int = 0
    omitted_at: int = FIRST_STAGES
    inputs: list[tuple[str, str, str | None]] = field(default_factory=list)  # product, lot, origin
    standards: list[str] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    integrity_valid: bool = True
    integrity_status: str = "valid"  # services.trace.integrity.IntegrityStatus: valid, broken or unverified
    events_checked: int = 0
    integrity_reason: str | None = None  # services.trace.integrity.Broken, when not valid
    legacy_events: int = 0  # events whose note and place the chain does not cover (marked on their stage)
    other_language_href: str = ""
    # Opened from a serialised code: "not_issued" (no label run of the lot issued it) or "copy" (scanned
    # from too many places), services/labels/scans.py ScanWarning; None: nothing to warn of.
    scan_warning: str | None = None
    serial: str | None = None  # the serial of the scanned label (set with scan_warning)
    gtin: str | None = None
    expired: bool = False  # past its expiry date (or marked expired)
    product_href: str = ""  # the product page
    withheld_inputs: int = 0  # lots it was made from that are not published: counted, not named


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _day(value: dt.date | None) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None


async def place_name(unit_id: int | None) -> str | None:
    """'Xã Hưng Nhượng, Huyện Giồng Trôm, Tỉnh Bến Tre' for a commune (units come from the process cache)."""
    names = []
    while unit_id is not None:
        unit = (await admin_units.get_many([unit_id])).get(unit_id)
        if unit is None:
            break
        names.append(unit.name)
        unit_id = unit.parent_id
    return ", ".join(names) or None


async def find_batch(code: str, lot_code: str) -> tuple[Batch, Product] | None:
    """A published lot of a published product, by the product code and lot of a `/p/` or trace link."""
    product_id = product_id_of(code)
    if product_id is None or product_id > 2**31 - 1:
        return None
    batch = await Batch.get_or_none(product_id=product_id, lot_code=lot_code).select_related("product")
    if batch is None or not batch.is_published or not batch.product.is_published:
        return None
    return batch, batch.product


async def build(batch: Batch, product: Product, lang: str, base_url: str, today: dt.date) -> Page:
    """The page, read the slow way: every row it shows (`collect`), then the lot's integrity check."""
    return assemble(
        await collect(batch, product), lang, base_url, today, await integrity_cached(batch.id, base_url)
    )


async def view(
    batch: Batch,
    product: Product,
    lang: str,
    base_url: str,
    today: dt.date,
    integrity: Integrity | None = None,
) -> Page:
    """The page as a scan gets it: the lot's snapshot (services/trace/snapshot.py; built the slow way and
    kept when missing), then the lot's integrity (`integrity`, else `services.trace.integrity.page_integrity`:
    the stored verdict while the rows it was computed from are unchanged, else the check). Equal to `build`'s."""
    if integrity is None:
        integrity = await page_integrity(batch.id, base_url)
    if (
        integrity.status == IntegrityStatus.BROKEN
    ):  # rows changed behind the services' back: show them as they are
        return assemble(await collect(batch, product), lang, base_url, today, integrity)
    kept = await snapshot.facts(batch, product)
    # The lot's and the product's own fields from their rows, read anyway to find the lot: always current.
    facts = {**kept, "lot": await _lot_facts(batch), "product": _product_facts(product)}
    return assemble(facts, lang, base_url, today, integrity)


@dataclass(frozen=True, slots=True)
class Shown:
    """A scan's trace page: its HTML and the status of its integrity check (how long it may be kept)."""

    html: str
    integrity_status: str
    stored: bool  # served as stored bytes (no render)


async def scan(code: str, lot_code: str, lang: str, base_url: str, today: dt.date) -> Shown | None:
    """The trace page of a published lot as a scan without a serial gets it, None when there is none. One SQL
    statement reads the lot, its product, its snapshot row and chain head and (PostgreSQL) the fingerprint of
    the rows its integrity check reads (`snapshot.scan_state`). When the verdict is the stored one (or, on
    SQLite, the check's) and the page's key (`page_key`) is the stored page's, the stored page is the answer:
    no other statement, no render. Otherwise the page is built as `view` builds it and, when valid, stored."""
    product_id = product_id_of(code)
    if product_id is None or product_id > 2**31 - 1:
        return None
    state = await snapshot.scan_state(product_id, lot_code, lang)
    if state is None or not state.batch.is_published or not state.product.is_published:
        return None
    batch, product = state.batch, state.product
    checked = await for_page(batch.id, base_url, state.verdict, state.fingerprint, state.rows_now)
    if checked.status != IntegrityStatus.VALID or state.version is None:
        built = await view(batch, product, lang, base_url, today, checked)
        return Shown(await asyncio.to_thread(render, built), built.integrity_status, False)
    lot, shown_product = await _lot_facts(batch), _product_facts(product)
    key = page_key(state.version, lot, shown_product, state.head, checked, lang, base_url, today)
    if state.page is not None and state.page_key == key:
        return Shown(state.page, checked.status.value, True)
    kept = await snapshot.facts(batch, product)
    html = await asyncio.to_thread(
        render, assemble({**kept, "lot": lot, "product": shown_product}, lang, base_url, today, checked)
    )
    if kept["head"] == state.head and state.snapshot_id is not None:
        await snapshot.keep_page(state.snapshot_id, state.version, lang, key, html)
    return Shown(html, checked.status.value, False)


async def stored_page(state: snapshot.ScanState, lang: str, base_url: str, today: dt.date) -> Shown | None:
    """The trace page of a published lot as `scan` would answer it from `state` (read by `snapshot.scan_state`
    in `lang`), when that answer is its stored page under a verdict that stands: no other statement, no check,
    no render. None otherwise (SQLite, whose verdicts are checked, a page to render, a lot not published):
    then `scan` answers. The resolver reads `state` with a plain scan's redirect, so that the page the phone
    asks for next is already at hand."""
    if not state.batch.is_published or not state.product.is_published:
        return None
    checked = await stored_verdict(base_url, state.verdict, state.fingerprint, state.rows_now)
    return None if checked is None else await stored(state, checked, lang, base_url, today)


async def stored(
    state: snapshot.ScanState, checked: Integrity, lang: str, base_url: str, today: dt.date
) -> Shown | None:
    """The stored page of `state` in `lang` when it is the page of these facts and this verdict, else None."""
    if state.page is None or state.version is None or checked.status != IntegrityStatus.VALID:
        return None
    lot, product = await _lot_facts(state.batch), _product_facts(state.product)
    key = page_key(state.version, lot, product, state.head, checked, lang, base_url, today)
    return Shown(state.page, checked.status.value, True) if state.page_key == key else None


@cache
def template_version() -> str:
    """sha256 of what a page is rendered with besides its facts: the templates and this module's wording."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.glob("*.html")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    wording = [LABELS, STEP_NAMES, RECALL_STEP, FIRST_STAGES, LAST_STAGES]
    digest.update(json.dumps(wording, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def page_key(
    version: int,
    lot: dict[str, Any],
    product: dict[str, Any],
    head: list[Any] | None,
    integrity: Integrity,
    lang: str,
    base_url: str,
    today: dt.date,
) -> str:
    """The key of a stored page: what `assemble` and `render` make it from (the templates and wording, the
    snapshot's version, the lot's and the product's shown fields, the chain head its facts were read at, the
    integrity verdict, the language, the day and the public base URL). Equal keys, equal pages."""
    verdict = [integrity.status.value, integrity.events_checked, integrity.reason, integrity.legacy_events]
    material = [template_version(), version, lot, product, head, verdict, lang, today.isoformat(), base_url]
    return hashlib.sha256(
        json.dumps(material, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


async def collect(batch: Batch, product: Product) -> dict[str, Any]:
    """Everything the page shows of a lot but its integrity check, in both languages, as JSON: what the
    per-lot snapshot keeps (services/trace/snapshot.py). Independent of the day, the language and the
    public base URL (`assemble` applies them)."""
    producer = await Producer.get(id=product.producer_id)
    address = ", ".join(p for p in (producer.address_line, await place_name(producer.commune_id)) if p)
    certificate = None
    if product.latest_certificate_id:
        from models import Evaluation

        certificate = await Evaluation.get_or_none(id=product.latest_certificate_id)
    image = await ProductImage.filter(product_id=product.id).order_by("position", "id").first()
    events = await trace.events_of(batch.id)
    corrected = {e.corrects_id for e in events if e.corrects_id}
    locations = await trace.locations_of(events)
    names = await given_names(product.producer_id, locations.values())  # of partners' places
    labels_of = {
        i: {language: place_label(loc, language, names.get(i)) for language in ("vi", "en")}
        for i, loc in locations.items()
    }
    shown = [e for e in events if not e.corrects_id]
    omitted = max(0, len(shown) - FIRST_STAGES - LAST_STAGES)
    if omitted:
        shown = shown[:FIRST_STAGES] + shown[-LAST_STAGES:]
    stages = []
    for event in shown:
        location = locations.get(event.read_point_id) if event.read_point_id else None
        stages.append(
            {
                "step": event.biz_step or "",
                "recalled": event.disposition == "recalled",
                "time": event.event_time.astimezone(clock.VIETNAM).strftime("%H:%M %d/%m/%Y"),
                "place": labels_of.get(event.read_point_id) if event.read_point_id else None,
                "destination": labels_of.get(event.biz_location_id) if event.biz_location_id else None,
                "code": event.event_hash.removeprefix("ni:///sha-256;")[:12],
                "note": event.note,
                "note_en": event.note_en,
                # "/locations/{id}" for one of ours without a GLN: the public base URL is put in front later
                "place_code": (location.gln or trace.location_uri("", location)) if location else None,
                "documents": [
                    {"type": d["type"], "title": d.get("title"), "url": d["url"]}
                    for d in event.documents or []
                ],
                "corrected": event.id in corrected,
                "covered": event.hash_version >= 2,
            }
        )
    inputs = []
    withheld = 0
    levels = await lineage([batch.id], backward=True, depth=1)
    for source in levels[0] if levels else []:
        source_product = await Product.get(id=source.product_id)
        if not (source.is_published and source_product.is_published):
            # Shown to the public as the EPCIS events show it (services.trace.events.event_jsons): counted,
            # its identity withheld.
            withheld += 1
            continue
        origin = source.origin_place or await place_name(source.origin_commune_id)
        inputs.append(
            {
                "name": source_product.name,
                "name_en": source_product.name_en,
                "lot": source.lot_code,
                "origin": origin,
            }
        )
    return {
        "product": _product_facts(product),
        "producer": {"name": producer.name, "name_en": producer.name_en, "address": address},
        "certificate": None
        if certificate is None
        else {
            "stars": int(certificate.stars) if certificate.stars is not None else None,
            "status": str(
                certificate.status.value if hasattr(certificate.status, "value") else certificate.status
            ),
            "valid_from": _iso(certificate.valid_from),
            "decision_date": _iso(certificate.decision_date),
            "valid_until": _iso(certificate.valid_until),
            "decision_number": certificate.decision_number,
        },
        "image": image.url if image else None,
        "lot": await _lot_facts(batch),
        "stages": stages,
        "omitted": omitted,
        "inputs": inputs,
        "withheld": withheld,
        "certifications": [
            c.scheme for c in await Certification.filter(product_id=product.id).order_by("id")
        ],
        "head": await snapshot.head_of(
            batch.id
        ),  # the chain head it was read at: a snapshot of another is stale
    }


def _product_facts(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "name_en": product.name_en,
        "gtin": product.gtin,
        "shelf_life_days": product.shelf_life_days,
        "standards": list(product.standards or []),
        "latest_certificate_id": product.latest_certificate_id,
    }


async def _lot_facts(batch: Batch) -> dict[str, Any]:
    origin_parts = [batch.origin_place, await place_name(batch.origin_commune_id)]
    return {
        "code": batch.lot_code,
        "status": str(batch.status.value if hasattr(batch.status, "value") else batch.status),
        "production_date": _iso(batch.production_date),
        "harvest_date": _iso(batch.harvest_date),
        "expiry_date": _iso(batch.expiry_date),
        "origin": ", ".join(p for p in origin_parts if p) or None,
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def assemble(facts: dict[str, Any], lang: str, base_url: str, today: dt.date, integrity: Integrity) -> Page:
    """The page of `collect`'s facts (or a snapshot of them) in `lang`, on `today`, for `base_url`."""
    en = lang == "en"
    labels = LABELS[lang]
    product, producer, lot = facts["product"], facts["producer"], facts["lot"]
    certificate = None
    if facts["certificate"] is not None:
        from models import Evaluation

        kept = facts["certificate"]
        certificate = Evaluation(
            stars=kept["stars"],
            status=kept["status"],
            valid_from=_date(kept["valid_from"]),
            decision_date=_date(kept["decision_date"]),
            valid_until=_date(kept["valid_until"]),
            decision_number=kept["decision_number"],
        )
    current = stars.current_stars(certificate, today)
    base = base_url.rstrip("/")
    stages = []
    for stage in facts["stages"]:
        step = stage["step"]
        vi_name, en_name = RECALL_STEP if stage["recalled"] else STEP_NAMES.get(step, (step, step))
        place = stage["place"][lang] if stage["place"] else None
        destination = stage["destination"][lang] if stage["destination"] else None
        code = stage["place_code"]
        stages.append(
            Stage(
                name=en_name if en else vi_name,
                time=stage["time"],
                place=place,
                code=stage["code"],
                note=(stage["note_en"] or stage["note"]) if en else stage["note"],
                place_code=base + code if code and code.startswith("/locations/") else code,
                documents=[
                    (d["title"] or labels.get(f"doc_{d['type']}", labels["doc_other"]), d["url"])
                    for d in stage["documents"]
                ],
                recalled=stage["recalled"],
                corrected=stage["corrected"],
                covered=stage["covered"],
                destination=destination if destination != place else None,
            )
        )
    status = BatchStatus(lot["status"])
    expiry = _date(lot["expiry_date"])
    gtin = product["gtin"]
    return Page(
        lang=lang,
        labels=labels,
        product_name=(product["name_en"] or product["name"]) if en else product["name"],
        image=facts["image"],
        producer_name=(producer["name_en"] or producer["name"]) if en else producer["name"],
        producer_address=producer["address"],
        lot_code=lot["code"],
        link=batch_link(base_url, product_id=product["id"], gtin=gtin, lot_code=lot["code"]),
        origin=lot["origin"],
        made=_day(_date(lot["production_date"])),
        harvested=_day(_date(lot["harvest_date"])),
        expiry=_day(expiry),
        shelf_life_days=product["shelf_life_days"],
        stars=current,
        certificate=certificate.decision_number if current and certificate else None,
        certificate_until=_day(certificate.valid_until) if current and certificate else None,
        recalled=status == BatchStatus.RECALLED,
        stages=stages,
        stages_omitted=facts["omitted"],
        inputs=[
            ((i["name_en"] or i["name"]) if en else i["name"], i["lot"], i["origin"]) for i in facts["inputs"]
        ],
        standards=list(product["standards"]),
        certifications=list(facts["certifications"]),
        integrity_valid=integrity.valid,
        integrity_status=integrity.status.value,
        events_checked=integrity.events_checked,
        integrity_reason=integrity.reason.value if integrity.reason else None,
        legacy_events=integrity.legacy_events,
        other_language_href="?lang=vi" if en else "?lang=en",
        gtin=(gtin[1:] if gtin.startswith("0") else gtin) if gtin else None,
        expired=status == BatchStatus.EXPIRED or (expiry is not None and expiry < today),
        product_href=f"{base}/products/{product_code(product['id'])}" + ("?lang=en" if en else ""),
        withheld_inputs=facts["withheld"],
    )


def render(page: Page) -> str:
    return environment().get_template("trace.html").render(page=page, labels=page.labels)


def etag(body: str) -> str:
    return etag_of(body.encode())


def etag_of(encoded: bytes) -> str:
    """`etag` of a page already encoded (UTF-8)."""
    return '"' + hashlib.sha256(encoded).hexdigest()[:32] + '"'


# The page a browser gets for a code that names nothing we publish (unknown, mistyped, or a lot withdrawn
# from publication: not visible and not found look the same) or a badly written one (a wrong check digit).
ERROR_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # kind: language: (title, text)
    "unknown": {
        "vi": (
            "Không tìm thấy mã truy xuất này",
            "Không có sản phẩm hay lô hàng đã công bố nào mang mã này: mã có thể bị đọc hoặc gõ sai, hoặc "
            "lô hàng đã được rút khỏi danh sách công bố. Hãy kiểm tra lại mã trên bao bì hoặc liên hệ chủ "
            "thể sản xuất.",
        ),
        "en": (
            "This code is not known",
            "No published product or lot carries this code: it may have been misread or mistyped, or the "
            "lot has been withdrawn. Check the code on the package or contact the producer.",
        ),
    },
    "malformed": {
        "vi": (
            "Mã truy xuất không hợp lệ",
            "Mã này không đúng cấu trúc mã GS1 (ví dụ: sai số kiểm tra của mã sản phẩm). Hãy quét lại, kiểm "
            "tra mã trên bao bì hoặc liên hệ chủ thể sản xuất.",
        ),
        "en": (
            "This code is not valid",
            "This is not a well-formed GS1 code (for example, the product number's check digit is wrong). "
            "Scan it again, check the code on the package or contact the producer.",
        ),
    },
}
_ERROR_HEADER = {"vi": "Truy xuất nguồn gốc", "en": "Product traceability"}


def error_html(
    lang: str,
    kind: str = "unknown",
    detail_vi: str = "",
    detail_en: str = "",
    product: ProductPage | None = None,
) -> str:
    """The friendly page of a code we cannot show (`kind`: a key of ERROR_TEXTS), in both languages, the
    request's first, with the resolver's reason (`detail_*`) when there is one, and a link to the product's
    page (where its producer is) when only the lot is unknown."""
    order = ("en", "vi") if lang == "en" else ("vi", "en")
    texts = [
        {
            "lang": language,
            "header": _ERROR_HEADER[language],
            "title": ERROR_TEXTS[kind][language][0],
            "text": ERROR_TEXTS[kind][language][1],
            "detail": detail_en if language == "en" else detail_vi,
            "product_href": (product.href + ("?lang=en" if language == "en" else "")) if product else "",
            "product_text": (
                f"{product.name_en}, by {product.producer_en}"
                if language == "en"
                else f"{product.name}, {product.producer}"
            )
            if product
            else "",
            "product_label": "The product and its producer:"
            if language == "en"
            else "Sản phẩm và chủ thể sản xuất:",
        }
        for language in order
    ]
    page = {"lang": lang, "other_language_href": ""}
    return environment().get_template("not_found.html").render(page=page, labels={}, texts=texts)


def not_found_html(lang: str) -> str:
    return error_html(lang)


def today() -> dt.date:
    """Today in Viet Nam: certificate validity on the page is judged by the local date (a seam tests patch)."""
    return clock.today()
