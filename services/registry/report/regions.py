"""The six socio-economic regions of Viet Nam (vùng kinh tế - xã hội, Nghị quyết 81/2023/QH15), as the
legacy (before 2025-07-01) GSO codes of their provinces. Data, not a rule: a region's scope is the union of
its provinces' scopes (services.registry.search.province_scope), which follows each province across the
2025 reform. Some merged provinces of 2025 straddle two regions (e.g. Lâm Đồng with Bình Thuận): a region
keeps its legacy provinces, so such a producer counts in the region of its legacy province."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    name_en: str
    provinces: tuple[str, ...]


REGIONS: tuple[Region, ...] = (
    Region(
        "TDMNPB",
        "Trung du và miền núi phía Bắc",
        "Northern Midlands and Mountains",
        ("02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "24", "25"),
    ),
    Region(
        "DBSH",
        "Đồng bằng sông Hồng",
        "Red River Delta",
        ("01", "22", "26", "27", "30", "31", "33", "34", "35", "36", "37"),
    ),
    Region(
        "BTBDHMT",
        "Bắc Trung Bộ và duyên hải miền Trung",
        "North Central and Central Coast",
        ("38", "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56", "58", "60"),
    ),
    Region("TN", "Tây Nguyên", "Central Highlands", ("62", "64", "66", "67", "68")),
    Region("DNB", "Đông Nam Bộ", "Southeast", ("70", "72", "74", "75", "77", "79")),
    Region(
        "DBSCL",
        "Đồng bằng sông Cửu Long",
        "Mekong Delta",
        ("80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"),
    ),
)

BY_CODE = {region.code: region for region in REGIONS}

# The 2019 pilot plan's 12 provinces (legacy codes), in the order of the seed article.
PILOT_PROVINCES = ("02", "01", "22", "14", "34", "38", "42", "46", "49", "68", "87", "83")
