"""USB bundles from strangers: bombs refused from the directory, damage as a known error."""

from __future__ import annotations

import zipfile

import pytest

from app import ziplimits
from app.errors import KnownError
from app.sync.bundle import LIMITS, BundleRefused, check_bundle_archive, verify_bundle
from app.sync.sealed import BoxKey, seal
from tests.fakes import bombs
from tests.fakes.peakmem import measure

NAMES = ("manifest.json", "events.jsonl", "signature")


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    return bombs.zip_bomb(path, ("events.jsonl",), 1024, small=("manifest.json", "signature"))


def _verify_in_child(path) -> object:
    snippet = f"""
from app.sync.bundle import BundleRefused, verify_bundle
try:
    verify_bundle({str(path)!r})
    result = "accepted"
except BundleRefused as exc:
    result = exc.reason
"""
    return measure(snippet)


def test_a_1mb_zip_bomb_is_refused_without_inflating(bomb):
    assert bomb.stat().st_size < 1.1 * 2**20  # a 1 MB file that inflates to 1 GB
    peak = _verify_in_child(bomb)
    assert peak.result in ("compression_ratio", "member_too_large", "too_large_unpacked")
    assert peak.rss_mb < 300 and peak.heap_mb < 50, peak
    assert peak.seconds < 5, peak


def test_a_sealed_zip_bomb_is_refused_from_the_inner_directory(bomb, tmp_path):
    """#13: the server decrypts first, then the same limits refuse the plain bundle inside
    before any member of it is inflated; the file's own size is checked before decrypting."""
    key = BoxKey.generate()
    path = tmp_path / "sealed-bomb.zip"
    path.write_bytes(seal(bomb.read_bytes(), key.public_key_hex, "gate-1"))
    snippet = f"""
from app.sync.bundle import BundleRefused, verify_bundle
from app.sync.sealed import BoxKey
try:
    verify_bundle({str(path)!r}, box_key=BoxKey({key.private_key_hex!r}, {key.public_key_hex!r}))
    result = "accepted"
except BundleRefused as exc:
    result = exc.reason
"""
    peak = measure(snippet)
    assert peak.result in ("compression_ratio", "member_too_large", "too_large_unpacked")
    assert peak.rss_mb < 300 and peak.heap_mb < 50, peak
    with pytest.raises(BundleRefused) as err:  # the ciphertext's size, before decrypting
        verify_bundle(path, max_bytes=path.stat().st_size - 1, box_key=key)
    assert err.value.reason == "too_large"


def test_a_bomb_that_lies_about_its_sizes_stops_at_the_declared_size(bomb, tmp_path):
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bomb.read_bytes())
    bombs.lie_about_sizes(liar, declared=1000)
    peak = _verify_in_child(liar)
    assert peak.result in ("damaged", "member_larger_than_declared")
    assert peak.rss_mb < 300 and peak.heap_mb < 50, peak


def test_the_server_can_check_an_upload_from_bytes_first(bomb):
    with pytest.raises(BundleRefused) as err:
        check_bundle_archive(bomb.read_bytes())
    assert err.value.reason == "compression_ratio"
    assert isinstance(err.value, KnownError)
    assert "数据包被拒收" in err.value.message("zh") and "压缩炸弹" in err.value.message("zh")
    assert "zip bomb" in err.value.message("en") and "compression_ratio" not in str(err.value)


def _zip(path, members: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path.read_bytes()


@pytest.mark.parametrize(
    "members, reason",
    [
        ({f"m{i}": b"x" for i in range(LIMITS.max_members + 1)}, "too_many_members"),
        ({"a/b/manifest.json": b"{}"}, "too_deep"),
        ({"inner.zip": b"PK"}, "nested_archive"),
        ({"../manifest.json": b"{}"}, "bad_member_name"),
        ({"manifest.json": b"{}", "signature": b"x"}, "missing_events.jsonl"),
    ],
)
def test_shapes_a_bundle_never_has_are_refused(tmp_path, members, reason):
    data = _zip(tmp_path / "x.zip", members)
    with pytest.raises(BundleRefused) as err:
        verify_bundle(data)
    assert err.value.reason == reason


def test_damaged_deflate_is_a_known_refusal(tmp_path):
    path = tmp_path / "d.zip"
    _zip(path, {"manifest.json": b"{}", "events.jsonl": b"0123456789" * 5000, "signature": b"s"})
    raw = bytearray(path.read_bytes())
    start = raw.index(b"events.jsonl") + len("events.jsonl")
    for i in range(start + 20, start + 60):
        raw[i] ^= 0x5A  # scramble the compressed stream, not the directory
    with pytest.raises(BundleRefused) as err:
        verify_bundle(bytes(raw))
    assert err.value.reason == "damaged"


def test_deep_json_and_huge_numbers_are_refusals_not_bugs(tmp_path):
    deep = b"[" * 100_000 + b"]" * 100_000
    for manifest in (deep, b'{"format": 1e400}', b'{"format": "gatepost-bundle", "version": 1}'):
        data = _zip(
            tmp_path / "j.zip", {"manifest.json": manifest, "events.jsonl": b"", "signature": b""}
        )
        with pytest.raises(BundleRefused):
            verify_bundle(data)


def test_member_read_stops_at_a_limit(tmp_path):
    data = _zip(tmp_path / "m.zip", {"a": b"x" * 5000})
    limits = ziplimits.ZipLimits(10**6, 4, 10**6, 10**6, 100, 0)
    with ziplimits.open_checked(data, limits) as zf:
        with pytest.raises(ziplimits.ZipRefused):
            ziplimits.read_member(zf, "a", limit=100)
        assert ziplimits.read_member(zf, "a") == b"x" * 5000
