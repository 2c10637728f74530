"""Label runs: who may print labels for which lot, serial allocation, the frozen content of a run, and its
outputs (PDF, ZPL, TSPL, single QR as SVG/PNG) rendered out of the request path and kept by checksum.

- Serials (GS1 AI 21) are per lot, decimal, allocated from `serial_counter` inside the transaction that
  creates the run: the counter row is updated first (PostgreSQL locks it, SQLite serialises writers), so two
  concurrent runs never share a serial, and a serial is never reused, even if a run is abandoned.
- What a label says is frozen when the run is created (`LabelRun.content`): product name, producer, lot,
  dates, net quantity, stars only if the certificate is valid on the print date, the link. Output is
  deterministic, so a run downloaded again gives the same bytes; the first output's sha256 is recorded and
  a re-render that differed would be refused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import Batch, BatchStatus, LabelRun, LabelTemplate, Producer, Product, SerialCounter, TemplateKind
from services.common import clock, sandbox, settings, signing, storage
from services.common.errors import DomainError, FieldProblem, Problems
from services.common.text import nfc
from services.labels import layout as lay
from services.labels import pdf, qr, thermal
from services.labels.errors import LabelErrorCode, LabelWarningCode
from services.labels.templates import Template, builtin, find_template, to_model_values
from services.policy import Reach
from services.policy import registry as policy
from services.registry.stars import current_stars
from services.trace.identity import batch_link

MAX_COUNT = 50_000


AREA = "labels"  # label files are kept in the shared store under labels/{sha[:2]}/{sha}.{ext}


class OutputFormat(StrEnum):
    """The downloads of a label run, as named in its URLs and checksums."""

    PDF = "pdf"
    ZPL_203 = "zpl-203"
    ZPL_300 = "zpl-300"
    TSPL_203 = "tspl-203"
    TSPL_300 = "tspl-300"
    QR_SVG = "qr-svg"
    QR_PNG = "qr-png"


FORMATS = tuple(f.value for f in OutputFormat)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "zpl": "application/vnd.zebra-zpl",  # Zebra's registered media type is text/plain-like; this names it
    "tspl": "application/octet-stream",  # TSPL files carry a binary BMP
    "qr-svg": "image/svg+xml",
    "qr-png": "image/png",
}
EXTENSIONS = {"pdf": "pdf", "zpl": "zpl", "tspl": "tspl", "qr-svg": "svg", "qr-png": "png"}
URL_LIFETIME = dt.timedelta(days=7)
RENDER_TIMEOUT_S = 300
RENDER_MEMORY_BYTES = 1_500 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LabelRunData:
    batch_id: int
    template: str
    count: int
    serialized: bool = False
    start_slot: int = 1
    language: str = "vi"
    confirm_expired: bool = False  # print labels for a lot past its expiry date (a relabelled lot, a sample)


@dataclass(frozen=True, slots=True)
class LabelWarning:
    """Printed, but the producer should know: the lot is expired, or will be soon."""

    code: LabelWarningCode
    message: str  # Vietnamese
    message_en: str
    expires_on: dt.date

    def text(self, language: str) -> str:
        return self.message_en if language == "en" else self.message


def expiry_warnings(expires_on: dt.date | None, day: dt.date) -> list[LabelWarning]:
    """What a label run printed on `day` for a lot expiring on `expires_on` warns about. A lot is good
    through its expiry date (HSD) and expired the day after; "soon" is within OCOP_LABEL_EXPIRY_WARNING_DAYS
    days, today included."""
    if expires_on is None:
        return []
    shown = expires_on.strftime("%d/%m/%Y")
    left = (expires_on - day).days
    if left < 0:
        return [
            LabelWarning(
                LabelWarningCode.LOT_EXPIRED,
                f"Lô hàng đã hết hạn sử dụng từ {shown} ({-left} ngày trước).",
                f"The lot expired on {expires_on.isoformat()} ({-left} days ago).",
                expires_on,
            )
        ]
    if left <= settings.current().label_expiry_warning_days:
        when_vi = "hôm nay" if left == 0 else f"sau {left} ngày"
        when_en = "today" if left == 0 else f"in {left} days"
        return [
            LabelWarning(
                LabelWarningCode.LOT_EXPIRES_SOON,
                f"Lô hàng sắp hết hạn sử dụng: {shown} ({when_vi}).",
                f"The lot expires soon: {expires_on.isoformat()} ({when_en}).",
                expires_on,
            )
        ]
    return []


def run_warnings(run: LabelRun) -> list[LabelWarning]:
    """The warnings of a run, from what it printed (its frozen expiry date) and its print date."""
    expiry = run.content.get("expiry_date")
    return expiry_warnings(dt.date.fromisoformat(str(expiry)) if expiry else None, run.print_date)


def _problem(problems: Problems, field: str, code: LabelErrorCode, vi: str, en: str) -> None:
    problems.add(field, code, vi, en)


def _net_quantity(product: Product) -> str | None:
    if product.net_quantity is None:
        return None
    value = format(product.net_quantity.normalize(), "f")
    return f"{value} {product.net_unit or ''}".strip()


async def _snapshot(
    batch: Batch, product: Product, producer: Producer, base_url: str, language: str, day: dt.date
) -> lay.LabelContent:
    await product.fetch_related("latest_certificate")
    stars = current_stars(product.latest_certificate, day)
    name = product.name_en if language == "en" and product.name_en else product.name
    return lay.LabelContent(
        product_name=nfc(name),
        producer_name=nfc(producer.name),
        lot_code=batch.lot_code,
        link=batch_link(base_url, product_id=product.id, gtin=product.gtin, lot_code=batch.lot_code),
        production_date=batch.production_date.isoformat() if batch.production_date else None,
        expiry_date=batch.expiry_date.isoformat() if batch.expiry_date else None,
        net_quantity=_net_quantity(product),
        stars=stars,
        language=language,
    )


async def create_label_run(
    data: LabelRunData, reach: Reach, *, user_id: int | None, base_url: str
) -> LabelRun:
    batch = await Batch.get_or_none(id=data.batch_id).select_related("product__producer")
    if batch is None or not policy.may_manage_producer(reach, batch.product.producer):
        if reach.everything:
            raise DomainError(
                [
                    FieldProblem(
                        "batchId", LabelErrorCode.NOT_FOUND, "Không tìm thấy lô hàng.", "Lot not found."
                    )
                ]
            )
        raise policy.deny(reach, "batchId")
    product, producer = batch.product, batch.product.producer
    problems = Problems()
    template = await find_template(data.template)
    if template is None:
        _problem(
            problems,
            "template",
            LabelErrorCode.NOT_FOUND,
            "Không có mẫu nhãn này.",
            "No such label template.",
        )
    if not 1 <= data.count <= MAX_COUNT:
        _problem(
            problems,
            "count",
            LabelErrorCode.OUT_OF_RANGE,
            f"Số nhãn từ 1 đến {MAX_COUNT:,}.".replace(",", "."),
            f"Count is 1 to {MAX_COUNT:,}.",
        )
    if template is not None and not 1 <= data.start_slot <= template.per_page:
        _problem(
            problems,
            "startSlot",
            LabelErrorCode.OUT_OF_RANGE,
            f"Vị trí bắt đầu từ 1 đến {template.per_page}.",
            f"Start slot is 1 to {template.per_page}.",
        )
    if data.language not in lay.WORDS:
        _problem(problems, "language", LabelErrorCode.INVALID, "Ngôn ngữ: vi hoặc en.", "Language: vi or en.")
    if batch.status == BatchStatus.RECALLED:
        _problem(
            problems,
            "batchId",
            LabelErrorCode.NOT_ALLOWED,
            "Lô hàng đã bị thu hồi: không in nhãn mới.",
            "The lot is recalled: no new labels.",
        )
    if not (batch.is_published and product.is_published):
        _problem(
            problems,
            "batchId",
            LabelErrorCode.NOT_ALLOWED,
            "Lô hàng hoặc sản phẩm chưa công bố: mã QR sẽ không mở được trang truy xuất. Hãy công bố trước khi in.",
            "The lot or product is not published: its QR code would lead nowhere. Publish it before printing.",
        )
    day = clock.today()
    if batch.expiry_date is not None and batch.expiry_date < day and not data.confirm_expired:
        shown = batch.expiry_date.strftime("%d/%m/%Y")
        _problem(
            problems,
            "confirmExpired",
            LabelErrorCode.LOT_EXPIRED,
            f"Lô hàng đã hết hạn sử dụng từ {shown}: xác nhận (confirmExpired) nếu vẫn muốn in nhãn.",
            f"The lot expired on {batch.expiry_date.isoformat()}: confirm (confirmExpired) to print labels "
            "anyway.",
        )
    problems.raise_if_any()
    assert template is not None
    content = await _snapshot(batch, product, producer, base_url, data.language, day)
    # Refuse a template too small for the code now, with the size that would do, rather than print it.
    longest_serial = None
    if data.serialized:
        counter = await SerialCounter.get_or_none(batch_id=batch.id)
        longest_serial = (counter.next_serial if counter else 1) + data.count - 1
    probe = lay.LabelJob(template, content, 1, first_serial=longest_serial)
    try:
        lay.layout(probe)
    except lay.LabelTooSmall as e:
        raise DomainError(
            [
                FieldProblem(
                    "template",
                    LabelErrorCode.NOT_ALLOWED,
                    f"Nhãn {template.code} quá nhỏ cho mã QR này ({e.modules} mô-đun): cần nhãn cao ít nhất "
                    f"{e.needed_mm:.1f} mm để mô-đun đạt 0,396 mm theo GS1.",
                    f"Label {template.code} is too small for this QR code ({e.modules} modules): it needs a "
                    f"label at least {e.needed_mm:.1f} mm high for GS1's 0.396 mm module.",
                )
            ]
        ) from e
    async with in_transaction():
        first_serial = None
        if data.serialized:
            await SerialCounter.get_or_create(batch_id=batch.id)
            await SerialCounter.filter(batch_id=batch.id).update(next_serial=F("next_serial") + data.count)
            counter = await SerialCounter.get(batch_id=batch.id)
            first_serial = int(counter.next_serial) - data.count
        return await LabelRun.create(
            batch_id=batch.id,
            template_code=template.code,
            count=data.count,
            serialized=data.serialized,
            first_serial=first_serial,
            start_slot=data.start_slot,
            language=data.language,
            print_date=day,
            content=content.to_json(),
            created_by_id=user_id,
        )


async def job_of(run: LabelRun) -> lay.LabelJob:
    template = await find_template(run.template_code)
    if template is None:  # a custom template deleted after printing: its geometry is in the content
        raise LookupError(f"template {run.template_code} is gone")
    return lay.LabelJob(
        template=template,
        content=lay.LabelContent.from_json(run.content),
        count=run.count,
        first_serial=run.first_serial,
        start_slot=run.start_slot,
    )


# -- outputs -------------------------------------------------------------------------------------------------


def render_bytes(job: lay.LabelJob, fmt: str) -> bytes:
    """One output of a job; runs in a render process."""
    if fmt == "pdf":
        return pdf.labels_pdf(job)
    kind, _, dpi = fmt.partition("-")
    if kind == "zpl":
        return thermal.zpl(job, int(dpi))
    if kind == "tspl":
        return thermal.tspl(job, int(dpi))
    if fmt == "qr-svg":
        return qr.svg(qr.encode(job.link(0)), module_mm=lay.layout(job).module_mm).encode()
    if fmt == "qr-png":
        return qr.png(qr.encode(job.link(0)))
    raise ValueError(fmt)


def write_output(job: lay.LabelJob, fmt: str, out: BinaryIO, progress: pdf.Progress | None = None) -> None:
    """Stream one output of a job to `out`, reporting (labels done, total) as it goes (command line)."""
    if fmt == "pdf":
        pdf.render_labels(job, out, progress)
        return
    kind, _, dpi = fmt.partition("-")
    if kind in ("zpl", "tspl"):
        chunks: Iterator[bytes] = (
            (line.encode() for line in thermal.zpl_lines(job, int(dpi)))
            if kind == "zpl"
            else thermal.tspl_chunks(job, int(dpi))
        )
        for done, chunk in enumerate(chunks):
            out.write(chunk)
            if progress and done and done % 500 == 0:
                progress(min(done, job.count), job.count)  # the first chunk is the set-up
        if progress:
            progress(job.count, job.count)
        return
    out.write(render_bytes(job, fmt))


def _render_in_child(data: tuple[lay.LabelJob, str], progress: sandbox.Progress | None) -> bytes:
    """Entry point of the render child (services/common/sandbox.py): one output of a job."""
    job, fmt = data
    return render_bytes(job, fmt)


def _extension(fmt: str) -> str:
    return EXTENSIONS[fmt.split("-")[0] if fmt.startswith(("zpl", "tspl")) else fmt]


def media_key(sha: str, fmt: str) -> str:
    """The storage key of a label file (services/common/storage.py)."""
    return storage.content_key(AREA, sha, f".{_extension(fmt)}")


class OutputMismatch(RuntimeError):
    """A re-render differs from the bytes first delivered: refuse rather than hand out different labels."""


async def output(run: LabelRun, fmt: str) -> tuple[str, str]:
    """The storage key of one output of a run and its sha256, rendered on first request in a child process
    with time and memory limits (services/common/sandbox.py, as for catalog jobs), then kept in the shared
    store (another replica serves it from there). Concurrent first requests for one (run, format) in a
    process share one render, and renders wait for one of the process's render slots."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    known = run.checksums.get(fmt)
    if known:
        key = media_key(known, fmt)
        if await storage.current().exists(key):
            return key, known
    key, sha = await sandbox.single_flight(("labels", run.id, fmt), lambda: _render(run, fmt))
    run.checksums = {**run.checksums, fmt: sha}
    return key, sha


async def _render(run: LabelRun, fmt: str) -> tuple[str, str]:
    # The checksum is read again: a render that finished just before this one started has recorded it.
    fresh = await LabelRun.get(id=run.id)
    known = fresh.checksums.get(fmt)
    store = storage.current()
    if known:
        key = media_key(known, fmt)
        if await store.exists(key):
            return key, known
    job = await job_of(fresh)
    rendered = await sandbox.run(
        _render_in_child,
        (job, fmt),
        sandbox.Limits(timeout_s=RENDER_TIMEOUT_S, memory_bytes=RENDER_MEMORY_BYTES),
        store.work_dir(AREA),
        f".{_extension(fmt)}",
        name=f"labels-{run.id}-{fmt}",
        capped=True,
    )
    sha = rendered.sha256
    if known and known != sha:
        await asyncio.to_thread(rendered.path.unlink, missing_ok=True)
        raise OutputMismatch(f"label run {run.id} {fmt}: {sha} != {known}")
    key = media_key(sha, fmt)
    await store.put_file(key, rendered.path, move=True)
    if not known:
        # Read again: another format of the run may have recorded its checksum during this render.
        latest = await LabelRun.get(id=run.id)
        await LabelRun.filter(id=run.id).update(checksums={**latest.checksums, fmt: sha})
    return key, sha


async def record_checksum(run: LabelRun, fmt: str, data: bytes) -> str:
    """Keep an output written elsewhere (command line) as the run's reference bytes for that format."""
    sha = hashlib.sha256(data).hexdigest()
    known = run.checksums.get(fmt)
    if known and known != sha:
        raise OutputMismatch(f"label run {run.id} {fmt}: {sha} != {known}")
    store = storage.current()
    key = media_key(sha, fmt)
    if not await store.exists(key):
        await store.put_bytes(key, data)
    if not known:
        run.checksums = {**run.checksums, fmt: sha}
        await LabelRun.filter(id=run.id).update(checksums=run.checksums)
    return sha


def file_name(run: LabelRun, fmt: str) -> str:
    lot = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(run.content.get("lot_code", "")))
    dpi = f"-{fmt.split('-')[1]}dpi" if fmt.startswith(("zpl", "tspl")) else ""
    return f"nhan-{lot}-run{run.id}-{run.template_code}{dpi}.{_extension(fmt)}"


def content_type(fmt: str) -> str:
    kind = fmt.split("-")[0] if fmt.startswith(("zpl", "tspl")) else fmt
    return CONTENT_TYPES[kind]


def format_problem(job: lay.LabelJob, fmt: str) -> str | None:
    """Why this output cannot be made for this job (a label too small for the code at that printer
    resolution), or None."""
    try:
        if fmt.startswith(("zpl", "tspl")):
            thermal.plan(job, int(fmt.split("-")[1]))
        else:
            lay.layout(job)
    except lay.LabelTooSmall as e:
        return str(e)
    return None


# -- signed download links -----------------------------------------------------------------------------------


def _signature(run_id: int, fmt: str, expires: int) -> str:
    return signing.sign("label-run", run_id, fmt, expires=expires)


def download_url(base_url: str, run_id: int, fmt: str, *, now: float | None = None) -> str:
    """A link the producer's browser can open without a token, valid for a week."""
    expires = signing.expires_in(URL_LIFETIME.total_seconds(), now=now)
    return f"{base_url}/labels/runs/{run_id}/{fmt}?expires={expires}&sig={_signature(run_id, fmt, expires)}"


def verify_download(run_id: int, fmt: str, expires: str, signature: str, *, now: float | None = None) -> bool:
    return signing.verify("label-run", run_id, fmt, expires=expires, signature=signature, now=now)


# -- templates organisations add ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateData:
    code: str
    name: str
    kind: TemplateKind
    page_width_mm: float
    page_height_mm: float
    rows: int
    columns: int
    label_width_mm: float
    label_height_mm: float
    margin_top_mm: float = 0.0
    margin_left_mm: float = 0.0
    column_gap_mm: float = 0.0
    row_gap_mm: float = 0.0
    producer_id: int | None = None


async def create_template(data: TemplateData, reach: Reach) -> Template:
    if data.producer_id is None:
        if not reach.everything:
            raise policy.deny(reach, "producerId")
    else:
        producer = await Producer.get_or_none(id=data.producer_id)
        if producer is None or not policy.may_manage_producer(reach, producer):
            raise policy.deny(reach, "producerId")
    problems = Problems()
    code = nfc(data.code).strip().upper()
    if not code or len(code) > 32 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
        _problem(
            problems,
            "code",
            LabelErrorCode.INVALID,
            "Mã mẫu: 1-32 ký tự A-Z, 0-9, - _.",
            "Code: 1-32 of A-Z 0-9 - _.",
        )
    elif builtin(code) is not None or await LabelTemplate.exists(code=code):
        _problem(problems, "code", LabelErrorCode.UNIQUE, "Mã mẫu đã có.", "Code already used.")
    for field, value in (
        ("pageWidthMm", data.page_width_mm),
        ("pageHeightMm", data.page_height_mm),
        ("labelWidthMm", data.label_width_mm),
        ("labelHeightMm", data.label_height_mm),
    ):
        if not 5 <= value <= 1000:
            _problem(problems, field, LabelErrorCode.OUT_OF_RANGE, "Từ 5 đến 1000 mm.", "5 to 1000 mm.")
    for field, value in (
        ("marginTopMm", data.margin_top_mm),
        ("marginLeftMm", data.margin_left_mm),
        ("columnGapMm", data.column_gap_mm),
        ("rowGapMm", data.row_gap_mm),
    ):
        if not 0 <= value <= 500:
            _problem(problems, field, LabelErrorCode.OUT_OF_RANGE, "Từ 0 đến 500 mm.", "0 to 500 mm.")
    for field, value in (("rows", data.rows), ("columns", data.columns)):
        if not 1 <= value <= 50:
            _problem(problems, field, LabelErrorCode.OUT_OF_RANGE, "Từ 1 đến 50.", "1 to 50.")
    if not nfc(data.name).strip():
        _problem(problems, "name", LabelErrorCode.REQUIRED, "Cần tên mẫu.", "A name is required.")
    problems.raise_if_any()
    template = Template(
        code=code,
        name=nfc(data.name).strip(),
        name_en=nfc(data.name).strip(),
        kind=data.kind,
        page_width_mm=data.page_width_mm,
        page_height_mm=data.page_height_mm,
        rows=data.rows,
        columns=data.columns,
        label_width_mm=data.label_width_mm,
        label_height_mm=data.label_height_mm,
        margin_top_mm=data.margin_top_mm,
        margin_left_mm=data.margin_left_mm,
        column_gap_mm=data.column_gap_mm,
        row_gap_mm=data.row_gap_mm,
        builtin=False,
        producer_id=data.producer_id,
    )
    for field, vi, en in template.geometry_problems():
        _problem(problems, field, LabelErrorCode.OUT_OF_RANGE, vi, en)
    problems.raise_if_any()
    await LabelTemplate.create(**to_model_values(template))
    return template


# -- reading runs ----------------------------------------------------------------------------------------------


async def managed_batch(batch_id: int, reach: Reach) -> Batch | None:
    """The lot if the actor manages its producer (label runs and scan figures are the producer's business)."""
    batch = await Batch.get_or_none(id=batch_id).select_related("product__producer")
    if batch is None or not policy.may_manage_producer(reach, batch.product.producer):
        return None
    return batch


RUN_ORDER = ("-id",)


async def runs_of_batch(batch_id: int, reach: Reach) -> QuerySet[LabelRun] | None:
    """A lot's label runs, to page newest first (`RUN_ORDER`); None when the actor does not manage the lot."""
    if await managed_batch(batch_id, reach) is None:
        return None
    return LabelRun.filter(batch_id=batch_id)


async def runs_by_ids(ids: set[int], reach: Reach) -> dict[int, LabelRun]:
    found = await LabelRun.filter(id__in=list(ids)).select_related("batch__product__producer")
    return {r.id: r for r in found if policy.may_manage_producer(reach, r.batch.product.producer)}
