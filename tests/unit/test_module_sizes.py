"""No module of the app over 400 lines (#11): a room that grows past it is split by job."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400
PACKAGES = ("app", "db", "ui", "server", "cli")


def modules() -> list[Path]:
    return [ROOT / "main.py", *(p for name in PACKAGES for p in (ROOT / name).rglob("*.py"))]


def test_every_package_is_seen():
    seen = {p.relative_to(ROOT).parts[0] for p in modules()}
    assert seen == {*PACKAGES, "main.py"}


def test_no_module_over_400_lines():
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines()) for p in modules()}
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
