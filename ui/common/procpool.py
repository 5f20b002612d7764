"""CPU-heavy pure Python off the GUI process's GIL: helper processes for the runner's tasks.

A pool thread doing pure-Python work (a pass card's QR matrix) holds the GIL the GUI thread
needs for every event it handles; the runner's 1 ms switch interval shortens each wait but not
their number (bench/gui_stall_bench.py, #12). A task can instead hand such work to helper
processes in chunks and keep only the Qt part (painting) on its thread:

    for qr in map_in_processes(qr_runs_many, texts, cancelled=ctx.cancelled):
        ...

Results come back in the order of the items. The helpers are spawned (never forked from a
Qt process), at a lower priority than the window, once per run of the program. When they
cannot start or die (a frozen bundle without `freeze_support`, no permission to start a
process), the same function runs on the calling thread: the work is done either way.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 64  # items per round trip: ~0.2 s of QR work, one small pickle back
_LOCK = threading.Lock()
_POOL: ProcessPoolExecutor | None = None
_BROKEN = False  # once the helpers failed, this run of the program stays on threads


def workers() -> int:
    """One helper per core but one: the window keeps a core to itself."""
    return max(1, (os.cpu_count() or 2) - 1)


def _make_pool() -> ProcessPoolExecutor:
    kwargs: dict[str, Any] = {}
    if hasattr(os, "nice"):  # the helpers give way to the window (and to the camera)
        kwargs["initializer"] = functools.partial(os.nice, 5)
    return ProcessPoolExecutor(
        max_workers=workers(), mp_context=multiprocessing.get_context("spawn"), **kwargs
    )


def cpu_pool() -> ProcessPoolExecutor | None:
    """The helper processes, started on first use; None when they cannot be."""
    global _POOL, _BROKEN
    with _LOCK:
        if _POOL is None and not _BROKEN:
            try:
                _POOL = _make_pool()
            except Exception:
                log.exception("helper processes cannot start; CPU work stays on threads")
                _BROKEN = True
        return _POOL


def _give_up(exc: BaseException) -> None:
    global _POOL, _BROKEN
    log.error("helper processes failed; CPU work stays on threads", exc_info=exc)
    with _LOCK:
        pool, _POOL, _BROKEN = _POOL, None, True
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the helpers (at exit, and in tests); the next use starts new ones."""
    global _POOL, _BROKEN
    with _LOCK:
        pool, _POOL, _BROKEN = _POOL, None, False
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


# the helpers failed (or cannot start), not the work: an error fn raises is the task's own
_POOL_FAILURES = (BrokenExecutor, OSError, RuntimeError, pickle.PicklingError)


def _wait(future: Future[list[R]], cancelled: Callable[[], bool] | None) -> list[R]:
    while True:
        try:
            return future.result(timeout=0.1)
        except FuturesTimeout:
            if cancelled is not None and cancelled():
                raise _Cancelled from None


class _Cancelled(Exception):
    pass


def map_in_processes(
    fn: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    chunk: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[R]:
    """fn(chunk) for consecutive chunks of items, in helper processes (in the calling thread
    when they cannot run); yields fn's results item by item, in order. fn must be a module-level
    function of a module that imports no Qt. A few chunks are in flight at once; closing the
    iterator (or a cancel) drops the rest."""
    size = chunk or CHUNK
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    pool = cpu_pool() if len(chunks) > 1 else None  # one chunk: not worth a process start
    pending: deque[Future[list[R]]] = deque()
    i = 0
    try:
        while i < len(chunks) or pending:
            if cancelled is not None and cancelled():
                return
            if pool is not None:
                try:
                    while i < len(chunks) and len(pending) < 2 * workers():
                        pending.append(pool.submit(fn, chunks[i]))
                        i += 1
                    done = _wait(pending[0], cancelled)
                    pending.popleft()
                except _POOL_FAILURES as exc:
                    _give_up(exc)
                    pool = None
                    i -= len(pending)  # those chunks are redone here
                    pending.clear()
                    continue
                yield from done
            else:
                yield from fn(chunks[i])
                i += 1
    except _Cancelled:
        return
    finally:
        for future in pending:
            future.cancel()
