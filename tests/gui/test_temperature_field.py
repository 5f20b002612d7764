"""The gate window's temperature field as a tired volunteer meets it: letters, Chinese, a
paste, an input method's full-width digits, a typo of a reading, and the shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication

from app.i18n import t

pytestmark = pytest.mark.gui

GREEN = "https://jkm.example.invalid/v?t=GREEN-FIELD"


def temperatures(service):
    return [r[0] for r in service.conn.execute("SELECT temperature FROM passages ORDER BY rowid")]


@pytest.fixture
def green(window):
    window.handle_payload(GREEN, "green")
    assert window.current is not None and window.current.code_color == "green"
    return window


def commit(widget, text):
    """What a Chinese input method sends when it commits a word or full-width digits."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def keys(widget, text):
    """Key presses that carry any character (QTest's keyClicks takes Latin-1 only)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(widget, event)


def enter(qtbot, window):
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)


def test_letters_are_refused_at_the_key_and_enter_says_why(qtbot, green, service):
    qtbot.keyClicks(green.temperature, "abc")
    assert green.temperature.text() == ""
    assert green.message.text() == t("temp_keys_only", "zh")  # at once, not only at Enter
    enter(qtbot, green)
    assert temperatures(service) == []
    assert green.message.text() == t("temp_invalid", "zh") != t("temp_required", "zh")
    assert green.current is not None  # still at the desk for the real reading
    qtbot.keyClicks(green.temperature, "36.6")
    enter(qtbot, green)
    assert temperatures(service) == [36.6]


def test_chinese_typed_or_committed_is_refused(qtbot, green, service):
    keys(green.temperature, "体温")
    commit(green.temperature, "三十六度五")
    assert green.temperature.text() == ""
    assert green.message.text() == t("temp_keys_only", "zh")
    enter(qtbot, green)
    assert temperatures(service) == [] and green.message.text() == t("temp_invalid", "zh")


def test_full_width_digits_from_an_input_method_become_a_reading(qtbot, green, service):
    commit(green.temperature, "３６．５")
    assert green.temperature.text() == "36.5"
    enter(qtbot, green)
    green.handle_payload(GREEN + "-2", "green")
    keys(green.temperature, "３７。１")  # typed key by key, 。 for the point
    assert green.temperature.text() == "37.1"
    enter(qtbot, green)
    assert temperatures(service) == [36.5, 37.1]


def test_the_field_takes_no_input_method_composition():
    """A Chinese input method left on must not turn 365 into pinyin candidates here."""
    from ui.gate.temperature_field import TemperatureField

    field = TemperatureField()
    assert not field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)


def test_a_paste_is_filtered_the_same_way(qtbot, green, service):
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("体温36.5度")
    qtbot.keyClick(green.temperature, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert green.temperature.text() == ""
    assert green.message.text() == t("temp_keys_only", "zh")
    clipboard.setText(" ３６．８\n")  # copied from a chat, with its spaces and line end
    qtbot.keyClick(green.temperature, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert green.temperature.text() == "36.8"
    enter(qtbot, green)
    assert temperatures(service) == [36.8]


def test_a_second_point_and_a_fifth_digit_are_refused(qtbot, green):
    qtbot.keyClicks(green.temperature, "36..5")
    assert green.temperature.text() == "36.5"
    green.temperature.clear()
    qtbot.keyClicks(green.temperature, "36555")
    assert green.temperature.text() == "3655"


@pytest.mark.parametrize("typed", ["12", "45.0"])
def test_a_reading_out_of_range_says_so_and_stays_to_be_fixed(qtbot, green, service, typed):
    qtbot.keyClicks(green.temperature, typed)
    enter(qtbot, green)
    assert temperatures(service) == []
    assert green.message.text() == t("temp_out_of_range", "zh", value=typed)
    assert green.temperature.text() == typed


def test_the_shortcuts_still_work(qtbot, green, service):
    qtbot.keyClick(green.temperature, Qt.Key.Key_5)  # one digit, Enter: 36.5
    enter(qtbot, green)
    for n, typed in enumerate(["364\r", "36,7\r", "ab365\r", "36..6x\r"]):
        green.handle_payload(f"{GREEN}-{n}", "green")
        qtbot.keyClicks(green.temperature, typed)  # a wedge IR gun; a comma; slips
    green.handle_payload(f"{GREEN}-unit", "green")
    keys(green.temperature, "36.2℃")  # a thermometer that types its unit
    enter(qtbot, green)
    assert temperatures(service) == [36.5, 36.4, 36.7, 36.5, 36.6, 36.2]


def test_a_scanner_typing_a_code_still_gets_a_person_to_the_desk(qtbot, window, service):
    """Its letters are refused like anyone's, but Enter hands the whole code over."""
    qtbot.keyClicks(window.temperature, "https://jkm.example.invalid/v?t=W3-36.5")
    enter(qtbot, window)
    assert window.current is not None and window.current.payload_kind == "healthcode"
    assert window.temperature.text() == "" and temperatures(service) == []
    assert window.message.text() != t("temp_keys_only", "zh")  # the hint went with the code


def test_the_retest_dialog_takes_a_reading_the_same_way(qtbot):
    """The fever re-test asks for a reading too; the same dialog asks for a volunteer's name."""
    from ui.gate.dialogs import TemperatureDialog

    retest = TemperatureDialog(t("fever_retest_prompt", "zh"), "zh")
    qtbot.addWidget(retest)
    keys(retest.field, "体温３７")
    qtbot.keyClicks(retest.field, "x.1")
    assert retest.field.text() == "37.1"
    name = TemperatureDialog(t("volunteer_prompt", "zh"), "zh", reading=False)
    qtbot.addWidget(name)
    keys(name.field, "王阿姨")
    assert name.field.text() == "王阿姨"
