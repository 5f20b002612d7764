"""Officer PIN: scrypt hash only, lockout after five wrong, every guarded action audited."""

import sqlite3

import pytest

from app.errors import KnownError
from app.officer import LOCK_SECONDS, OfficerAuth


@pytest.fixture
def officer(gdb, clock):
    return OfficerAuth(gdb, clock)


def test_pin_is_stored_only_as_a_hash(officer, gdb):
    assert not officer.has_pin()
    with pytest.raises(KnownError) as err:
        officer.verify("1234")
    assert err.value.code == "pin_not_set"
    officer.set_pin("482913")
    row = gdb.conn.execute("SELECT * FROM officer_pin").fetchone()
    assert "482913" not in " ".join(str(v) for v in dict(row).values())
    assert row["algo"].startswith("scrypt")
    assert officer.verify("482913") and not officer.verify("000000")
    assert "482913" not in " ".join(r[0] for r in gdb.conn.execute("SELECT body FROM outbox"))


def test_bad_pins_are_refused(officer):
    for bad in ("12", "abcd", "", "1234567890123", "1234", "12345"):
        with pytest.raises(KnownError) as err:
            officer.set_pin(bad)
        assert err.value.code == "pin_invalid"


def test_change_needs_the_old_pin(officer):
    officer.set_pin("111111")
    with pytest.raises(KnownError):
        officer.set_pin("222222")
    with pytest.raises(KnownError):
        officer.set_pin("222222", "999999")
    officer.set_pin("222222", "111111")
    assert officer.verify("222222") and not officer.verify("111111")


def test_five_wrong_pins_lock_for_five_minutes(officer, clock):
    officer.set_pin("123456")
    for i in range(4):
        assert officer.verify("0000") is False
        assert officer.attempts_left() == 4 - i
    assert officer.verify("0000") is False
    with pytest.raises(KnownError) as err:
        officer.verify("123456")  # even the right PIN is refused while locked
    assert err.value.code == "pin_locked" and err.value.params == {"minutes": 5}
    clock.advance(LOCK_SECONDS - 1)
    with pytest.raises(KnownError):
        officer.verify("123456")
    clock.advance(1)
    assert officer.verify("123456")
    assert officer.attempts_left() == 5


def test_lock_survives_a_restart(gdb, clock):
    OfficerAuth(gdb, clock).set_pin("123456")
    for _ in range(5):
        OfficerAuth(gdb, clock).verify("9")
    with pytest.raises(KnownError):
        OfficerAuth(gdb, clock).verify("123456")


def test_a_right_pin_resets_the_count(officer):
    officer.set_pin("123456")
    for _ in range(4):
        officer.verify("0")
    assert officer.verify("123456")
    for _ in range(4):
        officer.verify("0")
    assert officer.verify("123456")


def test_authorize_audits_the_action_and_failures(officer, gdb):
    officer.set_pin("123456")
    with pytest.raises(KnownError) as err:
        officer.authorize("1", "export", {"date": "2026-11-29"})
    assert err.value.code == "pin_wrong" and err.value.params == {"left": 4}
    officer.authorize("123456", "export", {"date": "2026-11-29"})
    actions = [r["action"] for r in officer.audit_log()]
    assert actions == ["pin_set", "pin_failed", "pin_ok", "export"]
    export = officer.audit_log("export")[0]
    assert export["detail"] == '{"date": "2026-11-29"}' and export["actor"] == "officer"
    assert export["volunteer"] == "-" and export["ts_local"].startswith("2026-11-29T08:00")
    kinds = [r[0] for r in gdb.conn.execute("SELECT kind FROM outbox")]
    assert kinds.count("audit") == 4


def test_audit_log_cannot_be_changed_or_deleted(officer, gdb):
    officer.audit("delete", {"what": "x"})
    with pytest.raises(sqlite3.DatabaseError):
        gdb.conn.execute("UPDATE audit_log SET action = 'nothing'")
    with pytest.raises(sqlite3.DatabaseError):
        gdb.conn.execute("DELETE FROM audit_log")
    assert len(officer.audit_log()) == 1


def test_a_four_digit_pin_set_before_still_verifies_but_a_new_one_needs_six(officer, gdb):
    from app import officer as officer_mod
    from db import officer as shift_db
    from db.connection import transaction

    salt = bytes(16)
    legacy = officer_mod.LEGACY_SCRYPT
    with transaction(gdb.conn):
        shift_db.insert_pin(
            gdb.conn,
            {
                "id": "old-pin",
                "ts_utc": "2026-01-01T00:00:00Z",
                "algo": officer_mod.algo_name(legacy),
                "salt": salt.hex(),
                "hash": officer_mod._hash("2468", salt, legacy),
            },
        )
    assert officer.verify("2468") and not officer.verify("1357")
    with pytest.raises(KnownError) as err:
        officer.set_pin("8642", "2468")
    assert err.value.code == "pin_invalid" and "6" in err.value.message("zh")
    officer.set_pin("864213", "2468")
    assert officer.verify("864213")
    row = gdb.conn.execute("SELECT algo FROM officer_pin ORDER BY rowid DESC").fetchone()
    assert row["algo"] == officer_mod.algo_name(officer_mod.SCRYPT)
