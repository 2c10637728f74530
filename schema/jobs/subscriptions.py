"""`jobProgress`: a job's status and progress as its worker reports them, on any replica."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import decode_id
from schema.jobs.types import Job
from schema.live import stream
from services.jobs import queue as jobs


@strawberry.type
class JobSubscription:
    @strawberry.subscription(
        description="A background job (e.g. a catalog render) now, then each time its status or progress "
        "changes (about once a second while it runs), until it has succeeded or failed; then the "
        "subscription completes. For whoever may read the job (`node(id)`); NOT_FOUND otherwise."
    )
    async def job_progress(
        self,
        info: Info,
        id: Annotated[
            relay.GlobalID,
            strawberry.argument(description="The job's global ID, as generateCatalog answered it."),
        ],
    ) -> AsyncGenerator[Job]:
        moves = await jobs.watch(decode_id(id, "Job", "id"), info.context.reach)
        return stream(info, moves, Job.from_model)
