"""Reads the demo data files under services/demo/data/ (see the README there): TOML for nested records,
CSV for long uniform tables, JSON where a value may be null (TOML has no null).

Every reader gives plain rows (`dict[str, Any]`) in which a missing value is a missing key, whatever the
format (an empty CSV cell, a key left out of a TOML table, a JSON null), so the loaders read optional
values with `row.get`. Text is checked to be NFC, as everything the services store is: a file saved by an
editor that decomposes Vietnamese letters is refused with its name rather than loaded as other bytes.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

# A CSV column whose name starts with "#" is a note for readers (e.g. the commune a code names): not loaded.
NOTE = "#"
LIST_SEPARATOR = ";"  # in the cells of a CSV list column (booths are separated by spaces instead)


def text(name: str) -> str:
    """A data file's text (`name` relative to services/demo/data/), refused unless it is NFC."""
    body = (DATA / name).read_text(encoding="utf-8")
    if not unicodedata.is_normalized("NFC", body):
        raise ValueError(f"services/demo/data/{name} is not NFC: save it as NFC (composed) UTF-8")
    return body


def _present(value: Any) -> Any:
    """Nulls left out, at every depth (as a TOML table or an empty CSV cell would have them)."""
    if isinstance(value, dict):
        return {k: _present(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_present(v) for v in value]
    return value


def read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(text(name))


def read_json(name: str) -> dict[str, Any]:
    document: dict[str, Any] = _present(json.loads(text(name)))
    return document


def read_csv(
    name: str, *, ints: Iterable[str] = (), lists: Iterable[str] = (), words: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """The rows of a CSV file with a header line. `ints` are read as integers; `lists` are split at ";",
    `words` at spaces. Empty cells and note columns (`# ...`) are left out."""
    ints, lists, words = set(ints), set(lists), set(words)
    rows = []
    for raw in csv.DictReader(io.StringIO(text(name))):
        row: dict[str, Any] = {}
        for column, cell in raw.items():
            if column.startswith(NOTE) or cell == "":
                continue
            if column in ints:
                row[column] = int(cell)
            elif column in lists:
                row[column] = [item.strip() for item in cell.split(LIST_SEPARATOR)]
            elif column in words:
                row[column] = cell.split()
            else:
                row[column] = cell
        rows.append(row)
    return rows
