"""Root query fields of labels: templates, a lot's label runs and the scan figures of its serials."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import decode_id
from schema.labels.types import LabelRun, LabelTemplate, SerialScanStats
from services.labels import runs, scans
from services.labels.templates import all_templates


@strawberry.type
class LabelQuery:
    @strawberry.field(
        description="Label templates: the built-in sheets and rolls, then those organisations added."
    )
    async def label_templates(self) -> list[LabelTemplate]:
        return [LabelTemplate.of(t) for t in await all_templates()]

    @strawberry.field(description="Label runs of a lot you manage, newest first.")
    async def label_runs(self, info: Info, batch_id: relay.GlobalID) -> list[LabelRun]:
        found = await runs.runs_of_batch(decode_id(batch_id, "Batch", "batchId"), info.context.reach)
        return [LabelRun.from_model(r) for r in found]

    @strawberry.field(description="Scan figures of the serialised labels of a lot you manage.")
    async def serial_scans(
        self, info: Info, batch_id: relay.GlobalID, flagged_only: bool = False, first: int = 100
    ) -> list[SerialScanStats]:
        batch = await runs.managed_batch(decode_id(batch_id, "Batch", "batchId"), info.context.reach)
        if batch is None:
            return []
        stats = await scans.serial_stats(batch.id)
        if flagged_only:
            stats = [s for s in stats if s.flagged]
        return [SerialScanStats.of(s) for s in stats[: max(0, min(first, 1000))]]
