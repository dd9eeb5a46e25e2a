"""The `newsclean` command: a thin typer app. Each command group lives in its own module and only parses
options, calls the library and prints; heavy imports happen inside the commands."""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Sequence

import typer

from cleaner.cli.app import app
from cleaner.errors import NewscleanError, os_error_text

# The module that registers each command on `app` (each imports `app` from `cleaner.cli.app`).
COMMAND_MODULES = {
    "clean": "clean",
    "dedup": "corpus",
    "learn": "corpus",
    "diff": "diff",
    "report": "review",
    "stats": "review",
    "rules": "rules",
}
_APP_OPTIONS_WITH_VALUE = ("--log-level",)
INTERNAL_ERROR = 4  # exit status of a bug in newsclean (an exception no check anticipated)


def _register(modules: Sequence[str] = tuple(dict.fromkeys(COMMAND_MODULES.values()))) -> None:
    for module in modules:
        importlib.import_module(f"cleaner.cli.{module}")


# Whoever looks at `app`'s commands (typer, a test's CliRunner) finds all of them; `main` registers only the one
# it runs.
app.defer(_register)


def _command_of(args: Sequence[str]) -> str | None:
    """The command word of a command line (`newsclean -v clean x` -> "clean"), or None (`--help`, none)."""
    words = iter(args)
    for word in words:
        if word == "--":
            return None
        if word in _APP_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main() -> None:
    """Entry point: run the app and turn newsclean errors into one clear line and an exit status."""
    # A filter whose reader goes away (`newsclean clean big.jsonl | head`) ends quietly by SIGPIPE, as Unix tools
    # do, instead of click's exit status 1, which here means "documents rejected".
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    module = COMMAND_MODULES.get(_command_of(sys.argv[1:]) or "")
    if module is not None:  # only that command's options are built; help, typos and the rest see every command
        app.defer(None)
        _register([module])
    try:
        return _run()
    finally:
        app.defer(_register)  # commands not registered yet are, when next looked at


def _run() -> None:
    try:
        # Without standalone mode click returns, rather than raises, the code of a `typer.Exit`.
        code = app(standalone_mode=False)
    except NewscleanError as error:
        typer.echo(f"newsclean: error: {error}", err=True)
        sys.exit(error.exit_code)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        typer.echo("newsclean: aborted", err=True)
        sys.exit(130)
    except OSError as error:  # the file system failed mid-run (a full disk, a vanished directory): no traceback
        typer.echo(f"newsclean: error: {os_error_text(error)}; the run stopped before its end", err=True)
        sys.exit(3)
    except Exception as error:  # usage errors (a bad option value, a missing argument) arrive here
        if isinstance(error, _usage_errors()):
            error.show()  # type: ignore[attr-defined]
            sys.exit(2)
        if os.environ.get("NEWSCLEAN_TRACEBACK", "") not in ("", "0"):
            raise
        # A bug in newsclean: one line that says so, not a traceback; the variable shows where it happened.
        text = " ".join(str(error).split()) or "no message"
        typer.echo(
            f"newsclean: internal error (a bug in newsclean, please report it with the command): "
            f"{type(error).__name__}: {text}; NEWSCLEAN_TRACEBACK=1 shows where it happened",
            err=True,
        )
        sys.exit(INTERNAL_ERROR)
    sys.exit(code if isinstance(code, int) else 0)


def _usage_errors() -> tuple[type[Exception], ...]:
    """click's exception, and typer's own: typer 0.29 carries its own copy of click, whose errors are not click's."""
    found: list[type[Exception]] = []
    typer_error = getattr(typer, "TyperException", None)
    if isinstance(typer_error, type) and issubclass(typer_error, Exception):
        found.append(typer_error)
    try:
        import click
    except ImportError:
        return tuple(found)
    return (*found, click.ClickException)
