"""One of each in ui/ (#11): one ensure_gui_app, one resident field list."""

from __future__ import annotations

import pytest

from app.roster import importer
from ui.common.gui_app import ensure_gui_app
from ui.roster.importing import PREVIEW_FIELDS

pytestmark = pytest.mark.gui


def test_ensure_gui_app_returns_the_running_application(qapp) -> None:
    assert ensure_gui_app() is qapp
    assert ensure_gui_app() is ensure_gui_app()


def test_the_import_preview_shows_every_column_the_importer_maps() -> None:
    mapped = {field for field, _aliases in importer.HEADER_ALIASES}
    assert set(PREVIEW_FIELDS) == mapped
    assert len(PREVIEW_FIELDS) == len(mapped)
