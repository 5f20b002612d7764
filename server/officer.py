"""The officer's pages (filled in below)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.store import Store


def officer_routes(store: Store) -> list[BaseRoute]:
    return []
