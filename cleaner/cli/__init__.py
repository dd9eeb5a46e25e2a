"""The `newsclean` command: a thin typer app. Each command group lives in its own module and only parses
options, calls the library and prints; heavy imports happen inside the commands."""

from __future__ import annotations

import signal
import sys

import typer

from cleaner.cli.app import app
from cleaner.errors import NewscleanError, os_error_text


def main() -> None:
    """Entry point: run the app and turn newsclean errors into one clear line and an exit status."""
    # A filter whose reader goes away (`newsclean clean big.jsonl | head`) ends quietly by SIGPIPE, as Unix tools
    # do, instead of click's exit status 1, which here means "documents rejected".
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
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
        raise
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


# Importing a command module adds its commands to `app` (they import `app` from here, so this comes last).
from cleaner.cli import clean, corpus, diff, review, rules  # noqa: E402, F401
