"""Bad arguments get a known message and a non-zero exit, never a traceback (#13 item 15)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import main
from tests.fakes import roster_files as rf

ROOT = Path(__file__).resolve().parents[2]


def cli(
    *args: str, stdin: int | None = subprocess.DEVNULL, **env: str
) -> subprocess.CompletedProcess[str]:
    """main.py in its own process, as a user runs it (stdin empty unless given)."""
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def refused_at_parse(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """argparse refuses it (exit 2) before any work; returns what it said."""
    with pytest.raises(SystemExit) as info:
        main.main(list(argv))
    assert info.value.code == 2
    return capsys.readouterr().err


def roster(tmp_path: Path, data: Path) -> None:
    src = rf.write_csv(
        tmp_path / "r.csv",
        [["姓名", "身份证号", "住址"], ["张三", rf.ZHANG, "3-2-501"], ["李四", rf.LI, "4-1-101"]],
    )
    assert main.main(["import-residents", str(src), "--data-dir", str(data)]) == 0


def outbox_count(data: Path) -> int:
    from app.database import open_database

    gdb = open_database(data)
    try:
        return int(gdb.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    finally:
        gdb.close()


# ----------------------------------------------------------------- refused at parse time
def test_server_port_out_of_range(tmp_path: Path) -> None:
    out = cli("--data-dir", str(tmp_path), "server", "--port", "99999")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "须在 1–65535 之间" in out.stderr and "between 1 and 65535" in out.stderr


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["demo-data", "--residents", "0"], "须在 1–20000 之间"),
        (["demo-data", "--days", "-1"], "须在 1–366 之间"),
        (["print-passes", "--out", "p.pdf", "--days", "-5"], "须在 1–366 之间"),
        (
            [
                "visitor-pass",
                "--host",
                "3-2-501",
                "--name",
                "王",
                "--out",
                "v.pdf",
                "--hours",
                "-2",
            ],
            "0–24",
        ),
        (["sync", "--attempts", "0"], "须在 1–100 之间"),
        (["shift", "start", "--name", "王阿姨", "--phone", "1380013"], "手机号无效：1380013"),
        (["server", "--port", "0"], "1–65535"),
    ],
)
def test_out_of_range_arguments_are_refused_at_parse_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], said: str
) -> None:
    err = refused_at_parse(capsys, "--data-dir", str(tmp_path / "d"), *argv)
    assert said in err and "Traceback" not in err
    assert not (tmp_path / "d").exists()  # refused before the data dir was even made


def test_a_real_mobile_and_a_landline_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["shift", "start", "--name", "王阿姨", "--phone", "138-0013-8000"]) == 0
    assert main.main(["shift", "start", "--name", "李叔", "--phone", "5912345", "--take-over"]) == 0


# ----------------------------------------------------------------- refused with a message
def test_server_on_a_busy_port_says_so_before_claiming_to_run(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = cli("--data-dir", str(tmp_path), "server", "--port", str(port))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"端口 {port} 已被占用" in out.stderr
    assert "http://" not in out.stderr  # never "Gatepost server on http://…" first


def test_print_passes_into_a_missing_folder(tmp_path: Path) -> None:
    data = tmp_path / "gate"
    assert (
        cli(
            "import-residents",
            str(
                rf.write_csv(
                    tmp_path / "r.csv",
                    [["姓名", "身份证号", "住址"], ["张三", rf.ZHANG, "3-2-501"]],
                )
            ),
            "--data-dir",
            str(data),
        ).returncode
        == 0
    )
    target = tmp_path / "no" / "dir" / "p.pdf"
    out = cli("--data-dir", str(data), "print-passes", "--out", str(target))
    assert out.returncode == 1
    assert f"文件夹不存在：{target.parent}" in out.stderr
    assert "QPainter" not in out.stderr and "Traceback" not in out.stderr
    assert not list(tmp_path.rglob("*.part")) and not list(tmp_path.rglob("*.pdf"))


@pytest.mark.parametrize(
    "argv, said",
    [
        (["print-passes", "--building", "99"], "99 栋没有居民，未生成文件"),
        (["--lang", "en", "visitor-pass", "--host", "99-9-999", "--name", "王小明"], "99-9-999"),
    ],
    ids=["print-passes for an empty building", "visitor-pass for a room nobody lives in"],
)
def test_no_pass_is_issued_for_nobody(
    argv: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "gate"
    roster(tmp_path, data)
    capsys.readouterr()
    before = outbox_count(data)
    target = tmp_path / "passes.pdf"
    assert main.main(["--data-dir", str(data), *argv, "--out", str(target)]) == 1
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not target.exists() and outbox_count(data) == before  # no pass was issued


def test_export_with_empty_stdin_says_a_pin_is_needed(tmp_path: Path) -> None:
    data = str(tmp_path / "gate")
    assert cli("--data-dir", data, "set-pin", GATEPOST_OFFICER_PIN="135790").returncode == 0
    env = {k: v for k, v in os.environ.items() if k != "GATEPOST_OFFICER_PIN"}
    out = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--data-dir",
            data,
            "export",
            "--date",
            "2026-11-29",
            "--out",
            str(tmp_path / "r.csv"),
            "--format",
            "csv",
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    assert "需要主管 PIN" in out.stderr and "GATEPOST_OFFICER_PIN" in out.stderr
    assert "EOFError" not in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "r.csv").exists()


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The officer's PIN is set (135790); each time a command asks for it, the prompt is kept
    here and the PIN typed."""
    monkeypatch.setenv("GATEPOST_OFFICER_PIN", "135790")
    assert main.main(["set-pin"]) == 0
    monkeypatch.delenv("GATEPOST_OFFICER_PIN")
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or "135790")
    return prompts


def test_export_rejects_a_bad_date_before_asking_for_the_pin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], asked: list[str]
) -> None:
    out = str(tmp_path / "r.xlsx")
    assert main.main(["export", "--date", "2026-13-45", "--out", out]) == 1
    assert "2026-13-45" in capsys.readouterr().err and asked == []
    assert main.main(["export", "--date", "2026-11-29", "--to", "2026-11-01", "--out", out]) == 1
    assert "结束日期早于开始日期" in capsys.readouterr().err and asked == []


def test_bundle_import_of_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.zip"
    assert main.main(["--data-dir", str(tmp_path / "srv"), "bundle", "import", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"找不到文件：{missing}" in err and "FileNotFoundError" not in err


def test_import_residents_from_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "名单"
    folder.mkdir()
    assert main.main(["import-residents", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "这是一个文件夹" in err and "?" not in err


def test_pairing_refusals_are_said_in_words() -> None:
    from app.i18n import t
    from app.sync.client import enrol_refusal_code

    assert t(enrol_refusal_code("code_used"), "zh").startswith("配对失败：此配对码已用过")
    assert enrol_refusal_code("something_new") == "enrol_refused"


def test_settings_cli_refuses_out_of_range_with_the_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main.main(["settings", "fever_threshold", "373"]) == 2
    assert "体温阈值须在 37.0–38.5 之间，是否想输入 37.3？" in capsys.readouterr().err
    for name, value in (
        ("language", "fr"),
        ("retention_days", "0"),
        ("camera_source", "/no/such/thing"),
    ):
        assert main.main(["settings", name, value]) == 2
        assert capsys.readouterr().err.startswith(f"{name}: ")
    assert main.main(["settings", "nosuch", "1"]) == 2
    assert "没有这个设置：nosuch" in capsys.readouterr().err
    assert main.main(["settings", "fever_threshold"]) == 0
    assert capsys.readouterr().out.strip() == "37.3"  # nothing was stored


def test_settings_value_is_checked_before_the_pin_is_asked(asked: list[str]) -> None:
    assert main.main(["settings", "debounce_seconds", "-3"]) == 2
    assert asked == []
    assert main.main(["settings", "debounce_seconds", "5"]) == 0 and len(asked) == 1


# ----------------------------------------------------------------- what the commands leave
def test_demo_data_fills_the_roster_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main.main(["demo-data", "--days", "1", "--residents", "500"]) == 0
    err = capsys.readouterr().err
    assert "居民 500 人" in err
    out = tmp_path / "roster.csv"
    assert main.main(["export-residents", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"已导出 500 位居民到 {out}"
    assert main.main(["demo-data", "--days", "1", "--residents", "500"]) == 0  # again: no doubles
    assert main.main(["export-residents", "--out", str(out), "--lang", "en"]) == 0
    assert f"Exported 500 residents to {out}" in capsys.readouterr().out


def test_summaries_follow_the_language_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = rf.write_csv(
        tmp_path / "r.csv", [["姓名", "身份证号", "住址"], ["张三", rf.ZHANG, "3-2-501"]]
    )
    assert main.main(["settings", "language", "en"]) == 0
    capsys.readouterr()
    assert main.main(["import-residents", str(src), "--dry-run"]) == 0
    assert capsys.readouterr().out.strip() == "imported 1, updated 0, unchanged 0, rejected 0"
    assert main.main(["import-residents", str(src), "--dry-run", "--lang", "zh"]) == 0
    assert capsys.readouterr().out.strip() == "导入 1，更新 0，不变 0，错误 0"
    assert main.main(["today"]) == 0
    assert "In: 0" in capsys.readouterr().out


# ----------------------------------------------------------------- Qt stays out of the CLI
def test_help_and_non_gui_commands_never_load_qt(tmp_path: Path) -> None:
    code = (
        "import sys, main\n"
        "csv = sys.argv[1] + '/r.csv'\n"
        "for argv in (['today'], ['settings'], ['export-residents', '--out', csv],\n"
        "             ['demo-data', '--days', '1', '--residents', '3']):\n"
        "    assert main.main(['--data-dir', sys.argv[1], *argv]) == 0, argv\n"
        "try:\n"
        "    main.main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui')))\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr


def test_argument_types_keep_their_edges() -> None:
    import argparse

    from cli.common import float_range, int_range, phone_arg

    hours = float_range(0, 24)
    assert hours("0") == 0 and hours("24") == 24  # 0 = today only, as before
    for bad in ("-0.5", "24.1", "nan", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            hours(bad)
    port = int_range(1, 65535)
    assert port("1") == 1 and port("65535") == 65535
    with pytest.raises(argparse.ArgumentTypeError):
        port("8750.5")
    assert int_range(0)("123456789") == 123456789
    assert phone_arg("+86 138 0013 8000") == "13800138000"
    with pytest.raises(argparse.ArgumentTypeError):
        phone_arg("12345")
