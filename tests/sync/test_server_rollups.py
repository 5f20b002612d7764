"""Counts kept at ingest (#15 item 1, the server half of #17): whatever order, duplicates,
voids and gaps the batches arrive with, the roll-ups and the sync state equal what the events
say, and the page's numbers equal a plain count of the events."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import outbox
from server import rollups
from server.ingest import ingest
from server.officer import day_numbers, gate_rows
from server.store import SqliteStore, Store

DAYS = ("2026-11-28", "2026-11-29")


def chain(device: str, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outbox events (hash-chained as a gate sends them) from record specs."""
    prev, out = outbox.GENESIS, []
    for seq, spec in enumerate(specs, 1):
        kind = spec.pop("kind")
        body = outbox.canonical(spec)
        digest = outbox.chain_hash(prev, spec["id"], kind, body)
        out.append(
            {
                "seq": seq,
                "event_id": spec["id"],
                "kind": kind,
                "body": body,
                "created_utc": "2026-11-29T00:00:00Z",
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return out


def records(rng: random.Random, device: str, n: int) -> list[dict[str, Any]]:
    """A gate's day: desk and 补录 passages, fever checks, shifts, voids of earlier passages
    (sometimes twice, sometimes of an id the server never sees)."""
    specs: list[dict[str, Any]] = []
    passages: list[str] = []
    for i in range(n):
        rid = f"{device}-r{i}"
        roll = rng.random()
        if roll < 0.55:
            spec = {
                "kind": rng.choice(["passage", "passage", "passage_backfill"]),
                "id": rid,
                "local_date": rng.choice(DAYS),
                "direction": rng.choice(["in", "out"]),
                "decision": rng.choice(["pass", "pass", "refused", "pending"]),
            }
            if rng.random() < 0.2:
                spec["clock_suspect"] = 1
            passages.append(rid)
        elif roll < 0.7:
            spec = {"kind": "fever_check", "id": rid, "local_date": rng.choice(DAYS)}
        elif roll < 0.8:
            spec = {"kind": "shift", "id": rid, "local_date": rng.choice(DAYS)}
        else:
            target = rng.choice(passages) if passages and rng.random() < 0.9 else "nowhere"
            spec = {"kind": "void", "id": rid, "target_id": target, "reason": "r"}
        specs.append(spec)
    return chain(device, specs)


def plain_count(events: list[dict[str, Any]], device: str) -> dict[str, dict[str, int]]:
    """The page's numbers counted the slow way, straight from the events (the oracle)."""
    bodies = [(e["kind"], e["event_id"], json.loads(e["body"])) for e in events]
    voided = {b["target_id"] for k, _, b in bodies if k == "void"}
    out: dict[str, Counter[str]] = {}
    for kind, eid, b in bodies:
        n = out.setdefault(b.get("local_date", "-"), Counter())
        if kind == "fever_check":
            n["fevers"] += 1
        elif kind in ("passage", "passage_backfill"):
            if eid in voided:
                n["voids"] += 1
                continue
            if b["decision"] != "pending":  # neither let through nor refused
                n["refused" if b["decision"] == "refused" else b["direction"]] += 1
            n["backfill"] += kind == "passage_backfill"
            n["clock_suspect"] += "clock_suspect" in b
    return {
        day: {k: c[k] for k in rollups.NUMBERS}
        for day, c in out.items()
        if day != "-" and any(c[k] for k in rollups.NUMBERS)
    }


def deliver(store: Store, device: str, events: list[dict[str, Any]], rng: random.Random) -> None:
    """Random batches: subsets out of order, re-sent events, a tampered copy now and then;
    every event arrives at least once in the end. Checked after every batch."""
    pending = list(events)
    while pending:
        size = rng.randint(1, 8)
        batch = rng.sample(pending, min(size, len(pending)))
        sent = [e for e in events if e not in pending]
        batch += rng.sample(sent, min(len(sent), rng.randint(0, 3)))  # duplicates
        if sent and rng.random() < 0.1:  # a tampered re-send: quarantined, counts nothing
            batch.append({**rng.choice(sent), "body": '{"id": "forged"}'})
        rng.shuffle(batch)
        ingest(store, device, batch)
        pending = [e for e in pending if e not in batch]
        assert rollups.differences(store) == []


def memory_store() -> SqliteStore:
    store = SqliteStore(":memory:")
    store.migrate()
    return store


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40))
def test_rollups_equal_the_events_whatever_the_batches(seed: int, n: int) -> None:
    rng = random.Random(seed)
    store = memory_store()
    try:
        gates = {d: records(rng, d, n if d == "g1" else rng.randint(1, 10)) for d in ("g1", "g2")}
        for device, events in gates.items():
            deliver(store, device, events, rng)
        for day in DAYS:
            got = day_numbers(store, day)
            for device, events in gates.items():
                want = plain_count(events, device).get(day)
                assert got.get(device) == want, (device, day)
        with store.tx() as tx:
            state = tx.execute("SELECT device_id, top_seq, gap_count FROM gate_sync")
        assert {r["device_id"]: (r["top_seq"], r["gap_count"]) for r in state} == {
            d: (len(e), 0) for d, e in gates.items()
        }
    finally:
        store.close()


def test_a_void_adjusts_the_day_of_its_passage_whichever_comes_first(store) -> None:
    specs = [
        {
            "kind": "passage",
            "id": "p1",
            "local_date": DAYS[0],
            "direction": "in",
            "decision": "pass",
        },
        {
            "kind": "passage",
            "id": "p2",
            "local_date": DAYS[0],
            "direction": "out",
            "decision": "pass",
        },
        {"kind": "void", "id": "v1", "target_id": "p1", "reason": "r"},
        {"kind": "void", "id": "v2", "target_id": "p2", "reason": "r"},
        {"kind": "void", "id": "v3", "target_id": "p2", "reason": "again"},
    ]
    e = chain("g", specs)
    ingest(store, "g", [e[0], e[1]])  # passages first, their voids a day later
    assert day_numbers(store, DAYS[0])["g"]["in"] == 1
    ingest(store, "g", [e[2]])
    numbers = day_numbers(store, DAYS[0])["g"]
    assert (numbers["in"], numbers["out"], numbers["voids"]) == (0, 1, 1)
    ingest(store, "g", [e[4], e[3], e[2]])  # a second void of p2, a re-sent one
    numbers = day_numbers(store, DAYS[0])["g"]
    assert (numbers["in"], numbers["out"], numbers["voids"]) == (0, 0, 2)
    assert rollups.differences(store) == []


def passages(prefix: str, day: str, n: int, **extra: Any) -> list[dict[str, Any]]:
    """n desk passages in of one day (record specs for `chain`)."""
    return [
        {
            "kind": "passage",
            "id": f"{prefix}{i}",
            "local_date": day,
            "direction": "in",
            "decision": "pass",
            **extra,
        }
        for i in range(n)
    ]


def page(store: Store, path: str) -> str:
    """The officer's page at path, logged in as jiedao."""
    from server.officer import set_officer
    from server.run import ServerThread

    from .test_server_exports import _opener

    set_officer(store, "jiedao", "correct horse")
    with ServerThread(store) as srv:
        op = _opener(srv.url)
        return op.open(f"{srv.url}{path}", timeout=10).read().decode()


def add_gate(store: Store, device: str) -> None:
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO devices(device_id, public_key, key_id, enrolled_via, enrolled_utc) "
            "VALUES (?, 'k', ?, 'test', 't')",
            (device, device),
        )


def test_a_backfilled_passage_counts_in_its_paper_day_and_a_gap_is_kept(store) -> None:
    add_gate(store, "g")
    specs = passages("p", DAYS[1], 6)
    specs[3] = {
        "kind": "passage_backfill",
        "id": "paper",
        "local_date": DAYS[0],  # the paper time's day, typed in a day later
        "direction": "out",
        "decision": "pass",
        "clock_suspect": 1,
    }
    e = chain("g", specs)
    ingest(store, "g", [e[0], e[3], e[5]])
    rows = {g["device_id"]: g for g in gate_rows(store, DAYS[1])}
    assert rows["g"]["gaps"] == [(2, 3), (5, 5)] and rows["g"]["gap_count"] == 2
    paper = day_numbers(store, DAYS[0])["g"]
    assert (paper["out"], paper["backfill"], paper["clock_suspect"]) == (1, 1, 1)
    ingest(store, "g", [e[1], e[2], e[4]])
    rows = {g["device_id"]: g for g in gate_rows(store, DAYS[1])}
    assert (rows["g"]["gaps"], rows["g"]["gap_count"], rows["g"]["head"]) == ([], 0, 6)
    assert rows["g"]["day"]["in"] == 5 and rows["g"]["counts"] == {"passage": 5}
    assert rollups.differences(store) == []


def test_the_page_reads_no_event_of_the_day(store) -> None:
    """With the events gone, the numbers are still there: they come from the roll-ups."""
    specs = passages("p", DAYS[1], 3)
    ingest(store, "g", chain("g", specs))
    with store.tx() as tx:
        tx.execute("DELETE FROM events")
    assert day_numbers(store, DAYS[1])["g"]["in"] == 3
    assert [d.what for d in rollups.differences(store)] == ["count", "count", "top"]


def test_the_page_shows_backfilled_and_clock_suspect_counts(store) -> None:
    add_gate(store, "g")
    paper = {"kind": "passage_backfill", "id": "b", "local_date": DAYS[1]}
    specs = [
        {**paper, "direction": "in", "decision": "pass"},
        {**paper, "id": "c", "kind": "passage", "direction": "out", "decision": "pass"},
    ]
    specs[1]["clock_suspect"] = 1
    ingest(store, "g", chain("g", specs))
    html = page(store, f"/?date={DAYS[1]}")
    assert ">补录</a></th>" in html and ">时钟异常</a></th>" in html
    assert "<td class='n-backfill mark'>1</td>" in html
    assert "<td class='n-clock_suspect bad'>1</td>" in html
    assert "<td class='n-in'>1</td>" in html and "<td class='n-out'>1</td>" in html
