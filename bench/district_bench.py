#!/usr/bin/env python3
"""District server benchmark (#15) on PostgreSQL: the officer's page, the day's CSV and XLSX
over a day of --events events from --gates gates (written straight into the database with
COPY, the roll-ups rebuilt from them as the check command does), and ingest over HTTP from
--concurrent simulated gates pushing to a server process of its own: their signed requests
made beforehand, sent by --clients light processes, the server's CPU read from /proc.

    python bench/district_bench.py [--gates 500] [--events 2000000] [--concurrent 300]
        [--per-gate 500] [--clients 2] [--xlsx-events 200000] [--postgres URL] [--write-doc]

Each measurement runs in a fresh interpreter (tests/fakes/peakmem.py) for its peak memory.
The baseline in the same run: main's way of counting the page (every event body of the day
read into Python), and ingest with the roll-ups switched off.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest_push import prepare_gate, push  # noqa: E402
from bench.sync_bench import drop_pg, make_gate  # noqa: E402
from server.officer import set_officer  # noqa: E402
from server.run import free_port  # noqa: E402
from server.store import PostgresStore, utc_now  # noqa: E402
from tests.fakes.peakmem import measure  # noqa: E402

DAY, SMALL_DAY = "2026-11-29", "2026-11-28"
ARRIVAL = 50  # events a gate's batch brings at a time, in the generated days
PG_DEFAULT = "postgresql://gatepost:gatepost@127.0.0.1:5432/gatepost_test"
COLUMNS = (
    "event_id, device_id, seq, kind, body, created_utc, prev_hash, hash, local_date, received_utc, "
    "export_head, export_tail"
)


def schema_url(url: str) -> tuple[str, str]:
    """A fresh schema and the URL whose search_path is it."""
    import psycopg

    schema = "district_" + secrets.token_hex(4)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    return schema, f"{url}{sep}options=-csearch_path%3D{schema}"


def body(rng: random.Random, gate: int, i: int, day: str, kind: str) -> str:
    """A passage-like body of the size a gate sends (masked on export)."""
    b = {
        "id": f"g{gate}-{day}-{i}",
        "local_date": day,
        "ts_local": f"{day} {i % 24:02d}:{i % 60:02d}:{i % 59:02d}",
        "direction": "in" if rng.random() < 0.5 else "out",
        "category": "resident",
        "code_color": "green",
        "decision": "refused" if rng.random() < 0.02 else "pass",
        "temperature": 36.5,
        "person_name": "张三丰",
        "id_number": "350203199001011234",
        "phone": "13800001234",
        "building": str(1 + i % 30),
        "unit": str(1 + i % 4),
        "room": str(101 + i % 20),
        "volunteer": "李四",
        "checkpoint_id": f"gate-{gate}",
    }
    if kind == "void":
        b = {"id": b["id"], "target_id": f"g{gate}-{day}-{i - 1}", "reason": "wrong"}
    return json.dumps(b, ensure_ascii=False)


def fill(url: str, gates: int, per_day: dict[str, int]) -> float:
    """COPY the days' events into the events table, with the CSV cells ingest stores beside
    each body (server/export_rows.py); seconds taken."""
    import psycopg

    from server.export_rows import CsvLine, stored_cells

    line = CsvLine()

    rng = random.Random(15)
    kinds = ["passage"] * 90 + ["fever_check"] * 4 + ["passage_backfill"] * 2 + ["shift_event"] * 3
    start = time.perf_counter()
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            for g in range(gates):
                cur.execute(
                    "INSERT INTO devices(device_id, name, public_key, key_id, enrolled_via, "
                    "enrolled_utc) VALUES (%s, %s, 'k', %s, 'bench', 'now')",
                    (f"gate{g:04d}", f"卡口{g:04d}", f"k{g}"),
                )
        seq = dict.fromkeys(range(gates), 0)
        with conn.cursor() as cur, cur.copy(f"COPY events ({COLUMNS}) FROM STDIN") as copy:
            for day, n in per_day.items():
                each = n // gates
                # the gates' events interleaved as they arrive (a batch of up to ARRIVAL from
                # each gate in turn), not one gate's day after another's: a day's rows spread
                # over its pages as on a real server
                for g, i in (
                    (g, i)
                    for start in range(0, each, ARRIVAL)
                    for g in range(gates)
                    for i in range(start, min(start + ARRIVAL, each))
                ):
                    seq[g] += 1
                    kind = "void" if i % 200 == 199 else kinds[i % len(kinds)]
                    text = body(rng, g, i, day, kind)
                    copy.write_row(
                        (
                            f"g{g}-{day}-{i}",
                            f"gate{g:04d}",
                            seq[g],
                            kind,
                            text,
                            f"{day}T02:00:00Z",
                            "p",
                            "h",
                            None if kind == "void" else day,
                            f"{day}T02:00:01.000Z",
                            *stored_cells(line, kind, json.loads(text)),
                        )
                    )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE events")
    return time.perf_counter() - start


def rebuild(url: str) -> tuple[float, int]:
    """The roll-ups from the events, as `main.py server-rollups-check --fix` does."""
    from server import rollups

    store = PostgresStore(url)
    start = time.perf_counter()
    n = rollups.rebuild(store, utc_now())
    took = time.perf_counter() - start
    store.close()
    return took, n


PAGE = """
tracemalloc.stop()  # it slows every allocation; the peak is the RSS (VmHWM)
import http.cookiejar, urllib.parse, urllib.request
from server.store import PostgresStore
from server.run import ServerThread
store = PostgresStore({url!r})
times = []
with ServerThread(store) as srv:
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = urllib.parse.urlencode({{"username": "bench", "password": "correct horse"}}).encode()
    op.open(srv.url + "/login", data=form, timeout=60)
    for _ in range(3):
        t = time.perf_counter()
        page = op.open(srv.url + "/?date={day}", timeout=600).read()
        times.append(time.perf_counter() - t)
result = {{"times": times, "bytes": len(page), "gates": page.count(b"<tr class='gate ")}}
"""

OLD_PAGE = """
tracemalloc.stop()  # it slows every allocation; the peak is the RSS (VmHWM)
import json
from server.store import PostgresStore
store = PostgresStore({url!r})
t = time.perf_counter()
n = 0
for r in store.stream("SELECT device_id, event_id, kind, body FROM events WHERE local_date = ? "
                      "AND kind IN ('passage', 'fever_check')", ({day!r},)):
    json.loads(r["body"]); n += 1
for r in store.stream("SELECT device_id, body FROM events WHERE kind = 'void'"):
    json.loads(r["body"])
result = {{"seconds": time.perf_counter() - t, "rows": n}}
"""

CSV = """
tracemalloc.stop()  # it slows every allocation; the peak is the RSS (VmHWM)
from server.store import PostgresStore
from server.officer.exports import csv_chunks
store = PostgresStore({url!r})
t, cpu = time.perf_counter(), time.process_time()
size = rows = 0
for chunk in csv_chunks(store, {day!r}):
    size += len(chunk); rows += chunk.count(b"\\n")
result = {{"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu, "bytes": size,
          "rows": rows - 1}}
"""

XLSX = """
tracemalloc.stop()  # it slows every allocation; the peak is the RSS (VmHWM)
from server.store import PostgresStore
import tempfile
from server.officer.exports import xlsx_to
store = PostgresStore({url!r})
t, cpu = time.perf_counter(), time.process_time()
with tempfile.TemporaryFile() as fh:  # as the page sends it: from a temporary file
    xlsx_to(store, {day!r}, fh)
    size = fh.tell()
result = {{"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu,
          "bytes": size}}
"""


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("server did not start")


def vm_hwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:")) / 1024


def ingest_http(
    url: str,
    tmp: Path,
    gates: int,
    per_gate: int,
    rollups_on: bool,
    clients: int = 2,
    root: Path = ROOT,
) -> dict:
    """gates simulated gates push per_gate events each at once to one server process: made,
    paired and their requests signed beforehand (bench/ingest_push.py), pushed by `clients`
    processes; the window's CPU of the server, PostgreSQL, the clients and the machine."""
    import psycopg

    port = free_port()
    tag = "gatepost_bench_" + secrets.token_hex(4)  # names the server's PostgreSQL backends
    sep = "&" if "?" in url else "?"
    env = {**os.environ, "DATABASE_URL": f"{url}{sep}application_name={tag}"}
    env["PYTHONPATH"] = str(root)  # the server's code: this tree, or a baseline's
    code = (
        "import sys; from server import rollups\n"
        + (
            ""
            if rollups_on
            else "rollups.apply_events = lambda *a: None; rollups.note_seqs = lambda *a: None\n"
        )
        + f"from server.run import serve; serve({str(tmp / 'srv')!r}, port={port}, "
        "retention_days=3650)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=root)
    try:
        wait_port(port, proc)
        store = PostgresStore(url, size=4)
        begun = time.perf_counter()
        prepared = []
        for i in range(gates):
            folder = tmp / f"gate-{port}-{i}"  # a new gate every run
            prepared.append(prepare_gate(folder, per_gate, store, f"http://127.0.0.1:{port}"))
            shutil.rmtree(folder)
        setup = time.perf_counter() - begun
        with psycopg.connect(url, autocommit=True) as watch:

            def backends() -> list[int]:
                sql = "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
                return [int(r[0]) for r in watch.execute(sql, (tag,))]

            r = push(prepared, clients, proc.pid, backends)
        rss = vm_hwm_mb(proc.pid)
        with store.tx() as tx:
            held = tx.one("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events")
        assert held is not None
        store.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    total = gates * per_gate
    return {
        "gates": gates,
        "seconds": r.seconds,
        "setup_seconds": setup,
        "rate": total / r.seconds,
        "server_cpu": r.server_cpu,
        "per_server_cpu_s": total / r.server_cpu if r.server_cpu else float("inf"),  # < 1 tick
        "pg_us": r.pg_backends_cpu / total * 1e6,
        "pg_all_us": r.pg_all_cpu / total * 1e6,
        "client_cpu": r.client_cpu,
        "client_share": r.client_cpu / r.machine_busy,
        "machine_busy": r.machine_busy / r.machine_total,
        "load": r.load,
        "retries": sum(o.retries for o in r.outcomes),
        "converged": r.converged,
        "lost": total - int(held["d"]),
        "duplicated": int(held["n"]) - int(held["d"]),
        "server_rss_mb": rss,
    }


def ingest_row(r: dict) -> str:
    """One ingest run in the table's words."""
    return (
        f"{r['rate']:,.0f} events/s ({r['seconds']:.1f} s); "
        f"{r['per_server_cpu_s']:,.0f} events per server CPU-second (server "
        f"{r['server_cpu']:.1f} CPU-s, {r['server_cpu'] / r['seconds']:.0%} of a core); "
        f"PostgreSQL {r['pg_us']:.0f} CPU-µs/event in the server's backends "
        f"({r['pg_all_us']:.0f} all postgres processes); clients {r['client_share']:.0%} of "
        f"the busy CPU (machine {r['machine_busy']:.0%} busy, load {r['load']:.1f}); "
        f"{r['converged']}/{r['gates']} converged, {r['retries']} retries, {r['lost']} lost, "
        f"{r['duplicated']} duplicated, server peak RSS {r['server_rss_mb']:.0f} MB"
    )


def read_side(args: argparse.Namespace, out: Callable[[str, str], None]) -> None:
    """A day written straight into the database: the page, the CSV and the XLSX."""
    schema, url = schema_url(args.postgres)
    try:
        PostgresStore(url).migrate()
        older = {
            (date.fromisoformat(SMALL_DAY) - timedelta(days=k)).isoformat(): args.events
            for k in range(args.extra_days, 0, -1)
        }  # full days kept under retention, beside the two measured
        took = fill(url, args.gates, {**older, SMALL_DAY: args.small, DAY: args.events})
        total = args.events * (1 + args.extra_days) + args.small
        out(f"COPY {total:,} events, {args.gates} gates (setup)", f"{took:.0f} s")
        took, n = rebuild(url)
        out("roll-ups rebuilt from the events (`server-rollups-check --fix`)", f"{took:.1f} s")
        s = PostgresStore(url)
        set_officer(s, "bench", "correct horse")
        s.close()
        page = measure(PAGE.format(url=url, day=DAY), timeout=3600)
        times = sorted(page.result["times"])  # type: ignore[index]
        out(
            f"officer page, {args.events:,} events in the day, {page.result['gates']} gates",  # type: ignore[index]
            f"median {times[1]:.2f} s (first {page.result['times'][0]:.2f} s); "  # type: ignore[index]
            f"peak RSS {page.rss_mb:.0f} MB",
        )
        if not args.skip_baseline:
            old = measure(OLD_PAGE.format(url=url, day=DAY), timeout=3600)
            out(
                "baseline: main's page counting (every body of the day into Python, voids scan)",
                f"{old.result['seconds']:.1f} s, peak RSS {old.rss_mb:.0f} MB "  # type: ignore[index]
                f"(×{old.result['seconds'] / times[1]:.0f} the page above)",  # type: ignore[index]
            )
        trees = [("", ROOT)]
        if args.baseline_tree:  # interleaved with this tree's runs: the machine is shared
            trees.append((" (baseline tree)", Path(args.baseline_tree)))
        for day, n in ((SMALL_DAY, args.small), (DAY, args.events)):
            for label, root in trees:
                csv = measure(CSV.format(url=url, day=day), timeout=3600, root=root)
                rate = csv.result["rows"] / csv.result["seconds"]  # type: ignore[index]
                out(
                    f"CSV of a day of {n:,} events{label}",
                    f"{csv.result['seconds']:.1f} s, {rate:,.0f} rows/s "  # type: ignore[index]
                    f"({csv.result['rows'] / csv.result['cpu']:,.0f} a CPU second), "  # type: ignore[index]
                    f"peak RSS {csv.rss_mb:.0f} MB, load {os.getloadavg()[0]:.1f}",
                )
        for day, n in ((SMALL_DAY, args.small), (DAY, args.events)):
            if n > args.xlsx_events:
                continue
            for label, root in trees:
                xl = measure(XLSX.format(url=url, day=day), timeout=3600, root=root)
                rate = n / xl.result["seconds"]  # type: ignore[index]
                out(
                    f"XLSX of a day of {n:,} events{label}",
                    f"{xl.result['seconds']:.1f} s, {rate:,.0f} rows/s "  # type: ignore[index]
                    f"({n / xl.result['cpu']:,.0f} a CPU second), "  # type: ignore[index]
                    f"peak RSS {xl.rss_mb:.0f} MB, load {os.getloadavg()[0]:.1f}",
                )
        if args.purge:
            with tempfile.TemporaryDirectory() as d:
                p = purge_side(url, Path(d))
            out(
                f"retention purge of {p['events']:,} events, 5,000 a transaction, "
                "one gate ingesting 100-event batches meanwhile",
                f"{p['seconds']:.0f} s, {p['events'] / p['seconds']:,.0f} events/s; the gate's "
                f"batches: {p['before_p50'] * 1000:.0f} ms median before (max "
                f"{p['before_max'] * 1000:.0f}), {p['during_p50'] * 1000:.0f} ms median during, "
                f"p95 {p['during_p95'] * 1000:.0f}, max {p['during_max'] * 1000:.0f} "
                f"({p['batches']} batches)",
            )
    finally:
        drop_pg(args.postgres, schema)


def purge_side(url: str, tmp: Path, days: int = 28) -> dict:
    """Purge the days written above (today = the big day + days + 2) while one gate ingests
    batches of 100 events: the purge's rate, and the gate's batch times before and during."""
    from datetime import date, timedelta

    from app.sync.identity import load_identity
    from app.sync.protocol import event_from_row
    from server import retention
    from server.ingest import ingest

    store = PostgresStore(url)
    gdb = make_gate(tmp / "purge-gate", 20_000)
    ident = load_identity(gdb.conn)
    events = [event_from_row(r) for r in gdb.conn.execute("SELECT * FROM outbox ORDER BY seq")]
    gdb.close()
    times: list[tuple[float, float]] = []  # (when, seconds) of each batch
    stop = threading.Event()

    def push() -> None:
        for i in range(0, len(events), 100):
            if stop.is_set():
                return
            start = time.perf_counter()
            ingest(store, ident.device_id, events[i : i + 100])
            times.append((start, time.perf_counter() - start))
            time.sleep(0.05)

    pusher = threading.Thread(target=push)
    pusher.start()
    time.sleep(5)  # batches before the purge
    begun = time.perf_counter()
    result = retention.purge(store, date.fromisoformat(DAY) + timedelta(days=days + 2), days)
    took = time.perf_counter() - begun
    stop.set()
    pusher.join()
    store.close()
    before = sorted(t for at, t in times if at < begun)
    during = sorted(t for at, t in times if begun <= at < begun + took)

    def pct(xs: list[float], q: float) -> float:
        return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")

    return {
        "seconds": took,
        "events": result.counts["events"],
        "before_p50": pct(before, 0.5),
        "before_max": before[-1] if before else float("nan"),
        "during_p50": pct(during, 0.5),
        "during_p95": pct(during, 0.95),
        "during_max": during[-1] if during else float("nan"),
        "batches": len(during),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gates", type=int, default=500)
    ap.add_argument("--events", type=int, default=2_000_000, help="events in the measured day")
    ap.add_argument("--small", type=int, default=200_000, help="events in a smaller day")
    ap.add_argument("--xlsx-events", type=int, default=200_000, help="XLSX only up to this day")
    ap.add_argument("--concurrent", type=int, default=300)
    ap.add_argument("--per-gate", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=2, help="ingest runs with and without")
    ap.add_argument("--clients", type=int, default=2, help="processes pushing the gates")
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument(
        "--extra-days",
        type=int,
        default=0,
        help="also fill this many older days of --events each (the table then holds several "
        "days, as under retention; the measured day is one of them)",
    )
    ap.add_argument("--skip-read", action="store_true", help="only the ingest part")
    ap.add_argument("--purge", action="store_true", help="then purge the days, ingest going on")
    ap.add_argument("--skip-baseline", action="store_true", help="not main's page counting")
    ap.add_argument(
        "--baseline-tree",
        help="also run the CSV, the XLSX and the ingest server with the code of this checkout "
        "(e.g. main's, from `git archive main`), interleaved, for ratios in one sitting",
    )
    ap.add_argument("--postgres", default=os.environ.get("GATEPOST_TEST_DATABASE_URL", PG_DEFAULT))
    ap.add_argument("--write-doc", action="store_true", help="update docs/BENCHMARKS.md")
    args = ap.parse_args()
    rows: list[tuple[str, str]] = []

    def out(what: str, result: str) -> None:
        rows.append((what, result))
        print(f"| {what} | {result} |", flush=True)

    print("| what | result |\n| --- | --- |")
    if not args.skip_read:
        read_side(args, out)
    if not args.skip_ingest:
        runs: dict[bool, list[dict]] = {True: [], False: []}
        kinds: list[tuple[bool, Path]] = [(True, ROOT), (False, ROOT)]
        if args.baseline_tree:  # the server's code from that tree, roll-ups kept
            kinds.append((True, Path(args.baseline_tree)))
        with tempfile.TemporaryDirectory() as d:
            for on, root in kinds * args.rounds:  # interleaved: the machine is shared
                schema, url = schema_url(args.postgres)
                try:
                    r = ingest_http(
                        url, Path(d), args.concurrent, args.per_gate, on, args.clients, root
                    )
                finally:
                    drop_pg(args.postgres, schema)
                if root != ROOT:
                    out(
                        f"ingest over HTTP, {args.concurrent} gates × {args.per_gate} at once, "
                        f"one server process running the baseline tree's code, roll-ups kept",
                        ingest_row(r),
                    )
                    continue
                runs[on].append(r)
                label = "roll-ups kept" if on else "baseline: roll-ups off"
                out(
                    f"ingest over HTTP, {args.concurrent} gates × {args.per_gate} at once, "
                    f"one server process, pushed by {args.clients} client processes ({label})",
                    ingest_row(r),
                )
        if runs[True] and runs[False]:
            out(
                "ingest, roll-ups kept ÷ baseline (medians of the runs above)",
                f"wall events/s ×{_ratio(runs, 'rate'):.2f}, "
                f"events per server CPU-second ×{_ratio(runs, 'per_server_cpu_s'):.2f}",
            )
    if args.write_doc:
        write_doc(args, rows)
    return 0


def _ratio(runs: dict[bool, list[dict]], key: str) -> float:
    return statistics.median(r[key] for r in runs[True]) / statistics.median(
        r[key] for r in runs[False]
    )


def write_doc(args: argparse.Namespace, rows: list[tuple[str, str]]) -> None:
    from bench.benchlib import update_doc

    command = (
        f"GATEPOST_TEST_DATABASE_URL=... .venv/bin/python bench/district_bench.py "
        f"--gates {args.gates} --events {args.events} --small {args.small} "
        f"--xlsx-events {args.xlsx_events} --concurrent {args.concurrent} "
        f"--per-gate {args.per_gate} --rounds {args.rounds} --clients {args.clients} --write-doc"
    )
    lines = [
        "## District server (#15)",
        "",
        "Command (from the repository root, PostgreSQL 15 running locally):",
        "",
        "```",
        command,
        "```",
        "",
        "| what | result |",
        "| --- | --- |",
        *[f"| {w} | {r} |" for w, r in rows],
        "",
    ]
    update_doc(ROOT / "docs" / "BENCHMARKS.md", "\n".join(lines), "District server (#15)")


if __name__ == "__main__":
    sys.exit(main())
