"""docs/operators.md's "Configuration reference" names every environment variable the code reads, and the code
reads every variable it names. The code is read, not imported: every `os.environ[...]`, `os.environ.get(...)`,
`os.getenv(...)` and `env.get(...)`/`env[...]` (the mapping `load_settings` reads) with a literal name, in the
application (server.py, models/, services/, schema/, web/) and, for the reference's "development and test
only" table, in tests/ and benchmarks/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPLICATION = ("server.py", "models", "services", "schema", "web")
DEVELOPMENT = ("tests", "benchmarks")
REFERENCE = ROOT / "docs" / "operators.md"
# Names the code sets for a child process or reads for another program, not configuration of its own:
# the benchmarks' server children (FLOOR_*), and the variables pg_dump is given (services/backup).
NOT_CONFIGURATION = re.compile(r"^(FLOOR_|PG)")


def _mapping(node: ast.expr) -> bool:
    """`os.environ`, `environ`, or a mapping named `env`/`environ`/`environment`."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id in ("env", "environ", "environment")


def _name(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def read_variables(path: Path) -> set[str]:
    """The environment variables a file reads (writes such as `env["X"] = ...` are not reads)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("get", "setdefault")
                and _mapping(func.value)
            ) or (isinstance(func, ast.Attribute) and func.attr == "getenv"):
                name = _name(node.args[0])
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _mapping(node.value):
            name = _name(node.slice)
        if name and re.fullmatch(r"[A-Z][A-Z0-9_]+", name) and not NOT_CONFIGURATION.match(name):
            found.add(name)
    return found


def variables_in(roots: tuple[str, ...]) -> dict[str, set[str]]:
    """Each variable read under `roots`, with the files that read it."""
    readers: dict[str, set[str]] = {}
    for root in roots:
        path = ROOT / root
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            for name in read_variables(file):
                readers.setdefault(name, set()).add(str(file.relative_to(ROOT)))
    return readers


def documented() -> set[str]:
    """The variables of the reference's tables (the first column of each row)."""
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"(?m)^\| `([A-Z][A-Z0-9_]+)` \|", section))


def test_the_scan_finds_what_the_settings_read() -> None:
    """The scan itself: it must see the settings' reads (else the checks below would pass on nothing)."""
    settings = read_variables(ROOT / "services" / "common" / "settings.py")
    assert {"DATABASE_URL", "OCOP_SECRET_KEY", "OCOP_MEDIA_DIR", "OCOP_WS_HEARTBEAT_S"} <= settings
    assert "OCOP_TEST_POSTGRES_DSN" in read_variables(ROOT / "tests" / "conftest.py")


def test_every_variable_the_code_reads_is_in_the_reference() -> None:
    readers = variables_in(APPLICATION)
    missing = sorted(set(readers) - documented())
    assert not missing, (
        "add these to docs/operators.md, 'Configuration reference' (name, default, meaning): "
        + ", ".join(f"{name} (read in {', '.join(sorted(readers[name]))})" for name in missing)
    )


def test_every_variable_in_the_reference_is_read_by_the_code() -> None:
    read = set(variables_in(APPLICATION)) | set(variables_in(DEVELOPMENT))
    stale = sorted(documented() - read)
    assert not stale, (
        "docs/operators.md's 'Configuration reference' lists variables nothing reads (remove them, or "
        f"read them in services/common/settings.py): {', '.join(stale)}"
    )
