"""A quiet console (#16): a missing webcam and a missing sound device leave the terminal
empty; Qt multimedia chatter is in gatepost.log at debug, a missing sound device one line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QtMsgType

from app.database import open_database
from app.settings import Settings
from ui.common.qtlog import QuietQtLog

ROOT = Path(__file__).resolve().parents[2]
NOISE = ("VIDEOIO", "[ WARN", "cap_v4l", "qt.multimedia", "pa_context", "PulseAudio", "va-drm")

# the real start-up path (main -> cli gui -> run_gui) with webcam 7 (absent); when the window
# is shown it plays a sound, so QtMultimedia and the audio backend load, then it quits
DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import main
from ui.gate.window import MainWindow

shown = MainWindow.showMaximized
def show_then_quit(self):
    shown(self)
    self.sounds.enabled = True
    QTimer.singleShot(0, lambda: self.sounds.play("ok"))
    QTimer.singleShot(2500, QApplication.instance().quit)
MainWindow.showMaximized = show_then_quit
sys.exit(main.main(["gui", "--camera", "7", "--data-dir", sys.argv[1]]))
"""


def test_window_with_no_webcam_and_no_speakers_says_nothing_on_the_terminal(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCV_", "QT_LOGGING"))}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    data = tmp_path / "gate"
    gdb = open_database(data)  # a gate set up before: no first-run wizard holds the camera
    Settings(gdb.conn).set("checkpoint_name", "北门")
    gdb.close()
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(data)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    terminal = proc.stdout + proc.stderr
    assert not [word for word in NOISE if word in terminal], terminal
    log = (data / "gatepost.log").read_text(encoding="utf-8")
    assert "window shown" in log and "camera 7 did not open" in log
    assert log.count("no sound device") <= 1  # 0 where this machine has a sound device
    assert "ERROR" not in log and "Traceback" not in log


def test_multimedia_chatter_is_debug_and_a_missing_sound_device_is_one_info_line():
    quiet = QuietQtLog()
    warning = QtMsgType.QtWarningMsg
    resolver = "qt.multimedia.symbolsresolver"
    assert quiet.level_for(warning, resolver, "Couldn't load va-drm library") == logging.DEBUG
    assert quiet.level_for(QtMsgType.QtInfoMsg, "qt.multimedia.ffmpeg", "FFmpeg 7") == 10
    pulse = "PulseAudioService: pa_context_connect() failed"
    assert quiet.level_for(warning, "default", pulse) == logging.INFO
    assert quiet.level_for(warning, "default", pulse) == logging.DEBUG  # once only
    # anything else keeps its weight: a real Qt problem is still a warning or an error
    assert quiet.level_for(warning, "default", "QPainter::begin: failed") == logging.WARNING
    assert quiet.level_for(QtMsgType.QtCriticalMsg, "qt.core", "boom") == logging.ERROR


def test_the_handler_writes_to_the_log(caplog):
    class Context:
        category = "qt.multimedia.symbolsresolver"

    quiet = QuietQtLog()
    with caplog.at_level(logging.DEBUG, logger="gatepost.qt"):
        quiet(QtMsgType.QtWarningMsg, Context(), "Couldn't load pipewire-0.3 library")
        quiet(QtMsgType.QtWarningMsg, None, "PulseAudioService: pa_context_connect() failed")
        quiet(QtMsgType.QtWarningMsg, None, "PulseAudioService: pa_context_connect() failed")
    levels = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert levels[0] == (logging.DEBUG, f"{Context.category}: Couldn't load pipewire-0.3 library")
    assert levels[1][0] == logging.INFO and "no sound device" in levels[1][1]
    assert levels[2][0] == logging.DEBUG


def test_the_sounds_are_where_the_window_looks_for_them():
    """ui/common/sound.py looked under ui/resources after the rooms move: no sound at all."""
    from ui.common.sound import SOUNDS

    assert SOUNDS == ROOT / "resources" / "sounds"
    assert all((SOUNDS / f"{name}.wav").is_file() for name in ("ok", "refused", "alarm"))
