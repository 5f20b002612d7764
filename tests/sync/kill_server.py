"""A server process that SIGKILLs itself at one point of its N-th batch, exactly as `kill -9`
would: `python -m tests.sync.kill_server DATA_DIR PORT before_commit:N|after_commit:N`.
The hook is an argument of the app factory; production code has no kill switch."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import uvicorn

from server.run import store_for
from server.web import IngestHooks, create_app


def hooks_for(spec: str) -> IngestHooks:
    """Hooks that count batches and kill this process at the named point of the N-th."""
    point, _, n = spec.partition(":")
    at = int(n or 1)
    seen = {"before_commit": 0, "after_commit": 0}

    def hit(name: str) -> None:
        seen[name] += 1
        if name == point and seen[name] == at:
            os.kill(os.getpid(), signal.SIGKILL)

    return IngestHooks(
        before_commit=lambda: hit("before_commit"), after_commit=lambda: hit("after_commit")
    )


def main(argv: list[str]) -> None:
    data_dir, port, spec = Path(argv[0]), int(argv[1]), argv[2]
    store = store_for(data_dir)
    try:
        app = create_app(store, officer_pages=False, hooks=hooks_for(spec))
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    finally:
        store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
