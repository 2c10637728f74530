"""A benchmark step in a fresh process, so that its time and its peak memory (ru_maxrss) are its own and
not those of the benchmark that started it or of an earlier step."""

from __future__ import annotations

import multiprocessing
from typing import Any


def in_child(target: Any, *args: Any) -> dict[str, Any]:
    """Run `target(*args, queue)` in a spawned process and return what it put on the queue. `target` must be
    importable by the child (a module-level function)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result: dict[str, Any] = queue.get(timeout=1800)
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{target.__name__} failed with exit code {process.exitcode}")
    return result
