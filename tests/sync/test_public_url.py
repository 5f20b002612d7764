"""#16.5: the address in the pairing codes is the one the gates reach (flag, environment,
saved, else the LAN address found without the internet), never 127.0.0.1 for 0.0.0.0."""

from __future__ import annotations

import socket
from urllib.parse import quote

import pytest

import main
from server import public_url

LAN = "192.168.1.20"


class FakeUdp:
    """socket.socket for the UDP trick: connect() records, getsockname() says the route."""

    routes: dict[str, str] = {}
    connected: list[str] = []

    def __init__(self, *args):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def connect(self, address):
        FakeUdp.connected.append(address[0])
        if address[0] not in FakeUdp.routes:
            raise OSError("network is unreachable")
        self.address = FakeUdp.routes[address[0]]

    def getsockname(self):
        return (self.address, 40000)


@pytest.fixture
def net(monkeypatch):
    """No real network: the routes a test gives, and a host name resolving to loopback."""
    FakeUdp.routes, FakeUdp.connected = {}, []
    monkeypatch.setattr(public_url.socket, "socket", FakeUdp)
    monkeypatch.setattr(
        public_url.socket, "getaddrinfo", lambda *a: [(0, 0, 0, "", ("127.0.1.1", 0))]
    )
    monkeypatch.setattr(public_url.socket, "gethostname", lambda: "booth-server")
    monkeypatch.delenv(public_url.ENV, raising=False)
    return FakeUdp


def test_the_lan_address_comes_from_a_udp_socket_to_a_private_address(net):
    net.routes = {"10.255.255.255": "127.0.0.1", "192.168.255.255": LAN}
    assert public_url.lan_address() == LAN  # a loopback answer is passed over
    assert net.connected[:2] == ["10.255.255.255", "192.168.255.255"]


def test_without_a_route_the_host_name_is_resolved(net, monkeypatch):
    assert public_url.lan_address() is None  # only loopback: none
    monkeypatch.setattr(
        public_url.socket,
        "getaddrinfo",
        lambda *a: [(0, 0, 0, "", ("127.0.1.1", 0)), (0, 0, 0, "", ("10.8.0.7", 0))],
    )
    assert public_url.lan_address() == "10.8.0.7"


@pytest.mark.parametrize("routes", [{}, {"10.255.255.255": LAN}])
def test_bound_to_all_interfaces_the_code_never_names_loopback(net, routes):
    net.routes = routes
    url, source = public_url.choose(None, None, "0.0.0.0", 8750)
    assert "127.0.0.1" not in url and "localhost" not in url
    expected = (f"http://{LAN}:8750", "lan") if routes else ("http://booth-server:8750", "hostname")
    assert (url, source) == expected


def test_flag_then_environment_then_saved_then_lan(net, tmp_path, monkeypatch):
    net.routes = {"10.255.255.255": LAN}
    assert public_url.choose(None, tmp_path) == (f"http://{LAN}:8750", "lan")
    public_url.save(tmp_path, "https://gate.jiedao.example/")
    assert public_url.choose(None, tmp_path) == ("https://gate.jiedao.example", "saved")
    monkeypatch.setenv(public_url.ENV, "http://10.0.0.9:9000")
    assert public_url.choose(None, tmp_path) == ("http://10.0.0.9:9000", "env")
    assert public_url.choose("http://1.2.3.4:8750", tmp_path) == ("http://1.2.3.4:8750", "flag")
    assert public_url.pairing_base("http://127.0.0.1:8750/") == "http://10.0.0.9:9000"
    monkeypatch.delenv(public_url.ENV)
    assert public_url.pairing_base("http://127.0.0.1:8750/") == "http://127.0.0.1:8750"


@pytest.mark.parametrize("bad", ["gate.example:8750", "ftp://x", "http://x:1/api", "http://"])
def test_an_unusable_url_is_refused(bad):
    from app.errors import KnownError

    with pytest.raises(KnownError) as info:
        public_url.check_url(bad)
    assert info.value.code == "public_url_bad"


def code_server(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_enrol_code_names_the_lan_address_and_says_so(net, tmp_path, capsys):
    net.routes = {"10.255.255.255": LAN}
    assert main.main(["--data-dir", str(tmp_path), "enrol-code", "--no-qr"]) == 0
    out, err = capsys.readouterr()
    assert code_server(out).startswith(f"gatepost://enrol?server={quote(f'http://{LAN}:8750', '')}")
    assert f"配对码中的服务器地址：http://{LAN}:8750（本机局域网地址）" in err
    assert "--public-url" in err and public_url.ENV in err


def test_server_public_url_is_used_by_the_page_and_kept_for_enrol_code(
    tmp_path, capsys, monkeypatch
):
    import server.run

    monkeypatch.setenv(public_url.ENV, "")  # restored (unset) after the test, as the server sets it
    monkeypatch.setattr(public_url, "lan_address", lambda: LAN)
    served = []
    monkeypatch.setattr(server.run, "serve", lambda *a, **k: served.append(a))
    with socket.socket() as s:  # a free port (the real bind is replaced above)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["--data-dir", str(tmp_path), "server", "--host", "127.0.0.1", "--port", str(port)]
    assert main.main([*args, "--public-url", "http://gate.jiedao.example:8750"]) == 0
    assert served and "gate.jiedao.example:8750（命令行指定）" in capsys.readouterr().err
    assert public_url.pairing_base("http://127.0.0.1/") == "http://gate.jiedao.example:8750"
    monkeypatch.setenv(public_url.ENV, "")  # another process: enrol-code reads what was saved
    assert main.main(["--data-dir", str(tmp_path), "enrol-code", "--no-qr"]) == 0
    out, err = capsys.readouterr()
    assert quote("http://gate.jiedao.example:8750", "") in code_server(out)
    assert "上次 server --public-url 保存的" in err
