"""The `producer_export` job (services/jobs/queue.py): `prepare` reads the producer's data
(services/registry/portability/data.py) on the event loop and in threads, each label file as a local path
(services/backup/files.py `local_copy`); `render`, in the job's child process, writes the zip: the JSON
documents, the EPCIS document and the manifest, then the label files. Started by `exportMyData` (members of the producer and central admins) and by
`server.py export --producer ID`."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from models import Job, Producer
from services.common import clock
from services.common.errors import DomainError, FieldProblem
from services.jobs import queue as jobs
from services.policy import Reach
from services.policy.registry import deny, may_export_producer
from services.registry.errors import RegistryErrorCode
from services.registry.portability import data

EXPORT = "producer_export"


async def _prepare(params: Mapping[str, Any]) -> data.ExportData:
    return await data.read(int(params["producer_id"]), str(params["base_url"]))


def render(export: data.ExportData, progress: Any = None) -> bytes:
    """The zip, in the job's child process (deflated JSON; label files stored as they are: PDFs and PNGs
    are compressed already)."""
    out = io.BytesIO()
    documents = data.assemble(export, clock.now())
    total = len(documents) + len(export.files)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, (name, body) in enumerate(documents, 1):
            archive.writestr(name, body)
            if progress is not None:
                progress(int(100 * done / total))
        for done, (name, _, local) in enumerate(export.files, len(documents) + 1):
            archive.write(local, name, compress_type=zipfile.ZIP_STORED)
            if progress is not None:
                progress(int(100 * done / total))
    return out.getvalue()


def file_name(params: Mapping[str, Any]) -> str:
    return f"ocop-producer-{params['producer_id']}-export.zip"


KIND = jobs.register(
    jobs.JobKind(
        name=EXPORT,
        prepare=_prepare,
        render=render,
        version=lambda: f"export {data.VERSION}",
        file_name=file_name,
        timeout_s=600.0,
        memory_mb=1024,
    )
)


def _no_producer(field: str) -> DomainError:
    return DomainError(
        [
            FieldProblem(
                field, RegistryErrorCode.NOT_FOUND, "Không có cơ sở sản xuất này.", "No such producer."
            )
        ]
    )


async def start_export(producer_id: int | None, reach: Reach, *, user_id: int | None, base_url: str) -> Job:
    """Queue the export of a producer's own data. `producer_id` None: the caller's producer, when its
    account is a member of exactly one. Members of the producer and central admins only: a province
    officer manages producers but the export is the producer's own (as is every job's result, it is
    readable by whoever asked and by central admins)."""
    if not reach.everything and not reach.actor.is_authenticated:
        raise deny(reach)
    if producer_id is None:
        mine = sorted(reach.actor.producer_ids())
        if len(mine) != 1:
            raise DomainError(
                [
                    FieldProblem(
                        "producerId",
                        RegistryErrorCode.REQUIRED,
                        "Hãy chọn cơ sở sản xuất cần xuất dữ liệu.",
                        "Name the producer whose data to export.",
                    )
                ]
            )
        producer_id = mine[0]
    producer = await Producer.get_or_none(id=producer_id)
    if producer is None:
        raise _no_producer("producerId") if reach.everything else deny(reach, "producerId")
    if not may_export_producer(reach, producer):
        raise deny(reach, "producerId")
    params = {"producer_id": producer.id, "base_url": base_url}
    return await jobs.submit(EXPORT, params, user_id=user_id)
