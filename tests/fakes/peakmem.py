"""Run a snippet in a fresh interpreter and report its peak memory (RSS and Python heap)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_PRELUDE = """
import json, resource, sys, time, tracemalloc
tracemalloc.start()
_t0 = time.perf_counter()
result = None
"""
_EPILOGUE = """
_peak = tracemalloc.get_traced_memory()[1]
try:  # VmHWM belongs to this program image; ru_maxrss survives exec from a big parent
    with open("/proc/self/status") as _fh:
        _rss_kb = next(int(ln.split()[1]) for ln in _fh if ln.startswith("VmHWM:"))
except (OSError, StopIteration):
    _rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("@@" + json.dumps({"result": result, "heap_mb": _peak / 2**20, "rss_mb": _rss_kb / 1024,
                         "seconds": time.perf_counter() - _t0}))
"""


@dataclass
class Peak:
    result: object
    heap_mb: float  # tracemalloc peak of Python allocations
    rss_mb: float  # peak RSS of the whole child (imports included): VmHWM, else ru_maxrss
    seconds: float


def measure(snippet: str, timeout: float = 120.0, root: Path = ROOT) -> Peak:
    """Run `snippet` (which sets `result`) in a child process; its peak memory and time. `root`:
    the source tree it imports from (a benchmark's baseline: another branch's checkout)."""
    code = _PRELUDE + textwrap.dedent(snippet) + _EPILOGUE
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=root,
        env=env,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@")]
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    data = json.loads(lines[-1][2:])
    return Peak(data["result"], data["heap_mb"], data["rss_mb"], data["seconds"])
