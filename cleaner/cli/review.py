"""`newsclean stats` and `newsclean report`: review a finished run from its ledger (and cleaned outputs)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cleaner.cli.app import app
from cleaner.cli.options import IdField, TextField


@app.command()
def stats(
    ledger: Annotated[Path, typer.Argument(metavar="LEDGER", help="A ledger written by `clean --ledger`.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout, for machines.")] = False,
) -> None:
    """Per-stage, per-rule and per-site totals of a ledger: documents, removals, characters, share of input."""
    import json

    from cleaner.review.ledger import LedgerError, iter_ledger
    from cleaner.review.stats import compute, render_plain, render_tables

    totals = compute(iter_ledger(ledger))
    if not totals.documents:
        raise LedgerError(f"ledger {ledger} holds no documents: nothing to count (was every document rejected?)")
    if as_json:
        typer.echo(json.dumps(totals.to_json(), ensure_ascii=False, indent=1))
    elif sys.stdout.isatty():
        from rich.console import Console

        console = Console()
        for table in render_tables(totals, str(ledger)):
            console.print(table)
    else:
        typer.echo(render_plain(totals), nl=False)


@app.command()
def report(
    ledger: Annotated[Path, typer.Argument(metavar="LEDGER", help="A ledger written by `clean --ledger`.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML page to write.")],
    cleaned: Annotated[
        list[Path] | None,
        typer.Option("--cleaned", help="The cleaned output(s) of the same run (file or directory); gives context."),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="The run's rejects file (default: OUT.rejects.jsonl next to the output)."),
    ] = None,
    text_field: TextField = "text",
    id_field: IdField = "id",
) -> None:
    """One self-contained HTML page (works offline) reviewing a run: totals, charts, samples, filters."""
    from cleaner.review.report import write_report

    written = write_report(ledger, cleaned or [], output, rejects=rejects, text_field=text_field, id_field=id_field)
    typer.echo(f"newsclean: report written to {output} ({written:,} bytes)", err=True)
