"""Moved to app.roster.checks (#11): watchlist and quota checks, named for their job.

Kept only for main.py and app/roster/desk.py, which other branches are rewriting (cli/ and
the desk state machine, #10); delete once they import app.roster.checks."""

from app.roster.checks import Alert, gate_checks, overdue_inside

__all__ = ["Alert", "gate_checks", "overdue_inside"]
