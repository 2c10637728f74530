"""Label runs for the label tests, made as a script or the demo makes them: by the system, for no user."""

from __future__ import annotations

from models import LabelRun
from services.labels import runs
from services.labels.runs import LabelRunData
from services.policy import SYSTEM

BASE = "https://ocop.test"


async def system_run(data: LabelRunData) -> LabelRun:
    return await runs.create_label_run(data, SYSTEM, user_id=None, base_url=BASE)
