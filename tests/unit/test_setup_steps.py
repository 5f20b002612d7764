"""The first-run wizard's rules (#16), without Qt: each step refuses what the settings or the
PIN rule would refuse, and no path through the wizard finishes without a PIN or 稍后设置."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import KnownError
from app.officer import OfficerAuth
from app.settings import Settings
from app.setup.steps import STEPS, SetupState, apply_setup, needs_setup
from app.sync.identity import enrolment_text

CODE = enrolment_text("http://192.168.1.20:8750", "AB-CD")


def filled(**changes: object) -> SetupState:
    state = SetupState(
        checkpoint_name="北门",
        compound_name="幸福里小区",
        pin="246810",
        pin_repeat="246810",
        camera_source="demo",
        sync="usb",
        roster="later",
    )
    for key, value in changes.items():
        setattr(state, key, value)
    return state


def walk(state: SetupState) -> bool:
    while True:
        if state.next():
            return True


def test_a_fresh_database_needs_the_wizard_and_a_finished_one_does_not(gdb):
    assert needs_setup(gdb.conn)
    Settings(gdb.conn).set("language", "en")  # another setting is not the wizard
    assert needs_setup(gdb.conn)
    apply_setup(filled(), gdb, OfficerAuth(gdb))
    assert not needs_setup(gdb.conn)


def test_the_finished_wizard_stores_every_choice(gdb):
    officer = OfficerAuth(gdb)
    state = filled(sync="paste", pairing_code=CODE)
    assert walk(state)
    apply_setup(state, gdb, officer)
    s = Settings(gdb.conn)
    assert (s.get("checkpoint_name"), s.get("compound_name")) == ("北门", "幸福里小区")
    assert (s.get("camera_source"), s.get("sync_mode")) == ("demo", "server")
    assert officer.verify("246810")


def test_put_off_pin_stores_no_pin_and_usb_is_remembered(gdb):
    state = filled(pin="1", pin_repeat="2")
    state.put_off_pin()
    apply_setup(state, gdb, OfficerAuth(gdb))
    assert not OfficerAuth(gdb).has_pin()
    assert Settings(gdb.conn).get("sync_mode") == "usb"


@pytest.mark.parametrize(
    ("step", "changes", "code"),
    [
        ("place", {"checkpoint_name": ""}, "setting_text_length"),
        ("place", {"compound_name": "幸" * 41}, "setting_text_length"),
        ("pin", {"pin_repeat": "246811"}, "pin_mismatch"),
        ("pin", {"pin": "2468", "pin_repeat": "2468"}, "pin_invalid"),
        ("camera", {"camera_source": " "}, "setup_camera_none"),
        ("camera", {"camera_source": "99"}, "setting_camera_index"),
        ("sync", {"sync": ""}, "setup_sync_none"),
        ("sync", {"sync": "paste", "pairing_code": "http://x"}, "enrol_bad_text"),
        ("sync", {"sync": "scan", "pairing_code": ""}, "enrol_bad_text"),
        ("roster", {"roster": "maybe"}, "setup_roster_none"),
    ],
)
def test_a_step_refuses_what_would_be_refused_later(step, changes, code):
    state = filled(**changes)
    state.step = STEPS.index(step)
    with pytest.raises(KnownError) as info:
        state.next()
    assert info.value.code == code
    assert state.name == step  # it stays on the step


def test_a_pin_set_before_is_kept(gdb):
    officer = OfficerAuth(gdb)
    officer.set_pin("135790")
    state = filled(pin="", pin_repeat="", pin_exists=True)
    assert walk(state)
    apply_setup(state, gdb, officer)
    assert officer.verify("135790")


ACTIONS = st.lists(
    st.one_of(
        st.just(("next",)),
        st.just(("back",)),
        st.just(("later",)),
        st.tuples(st.just("pin"), st.sampled_from(["", "1234", "246810", "9999999"])),
        st.tuples(st.just("repeat"), st.sampled_from(["", "1234", "246810", "9999999"])),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_no_path_finishes_without_a_valid_pin_or_put_off(actions):
    """Whatever is typed and clicked in whatever order: a finished wizard has a PIN that
    follows the rule (typed twice alike) or the PIN put off on purpose."""
    state = filled(pin="", pin_repeat="")
    finished = False
    for action in actions:
        kind = action[0]
        if kind == "next":
            try:
                finished = state.next()
            except KnownError:
                pass
        elif kind == "back":
            state.back()
        elif kind == "later":
            state.put_off_pin()
        elif kind == "pin":
            state.pin, state.pin_later = action[1], False
        else:
            state.pin_repeat = action[1]
        assert 0 <= state.step < len(STEPS)
        if finished:
            break
    if finished:
        assert state.pin_later or (
            state.pin == state.pin_repeat and state.pin.isdigit() and len(state.pin) >= 6
        )
