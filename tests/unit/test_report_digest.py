"""#17: each day's export carries a digest signed with the gate's key; verify-report says 一致
or names the rows that differ, and refuses a report signed by another gate."""

import csv

import pytest

import main
from app.database import open_database, open_memory
from app.errors import KnownError
from app.reports import digest as dg
from app.reports.verify import verify_file
from app.sync.identity import load_identity
from tests.unit.test_reports import ID, day_of_gate  # noqa: F401  (the shared realistic day)


@pytest.fixture
def gdb(_isolated_data_dir):
    """The realistic day in the data dir's database, so `main.py verify-report` finds the key."""
    _isolated_data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(_isolated_data_dir)
    yield db
    db.close()


@pytest.fixture
def signed(day_of_gate):  # noqa: F811
    day_of_gate.signer = load_identity
    return day_of_gate


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write(path, table):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(table)


def verify(*argv):
    return main.main(["verify-report", *map(str, argv)])


def test_csv_rows_carry_check_codes_and_the_day_a_signed_digest(signed, tmp_path):
    out = tmp_path / "day.csv"
    assert signed.export("csv", out, "2026-11-29", pin="246810") == 13
    table = read(out)
    assert table[0][-1] == "校验码" and all(len(r[-1]) == 16 for r in table[1:14])
    assert table[14] == []
    label, day, n, text = table[15]
    assert (label, day, n) == ("门岗签名校验", "2026-11-29", "13")
    (d,) = dg.parse_all(text)
    key = load_identity(signed.gdb.conn)
    assert d.gate == key.key_id and d.n == 13 and d.masked
    heads = signed.gdb.conn.execute("SELECT hash, kind FROM outbox ORDER BY seq DESC LIMIT 2")
    export_audit, before = heads.fetchall()
    # the chain head when the file was written: every event of that day, less the audit entry
    # of the export itself (written once the file was done)
    assert export_audit["kind"] == "audit" and d.head == before["hash"]
    dg.check_signature(d, key.public_key_hex)  # holds


def test_verify_report_says_consistent_then_names_the_edited_row(signed, tmp_path, capsys):
    out = tmp_path / "day.csv"
    signed.export("csv", out, "2026-11-29", pin="246810", unmasked=True)
    assert verify(out) == 0
    said = capsys.readouterr().out
    assert said.startswith("一致：day.csv") and "13 行" in said
    table = read(out)
    fever_line = next(i for i, r in enumerate(table) if r[5] == "37.9")
    table[fever_line][5] = "36.9"  # someone "fixes" the fever in Excel
    write(out, table)
    assert verify(out, "--lang", "en") == 1
    said = capsys.readouterr().out
    assert said.splitlines() == [
        "NOT consistent: day.csv differs from what the gate signed:",
        f"  row {fever_line + 1} (2026-11-29) does not match its check code",
    ]


def test_a_deleted_row_or_a_forged_check_code_is_found(signed, tmp_path):
    out = tmp_path / "day.csv"
    signed.export("csv", out, "2026-11-29", pin="246810")
    key = load_identity(signed.gdb.conn).public_key_hex
    table = read(out)
    write(out, table[:3] + table[4:])
    verdict = verify_file(out, key)
    assert verdict.problems == [("verify_count", {"day": "2026-11-29", "n": 13, "found": 12})]
    # a changed cell whose check code was recomputed too: the day's digest still catches it
    table[5][5] = "36.1"
    table[5][-1] = dg.row_hash(table[5][:-1])
    write(out, table)
    assert verify_file(out, key).problems == [("verify_codes_changed", {"day": "2026-11-29"})]


def test_a_report_signed_by_another_gates_key_is_refused(signed, tmp_path, capsys):
    out = tmp_path / "day.csv"
    signed.export("csv", out, "2026-11-29", pin="246810")
    other = open_memory()
    try:
        stranger = load_identity(other.conn)
    finally:
        other.close()
    # checked against another gate's key: refused, exit code not 0
    assert verify(out, "--key", stranger.public_key_hex) == 1
    assert "拒绝：此报表由另一门岗的密钥" in capsys.readouterr().err
    # a digest re-signed by another key (a forger's) is refused against this gate's key
    table = read(out)
    (d,) = dg.parse_all(table[15][3])
    forged = dg.DayDigest(stranger.key_id, d.day, d.n, d.masked, d.head, d.rows)
    table[15][3] = forged.text().replace("sig=", "sig=" + stranger.sign(forged.payload().encode()))
    write(out, table)
    with pytest.raises(KnownError) as err:
        verify_file(out, load_identity(signed.gdb.conn).public_key_hex)
    assert err.value.code == "verify_other_gate"
    # the gate's own key id with an edited count: the signature does not hold
    table[15][3] = d.text().replace("n=13", "n=12")
    write(out, table)
    with pytest.raises(KnownError) as err:
        verify_file(out, load_identity(signed.gdb.conn).public_key_hex)
    assert err.value.code == "verify_bad_signature"
    write(out, table[:14])
    assert verify(out) == 1
    assert "没有门岗签名校验" in capsys.readouterr().err


def test_xlsx_digest_sheet_and_an_edited_cell_named(signed, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "day.xlsx"
    signed.export("xlsx", out, "2026-11-29", pin="246810", unmasked=True)
    wb = load_workbook(out)
    assert [ws.title for ws in wb.worksheets][-1] == "门岗签名校验"
    assert wb.worksheets[0].auto_filter.ref == "A1:S14"  # and the check code
    assert verify(out) == 0 and "一致" in capsys.readouterr().out
    # the same rows hash as the CSV of the same choices: one digest, whichever file
    csv_out = tmp_path / "day.csv"
    signed.export("csv", csv_out, "2026-11-29", pin="246810", unmasked=True)
    xlsx_digest = dg.parse_all(wb.worksheets[-1]["C2"].value)[0]
    assert xlsx_digest.rows == dg.parse_all(read(csv_out)[15][3])[0].rows
    red = next(r for r in wb.worksheets[0].iter_rows(min_row=2) if r[15].value == "=HYPERLINK(1)")
    assert red[15].data_type == "s"  # a note stays text, never a formula
    wb.worksheets[0]["L3"] = "李四"  # a name changed
    wb.save(out)
    assert verify(out) == 1
    assert "第 3 行（2026-11-29）的内容与其校验码不符" in capsys.readouterr().out


def test_every_day_of_a_range_is_signed_even_an_empty_one(signed, tmp_path):
    out = tmp_path / "range.csv"
    signed.export("csv", out, "2026-11-28", "2026-11-29", pin="246810")
    verdict = verify_file(out, load_identity(signed.gdb.conn).public_key_hex)
    assert verdict.ok and [(d.day, d.n) for d in verdict.digests] == [
        ("2026-11-28", 0),
        ("2026-11-29", 13),
    ]
    assert verdict.digests[0].head == "-"  # nothing recorded before the 29th


def test_report_key_shows_the_public_key(signed, capsys):
    assert main.main(["report-key"]) == 0
    assert load_identity(signed.gdb.conn).public_key_hex in capsys.readouterr().out
