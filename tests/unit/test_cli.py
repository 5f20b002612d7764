"""The command line: subcommands listed, data dir honoured, no display handled plainly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import main as gatepost_main

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_lists_subcommands():
    out = run("--help")
    assert out.returncode == 0
    for name in ("gui", "info", "today", "settings", "decode"):
        assert name in out.stdout


def test_data_dir_flag_and_environment(tmp_path, capsys, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    assert gatepost_main.main(["--data-dir", str(a), "settings", "checkpoint_name", "北门"]) == 0
    assert (a / "gatepost.db").exists()
    capsys.readouterr()
    monkeypatch.setenv("GATEPOST_DATA_DIR", str(b))
    assert gatepost_main.main(["info"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["data_dir"] == str(b.resolve()) and (b / "gatepost.db").exists()
    # the flag also works after the subcommand, and wins over the environment
    assert gatepost_main.main(["info", "--data-dir", str(a)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["data_dir"] == str(a.resolve())
    assert info["settings"]["checkpoint_name"] == "北门"


def test_today_counts_what_was_recorded(tmp_path, capsys):
    from app.database import open_database
    from app.gate.service import GateService, PassageDraft

    gdb = open_database(tmp_path)
    svc = GateService(gdb)
    svc.record(PassageDraft(code_color="green", payload_text="hc:1", temperature="36.5"))
    svc.record(PassageDraft(code_color="red"))
    gdb.close()
    assert gatepost_main.main(["--data-dir", str(tmp_path), "today", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["in"] == 1 and counts["refused"] == 1


def test_bad_setting_value_is_a_message_not_a_traceback(tmp_path):
    out = run("--data-dir", str(tmp_path), "settings", "fever_threshold", "hot")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "fever_threshold" in out.stderr


def test_gui_without_display_names_xvfb(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    out = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "xvfb-run -a make run" in out.stderr
    assert "Traceback" not in out.stderr and "Aborted" not in out.stderr


def test_newer_database_is_refused_with_a_message(tmp_path):
    from app.database import open_database

    gdb = open_database(tmp_path)
    gdb.conn.execute("PRAGMA user_version = 50")
    gdb.close()
    out = run("--data-dir", str(tmp_path), "today")
    assert out.returncode == 1 and "更新版本" in out.stderr and "Traceback" not in out.stderr
