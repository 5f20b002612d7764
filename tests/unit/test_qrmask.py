"""The numpy mask score chooses what the qrcode package chooses (#12): same printed codes."""

from __future__ import annotations

import random

import numpy as np
import qrcode
import qrcode.util
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.roster import qrmask
from app.scan.qrgeometry import mask_grid


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=21, max_value=57), st.integers(min_value=0, max_value=2**32))
def test_the_score_is_the_packages_score(n, seed):
    rnd = random.Random(seed)
    dark = rnd.random()
    m = [[rnd.random() < dark for _ in range(n)] for _ in range(n)]
    assert qrmask.lost_point(np.array(m)) == qrcode.util.lost_point(m)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(st.text(min_size=1, max_size=100))
def test_the_same_mask_and_matrix_as_the_package(text):
    ours = qrmask.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    theirs = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    for qr in (ours, theirs):
        qr.add_data(text)
        qr.make(fit=True)
    assert ours.get_matrix() == theirs.get_matrix()


def test_the_mask_grids_are_the_packages():
    for p in range(8):
        grid, fn = mask_grid(p, 25), qrcode.util.mask_func(p)
        assert grid.tolist() == [[fn(i, j) for j in range(25)] for i in range(25)]
