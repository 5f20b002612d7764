"""The command line: set-pin, shift, export (PIN from GATEPOST_OFFICER_PIN)."""

import csv

import pytest

import main


def run(*argv):
    return main.main(list(argv))


def test_set_pin_shift_and_export_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "135791")
    assert run("set-pin") == 0
    assert run("shift", "status", "--lang", "en") == 0
    assert "Nobody is signed in" in capsys.readouterr().out
    assert run("shift", "start", "--name", "王阿姨", "--phone", "13812345678") == 0
    assert "王阿姨" in capsys.readouterr().out
    assert run("shift", "log", "--note", "消毒液补充") == 0
    out = tmp_path / "r.csv"
    assert run("export", "--date", "2026-11-29", "--format", "csv", "--out", str(out)) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    # header only (no passages that day), then the day's signed digest after a blank row (#17)
    assert (
        len(table) == 3 and table[1] == [] and table[2][:3] == ["门岗签名校验", "2026-11-29", "0"]
    )
    with open(tmp_path / "r-summary.csv", encoding="utf-8-sig", newline="") as fh:
        assert ["通行记录", "0"] in list(csv.reader(fh))  # the summary goes next to it
    assert "r-summary.csv" in capsys.readouterr().out
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "0000")
    capsys.readouterr()
    assert (
        run(
            "export",
            "--date",
            "2026-11-29",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "x.csv"),
            "--lang",
            "en",
        )
        == 1
    )
    assert "Wrong officer PIN" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
    assert not (tmp_path / "x-summary.csv").exists()
    # changing the PIN needs the old one
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "135791")
    monkeypatch.setenv("GATEPOST_OFFICER_NEW_PIN", "246802")
    assert run("set-pin") == 0
    audit = tmp_path / "audit.csv"
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "246802")
    assert run("export", "--audit", "--out", str(audit)) == 0
    with open(audit, encoding="utf-8-sig", newline="") as fh:
        actions = [r[3] for r in list(csv.reader(fh))[1:]]
    assert actions == ["pin_set", "export", "pin_failed", "pin_ok", "pin_set"]


def test_bad_dates_are_a_message_not_a_traceback(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "135791")
    run("set-pin")
    assert (
        run("export", "--date", "29/11/2026", "--out", str(tmp_path / "a.xlsx"), "--lang", "en")
        == 1
    )
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_changing_a_setting_needs_the_pin_once_one_is_set(monkeypatch, capsys):
    assert run("settings", "retention_days", "30") == 0  # no PIN yet: first-run set-up
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "135791")
    run("set-pin")
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "1111")
    assert run("settings", "retention_days", "14") == 1
    capsys.readouterr()
    assert run("settings", "retention_days") == 0
    assert capsys.readouterr().out.strip() == "30"
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "135791")
    assert run("settings", "retention_days", "14") == 0
    from app.database import open_database
    from app.officer import OfficerAuth
    from app.paths import resolve_data_dir

    gdb = open_database(resolve_data_dir())
    entry = OfficerAuth(gdb).audit_log("settings_change")[-1]
    assert '"new": "14"' in entry["detail"] and '"old": "30"' in entry["detail"]
    gdb.close()


def test_demo_data_then_purge_from_the_command_line(monkeypatch, capsys):
    assert run("demo-data", "--days", "3", "--residents", "40") == 0
    assert '"shifts": 9' in capsys.readouterr().out
    assert run("purge", "--lang", "en") == 0  # all within 28 days
    assert "Nothing to purge" in capsys.readouterr().out
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "135791")
    run("set-pin")
    run("settings", "retention_days", "2")
    capsys.readouterr()
    assert run("purge", "--lang", "en") == 3  # the oldest day was never exported: a warning
    assert "not exported" in capsys.readouterr().err
    assert run("purge", "--confirm", "--lang", "en") == 0
    assert "Purged" in capsys.readouterr().out
    from app.database import open_database
    from app.paths import resolve_data_dir

    gdb = open_database(resolve_data_dir())
    days = [r[0] for r in gdb.conn.execute("SELECT DISTINCT local_date FROM passages")]
    assert len(days) == 2
    actions = [r[0] for r in gdb.conn.execute("SELECT action FROM audit_log ORDER BY rowid")]
    assert actions[-2:] == ["delete", "purge"] and "demo_data" in actions
    gdb.close()


@pytest.mark.gui
def test_export_pdf_from_the_command_line(qapp, monkeypatch, tmp_path):
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "135791")
    run("set-pin")
    run("demo-data", "--days", "1", "--residents", "40")
    from datetime import date, timedelta

    day = (date.today() - timedelta(days=1)).isoformat()
    out = tmp_path / "day.pdf"
    assert run("export", "--date", day, "--format", "pdf", "--out", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "day.pdf"]  # no temp left
