"""Where the project's own files are: templates and static assets shipped beside the code."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"  # files served as they are under /static/ (web/public.py), e.g. the demo's photos
