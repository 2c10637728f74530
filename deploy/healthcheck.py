#!/usr/bin/env python3
"""The container's HEALTHCHECK, standard library only (no curl in the image).

For `serve` it asks http://127.0.0.1:$PORT/readyz (or the path given as the first argument, e.g. /healthz):
healthy on 200, unhealthy on anything else or no answer within 3 s. For the other commands (worker, a
one-shot migrate) the container's health is its main process, which exits on a fatal error: healthy.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path


def main_command(cmdline: bytes) -> str | None:
    """The server.py command PID 1 runs ("serve", "worker", ...), None when it is not server.py."""
    words = [word.decode(errors="replace") for word in cmdline.split(b"\0") if word]
    for index, word in enumerate(words):
        if word.endswith("server.py") and index + 1 < len(words):
            return words[index + 1]
    return None


def probe(url: str, timeout_s: float = 3.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - a loopback http URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        sys.stderr.write(f"healthcheck: {url}: {error}\n")
        return 1


def main(argv: list[str]) -> int:
    try:
        command = main_command(Path("/proc/1/cmdline").read_bytes())
    except OSError:
        command = "serve"
    if command not in (None, "serve"):
        return 0
    path = argv[1] if len(argv) > 1 else "/readyz"
    return probe(f"http://127.0.0.1:{os.environ.get('PORT', '8000')}{path}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
