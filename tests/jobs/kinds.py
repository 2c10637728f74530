"""Cheap job kinds for the tests of the job mechanics: their render steps run in the child process, so they
are module-level functions of a module that imports the standard library only."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

Progress = Callable[[int], None]


async def prepare_echo(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"text": params["text"], "steps": int(params.get("steps", 4)), "pause": params.get("pause", 0.0)}


def render_echo(data: dict[str, Any], progress: Progress | None) -> bytes:
    """Reports progress step by step, and returns the child's pid with the text."""
    steps = data["steps"]
    for step in range(steps):
        time.sleep(data["pause"])
        if progress is not None:
            progress(100 * (step + 1) // (steps + 1))
    return f"{os.getpid()}:{data['text']}".encode()


def render_memory_hog(data: dict[str, Any], progress: Progress | None) -> bytes:
    """Wants 4 GB at once."""
    hog = bytearray(4 * 1024 * 1024 * 1024)
    return bytes(hog[:10])


def render_sleeper(data: dict[str, Any], progress: Progress | None) -> bytes:
    if progress is not None:
        progress(10)
    time.sleep(60)
    return b"never"


def render_bug(data: dict[str, Any], progress: Progress | None) -> bytes:
    raise KeyError("exhibitors")


def render_segfault(data: dict[str, Any], progress: Progress | None) -> bytes:
    os.kill(os.getpid(), 9)
    return b"never"


def render_fake_pdf(data: Any, progress: Progress | None) -> bytes:
    """Stands in for the catalog renderer: a "PDF" that names what it was made from."""
    if progress is not None:
        progress(50)
    return b"%PDF-1.7\n% fake catalog\n" + repr(data).encode() + b"\n%%EOF\n"
