"""Options that several commands share: which record fields hold what, what stdin holds, and how many workers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from cleaner.checks import COMMENTS

if TYPE_CHECKING:
    from cleaner.io import ReadOptions

TextField = Annotated[str, typer.Option("--text-field", help="JSON/Parquet field holding the text.")]
IdField = Annotated[str, typer.Option("--id-field", help="Field holding the document id.")]
UrlField = Annotated[str, typer.Option("--url-field", help="Field holding the document URL.")]
HtmlField = Annotated[str, typer.Option("--html-field", help="Field holding raw HTML (extracted when no text).")]
# A str checked by `cleaner.checks.check_comments` (like --title-in-text), so a bad value is our usual exit-2
# message; the metavar shows its choices.
Comments = Annotated[
    str,
    typer.Option(
        "--comments",
        metavar=f"[{'|'.join(COMMENTS)}]",
        help="HTML: drop the pages' reader comments (the article alone), or keep them; comment-widget text such as "
        "'Reply' or 'Loading comments...' is then removed by the bundled _comments rules.",
    ),
]
StdinFormat = Annotated[
    str,
    typer.Option(
        "--stdin-format",
        help="What stdin holds: auto (JSON Lines when its first non-blank line is a JSON object, else text), "
        "text or jsonl.",
    ),
]

# One rule for every command that starts workers (clean, learn, dedup).
JOBS_DEFAULT = 1
JOBS_HELP = (
    "Worker processes: 1 (the default) works in this process, 0 starts one per CPU this process may use. "
    "Output is identical for any number."
)
Jobs = Annotated[int, typer.Option("--jobs", "-j", help=JOBS_HELP)]


def worker_count(jobs: int) -> int:
    """`--jobs` as a number of workers: 0 is one per usable CPU."""
    if jobs < 0:
        from cleaner.errors import ConfigError

        raise ConfigError(f"--jobs must be 0 (one worker per CPU) or more, got {jobs}")
    if jobs == 0:
        from cleaner.corpus.engines import usable_cpus

        return usable_cpus()
    return jobs


def read_options(
    inputs: Sequence[str], text_field: str, id_field: str, url_field: str, html_field: str, stdin_format: str
) -> ReadOptions:
    """The read options of a command; `--stdin-format auto` is decided here, by looking at stdin when it is read."""
    from cleaner.errors import ConfigError
    from cleaner.io import ReadOptions
    from cleaner.io.stdin import STDIN_FORMATS, resolve_stdin_format

    if stdin_format not in STDIN_FORMATS:
        raise ConfigError(f"--stdin-format must be one of {', '.join(STDIN_FORMATS)}, got {stdin_format!r}")
    return ReadOptions(
        text_field=text_field,
        id_field=id_field,
        url_field=url_field,
        html_field=html_field,
        stdin_format=resolve_stdin_format(stdin_format, "-" in inputs),
    )
