"""QR traceability labels: templates, label runs with their download links, and scan figures of serials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Self, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models import LabelRun as LabelRunModel
from models import TemplateKind
from schema.audit import Audit
from schema.context import Info
from schema.errors import FieldError, field_errors
from schema.ids import decode_id
from schema.pagination import query_error
from schema.trace.types import Batch, visible_batch
from services.common.errors import DomainError
from services.labels import runs, scans
from services.labels.scans import SerialStats
from services.labels.templates import Template, all_templates, find_template

strawberry.enum(
    TemplateKind, name="LabelTemplateKind", description="sheet: A4 label sheets; roll: thermal rolls."
)


@strawberry.type(description="A label layout: page size, grid, label size, margins and gaps in millimetres.")
class LabelTemplate:
    code: str
    kind: TemplateKind
    page_width_mm: float
    page_height_mm: float
    rows: int
    columns: int
    label_width_mm: float
    label_height_mm: float
    margin_top_mm: float
    margin_left_mm: float
    column_gap_mm: float
    row_gap_mm: float
    builtin: bool
    name_vi: strawberry.Private[str]
    name_en: strawberry.Private[str]

    @strawberry.field(description="In the caller's language.")
    def name(self, info: Info) -> str:
        return self.name_en if info.context.language == "en" else self.name_vi

    @strawberry.field(description="Labels on one sheet (1 for a roll).")
    def labels_per_sheet(self) -> int:
        return self.rows * self.columns

    @strawberry.field(
        description="A PDF with each label's outline, to check a printer's alignment and scale."
    )
    def calibration_url(self, info: Info) -> str:
        return f"{info.context.base_url}/labels/templates/{self.code}/calibration.pdf"

    @classmethod
    def of(cls, t: Template) -> Self:
        return cls(
            code=t.code,
            kind=t.kind,
            page_width_mm=t.page_width_mm,
            page_height_mm=t.page_height_mm,
            rows=t.rows,
            columns=t.columns,
            label_width_mm=t.label_width_mm,
            label_height_mm=t.label_height_mm,
            margin_top_mm=t.margin_top_mm,
            margin_left_mm=t.margin_left_mm,
            column_gap_mm=t.column_gap_mm,
            row_gap_mm=t.row_gap_mm,
            builtin=t.builtin,
            name_vi=t.name,
            name_en=t.name_en,
        )


@strawberry.type(description="One print job of labels for a lot. Download links are signed and last a week.")
class LabelRun(relay.Node):
    id: relay.NodeID[int]
    template_code: str
    count: int
    serialized: bool
    first_serial: str | None = strawberry.field(description="GS1 AI 21 of the first label (serialised runs).")
    last_serial: str | None
    start_slot: int
    language: str
    print_date: dt.date
    created_at: dt.datetime
    checksums: JSON = strawberry.field(description="sha256 of each output produced so far, by format.")
    batch_id: strawberry.Private[int]
    model: strawberry.Private[LabelRunModel]

    @classmethod
    def from_model(cls, r: LabelRunModel) -> Self:
        first = r.first_serial
        return cls(
            id=r.id,
            template_code=r.template_code,
            count=r.count,
            serialized=r.serialized,
            first_serial=None if first is None else str(first),
            last_serial=None if first is None else str(first + r.count - 1),
            start_slot=r.start_slot,
            language=r.language,
            print_date=r.print_date,
            created_at=r.created_at,
            checksums=cast(JSON, r.checksums),
            batch_id=r.batch_id,
            model=r,
        )

    @strawberry.field
    async def batch(self, info: Info) -> Batch | None:
        return await visible_batch(info, self.batch_id)

    @strawberry.field
    async def template(self) -> LabelTemplate | None:
        t = await find_template(self.template_code)
        return LabelTemplate.of(t) if t else None

    def _url(self, info: Info, fmt: str) -> str:
        return runs.download_url(info.context.base_url, self.id, fmt)

    @strawberry.field(description="The labels as a PDF, to print at 100% scale.")
    def pdf_url(self, info: Info) -> str:
        return self._url(info, "pdf")

    async def _thermal_url(self, info: Info, kind: str, dpi: int) -> str | None:
        fmt = f"{kind}-{300 if dpi >= 300 else 203}"
        if runs.format_problem(await runs.job_of(self.model), fmt):
            return None
        return self._url(info, fmt)

    @strawberry.field(
        description="ZPL for Zebra-compatible thermal printers at 203 or 300 dpi; null when the label is too "
        "small for the code at that resolution (whole dots per module)."
    )
    async def zpl_url(self, info: Info, dpi: int = 203) -> str | None:
        return await self._thermal_url(info, "zpl", dpi)

    @strawberry.field(description="TSPL for TSC/Xprinter thermal printers at 203 or 300 dpi; null as zplUrl.")
    async def tspl_url(self, info: Info, dpi: int = 203) -> str | None:
        return await self._thermal_url(info, "tspl", dpi)

    @strawberry.field(description="The first label's QR code as vector art (SVG) for designers.")
    def qr_svg_url(self, info: Info) -> str:
        return self._url(info, "qr-svg")

    @strawberry.field(description="The first label's QR code as a 1-bit PNG, 8 pixels per module.")
    def qr_png_url(self, info: Info) -> str:
        return self._url(info, "qr-png")

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        ids = [int(i) for i in node_ids]
        found = await runs.runs_by_ids(set(ids), info.context.reach)
        return [cls.from_model(found[i]) if i in found else None for i in ids]


@strawberry.type(description="How often one serialised label was scanned, and whether it looks copied.")
class SerialScanStats:
    serial: str
    scans: int
    first_scan_at: dt.datetime
    last_scan_at: dt.datetime
    recent_scans: int = strawberry.field(description="Scans in the last 24 hours.")
    recent_networks: int = strawberry.field(description="Distinct networks it was scanned from in 24 hours.")
    recent_regions: int
    flagged: bool = strawberry.field(
        description="Scanned from too many places in a short time: maybe copied."
    )
    reason: str | None

    @classmethod
    def of(cls, s: SerialStats) -> Self:
        return cls(
            serial=s.serial,
            scans=s.scans,
            first_scan_at=s.first_scan_at,
            last_scan_at=s.last_scan_at,
            recent_scans=s.recent_scans,
            recent_networks=s.recent_networks,
            recent_regions=s.recent_regions,
            flagged=s.flagged,
            reason=s.reason,
        )


@strawberry.input
class LabelRunInput:
    batch_id: relay.GlobalID
    template: str = strawberry.field(description="A label template code, see labelTemplates.")
    count: int
    serialized: bool = strawberry.field(
        default=False, description="One serial (GS1 AI 21) per label, to count scans and catch copies."
    )
    start_slot: int = strawberry.field(
        default=1, description="First slot to use on a part-used sheet (1-based)."
    )
    language: str | None = strawberry.field(default=None, description="vi or en; defaults to the caller's.")


@strawberry.input
class LabelTemplateInput:
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
    producer_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The producer that owns it; central admins may add shared ones without."
    )


@strawberry.type
class LabelRunPayload:
    label_run: LabelRun | None
    errors: list[FieldError]


@strawberry.type
class LabelTemplatePayload:
    label_template: LabelTemplate | None
    errors: list[FieldError]


@strawberry.type
class LabelQuery:
    @strawberry.field(
        description="Label templates: the built-in sheets and rolls, then those organisations added."
    )
    async def label_templates(self) -> list[LabelTemplate]:
        return [LabelTemplate.of(t) for t in await all_templates()]

    @strawberry.field(description="Label runs of a lot you manage, newest first.")
    async def label_runs(self, info: Info, batch_id: relay.GlobalID) -> list[LabelRun]:
        try:
            found = await runs.runs_of_batch(decode_id(batch_id, "Batch", "batchId"), info.context.reach)
        except DomainError as exc:
            raise query_error(exc, info.context.language) from exc
        return [LabelRun.from_model(r) for r in found]

    @strawberry.field(description="Scan figures of the serialised labels of a lot you manage.")
    async def serial_scans(
        self, info: Info, batch_id: relay.GlobalID, flagged_only: bool = False, first: int = 100
    ) -> list[SerialScanStats]:
        try:
            batch = await runs.managed_batch(decode_id(batch_id, "Batch", "batchId"), info.context.reach)
        except DomainError as exc:
            raise query_error(exc, info.context.language) from exc
        if batch is None:
            return []
        stats = await scans.serial_stats(batch.id)
        if flagged_only:
            stats = [s for s in stats if s.flagged]
        return [SerialScanStats.of(s) for s in stats[: max(0, min(first, 1000))]]


@strawberry.type
class LabelMutation:
    @strawberry.mutation(
        description="Print labels for one of your lots: returns the run with its PDF, ZPL and TSPL links.",
        extensions=[Audit()],
    )
    async def create_label_run(self, info: Info, input: LabelRunInput) -> LabelRunPayload:
        ctx = info.context
        try:
            data = runs.LabelRunData(
                batch_id=decode_id(input.batch_id, "Batch", "batchId"),
                template=input.template,
                count=input.count,
                serialized=input.serialized,
                start_slot=input.start_slot,
                language=input.language or ctx.language,
            )
            run = await runs.create_label_run(
                data, ctx.reach, user_id=ctx.actor.user_id, base_url=ctx.base_url
            )
        except DomainError as exc:
            return LabelRunPayload(label_run=None, errors=field_errors(exc, ctx.language))
        return LabelRunPayload(label_run=LabelRun.from_model(run), errors=[])

    @strawberry.mutation(
        description="Add a label template (your own sheet or roll size).", extensions=[Audit()]
    )
    async def create_label_template(self, info: Info, input: LabelTemplateInput) -> LabelTemplatePayload:
        ctx = info.context
        try:
            producer_id = None
            if input.producer_id is not None:
                producer_id = decode_id(input.producer_id, "Producer", "producerId")
            template = await runs.create_template(
                runs.TemplateData(
                    code=input.code,
                    name=input.name,
                    kind=input.kind,
                    page_width_mm=input.page_width_mm,
                    page_height_mm=input.page_height_mm,
                    rows=input.rows,
                    columns=input.columns,
                    label_width_mm=input.label_width_mm,
                    label_height_mm=input.label_height_mm,
                    margin_top_mm=input.margin_top_mm,
                    margin_left_mm=input.margin_left_mm,
                    column_gap_mm=input.column_gap_mm,
                    row_gap_mm=input.row_gap_mm,
                    producer_id=producer_id,
                ),
                ctx.reach,
            )
        except DomainError as exc:
            return LabelTemplatePayload(label_template=None, errors=field_errors(exc, ctx.language))
        return LabelTemplatePayload(label_template=LabelTemplate.of(template), errors=[])
