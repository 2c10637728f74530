"""Root query fields of labels: templates, a lot's label runs and the scan figures of its serials."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import decode_id
from schema.labels.types import DesignQr, LabelRun, LabelTemplate, SerialScanStats
from schema.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Page,
    deprecated_list,
    fetch_page,
    list_connection,
    page_of_list,
)
from services.labels import design_qr, runs, scans
from services.labels.templates import all_templates


@strawberry.type
class LabelQuery:
    @strawberry.field(
        description="Label templates: the built-in sheets and rolls, then those organisations added; all of "
        "them, unpaged.",
        deprecation_reason=deprecated_list("labelTemplatesConnection"),
    )
    async def label_templates(self) -> list[LabelTemplate]:
        return [LabelTemplate.of(t) for t in await all_templates()]

    @strawberry.field(
        description="Label templates (the sheet or roll sizes labels are printed on): the built-in ones, then "
        "those organisations added, a page at a time."
    )
    async def label_templates_connection(
        self, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[LabelTemplate]:
        return list_connection(await all_templates(), LabelTemplate.of, first, after, last, before)

    @strawberry.field(description="Label runs of a lot you manage, newest first; empty for anyone else.")
    async def label_runs(
        self,
        info: Info,
        batch_id: Annotated[relay.GlobalID, strawberry.argument(description="The lot (one you manage).")],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LabelRun]:
        query = await runs.runs_of_batch(decode_id(batch_id, "Batch", "batchId"), info.context.reach)
        if query is None:
            return Connection[LabelRun].of(page_of_list([], first, after, last, before), [])
        page: Page[Any] = await fetch_page(query, runs.RUN_ORDER, first, after, last, before)
        return Connection[LabelRun].of(page, [LabelRun.from_model(r) for r in page.rows], query)

    @strawberry.field(
        description="The QR code of a lot you manage, for packaging designers: SVG and PNG at error correction "
        "H, with a logo in the centre: your uploaded logo (a PNG or JPEG StoredFile of yours) if given, else "
        "the producer's logo from the registry (Producer.logoUrl, when it is one of our /media/ or /static/ "
        "files that reads as an image) unless producerLogo is false. Null when the lot or the logo is not "
        "yours to use."
    )
    async def design_qr(
        self,
        info: Info,
        batch_id: Annotated[
            relay.GlobalID,
            strawberry.argument(description="The lot whose Digital Link the code carries (one you manage)."),
        ],
        logo_file_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="A PNG or JPEG you uploaded (a StoredFile) to put in the centre."
            ),
        ] = None,
        producer_logo: Annotated[
            bool,
            strawberry.argument(
                description="Without logoFileId: put the producer's registry logo in the centre (true, "
                "the default) or make a plain code (false)."
            ),
        ] = True,
    ) -> DesignQr | None:
        logo = None if logo_file_id is None else decode_id(logo_file_id, "StoredFile", "logoFileId")
        source = await design_qr.design_source(
            decode_id(batch_id, "Batch", "batchId"),
            info.context.reach,
            base_url=info.context.base_url,
            logo_file_id=logo,
            producer_logo=producer_logo,
        )
        return None if source is None else DesignQr.of(source)

    @strawberry.field(
        description="Scan figures of the serialised labels of a lot you manage, most scanned first; empty for "
        "anyone else."
    )
    async def serial_scans(
        self,
        info: Info,
        batch_id: Annotated[relay.GlobalID, strawberry.argument(description="The lot (one you manage).")],
        flagged_only: Annotated[
            bool, strawberry.argument(description="Only labels that look copied.")
        ] = False,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many labels, most scanned first.")
        ] = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SerialScanStats]:
        batch = await runs.managed_batch(decode_id(batch_id, "Batch", "batchId"), info.context.reach)
        stats = [] if batch is None else await scans.serial_stats(batch.id)
        if flagged_only:
            stats = [s for s in stats if s.flagged]
        page = page_of_list(stats, first, after, last, before)
        return Connection[SerialScanStats].of(page, [SerialScanStats.of(s) for s in page.rows])
