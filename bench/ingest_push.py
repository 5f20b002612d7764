"""Ingest measured at the server (#15): each simulated gate is made and paired for real, and the
real SyncClient builds and signs its whole backlog beforehand (HttpTransport's own requests,
kept in memory); then a few light client processes push those bytes at once over keep-alive
connections, and the CPU of the server, PostgreSQL, the clients and the machine is read from
/proc over the timed window. No SQLite, signing or JSON encoding inside the window."""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.sync.backoff import Backoff
from app.sync.identity import SyncIdentity, load_identity
from app.sync.protocol import BatchReply, EventResult, InvalidReply, parse_head, parse_reply
from app.sync.transport import HttpTransport, WireRequest
from bench.procstat import cpu_of, machine_cpu, named_cpu, process_cpu
from bench.sync_bench import client_for, make_gate
from server.store import Store


@dataclass(frozen=True)
class Batch:
    wire: WireRequest
    sent: list[dict[str, Any]]  # each event's seq and event_id: what the reply must answer


@dataclass(frozen=True)
class PreparedGate:
    head: WireRequest
    batches: list[Batch]
    events: int


class Recorder:
    """The SyncClient's transport while preparing: HttpTransport builds and signs each batch,
    which is kept instead of sent and answered as a fresh server would (all accepted)."""

    def __init__(self, http: HttpTransport) -> None:
        self.http = http
        self.batches: list[Batch] = []

    def head(self, identity: SyncIdentity) -> int:
        return 0  # a gate paired a moment ago: the server holds nothing of it

    def send(self, identity: SyncIdentity, events: list[dict[str, Any]]) -> BatchReply:
        sent = [{"seq": e["seq"], "event_id": e["event_id"]} for e in events]
        self.batches.append(Batch(self.http.batch_request(identity, events), sent))
        results = [EventResult(e["seq"], e["event_id"], "accepted") for e in events]
        return BatchReply(results, events[-1]["seq"])

    def enrol(self, server_url: str, code: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.http.enrol(server_url, code, body)


def prepare_gate(folder: Path, events: int, store: Store, server_url: str) -> PreparedGate:
    """A new gate with `events` in its outbox, paired over HTTP, and the requests its first
    sync would send: the real client's run (its batch size, order and signing) recorded."""
    gdb = make_gate(folder, events)
    try:
        client = client_for(gdb, store, server_url)
        http = client.transport
        assert isinstance(http, HttpTransport)
        recorder = Recorder(http)
        client.transport = recorder
        report = client.run()
        assert report.ok and report.accepted == events, report
        head = http.head_request(load_identity(gdb.conn))
    finally:
        gdb.close()
    return PreparedGate(head, recorder.batches, events)


@dataclass
class GateOutcome:
    events: int  # in the gate's backlog
    accepted: int = 0
    duplicate: int = 0  # answered so to a batch sent again after a failed attempt
    failed: int = 0  # rejected, or duplicate on a first attempt, or never answered
    retries: int = 0
    seconds: float = 0.0
    error: str | None = None

    def converged(self) -> bool:
        done = self.accepted + self.duplicate
        return self.error is None and not self.failed and done == self.events


class _Link:
    """One keep-alive connection to the server, opened again after an error."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.timeout = parts.hostname or "", parts.port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def exchange(self, wire: WireRequest) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        method = "POST" if wire.body is not None else "GET"
        try:
            self.conn.request(method, urlsplit(wire.url).path, wire.body, wire.headers)
            resp = self.conn.getresponse()
            return resp.status, resp.read()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def push_gate(gate: PreparedGate, attempts: int = 20, timeout: float = 120.0) -> GateOutcome:
    """What a gate does: ask the head, then send its batches in order, one at a time; a 429,
    5xx, connection error or non-reply is tried again after a short backoff."""
    out = GateOutcome(gate.events)
    link = _Link(gate.head.url, timeout)
    backoff = Backoff(base=0.05, cap=1.0)
    start = time.perf_counter()
    try:
        for wire, sent in [(gate.head, None)] + [(b.wire, b.sent) for b in gate.batches]:
            for attempt in range(attempts):
                if attempt:
                    out.retries += 1
                    backoff.wait()
                try:
                    status, raw = link.exchange(wire)
                except (OSError, http.client.HTTPException) as exc:
                    out.error = f"{exc.__class__.__name__}: {exc}"
                    continue
                if status == 429 or status >= 500:
                    out.error = f"HTTP {status}"
                    continue
                if status != 200:  # the gate stops and tells a person
                    out.error = f"HTTP {status}"
                    return out
                try:
                    reply = parse_reply(raw, sent) if sent is not None else parse_head(raw)
                except InvalidReply as exc:
                    out.error = f"invalid reply: {exc}"
                    continue
                out.error = None
                if isinstance(reply, BatchReply):
                    _count(out, reply, attempt > 0)
                elif reply != 0:
                    out.error = f"head {reply} for a new gate"
                    return out
                backoff.reset()
                break
            else:
                return out  # out.error says what the last attempt met
    finally:
        link.close()
        out.seconds = time.perf_counter() - start
    return out


def _count(out: GateOutcome, reply: BatchReply, again: bool) -> None:
    for r in reply.results:
        if r.status == "accepted":
            out.accepted += 1
        elif r.status == "duplicate" and again:
            out.duplicate += 1
        else:
            out.failed += 1


def _client_process(gates: list[PreparedGate], ready: Any, go: Any, results: Any) -> None:
    """One client process: a thread per gate, all released together when `go` is set."""
    outcomes = [GateOutcome(g.events, error="client thread died") for g in gates]
    release = threading.Event()

    def run(i: int) -> None:
        release.wait()
        outcomes[i] = push_gate(gates[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(gates))]
    for t in threads:
        t.start()
    ready.put(os.getpid())
    go.wait()
    before = time.process_time()  # every thread's, user and system, to the nanosecond
    release.set()
    for t in threads:
        t.join()
    results.put((time.process_time() - before, outcomes))


@dataclass
class PushResult:
    seconds: float
    events: int
    outcomes: list[GateOutcome]
    converged: int
    server_cpu: float  # CPU seconds of the server process over the window
    pg_backends_cpu: float  # of the server's PostgreSQL backends
    pg_all_cpu: float  # of every postgres process (WAL writer, checkpointer, anyone's backends)
    client_cpu: float
    machine_busy: float  # CPU seconds of the whole machine
    machine_total: float
    load: float


def push(
    gates: list[PreparedGate],
    clients: int,
    server_pid: int,
    backends: Callable[[], list[int]],
    timeout: float = 1800.0,
) -> PushResult:
    """The gates pushed from `clients` spawned processes at once; the window runs from the
    release to the last client's answer. `backends` lists the server's PostgreSQL backends."""
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    shares = [gates[i::clients] for i in range(clients)]
    procs = [ctx.Process(target=_client_process, args=(s, ready, go, results)) for s in shares]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            _wait(ready, procs, timeout)
        pg_before = cpu_of(backends())
        server0, pg0, m0 = process_cpu(server_pid), named_cpu("postgres"), machine_cpu()
        start = time.perf_counter()
        go.set()
        got = [_wait(results, procs, timeout) for _ in procs]
        took = time.perf_counter() - start
        server1, pg1, m1 = process_cpu(server_pid), named_cpu("postgres"), machine_cpu()
        pg_after = cpu_of(backends())
        load = os.getloadavg()[0]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    outcomes = [o for _, share in got for o in share]
    return PushResult(
        seconds=took,
        events=sum(g.events for g in gates),
        outcomes=outcomes,
        converged=sum(o.converged() for o in outcomes),
        server_cpu=server1 - server0,
        pg_backends_cpu=sum(cpu - pg_before.get(pid, 0.0) for pid, cpu in pg_after.items()),
        pg_all_cpu=pg1 - pg0,
        client_cpu=sum(cpu for cpu, _ in got),
        machine_busy=m1.busy - m0.busy,
        machine_total=m1.total - m0.total,
        load=load,
    )


def _wait(q: Any, procs: list[Any], timeout: float) -> Any:
    """The next item of q; a client process that died (or a stall) ends the run, not hangs it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return q.get(timeout=1)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise RuntimeError("a client process died") from None
    raise RuntimeError("the client processes did not answer in time")
