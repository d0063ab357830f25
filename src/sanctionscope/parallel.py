"""Work split over forked processes that inherit the parent's memory: only items and results are pickled.

A million parsed entities or an open matcher cannot be sent to a worker cheaply; a forked
child already has them. The task may therefore be a closure over any data of the parent.
One `fork_map` runs at a time (the task waits in a module slot for the children to read).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_TASK: Callable[[Any], Any] | None = None


def _run(item: Any) -> Any:
    assert _TASK is not None, "fork_map's task is read by forked children only"
    return _TASK(item)


def fork_map(task: Callable[[Item], Result], items: Sequence[Item], workers: int | None = None) -> Iterator[Result]:
    """task(item) for each item, in order, in `workers` forked processes (default: one per core).

    With one worker or one item it runs in this process.
    """
    global _TASK
    workers = min(workers or os.cpu_count() or 1, len(items))
    if workers <= 1:
        yield from map(task, items)
        return
    _TASK = task
    try:
        # the children fork on the first submit, after the task is in its slot
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            yield from pool.map(_run, items)
    finally:
        _TASK = None


def spans(count: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of at most `size` covering 0..count."""
    return [(start, min(start + size, count)) for start in range(0, count, size)]
