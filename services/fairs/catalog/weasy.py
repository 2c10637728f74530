"""WeasyPrint, imported once for the package.

Without the system's HarfBuzz-Subset library (Debian: libharfbuzz-subset0), WeasyPrint warns at import
that a future version will require it (a DeprecationWarning, an error under `filterwarnings = error`) and
logs the same at every PDF it writes, subsetting fonts with fontTools instead (slower, same result). Both
are about the machine, not the code: the import warning is silenced here and the log line kept to once
per process."""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    from weasyprint import HTML, Document
    from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["HTML", "Document", "URLFetcher", "URLFetcherResponse", "count_painted_pages", "progress"]

_STEP = re.compile(r"^Step (\d) - (?:Creating layout - Page (\d+))?")


class _ProgressHandler(logging.Handler):
    """WeasyPrint logs its steps on `weasyprint.progress` ("Step 5 - Creating layout - Page 12"): heard
    here as ("parse", step) for steps 1 to 4 and ("page", n) for each page laid out."""

    def __init__(self, callback: Callable[[str, int], None]) -> None:
        super().__init__(logging.INFO)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        try:
            match = _STEP.match(record.getMessage())
        except Exception:  # a message that does not format: not ours to report
            return
        if match is None:
            return
        step, page = int(match.group(1)), match.group(2)
        if page is not None:
            self.callback("page", int(page))
        elif step < 5:
            self.callback("parse", step)


@contextlib.contextmanager
def progress(callback: Callable[[str, int], None] | None) -> Iterator[None]:
    """Hear WeasyPrint's progress while the block runs (its progress lines reach no other handler)."""
    if callback is None:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler = _ProgressHandler(callback)
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def count_painted_pages(document: Any, callback: Callable[[int], None]) -> None:
    """Call `callback(n)` as WeasyPrint paints the n-th page of `document` into the PDF (it paints each
    page once, in order, through `Page.paint`)."""
    painted = 0
    for page in document.pages:
        paint = page.paint

        def counted(*args: Any, _paint: Any = paint, **kwargs: Any) -> Any:
            nonlocal painted
            result = _paint(*args, **kwargs)
            painted += 1
            callback(painted)
            return result

        page.paint = counted


class _OnceAboutHarfBuzz(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.said = False

    def filter(self, record: logging.LogRecord) -> bool:
        if "HarfBuzz-Subset" not in str(record.msg):
            return True
        said, self.said = self.said, True
        return not said


_weasyprint_log = logging.getLogger("weasyprint")
if not any(isinstance(f, _OnceAboutHarfBuzz) for f in _weasyprint_log.filters):
    _weasyprint_log.addFilter(_OnceAboutHarfBuzz())
