"""The process test_kill_bundle_import.py kills: it imports USB bundles into the server store
over and over, as `bundle import` does, until a SIGKILL stops it. It is forked from a
forkserver that has these modules loaded already, so a kill costs milliseconds, not a new
interpreter; the import itself is the production code, with no hook of any kind."""

from __future__ import annotations

import random
from pathlib import Path

from server.bundles import import_bundle
from server.store import open_store


def import_forever(data_dir: str, database_url: str | None, paths: list[str], seed: int) -> None:
    store = open_store(Path(data_dir), database_url)
    order = [Path(p) for p in paths]
    rng = random.Random(seed)
    while True:
        rng.shuffle(order)
        for path in order:
            import_bundle(store, path)
