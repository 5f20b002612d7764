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


# ----- #11: no cycles inside app and db, and the direction gate -> roster, checked


def _lint_copy(tmp_path: Path, edits: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on a copy of app/ and db/ with extra lines appended to some modules."""
    for package in ("app", "db", "ui", "server", "cli"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for rel, extra in edits.items():
        with (tmp_path / rel).open("a", encoding="utf-8") as fh:
            fh.write("\n" + extra + "\n")
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [exe, "--no-cache", "--no-logo"], cwd=tmp_path, capture_output=True, text=True, env=env
    )


def test_the_copy_itself_keeps_the_contracts(tmp_path: Path) -> None:
    result = _lint_copy(tmp_path, {})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_cycle_hidden_in_a_function_fails_the_contracts(tmp_path: Path) -> None:
    """The old roster.importer <-> roster.service cycle, put back inside a function."""
    hidden = "def _later():\n    from app.roster import importer  # noqa: F401\n"
    result = _lint_copy(tmp_path, {"app/roster/changes.py": hidden})
    assert result.returncode != 0
    assert "No import cycles" in result.stdout and "BROKEN" in result.stdout


def test_the_roster_may_not_import_the_gate(tmp_path: Path) -> None:
    hidden = "def _later():\n    from app.gate import rules  # noqa: F401\n"
    result = _lint_copy(tmp_path, {"app/roster/residents.py": hidden})
    assert result.returncode != 0
    assert "Inside app" in result.stdout and "BROKEN" in result.stdout


# Imports inside functions: only heavy optional modules (said so in a comment), and the few
# in files other branches are rewriting (cli/, the desk state machine #10, the importer split).
IN_FUNCTION_ALLOWED = {
    ("app/reports/export.py", "openpyxl.utils"),
    ("app/reports/export.py", "openpyxl"),
    ("app/roster/importing/xlsx.py", "openpyxl"),  # heavy: only when a workbook comes in
    ("app/scan/image.py", "PIL"),  # Pillow only to read an image's header
    ("app/roster/keyqr.py", "app.scan.image"),  # OpenCV only when a photo comes in
    ("app/reports/export.py", "openpyxl.cell"),
    ("app/reports/verify.py", "openpyxl"),  # only when an XLSX is checked (#17)
    ("app/roster/keyqr.py", "app.scan.decoder"),  # the QR engine only when a photo comes in
    ("app/settings.py", "app.scan.sources"),  # OpenCV only to check a camera source written
}


def _imports_in_functions(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                rel = str(path.relative_to(ROOT))
                if isinstance(node, ast.Import):
                    found |= {(rel, alias.name) for alias in node.names}
                elif isinstance(node, ast.ImportFrom):
                    found.add((rel, "." * node.level + (node.module or "")))
    return found


def test_no_imports_hide_inside_functions_in_the_core() -> None:
    found = _imports_in_functions("app") | _imports_in_functions("db")
    assert found - IN_FUNCTION_ALLOWED == set()
