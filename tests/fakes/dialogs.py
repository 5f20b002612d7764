"""Steps that answer our dialogs in GUI tests, as a person would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def new_pin(pin: str, typo: str) -> Callable[[Any], None]:
    """In a PIN dialog: the new PIN, a typo in the repeat (refused as a mismatch), then right."""

    def step(dlg: Any) -> None:
        dlg.first.setText(pin)
        dlg.second.setText(typo)
        dlg.try_accept()
        assert dlg.message.text() == "两次输入不一致"
        dlg.second.setText(pin)
        dlg.try_accept()

    return step
