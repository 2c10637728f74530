#!/usr/bin/env bash
# ocop-hub's install steps: the only place they are written. deploy/Dockerfile runs them in its stages, and
# tests/deploy/test_install.py runs them on a copy of the repository in a clean directory (no project venv),
# then migrates, serves and queries the result.
#
#   deploy/install.sh system   the operating system's runtime libraries (Debian/Ubuntu: WeasyPrint's Pango,
#                              HarfBuzz and fontconfig, a fallback font, CA certificates) and the `ocop`
#                              user (uid 10001); packages already installed are left as they are
#                              (OCOP_SYSTEM_CHECK=1: only check that they are installed)
#   deploy/install.sh venv     the Python dependencies from uv.lock (runtime only: uv sync --frozen --no-dev)
#                              into $OCOP_VENV, bytecode compiled (the image's root file system is read-only)
#   deploy/install.sh verify   the installed environment imports the app, renders a PDF with the project's
#                              fonts (WeasyPrint through Pango) and finds fontconfig
#
# Run from the repository's root (the directory holding uv.lock). Variables: OCOP_VENV (default
# /opt/ocop/venv), PYTHON (the interpreter the venv is made from, default python3; >= 3.12), UV_VERSION.
set -euo pipefail

OCOP_VENV="${OCOP_VENV:-/opt/ocop/venv}"
PYTHON="${PYTHON:-python3}"
UV_VERSION="${UV_VERSION:-0.13.8}"   # the Makefile's
OCOP_UID=10001

# WeasyPrint's system libraries (https://doc.courtbouillon.org/weasyprint/stable/first_steps.html) and a
# fallback font for the glyphs the project's fonts (Be Vietnam Pro, Noto Sans: Python packages in uv.lock)
# lack. Debian bookworm names.
SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 fontconfig fonts-dejavu-core
                 shared-mime-info ca-certificates tzdata)

step_system() {
  local missing=()
  for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ "${OCOP_SYSTEM_CHECK:-}" = 1 ]; then   # check only (the install test): install nothing, add no user
    ((${#missing[@]} == 0)) || { echo "install.sh: missing ${missing[*]}" >&2; exit 1; }
    echo "install.sh: system packages present"
    return
  fi
  if ((${#missing[@]})); then
    echo "install.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    rm -rf /var/lib/apt/lists/*
  fi
  if ! id ocop >/dev/null 2>&1; then
    groupadd --system --gid "$OCOP_UID" ocop
    useradd --system --uid "$OCOP_UID" --gid ocop --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin ocop
  fi
}

step_venv() {
  test -f uv.lock || { echo "install.sh: run from the repository's root (no uv.lock here)" >&2; exit 1; }
  "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 12), sys.version' \
    || { echo "install.sh: PYTHON=$PYTHON is older than 3.12" >&2; exit 1; }
  # uv itself, pinned, in a throw-away venv: it is not part of the image's runtime.
  local tools
  tools="$(mktemp -d)"
  "$PYTHON" -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  UV_PROJECT_ENVIRONMENT="$OCOP_VENV" UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy \
    "$tools/bin/uv" sync --frozen --no-dev --no-install-project --compile-bytecode --python "$PYTHON"
  rm -rf "$tools"
}

step_verify() {
  local python="$OCOP_VENV/bin/python"
  # Imports the whole app (server.py composes every surface), then renders a PDF with Vietnamese text in the
  # project's font the way the catalog and report renderers do.
  "$python" - <<'PY'
import pathlib
import server  # noqa: F401  (every module the app imports)
import fontpkg_be_vietnam_pro
import weasyprint

font = pathlib.Path(fontpkg_be_vietnam_pro.ROOT) / "files" / "BeVietnamPro-Regular.ttf"
assert font.is_file(), font
html = (
    f'<style>@font-face {{ font-family: "Be Vietnam Pro"; src: url("{font.as_uri()}"); }}'
    ' body { font-family: "Be Vietnam Pro"; }'
    "</style><p>Sản phẩm OCOP Việt Nam — trà shan tuyết</p>"
)
pdf = weasyprint.HTML(string=html).write_pdf()
import io

import pikepdf

with pikepdf.open(io.BytesIO(pdf)) as document:
    fonts = {str(font.get("/BaseFont")) for page in document.pages for font in page.Resources.Font.values()}
assert any(name.endswith("+Be-Vietnam-Pro") for name in fonts), f"the project's font is not embedded: {fonts}"
print(f"install.sh: verified (WeasyPrint {weasyprint.__version__}, {len(pdf)} bytes PDF with Be Vietnam Pro)")
PY
  command -v fc-list >/dev/null && fc-list | grep -q . || { echo "install.sh: fontconfig finds no font" >&2; exit 1; }
}

case "${1:-}" in
  system) step_system ;;
  venv) step_venv ;;
  verify) step_verify ;;
  all) step_system; step_venv; step_verify ;;
  *) echo "usage: deploy/install.sh system|venv|verify|all" >&2; exit 2 ;;
esac
