"""Pass cards' QR codes made in helper processes (#12): the same PDF as on the runner's thread,
a cancel leaves no file, and helpers that cannot start or die leave the work to the thread."""

import os
import re
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.roster.cards import PassCard, qr_runs, qr_runs_many
from ui.common import procpool

pytestmark = pytest.mark.gui

VOLATILE = re.compile(rb"^.*(Date|DocumentID|/ID \[).*$", re.M)  # a PDF's time stamp and id


def pids(items):  # runs in a helper: module level, no Qt
    return [os.getpid() for _ in items]


def cards(n):
    return [
        PassCard("翔鹭花城", "居**号", f"1栋1单元{100 + i}", "h", "2026-11-29", "2027-02-26", t)
        for i, t in enumerate(f"GP1:r:{i}:s:1:{'ab' * (i % 40)}" for i in range(n))
    ]


@pytest.fixture
def helpers(qapp):  # a QApplication first: write_pdf would make a bare QGuiApplication
    procpool.shutdown()
    yield procpool
    procpool.shutdown()


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=120))
def test_the_runs_paint_exactly_the_cards_matrix(text):
    runs = qr_runs(text)
    painted = np.zeros((runs.size, runs.size), dtype=bool)
    for y, x, n in runs.triples():
        assert n > 0 and not painted[y, x : x + n].any()
        painted[y, x : x + n] = True
    assert (painted == np.array(PassCard("", "", "", "", "", "", text).matrix())).all()


def test_the_codes_are_made_in_other_processes_in_order(helpers):
    assert set(procpool.map_in_processes(pids, list(range(12)), chunk=3)) - {os.getpid()}
    texts = [c.qr_text for c in cards(30)]
    assert list(procpool.map_in_processes(qr_runs_many, texts, chunk=4)) == [
        qr_runs(t) for t in texts
    ]


def test_the_pdf_is_the_same_as_painted_on_the_thread(helpers, tmp_path):
    from ui.roster.pass_print import write_pdf

    batch = cards(20)
    texts = [c.qr_text for c in batch]
    on_thread, in_helpers = tmp_path / "thread.pdf", tmp_path / "helpers.pdf"
    assert write_pdf(batch, on_thread) == 3
    codes = procpool.map_in_processes(qr_runs_many, texts, chunk=3)
    assert write_pdf(batch, in_helpers, qrs=codes) == 3
    assert procpool.cpu_pool() is not None  # it did not fall back
    a, b = on_thread.read_bytes(), in_helpers.read_bytes()
    assert VOLATILE.sub(b"", a) == VOLATILE.sub(b"", b)


def test_a_cancelled_print_leaves_no_file_and_drops_the_work_in_flight(helpers, tmp_path):
    from ui.roster.pass_print import write_pdf

    batch = cards(40)
    stop = []
    codes = procpool.map_in_processes(
        qr_runs_many, [c.qr_text for c in batch], chunk=2, cancelled=lambda: bool(stop)
    )
    out = tmp_path / "passes.pdf"
    progress = lambda done, total: stop.append(1) if done == 5 else None  # noqa: E731
    assert write_pdf(batch, out, progress=progress, cancelled=lambda: bool(stop), qrs=codes) == 0
    assert list(tmp_path.iterdir()) == []  # neither the PDF nor its temp file
    assert codes.gi_frame is None  # the iterator was closed: its pending chunks cancelled


def test_helpers_that_cannot_start_leave_the_work_to_the_thread(helpers, monkeypatch, caplog):
    def refuse():
        raise OSError("no processes here")

    monkeypatch.setattr(procpool, "_make_pool", refuse)
    assert set(procpool.map_in_processes(pids, list(range(9)), chunk=2)) == {os.getpid()}
    assert procpool.cpu_pool() is None and "cannot start" in caplog.text


class DyingPool:
    """Helpers that die after the first chunk (killed by the OS, say)."""

    def __init__(self):
        self.calls = 0

    def submit(self, fn, chunk):
        self.calls += 1
        future: Future = Future()
        if self.calls == 1:
            future.set_result(fn(chunk))
        else:
            future.set_exception(BrokenProcessPool("a helper died"))
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_helpers_that_die_midway_leave_the_rest_to_the_thread(helpers, monkeypatch, caplog):
    monkeypatch.setattr(procpool, "_make_pool", DyingPool)
    texts = [c.qr_text for c in cards(10)]
    got = list(procpool.map_in_processes(qr_runs_many, texts, chunk=2))
    assert got == [qr_runs(t) for t in texts]  # every card once, in order
    assert procpool.cpu_pool() is None and "helper processes failed" in caplog.text


def test_the_roster_dialog_prints_through_the_helpers(helpers, gdb, clock, qtbot, tmp_path):
    from app.roster.service import RosterService
    from tests.fakes import roster_files as rf
    from ui.roster.dialog import RosterDialog

    svc = RosterService(gdb, clock)
    for i in range(12):
        svc.add({"name": f"居民{i}号", "id_number": rf.make_id("19700101", i + 1), "room": str(i)})
    submitted = []
    make = procpool._make_pool

    def spy():
        pool = make()
        submit = pool.submit
        pool.submit = lambda fn, chunk: submitted.append(len(chunk)) or submit(fn, chunk)
        return pool

    procpool.CHUNK, old = 5, procpool.CHUNK
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(procpool, "_make_pool", spy)
            dialog = RosterDialog(svc, "zh")
            qtbot.addWidget(dialog)
            with qtbot.waitSignal(dialog.printed, timeout=60_000) as printed:
                dialog.print_passes(str(tmp_path / "passes.pdf"))
    finally:
        procpool.CHUNK = old
    assert printed.args == [str(tmp_path / "passes.pdf")]
    assert submitted == [5, 5, 2]
