"""Errors that reach a user: each says what is wrong, where, and how to fix it."""

from __future__ import annotations

import sys


class NewscleanError(Exception):
    """Base class for errors newsclean reports to a user (never a traceback)."""

    exit_code = 1


class ConfigError(NewscleanError):
    """Usage or configuration error (bad option, bad rule file): exit status 2, nothing written."""

    exit_code = 2


class InputError(NewscleanError):
    """An input that cannot be read at all (missing, unreadable); per-document problems become rejects."""

    exit_code = 2


class RunInterrupted(NewscleanError):
    """A run that stopped before its end (a worker process died, an output could not be written): what it
    committed is kept, and `--resume` continues it. Exit status 3, so that scripts tell it from "some documents
    rejected"."""

    exit_code = 3


class RunCancelled(NewscleanError):
    """A run stopped by Ctrl-C (SIGINT): the message says what was committed and how to continue. Exit status 130,
    as a shell gives a command ended by SIGINT."""

    exit_code = 130


def print_note(message: str) -> None:
    """A note for the user on stderr (a capped option, a discarded run): the default of every `note` callback."""
    print(f"newsclean: {message}", file=sys.stderr)


def os_error_text(error: OSError) -> str:
    """An OSError as "file: what went wrong", without Python's "[Errno 28]"."""
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"
