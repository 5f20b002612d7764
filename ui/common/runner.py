"""The one way to run slow work off the GUI thread (like Anki's CollectionOp / QueryOp).

    task = run_in_background(
        lambda ctx: export(path, progress=ctx.progress, cancelled=ctx.cancelled),
        on_done=show_file, on_progress=show_progress, lang=self.lang, parent=self,
    )
    task.cancel()   # ctx.cancelled() turns True: the function stops at its next step

Cancelling: a function that returns anyway (a partial import, a sync report marked cancelled)
still has its result delivered to on_done (the work it did is real); one that raises after
the cancel (e.g. ExportCancelled) gets on_cancelled instead of on_error.

Every callback runs on the GUI thread. A `KnownError` becomes its message and anything else is
logged with its traceback and becomes the generic `bug` message, here and nowhere else; the
error callback receives that text (and the exception). Without an error callback the text goes
to the parent's `show_message(text, error=True)` when it has one, else to the log only.
Functions get their own database connection from a path: never the GUI thread's connection.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.errors import KnownError
from app.i18n import t

log = logging.getLogger(__name__)

_POOL: QThreadPool | None = None
_BRIDGE: _Bridge | None = None
_LIVE: set[Task] = set()  # a task is kept alive until its last callback has run
SWITCH_INTERVAL_S = 0.001


class _Bridge(QObject):
    """Lives on the GUI thread; pool threads emit here and the slots run on the GUI thread.
    Tasks are plain Python objects, so whichever thread drops the last reference to one,
    no QObject is destroyed off its own thread."""

    progressed = Signal(object, int, int)
    finished = Signal(object, object)
    failed = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.progressed.connect(self._progress)
        self.finished.connect(self._finish)
        self.failed.connect(self._fail)

    @Slot(object, int, int)
    def _progress(self, task: Task, done: int, total: int) -> None:
        task._deliver_progress(done, total)

    @Slot(object, object)
    def _finish(self, task: Task, result: Any) -> None:
        task._deliver_done(result)

    @Slot(object, object)
    def _fail(self, task: Task, exc: BaseException) -> None:
        task._deliver_error(exc)


def bridge() -> _Bridge:
    global _BRIDGE
    if _BRIDGE is None:  # first use is on the GUI thread (run_in_background is called there)
        _BRIDGE = _Bridge()
    return _BRIDGE


def pool() -> QThreadPool:
    """Our own pool: a long export must never hold up a sync attempt queued behind it."""
    global _POOL
    if _POOL is None:
        # a GUI callback waits for the GIL while pure-Python work (QR matrices, signing) runs
        # on a pool thread: up to the switch interval each time, 5 ms by default, several
        # times per event-loop turn. 1 ms keeps those waits short (bench/gui_stall_bench.py)
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        _POOL = QThreadPool()
        _POOL.setObjectName("background")
        _POOL.setMaxThreadCount(6)
    return _POOL


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Cancel every running task and wait for the pool (at shutdown, and between tests)."""
    for task in list(_LIVE):
        task.cancel()
    return pool().waitForDone(timeout_ms)


PROGRESS_EVERY_S = 0.05  # a progress bar needs no more; each delivery costs the GUI thread


class TaskContext:
    """What the function running off the GUI thread may use: progress and the cancel flag.
    Progress reaches the GUI thread at most every PROGRESS_EVERY_S; the last report made is
    always delivered, before the result."""

    def __init__(self, task: Task) -> None:
        self._task = task
        self._sent_at = -PROGRESS_EVERY_S
        self._pending: tuple[int, int] | None = None

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._sent_at >= PROGRESS_EVERY_S:
            self._sent_at = now
            self._pending = None
            bridge().progressed.emit(self._task, int(done), int(total))
        else:
            self._pending = (int(done), int(total))
        _yield_gil()

    def flush(self) -> None:
        """The last report held back by the rate limit, if any (before the result)."""
        if self._pending is not None:
            bridge().progressed.emit(self._task, *self._pending)
            self._pending = None

    def cancelled(self) -> bool:
        _yield_gil()
        return self._task._cancel.is_set()


def _yield_gil() -> None:
    """Let a waiting GUI thread take the GIL now: pure-Python work (QR matrices, signing)
    otherwise keeps it for whole switch intervals at a time, and on a busy two-core booth PC
    the GUI thread measurably waits (bench/gui_stall_bench.py)."""
    time.sleep(0)


class Task:
    """A handle on one background run; its callbacks are delivered on the GUI thread."""

    def __init__(
        self,
        fn: Callable[[TaskContext], Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[str, BaseException], None] | None,
        on_progress: Callable[[int, int], None] | None,
        on_cancelled: Callable[[], None] | None,
        lang: str,
        parent: QObject | None,
        name: str,
    ) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "task")
        self.lang = lang
        self.owner = parent
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._on_cancelled = on_cancelled
        self._cancel = threading.Event()
        self.running = True
        self.error_text: str | None = None

    def cancel(self) -> None:
        """Ask the function to stop at its next step (see the module doc for what follows)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # ---- runs on a pool thread
    def _run(self) -> None:
        ctx = TaskContext(self)
        try:
            result = self.fn(ctx)
        except BaseException as exc:  # noqa: BLE001 - everything is reported on the GUI thread
            if not isinstance(exc, KnownError):
                log.error("bug in background task %s", self.name, exc_info=exc)
            ctx.flush()
            bridge().failed.emit(self, exc)
        else:
            ctx.flush()
            bridge().finished.emit(self, result)

    # ---- runs on the GUI thread
    def _deliver_progress(self, done: int, total: int) -> None:
        if self._on_progress is not None and not self.cancelled:
            self._guard(self._on_progress, done, total)

    def _deliver_done(self, result: Any) -> None:
        self.running = False
        try:
            if self._on_done is not None:
                self._guard(self._on_done, result)
        finally:
            _LIVE.discard(self)

    def _deliver_error(self, exc: BaseException) -> None:
        self.running = False
        try:
            text = describe_error(exc, self.lang)
            self.error_text = text
            if self.cancelled:  # nobody waits for the outcome any more; a bug is logged above
                if self._on_cancelled is not None:
                    self._guard(self._on_cancelled)
            elif self._on_error is not None:
                self._guard(self._on_error, text, exc)
            else:
                show_error(self.owner, text)
        finally:
            _LIVE.discard(self)

    def _guard(self, callback: Callable[..., Any], *args: Any) -> None:
        """A bug in a callback is logged and shown, never left to unwind the event loop."""
        try:
            callback(*args)
        except Exception as exc:
            log.exception("bug in a callback of background task %s", self.name)
            show_error(self.owner, describe_error(exc, self.lang))


def describe_error(exc: BaseException, lang: str) -> str:
    """The one place an exception becomes words: its message if known, else `bug`."""
    if isinstance(exc, KnownError):
        return exc.message(lang)
    return t("bug", lang)


def run_guarded(owner: QObject | None, fn: Callable[[], Any], lang: str = "zh") -> Any:
    """Run quick work on the GUI thread with the same error policy as background work: a
    known error is shown in its words, a bug is logged with its traceback and shown as `bug`;
    None is returned then. For the features' buttons (the window's `guarded` does the same)."""
    try:
        return fn()
    except Exception as exc:
        if not isinstance(exc, KnownError):
            log.exception("bug in %s", getattr(fn, "__qualname__", "a GUI action"))
        show_error(owner, describe_error(exc, lang))
        return None


def show_error(owner: QObject | None, text: str) -> None:
    show = getattr(owner, "show_message", None)
    if callable(show):
        try:
            show(text, error=True)
            return
        except Exception:
            log.exception("could not show an error")
    log.warning("background error with nowhere to show it: %s", text)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self.task._run()


def run_in_background(
    fn: Callable[[TaskContext], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[str, BaseException], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    *,
    lang: str = "zh",
    parent: QObject | None = None,
    name: str = "",
) -> Task:
    """Run fn(ctx) on a pool thread; the callbacks run on the GUI thread (see the module doc)."""
    bridge()
    task = Task(fn, on_done, on_error, on_progress, on_cancelled, lang, parent, name)
    _LIVE.add(task)
    pool().start(_Runnable(task))
    return task
