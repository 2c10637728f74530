"""WeasyPrint, imported once for the package.

Without the system's HarfBuzz-Subset library (Debian: libharfbuzz-subset0), WeasyPrint warns at import
that a future version will require it (a DeprecationWarning, an error under `filterwarnings = error`) and
logs the same at every PDF it writes, subsetting fonts with fontTools instead (slower, same result). Both
are about the machine, not the code: the import warning is silenced here and the log line kept to once
per process."""

from __future__ import annotations

import logging
import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    from weasyprint import HTML, Document
    from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["HTML", "Document", "URLFetcher", "URLFetcherResponse"]


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
