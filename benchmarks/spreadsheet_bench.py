"""Spreadsheet import and export memory benchmark (issue 19): a 20,000-row registry spreadsheet read as the
import job's child reads it (services/registry/spreadsheets/parse.py: openpyxl `read_only=True`, one row at
a time) and written as the export's child writes it (`write_only=True`), each in a fresh process so that
its peak memory (ru_maxrss) is its own. Compared in the same run with a child that only imports the same
modules (the floor) and with openpyxl's ordinary, whole-workbook load of the same file (the naive way).

Target: reading 20,000 rows costs at most 150 MB above the floor, and less than the naive load. Times
are printed for information only.

    .venv/bin/python benchmarks/spreadsheet_bench.py [--rows 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.child import in_child  # noqa: E402

TARGET_MB_OVER_FLOOR = 150.0


def _tax_codes(count: int) -> list[str]:
    """Distinct valid 10-digit tax codes (weights 31,29,23,19,17,13,7,5,3; a check digit of 10 is none)."""
    codes: list[str] = []
    number = 0
    while len(codes) < count:
        number += 1
        base = f"13{number:07d}"
        check = (
            10 - sum(int(d) * w for d, w in zip(base, (31, 29, 23, 19, 17, 13, 7, 5, 3), strict=True)) % 11
        )
        if check < 10:
            codes.append(base + str(check))
    return codes


def _rows(count: int) -> list[dict[str, object]]:
    codes = _tax_codes(count // 4 + 1)
    rows: list[dict[str, object]] = []
    for n in range(count):
        rows.append(
            {
                "row_label": n + 1,
                "tax_code": codes[n // 4],
                "producer_name": f"HTX Thử Nghiệm Số {n // 4 + 1} (demo)",
                "producer_kind": "Hợp tác xã",
                "commune_code": "29044",
                "unit_era": "Trước 01/7/2025",
                "address_line": f"Ấp {n // 4 % 9 + 1}",
                "product_name": f"Bánh phồng Sơn Đốc loại {n}",
                "product_criteria_set": "148",
                "group": "1",
                "subgroup": "1.2",
                "criteria_set": "1048",
                "score_a": 25,
                "score_b": 17,
                "score_c": 30,
                "stars": 4,
                "level": "Tỉnh",
                "decision_number": f"{n}/QĐ-UBND",
                "decision_date": dt.date(2019, 12, 20),
            }
        )
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor_step(queue: Any) -> None:
    import openpyxl  # noqa: F401

    from services.registry.spreadsheets import parse  # noqa: F401

    queue.put({"peak_mb": _peak_mb()})


def export_step(rows: int, path: str, queue: Any) -> None:
    from services.registry.spreadsheets import export

    data = _rows(rows)
    started = time.perf_counter()
    Path(path).write_bytes(export.render_export(export.ExportData("xlsx", data)))
    queue.put({"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()})


def parse_step(path: str, queue: Any) -> None:
    import orjson

    from services.registry.spreadsheets import parse

    started = time.perf_counter()
    out = orjson.loads(parse.parse_file(parse.Source(path, "xlsx")))
    queue.put(
        {
            "seconds": time.perf_counter() - started,
            "peak_mb": _peak_mb(),
            "rows": len(out["rows"]),
            "problems": len(out["problems"]),
        }
    )


def naive_step(path: str, queue: Any) -> None:
    from openpyxl import load_workbook

    from services.registry.spreadsheets import parse  # noqa: F401  (the same imports as the parse step)

    started = time.perf_counter()
    book = load_workbook(path)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    queue.put({"seconds": time.perf_counter() - started, "peak_mb": _peak_mb(), "rows": count})


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path = str(Path(work) / "registry.xlsx")
        floor = in_child(floor_step)
        written = in_child(export_step, args.rows, path)
        size_mb = Path(path).stat().st_size / 1024 / 1024
        parsed = in_child(parse_step, path)
        naive = in_child(naive_step, path)
    over_floor = parsed["peak_mb"] - floor["peak_mb"]
    print(f"file: {args.rows:,} rows, {size_mb:.1f} MB .xlsx")
    print(f"floor (imports only):       peak {floor['peak_mb']:7.1f} MB")
    print(
        f"export (write_only):        peak {written['peak_mb']:7.1f} MB  {written['seconds']:6.1f} s (rows built in memory)"
    )
    print(
        f"import parse (read_only):   peak {parsed['peak_mb']:7.1f} MB  {parsed['seconds']:6.1f} s  "
        f"{parsed['rows']:,} rows clean, {parsed['problems']} problems"
    )
    print(f"naive load (whole book):    peak {naive['peak_mb']:7.1f} MB  {naive['seconds']:6.1f} s")
    print(
        f"parse above floor: {over_floor:.1f} MB (target <= {TARGET_MB_OVER_FLOOR:g} MB); naive above floor: "
        f"{naive['peak_mb'] - floor['peak_mb']:.1f} MB"
    )
    ok = (
        over_floor <= TARGET_MB_OVER_FLOOR
        and parsed["peak_mb"] < naive["peak_mb"]
        and parsed["problems"] == 0
    )
    print("target met" if ok else "TARGET MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
