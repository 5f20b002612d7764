"""A resident's change history as people read it: when, who, what, and each field before → after
(names, ID numbers and phones masked unless asked)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.i18n import t
from app.privacy import mask_id, mask_name, mask_phone
from app.roster.residents import EDITABLE

FIELDS = (*EDITABLE, "pass_serial")
_MASKS = {"name": mask_name, "id_number": mask_id, "phone": mask_phone}


@dataclass(frozen=True)
class HistoryLine:
    when: str  # local time, 'YYYY-MM-DD HH:MM:SS'
    who: str
    action: str  # add | edit | status | import_add | import_update | pass_issue | pass_reissue
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)
    source: str | None = None  # the imported file's name

    def action_text(self, lang: str = "zh") -> str:
        text = t(f"action_{self.action}", lang)
        source = (self.source or "").removeprefix("import:")
        return f"{text}（{source}）" if source else text

    def what(self, lang: str = "zh") -> str:
        sep, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
        parts = []
        for name, before, after in self.changes:
            label = t(name, lang) + colon
            parts.append(f"{label}{after}" if before == "" else f"{label}{before} → {after}")
        return sep.join(parts)


def _shown(name: str, value: Any, masked: bool, lang: str) -> str:
    if value is None or value == "":
        return ""
    if name == "status":
        return t(f"status_{value}", lang)
    text = str(value)
    return _MASKS[name](text) if masked and name in _MASKS else text


def history_lines(
    changes: list[dict[str, Any]], masked: bool = True, lang: str = "zh"
) -> list[HistoryLine]:
    """Oldest first; each change compared with the state before it (the first with nothing)."""
    out: list[HistoryLine] = []
    before: dict[str, Any] = {}
    for row in changes:
        try:
            state = json.loads(row["state"]) if row.get("state") else {}
        except ValueError:
            state = {}
        diffs = []
        for name in FIELDS:
            old, new = before.get(name), state.get(name)
            if (old or "") == (new or "") or (not before and name == "pass_serial" and not new):
                continue
            diffs.append((name, _shown(name, old, masked, lang), _shown(name, new, masked, lang)))
        out.append(
            HistoryLine(
                str(row.get("ts_local") or "")[:19].replace("T", " "),
                str(row.get("who") or "-"),
                str(row.get("action") or ""),
                diffs,
                row.get("source"),
            )
        )
        before = state
    return out
