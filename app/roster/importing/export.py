"""Export the roster as a CSV the importer reads back (`export-residents`)."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from app.cells import csv_safe
from app.files import atomic_output
from app.privacy import mask_id, mask_name, mask_phone
from db import roster as q

EXPORT_HEADERS = (
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "手机"),
    ("building", "楼栋"),
    ("unit", "单元"),
    ("room", "房号"),
    ("household", "户号"),
    ("tags", "标签"),
    ("status", "状态"),
    ("obs_start", "观察开始"),
    ("obs_end", "观察结束"),
)
STATUS_WORDS = {"normal": "正常", "observation": "居家医学观察", "moved_out": "已搬离"}


def export_csv(conn: sqlite3.Connection, path: Path | str, masked: bool = True) -> int:
    """The roster as a CSV that import reads back; masked unless asked (a backup for staff)."""
    path = Path(path)
    rows = q.all_residents(conn)
    with atomic_output(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([h for _, h in EXPORT_HEADERS])
        for r in rows:
            out = {k: r.get(k) or "" for k, _ in EXPORT_HEADERS}
            out["status"] = STATUS_WORDS[r["status"]]
            if masked:
                out.update(
                    name=mask_name(r["name"]),
                    id_number=mask_id(r["id_number"]),
                    phone=mask_phone(r["phone"]),
                )
            elif out["id_number"]:
                out["id_number"] += "\t"  # Excel keeps an 18-digit ID as text
            w.writerow([csv_safe(out[k]) for k, _ in EXPORT_HEADERS])
    return len(rows)
