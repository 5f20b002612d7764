"""export-residents never writes a live formula (#13 item 13, gate side)."""

from __future__ import annotations

import csv

from app.reports.export import csv_safe
from app.roster import importer
from app.roster.service import write_change
from db.connection import transaction
from tests.fakes import roster_files as rf

HOSTILE = {
    "name": "=cmd|' /C calc'!A0",
    "tags": "@SUM(1+1)*cmd|' /C calc'!A0",
    "building": "+3",
    "unit": "\t=1+1",
    "room": "\r=2+2",
    "household": "-5",
    "status": "normal",
}


def test_export_residents_neutralises_formula_cells(gdb, clock, tmp_path):
    fields = {"id_number": rf.make_id("19800101", 5), "phone": "13800001234", **HOSTILE}
    with transaction(gdb.conn):
        write_change(gdb.conn, clock, "add", "t", fields)
    for masked in (False, True):
        out = tmp_path / f"r{masked}.csv"
        assert importer.export_csv(gdb.conn, out, masked=masked) == 1
        with open(out, encoding="utf-8-sig", newline="") as fh:
            header, row = list(csv.reader(fh))
        cells = dict(zip(header, row, strict=True))
        for value in cells.values():
            assert value[:1] not in ("=", "+", "@", "\t", "\r") and not (
                value[:1] == "-" and value != "-"
            ), cells
        assert cells["标签"] == "'" + HOSTILE["tags"]
        if not masked:
            assert cells["姓名"] == "'" + HOSTILE["name"]


def test_the_shared_helper_covers_tab_and_cr():
    for bad in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert csv_safe(bad) == "'" + bad
    assert csv_safe("-") == "-" and csv_safe("张三") == "张三" and csv_safe(5) == 5
