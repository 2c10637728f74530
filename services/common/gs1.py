"""GS1 identification keys: check digits, GTIN normalisation to GTIN-14, GLN."""

from __future__ import annotations

from stdnum import ean
from stdnum.exceptions import InvalidChecksum, ValidationError

VIETNAM_PREFIX = "893"


class GS1KeyError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def check_digit(data_digits: str) -> str:
    """Check digit of a GS1 key (GTIN, GLN, SSCC): weights 3,1,3,... from the rightmost data digit."""
    return str(ean.calc_check_digit(data_digits))


def normalize_gtin(value: str) -> str:
    """A GTIN-8, -12, -13 or -14 as a GTIN-14 (left-padded with zeros), check digit verified."""
    digits = "".join(value.split())
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise GS1KeyError("invalid", "A GTIN has 8, 12, 13 or 14 digits")
    try:
        ean.validate(digits)
    except InvalidChecksum as exc:
        raise GS1KeyError(
            "invalid_check_digit", f"Wrong check digit, expected {check_digit(digits[:-1])}"
        ) from exc
    except ValidationError as exc:
        raise GS1KeyError("invalid", str(exc)) from exc
    return digits.zfill(14)


def validate_gln(value: str) -> str:
    digits = "".join(value.split())
    if not digits.isdigit() or len(digits) != 13:
        raise GS1KeyError("invalid", "A GLN has 13 digits")
    if check_digit(digits[:-1]) != digits[-1]:
        raise GS1KeyError("invalid_check_digit", f"Wrong check digit, expected {check_digit(digits[:-1])}")
    return digits
