"""Nothing dies quietly: thread exceptions and Qt's warnings reach gatepost.log (#12)."""

from __future__ import annotations

import logging
import logging.handlers
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import qInstallMessageHandler, qWarning

from app.crashlog import install_thread_hook
from ui.common.qtlog import install_qt_log


@pytest.fixture
def gatepost_log(tmp_path: Path):
    """A file handler on the root logger, as main.setup_logging makes it."""
    path = tmp_path / "gatepost.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield path
    root.removeHandler(handler)
    handler.close()


def test_an_exception_that_ends_a_thread_is_in_the_log(gatepost_log):
    previous = install_thread_hook()
    try:

        def sync_helper() -> None:
            raise OSError("disk went away")

        t = threading.Thread(target=sync_helper, name="helper-7")
        t.start()
        t.join()
    finally:
        threading.excepthook = previous
    text = gatepost_log.read_text("utf-8")
    assert "thread helper-7 ended by an uncaught exception" in text
    assert "Traceback" in text and "in sync_helper" in text and "OSError: disk went away" in text


def test_qt_warnings_are_in_the_log(qapp, gatepost_log):
    previous = install_qt_log()
    try:
        qWarning("QPainter::begin: Paint device returned engine == 0")
    finally:
        qInstallMessageHandler(previous)
    text = gatepost_log.read_text("utf-8")
    assert "WARNING gatepost.qt: QPainter::begin: Paint device returned engine == 0" in text
