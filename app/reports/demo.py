"""Demo data: realistic days of passages, shifts, fevers and refusals, written fast.

Rows go in with executemany, one transaction per day. Demo passages, fever checks and voids
get NO outbox events: they are not real records and must never be synced to the subdistrict.
Shift events, shift log entries and volunteers are few and go through the normal writers'
table layout, also without events for the same reason. An audit entry marks the database.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.idcard import check_char
from app.ids import uuid7
from app.privacy import payload_hash
from db import records
from db import reports as q
from db import roster as roster_db
from db import shifts as shift_db
from db.connection import transaction

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红海燕文辉鹏飞婷雪梅"
VOLUNTEERS = [
    ("王阿姨", "13812345678"),
    ("李叔", "13900001111"),
    ("陈老师", "13700002222"),
    ("黄大姐", "13600003333"),
    ("林师傅", "13500004444"),
    ("吴书记", "13400005555"),
]
LOG_LINES = [
    "体温枪换电池",
    "消毒液补充 5 升",
    "检查组来访，查看登记",
    "快递集中点整理",
    "夜间巡查正常",
    "口罩到货 200 个",
]
# share of the day's passages in each local hour: a morning and an evening peak
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.3, 0.5, 2, 5, 12, 11, 6, 5, 5, 6, 5, 4, 4, 5, 9, 11, 8, 6, 4, 3, 2]
CATEGORIES = (
    (["resident"] * 85) + (["visitor"] * 5) + (["courier"] * 7) + ["worker", "worker", "official"]
)


@dataclass
class Resident:
    name: str
    id_number: str
    building: str
    unit: str
    room: str
    phash: str


def make_residents(n: int, key: bytes, rng: random.Random) -> list[Resident]:
    out = []
    for i in range(n):
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        first17 = f"350203{birth:%Y%m%d}{rng.randrange(1000):03d}"
        building = str(1 + i // 120)
        out.append(
            Resident(
                rng.choice(SURNAMES)
                + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                first17 + check_char(first17),
                building,
                str(1 + (i // 40) % 3),
                f"{1 + (i // 4) % 10}0{1 + i % 4}",
                payload_hash(key, f"demo-healthcode-{i}"),
            )
        )
    return out


def _stamp_factory(day: date, offset_s: int) -> Callable[[int], tuple[str, str, str]]:
    """(ts_utc, ts_local, local_date) for a second of a local day, without datetime per row."""
    sign, off = ("+" if offset_s >= 0 else "-"), abs(offset_s)
    tz = f"{sign}{off // 3600:02d}:{off % 3600 // 60:02d}"
    local_day = day.isoformat()
    utc_days = {k: (day + timedelta(days=k)).isoformat() for k in (-1, 0, 1)}

    def stamp(sec: int) -> tuple[str, str, str]:
        h, rem = divmod(sec, 3600)
        m, s = divmod(rem, 60)
        u = sec - offset_s
        k, u = divmod(u, 86400)
        uh, urem = divmod(u, 3600)
        um, us = divmod(urem, 60)
        return (
            f"{utc_days[k]}T{uh:02d}:{um:02d}:{us:02d}.000Z",
            f"{local_day}T{h:02d}:{m:02d}:{s:02d}{tz}",
            local_day,
        )

    return stamp


def generate(
    conn: sqlite3.Connection,
    *,
    days: int,
    residents: int,
    key: bytes,
    today: date,
    utc_offset_s: int,
    checkpoint_id: str = "gate-1",
    seed: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Fill `days` days ending yesterday (and today up to now is left alone). Returns counts."""
    rng = random.Random(seed)
    people = make_residents(residents, key, rng)
    added = _add_to_roster(conn, people, today)
    per_day = max(1, int(residents * 3.8))
    vols = []
    with transaction(conn):
        for name, phone in VOLUNTEERS:
            existing = shift_db.find_volunteer(conn, name, phone)
            vol = existing or {
                "id": uuid7(),
                "ts_utc": "2020-01-01T00:00:00.000Z",
                "name": name,
                "phone": phone,
            }
            if existing is None:
                shift_db.insert_volunteer(conn, vol)
            vols.append(vol)
    p_cols = records.PASSAGE_COLUMNS
    f_cols = records.FEVER_COLUMNS
    totals = {"residents": added, "passages": 0, "fever_checks": 0, "voids": 0, "shifts": 0}
    hours = list(range(24))
    for d in range(days):
        day = today - timedelta(days=days - d)
        stamp = _stamp_factory(day, utc_offset_s)
        n = int(per_day * rng.uniform(0.9, 1.1))
        hour_of = rng.choices(hours, weights=HOUR_WEIGHTS, k=n)
        secs = sorted(h * 3600 + rng.randrange(3600) for h in hour_of)
        shifts = [(i, vols[(d * 3 + i) % len(vols)]) for i in range(3)]  # 00–08, 08–16, 16–24
        passages, fevers, voids = [], [], []
        inside: dict[tuple[str, int], bool] = {}
        visit_pool = max(3, n // 40)
        tallies = [{"in": 0, "out": 0, "refused": 0, "watchlist": 0, "fever": 0} for _ in shifts]
        for sec in secs:
            ts_utc, ts_local, local_date = stamp(sec)
            shift_no = sec // (8 * 3600)
            vol = shifts[shift_no][1]["name"]
            who = people[rng.randrange(len(people))]
            cat = rng.choice(CATEGORIES)
            direction = "in" if rng.random() < 0.5 else "out"
            visit = None
            if cat in ("visitor", "courier"):  # comes in, then leaves the same way, same day
                k = (cat, rng.randrange(visit_pool))
                direction = "out" if inside.pop(k, False) else "in"
                if direction == "in":
                    inside[k] = True
                visit = payload_hash(key, f"demo-visit-{d}-{k[0]}-{k[1]}")
            r = rng.random()
            color = (
                "green"
                if r < 0.995
                else ("yellow" if r < 0.997 else ("red" if r < 0.9975 else "none"))
            )
            row: dict[str, Any] = dict.fromkeys(p_cols)
            row.update(
                id=uuid7(),
                ts_utc=ts_utc,
                ts_local=ts_local,
                local_date=local_date,
                checkpoint_id=checkpoint_id,
                volunteer=vol,
                direction=direction,
                category=cat,
                code_color=color,
                payload_kind="healthcode" if color != "none" else None,
                payload_hash=who.phash if color != "none" else None,
                identity_method="scan" if color != "none" else "id_number",
                person_name=who.name,
                id_number=who.id_number,
                building=who.building,
                unit=who.unit,
                room=who.room,
                temperature=round(rng.gauss(36.5, 0.2), 1),
                fever=0,
                decision="pass",
            )
            if visit is not None:
                row.update(
                    payload_hash=visit,
                    identity_method="scan",
                    code_color="green",
                    payload_kind="healthcode",
                    person_name=None,
                    id_number=None,
                )
            row["temperature"] = min(max(row["temperature"], 35.5), 37.2)
            t = tallies[shift_no]
            if color in ("yellow", "red") or color == "none" or rng.random() < 0.0002:
                reason = {"yellow": "yellow_code", "red": "red_code", "none": "no_code"}.get(
                    color, "watchlist"
                )
                row.update(decision="refused", reason=reason)
                t["refused"] += 1
                t["watchlist"] += reason == "watchlist"
            elif rng.random() < 0.001:  # a fever: first reading, then the re-test outcome
                fever = {k: row[k] for k in f_cols}
                fever["temperature"] = round(rng.uniform(37.3, 38.5), 1)
                fevers.append(tuple(fever[k] for k in f_cols))
                t["fever"] += 1
                retest = round(rng.uniform(36.4, 38.2), 1)
                row.update(
                    id=uuid7(),
                    fever=1,
                    fever_check_id=fever["id"],
                    temperature=fever["temperature"],
                    retest_temperature=retest,
                )
                if retest >= 37.3:
                    row.update(
                        decision="refused",
                        reason="fever",
                        disposition=rng.choice(("fever_clinic", "grid_cadre")),
                    )
                    t["refused"] += 1
                else:
                    t[direction] += 1
            else:
                t[direction] += 1
            passages.append(tuple(row[k] for k in p_cols))
            if rng.random() < 0.0005:
                voids.append((uuid7(), ts_utc, ts_local, row["id"], "录入错误", vol))
        with transaction(conn):
            q.bulk_insert(conn, "fever_checks", f_cols, fevers)
            q.bulk_insert(conn, "passages", p_cols, passages)
            q.bulk_insert(
                conn,
                "voids",
                ("id", "ts_utc", "ts_local", "target_id", "reason", "volunteer"),
                voids,
            )
            for i, vol in shifts:
                _demo_shift(
                    conn,
                    stamp,
                    i,
                    vol,
                    vols[(d * 3 + i + 1) % len(vols)],
                    tallies[i],
                    checkpoint_id,
                    rng,
                )
        totals["passages"] += len(passages)
        totals["fever_checks"] += len(fevers)
        totals["voids"] += len(voids)
        totals["shifts"] += len(shifts)
        if progress is not None:
            progress(d + 1, days)
    return totals


def _add_to_roster(conn: sqlite3.Connection, people: list[Resident], today: date) -> int:
    """The demo's residents in the roster too (export-residents, passes), with a change row
    each and, like all demo data, no outbox event; ones already there are left alone."""
    ts_utc, ts_local = f"{today.isoformat()}T00:00:00.000Z", f"{today.isoformat()}T08:00:00"
    added = 0
    with transaction(conn):
        for p in people:
            if roster_db.get_by_id_number(conn, p.id_number) is not None:
                continue
            fields = {
                "id_number": p.id_number,
                "name": p.name,
                "building": p.building,
                "unit": p.unit,
                "room": p.room,
                "household": f"{p.building}-{p.unit}-{p.room}",
                "status": "normal",
                "tags": "",
                "updated_utc": ts_utc,
                "updated_by": "demo-data",
            }
            rid = roster_db.insert_resident(conn, fields)
            state = roster_db.get_resident(conn, rid)
            change = {
                "id": uuid7(),
                "ts_utc": ts_utc,
                "ts_local": ts_local,
                "resident_id": rid,
                "action": "import_add",
                "who": "demo-data",
                "source": "demo-data",
                "state": json.dumps(state, ensure_ascii=False),
            }
            roster_db.insert_change(conn, change)
            added += 1
    return added


def _demo_shift(
    conn: sqlite3.Connection,
    stamp: Callable[[int], tuple[str, str, str]],
    i: int,
    vol: dict,
    incoming: dict,
    counts: dict[str, int],
    checkpoint_id: str,
    rng: random.Random,
) -> None:
    start, end = i * 8 * 3600, (i + 1) * 8 * 3600 - 1
    shift_id = uuid7()
    base = {
        "checkpoint_id": checkpoint_id,
        "shift_id": shift_id,
        "volunteer_id": vol["id"],
        "volunteer": vol["name"],
        "phone": vol["phone"],
        "confirmed": 1,
    }
    note = rng.choice(LOG_LINES)

    def at(sec: int) -> dict[str, str]:
        return dict(zip(("ts_utc", "ts_local", "local_date"), stamp(sec), strict=True))

    def event(sec: int, kind: str, **fields: Any) -> None:
        shift_db.insert_shift_event(
            conn, {**base, "id": uuid7(), **at(sec), "kind": kind, **fields}
        )

    event(start, "start", id=shift_id)
    summary = {
        "shift_id": shift_id,
        "volunteer": vol["name"],
        "start_local": stamp(start)[1],
        "end_local": stamp(end)[1],
        "counts": {**counts, "visitors_inside": 0},
        "visitors_inside": [],
        "log": [],
        "note": note,
    }
    event(end, "end", note=note, summary=json.dumps(summary, ensure_ascii=False))
    incomer = {"volunteer_id": incoming["id"], "volunteer": incoming["name"]}
    event(end, "ack", note="demo", phone=incoming["phone"], **incomer)
    log = {"id": uuid7(), **at(start + 3600), "checkpoint_id": checkpoint_id, "shift_id": shift_id}
    shift_db.insert_shift_log(conn, {**log, "volunteer": vol["name"], "text": note})


def utc_offset_seconds(now: datetime) -> int:
    off = now.utcoffset()
    return int(off.total_seconds()) if off is not None else 0
