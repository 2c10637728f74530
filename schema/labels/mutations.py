"""Mutations of labels: print a label run for a lot, add a label template."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.audit import Audit, Refusals
from schema.context import Info
from schema.enums import Language
from schema.errors import ERRORS, INPUT, LabelError
from schema.ids import decode_id
from schema.labels.inputs import LABEL_RUN, LABEL_TEMPLATE, LabelRunInput, LabelTemplateInput
from schema.labels.types import LabelRun, LabelTemplate, LabelWarning
from services.labels import runs


@strawberry.type(description="The result of printing labels.")
class LabelRunPayload:
    label_run: LabelRun | None = strawberry.field(
        description="The run with its download links; null when refused."
    )
    errors: list[LabelError] = strawberry.field(description=ERRORS)
    warnings: list[LabelWarning] = strawberry.field(
        default_factory=list,
        description="Printed, but note: the lot is expired (confirmed) or expires soon.",
    )


@strawberry.type(description="The result of adding a label template.")
class LabelTemplatePayload:
    label_template: LabelTemplate | None = strawberry.field(
        description="The new template; null when refused."
    )
    errors: list[LabelError] = strawberry.field(description=ERRORS)


@strawberry.type
class LabelMutation:
    @strawberry.mutation(
        description="Print labels for one of your lots: returns the run with its PDF, ZPL and TSPL links, and "
        "warnings when the lot is expired or expires soon (an expired lot needs confirmExpired: true).",
        extensions=[Refusals(), Audit()],
    )
    async def create_label_run(
        self, info: Info, input: Annotated[LabelRunInput, strawberry.argument(description=INPUT)]
    ) -> LabelRunPayload:
        ctx = info.context
        batch_id = decode_id(input.batch_id, "Batch", "batchId")
        data = LABEL_RUN(input, batch_id=batch_id, language=(input.language or Language(ctx.language)).value)
        run = await runs.create_label_run(data, ctx.reach, user_id=ctx.actor.user_id, base_url=ctx.base_url)
        warnings = [LabelWarning.of(w, ctx.language) for w in runs.run_warnings(run)]
        return LabelRunPayload(label_run=LabelRun.from_model(run), errors=[], warnings=warnings)

    @strawberry.mutation(
        description="Add a label template (your own sheet or roll size).", extensions=[Refusals(), Audit()]
    )
    async def create_label_template(
        self, info: Info, input: Annotated[LabelTemplateInput, strawberry.argument(description=INPUT)]
    ) -> LabelTemplatePayload:
        ctx = info.context
        producer_id = None
        if input.producer_id is not None:
            producer_id = decode_id(input.producer_id, "Producer", "producerId")
        template = await runs.create_template(LABEL_TEMPLATE(input, producer_id=producer_id), ctx.reach)
        return LabelTemplatePayload(label_template=LabelTemplate.of(template), errors=[])
