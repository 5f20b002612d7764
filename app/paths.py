"""Where Gatepost keeps its data: --data-dir, then GATEPOST_DATA_DIR, then the user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_VAR = "GATEPOST_DATA_DIR"
DB_NAME = "gatepost.db"
# sounds, icons: beside app/ in a checkout, and in a PyInstaller bundle (packaging/gatepost.spec)
RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """Pick the data directory by precedence and create it."""
    if cli_value:
        path = Path(cli_value)
    elif os.environ.get(ENV_VAR):
        path = Path(os.environ[ENV_VAR])
    else:
        path = Path(platformdirs.user_data_dir("Gatepost", appauthor=False))
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME
