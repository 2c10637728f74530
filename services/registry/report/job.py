"""The programme report as a job kind (`programme_report`) of the generic queue (services/jobs/queue.py),
registered here: `prepare` computes the figures in the server (services/registry/report/figures.py, the
same as GraphQL's `programmeFigures`); `render` draws the charts and the PDF in the job's child process
(services/registry/report/render.py, imported only there).

Who orders a report and reads its job: a province's officers for their province, central admins for any
scope (services/policy/registry.py `may_follow_programme`)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib
import importlib.metadata
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from models import Job
from services.common import clock, paths, sandbox
from services.common.errors import Problems
from services.jobs import queue as jobs
from services.jobs.errors import JobErrorCode
from services.policy import Reach
from services.policy.registry import deny, may_follow_programme
from services.registry.report import figures as report_figures

PROGRAMME_REPORT = "programme_report"


class ReportLanguage(StrEnum):
    """The language of a printed programme report."""

    VI = "vi"
    EN = "en"
    BILINGUAL = "bilingual"  # Vietnamese first, English beside it


LANGUAGES = tuple(language.value for language in ReportLanguage)
PACKAGE = "services.registry.report"


async def _prepare(params: Mapping[str, Any]) -> Any:
    scope = await report_figures.resolve_scope(str(params["scope"]), str(params.get("code") or ""))
    today = clock.today()
    found = await report_figures.figures(
        scope, dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"]), today
    )
    return report_figures.ReportData(found, str(params["language"]), today)


def render_programme_report(data: Any, progress: sandbox.Progress | None) -> bytes:
    """The render step, in the child process (matplotlib and WeasyPrint are imported there only)."""
    render = importlib.import_module(f"{PACKAGE}.render")
    body: bytes = render.render_report(data, progress)
    return body


@functools.cache
def report_version() -> str:
    """The renderer's identity: WeasyPrint's and matplotlib's versions and a digest of the report's code
    and templates, so that a changed renderer never serves a file of the previous one."""
    digest = hashlib.sha256()
    for base in (paths.ROOT / PACKAGE.replace(".", "/"), paths.TEMPLATES / "report"):
        for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    versions = []
    for package in ("weasyprint", "matplotlib"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - dependencies of the project
            versions.append(f"{package} ?")
    return f"{'; '.join(versions)}; renderer {digest.hexdigest()[:16]}"


def _file_name(params: Mapping[str, Any]) -> str:
    where = params["scope"] if not params.get("code") else f"{params['scope']}-{params['code']}"
    return f"ocop-report-{where}-{params['start']}-{params['end']}-{params['language']}.pdf".lower()


async def _officers_read(job: Job, reach: Reach) -> bool:
    try:
        scope = await report_figures.resolve_scope(
            str(job.params["scope"]), str(job.params.get("code") or "")
        )
    except (KeyError, ValueError):
        return False
    return may_follow_programme(reach, await report_figures.scope_unit_ids(scope))


KIND = jobs.register(
    jobs.JobKind(
        name=PROGRAMME_REPORT,
        prepare=_prepare,
        render=render_programme_report,
        version=report_version,
        file_name=_file_name,
        timeout_s=300.0,
        memory_mb=1024,
        readable_by=_officers_read,
    )
)


async def start_programme_report(
    reach: Reach,
    scope_kind: report_figures.ScopeKind | str,
    code: str | None,
    start: dt.date,
    end: dt.date,
    language: str,
    *,
    user_id: int | None,
) -> Job:
    """The job rendering a programme report; the same figures and language give the same job (already
    succeeded when that report was made before)."""
    scope = await report_figures.resolve_scope(scope_kind, code)
    if not may_follow_programme(reach, await report_figures.scope_unit_ids(scope)):
        raise deny(reach, "scope")
    report_figures.check_period(start, end)
    problems = Problems()
    if language not in LANGUAGES:
        problems.add(
            "language",
            JobErrorCode.INVALID,
            "Ngôn ngữ: vi, en hoặc bilingual (song ngữ).",
            "Language: vi, en or bilingual.",
        )
    problems.raise_if_any()
    params = {
        "scope": str(scope.kind),
        "code": scope.code,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "language": language,
    }
    return await jobs.submit(PROGRAMME_REPORT, params, user_id=user_id)
