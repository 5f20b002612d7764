"""CPU seconds from /proc (Linux): a process, every process of a name, the whole machine, so a
benchmark on a shared 2-core box can say whose CPU a figure cost (#15)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> tuple[str, list[str]] | None:
    """The command name and the fields after it (state first); None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # the name is in parentheses and may itself hold spaces or parentheses
    return text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()


def _seconds(f: list[str], children: bool) -> float:
    """f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17."""
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
    return ticks / TICK


def process_cpu(pid: int, children: bool = True) -> float:
    """utime + stime of the process and all its threads (plus its children already waited
    for, cutime + cstime, when `children`); 0.0 when it is gone."""
    got = _stat_fields(pid)
    return 0.0 if got is None else _seconds(got[1], children)


def cpu_of(pids: list[int]) -> dict[int, float]:
    """Each live process's own CPU seconds (threads included, children not)."""
    found = {pid: _stat_fields(pid) for pid in pids}
    return {pid: _seconds(got[1], False) for pid, got in found.items() if got is not None}


def named_cpu(name: str) -> float:
    """CPU seconds of every process called `name`, with the children they have reaped (a
    postmaster's cutime holds its ended backends), so a difference over a window counts them."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            got = _stat_fields(int(entry.name))
            if got is not None and got[0] == name:
                total += _seconds(got[1], True)
    return total


@dataclass(frozen=True)
class MachineCpu:
    busy: float  # CPU seconds not idle (user, nice, system, irq, softirq, steal)
    total: float  # CPU seconds of all cores


def machine_cpu() -> MachineCpu:
    """The first line of /proc/stat: every core's time since boot, idle and iowait not busy."""
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    total = sum(values[:8])  # guest time is already inside user and nice
    idle = values[3] + values[4]
    return MachineCpu((total - idle) / TICK, total / TICK)
