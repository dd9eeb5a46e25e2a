"""How every command reports rejected documents, the same way: the count in its summary line on stderr, each
reject (with its reason) in a rejects file next to the output (or `--rejects FILE`), and each one listed on stderr
as well with `--verbose`, or when there is no rejects file (output to stdout or a device), since it is the only
place left to say it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cleaner.cli.app import is_verbose

if TYPE_CHECKING:
    from cleaner.record import Reject


def echo_reject(where: str, reason: str) -> None:
    typer.echo(f"newsclean: rejected {where}: {reason}", err=True)


def list_rejects_file(path: Path | str | None) -> None:
    """With --verbose, each reject of a rejects file on stderr."""
    if path is None or not is_verbose() or not Path(path).exists():
        return
    from cleaner.review.ledger import iter_rejects

    for line in iter_rejects(Path(path)):
        echo_reject(line.where or (line.id or "?"), line.reason)


def write_rejects(rejects: list[Reject], path: Path | None) -> None:
    """A corpus job's rejects into `path` (none: an earlier run's file there goes), each listed on stderr when
    there is no file or with --verbose."""
    from cleaner.corpus.output import write_jsonl

    if path is not None:
        if rejects:
            write_jsonl(path, (r.to_json() for r in rejects))
        else:
            path.unlink(missing_ok=True)
    if path is None or is_verbose():
        for reject in rejects:
            echo_reject(str(reject.origin), reject.reason)


def rejected_part(count: int, path: Path | str | None) -> str:
    """`N rejected` for a summary line, saying where they are listed."""
    if not count:
        return "0 rejected"
    return f"{count:,} rejected (listed in {path})" if path is not None else f"{count:,} rejected (listed above)"
