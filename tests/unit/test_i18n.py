"""Every message code the program uses exists in Chinese and English with the same
placeholders, and the window shows no words of its own outside app/i18n (#11)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from app.i18n import MESSAGES, t

ROOT = Path(__file__).resolve().parents[2]
# callables whose first argument is a message code
CODE_TAKERS = {"t", "KnownError", "SettingError", "_say", "_refuse", "Message", "say"}
CJK = re.compile(r"[\u3400-\u9fff]")  # words; full-width punctuation alone is not a word
# not words shown to a person: font family names
NOT_WORDS = {"ui/common/style.py"}


def _sources(*packages: str) -> list[Path]:
    return [p for pkg in packages for p in sorted((ROOT / pkg).rglob("*.py"))]


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def codes_used() -> dict[str, str]:
    """code -> where it is used, for every literal code handed to a message taker."""
    found: dict[str, str] = {}
    for path in _sources("app", "ui", "cli", "server"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in CODE_TAKERS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    found.setdefault(first.value, where)
    return found


def placeholders(text: str) -> set[str]:
    """The parameters a message takes; a parameter given in two languages is `name` in the
    Chinese text and `name_en` in the English one (a field's label, a reason's words)."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return {name.removesuffix("_en") for name in names}


def test_every_code_used_is_in_the_table():
    missing = {code: where for code, where in codes_used().items() if code not in MESSAGES}
    assert missing == {}


def test_both_languages_have_the_same_placeholders():
    differ = {
        code: (placeholders(zh), placeholders(en))
        for code, (zh, en) in MESSAGES.items()
        if placeholders(zh) != placeholders(en)
    }
    assert differ == {}


def test_every_message_has_both_languages():
    empty = [code for code, (zh, en) in MESSAGES.items() if not zh.strip() or not en.strip()]
    assert empty == []


def test_the_window_has_no_chinese_of_its_own():
    """User-visible words in ui/ come from app/i18n; comments and docstrings may be Chinese."""
    found = []
    for path in _sources("ui"):
        if str(path.relative_to(ROOT)) in NOT_WORDS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and CJK.search(node.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value[:30]!r}")
    assert found == []


def test_an_unknown_code_shows_itself_and_a_missing_parameter_never_crashes():
    assert t("no_such_code_anywhere", "en") == "no_such_code_anywhere"
    assert "{" in t("next_up", "zh")  # the placeholder stays, the window keeps going
