"""The background runner: results, progress and errors arrive on the GUI thread (#12)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread

from app.errors import KnownError
from app.i18n import t
from ui.common import runner
from ui.common.runner import TaskContext, run_in_background

pytestmark = pytest.mark.gui


class Seen:
    """Collects callbacks and the thread each ran on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.threads: set[Any] = set()

    def add(self, kind: str, value: Any = None) -> None:
        self.calls.append((kind, value))
        self.threads.add(QThread.currentThread())

    def kinds(self) -> list[str]:
        return [k for k, _ in self.calls]


def test_done_runs_off_the_gui_thread_and_reports_on_it(qtbot, qapp):
    seen = Seen()
    worker_thread: list[Any] = []

    def work(ctx: TaskContext) -> int:
        worker_thread.append(threading.current_thread())
        return 41 + 1

    task = run_in_background(work, on_done=lambda r: seen.add("done", r))
    qtbot.waitUntil(lambda: bool(seen.calls), timeout=5000)
    assert seen.calls == [("done", 42)]
    assert worker_thread[0] is not threading.main_thread()
    assert seen.threads == {qapp.thread()}
    assert not task.running


def test_progress_arrives_in_order_before_done(qtbot):
    seen = Seen()

    def work(ctx: TaskContext) -> str:
        for i in range(1, 4):
            ctx.progress(i, 3)
        return "ok"

    run_in_background(
        work, on_done=lambda r: seen.add("done", r), on_progress=lambda d, n: seen.add("p", (d, n))
    )
    qtbot.waitUntil(lambda: "done" in seen.kinds(), timeout=5000)
    # three reports in a microsecond: the first goes, the last is kept back and comes before done
    assert seen.calls == [("p", (1, 3)), ("p", (3, 3)), ("done", "ok")]


def test_progress_reaches_the_gui_thread_at_most_every_50_ms(qtbot):
    """#12: 5,000 passes printed report 5,000 times; each delivery costs the GUI thread a GIL
    wait and a repaint, so they are thinned to what a progress bar can show."""
    import time

    seen = Seen()
    spent: list[float] = []

    def work(ctx: TaskContext) -> str:
        t0 = time.monotonic()
        for i in range(1, 2001):
            ctx.progress(i, 2000)
            if i % 100 == 0:
                threading.Event().wait(0.01)
        spent.append(time.monotonic() - t0)
        return "ok"

    run_in_background(
        work, on_done=lambda r: seen.add("done", r), on_progress=lambda d, n: seen.add("p", (d, n))
    )
    qtbot.waitUntil(lambda: "done" in seen.kinds(), timeout=10_000)
    reports = [args for kind, args in seen.calls if kind == "p"]
    assert reports[-1] == (2000, 2000) and seen.calls[-1] == ("done", "ok")
    assert reports == sorted(reports)
    assert len(reports) <= spent[0] / runner.PROGRESS_EVERY_S + 2, (len(reports), spent)


def test_known_error_becomes_its_message(qtbot, caplog):
    seen = Seen()

    def work(ctx: TaskContext) -> None:
        raise KnownError("db_write_failed", detail="database or disk is full")

    run_in_background(
        work,
        on_done=lambda r: seen.add("done", r),
        on_error=lambda text, exc: seen.add("error", (text, exc)),
        lang="zh",
    )
    qtbot.waitUntil(lambda: bool(seen.calls), timeout=5000)
    ((kind, (text, exc)),) = seen.calls
    assert kind == "error" and isinstance(exc, KnownError)
    assert text == t("db_write_failed", "zh", detail="database or disk is full")
    assert "Traceback" not in caplog.text  # a known error is not a bug


def test_a_bug_is_logged_with_its_traceback_and_shown_as_bug(qtbot, caplog):
    seen = Seen()

    def broken_step(ctx: TaskContext) -> None:
        raise ZeroDivisionError("boom")

    with caplog.at_level(logging.ERROR, logger="ui.common.runner"):
        run_in_background(
            broken_step, on_error=lambda text, exc: seen.add("error", text), lang="en"
        )
        qtbot.waitUntil(lambda: bool(seen.calls), timeout=5000)
    assert seen.calls == [("error", t("bug", "en"))]
    record = next(r for r in caplog.records if r.exc_info)
    assert record.exc_info[0] is ZeroDivisionError
    assert "Traceback" in caplog.text and "in broken_step" in caplog.text


def test_without_an_error_callback_the_owner_shows_the_message(qtbot):
    from PySide6.QtCore import QObject

    class Owner(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.shown: list[tuple[str, bool]] = []

        def show_message(self, text: str, error: bool = False) -> None:
            self.shown.append((text, error))

    owner = Owner()
    run_in_background(lambda ctx: 1 / 0, parent=owner, lang="zh")
    qtbot.waitUntil(lambda: bool(owner.shown), timeout=5000)
    assert owner.shown == [(t("bug", "zh"), True)]


class Stopped(Exception):
    pass


def _cancellable(started: threading.Event, then_raise: bool):
    def work(ctx: TaskContext) -> int:
        steps = 1  # one step done before the test can press cancel
        ctx.progress(steps, 0)
        started.set()
        while not ctx.cancelled():
            steps += 1
            ctx.progress(steps, 0)
            threading.Event().wait(0.005)  # one step of work
        if then_raise:
            raise Stopped()
        return steps

    return work


def test_cancel_that_raises_calls_on_cancelled_not_on_error(qtbot, caplog):
    seen = Seen()
    started = threading.Event()
    task = run_in_background(
        _cancellable(started, then_raise=True),
        on_done=lambda r: seen.add("done", r),
        on_error=lambda text, exc: seen.add("error", text),
        on_cancelled=lambda: seen.add("cancelled"),
    )
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: bool(seen.calls), timeout=5000)
    assert seen.kinds() == ["cancelled"]
    assert task.cancelled and not task.running


def test_cancel_with_a_partial_result_still_delivers_it(qtbot):
    seen = Seen()
    started = threading.Event()
    task = run_in_background(
        _cancellable(started, then_raise=False),
        on_done=lambda r: seen.add("done", r),
        on_cancelled=lambda: seen.add("cancelled"),
    )
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: bool(seen.calls), timeout=5000)
    assert seen.kinds() == ["done"] and seen.calls[0][1] >= 1  # the steps it did are real


def test_a_bug_in_a_callback_is_logged_not_raised(qtbot, caplog):
    done: list[int] = []

    def on_done(result: int) -> None:
        done.append(result)
        raise RuntimeError("callback bug")

    with caplog.at_level(logging.ERROR, logger="ui.common.runner"):
        run_in_background(lambda ctx: 7, on_done=on_done)
        qtbot.waitUntil(lambda: "callback bug" in caplog.text, timeout=5000)
    assert done == [7]
