"""The compound's public key as a QR code: export a PNG, import it (or a photo of it) elsewhere."""

from datetime import date

import cv2
import numpy as np
import pytest

from app.database import open_database
from app.errors import KnownError
from app.roster import keyqr, passes
from app.scan.demo import DemoCard, render_phone
from main import main


def test_cli_exports_the_key_as_a_qr_png_that_another_gate_imports(tmp_path, capsys):
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    png = tmp_path / "key.png"
    assert main(["keys", "export-public", "--qr", str(png), "--data-dir", a]) == 0
    text = capsys.readouterr().out.strip()
    assert text.startswith("GPK1:") and png.read_bytes().startswith(b"\x89PNG")
    assert not list(tmp_path.glob("*.part"))
    assert keyqr.read_key_image(png) == text
    assert main(["keys", "import-public", str(png), "--data-dir", b]) == 0
    kid = keyqr.key_id_of_text(text)
    assert capsys.readouterr().out.strip() == f"已导入公钥 {kid}"
    # a pass signed at gate a now verifies at gate b
    gate_a, gate_b = open_database(tmp_path / "a"), open_database(tmp_path / "b")
    try:
        key = passes.signing_key_or_none(gate_a.conn)
        assert key is not None
        day = date(2026, 11, 29)
        span = passes._day_span(day, day)
        fields = passes.PassFields(passes.KIND_VISITOR, b"", 7, 0, *span, "3-1")
        pass_text = passes.sign(key, fields)
        from datetime import datetime

        check = passes.resolve_pass(gate_b.conn, pass_text, datetime(2026, 11, 29, 9))
        assert check.ok and check.kind == "visitor"
        assert passes.is_trusted(gate_b.conn, kid)
    finally:
        gate_a.close()
        gate_b.close()


def test_export_needs_out_or_qr(tmp_path, capsys):
    assert main(["keys", "export-public", "--data-dir", str(tmp_path / "a")]) == 1
    assert "--qr" in capsys.readouterr().err


def test_a_phone_photo_of_the_key_qr_imports(gdb, clock, tmp_path):
    text = "GPK1:" + passes._b32(bytes(range(32)))  # any valid-looking 32-byte key
    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), render_phone(DemoCard("black", text)))
    assert keyqr.import_key_file(gdb.conn, photo, clock) == keyqr.key_id_of_text(text)


def test_a_picture_without_a_key_qr_is_refused(gdb, clock, tmp_path):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 200), 255, np.uint8))
    health = tmp_path / "health.png"
    cv2.imwrite(str(health), render_phone(DemoCard("green", "https://jkm.example.invalid/x")))
    fake_png = tmp_path / "not-really.png"
    fake_png.write_bytes(b"\x89PNG garbage")
    for path in (blank, health, fake_png):
        with pytest.raises(KnownError) as err:
            keyqr.import_key_file(gdb.conn, path, clock)
        assert err.value.code == "key_qr_unreadable"
    with pytest.raises(KnownError) as err:
        keyqr.import_key_file(gdb.conn, tmp_path / "missing.png", clock)
    assert err.value.code == "import_missing"
    assert [r["label"] for r in gdb.conn.execute("SELECT label FROM pass_keys")] == []
