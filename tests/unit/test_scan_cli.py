"""The decode command: one JSON line per image in order, error lines, exit code, no traceback."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np

from cli.scan import decode_command
from tests.fakes.qrframes import frame

CN = '{"name":"张*伟","st":"Y","sig":"abcdef0123456789"}'


def _run(paths: list[str]) -> tuple[int, list[dict], str]:
    out = io.StringIO()
    rc = decode_command(paths, out=out)
    text = out.getvalue()
    return rc, [json.loads(line) for line in text.splitlines()], text


def test_found_not_found_and_errors_in_order(tmp_path: Path) -> None:
    good = tmp_path / "黄码.png"
    cv2.imencode(".png", frame(CN, "yellow", module_px=4, seed=3))[1].tofile(str(good))
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 200, np.uint8))
    notimg = tmp_path / "notes.png"
    notimg.write_text("not really a png", encoding="utf-8")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.png"
    rc, lines, raw = _run(
        [str(good), str(blank), str(notimg), str(missing), str(empty), str(tmp_path)]
    )
    assert rc != 0
    assert [line["file"] for line in lines] == [
        str(good),
        str(blank),
        str(notimg),
        str(missing),
        str(empty),
        str(tmp_path),
    ]
    assert lines[0]["found"] is True and lines[0]["text"] == CN and lines[0]["color"] == "yellow"
    assert isinstance(lines[0]["ms"], float)
    assert "张*伟" in raw  # ensure_ascii=False: Chinese printed as is
    assert lines[1] == {
        "file": str(blank),
        "found": False,
        "text": None,
        "color": None,
        "ms": lines[1]["ms"],
    }
    for line in lines[2:]:
        assert set(line) == {"file", "error"} and line["error"]
    assert lines[3]["error"] == "file not found"
    assert "Traceback" not in raw


def test_all_good_exits_zero(tmp_path: Path) -> None:
    p = tmp_path / "g.png"
    cv2.imwrite(str(p), frame("HC1:ABC123", "green", module_px=4, seed=1))
    rc, lines, _ = _run([str(p)])
    assert rc == 0 and lines[0]["found"] and lines[0]["text"] == "HC1:ABC123"


def test_refused_payload_is_never_printed(tmp_path: Path) -> None:
    p = tmp_path / "spoof.png"
    cv2.imwrite(str(p), frame("pay\u202etxt.exe", "black", module_px=4, seed=2))
    rc, lines, raw = _run([str(p)])
    assert rc == 0 and lines[0]["found"] is True
    assert lines[0]["text"] is None and lines[0]["reason"] == "payload_bidi_controls"
    assert "exe" not in raw
