"""Render the first-run wizard's five pages over the window, as a booth screen shows them
(#16), to check that Chinese renders and nothing is cut off at 1366×690:

xvfb-run -a -s "-screen 0 1366x690x24" .venv/bin/python scripts/wizard_screenshots.py [OUT [en]]

Every page goes to OUT (default /tmp/gatepost-wizard/); the camera page, with the demo's live
picture, also to docs/screenshots/first-run-wizard.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.app import open_session  # noqa: E402
from ui.common.style import apply_style  # noqa: E402
from ui.setup.wizard import SetupWizard  # noqa: E402

DOC = ROOT / "docs" / "screenshots" / "first-run-wizard.png"


def settle(app: QApplication, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/gatepost-wizard")
    lang = sys.argv[2] if len(sys.argv) > 2 else "zh"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    apply_style(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        session = open_session(Path(tmp), None, lang)
        window = session.window
        window.features["shifts"].open_dialog = lambda dlg: None  # no sign-in over the shots
        window.showMaximized()
        wizard = SetupWizard(window, webcams=["USB2.0 HD UVC WebCam"])
        wizard.show()
        screen = app.primaryScreen()
        fill = {
            "place": lambda p: (p.compound.setText("翔鹭花城三期"), p.checkpoint.setText("东门")),
            "pin": lambda p: (p.first.setText("246810"), p.second.setText("246810")),
            "camera": lambda p: p.select("demo"),
            "sync": lambda p: p.choices["scan"].setChecked(True),
            "roster": lambda p: p.now.setChecked(True),
        }
        for n, name in enumerate(fill, 1):
            page = wizard.pages[name]
            fill[name](page)
            settle(app, 2.5 if name in ("camera", "sync") else 0.3)  # the live picture
            geometry = wizard.frameGeometry()
            fits = screen.availableGeometry().contains(geometry)
            shot = screen.grabWindow(0)
            path = out / f"{n}-{name}.png"
            shot.save(str(path))
            print(path, f"{shot.width()}×{shot.height()}", "wizard", geometry.getRect(), fits)
            if name == "camera" and lang == "zh":
                shot.save(str(DOC))
            if name != "roster":
                if name == "sync":
                    page.choices["usb"].setChecked(True)
                wizard.go_next()
        wizard.reject()
        session.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
