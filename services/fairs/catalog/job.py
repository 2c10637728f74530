"""The fair catalog as a job kind (`catalog`) of the generic queue (services/jobs/queue.py), registered
here, where the catalog lives: the queue imports this module when it first needs the kind (it looks for
`job.py` modules under services/), so it names no domain itself.

`prepare` reads a snapshot of the fair (services/fairs/catalog/data.py) in the server; `render` turns it
into a PDF with WeasyPrint in the job's child process (services/fairs/catalog/render.py, imported only
there, never in the server).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from models import Fair, Job, JobStatus
from services.common import paths, sandbox
from services.common.errors import DomainError, FieldProblem, Problems
from services.jobs import queue as jobs
from services.jobs.errors import JobErrorCode
from services.policy import SYSTEM, Reach
from services.policy.fairs import may_manage_fair, sees_exhibitors
from services.policy.registry import deny

CATALOG = "catalog"


class CatalogLanguage(StrEnum):
    VI = "vi"
    EN = "en"
    BILINGUAL = "bilingual"  # Vietnamese with English beside it


class CatalogPaper(StrEnum):
    A4 = "A4"
    A5 = "A5"


CATALOG_LANGUAGES = tuple(language.value for language in CatalogLanguage)
CATALOG_PAPERS = tuple(paper.value for paper in CatalogPaper)


# The renderer's package (services/registry/search.py is the registry's product search, hence another name).
CATALOG_PACKAGE = "services.fairs.catalog"


async def _prepare_catalog(params: Mapping[str, Any]) -> Any:
    data = importlib.import_module(f"{CATALOG_PACKAGE}.data")
    return await data.load_catalog(
        int(params["fair_id"]), str(params["language"]), str(params["paper"]), str(params["base_url"])
    )


def render_catalog(data: Any, progress: sandbox.Progress | None) -> bytes:
    """The catalog's render step, in the child process (WeasyPrint is imported there, never in the server)."""
    render = importlib.import_module(f"{CATALOG_PACKAGE}.render")
    body: bytes = render.render_catalog(data, progress)
    return body


@functools.cache
def catalog_version() -> str:
    """The renderer's identity: WeasyPrint's version and a digest of the catalog package's files (code,
    templates, styles), so that a changed renderer never serves a file of the previous one."""
    digest = hashlib.sha256()
    root = paths.ROOT
    for base in (root / CATALOG_PACKAGE.replace(".", "/"), paths.TEMPLATES / "catalog"):
        if base.is_dir():
            for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    try:
        weasyprint = importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a dependency of the project
        weasyprint = "?"
    return f"weasyprint {weasyprint}; renderer {digest.hexdigest()[:16]}"


def _catalog_file_name(params: Mapping[str, Any]) -> str:
    return f"catalog-{params['slug']}-{params['language']}-{params['paper']}.pdf"


async def _fair_managers_read(job: Job, reach: Reach) -> bool:
    fair_id = job.params.get("fair_id")
    if not isinstance(fair_id, int):
        return False
    fair = await Fair.get_or_none(id=fair_id)
    return fair is not None and may_manage_fair(reach, fair)


KIND = jobs.register(
    jobs.JobKind(
        name=CATALOG,
        prepare=_prepare_catalog,
        render=render_catalog,
        version=catalog_version,
        file_name=_catalog_file_name,
        timeout_s=600.0,
        memory_mb=2048,
        readable_by=_fair_managers_read,
    )
)


def _catalog_problems(language: str, paper: str) -> None:
    problems = Problems()
    if language not in CATALOG_LANGUAGES:
        problems.add(
            "language",
            JobErrorCode.INVALID,
            "Ngôn ngữ: vi, en hoặc bilingual (song ngữ).",
            "Language: vi, en or bilingual.",
        )
    if paper not in CATALOG_PAPERS:
        problems.add("format", JobErrorCode.INVALID, "Khổ giấy: A4 hoặc A5.", "Paper format: A4 or A5.")
    problems.raise_if_any()


def _catalog_params(fair: Fair, language: str, paper: str, base_url: str) -> dict[str, Any]:
    return {"fair_id": fair.id, "slug": fair.slug, "language": language, "paper": paper, "base_url": base_url}


async def generate_catalog(
    fair_id: int, language: str, paper: str, reach: Reach, *, user_id: int | None, base_url: str
) -> Job:
    """The job rendering a fair's catalog: for its organisers and central admins (the public gets
    published catalogs through `public_catalog`). Reads the data now (to know whether the same catalog
    exists already); renders later, in a worker."""
    fair = await Fair.get_or_none(id=fair_id)
    if fair is None or not may_manage_fair(reach, fair):
        if reach.everything:
            raise DomainError(
                [FieldProblem("fairId", JobErrorCode.NOT_FOUND, "Không tìm thấy hội chợ.", "Fair not found.")]
            )
        raise deny(reach, "fairId")
    _catalog_problems(language, paper)
    return await jobs.submit(CATALOG, _catalog_params(fair, language, paper, base_url), user_id=user_id)


async def public_catalog(slug: str, language: str, paper: str, base_url: str) -> Job | None:
    """The job serving the catalog of a published fair's *current* data: succeeded (serve its file),
    queued or running (come back later), or failed (the last render of this data failed: an organiser must
    generate it again). None when there is no such fair or it is not public. The first request after a
    change of the data queues the render; there is one job per version of the data and language/paper."""
    fair = await Fair.get_or_none(slug=slug)
    if fair is None or not sees_exhibitors(Reach(), fair):
        return None
    _catalog_problems(language, paper)
    # The registered kind, looked up each time: tests stand in a cheap renderer under the same name.
    kind = jobs.KINDS[CATALOG]
    params = _catalog_params(fair, language, paper, base_url)
    digest = jobs.input_hash(kind, await kind.prepare(params))
    found = await jobs.reusable(CATALOG, digest)
    if found is not None:
        return found
    failed = (
        await Job.filter(kind=CATALOG, input_hash=digest, status=JobStatus.FAILED).order_by("-id").first()
    )
    if failed is not None:
        return failed
    return await jobs.enqueue(CATALOG, params, digest, None)


async def generate_catalog_for_slug(slug: str, language: str, paper: str, *, base_url: str) -> Job:
    """The command line's way in: as the system, by the fair's slug."""
    fair = await Fair.get_or_none(slug=slug)
    if fair is None:
        raise DomainError(
            [FieldProblem("fair", JobErrorCode.NOT_FOUND, "Không tìm thấy hội chợ.", f"No fair {slug!r}.")]
        )
    return await generate_catalog(fair.id, language, paper, SYSTEM, user_id=None, base_url=base_url)
