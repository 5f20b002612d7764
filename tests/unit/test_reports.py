"""Report totals equal the passages they summarise; exports open and hold exactly those rows."""

import csv
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import FakeClock
from app.database import open_memory
from app.errors import KnownError
from app.gate.service import GateService, Identity, PassageDraft
from app.reports.service import ReportService
from app.shifts.service import ShiftService

CST = timezone(timedelta(hours=8))
ID = "350203199001011234"

passage = st.fixed_dictionaries(
    {
        "gap": st.integers(1, 4 * 3600),
        "direction": st.sampled_from(["in", "out"]),
        "category": st.sampled_from(["resident", "visitor", "courier", "worker", "official"]),
        "color": st.sampled_from(["green", "green", "yellow", "red", "none"]),
        "temp": st.sampled_from(["36.4", "36.8", "37.6"]),
        "refuse": st.sampled_from([None, None, None, "watchlist", "no_code"]),
        "void": st.booleans(),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(passage, max_size=25), st.integers(0, 2))
def test_report_totals_equal_the_passages_they_summarise(items, offset):
    gdb = open_memory()
    clock = FakeClock(datetime(2026, 11, 27, 21, 0, tzinfo=CST))
    gate = GateService(gdb, clock)
    for it in items:
        clock.advance(it["gap"])
        try:
            out = gate.record(
                PassageDraft(
                    direction=it["direction"],
                    category=it["category"],
                    code_color=it["color"],
                    payload_text="x",
                    temperature=it["temp"],
                    refuse_reason=it["refuse"],
                )
            )
        except KnownError as exc:  # a colourless code passes nobody: nothing is recorded
            assert exc.code == "no_identity"
            continue
        if out.kind == "fever" and it["void"]:
            gate.record_retest(out.record["id"], "36.5")
        if it["void"] and it["gap"] % 3 == 0:
            gate.void_last("录入错误")
    day = (datetime(2026, 11, 27) + timedelta(days=offset)).date().isoformat()
    live = [
        dict(r)
        for r in gdb.conn.execute(
            "SELECT * FROM passages WHERE local_date = ? "
            "AND id NOT IN (SELECT target_id FROM voids)",
            (day,),
        )
    ]
    report = ReportService(gdb, clock).report(day)
    t = report.totals
    assert t["passages"] == len(live) == sum(report.by_hour)
    assert t["pass_in"] == sum(p["decision"] == "pass" and p["direction"] == "in" for p in live)
    assert t["pass_out"] == sum(p["decision"] == "pass" and p["direction"] == "out" for p in live)
    assert (
        t["refused"]
        == sum(p["decision"] == "refused" for p in live)
        == sum(report.refusal_reasons.values())
        == len(report.refusals)
    )
    assert t["watchlist"] == sum(p["reason"] == "watchlist" for p in live)
    assert sum(c["passed"] + c["refused"] for c in report.by_category) == len(live)
    for h in range(24):
        assert report.by_hour[h] == sum(int(p["ts_local"][11:13]) == h for p in live)
    fevers = gdb.conn.execute("SELECT count(*) FROM fever_checks WHERE local_date = ?", (day,))
    assert t["fever_checks"] == len(report.fevers) == fevers.fetchone()[0]
    gdb.close()


@pytest.fixture
def day_of_gate(gdb):
    """A small realistic day: shift, passages, a fever re-tested, refusals, a void."""
    clock = FakeClock(datetime(2026, 11, 29, 7, 0, tzinfo=CST))
    gate, shifts = GateService(gdb, clock), ShiftService(gdb, clock)
    shifts.start(shifts.add_volunteer("王阿姨", "13812345678")["id"])
    ident = Identity(
        method="id_number", person_name="张小三", id_number=ID, building="3", room="301"
    )
    for i in range(10):
        clock.advance(600)
        gate.record(
            PassageDraft(
                code_color="green",
                payload_text=f"p{i}",
                temperature="36.5",
                direction="in" if i % 2 else "out",
                identity=ident,
            )
        )
    fever = gate.record(
        PassageDraft(code_color="green", payload_text="f", temperature="37.9", identity=ident)
    )
    clock.advance(300)
    gate.record_retest(fever.record["id"], "37.8", "fever_clinic")
    gate.record(PassageDraft(code_color="red", payload_text="r", note="=HYPERLINK(1)"))
    gate.record(PassageDraft(code_color="green", refuse_reason="watchlist", payload_text="w"))
    gate.record(PassageDraft(code_color="green", payload_text="v", temperature="36.6"))
    gate.void_last("录入错误")
    shifts.log("检查组来访")
    svc = ReportService(gdb, clock)
    svc.officer.set_pin("246810")
    return svc


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_csv_export_masked_by_default(day_of_gate, tmp_path):
    out = tmp_path / "day.csv"
    rows = day_of_gate.export("csv", out, "2026-11-29", pin="246810")
    table = read_csv(out)
    assert table[0][0] == "时间" and len(table) == 1 + rows == 1 + 13
    assert ID not in out.read_text(encoding="utf-8-sig")
    assert "3502**********1234" in table[1] and "张*三" in table[1]
    assert table[1][0] == "2026-11-29 07:10:00" and table[1][14] == "王阿姨"
    red = next(r for r in table if r[8] == "红码")
    assert red[15] == "'=HYPERLINK(1)"  # never a formula
    # no temporary file left; the summary goes next to the log
    assert sorted(tmp_path.iterdir()) == sorted([out, tmp_path / "day-summary.csv"])


def test_unmasked_export_needs_the_pin_and_is_audited(day_of_gate, tmp_path):
    out = tmp_path / "day.csv"
    with pytest.raises(KnownError) as err:
        day_of_gate.export("csv", out, "2026-11-29", pin="0000", unmasked=True)
    assert err.value.code == "pin_wrong" and not out.exists()
    day_of_gate.export("csv", out, "2026-11-29", pin="246810", unmasked=True)
    assert ID in out.read_text(encoding="utf-8-sig")
    actions = [(r["action"]) for r in day_of_gate.officer.audit_log()]
    assert actions[-3:] == ["pin_ok", "unmasked_view", "export"]
    assert '"masked": false' in day_of_gate.officer.audit_log("export")[-1]["detail"]


def test_xlsx_export_has_three_sheets_real_dates_and_frozen_header(day_of_gate, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "day.xlsx"
    assert day_of_gate.export("xlsx", out, "2026-11-29", pin="246810", lang="en") == 13
    wb = load_workbook(out)
    passages, summary, fevers = wb.worksheets
    assert passages.title == "Passages" and passages.freeze_panes == "A2"
    rows = list(passages.iter_rows(values_only=True))
    assert rows[0][0] == "Time" and len(rows) == 14
    assert rows[1][0] == datetime(2026, 11, 29, 7, 10)
    assert rows[1][12] == "3502**********1234"
    assert passages.column_dimensions["M"].width == 22
    cells = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r and r[0]}
    assert cells["Passages"] == 13 and cells["Refused"] == 3 and cells["Watchlist stops"] == 1
    assert cells["Voided (not counted)"] == 1 and cells["07:00"] == 5 and cells["08:00"] == 8
    assert "王阿姨" in cells
    fev = list(fevers.iter_rows(values_only=True))
    assert [r[1] for r in fev[1:]] == ["Fevers", "Refusals", "Refusals"]
    assert fev[1][2] == 37.9 and fev[1][3] == 37.8 and fev[1][6] == "Sent to fever clinic"


def test_export_rejects_bad_input_without_a_file(day_of_gate, tmp_path):
    for args, code in [
        (("csv", "2026-13-01"), "export_bad_date"),
        (("doc", "2026-11-29"), "export_bad_format"),
    ]:
        with pytest.raises(KnownError) as err:
            day_of_gate.export(args[0], tmp_path / "x", args[1], pin="246810")
        assert err.value.code == code
    with pytest.raises(KnownError) as err:
        day_of_gate.export("csv", tmp_path / "x", "2026-11-29", "2026-11-28", pin="246810")
    assert err.value.code == "export_bad_range"
    with pytest.raises(KnownError) as err:
        day_of_gate.export("csv", tmp_path / "no" / "x.csv", "2026-11-29", pin="246810")
    assert err.value.code == "export_no_dir"
    assert list(tmp_path.iterdir()) == []


def test_cancelled_export_leaves_no_file_and_is_audited(day_of_gate, tmp_path, monkeypatch):
    from app.reports import export

    monkeypatch.setattr(export, "CHECK_EVERY", 2)
    out = tmp_path / "day.xlsx"
    seen = []
    with pytest.raises(export.ExportCancelled):
        day_of_gate.export(
            "xlsx",
            out,
            "2026-11-29",
            pin="246810",
            progress=lambda d, n: seen.append((d, n)),
            cancel=lambda: len(seen) >= 2,
        )
    assert seen == [(2, 13), (4, 13)] and list(tmp_path.iterdir()) == []
    assert '"status": "cancelled"' in day_of_gate.officer.audit_log("export")[-1]["detail"]


def test_audit_log_export(day_of_gate, tmp_path):
    out = tmp_path / "audit.csv"
    n = day_of_gate.export_audit(out, pin="246810")
    table = read_csv(out)
    assert len(table) == n + 1 and table[1][3] == "pin_set"
    assert day_of_gate.officer.audit_log()[-1]["action"] == "audit_export"


def test_range_report_lists_shifts_and_log(day_of_gate):
    report = day_of_gate.report("2026-11-28", "2026-11-30")
    assert [s["volunteer"] for s in report.shifts] == ["王阿姨"]
    assert report.shifts[0]["counts"]["refused"] == 3
    assert [e["text"] for e in report.log] == ["检查组来访"]
    series = day_of_gate.last_days(14)
    assert len(series) == 14 and series[-1] == {
        "date": "2026-11-29",
        "passages": 13,
        "refused": 3,
        "fever": 1,
    }


def test_ctrl_c_during_export_leaves_no_file_and_is_audited(day_of_gate, tmp_path, monkeypatch):
    from app.reports import export

    monkeypatch.setattr(export, "CHECK_EVERY", 2)

    def interrupt(done, total):
        if done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        day_of_gate.export(
            "csv", tmp_path / "day.csv", "2026-11-29", pin="246810", progress=interrupt
        )
    assert list(tmp_path.iterdir()) == []
    assert '"status": "cancelled"' in day_of_gate.officer.audit_log("export")[-1]["detail"]


def test_csv_summary_file_holds_totals_fevers_and_refusals(day_of_gate, tmp_path):
    out = tmp_path / "day.csv"
    day_of_gate.export("csv", out, "2026-11-29", pin="246810", lang="en")
    table = read_csv(tmp_path / "day-summary.csv")  # BOM checked there
    cells = {r[0]: r[1] for r in table if len(r) >= 2 and r[0]}
    assert cells["Passages"] == "13" and cells["Refused"] == "3"
    assert cells["Passed in"] == "5" and cells["Passed out"] == "5"
    assert cells["Watchlist stops"] == "1" and cells["Voided (not counted)"] == "1"
    assert cells["07:00"] == "5" and cells["08:00"] == "8"
    assert sum(int(cells[f"{h:02d}:00"]) for h in range(24)) == 13
    by_cat = [r for r in table if len(r) == 4 and r[0] == "Resident"]
    assert sorted((r[1], r[2], r[3]) for r in by_cat) == [("In", "5", "3"), ("Out", "5", "0")]
    head = next(i for i, r in enumerate(table) if r and r[0] == "Time" and "Kind" in r)
    events = table[head + 1 :]
    assert [r[1] for r in events] == ["Fevers", "Refusals", "Refusals"]
    fever = events[0]
    assert fever[0] == "2026-11-29 08:40:00" and fever[2:4] == ["37.9", "37.8"]
    assert fever[4] == "Refused" and fever[6] == "Sent to fever clinic"
    assert fever[8] == "3502**********1234" and ID not in (tmp_path / "day-summary.csv").read_text(
        encoding="utf-8-sig"
    )
    assert sorted(r[5] for r in events[1:]) == ["Red code", "Under home medical observation"]
    assert "'=HYPERLINK(1)" in [r[11] for r in events]  # a note never becomes a formula
    shifts = [r for r in table if r and r[0] == "王阿姨"]
    assert shifts and shifts[0][1] == "138****5678" and shifts[0][2] == "2026-11-29 07:00:00"
    detail = day_of_gate.officer.audit_log("export")[-1]["detail"]
    assert '"summary_file": "day-summary.csv"' in detail


def test_csv_summary_is_optional_and_unmasked_only_when_chosen(day_of_gate, tmp_path):
    out = tmp_path / "log.csv"
    day_of_gate.export("csv", out, "2026-11-29", pin="246810", summary=False)
    assert sorted(tmp_path.iterdir()) == [out]
    day_of_gate.export("csv", out, "2026-11-29", pin="246810", unmasked=True)
    text = (tmp_path / "log-summary.csv").read_text(encoding="utf-8-sig")
    assert ID in text and "13812345678" in text


def test_unmasked_csv_keeps_id_numbers_as_text_for_excel(day_of_gate, tmp_path):
    """#17: bare 18 digits become 3.50203E+17 in Excel/WPS; a trailing tab keeps them text."""
    out = tmp_path / "day.csv"
    day_of_gate.export("csv", out, "2026-11-29", pin="246810", unmasked=True)
    table = read_csv(out)
    ids = [r[12] for r in table[1:14] if r[12]]
    assert ids and all(i == ID + "\t" for i in ids)
    masked = tmp_path / "m.csv"
    day_of_gate.export("csv", masked, "2026-11-29", pin="246810")
    assert read_csv(masked)[1][12] == "3502**********1234"  # no tab when masked


def test_xlsx_temperatures_one_decimal_and_passages_autofilter(day_of_gate, tmp_path):
    """#17: 38.0 shows as 38.0 (format 0.0); the passages sheet has filter arrows."""
    from openpyxl import load_workbook

    out = tmp_path / "day.xlsx"
    day_of_gate.export("xlsx", out, "2026-11-29", pin="246810")
    passages, _summary, fevers = load_workbook(out).worksheets
    assert passages.auto_filter.ref == "A1:R14"  # 18 columns
    temps = [r[5] for r in passages.iter_rows(min_row=2) if r[5].value is not None]
    assert temps and all(c.number_format == "0.0" for c in temps)
    assert {c.value for c in temps} >= {36.5, 37.9}
    fev = list(fevers.iter_rows(min_row=2))
    assert fev[0][2].value == 37.9 and fev[0][2].number_format == "0.0"
    assert fev[0][3].number_format == "0.0"
