"""The qrcode and reedsolo internals app/scan/qrcodec.py leans on, checked against the QR spec.

These are not public APIs: an upgrade that renames or changes one must fail here, not at the gate.
Expected values are from ISO/IEC 18004 (block table, alignment positions, GF(256) with 0x11d).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import reedsolo
from qrcode.base import rs_blocks
from qrcode.util import pattern_position

from app.scan import qrcodec, qrgeometry

# format-info EC bits (the indices qrcodec passes to rs_blocks): L=1, M=0, Q=3, H=2
L, M, Q, H = 1, 0, 3, 2


@pytest.mark.parametrize(
    "version, ec, blocks",
    [
        (1, M, [(26, 16)]),
        (2, L, [(44, 34)]),
        (5, Q, [(33, 15)] * 2 + [(34, 16)] * 2),
        (7, H, [(39, 13)] * 4 + [(40, 14)]),
        (10, L, [(86, 68)] * 2 + [(87, 69)] * 2),
        (15, M, [(65, 41)] * 5 + [(66, 42)] * 5),
        (40, H, [(45, 15)] * 20 + [(46, 16)] * 61),
    ],
)
def test_rs_blocks_matches_the_spec_table(version: int, ec: int, blocks: list) -> None:
    got = rs_blocks(version, ec)
    assert [(b.total_count, b.data_count) for b in got] == blocks


def test_rs_blocks_fill_every_version_at_every_level() -> None:
    """Total codewords per version do not depend on the level and equal the spec's capacity."""
    totals = {1: 26, 2: 44, 3: 70, 4: 100, 5: 134, 6: 172, 7: 196, 10: 346, 20: 1085, 40: 3706}
    for version in range(1, 41):
        per_level = {sum(b.total_count for b in rs_blocks(version, ec)) for ec in (L, M, Q, H)}
        assert len(per_level) == 1, version
        if version in totals:
            assert per_level == {totals[version]}, version
        # the data region of the symbol holds the codewords (+ 0-7 remainder bits)
        free = int((~qrgeometry.function_mask(version)).sum())
        assert 0 <= free - 8 * per_level.pop() < 8, version


@pytest.mark.parametrize(
    "version, centres",
    [
        (1, []),
        (2, [6, 18]),
        (7, [6, 22, 38]),
        (14, [6, 26, 46, 66]),
        (32, [6, 34, 60, 86, 112, 138]),
        (40, [6, 30, 58, 86, 114, 142, 170]),
    ],
)
def test_pattern_position_matches_the_spec(version: int, centres: list[int]) -> None:
    assert list(pattern_position(version)) == centres


def test_reedsolo_tables_are_the_qr_field() -> None:
    """qrcodec initialises reedsolo's global tables to GF(256)/0x11d with generator 2."""
    exp, log = reedsolo.gf_exp, reedsolo.gf_log
    assert exp[0] == 1 and exp[1] == 2 and exp[8] == 0x1D and exp[255] == 1
    assert all(exp[log[x]] == x for x in range(1, 256))
    np.testing.assert_array_equal(qrcodec._EXP, np.array(exp[:255]))
    np.testing.assert_array_equal(qrcodec._LOG, np.array(log))


def test_reedsolo_signatures_used_by_qrcodec() -> None:
    """The argument names and order qrcodec calls them with."""
    params = {
        reedsolo.init_tables: ["prim", "generator", "c_exp"],
        reedsolo.rs_forney_syndromes: ["synd", "pos", "nmess", "generator"],
        reedsolo.rs_find_error_locator: ["synd", "nsym", "erase_loc", "erase_count"],
        reedsolo.rs_correct_errata: ["msg_in", "synd", "err_pos", "fcr", "generator"],
    }
    for fn, names in params.items():
        assert list(inspect.signature(fn).parameters)[: len(names)] == names, fn.__name__
    assert issubclass(reedsolo.ReedSolomonError, Exception)


def _block(nsym: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A valid QR block (data + nsym check words; generator roots 2^0..2^(nsym-1))."""
    rng = np.random.default_rng(seed)
    data = bytearray(rng.integers(0, 256, 40 - nsym, dtype=np.uint8).tobytes())
    word = np.frombuffer(bytes(reedsolo.rs_encode_msg(data, nsym, fcr=0)), np.uint8)
    return word.astype(np.int64), np.frombuffer(bytes(data), np.uint8)


@pytest.mark.parametrize("seed", range(5))
def test_errors_and_erasures_through_reedsolo(seed: int) -> None:
    """qrcodec._correct (reedsolo's Forney syndromes, locator and errata steps, our Chien search)
    corrects e erasures and t errors while 2t + e <= nsym, and refuses a hopeless block."""
    nsym = 16
    good, data = _block(nsym, seed)
    rng = np.random.default_rng(100 + seed)
    pos = rng.permutation(len(good))
    erase, errs = sorted(int(p) for p in pos[:6]), [int(p) for p in pos[6:11]]  # 6 + 2*5 = 16
    bad = good.copy()
    bad[erase] = rng.integers(0, 256, len(erase))
    bad[errs] ^= rng.integers(1, 256, len(errs))
    fixed = qrcodec._correct(bad, nsym, erase)
    assert fixed is not None
    np.testing.assert_array_equal(fixed, good)
    np.testing.assert_array_equal(fixed[: len(data)], data)
    assert not qrcodec._syndromes(fixed, nsym).any()
    hopeless = good.copy()
    hopeless[[int(p) for p in pos[:12]]] ^= 0x5A  # 12 errors > nsym / 2
    out = qrcodec._correct(hopeless, nsym, [])
    assert out is None or not np.array_equal(out, good)
