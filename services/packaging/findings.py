"""What the label-law check reports: a finding (code, severity, field, message in Vietnamese and English).

services.packaging.compliance makes them; services.packaging.designs refuses approval on error findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Severity = Literal["error", "warning", "info"]


class FindingCode(StrEnum):
    MISSING_ITEM = "missing_item"
    TYPE_SIZE_MISSING = "type_size_missing"
    NAME_NOT_LARGEST = "name_not_largest"
    FOREIGN_TEXT_LARGER = "foreign_text_larger"
    ORIGIN_COUNTRY_MISSING = "origin_country_missing"
    ORIGIN_COUNTRY_ABBREVIATED = "origin_country_abbreviated"
    ORIGIN_COUNTRY_UNKNOWN = "origin_country_unknown"
    ORIGIN_WORDING = "origin_wording"
    OCOP_MARK_NO_CERTIFICATE = "ocop_mark_no_certificate"
    OCOP_MARK_CERTIFICATE_INVALID = "ocop_mark_certificate_invalid"
    OCOP_MARK_STARS_EXCEED = "ocop_mark_stars_exceed"
    OCOP_MARK_STARS_MISSING = "ocop_mark_stars_missing"
    OCOP_MARK_STARS_BELOW = "ocop_mark_stars_below"
    QR_TOO_SMALL = "qr_too_small"
    QR_SIZE_MISSING = "qr_size_missing"
    QR_LINK_MISSING = "qr_link_missing"
    QR_UNENCODABLE = "qr_unencodable"
    QR_MODULE_ABOVE_MAX = "qr_module_above_max"
    DATE_NOT_DMY = "date_not_dmy"
    DATE_FORMAT_UNRECOGNISED = "date_format_unrecognised"
    HEALTH_STATEMENT_MISSING = "health_supplement_statement_missing"
    ETHANOL_FORMAT = "ethanol_content_format"
    INVALID_DECLARATION = "invalid_declaration"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # a FindingCode value
    severity: Severity
    field: str  # path in the declared content: "qr.printed_size_mm", "other_languages[0].type_size_mm"
    message_vi: str
    message_en: str


def has_errors(findings: Sequence[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
