"""The API's JobKind enum names every kind of job the services register, so `Job.kind` never meets a kind it
cannot answer."""

from __future__ import annotations

from schema.jobs.types import JobKind
from services.jobs import queue as jobs


def test_every_kind_registered_in_services_is_a_job_kind() -> None:
    jobs.discover()
    ours = {name for name, kind in jobs.KINDS.items() if kind.prepare.__module__.startswith("services.")}
    assert ours  # the catalog at least
    assert ours == {member.value for member in JobKind}
