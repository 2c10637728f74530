"""Printed identities of batches: a GS1 Digital Link for products with a GTIN, and a short documented
non-GS1 path for products without one (most household producers). Both never change once printed."""

from __future__ import annotations

import re
from urllib.parse import quote

# GS1 character set 82 (GS1 General Specifications 7.11, figure 7.11-1): what AI 10 (lot) and 21 (serial)
# may contain, 1 to 20 characters.
_SET_82 = re.compile(r"""^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$""")
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def is_lot_code(value: str) -> bool:
    return bool(_SET_82.match(value))


def product_code(product_id: int) -> str:
    """The short code of a product without a GTIN, derived from its id (never reused): base 36, so that
    product 12345 is '9IX'. Printed in `/p/{code}/10/{lot}`."""
    if product_id <= 0:
        raise ValueError(product_id)
    digits = ""
    n = product_id
    while n:
        n, r = divmod(n, 36)
        digits = _BASE36[r] + digits
    return digits


def product_id_of(code: str) -> int | None:
    try:
        return int(code, 36) if code and code.isalnum() else None
    except ValueError:
        return None


def product_page_url(base_url: str, product_id: int) -> str:
    """The public product page, `{base}/products/{code}` (the resolver's gs1:pip target)."""
    return f"{base_url.rstrip('/')}/products/{product_code(product_id)}"


def trace_page_url(base_url: str, product_id: int, lot_code: str) -> str:
    """The public trace page of a lot, `{base}/t/{code}/{lot}` (the resolver's gs1:traceability target), the
    lot percent-encoded."""
    return f"{base_url.rstrip('/')}/t/{product_code(product_id)}/{quote(lot_code, safe='')}"


def batch_link(
    base_url: str, *, product_id: int, gtin: str | None, lot_code: str, serial: str | None = None
) -> str:
    """`{base}/01/{gtin14}/10/{lot}[/21/{serial}]` with a GTIN, `{base}/p/{code}/10/{lot}[/21/{serial}]`
    without; lot and serial percent-encoded as the Digital Link standard requires."""
    key = f"/01/{gtin}" if gtin else f"/p/{product_code(product_id)}"
    path = f"{key}/10/{quote(lot_code, safe='')}"
    if serial is not None:
        path += f"/21/{quote(serial, safe='')}"
    return base_url.rstrip("/") + path
