#!/usr/bin/env python3
"""How long does the GUI thread stall while slow work runs? (#12)

Drives the real gate window offscreen (MainWindow + install_features, a file database) through
an export of a 20,000-passage day, a 5,000-row roster import, printing 5,000 passes (issued
first), a confirmed retention purge and a 60,000-event sync backlog to a loopback server. A
10 ms QTimer probe runs on the GUI thread throughout; a stall is the longest gap between two
probe ticks minus the 10 ms interval, i.e. how long a key press or a scan would have waited.

    QT_QPA_PLATFORM=offscreen python bench/gui_stall_bench.py [--scale 1.0] [--doc]

--scale shrinks every size (0.1 for a quick look); --doc writes the table into
docs/BENCHMARKS.md. Goal: <= 50 ms for each row.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import socket  # noqa: E402
import subprocess  # noqa: E402

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

PROBE_MS = 10
PIN = "246810"
SERVER_CODE = (
    "import sys; from pathlib import Path; from server.run import serve; "
    "serve(Path(sys.argv[1]), port=int(sys.argv[2]))"
)


def wait_for_port(port: int, timeout_s: float = 30.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no server on port {port}")


class StallWitness:
    """--why: a thread that looks at the GUI thread's stack when the probe is 40 ms late, so a
    stall names its cause (the innermost frames of our code)."""

    def __init__(self, probe: Probe) -> None:
        import threading

        self.probe = probe
        self.main = threading.main_thread().ident
        self.seen: dict[str, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="stall-witness", daemon=True)
        self.thread.start()
        # a collection holds the GIL throughout, whichever thread's allocation set it off
        self.gc_started = 0.0
        self.gc_longest: tuple[float, int] = (0.0, 0)
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.gc_started = time.perf_counter()
        elif self.gc_started:
            took = time.perf_counter() - self.gc_started
            if took > self.gc_longest[0]:
                self.gc_longest = (took, info["generation"])

    def _watch(self) -> None:
        import threading
        import traceback

        while not self.stop.wait(0.005):
            late = time.perf_counter() - self.probe.last
            if late < 0.04 or self.main is None:
                continue
            frames = sys._current_frames()
            frame = frames.get(self.main)
            if frame is None:
                continue
            key = self._where(traceback.extract_stack(frame))
            self.seen[key] = self.seen.get(key, 0) + 1
            if "run_until" in key:  # the GUI thread waits (for the GIL): who holds it?
                me = threading.get_ident()
                for ident, other in frames.items():
                    if ident in (self.main, me):
                        continue
                    where = self._where(traceback.extract_stack(other))
                    if where and "wait" not in where:
                        k = "  [other thread] " + where
                        self.seen[k] = self.seen.get(k, 0) + 1

    @staticmethod
    def _where(stack: Any) -> str:
        ours = [
            f"{Path(f.filename).name}:{f.lineno} {f.name}"
            for f in stack
            if "/site-packages/" not in f.filename and "/lib/python" not in f.filename
        ]
        return " <- ".join(reversed(ours[-3:]))

    def report(self) -> None:
        for key, n in sorted(self.seen.items(), key=lambda kv: -kv[1])[:5]:
            print(f"      {n * 5:5d} ms in {key}")
        self.seen.clear()
        took, generation = self.gc_longest
        print(f"      longest garbage collection {took * 1000:.1f} ms (generation {generation})")
        self.gc_longest = (0.0, 0)


class Probe:
    """A 10 ms timer on the GUI thread; the longest gap between its ticks is the stall."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.reset()
        self.timer.start()

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0
        self.ticks = 0

    def stall_ms(self) -> float:
        return max(0.0, self.worst * 1000.0 - PROBE_MS)


def run_until(done: Callable[[], bool], timeout_s: float) -> None:
    """Let the event loop run (the probe ticks) until done() or the timeout."""
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(5)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    check.start()
    limit = QTimer()
    limit.setSingleShot(True)
    limit.timeout.connect(loop.quit)
    limit.start(int(timeout_s * 1000))
    loop.exec()
    check.stop()
    limit.stop()  # stopped here, on the GUI thread: never by a collector on a worker thread
    if not done():
        raise TimeoutError(f"not done after {timeout_s:.0f} s")


WITNESS: StallWitness | None = None


def measure(probe: Probe, label: str, start: Callable[[], Any], done: Callable[[], bool]) -> dict:
    run_until(lambda: True, 0.2)  # settle: earlier work's callbacks are not counted here
    probe.reset()
    if WITNESS is not None:
        WITNESS.seen.clear()
        WITNESS.gc_longest = (0.0, 0)
    t0 = time.perf_counter()
    start()
    run_until(done, 1800)
    wall = time.perf_counter() - t0
    row = {"what": label, "stall_ms": probe.stall_ms(), "wall_s": wall, "ticks": probe.ticks}
    print(f"{label:<48} stall {row['stall_ms']:7.1f} ms   wall {wall:7.1f} s", flush=True)
    if WITNESS is not None:
        WITNESS.report()
    return row


def measure_n(
    probe: Probe,
    label: str,
    start: Callable[[], Any],
    done: Callable[[], bool],
    repeat: int,
    reset: Callable[[], None] = lambda: None,
) -> dict:
    """The same work `repeat` times: the row is the median stall (and wall), with each run's."""
    import statistics

    runs = []
    for _ in range(repeat):
        reset()
        runs.append(measure(probe, label, start, done))
    row = dict(runs[-1])
    row["stall_ms"] = statistics.median(r["stall_ms"] for r in runs)
    row["wall_s"] = statistics.median(r["wall_s"] for r in runs)
    row["runs"] = [r["stall_ms"] for r in runs]
    return row


def runner_settings() -> dict[str, Callable[[], None]]:
    """The runner's GIL settings before #12's change and after."""
    from ui.common import runner

    def setting(switch: float, every: float) -> Callable[[], None]:
        def apply() -> None:
            sys.setswitchinterval(switch)
            runner.PROGRESS_EVERY_S = every

        return apply

    return {
        "runner before": setting(0.005, 0.0),
        "runner after": setting(0.001, runner.PROGRESS_EVERY_S),
    }


def helper_settings() -> dict[str, Callable[[], None]]:
    """Pass cards' QR codes on the runner's thread (as before) or in helper processes."""
    from ui.common import procpool

    def on_thread() -> None:
        procpool._BROKEN = True  # what a bundle whose helpers cannot start does

    def in_helpers() -> None:
        procpool._BROKEN = False

    return {"QR on the thread": on_thread, "QR in helpers": in_helpers}


def compare(
    probe: Probe,
    label: str,
    start: Callable[[], Any],
    done: Callable[[], bool],
    reset: Callable[[], None],
    repeat: int,
    variants: dict[str, Callable[[], None]] | None = None,
) -> None:
    """--compare: two settings of the same work on the same window, alternated."""
    import statistics

    variants = variants or runner_settings()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeat):
        for name, apply in variants.items():
            apply()
            reset()
            samples[name].append(measure(probe, f"{label}, {name}", start, done)["stall_ms"])
    for name, stalls in samples.items():
        each = " / ".join(f"{x:.1f}" for x in stalls)
        print(f"{label}, {name}: median stall {statistics.median(stalls):.1f} ms ({each})")
    list(variants.values())[-1]()  # the last (the current code's) setting stays


CASES = ("refresh", "export", "import", "print", "purge", "sync")


def make_roster_csv(path: Path, n: int) -> Path:
    from tests.fakes import roster_files as rf

    rows = rf.compound_rows(n)
    return rf.write_csv(path, rows, "utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--doc", action="store_true", help="write the table into docs/BENCHMARKS.md")
    ap.add_argument("--why", action="store_true", help="name where each stall was spent")
    ap.add_argument("--only", default=",".join(CASES), help="a comma list of " + ", ".join(CASES))
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs of the baseline, refresh, export and print"
    )
    ap.add_argument(
        "--compare",
        action="store_true",
        help="print again with the runner's old GIL settings and the new, alternated (and for"
        " printing: the QR codes on the thread and in helper processes)",
    )
    args = ap.parse_args()
    only = set(args.only.split(","))
    n = max(1, args.repeat)
    global WITNESS
    s = args.scale
    n_day, n_roster, n_events = int(20_000 * s), int(5_000 * s), int(60_000 * s)

    qapp = QApplication.instance() or QApplication([])  # noqa: F841 - kept alive
    from app.clock import SystemClock
    from app.database import open_database
    from app.gate.service import GateService
    from app.officer import OfficerAuth
    from app.reports.demo import generate, utc_offset_seconds
    from app.roster.service import RosterService
    from app.shifts.service import ShiftService
    from server import devices
    from server.run import free_port
    from server.store import open_store
    from tests.sync.conftest import add_events
    from ui.app import install_features
    from ui.common.ready import freeze_startup_heap
    from ui.common.runner import wait_for_all
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow
    from ui.reports.export_dialog import ExportDialog
    from ui.roster.dialog import RosterDialog
    from ui.roster.importing import ImportDialog

    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "gate").mkdir()
        gdb = open_database(tmp / "gate")
        clock = SystemClock()
        today = clock.now().date()
        print(f"filling: 3 days of ~{n_day:,} passages …", flush=True)
        generate(
            gdb.conn,
            days=3,
            residents=max(10, int(n_day / 3.8)),
            key=gdb.device.hash_key,
            today=today,
            utc_offset_s=utc_offset_seconds(clock.now()),
        )
        day = (today - timedelta(days=1)).isoformat()
        OfficerAuth(gdb).set_pin(PIN)
        shifts = ShiftService(gdb)
        shifts.start(shifts.add_volunteer("王阿姨")["id"])
        service = GateService(gdb)
        service.settings.set("retention_days", 2)  # the oldest day is due for the purge
        window = MainWindow(service, None, sounds=Sounds(enabled=False), lang="zh")
        install_features(window, gdb)
        freeze_startup_heap()  # as the app does once its window is ready
        window.resize(1366, 728)
        window.show()
        features = window.features["shifts"]
        chip = window.features["sync"].widget  # type: ignore[attr-defined]
        chip.online_interval_ms = 0  # the timer stays out of the way until the sync row
        chip.next_timer.stop()
        run_until(lambda: features.purge_task is None, 120)  # the start's purge (a warning)

        probe = Probe()
        probe.start()
        if args.why:
            WITNESS = StallWitness(probe)

        # 0. nothing running: what the machine itself costs the probe (a shared, busy box)
        idle_end = [0.0]

        def idle_reset() -> None:
            idle_end[0] = time.perf_counter() + 5.0

        rows.append(
            measure_n(
                probe,
                "nothing running (5 s, the baseline)",
                lambda: None,
                lambda: time.perf_counter() >= idle_end[0],
                n,
                idle_reset,
            )
        )

        # for comparison: what the window itself does on the GUI thread after every passage
        if "refresh" in only:
            rows.append(
                measure_n(
                    probe,
                    "window.refresh() (after each passage; comparison)",
                    window.refresh,
                    lambda: True,
                    n,
                )
            )

        # the window's own periodic work (the clock tick refreshes the lists every minute, the
        # roster hook looks for overdue visitors) is measured by the row above; it stops here
        # so that the rows below show what each piece of work itself costs the GUI thread
        window._tick.stop()
        hook_timer = getattr(window.features.get("roster"), "timer", None)
        if hook_timer is not None:
            hook_timer.stop()

        # 1. export a day
        dlg = ExportDialog(features.reports, "zh", window)
        dlg.date_from.setDate(dlg.date_from.date().fromString(day, "yyyy-MM-dd"))
        dlg.date_to.setDate(dlg.date_to.date().fromString(day, "yyyy-MM-dd"))
        dlg.format.setCurrentText("xlsx")
        dlg.path.setText(str(tmp / "day.xlsx"))
        ended: list[str] = []
        dlg.done.connect(ended.append)
        n_exp = gdb.conn.execute(
            "SELECT count(*) FROM passages WHERE local_date = ?", (day,)
        ).fetchone()[0]

        def start_export() -> None:
            dlg.pin.setText(PIN)
            dlg.start()

        if "export" in only:
            rows.append(
                measure_n(
                    probe,
                    f"export a day to XLSX ({n_exp:,} passages)",
                    start_export,
                    lambda: bool(ended),
                    n,
                    ended.clear,
                )
            )
            assert "导出" in ended[0] or "Exported" in ended[0], ended
            if args.compare:
                compare(probe, "export a day", start_export, lambda: bool(ended), ended.clear, n)

        # 2. roster import
        csv_path = make_roster_csv(tmp / "roster.csv", n_roster)
        roster = RosterService(gdb, clock)
        imp = ImportDialog(roster, "zh", window)
        imported: list[Any] = []
        imp.imported.connect(imported.append)
        imp.failed.connect(imported.append)
        imp.planned.connect(lambda plan: imp.start_import())
        if "import" in only:
            rows.append(
                measure(
                    probe,
                    f"roster import ({n_roster:,} rows: preview + write)",
                    lambda: imp.load(str(csv_path)),
                    lambda: bool(imported),
                )
            )
            assert getattr(imported[0], "imported", 0) == n_roster, imported

        # 3. print passes for everyone (issued first: one transaction per resident)
        rd = RosterDialog(roster, "zh", window)
        printed: list[str] = []
        rd.printed.connect(printed.append)
        n_print = gdb.conn.execute("SELECT count(*) FROM residents").fetchone()[0]
        if "print" in only:  # the first run issues the passes; later runs only print them
            rows.append(
                measure_n(
                    probe,
                    f"print {n_print:,} passes (PDF; the first run issues them)",
                    lambda: rd.print_passes(str(tmp / "passes.pdf")),
                    lambda: bool(printed),
                    n,
                    printed.clear,
                )
            )
            assert printed[0].endswith("passes.pdf"), printed
        if args.compare and "print" in only:  # the runner's settings, then the QR helpers
            for variants in (runner_settings(), helper_settings()):
                compare(
                    probe,
                    f"print {n_print:,} issued passes",
                    lambda: rd.print_passes(str(tmp / "passes.pdf")),
                    lambda: bool(printed),
                    printed.clear,
                    n,
                    variants,
                )

        # 4. the purge, confirmed by the officer
        purged: list[Any] = []
        features.purged.connect(purged.append)
        features.verify_pin = lambda parent, officer: PIN
        if "purge" in only:
            rows.append(
                measure(
                    probe,
                    "retention purge (oldest day, confirmed)",
                    features.confirm_purge,
                    lambda: bool(purged),
                )
            )
            assert purged[0] is not None and purged[0]["counts"].get("passages"), purged

        # 5. a sync backlog to a loopback server
        if "sync" in only:
            gdb.conn.execute("UPDATE outbox SET acked_utc = '2026-01-01T00:00:00Z'")
            add_events(gdb.conn, n_events)
            server_dir = tmp / "server"
            server_dir.mkdir()
            store = open_store(server_dir)
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            enrol_text = devices.new_enrolment(store, url)
            store.close()
            # its own process: an in-process server would compete with the GUI for the GIL,
            # which a real gate never has to
            server = subprocess.Popen(
                [sys.executable, "-c", SERVER_CODE, str(server_dir), str(port)],
                cwd=str(Path(__file__).resolve().parents[1]),
            )
            try:
                wait_for_port(port)
                chip.service.enrol(enrol_text)
                chip.online_interval_ms = 5_000
                rows.append(
                    measure(
                        probe,
                        f"sync backlog ({n_events:,} events, loopback)",
                        lambda: chip.start_attempt(manual=True),
                        lambda: (
                            chip.last_status is not None
                            and chip.last_status.waiting == 0
                            and not chip.busy
                        ),
                    )
                )
            finally:
                chip.shutdown()
                wait_for_all(30_000)
                server.terminate()
                server.wait(30)
        window.close()
        probe.timer.stop()
        wait_for_all(30_000)
        gdb.close()

    if args.doc and only >= set(CASES):  # the table is of a full run only
        write_doc(rows, s, n)
    return 0


NOTES = "<!-- notes: kept by --doc -->"


def write_doc(rows: list[dict], scale: float, repeat: int = 1) -> None:
    import platform

    doc = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"
    text = doc.read_text("utf-8")
    head = "## GUI-thread stalls (issue #12)"
    lines = [
        head,
        "",
        "`QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_stall_bench.py --doc"
        + (f" --repeat {repeat}" if repeat > 1 else "")
        + "`"
        + (f" (scale {scale})" if scale != 1.0 else ""),
        "",
        "The real window (MainWindow + install_features, a file database) with a 10 ms QTimer "
        "probe on the GUI thread; *stall* is the longest gap between two ticks minus 10 ms. "
        "The window's minute tick and overdue check are stopped after the `window.refresh()` "
        "row, so each row below is the work itself (the purge row includes the "
        "`window.refresh()` it ends with). `--why` names the GUI-thread code seen during a stall.",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end of the run (the box is shared: "
        "the baseline row is the noise floor, and single rows vary run to run).",
        "",
        "| work | longest GUI stall | wall time | goal |",
        "|---|---:|---:|---|",
    ]
    for r in rows:
        ok = "ok" if r["stall_ms"] <= 50 else "**over**"
        what = r["what"]
        if len(r.get("runs", ())) > 1:
            each = " / ".join(f"{x:.0f}" for x in r["runs"])
            what += f"; median of {len(r['runs'])} runs: {each} ms"
        lines.append(f"| {what} | {r['stall_ms']:.0f} ms | {r['wall_s']:.1f} s | ≤ 50 ms {ok} |")
    if head in text:  # the cold start row is bench/cold_start_bench.py's: it stays
        start = text.index(head)
        nxt = text.find("\n## ", start + len(head))
        end = nxt + 1 if nxt != -1 else len(text)
        lines += [ln for ln in text[start:end].split("\n") if ln.startswith("| cold start")]
    lines.append("")
    block = "\n".join(lines) + "\n"
    if head in text:
        notes = text.find(NOTES, start, end)  # the hand-written reading of the table stays
        if notes != -1:
            block += text[notes:end]
        text = text[:start] + block + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    doc.write_text(text, "utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
