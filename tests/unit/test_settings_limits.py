"""Each setting declares its limits once; every writer refuses a value outside them (#10)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import KnownError
from app.settings import SETTINGS, Settings, check_camera_source, spec_for

# (name, a value outside the declared limits) — at least one for every setting
OUT_OF_RANGE = [
    ("checkpoint_id", ""),
    ("checkpoint_id", "x" * 41),
    ("checkpoint_name", ""),
    ("checkpoint_name", "北门\x07"),
    ("compound_name", "幸" * 41),
    ("sync_mode", "wifi"),
    ("fever_threshold", "373"),
    ("fever_threshold", "-5"),
    ("fever_threshold", "50"),
    ("fever_threshold", "hot"),
    ("fever_threshold", "nan"),
    ("retest_rest_seconds", "-1"),
    ("retest_rest_seconds", "3601"),
    ("retest_rest_seconds", "2.5"),
    ("debounce_seconds", "-3"),
    ("debounce_seconds", "0"),
    ("debounce_seconds", "121"),
    ("camera_source", "/no/such/thing"),
    ("camera_source", "64"),
    ("camera_source", ""),
    ("language", "fr"),
    ("retention_days", "-1"),
    ("retention_days", "0"),
    ("retention_days", "3651"),
    ("quick_temps", "abc,def"),
    ("quick_temps", "36.5,365"),
    ("quick_temps", "20,36.5"),
    ("quick_temps", ",".join(["36.5"] * 10)),
    ("quick_temps", ""),
    ("volunteer", "王" * 41),
    ("household_exit_quota", "-1"),
    ("household_exit_quota", "51"),
    ("pass_valid_days", "0"),
    ("pass_valid_days", "367"),
    ("overdue_minutes", "0"),
    ("overdue_minutes", "1441"),
]

IN_RANGE = [
    ("checkpoint_id", "gate-2", "gate-2"),
    ("checkpoint_name", "北门", "北门"),
    ("compound_name", "", ""),
    ("compound_name", "幸福里小区", "幸福里小区"),
    ("sync_mode", "usb", "usb"),
    ("fever_threshold", "37.3", 37.3),
    ("fever_threshold", "38.5", 38.5),
    ("retest_rest_seconds", "0", 0),
    ("debounce_seconds", "1", 1.0),
    ("camera_source", "auto", "auto"),
    ("camera_source", "demo", "demo"),
    ("camera_source", "0", "0"),
    ("language", "en", "en"),
    ("retention_days", "1", 1),
    ("retention_days", "28", 28),
    ("quick_temps", "36.2, 36.5,36.8", "36.2, 36.5,36.8"),
    ("volunteer", "", ""),
    ("household_exit_quota", "0", 0),
    ("pass_valid_days", "366", 366),
    ("overdue_minutes", "120", 120),
]


def test_every_setting_has_an_out_of_range_and_an_in_range_case() -> None:
    names = {s.name for s in SETTINGS}
    assert {n for n, _ in OUT_OF_RANGE} == names
    assert {n for n, _, _ in IN_RANGE} == names


@pytest.mark.parametrize(("name", "value"), OUT_OF_RANGE)
def test_out_of_range_is_refused_and_nothing_is_stored(gdb, name: str, value: str) -> None:
    settings = Settings(gdb.conn)
    before = settings.get(name)
    with pytest.raises(KnownError) as info:
        settings.set(name, value)
    zh, en = info.value.message("zh"), info.value.message("en")
    assert zh != en and zh and en and "{" not in zh + en  # both languages, placeholders filled
    assert settings.get(name) == before


@pytest.mark.parametrize(("name", "value", "stored"), IN_RANGE)
def test_in_range_is_stored(gdb, name: str, value: str, stored: object) -> None:
    settings = Settings(gdb.conn)
    settings.set(name, value)
    assert settings.get(name) == stored


def test_a_forgotten_decimal_point_is_suggested() -> None:
    with pytest.raises(KnownError) as info:
        spec_for("fever_threshold").parse("373")
    assert info.value.message("zh") == "体温阈值须在 37.0–38.5 之间，是否想输入 37.3？"
    assert info.value.message("en") == (
        "Fever threshold must be between 37.0 and 38.5; did you mean 37.3?"
    )
    with pytest.raises(KnownError) as info:
        spec_for("fever_threshold").parse("50")  # 5.0 is no better: no suggestion
    assert info.value.message("zh") == "体温阈值须在 37.0–38.5 之间"


def test_a_value_stored_outside_the_limits_reads_as_the_default(gdb) -> None:
    from db import settings_store

    settings_store.put(gdb.conn, "fever_threshold", "373")  # written by an older version
    assert Settings(gdb.conn).get("fever_threshold") == 37.3


def test_unknown_setting_is_a_known_error(gdb) -> None:
    with pytest.raises(KnownError) as info:
        Settings(gdb.conn).set("nosuch", "1")
    assert info.value.code == "setting_unknown"


def test_camera_source_files_and_folders_must_open(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    with pytest.raises(KnownError) as info:
        check_camera_source(str(folder))  # no images in it
    assert info.value.code == "setting_camera_no_images"
    cv2.imwrite(str(folder / "a.png"), np.full((48, 64, 3), 200, np.uint8))
    check_camera_source(str(folder))
    fake = tmp_path / "clip.mp4"
    fake.write_bytes(b"not a video at all")
    with pytest.raises(KnownError) as info:
        check_camera_source(str(fake))
    assert info.value.code == "setting_camera_not_video"
    with pytest.raises(KnownError) as info:
        check_camera_source("/no/such/thing")
    assert "/no/such/thing" in info.value.message("zh")
    assert info.value.message("zh").startswith("摄像头来源无法打开")
