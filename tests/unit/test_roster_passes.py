"""Passes: sign/verify, forged, tampered, expired, revoked, other key, visitor, QR size."""

from datetime import date, datetime, timedelta

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.database import open_memory
from app.errors import KnownError
from app.roster import passes
from app.scan.payload import classify_payload
from main import main
from tests.fakes import roster_files as rf

TODAY = date(2026, 11, 29)


@pytest.fixture
def zhang(roster):
    return roster.add(rf.zhang_san())


def now(clock):
    return clock.now()


def issue(roster, resident, days=30):
    return passes.resident_pass(
        roster.conn, roster.clock, resident["id"], TODAY, TODAY + timedelta(days=days)
    )


def test_a_pass_verifies_and_names_the_resident_masked(roster, zhang, clock):
    text = issue(roster, zhang)
    assert classify_payload(text).kind == "pass"
    check = passes.resolve_pass(roster.conn, text, now(clock))
    assert check.ok and check.reason_code is None
    assert (check.resident_id, check.masked_name, check.household) == (
        zhang["id"],
        "张*",
        "3-2-501",
    )
    assert (check.building, check.unit, check.room) == ("3", "2", "501")
    ident = check.identity()
    assert ident.method == "pass" and ident.resident_id == zhang["id"]
    assert ident.person_name == "张三" and ident.id_number == rf.ZHANG


def qr_version(text, level):
    qr = qrcode.QRCode(error_correction=level)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.version


def test_the_pass_fits_a_qr_code_of_version_7(roster, zhang, clock):
    typical = issue(roster, zhang, days=365)
    assert qr_version(typical, qrcode.constants.ERROR_CORRECT_M) <= 6
    worst = roster.add(
        {
            "name": "欧阳娜娜",
            "id_number": rf.LI,
            "building": "12A",
            "unit": "3",
            "room": "2304",
            "household": "翔鹭花城三期12A栋-3-2304东户",
        }
    )
    text = passes.resident_pass(
        roster.conn, clock, worst["id"], TODAY, TODAY + timedelta(days=3650)
    )
    assert qr_version(text, qrcode.constants.ERROR_CORRECT_M) <= 7, len(text)
    # a household too long for the card is cut on a character boundary, still verifies
    check = passes.resolve_pass(roster.conn, text, now(clock))
    assert check.ok and check.household == worst["household"]
    assert "翔鹭花城".startswith(passes.parse(text)[0].household[:4])


def test_expired_and_not_yet_valid(roster, zhang, clock):
    text = passes.resident_pass(
        roster.conn, clock, zhang["id"], TODAY - timedelta(days=10), TODAY - timedelta(days=1)
    )
    check = passes.resolve_pass(roster.conn, text, now(clock))
    assert not check.ok and check.reason_code == "pass_expired"
    assert check.params == {"until": "2026-11-28"}
    later = passes.resident_pass(
        roster.conn, clock, zhang["id"], TODAY + timedelta(days=1), TODAY + timedelta(days=2)
    )
    assert passes.resolve_pass(roster.conn, later, now(clock)).reason_code == "pass_not_yet_valid"
    # the last valid day is valid until midnight
    today_only = passes.resident_pass(roster.conn, clock, zhang["id"], TODAY, TODAY)
    late = datetime.combine(TODAY, datetime.max.time()).replace(microsecond=0)
    assert passes.resolve_pass(roster.conn, today_only, late).ok


def test_reissue_revokes_older_cards(roster, zhang, clock):
    old = issue(roster, zhang)
    passes.reissue(roster.conn, clock, zhang["id"], who="网格员")
    assert passes.resolve_pass(roster.conn, old, now(clock)).reason_code == "pass_revoked"
    new = issue(roster, zhang)
    assert passes.resolve_pass(roster.conn, new, now(clock)).ok
    actions = [h["action"] for h in roster.history(zhang["id"])]
    assert actions == ["add", "pass_issue", "pass_reissue"]


def test_moved_out_resident_is_refused(roster, zhang, clock):
    text = issue(roster, zhang)
    roster.set_status(zhang["id"], "moved_out")
    check = passes.resolve_pass(roster.conn, text, now(clock))
    assert not check.ok and check.reason_code == "pass_moved_out"


def test_edited_payload_is_refused_as_forged(roster, zhang, clock):
    other = roster.add(
        {"name": "李四", "id_number": rf.LI, "building": "3", "unit": "2", "room": "502"}
    )
    issue(roster, other)
    text = issue(roster, zhang)
    fields, body, sig = passes.parse(text)
    edited = bytearray(body)
    edited[5:9] = other["id"].to_bytes(4, "big")  # point the card at someone else
    forged = "GP1:" + passes._b32(bytes(edited) + sig)
    assert passes.parse(forged)[0].subject == other["id"]
    assert passes.resolve_pass(roster.conn, forged, now(clock)).reason_code == "pass_forged"
    flipped = text[:-10] + ("A" if text[-10] != "A" else "B") + text[-9:]
    assert passes.resolve_pass(roster.conn, flipped, now(clock)).reason_code == "pass_forged"


def test_signed_with_a_stranger_key(roster, zhang, clock):
    issue(roster, zhang)  # makes our key
    stranger = Ed25519PrivateKey.generate()
    fields = passes.PassFields(
        1, b"", zhang["id"], 1, datetime(2026, 11, 1), datetime(2026, 12, 31), "3-2-501"
    )
    other_compound = passes.sign(stranger, fields)
    assert (
        passes.resolve_pass(roster.conn, other_compound, now(clock)).reason_code == "pass_other_key"
    )
    # the stranger pretends to be us by copying our key id: the signature gives it away
    ours = passes.parse(issue(roster, zhang))[0].key_id
    _, body, sig = passes.parse(other_compound)
    spoofed = "GP1:" + passes._b32(body[:1] + ours + body[5:] + sig)
    assert passes.resolve_pass(roster.conn, spoofed, now(clock)).reason_code == "pass_forged"


@pytest.mark.parametrize("text", ["GP1:", "GP1:!!!!", "GP1:AAAA", "https://x"])
def test_garbage_is_malformed(roster, clock, text):
    assert passes.resolve_pass(roster.conn, text, now(clock)).reason_code == "pass_malformed"


def test_another_gate_verifies_after_importing_the_public_key(roster, zhang, clock, tmp_path):
    text = issue(roster, zhang)
    public = passes.export_public_key(roster.conn, clock)
    gate2 = open_memory()
    try:
        assert passes.resolve_pass(gate2.conn, text, now(clock)).reason_code == "pass_other_key"
        kid = passes.import_public_key(gate2.conn, public, clock)
        assert kid == passes.parse(text)[0].key_id.hex()
        # the signature is good; this gate has no roster entry for the holder yet
        assert (
            passes.resolve_pass(gate2.conn, text, now(clock)).reason_code == "pass_unknown_resident"
        )
        with pytest.raises(KnownError):
            passes.import_public_key(gate2.conn, "GPK1:notakey", clock)
    finally:
        gate2.close()


def test_keys_cli_export_and_import(tmp_path, capsys):
    out = tmp_path / "compound.pub"
    assert (
        main(["keys", "export-public", "--out", str(out), "--data-dir", str(tmp_path / "a")]) == 0
    )
    assert out.read_text().startswith("GPK1:")
    assert capsys.readouterr().out.startswith("GPK1:")
    assert main(["keys", "import-public", str(out), "--data-dir", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().out.startswith("已导入公钥 ")
    bad = tmp_path / "bad.pub"
    bad.write_text("hello")
    assert main(["keys", "import-public", str(bad), "--data-dir", str(tmp_path / "b")]) == 1


def test_visitor_pass_is_for_today_and_names_the_host(roster, clock):
    pass_id, text = passes.visitor_pass(roster.conn, clock, "3-2-501", "王小明", who="值班")
    check = passes.resolve_pass(roster.conn, text, now(clock))
    assert check.ok and check.kind == "visitor" and check.household == "3-2-501"
    assert check.masked_name == "王*明"
    row = roster.conn.execute("SELECT * FROM outbox WHERE kind = 'visitor_pass'").fetchone()
    assert row is not None
    clock.advance(24 * 3600)
    assert passes.resolve_pass(roster.conn, text, now(clock)).reason_code == "pass_expired"
    _, two_hours = passes.visitor_pass(
        roster.conn, clock, "3-2-501", "王小明", until=clock.now() + timedelta(hours=2)
    )
    assert passes.resolve_pass(roster.conn, two_hours, now(clock)).ok
    clock.advance(2 * 3600)
    assert passes.resolve_pass(roster.conn, two_hours, now(clock)).reason_code == "pass_expired"


def test_resident_status_and_overdue_cli(tmp_path, capsys):
    data = str(tmp_path / "gate")
    src = rf.write_csv(
        tmp_path / "r.csv", [["姓名", "身份证号", "住址"], ["张三", rf.ZHANG, "3-2-501"]]
    )
    assert main(["import-residents", str(src), "--data-dir", data]) == 0
    capsys.readouterr()
    args = ["resident-status", rf.ZHANG, "observation", "--end", "2099-01-01", "--data-dir", data]
    assert main(args) == 0
    assert capsys.readouterr().out.split() == ["1", "observation", "2099-01-01"]
    assert main(["resident-status", rf.ZHANG, "observation", "--data-dir", data]) == 1
    assert "结束日期" in capsys.readouterr().err
    assert main(["resident-status", rf.LI, "moved_out", "--data-dir", data]) == 1
    assert main(["overdue", "--data-dir", data]) == 0
    assert capsys.readouterr().out == ""
