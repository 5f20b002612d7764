"""Run the server: uvicorn in the foreground (CLI) or in a thread (tests, benchmarks)."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from app.clock import Clock
from app.errors import KnownError
from server.retention import EVERY_S, RETENTION_ENV
from server.store import Store, open_store
from server.web import IngestHooks, create_app


def store_for(data_dir: Path) -> Store:
    """PostgreSQL when DATABASE_URL is set, else SQLite in the data dir."""
    return open_store(data_dir, os.environ.get("DATABASE_URL") or None)


def serve(
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8750,
    tz: str | None = None,
    workers: int = 1,
    retention_days: int | None = None,
) -> None:
    """Serve in the foreground. workers > 1: that many uvicorn processes, each opening the
    PostgreSQL store itself (SQLite has one writer: refused before anything starts). The
    retention purge runs in the server every hour (retention_days, else the setting)."""
    from server.officer import server_tz

    server_tz(tz)  # an unknown zone stops here, before anything opens
    if workers > 1:
        if not os.environ.get("DATABASE_URL"):
            raise KnownError("server_workers_need_postgres", workers=workers)
        os.environ[TZ_FOR_WORKERS] = tz or ""
        if retention_days is not None:
            os.environ[RETENTION_ENV] = str(retention_days)
        open_store(None, os.environ["DATABASE_URL"]).close()  # migrate once, before forking
        uvicorn.run(
            "server.run:worker_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=False,
            timeout_graceful_shutdown=5,
        )
        return
    store = store_for(data_dir)
    try:
        uvicorn.run(
            create_app(store, tz=tz, retention_days=retention_days, purge_every=EVERY_S),
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=False,  # X-Forwarded-* count only from GATEPOST_TRUSTED_PROXIES
            timeout_graceful_shutdown=5,
        )
    finally:
        store.close()


TZ_FOR_WORKERS = "GATEPOST_SERVER_WORKER_TZ"


def worker_app() -> Starlette:
    """The app of one uvicorn worker process (--workers N): its own PostgreSQL pool, closed
    when the worker stops; migrations wait on the advisory lock, so workers may start at once."""
    store = open_store(None, os.environ["DATABASE_URL"])
    return create_app(
        store,
        tz=os.environ.get(TZ_FOR_WORKERS) or None,
        owns_store=True,
        purge_every=EVERY_S,
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ServerThread:
    """An in-process server on 127.0.0.1 and an ephemeral port; stop() ends it cleanly."""

    def __init__(
        self,
        store: Store,
        host: str = "127.0.0.1",
        port: int | None = None,
        tz: str | None = None,
        hooks: IngestHooks | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(
            create_app(store, tz=tz, hooks=hooks, clock=clock),
            host=host,
            port=self.port,
            log_level="error",
            proxy_headers=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
