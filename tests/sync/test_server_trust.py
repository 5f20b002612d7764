"""Trust on the server (#13 items 1-3): bundles only from gates enrolled beforehand, pairing
codes that never re-key a gate, one KDF, a login lockout with an audit, sessions that end,
CSRF on every state-changing form, and a Secure cookie behind TLS."""

from __future__ import annotations

import hashlib
import http.cookiejar
import urllib.parse
import urllib.request

import pytest

from app import officer as gate_officer
from app.clock import FakeClock
from app.database import open_database
from app.sync.bundle import BundleRefused, export_bundle
from app.sync.identity import load_identity
from app.sync.transport import HttpTransport
from server import devices
from server.audit import audit_log
from server.bundles import import_bundle
from server.ingest import device_head
from server.officer import check_officer, set_officer
from server.officer.auth import ACCOUNT_FAILURES, ADDRESS_FAILURES, LOCK_MINUTES, login
from server.run import ServerThread

from .conftest import add_events, enrol_offline_gate, make_client

PASSWORD = "correct horse"


# ----------------------------------------------------------------- bundles and pairing
def _impostor(tmp_path, name: str, device_id: str | None = None):
    folder = tmp_path / name
    folder.mkdir()
    gdb = open_database(folder)
    if device_id:
        gdb.conn.execute("UPDATE device SET device_id = ?", (device_id,))
    add_events(gdb.conn, 3)
    path = export_bundle(gdb.conn, folder)
    return gdb, path


def _events(store) -> int:
    with store.tx() as tx:
        return int(tx.one("SELECT count(*) AS n FROM events")["n"])


def test_a_self_made_gates_bundle_is_refused(store, tmp_path):
    gdb, path = _impostor(tmp_path, "self-made")
    gdb.close()
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, path)
    assert err.value.reason == "unknown_device"
    assert _events(store) == 0
    with store.tx() as tx:
        assert tx.one("SELECT count(*) AS n FROM devices")["n"] == 0


def test_a_bundle_claiming_another_gate_does_not_lock_the_real_gate_out(store, gate, tmp_path):
    real = load_identity(gate.conn).device_id
    # the impostor comes first, before the real gate was ever seen
    gdb, forged = _impostor(tmp_path, "first", real)
    gdb.close()
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, forged)
    assert err.value.reason == "unknown_device"
    # the officer enrols the real gate; its bundle goes in, the impostor's still does not
    enrol_offline_gate(store, gate.conn)
    add_events(gate.conn, 5)
    assert import_bundle(store, export_bundle(gate.conn, tmp_path)).counts()["accepted"] == 5
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, forged)
    assert err.value.reason == "key_mismatch"
    add_events(gate.conn, 2)
    (tmp_path / "later").mkdir()
    later = export_bundle(gate.conn, tmp_path / "later")
    assert import_bundle(store, later).counts()["accepted"] == 2
    assert device_head(store, real) == 7


def test_a_pairing_code_does_not_re_key_an_existing_gate(store, gate, tmp_path):
    with ServerThread(store) as srv:
        client = make_client(gate.conn, HttpTransport(timeout=5))
        client.enrol(devices.new_enrolment(store, srv.url), "东门")
        add_events(gate.conn, 3)
        assert client.run().accepted == 3
        real = load_identity(gate.conn).device_id
        (tmp_path / "a").mkdir()
        attacker = open_database(tmp_path / "a")
        try:
            attacker.conn.execute("UPDATE device SET device_id = ?", (real,))
            with pytest.raises(devices.EnrolError) as err:
                devices.enrol(
                    store,
                    _code(devices.new_enrolment(store, srv.url)),
                    real,
                    load_identity(attacker.conn).public_key_hex,
                )
            assert err.value.reason == "device_exists"
        finally:
            attacker.close()
        add_events(gate.conn, 2)
        report = client.run()  # the real gate's token and key still work
        assert report.ok and report.accepted == 2


def _code(text: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(text).query)["code"][0]


def test_re_keying_a_gate_is_an_explicit_audited_officer_action(store, gate, tmp_path):
    enrol_offline_gate(store, gate.conn)
    ident = load_identity(gate.conn)
    other = "ab" * 32
    with pytest.raises(devices.EnrolError) as err:
        devices.enrol_offline(store, ident.device_id, other, officer="jiedao")
    assert err.value.reason == "device_exists"
    assert devices.get_device(store, ident.device_id).public_key == ident.public_key_hex
    devices.enrol_offline(store, ident.device_id, other, officer="jiedao", replace=True)
    assert devices.get_device(store, ident.device_id).public_key == other
    actions = [(r["username"], r["action"]) for r in audit_log(store)]
    assert actions == [("test", "gate_enrolled"), ("jiedao", "gate_rekeyed")]


# ----------------------------------------------------------------- one KDF
def test_officer_passwords_are_scrypt(store):
    set_officer(store, "jiedao", PASSWORD)
    with store.tx() as tx:
        stored = tx.one("SELECT password_hash FROM officers")["password_hash"]
    cost = gate_officer.SCRYPT  # the gate's KDF and cost (lowered for the tests)
    assert stored.startswith(f"scrypt${cost['n']}${cost['r']}${cost['p']}$")
    assert check_officer(store, "jiedao", PASSWORD) and not check_officer(store, "jiedao", "x")


def test_an_old_pbkdf2_hash_still_works_and_is_re_hashed_on_the_next_good_login(store):
    salt = b"s" * 16
    digest = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, 120_000).hex()
    old = f"pbkdf2$120000${salt.hex()}${digest}"
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO officers(username, password_hash, created_utc) VALUES (?, ?, 'x')",
            ("jiedao", old),
        )

    def stored() -> str:
        with store.tx() as tx:
            return tx.one("SELECT password_hash FROM officers")["password_hash"]

    assert not login(store, "jiedao", "wrong password", "10.0.0.1").ok
    assert stored() == old  # a wrong password changes nothing
    assert login(store, "jiedao", PASSWORD, "10.0.0.1").ok
    assert stored().startswith("scrypt$")
    assert login(store, "jiedao", PASSWORD, "10.0.0.1").ok


# ----------------------------------------------------------------- lockout
def test_wrong_passwords_lock_the_account_even_for_the_right_one(store):
    set_officer(store, "jiedao", PASSWORD)
    clock = FakeClock()
    for _ in range(ACCOUNT_FAILURES):
        assert not login(store, "jiedao", "guess", "10.0.0.9", clock).ok
    result = login(store, "jiedao", PASSWORD, "10.0.0.1", clock)  # another address, same account
    assert not result.ok and result.locked
    clock.advance(LOCK_MINUTES * 60 + 1)
    assert login(store, "jiedao", PASSWORD, "10.0.0.1", clock).ok
    actions = [r["action"] for r in audit_log(store)]
    assert actions == ["password_set"] + ["login_failed"] * ACCOUNT_FAILURES + [
        "login_locked",
        "login_ok",
    ]


def test_many_wrong_passwords_from_one_address_lock_that_address(store):
    set_officer(store, "jiedao", PASSWORD)
    clock = FakeClock()
    for i in range(ADDRESS_FAILURES):
        login(store, f"user{i}", "guess", "10.6.6.6", clock)  # a spray over many accounts
    assert login(store, "jiedao", PASSWORD, "10.6.6.6", clock).locked
    assert login(store, "jiedao", PASSWORD, "10.0.0.1", clock).ok  # others are not locked


# ----------------------------------------------------------------- over HTTP
def opener():
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    op.jar = jar  # type: ignore[attr-defined]
    return op


def http_login(op, url: str, password: str = PASSWORD) -> str:
    data = urllib.parse.urlencode({"username": "jiedao", "password": password}).encode()
    return op.open(f"{url}/login", data=data, timeout=10).geturl()


def csrf_of(op, url: str) -> str:
    page = op.open(f"{url}/", timeout=10).read().decode()
    return page.split("name='csrf' value='")[1].split("'")[0]


def status_of(op, url: str, fields: dict, headers: dict | None = None) -> int:
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers=headers or {})
    try:
        return op.open(req, timeout=10).status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture
def site(store, gate):
    set_officer(store, "jiedao", PASSWORD)
    enrol_offline_gate(store, gate.conn)
    with ServerThread(store) as srv:
        yield srv


SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_the_lockout_holds_over_http_and_through_a_restart(store):
    set_officer(store, "jiedao", PASSWORD)
    with ServerThread(store) as srv:
        for _ in range(ACCOUNT_FAILURES):
            assert http_login(opener(), srv.url, "guess").endswith("/login?failed=1")
    with ServerThread(store) as srv:  # a restart: the lockout is read back from the audit
        op = opener()
        assert http_login(op, srv.url).endswith("/login?locked=1")
        page = op.open(f"{srv.url}/login?locked=1", timeout=10).read().decode()
        assert f"已锁定 {LOCK_MINUTES} 分钟" in page


@SQLITE_ONLY
def test_logout_and_a_password_reset_end_sessions_on_the_server(store, site):
    op = opener()
    assert http_login(op, site.url).endswith("/")
    stolen = [c for c in op.jar][0]  # type: ignore[attr-defined]
    assert status_of(op, f"{site.url}/logout", {"csrf": csrf_of(op, site.url)}) == 200
    replay = opener()
    replay.jar.set_cookie(stolen)  # type: ignore[attr-defined]
    assert replay.open(f"{site.url}/", timeout=10).geturl().endswith("/login")
    # a second browser stays logged in until the password is reset
    other = opener()
    http_login(other, site.url)
    assert other.open(f"{site.url}/", timeout=10).geturl() == f"{site.url}/"
    set_officer(store, "jiedao", "a new password")
    assert other.open(f"{site.url}/", timeout=10).geturl().endswith("/login")
    assert "logout" in [r["action"] for r in audit_log(store)]


FORMS = [
    ("/enrol-code", {}),
    ("/devices/enrol", {"device_id": "new-gate", "public_key": "cd" * 32}),
    ("/bundles", {}),
    ("/logout", {}),
]


@SQLITE_ONLY
@pytest.mark.parametrize("path,fields", FORMS + [("/devices/{gate}/revoke", {"confirm": "yes"})])
def test_every_state_changing_form_needs_the_csrf_token(store, site, gate, path, fields):
    path = path.replace("{gate}", gate.device.device_id)
    op = opener()
    http_login(op, site.url)
    token = csrf_of(op, site.url)
    assert status_of(op, f"{site.url}{path}", fields) == 403  # no token
    assert status_of(op, f"{site.url}{path}", {**fields, "csrf": "0" * 64}) == 403
    evil = {"Origin": "http://evil.example"}
    assert status_of(op, f"{site.url}{path}", {**fields, "csrf": token}, evil) == 403
    assert not devices.get_device(store, gate.device.device_id).revoked
    assert devices.get_device(store, "new-gate") is None
    assert status_of(op, f"{site.url}{path}", {**fields, "csrf": token}) == 200


@SQLITE_ONLY
def test_revoke_and_enrol_with_the_token_are_audited(store, site, gate):
    op = opener()
    http_login(op, site.url)
    fields = {"device_id": "new-gate", "public_key": "cd" * 32, "csrf": csrf_of(op, site.url)}
    assert status_of(op, f"{site.url}/devices/enrol", fields) == 200
    assert devices.get_device(store, "new-gate").public_key == "cd" * 32
    token = {"csrf": csrf_of(op, site.url), "confirm": "yes"}  # from the confirmation page
    assert status_of(op, f"{site.url}/devices/{gate.device.device_id}/revoke", token) == 200
    assert devices.get_device(store, gate.device.device_id).revoked
    actions = [r["action"] for r in audit_log(store)]
    assert "gate_enrolled" in actions and "revoke" in actions


def _login_cookie(srv, headers: dict) -> str:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    body = urllib.parse.urlencode({"username": "jiedao", "password": PASSWORD})
    conn.request(
        "POST",
        "/login",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    reply = conn.getresponse()
    cookie = reply.getheader("set-cookie") or ""
    conn.close()
    return cookie


@SQLITE_ONLY
def test_the_cookie_is_secure_behind_a_trusted_tls_proxy_only(store, monkeypatch):
    set_officer(store, "jiedao", PASSWORD)
    tls = {"X-Forwarded-Proto": "https"}
    with ServerThread(store) as srv:
        assert "secure" not in _login_cookie(srv, {}).lower()
        assert "secure" not in _login_cookie(srv, tls).lower()  # anyone can send the header
    monkeypatch.setenv("GATEPOST_TRUSTED_PROXIES", "127.0.0.1")
    with ServerThread(store) as srv:
        cookie = _login_cookie(srv, tls).lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
        assert "secure" not in _login_cookie(srv, {}).lower()


@SQLITE_ONLY
def test_an_upload_over_the_cap_is_413_before_it_is_read(store, site, monkeypatch):
    import server.officer.pages as pages

    monkeypatch.setattr(pages, "UPLOAD_BODY", 100_000)
    with ServerThread(store) as srv:
        op = opener()
        http_login(op, srv.url)
        token = csrf_of(op, srv.url)
        big = {"csrf": token, "bundle": "x" * 200_000}
        assert status_of(op, f"{srv.url}/bundles", big) == 413


def _multipart(
    fields: dict[str, str], name: str, data: bytes, field: str = "bundle"
) -> tuple[bytes, str]:
    boundary = "gatepost-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        "Content-Type: application/zip\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _upload(op, url: str, token: str, data: bytes) -> tuple[int, str]:
    """POST a bundle through the officer's form: (status, the page it lands on, unquoted)."""
    body, ctype = _multipart({"csrf": token}, "b.zip", data)
    req = urllib.request.Request(
        f"{url}/bundles", data=body, method="POST", headers={"Content-Type": ctype}
    )
    try:
        reply = op.open(req, timeout=10)
        return reply.status, urllib.parse.unquote(reply.geturl())
    except urllib.error.HTTPError as err:
        return err.code, ""


@SQLITE_ONLY
def test_the_upload_form_takes_a_bundle_with_its_token(store, site, gate, tmp_path):
    add_events(gate.conn, 4)
    data = export_bundle(gate.conn, tmp_path).read_bytes()
    op = opener()
    http_login(op, site.url)
    for token, want in (("0" * 64, 403), (csrf_of(op, site.url), 200)):
        status, text = _upload(op, site.url, token, data)
        assert status == want
    assert "新增 4，重复 0，拒收 0" in text
    assert device_head(store, gate.device.device_id) == 4


@SQLITE_ONLY
def test_the_upload_form_opens_a_sealed_bundle_and_refuses_an_altered_one(
    store, site, gate, tmp_path
):
    """#13: the page takes a bundle sealed to this server; a cut or altered one is a message
    on the page (never a 500), and nothing of it is stored."""
    from app.sync.ack import pin_box_key
    from server.acks import server_box_key

    pin_box_key(gate.conn, server_box_key(store).public_key_hex, "2026-11-29T00:00:00Z")
    add_events(gate.conn, 6)
    data = export_bundle(gate.conn, tmp_path).read_bytes()
    op = opener()
    http_login(op, site.url)
    token = csrf_of(op, site.url)
    altered = bytearray(data)
    altered[len(data) // 2] ^= 0xFF  # inside the ciphertext
    for bad in (data[: len(data) - 30], bytes(altered)):
        status, text = _upload(op, site.url, token, bad)
        assert status == 200 and "数据包被拒收" in text
        assert device_head(store, gate.device.device_id) == 0
    status, text = _upload(op, site.url, token, data)
    assert status == 200 and "新增 6，重复 0，拒收 0" in text
    assert device_head(store, gate.device.device_id) == 6


def test_the_command_line_enrols_an_offline_gate_for_its_bundles(tmp_path, gate, capsys):
    import main

    srv = ["--data-dir", str(tmp_path / "srv"), "--lang", "en"]
    add_events(gate.conn, 3)
    bundle = str(export_bundle(gate.conn, tmp_path))
    assert main.main([*srv, "bundle", "import", bundle]) == 1
    assert "does not know this gate" in capsys.readouterr().err
    ident = load_identity(gate.conn)
    assert main.main([*srv, "enrol-gate", ident.device_id, ident.public_key_hex]) == 0
    assert main.main([*srv, "enrol-gate", ident.device_id, "ab" * 32]) == 1
    assert "device_exists" in capsys.readouterr().err
    assert main.main([*srv, "bundle", "import", bundle]) == 0
    assert "accepted 3" in capsys.readouterr().out
