"""Qt's own words (the OK and Cancel of a standard dialog, a file chooser's labels) in the
window's language: Qt ships them as qtbase_<lang>.qm with PySide6."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

QM = {"zh": "qtbase_zh_CN"}  # English is Qt's own
_installed: list[QTranslator] = []


def use_qt_language(lang: str) -> bool:
    """Switch Qt's built-in strings to lang; True when a translation is now in use."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    name = QM.get(lang)
    if name is None:
        return False
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(name, folder):
        return False  # a build without it: Qt's words stay English, nothing breaks
    app.installTranslator(translator)
    _installed.append(translator)
    return True
