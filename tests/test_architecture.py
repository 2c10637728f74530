"""The one-way rule of ARCHITECTURE.md, read from the source: the GraphQL and HTTP layers may import
services, services may import models, never the other way. A service that imported `schema` or `web` would
tie domain rules to one transport (and make a CLI, a worker or a test drag the GraphQL schema in)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Layer -> our top-level packages it must never import.
FORBIDDEN = {
    "models": {"services", "schema", "web", "server", "tests", "benchmarks"},
    "services": {"schema", "web", "server", "tests", "benchmarks"},
    "schema": {"web", "server", "tests", "benchmarks"},
    "web": {"server", "tests", "benchmarks"},
}


def _imported_packages(path: Path) -> set[tuple[int, str]]:
    """(line, top-level name) of every import in a module, including imports inside functions."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update((node.lineno, alias.name.split(".", 1)[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.lineno, node.module.split(".", 1)[0]))
    return found


def _violations(layer: str) -> list[str]:
    forbidden = FORBIDDEN[layer]
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for line, name in sorted(_imported_packages(path))
        if name in forbidden
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_point_one_way(layer: str) -> None:
    if not (ROOT / layer).is_dir():
        pytest.fail(f"{layer}/ is missing: ARCHITECTURE.md names it as a layer")
    assert _violations(layer) == []


def test_the_rule_is_checked_on_real_modules(tmp_path: Path) -> None:
    """The walker finds imports at module level and inside functions: a rule checked by a walker that
    found nothing would pass forever."""
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom schema.context import Context\n\ndef f():\n    import web.public\n")
    assert _imported_packages(module) == {(1, "os"), (2, "schema"), (5, "web")}


def test_services_know_no_http() -> None:
    """Services return domain values; status codes, headers and responses belong to web/."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "services").rglob("*.py"))
        for line, name in sorted(_imported_packages(path))
        if name in {"starlette", "strawberry", "httpx", "uvicorn"}
    ]
    assert offenders == []


def test_the_map_names_real_places() -> None:
    """ARCHITECTURE.md's table of rooms names a file or package per layer: each must exist, so the map
    cannot silently go stale when a module moves."""
    columns = ("", "models", "services", "schema", "web", "tests")
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) >= 8, "the table of rooms is missing"
    missing = []
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for layer, cell in zip(columns[1:], cells[1:], strict=True):
            for name in re.findall(r"`([\w/.]+(?:\.py|/))`", cell):
                if not (ROOT / layer / name).exists():
                    missing.append(f"{layer}/{name}")
    assert missing == []


QUERY_METHODS = {"filter", "exclude", "get", "get_or_none", "all", "first", "exists", "count", "create"}


def _model_queries(path: Path) -> list[str]:
    """Calls like `Batch.get_or_none(...)` on a class imported from `models`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    model_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "models"
        for alias in node.names
    }
    return [
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{node.lineno} "
        f"{node.func.value.id}.{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in QUERY_METHODS
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in model_names
    ]


def test_resolvers_and_handlers_leave_queries_to_services() -> None:
    """Reads and writes of tables belong to services (which apply the domain's rules and access policy);
    the GraphQL and HTTP layers ask them. DataLoaders, which batch reads by id for one request, are the
    exception, in their own modules."""
    offenders = [
        found
        for layer in ("schema", "web")
        for path in sorted((ROOT / layer).rglob("*.py"))
        if path.name != "loaders.py"
        for found in _model_queries(path)
    ]
    assert offenders == []


def test_the_query_check_sees_a_query(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from models import Batch as B\n\nasync def f():\n    return await B.get_or_none(id=1)\n"
    )
    assert [line.split(" ", 1)[1] for line in _model_queries(module)] == ["B.get_or_none()"]


def test_weasyprint_is_imported_through_one_module() -> None:
    """`services/fairs/catalog/weasy.py` silences WeasyPrint's import-time warning about a machine without
    HarfBuzz-Subset (an error under `filterwarnings = error`). A module importing weasyprint directly works
    only when something imported that module first: CI's `make test-cluster`, collecting one file, failed
    on exactly that."""
    gate = ROOT / "services" / "fairs" / "catalog" / "weasy.py"
    layers = ("models", "services", "schema", "web", "tests", "benchmarks")
    modules = [ROOT / "server.py", *(p for layer in layers for p in sorted((ROOT / layer).rglob("*.py")))]
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in modules
        if path != gate
        for line, name in sorted(_imported_packages(path))
        if name == "weasyprint"
    ]
    assert offenders == []
