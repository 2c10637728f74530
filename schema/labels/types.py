"""GraphQL types of QR traceability labels: templates, label runs with their download links, and scan figures
of serials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Self

import strawberry
from strawberry import relay

from models import LabelRun as LabelRunModel
from models import TemplateKind
from schema.context import Info
from schema.enums import ErrorCorrection, Language, describe_enum
from schema.ids import nodes_by_ids
from schema.mapping import from_row
from schema.trace.types import Batch, visible_batch
from services.labels import design_qr, runs
from services.labels.errors import LabelWarningCode
from services.labels.scans import SerialStats
from services.labels.templates import Template, find_template

describe_enum(
    TemplateKind,
    name="LabelTemplateKind",
    description="sheet: A4 label sheets; roll: thermal rolls.",
    values={"SHEET": "A4 label sheets for office printers.", "ROLL": "Rolls for thermal label printers."},
)


describe_enum(
    LabelWarningCode,
    description="LOT_EXPIRED: the lot is past its expiry date (printed because confirmExpired was given); "
    "LOT_EXPIRES_SOON: it expires within the configured days (OCOP_LABEL_EXPIRY_WARNING_DAYS, 30 by default).",
    values={
        "LOT_EXPIRED": "The lot is past its expiry date (printed because confirmExpired was true).",
        "LOT_EXPIRES_SOON": "The lot expires within the warning period (30 days by default).",
    },
)


DPI = "The printer's resolution in dots per inch: 203 or 300 (a value of 300 or more means 300)."


@strawberry.type(
    description="Labels were printed, but the producer should know this (in the request's language)."
)
class LabelWarning:
    code: LabelWarningCode = strawberry.field(description="What to know.")
    message: str = strawberry.field(description="The same in words, in the request's language.")
    expires_on: dt.date = strawberry.field(description="The lot's expiry date.")

    @classmethod
    def of(cls, warning: runs.LabelWarning, language: str) -> Self:
        return cls(code=warning.code, message=warning.text(language), expires_on=warning.expires_on)


@strawberry.type(description="A label layout: page size, grid, label size, margins and gaps in millimetres.")
class LabelTemplate:
    code: str = strawberry.field(description="Stable code, e.g. L7160 (A4, 21 labels) or a roll size.")
    kind: TemplateKind = strawberry.field(description="A sheet or a roll.")
    page_width_mm: float = strawberry.field(description="Width of the sheet (or the roll), in millimetres.")
    page_height_mm: float = strawberry.field(
        description="Height of the sheet (or one label of a roll), in millimetres."
    )
    rows: int = strawberry.field(description="Rows of labels on a sheet.")
    columns: int = strawberry.field(description="Columns of labels on a sheet.")
    label_width_mm: float = strawberry.field(description="Width of one label, in millimetres.")
    label_height_mm: float = strawberry.field(description="Height of one label, in millimetres.")
    margin_top_mm: float = strawberry.field(
        description="Distance from the page's top edge to the first row, in millimetres."
    )
    margin_left_mm: float = strawberry.field(
        description="Distance from the page's left edge to the first column, in millimetres."
    )
    column_gap_mm: float = strawberry.field(description="Gap between two columns, in millimetres.")
    row_gap_mm: float = strawberry.field(description="Gap between two rows, in millimetres.")
    builtin: bool = strawberry.field(description="True for the templates that come with ocop-hub.")
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
        return from_row(cls, t, name_vi=t.name)


describe_enum(
    runs.OutputFormat,
    name="LabelOutputFormat",
    description="A download of a label run: PDF, ZPL or TSPL at 203 or 300 dpi, the first label's QR code as "
    "SVG or PNG.",
    values={
        "PDF": "The PDF to print on sheets or rolls.",
        "ZPL_203": "ZPL for a 203 dpi thermal printer.",
        "ZPL_300": "ZPL for a 300 dpi thermal printer.",
        "TSPL_203": "TSPL for a 203 dpi thermal printer.",
        "TSPL_300": "TSPL for a 300 dpi thermal printer.",
        "QR_SVG": "The first label's QR code as SVG.",
        "QR_PNG": "The first label's QR code as PNG.",
    },
)


@strawberry.type(description="The sha256 of one output of a label run.")
class LabelOutputChecksum:
    format: runs.OutputFormat = strawberry.field(description="The output.")
    sha256: str = strawberry.field(
        description="SHA-256 of the file, hex: the same run always gives the same file."
    )


@strawberry.type(description="One print job of labels for a lot. Download links are signed and last a week.")
class LabelRun(relay.Node):
    id: relay.NodeID[int]
    template_code: str = strawberry.field(description="Code of the label template it was printed on.")
    count: int = strawberry.field(description="Number of labels.")
    serialized: bool = strawberry.field(description="Whether each label has its own serial (GS1 AI 21).")
    first_serial: str | None = strawberry.field(
        description="GS1 AI 21 of the first label (serialised runs). Null for a run without serial numbers."
    )
    last_serial: str | None = strawberry.field(
        description="GS1 AI 21 of the last label (serialised runs). Null for a run without serial numbers."
    )
    start_slot: int = strawberry.field(description="First slot used on a part-used sheet (1-based).")
    language: Language = strawberry.field(description="The language printed on the labels.")
    print_date: dt.date = strawberry.field(description="The day it was printed.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    checksums: list[LabelOutputChecksum] = strawberry.field(
        description="sha256 of each output produced so far (in the order of LabelOutputFormat); a later "
        "download of that format is the same bytes."
    )
    batch_id: strawberry.Private[int]
    model: strawberry.Private[LabelRunModel]

    @classmethod
    def from_model(cls, r: LabelRunModel) -> Self:
        first = r.first_serial
        return from_row(
            cls,
            r,
            first_serial=None if first is None else str(first),
            last_serial=None if first is None else str(first + r.count - 1),
            checksums=[
                LabelOutputChecksum(format=f, sha256=r.checksums[f])
                for f in runs.OutputFormat
                if f in r.checksums
            ],
            model=r,
            language=Language(r.language),
        )

    @strawberry.field(
        description="The lot: runs are read by those who manage its producer, who see its lots."
    )
    async def batch(self, info: Info) -> Batch:
        batch = await visible_batch(info, self.batch_id)
        assert batch is not None  # a non-null foreign key, and may_manage_producer implies sees_batch
        return batch

    @strawberry.field(description="The template (null if it was deleted since).")
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
    async def zpl_url(
        self, info: Info, dpi: Annotated[int, strawberry.argument(description=DPI)] = 203
    ) -> str | None:
        return await self._thermal_url(info, "zpl", dpi)

    @strawberry.field(
        description="TSPL for TSC/Xprinter thermal printers at 203 or 300 dpi; null when zplUrl is."
    )
    async def tspl_url(
        self, info: Info, dpi: Annotated[int, strawberry.argument(description=DPI)] = 203
    ) -> str | None:
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
        return await nodes_by_ids(
            node_ids, lambda ids: runs.runs_by_ids(set(ids), info.context.reach), cls.from_model
        )


@strawberry.type(description="How often one serialised label was scanned, and whether it looks copied.")
class SerialScanStats:
    serial: str = strawberry.field(description="The label's serial (GS1 AI 21).")
    scans: int = strawberry.field(description="Times it was scanned, ever.")
    first_scan_at: dt.datetime = strawberry.field(description="First scan.")
    last_scan_at: dt.datetime = strawberry.field(description="Latest scan.")
    recent_scans: int = strawberry.field(description="Scans in the last 24 hours.")
    recent_networks: int = strawberry.field(description="Distinct networks it was scanned from in 24 hours.")
    recent_regions: int = strawberry.field(
        description="Distinct regions (from the proxy's region header) it was scanned from in 24 hours."
    )
    flagged: bool = strawberry.field(
        description="Scanned from too many places in a short time: maybe copied."
    )
    reason: str | None = strawberry.field(
        description="Why it is flagged, in words. Null when the serial is not flagged."
    )

    @classmethod
    def of(cls, s: SerialStats) -> Self:
        return from_row(cls, s)


@strawberry.type(
    description="A lot's QR code for packaging artwork and previews: error correction H, an optional logo in "
    "the centre. Links are signed and last a week."
)
class DesignQr:
    link: str = strawberry.field(description="The lot's GS1 Digital Link the code holds.")
    error_correction: ErrorCorrection = strawberry.field(
        description="H: 30 % of the code may be covered or worn."
    )
    source: strawberry.Private[design_qr.DesignSource]

    @strawberry.field(description="Vector art (SVG), 0.5 mm per module, quiet zone included.")
    def svg_url(self, info: Info) -> str:
        return design_qr.download_url(info.context.base_url, self.source, "svg")

    @strawberry.field(description="PNG, 10 pixels per module at 300 dpi, quiet zone included.")
    def png_url(self, info: Info) -> str:
        return design_qr.download_url(info.context.base_url, self.source, "png")

    @classmethod
    def of(cls, source: design_qr.DesignSource) -> Self:
        return cls(link=source.link, error_correction=ErrorCorrection.H, source=source)
