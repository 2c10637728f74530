"""The programme report's PDF, drawn by WeasyPrint in the job's child process (services/jobs/queue.py runs
`render_report` there, with the kind's time and memory limits): never on the server's loop.

Resources come only through the fair catalog's fetcher, limited to the font files: the report loads
nothing else (its charts are inline SVG)."""

from __future__ import annotations

import fontpkg_be_vietnam_pro

from services.common import sandbox
from services.fairs.catalog.fetcher import CatalogFetcher
from services.fairs.catalog.weasy import HTML
from services.registry.report.document import build_html
from services.registry.report.figures import ReportData


def render_report(data: ReportData, progress: sandbox.Progress | None = None) -> bytes:
    if progress is not None:
        progress(10)
    html = build_html(data)  # draws the charts
    if progress is not None:
        progress(40)
    fetcher = CatalogFetcher(roots=[fontpkg_be_vietnam_pro.ROOT / "files"])
    document = HTML(string=html, base_url="file:///report/", url_fetcher=fetcher).render()
    if progress is not None:
        progress(80)
    pdf: bytes = document.write_pdf()
    if progress is not None:
        progress(100)
    return pdf
