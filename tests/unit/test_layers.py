"""The core never imports Qt or the UI, and the UI reaches the database only through app."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports_of(package: str):
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module


def offenders(package: str, forbidden: tuple[str, ...]):
    return [
        f"{p.relative_to(ROOT)} imports {name}"
        for p, name in imports_of(package)
        if name.split(".")[0] in forbidden
    ]


def test_core_never_imports_qt_or_ui():
    assert offenders("app", ("PySide6", "shiboken6", "ui")) == []
    assert offenders("db", ("PySide6", "shiboken6", "ui", "app")) == []


def test_nothing_imports_the_server_and_the_server_has_no_qt():
    for package in ("app", "db", "ui"):
        assert offenders(package, ("server",)) == []
    assert offenders("server", ("PySide6", "shiboken6", "ui")) == []


def test_nothing_below_imports_the_command_line():
    for package in ("app", "db", "ui", "server"):
        assert offenders(package, ("cli", "main")) == []


def test_ui_reaches_db_only_through_app():
    assert offenders("ui", ("db",)) == []


def test_app_imports_without_qt_loaded():
    code = (
        "import sys, pkgutil, importlib, app, db\n"
        "for pkg in (app, db):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'ui'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
