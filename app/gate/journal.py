"""The desk's event journal: one JSON line per event, one file per day, in the data dir.

It is how a field report is reproduced (`main.py desk-replay`). It keeps no names, ID numbers,
free-text notes or raw payloads: a scanned code is its keyed hash, a manual entry only says
which kind it was. Files live as long as the records (the retention purge removes older ones).
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from app.gate.desk import Desk, Step
from app.gate.rules import looks_like_temperature
from app.scan.payload import classify_payload

log = logging.getLogger(__name__)
JOURNAL_DIR = "journal"
# answer fields that are codes or numbers (kept); anything else is free text (redacted)
KEPT_ANSWER_FIELDS = ("color", "temperature", "disposition")
KEPT_REASONS = ("no_code", "other", "void_wrong_entry", "void_duplicate")
REDACTED = "（已脱敏）"


def identity_kind(row: dict[str, Any]) -> str:
    """code | pass | manual | none, from a passage row's identity method."""
    method = row.get("identity_method")
    return {"scan": "code", "pass": "pass", "id_number": "manual", "name_room": "manual"}.get(
        str(method), "none"
    )


def recorded_summary(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None or "decision" not in row and "target_id" not in row:
        return None if row is None else {"decision": "fever_rest", **_basics(row)}
    if "target_id" in row:
        return {"decision": "void", "voided": row.get("target_id")}
    return {"decision": row["decision"], **_basics(row)}


def _basics(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "code_color": row.get("code_color"),
        "temperature": row.get("temperature"),
        "retest_temperature": row.get("retest_temperature"),
        "reason": row.get("reason"),
        "identity": identity_kind(row),
    }


def redact_answer(kind: str | None, value: Any) -> Any:
    """What the journal keeps of a dialog's answer."""
    if value is None or isinstance(value, bool):
        return value
    if kind == "manual":
        method = getattr(value, "method", None) or (
            "id_number" if isinstance(value, dict) and value.get("id_number") else "name_room"
        )
        return {"method": method, "redacted": True}
    if isinstance(value, tuple | list) and len(value) == 2:
        field = "disposition" if kind == "disposition" else "reason"
        value = {field: value[0], "note": value[1]}
    if not isinstance(value, dict):
        return {"temperature": str(value)} if kind == "retest" else {"reason": REDACTED}
    kept: dict[str, Any] = {k: value[k] for k in KEPT_ANSWER_FIELDS if k in value}
    if "reason" in value:
        kept["reason"] = value["reason"] if value["reason"] in KEPT_REASONS else REDACTED
    if value.get("note"):
        kept["note"] = REDACTED
    if kind == "override":
        kept["authorized"] = True  # it was: the desk checked the PIN; the PIN is never kept
    return kept


class DeskJournal:
    """Listens to a desk and appends its events to <data dir>/journal/<day>.jsonl."""

    def __init__(self, desk: Desk, data_dir: Path) -> None:
        self.desk = desk
        self.dir = Path(data_dir) / JOURNAL_DIR
        self.n = 0
        self._day: str | None = None
        self._file: IO[str] | None = None
        self._failed = False
        desk.listeners.append(self.on_event)

    def on_event(self, kind: str, event: dict[str, Any], step: Step) -> None:
        try:
            self._write(self._line(kind, event, step))
        except (OSError, ValueError, TypeError):
            if not self._failed:  # a full disk must not stop the gate: say it once, in the log
                log.exception("desk journal not written")
            self._failed = True

    def _line(self, kind: str, event: dict[str, Any], step: Step) -> dict[str, Any]:
        now = self.desk.clock.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.n += 1
        line: dict[str, Any] = {
            "t": round((now - midnight).total_seconds(), 3),
            "at": now.isoformat(timespec="seconds"),
            "event": self.n,
        }
        if kind == "scan":
            text = str(event.get("text", ""))
            line.update(
                scan_hash=self.desk.gate.hash_payload(text),
                payload_kind=classify_payload(text).kind,
                color=event.get("color"),
                source=event.get("source"),
            )
            if line["payload_kind"] == "pass":
                cur = [self.desk.current, *self.desk.waiting]
                match = next((p for p in cur if p is not None and p.payload_text == text), None)
                line["pass_ok"] = match is not None and match.refusal is None
        elif kind == "key":
            line["key"] = event["key"]
            typed = event.get("typed")
            if typed and looks_like_temperature(str(typed)):
                line["typed"] = typed
        elif kind == "answer":
            line["answer"] = redact_answer(event.get("kind"), event.get("value"))
            line["dialog"] = event.get("kind")
        elif kind == "retest":
            fevers = [f["id"] for f in self.desk.gate.pending_fevers()]
            fid = event.get("fever_id")
            line["retest"] = fevers.index(fid) if fid in fevers else fid
        line.update(
            state=self.desk.state,
            outcome=step.outcome,
            recorded=recorded_summary(step.record),
            message=self.desk.message.code if self.desk.message else None,
        )
        return line

    def _write(self, line: dict[str, Any]) -> None:
        day = str(line["at"])[:10]
        if day != self._day or self._file is None:
            self.close()
            self.dir.mkdir(parents=True, exist_ok=True)
            self._file = open(self.dir / f"{day}.jsonl", "a", encoding="utf-8")  # noqa: SIM115
            self._day = day
        self._file.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def purge_journals(data_dir: Path, keep_days: int, today: date) -> list[Path]:
    """Remove day files older than the records they describe (the retention period)."""
    cutoff = today - timedelta(days=keep_days)
    gone = []
    for path in sorted((Path(data_dir) / JOURNAL_DIR).glob("*.jsonl")):
        try:
            day = datetime.strptime(path.stem, "%Y-%m-%d").date()
        except ValueError:
            continue
        if day < cutoff:
            path.unlink(missing_ok=True)
            gone.append(path)
    return gone
