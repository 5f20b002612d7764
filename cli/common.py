"""What every command group shares: the parser plumbing, the data dir, the PIN, the messages."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import KnownError
from app.i18n import t
from app.paths import ENV_VAR, resolve_data_dir
from app.progress import StderrBar

if TYPE_CHECKING:
    from app.database import GateDatabase

Handler = Callable[[argparse.Namespace], int]
PIN_ENV = "GATEPOST_OFFICER_PIN"
NEW_PIN_ENV = "GATEPOST_OFFICER_NEW_PIN"


def add_common_options(p: argparse.ArgumentParser, default: object) -> None:
    """--data-dir, --lang, -v: accepted before and after the subcommand."""
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help=f"where the database lives (default: ${ENV_VAR}, else the user data dir)",
    )
    p.add_argument("--lang", choices=("zh", "en"), default=default, help="message language")
    p.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="log debug details"
    )


class Commands:
    """The subcommands of one parser; every command also takes the common options."""

    def __init__(self, subparsers: Any, shared: argparse.ArgumentParser) -> None:
        self._sub = subparsers
        self.shared = shared

    def add(self, name: str, handler: Handler | None, help: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = self._sub.add_parser(name, parents=[self.shared], help=help)
        if handler is not None:
            p.set_defaults(func=handler)
        return p

    def group(self, p: argparse.ArgumentParser, dest: str) -> Commands:
        """Actions below a command (`bundle export`, `keys import-public`)."""
        sub = p.add_subparsers(dest=dest, metavar="ACTION", required=True)
        return Commands(sub, self.shared)


# ----------------------------------------------------------------- argument types
def _refuse(code: str, **params: Any) -> argparse.ArgumentTypeError:
    """A parse-time refusal in both languages (the --lang flag may not be read yet)."""
    return argparse.ArgumentTypeError(f"{t(code, 'zh', **params)} / {t(code, 'en', **params)}")


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high]; refused at parse time otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise _refuse("arg_not_int", value=text) from None
        if value < low or (high is not None and value > high):
            if high is None:
                raise _refuse("arg_at_least", value=text, low=low)
            raise _refuse("arg_between", value=text, low=low, high=high)
        return value

    parse.__name__ = "int"
    return parse


def float_range(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a number in [low, high]; refused at parse time otherwise."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise _refuse("arg_not_number", value=text) from None
        if not low <= value <= high:  # NaN fails too
            raise _refuse("arg_between", value=text, low=low, high=high)
        return value

    parse.__name__ = "float"
    return parse


def phone_arg(text: str) -> str:
    """An argparse type: a mobile (11 digits starting with 1) or a landline (7–12 digits);
    1380013 is a mobile number missing digits and is refused. Returns the digits."""
    digits = text.strip().replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    mobile_shaped = digits.startswith("1")
    if not digits.isdigit() or not 7 <= len(digits) <= 12 or (mobile_shaped and len(digits) != 11):
        raise _refuse("arg_bad_phone", value=text)
    return digits


# ----------------------------------------------------------------- running a command
def data_dir(args: argparse.Namespace) -> Path:
    """--data-dir, else $GATEPOST_DATA_DIR, else the user data dir; made if missing."""
    args.data_dir_path = resolve_data_dir(args.data_dir)
    return Path(args.data_dir_path)


def open_db(args: argparse.Namespace) -> GateDatabase:
    """The gate database in the data dir; messages follow its `language` unless --lang given."""
    from app.database import open_database
    from app.settings import Settings

    gdb = open_database(args.data_dir_path)
    if not args.lang_explicit:
        args.lang = ui_language(Settings(gdb.conn).get("language"))
    warning = gdb.warning()
    if warning is not None:
        print(warning.message(args.lang), file=sys.stderr)
    return gdb


@contextlib.contextmanager
def gate_db(args: argparse.Namespace) -> Iterator[GateDatabase]:
    """open_db for the length of a with block: closed however the block ends."""
    gdb = open_db(args)
    try:
        yield gdb
    finally:
        gdb.close()


def checked_db_path(args: argparse.Namespace) -> Path:
    """The gate database's path once open_db has checked it (and read the language), for a
    service that opens its own connections."""
    with gate_db(args) as gdb:
        return Path(gdb.path)


def ui_language(value: object) -> str:
    return "en" if value == "en" else "zh"


def pin(args: argparse.Namespace, code: str = "pin_prompt", env: str = PIN_ENV) -> str:
    """The officer PIN from the environment, else a hidden prompt; no input is a message."""
    import getpass

    if os.environ.get(env):
        return os.environ[env]
    try:
        entered = getpass.getpass(t(code, args.lang) + ": ")
    except EOFError:
        raise KnownError("pin_needed", env=env) from None
    if not entered:
        raise KnownError("pin_needed", env=env)
    return entered


def progress(label: str) -> StderrBar:
    return StderrBar(label)


def fail(exc: KnownError, lang: str) -> int:
    """Print a known error in the message language; the exit code says it failed."""
    print(exc.message(lang), file=sys.stderr)
    return 1


def say(code: str, lang: str, **params: Any) -> None:
    print(t(code, lang, **params))
