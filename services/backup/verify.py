"""What `server.py verify` checks after a restore (or at any time): every lot's stored history against its
hashes (the hash chain of services/trace/integrity.py, the check the public trace page shows), every
`stored_file` row's file (and thumbnail) present, and every stored file's bytes against its
content-addressed name and, given one, a backup's manifest."""

from __future__ import annotations

from dataclasses import dataclass, field

from models import Batch, StoredFile
from services.backup import files
from services.common import settings
from services.packaging import uploads
from services.trace.integrity import integrity

# Per lot: a restore check has time (the public page's default of 3 s would call a huge lot "unverified").
LOT_TIMEOUT_S = 600.0


@dataclass(frozen=True, slots=True)
class LotProblem:
    batch_id: int
    lot_code: str
    status: str  # "broken" or "unverified"
    reason: str | None
    broken_event_id: int | None


@dataclass(slots=True)
class Report:
    lots_checked: int = 0
    events_checked: int = 0
    files_checked: int = 0
    lot_problems: list[LotProblem] = field(default_factory=list)
    file_problems: list[files.FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.lot_problems and not self.file_problems

    def lines(self) -> list[str]:
        out = [
            f"lots: {self.lots_checked} checked ({self.events_checked} events), {len(self.lot_problems)} broken",
            f"files: {self.files_checked} checked, {len(self.file_problems)} problems",
        ]
        for lot in self.lot_problems:
            at = f" at event {lot.broken_event_id}" if lot.broken_event_id else ""
            out.append(f"lot {lot.batch_id} ({lot.lot_code}): {lot.status} {lot.reason or ''}{at}".rstrip())
        for problem in self.file_problems:
            out.append(f"file {problem.name}: {problem.problem}: {problem.detail}")
        return out


def stored_file_name(row: StoredFile) -> str:
    """A `stored_file` row's name under the media directory."""
    return uploads.path_of(row).relative_to(files.media_root()).as_posix()


async def check_lots(report: Report, base_url: str) -> None:
    with settings.overridden(integrity_timeout_s=LOT_TIMEOUT_S):
        for batch_id, lot_code in await Batch.all().order_by("id").values_list("id", "lot_code"):
            result = await integrity(batch_id, base_url)
            report.lots_checked += 1
            report.events_checked += result.events_checked
            if not result.valid:
                report.lot_problems.append(
                    LotProblem(
                        batch_id,
                        str(lot_code),
                        str(result.status),
                        str(result.reason) if result.reason else None,
                        result.broken_at.id if result.broken_at else None,
                    )
                )


async def check_stored_rows(report: Report) -> None:
    """Every `stored_file` row names a file (and thumbnail) that is stored: a restore with the database but
    not the files shows here."""
    for row in await StoredFile.all().order_by("id"):
        names = [stored_file_name(row)]
        thumbnail = uploads.thumbnail_path(row)
        if thumbnail is not None:
            names.append(thumbnail.relative_to(files.media_root()).as_posix())
        for name in names:
            if not await files.is_stored(name):
                report.file_problems.append(
                    files.FileProblem(name, "missing", f"stored_file {row.id} names it")
                )


async def verify(base_url: str, manifest: dict[str, object] | None = None) -> Report:
    """Every lot, every stored file; `manifest` (a backup's) adds its recorded checksums and names."""
    report = Report()
    await check_lots(report, base_url)
    await check_stored_rows(report)
    recorded = manifest.get("files") if manifest else None
    checked, problems = await files.check(recorded)  # type: ignore[arg-type]
    report.files_checked = checked
    report.file_problems += problems
    return report
