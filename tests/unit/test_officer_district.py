"""The officer page for a district (#15): each gate's state, the filter and sort, the groups by
compound and the totals, as properties over generated gates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.officer import district
from server.officer.queries import DAY_KEYS

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
AFTER = timedelta(hours=2)


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat().replace("+00:00", "Z")


@st.composite
def gate(draw, n=[0]):  # noqa: B006 - a counter for unique ids
    n[0] += 1
    minutes = draw(st.none() | st.integers(0, 60 * 24 * 10))
    return {
        "device_id": f"dev-{n[0]:05d}",
        "gate_code": f"C{n[0]:05d}",
        "name": draw(st.sampled_from(["东门", "西门", "南门", ""])),
        "street": draw(st.sampled_from(["", "鼓楼街道", "台江街道"])),
        "community": draw(st.sampled_from(["", "东街社区", "南街社区"])),
        "revoked": draw(st.booleans()),
        "enrolled_utc": _iso(NOW - timedelta(days=30)),
        "last_seen": _iso(None if minutes is None else NOW - timedelta(minutes=minutes)),
        "day": {k: draw(st.integers(0, 50)) for k in DAY_KEYS},
    }


gates = st.lists(gate(), max_size=40)


def _with_state(gs):
    for g in gs:
        g["state"] = district.state_of(g, NOW, AFTER)
    return gs


@given(gates)
def test_a_gate_is_silent_exactly_when_unheard_longer_than_the_threshold(gs):
    for g in _with_state(gs):
        if g["revoked"]:
            assert g["state"] == "revoked"
            continue
        heard = district.heard(g)
        assert (g["state"] == "silent") == (NOW - heard > AFTER)


@given(gates)
def test_totals_are_the_sums_of_the_gates(gs):
    _with_state(gs)
    total = district.totals(gs)
    assert total["gates"] == len(gs)
    for k in DAY_KEYS:
        assert total[k] == sum(g["day"][k] for g in gs)
    assert total["silent"] == sum(g["state"] == "silent" for g in gs)


@given(gates, st.sampled_from(["", *district.STATES]), st.sampled_from(district.SORTS))
def test_groups_split_the_chosen_gates_by_compound_ungrouped_last(gs, state, sort):
    _with_state(gs)
    chosen = district.select(gs, district.View(state=state, sort=sort), NOW)
    assert all(not state or g["state"] == state for g in chosen)
    assert len(chosen) == sum(1 for g in gs if not state or g["state"] == state)
    grouped = district.groups(chosen)
    keys = [k for k, _ in grouped]
    assert len(keys) == len(set(keys))
    assert ("", "") not in keys[:-1]  # 未分组 last
    assert sorted(g["device_id"] for _, m in grouped for g in m) == sorted(
        g["device_id"] for g in chosen
    )
    for key, members in grouped:
        assert all(district.compound_of(g) == key for g in members)


@given(gates, st.sampled_from(DAY_KEYS), st.booleans())
def test_a_count_sort_orders_by_that_count(gs, key, desc):
    _with_state(gs)
    out = district.select(gs, district.View(sort=key, desc=desc), NOW)
    values = [g["day"][key] for g in out]
    assert values == sorted(values, reverse=desc)


@given(gates, st.sampled_from(district.SYNCED))
def test_the_last_sync_filter(gs, synced):
    _with_state(gs)
    for g in district.select(gs, district.View(synced=synced), NOW):
        seen = district.parse_utc(g["last_seen"])
        if synced == "never":
            assert seen is None
        elif synced.startswith("lt"):
            assert seen is not None and NOW - seen < timedelta(hours=int(synced[2:]))
        else:
            assert seen is None or NOW - seen > timedelta(hours=int(synced[2:]))


def test_the_text_filter_finds_a_name_a_code_typed_loosely_or_a_community():
    gs = _with_state(
        [
            {"device_id": "d1", "gate_code": "K3D0QX", "name": "东门", "community": "东街社区"},
            {"device_id": "d2", "gate_code": "AB1234", "name": "西门", "street": "台江街道"},
        ]
    )
    for g in gs:
        g.update(revoked=False, last_seen=None, enrolled_utc=_iso(NOW), day={})
    find = [("东门", ["d1"]), ("k3d-oqx", ["d1"]), ("台江", ["d2"]), ("门", ["d1", "d2"])]
    for q, want in find:
        got = district.select(gs, district.View(q=q, sort="name"), NOW)
        assert sorted(g["device_id"] for g in got) == want, q


def test_the_view_ignores_what_it_does_not_offer():
    view = district.View.of({"state": "x", "synced": "gt9999x", "sort": "body; drop", "q": " a "})
    assert view == district.View(q="a")
    assert district.View.of({"sort": "in", "order": "desc"}).query(q="z") == {
        "q": "z",
        "sort": "in",
        "order": "desc",
    }


def test_the_threshold_setting(monkeypatch):
    monkeypatch.delenv(district.SILENT_ENV, raising=False)
    assert district.silent_after() == timedelta(hours=2)
    monkeypatch.setenv(district.SILENT_ENV, "30")
    assert district.silent_after() == timedelta(minutes=30)
    monkeypatch.setenv(district.SILENT_ENV, "two hours")
    with pytest.raises(ValueError, match=district.SILENT_ENV):
        district.silent_after()


def _kinds_written() -> set[str]:
    """Every outbox event kind the gate writes: the literal kinds handed to write_record and
    the gate service's _write, and the EVENT_KIND constants (as the backfill's)."""
    import ast
    from pathlib import Path

    kinds: set[str] = set()
    for path in (Path(__file__).resolve().parents[2] / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                at = {"write_record": 1, "_write": 0}.get(name)
                if at is not None and len(node.args) > at:
                    arg = node.args[at]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        kinds.add(arg.value)
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "EVENT_KIND" for t in node.targets
            ):
                kinds.add(node.value.value)  # type: ignore[attr-defined]
    return kinds


def test_every_kind_a_gate_writes_has_a_chinese_label():
    from app.i18n.server import MESSAGES as SERVER
    from server.officer.views import kind_label

    kinds = _kinds_written()
    assert {"passage", "fever_check", "void", "passage_backfill", "shift_event"} <= kinds
    for kind in kinds:
        assert f"kind_{kind}" in SERVER, kind
        assert kind_label(kind, "zh") != kind and kind_label(kind, "en")
    assert kind_label("passage_backfill", "zh") == "补录通行"
