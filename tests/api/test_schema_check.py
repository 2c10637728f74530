"""The breaking-change check (`make schema-check`, tools/frontend/schema-check.mjs with graphql-inspector):
it passes on the repository as it is, fails on an undocumented removal, and lets a breaking change through
only when CHANGELOG.md's Unreleased section names it, and a deprecated field's removal only after the date
its deprecation announced."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

FRONTEND = ROOT / "tools" / "frontend"
SCRIPT = str(FRONTEND / "schema-check.mjs")
RELEASED = """
type Query {
  \"\"\"A product.\"\"\"
  product: Product
}

\"\"\"An OCOP product.\"\"\"
type Product {
  \"\"\"Its name.\"\"\"
  name: String!
  \"\"\"Stars of its valid certificate.\"\"\"
  stars: Int
  \"\"\"Old spelling.\"\"\"
  starRating: Int @deprecated(reason: "Use `stars`. Removal after 2026-06-30.")
}
"""
CHANGELOG = (
    "# Changelog\n\n## Unreleased\n\n### Changed\n{entry}\n\n## 0.1.0\n\n- `Product.stars` first released.\n"
)


@pytest.fixture(scope="module")
def node_tools() -> None:
    """The locked Node tools, installed the way `make` does (npm ci, once)."""
    make = shutil.which("make")
    assert make, "make is required (README)"
    subprocess.run([make, "-s", "frontend-tools"], cwd=ROOT, check=True, capture_output=True)


def node() -> str:
    found = shutil.which("node")
    assert found, "Node.js is required for the schema tools (docs/frontend.md)"
    return found


def schema_check(
    tmp_path: Path, current: str, changelog_entry: str = "- Nothing.", today: str = "2026-12-02"
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "released.graphql").write_text(RELEASED, encoding="utf-8")
    (tmp_path / "current.graphql").write_text(current, encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG.format(entry=changelog_entry), encoding="utf-8")
    return subprocess.run(
        [
            node(),
            SCRIPT,
            *(
                "--released",
                str(tmp_path / "released.graphql"),
                "--current",
                str(tmp_path / "current.graphql"),
            ),
            *("--changelog", str(tmp_path / "CHANGELOG.md"), "--today", today),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def without(field: str) -> str:
    return re.sub(rf'\n  """[^"]*"""\n  {field}:[^\n]*', "", RELEASED)


def test_the_repository_schema_has_no_undocumented_breaking_change(node_tools: None) -> None:
    result = subprocess.run([node(), SCRIPT], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "schema/released/schema-" in result.stdout


def test_an_undocumented_removal_fails(node_tools: None, tmp_path: Path) -> None:
    result = schema_check(tmp_path, without("stars"))
    assert result.returncode == 1
    assert "Field 'stars' was removed from object type 'Product'" in result.stderr
    assert "`Product.stars`" in result.stderr


def test_a_breaking_change_named_in_the_unreleased_changelog_passes(node_tools: None, tmp_path: Path) -> None:
    entry = '- `Product.stars` is now a `String` such as `"4★"` (breaking).'
    changed = RELEASED.replace("  stars: Int\n", "  stars: String\n")
    assert schema_check(tmp_path, changed, entry).returncode == 0
    # Named only in a released section (or not in backticks) is not enough.
    assert schema_check(tmp_path, changed, "- Product.stars is now a string.").returncode == 1


def test_a_deprecated_field_goes_only_after_its_removal_date_and_with_a_changelog_line(
    node_tools: None, tmp_path: Path
) -> None:
    gone = without("starRating")
    listed = "- Removed `Product.starRating`, deprecated since 0.1.0."
    early = schema_check(tmp_path, gone, listed, today="2026-06-29")
    assert early.returncode == 1
    assert "deprecated until 2026-06-30" in early.stderr
    assert schema_check(tmp_path, gone, listed, today="2026-07-01").returncode == 0
    assert schema_check(tmp_path, gone, "- Tidied up.", today="2026-07-01").returncode == 1


def test_a_new_deprecation_needs_a_removal_date_and_a_changelog_line(
    node_tools: None, tmp_path: Path
) -> None:
    no_date = RELEASED.replace(
        "  name: String!\n", '  name: String! @deprecated(reason: "Use displayName.")\n'
    )
    result = schema_check(tmp_path, no_date, "- Deprecated `Product.name`.")
    assert result.returncode == 1
    assert "without a removal date" in result.stderr
    dated = RELEASED.replace(
        "  name: String!\n",
        '  name: String! @deprecated(reason: "Use displayName. Removal after 2027-06-30.")\n',
    )
    assert schema_check(tmp_path, dated, "- Deprecated `Product.name`.").returncode == 0
    assert schema_check(tmp_path, dated).returncode == 1
