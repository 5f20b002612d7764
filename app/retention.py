"""Retention: records older than `retention_days` are purged once a day, and the purge is
audited. Data not yet exported or not yet synced is only purged after an officer confirms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from app import officer as roles
from app.clock import Clock, SystemClock
from app.database import GateDatabase
from app.errors import KnownError
from app.gate.clock_guard import ClockGuard
from app.gate.journal import purge_journals
from app.officer import OfficerAuth
from app.reports.service import ReportService
from app.settings import Settings
from db import retention as rdb
from db.connection import transaction


@dataclass
class PurgePlan:
    cutoff: str  # records dated before this local date go
    counts: dict[str, int]
    unsynced: int
    unexported_days: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.unsynced or self.unexported_days)

    def warning(self) -> KnownError:
        return KnownError(
            "purge_warning",
            cutoff=self.cutoff,
            unsynced=self.unsynced,
            unexported=len(self.unexported_days),
        )


class RetentionService:
    def __init__(
        self, gdb: GateDatabase, clock: Clock | None = None, guard: ClockGuard | None = None
    ) -> None:
        self.gdb = gdb
        self.conn = gdb.conn
        self.clock = clock or SystemClock()
        self.guard = guard or ClockGuard(self.conn, self.clock)
        self.settings = Settings(self.conn)
        self.officer = OfficerAuth(gdb, self.clock)

    def cutoff(self) -> str:
        """Today less retention_days; never from a clock in doubt (#17): a PC back in 2000 or a
        year ahead would purge by a date that is not today's."""
        status = self.guard.check()
        if status.suspect:
            raise KnownError("purge_clock_suspect", drift=int(status.drift_s))
        days = max(1, int(self.settings.get("retention_days")))
        return (self.clock.now().date() - timedelta(days=days)).isoformat()

    def plan(self) -> PurgePlan:
        cutoff = self.cutoff()
        found = rdb.plan(self.conn, cutoff)
        exported = ReportService(self.gdb, self.clock).exported_days()
        return PurgePlan(
            cutoff,
            found["counts"],
            found["unsynced"],
            [d for d in found["days"] if d not in exported],
        )

    def purge_journals(self) -> int:
        """The desk journal beside this database (app/gate/journal.py) keeps the same days."""
        if str(self.gdb.path) == ":memory:":
            return 0
        days = max(1, int(self.settings.get("retention_days")))
        return len(purge_journals(self.gdb.path.parent, days, self.clock.now().date()))

    def due(self) -> bool:
        """Once a day: not yet run (purged, or found nothing) today."""
        today = self.clock.now().date().isoformat()
        return not any(r["local_date"] == today for r in self.officer.audit_log(roles.PURGE))

    def run_daily(self, pin: str | None = None) -> dict[str, Any] | None:
        """The daily purge. Raises the purge warning (KnownError) when unsynced or unexported
        data would go and no officer PIN confirms it; None when already done today."""
        if not self.due() and pin is None:
            return None
        plan = self.plan()
        if plan.empty:
            journals = self.purge_journals()
            details: dict[str, Any] = {"cutoff": plan.cutoff, "status": "nothing"}
            counts = {"journal_files": journals} if journals else {}
            self.officer.audit(roles.PURGE, {**details, **counts}, actor="system")
            return {"cutoff": plan.cutoff, "counts": counts}
        if plan.needs_confirmation:
            if pin is None:
                raise plan.warning()
            self.officer.authorize(
                pin,
                roles.DELETE,
                {
                    "cutoff": plan.cutoff,
                    "unsynced": plan.unsynced,
                    "unexported_days": plan.unexported_days,
                },
            )
        with transaction(self.conn):
            deleted = rdb.purge(self.conn, plan.cutoff)
            self.officer.audit(
                roles.PURGE,
                {"cutoff": plan.cutoff, "status": "done", **deleted},
                actor="officer" if pin else "system",
            )
        journals = self.purge_journals()  # the desk's day files go once their records have
        counts = {**deleted, "journal_files": journals} if journals else deleted
        return {"cutoff": plan.cutoff, "counts": counts}
