"""Fuzz every server route (#13 item 5): whatever a stranger, a logged-in officer or an
enrolled gate sends, the answer is a known status with a message, never a 5xx or a traceback,
and nothing the server already holds is lost or duplicated.

One hypothesis target draws the route (every gate API route and every officer page), the
caller (nobody, an officer with a live session and its CSRF token, an enrolled gate with its
token and a valid signature over the drawn body), hostile path segments, query strings,
headers that lie, JSON, form and multipart bodies. Requests go through the app in-process
(tests/fakes/asgi.py), so raw bytes reach it exactly as drawn. Short runs in `make test`;
`make fuzz` raises GATEPOST_FUZZ_EXAMPLES. The explicit examples are the corpus: the server
cases of the outside probe's finding 14 and what this target found.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.database import open_database
from app.i18n import t
from app.sync.bundle import export_bundle
from app.sync.identity import SyncIdentity, load_identity
from app.sync.protocol import event_from_row
from server import devices
from server.officer import auth, set_officer
from server.store import SqliteStore, Store
from server.web import create_app
from tests.fakes.asgi import Reply, call
from tests.fakes.sync_fakes import InProcessTransport
from tests.hostile.test_fuzz import mutated
from tests.sync.conftest import add_events, make_client

EXAMPLES = int(os.environ.get("GATEPOST_FUZZ_EXAMPLES", "25"))
pytestmark = pytest.mark.fuzz
# one target for 16 routes: 200 requests in `make test`, 10,000 under `make fuzz`
ROUTE_FUZZ = settings(
    max_examples=max(200, EXAMPLES * 2),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    derandomize=EXAMPLES <= 25,  # the short tier is the same every run; `make fuzz` explores
)
EVENTS = 12  # the known gate's events, stored before the fuzzing starts


@dataclass
class Site:
    app: Any
    store: Store
    gate: SyncIdentity
    bundle: bytes  # the known gate's bundle of events the server already holds
    events: list[dict[str, Any]]  # the same events as the gate sends them


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("routes")
    store = SqliteStore(root / "server.db")
    store.migrate()
    set_officer(store, "jiedao", "correct horse")
    (root / "gate").mkdir()
    (root / "out").mkdir()
    gdb = open_database(root / "gate")
    add_events(gdb.conn, EVENTS)
    client = make_client(gdb.conn, InProcessTransport(store))
    client.enrol(devices.new_enrolment(store, "http://testserver"), "东门")
    assert client.run().error is None
    bundle = export_bundle(gdb.conn, root / "out", from_seq=1).read_bytes()
    wire = [event_from_row(r) for r in gdb.conn.execute("SELECT * FROM outbox ORDER BY seq")]
    app = create_app(store, tz="Asia/Shanghai")
    site = Site(app, store, load_identity(gdb.conn), bundle, wire)
    yield site
    gdb.close()
    store.close()


def _events_of(store: Store, device_id: str) -> list[tuple[int, str]]:
    with store.tx() as tx:
        rows = tx.execute(
            "SELECT seq, event_id FROM events WHERE device_id = ? ORDER BY seq", (device_id,)
        )
    return [(r["seq"], r["event_id"]) for r in rows]


# ----------------------------------------------------------------- what is drawn
HOSTILE_TEXT = [
    "",
    "日",
    "../x",
    "..%2f..%2fetc%2fpasswd",
    "x\r\nSet-Cookie: a=b",
    'a";filename=evil.exe',
    "2026-11-29",
    "2026-13-45",
    "9999-12-31",
    "0000-00-00",
    "1" + "0" * 30,
    "-1",
    "NaN",
    "<script>alert(1)</script>",
    "\x00",
    "\ud800",
    "x" * 5000,
    "%",
    "%zz",
    "%0d%0a",
    "' OR 1=1 --",
]
text_value = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))
QUERY_KEYS = ["date", "q", "state", "synced", "sort", "order", "lang", "msg", "ack", "failed"]


@st.composite
def query_strings(draw: st.DrawFn) -> bytes:
    pairs = draw(
        st.lists(
            st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=8)), text_value),
            max_size=5,
        )
    )
    if draw(st.booleans()):  # as a browser encodes it
        return urlencode(pairs, errors="surrogatepass").encode()
    # raw bytes, no encoding at all: CRLF, bare %, unicode as UTF-8 or not
    raw = "&".join(f"{k}={v}" for k, v in pairs)
    tail = draw(st.binary(max_size=8)) if draw(st.integers(0, 3)) == 0 else b""
    return raw.encode("utf-8", "surrogatepass") + tail


def _segment(text: str) -> bytes:
    return quote(text, safe="", errors="surrogatepass").encode()


@st.composite
def device_refs(draw: st.DrawFn, known: str) -> bytes:
    ref = draw(st.one_of(st.just(known), st.just(known[:6]), text_value))
    if draw(st.booleans()):
        return _segment(ref)
    return ref.encode("utf-8", "surrogatepass").replace(b"/", b"%2F").replace(b"?", b"%3F")


@st.composite
def replayed(draw: st.DrawFn, known: list[dict[str, Any]], value: Any) -> dict[str, Any]:
    """One of the events the server already holds, sent again as it is (a duplicate) or with
    one field changed (the hash covers neither seq nor created_utc: a replay at another seq)."""
    event = dict(draw(st.sampled_from(known)))
    if draw(st.booleans()):
        name = draw(st.sampled_from([*event, "extra"]))
        event[name] = draw(st.one_of(st.sampled_from([0, -1, 13, 10**30, True, 2.5]), value))
    if draw(st.integers(0, 4)) == 0:
        del event[draw(st.sampled_from(sorted(event)))]
    return event


@st.composite
def json_bodies(draw: st.DrawFn, known: list[dict[str, Any]], device_id: str) -> bytes:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        text_value,
    )
    value = st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(
                st.sampled_from(["seq", "event_id", "hash", "prev_hash", "kind", "body", "x"]),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=12,
    )
    shape = draw(st.sampled_from(["batch", "batch", "batch", "enrol", "any", "deep", "raw"]))
    if shape == "deep":
        depth = draw(st.sampled_from([10, 2000, 50_000]))
        return b"[" * depth + b"]" * depth
    if shape == "raw":
        return draw(st.binary(max_size=200))
    if shape == "any":
        body = draw(value)
    elif shape == "batch":
        events = st.lists(replayed(known, value) | value, max_size=4)
        body = {"protocol": 1, "device_id": device_id, "events": draw(events)}
        if draw(st.integers(0, 2)) == 0:  # a third of them with a wrong envelope
            body["protocol"] = draw(st.sampled_from([1, 2, "1", None, 10**30]))
            body["device_id"] = draw(st.sampled_from([device_id, "", "other", None]))
            body["events"] = draw(events | value)
        if draw(st.integers(0, 4)) == 0:
            body.update(draw(st.dictionaries(st.sampled_from(["key_id", "x", "events"]), value)))
    else:
        body = {
            k: draw(value | text_value)
            for k in draw(
                st.sets(st.sampled_from(["code", "device_id", "public_key", "name", "x"]))
            )
        }
    return json.dumps(body, allow_nan=True).encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@st.composite
def upload_files(draw: st.DrawFn, bundle: bytes) -> bytes:
    kind = draw(st.sampled_from(["bytes", "mutated", "truncated", "members", "same"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "mutated":
        return draw(mutated(bundle))
    if kind == "truncated":
        return bundle[: draw(st.integers(0, len(bundle)))]
    if kind == "same":  # the very bundle whose events are already held: nothing added
        return bundle
    names = st.sampled_from(
        ["manifest.json", "events.jsonl", "signature", "../evil", "a/" * 30, "日.txt"]
    )
    return _zip(draw(st.dictionaries(names, st.binary(max_size=100), max_size=4)))


def _multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes) -> tuple:
    boundary = "gpfuzzBOUNDARY"
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode())
        out.write(v.encode("utf-8", "surrogatepass") + b"\r\n")
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
    out.write((head + f'filename="{filename}"\r\n').encode("utf-8", "surrogatepass"))
    out.write(b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# (method, path template, body kind, caller the route is for)
ROUTES = [
    ("GET", "/api/v1/head", "none", "gate"),
    ("POST", "/api/v1/events", "json", "gate"),
    ("POST", "/api/v1/enrol", "json", "anyone"),
    ("GET", "/login", "none", "anyone"),
    ("POST", "/login", "form", "anyone"),
    ("POST", "/logout", "form", "officer"),
    ("GET", "/", "none", "officer"),
    ("POST", "/bundles", "multipart", "officer"),
    ("POST", "/reports/verify", "multipart", "officer"),
    ("GET", "/export.csv", "none", "officer"),
    ("GET", "/export.xlsx", "none", "officer"),
    ("POST", "/enrol-code", "form", "officer"),
    ("POST", "/devices/enrol", "form", "officer"),
    ("GET", "/devices/{ref}/revoke", "none", "officer"),
    ("POST", "/devices/{ref}/revoke", "form", "officer"),
    ("GET", "/devices/{ref}/ack", "none", "officer"),
]
FORM_KEYS = [
    "username",
    "password",
    "street",
    "community",
    "device_id",
    "public_key",
    "name",
    "confirm",
]


@st.composite
def requests(draw: st.DrawFn, site: Site) -> dict[str, Any]:
    method, template, body_kind, meant_for = draw(st.sampled_from(ROUTES))
    if draw(st.integers(0, 9)) == 0:  # the wrong method, or one no route has
        method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "BREW"]))
    ref = draw(device_refs(site.gate.device_id))
    if method == "POST" and template == "/devices/{ref}/revoke":
        assert site.gate.device_id  # revoking the known gate is allowed, but would end the run
        if ref in (site.gate.device_id.encode(), _segment(site.gate.device_id)):
            ref = b"not-the-known-gate"
    path = template.replace("{ref}", "\x00").encode().replace(b"\x00", ref)
    if draw(st.integers(0, 9)) == 0:
        path += draw(st.sampled_from([b"/", b"/../x", b"%00", b"/%2e%2e", b"//"]))
    caller = draw(st.sampled_from(["nobody", "officer", "gate", *[meant_for] * 3]))
    caller = "nobody" if caller == "anyone" else caller
    headers: list[tuple[bytes, bytes]] = [(b"host", b"testserver")]
    body = b""
    form: dict[str, str] = {}
    if body_kind == "json" or (body_kind == "none" and draw(st.integers(0, 4)) == 0):
        body = draw(json_bodies(site.events, site.gate.device_id))
        headers.append((b"content-type", b"application/json"))
    elif body_kind in ("form", "multipart"):
        keys = st.sampled_from(FORM_KEYS) | st.text(max_size=6)
        form = draw(st.dictionaries(keys, text_value, max_size=5))
        if draw(st.booleans()):
            form["confirm"] = "yes"
        if body_kind == "form" or draw(st.integers(0, 5)) == 0:
            body = urlencode(form, errors="surrogatepass").encode()
            headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    lie = draw(
        st.sampled_from(
            [
                None,
                None,
                None,
                None,
                b"text/plain",
                b"multipart/form-data",
                b"multipart/form-data; boundary=",
                b"application/x-www-form-urlencoded; charset=latin-9",
                b"application/json",
            ]
        )
    )
    return {
        "route": f"{method} {template}",
        "method": method,
        "path": path,
        "query": draw(query_strings()),
        "headers": headers,
        "body": body,
        "form": form,
        "body_kind": body_kind,
        "caller": caller,
        "content_type_lie": lie,
        "content_length": draw(
            st.sampled_from([None] * 6 + [b"0", b"5", b"-1", b"abc", b"1" + b"0" * 30, b" 7"])
        ),
        "extra_headers": draw(
            st.lists(
                st.tuples(
                    st.sampled_from(
                        [b"origin", b"x-forwarded-for", b"x-forwarded-proto", b"host", b"cookie"]
                    ),
                    st.sampled_from(
                        [
                            b"http://evil.example",
                            b"https",
                            b"1.2.3.4, 5.6.7.8",
                            b"\xff\xfe",
                            b"null",
                            b"",
                            b"testserver",
                            b"gp_officer=" + b"x" * 40,
                        ]
                    ),
                ),
                max_size=3,
            )
        ),
        "file": draw(upload_files(site.bundle)) if body_kind == "multipart" else b"",
        "filename": draw(st.sampled_from(["b.zip", "日报.csv", "r.xlsx", "x.pdf", "", "../x"])),
        "chunks": draw(st.sampled_from([1, 1, 3])),
    }


def _send(site: Site, req: dict[str, Any]) -> Reply:
    """The drawn request sent as its caller: cookie and CSRF token, or token and signature."""
    headers = list(req["headers"])
    form = dict(req["form"])
    if req["caller"] == "officer":
        token = auth.new_session(site.store, "jiedao")
        headers.append((b"cookie", f"{auth.COOKIE}={token}".encode()))
        form.setdefault("csrf", auth.csrf_token(_with_cookie(token)))
    body = req["body"]
    if req["body_kind"] == "form":
        body = urlencode(form, errors="surrogatepass").encode()
    elif req["body_kind"] == "multipart" and not body:
        field = "bundle" if req["path"].startswith(b"/bundles") else "report"
        text_fields = {k: v for k, v in form.items() if k}
        body, ctype = _multipart(text_fields, field, req["filename"], req["file"])
        headers.append((b"content-type", ctype.encode()))
    if req["caller"] == "gate":
        headers += [
            (b"authorization", f"Bearer {site.gate.token}".encode()),
            (b"x-gatepost-device", site.gate.device_id.encode()),
            (b"x-gatepost-signature", site.gate.sign(body).encode()),
        ]
    if req["content_type_lie"] is not None:
        headers = [h for h in headers if h[0] != b"content-type"]
        headers.append((b"content-type", req["content_type_lie"]))
    headers.append((b"content-length", req["content_length"] or str(len(body)).encode()))
    headers += req["extra_headers"]
    return call(
        site.app, req["method"], req["path"], req["query"], headers, body, chunks=req["chunks"]
    )


def _with_cookie(token: str) -> Any:
    from starlette.requests import Request

    cookie = f"{auth.COOKIE}={token}".encode()
    return Request({"type": "http", "headers": [(b"cookie", cookie)]})


TRACE = re.compile(rb"Traceback|File \"|Error:|Exception")
FILENAME = re.compile(rb"filename\*?=", re.IGNORECASE)


def check_reply(reply: Reply) -> None:
    """The property every answer keeps."""
    assert reply.error is None, f"the app raised {reply.error!r}"
    assert 200 <= reply.status < 500, reply.status
    assert not TRACE.search(reply.body), reply.body[:300]
    for name, value in reply.headers:
        assert b"\r" not in value and b"\n" not in value, (name, value)
    if 300 <= reply.status < 400:
        assert reply.header("location"), "a redirect says where to"
    elif reply.status >= 400:
        assert reply.body.strip(), f"a {reply.status} with no message"
    for value in reply.header("content-disposition"):
        assert len(FILENAME.findall(value)) == 1, value
        assert re.fullmatch(rb'attachment; filename="[A-Za-z0-9._-]+"', value), value


def plain(method: str, path: bytes, query: bytes = b"", **fields: Any) -> dict[str, Any]:
    """A request as `requests` draws it, with nothing hostile unless given."""
    req: dict[str, Any] = {
        "route": f"{method} {path.decode()}",
        "method": method,
        "path": path,
        "query": query,
        "headers": [(b"host", b"testserver")],
        "body": b"",
        "form": {},
        "body_kind": "none",
        "caller": "officer",
        "content_type_lie": None,
        "content_length": None,
        "extra_headers": [],
        "file": b"",
        "filename": "",
        "chunks": 1,
    }
    req.update(fields)
    return req


def _batch(site: Site, events: list[Any]) -> bytes:
    return json.dumps({"protocol": 1, "device_id": site.gate.device_id, "events": events}).encode()


def test_the_site_answers_a_plain_visit(site):
    """The fixture is real: the known gate's events are held, a replay of them is answered as
    duplicates, and the officer's dashboard renders (else the target would only meet refusals)."""
    assert len(_events_of(site.store, site.gate.device_id)) == EVENTS
    assert _send(site, plain("GET", b"/")).status == 200
    body = _batch(site, site.events[:3])
    reply = _send(
        site, plain("POST", b"/api/v1/events", body=body, body_kind="json", caller="gate")
    )
    assert reply.status == 200
    assert [r["status"] for r in json.loads(reply.body)["results"]] == ["duplicate"] * 3


DEEP = b"[" * 50_000 + b"]" * 50_000


def _corpus() -> list[tuple[str, dict[str, Any], int]]:
    """The server cases of the outside probe's finding 14, and what this target found: (name,
    request, the status it must get). Device ids and bodies that need the site are filled in
    by the test."""
    huge_seq = {"seq": 10**30}
    return [
        ("nested JSON, enrol", plain("POST", b"/api/v1/enrol", body=DEEP, caller="nobody"), 413),
        ("nested JSON, enrol small", plain("POST", b"/api/v1/enrol", body=DEEP[:4000]), 400),
        ("nested JSON, events", plain("POST", b"/api/v1/events", body=DEEP, caller="gate"), 400),
        ("seq 10^30", plain("POST", b"/api/v1/events", body=huge_seq, caller="gate"), 200),
        ("date=日", plain("GET", b"/export.csv", "date=日".encode()), 400),
        ("date=../x", plain("GET", b"/export.xlsx", b"date=../x"), 400),
        ("date with CRLF", plain("GET", b"/export.csv", b"date=x%0d%0aSet-Cookie:%20a=b"), 400),
        ("date raw CRLF", plain("GET", b"/export.csv", b"date=x\r\nA: b"), 400),
        ("second filename", plain("GET", b"/export.csv", b'date=a";filename=evil.exe'), 400),
        ("dashboard date=日", plain("GET", b"/", "date=日".encode()), 400),
        # found by this target: Starlette's slash redirect decoded the query as UTF-8 (500)
        ("not UTF-8, slash", plain("GET", b"/api/v1/head/", b"\x80", caller="nobody"), 400),
        ("not UTF-8, page", plain("GET", b"/", b"date=\xff\xfe"), 400),
        # found by this target: a download without a session was a bare 401
        ("csv, no session", plain("GET", b"/export.csv", caller="nobody"), 401),
        ("xlsx, no session", plain("GET", b"/export.xlsx", caller="nobody"), 401),
        ("ack, no session", plain("GET", b"/devices/x/ack", caller="nobody"), 401),
        ("ack, unknown ref", plain("GET", b"/devices/..%2Fx/ack"), 404),
        ("revoke, unknown ref", plain("GET", b"/devices/%00/revoke"), 404),
    ]


@pytest.mark.parametrize(("name", "req", "status"), _corpus(), ids=[c[0] for c in _corpus()])
def test_corpus(site, name, req, status) -> None:
    before = _events_of(site.store, site.gate.device_id)
    if isinstance(req["body"], dict):  # an event the server holds, with a field changed
        req = {**req, "body": _batch(site, [{**site.events[0], **req["body"]}])}
    reply = _send(site, req)
    check_reply(reply)
    assert reply.status == status, (reply.status, reply.body[:200])
    assert _events_of(site.store, site.gate.device_id) == before


def test_a_query_that_is_not_utf8_is_a_known_400(site):
    reply = _send(site, plain("GET", b"/api/v1/head/", b"\x80", caller="nobody"))
    assert (reply.status, reply.body.decode()) == (400, t("server_bad_query", "zh"))


@pytest.mark.parametrize("path", [b"/export.csv", b"/export.xlsx", b"/devices/x/ack"])
def test_a_download_without_a_session_says_to_log_in(site, path):
    for lang in ("zh", "en"):
        reply = _send(site, plain("GET", path, f"lang={lang}".encode(), caller="nobody"))
        assert (reply.status, reply.body.decode()) == (401, t("server_login_needed", lang))


@ROUTE_FUZZ
@given(data=st.data())
def test_fuzz_every_route(site, data) -> None:
    before = _events_of(site.store, site.gate.device_id)
    req = data.draw(requests(site))
    reply = _send(site, req)
    event(f"{req['route']} as {req['caller']}: {reply.status}")  # --hypothesis-show-statistics
    check_reply(reply)
    assert _events_of(site.store, site.gate.device_id) == before  # nothing lost or doubled
