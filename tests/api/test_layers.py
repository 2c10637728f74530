"""The layers point one way: `schema/` and `web/` call `services/`, which calls `models/`; nothing in
`services/` or `models/` imports the GraphQL or HTTP layers (nor Starlette or strawberry), so a CLI, a
worker or a test can use a service without a web server."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UPPER = ("schema", "web", "server", "starlette", "strawberry")


def imported(path: Path) -> set[str]:
    """Top-level names of the modules a file imports, wherever in the file (lazy imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_services_and_models_know_neither_graphql_nor_http() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported(path) & set(UPPER))
        for package in ("services", "models")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_web_does_not_import_server() -> None:
    """server.py is the door that composes web/: web/ never reaches back into it."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "web").rglob("*.py") if "server" in imported(p)]
    assert offenders == []
