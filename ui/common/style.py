"""Big, high-contrast look for a booth screen read from a metre away."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "微软雅黑",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
)

BANNER_COLORS = {
    # background, text
    "green": ("#1b7f3b", "#ffffff"),
    "yellow": ("#f2c200", "#1a1a1a"),
    "red": ("#c62828", "#ffffff"),
    "fever": ("#b71c1c", "#ffffff"),
    "unknown": ("#6d4c41", "#ffffff"),
    "idle": ("#37474f", "#ffffff"),
    "done": ("#0d47a1", "#ffffff"),
    "refused": ("#7b1f1f", "#ffffff"),
}

# a warning in a dialog or the tool row (wrong PIN, no PIN yet, damaged database, …)
ERROR_TEXT = f"color: {BANNER_COLORS['red'][0]}; font-weight: bold"


def show_as_error(widget: QWidget) -> None:
    """Red bold text: the one look of every warning line and mark."""
    widget.setStyleSheet(ERROR_TEXT)


ICONS = {
    "green": "✔",
    "yellow": "⚠",
    "red": "✖",
    "fever": "⚠",
    "unknown": "?",
    "idle": "▣",
    "done": "✔",
    "refused": "✖",
}

STYLESHEET = """
QWidget { font-size: 17px; }
QMainWindow, QDialog { background: #eceff1; }
QPushButton { min-height: 40px; padding: 4px 10px; border-radius: 6px;
              background: #ffffff; border: 2px solid #90a4ae; }
QPushButton:checked { background: #1565c0; color: white; border-color: #0d47a1; }
QPushButton:focus { border-color: #ff6f00; }
QPushButton#primary { background: #1b7f3b; color: white; border-color: #145c2b; font-weight: bold; }
QPushButton#danger { background: #c62828; color: white; border-color: #8e0000; }
QLineEdit#temperature { font-size: 44px; font-weight: bold; padding: 4px 10px; }
QLabel#counterValue { font-size: 34px; font-weight: bold; }
QLabel#counterName { font-size: 15px; color: #455a64; }
QLabel#message { font-size: 18px; padding: 4px; }
QLabel#warning { color: #b71c1c; font-weight: bold; padding: 4px; }
QTableWidget { font-size: 15px; }
QGroupBox { font-weight: bold; }
"""


def pick_cjk_family() -> str | None:
    families = set(QFontDatabase.families())
    for name in CJK_FAMILIES:
        if name in families:
            return name
    return None


def apply_style(app: QApplication) -> None:
    """Prefer a Simplified-Chinese font family, then set the stylesheet."""
    font = QFont()
    family = pick_cjk_family()
    if family:
        font.setFamilies([family, *[f for f in CJK_FAMILIES if f != family]])
    font.setPointSize(13)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
