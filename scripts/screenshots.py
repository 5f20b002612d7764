"""Render the gate window in its main states to docs/screenshots/ at 1366×690 (no camera).

The client area of a 1366×768 booth screen with a taskbar and a title bar:
xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py
(without a display it falls back to Qt's offscreen platform)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.database import open_database  # noqa: E402
from app.gate.service import GateService, PassageDraft  # noqa: E402
from app.officer import OfficerAuth  # noqa: E402
from app.scan.demo import DEFAULT_CARDS, render_phone  # noqa: E402
from app.scan.sources import SourceError  # noqa: E402,F401
from app.shifts.service import ShiftService  # noqa: E402
from ui.app import install_features  # noqa: E402
from ui.common.sound import Sounds  # noqa: E402
from ui.common.style import apply_style  # noqa: E402
from ui.gate.window import MainWindow  # noqa: E402
from ui.scan.camera import to_qimage  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1366, 690)


def main() -> int:
    app = QApplication.instance() or QApplication([])
    apply_style(app)  # type: ignore[arg-type]
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        gdb = open_database(Path(tmp))
        service = GateService(gdb)
        service.settings.set("checkpoint_name", "翔鹭花城三期 东门")
        OfficerAuth(gdb).set_pin("246810")
        shifts = ShiftService(gdb)
        shifts.start(shifts.add_volunteer("王阿姨", "13812345678")["id"])
        for i, temp in enumerate(("36.4", "36.6", "36.5", "36.2", "36.8")):
            service.record(
                PassageDraft(
                    direction="in" if i % 2 else "out",
                    code_color="green",
                    payload_text=f"demo-{i}",
                    temperature=temp,
                )
            )
        win = MainWindow(service, None, sounds=Sounds(enabled=False), lang="zh")
        install_features(win, gdb)
        win.show()
        win.resize(*SIZE)
        win.on_camera_status("ok", "0")

        def snap(name: str, frame_card=None) -> None:
            frame = render_phone(frame_card) if frame_card else render_phone(DEFAULT_CARDS[0])
            if frame_card is None:
                frame[:] = (88, 96, 104)
            for _ in range(3):
                app.processEvents()
            win.on_frame(to_qimage(frame))
            app.processEvents()
            shot = win.grab()
            assert (shot.width(), shot.height()) == SIZE, (shot.width(), shot.height())
            shot.save(str(OUT / f"{name}.png"))
            print(OUT / f"{name}.png")

        snap("idle")
        green, yellow, red, green2 = DEFAULT_CARDS[:4]
        win.handle_payload(green.payload, "green")
        win.temperature.setText("36.5")
        win.on_enter()
        snap("green-pass", green)
        # 下一位: a green person at the desk, the next phone (yellow) read meanwhile waits
        win.handle_payload(green2.payload, "green")
        win.temperature.setText("36.")
        win.handle_payload(yellow.payload, "yellow")
        snap("next-waiting", yellow)
        win.reset_person()  # Esc: the green person at the desk, then the yellow one
        win.reset_person()
        win.handle_payload(red.payload, "red")
        win.on_enter()
        snap("red-refused", red)
        win.debouncer.reset()
        win.handle_payload(green2.payload, "green")
        win.temperature.setText("37.6")
        win.on_enter()
        snap("fever-alarm", green2)
        win.close()
        app.processEvents()
        gdb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
