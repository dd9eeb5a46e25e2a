"""`newsclean clean`: parse options, run `cleaner.batch`, print the summary. No logic here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleaner.cli.app import app
from cleaner.cli.options import (
    JOBS_DEFAULT,
    Comments,
    HtmlField,
    IdField,
    Jobs,
    StdinFormat,
    TextField,
    UrlField,
    read_options,
    worker_count,
)
from cleaner.cli.rejects import list_rejects_file


@app.command()
def clean(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT", help="Files, directories, or - for stdin.")],
    output: Annotated[
        str | None,  # not a Path: `-o newdir/` names a directory by its slash, which Path drops
        typer.Option(
            "-o",
            "--output",
            help="Output: a file (several JSON Lines inputs go into one .jsonl/.jsonl.gz/.jsonl.zst file, in order), "
            "a directory (mirrors the inputs; a name ending in / or without a format ending), or a device such as "
            "/dev/null. Default: stdout.",
        ),
    ] = None,
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="Rule directory added after the bundled rules.")
    ] = None,
    ledger: Annotated[Path | None, typer.Option("--ledger", help="Write the removal ledger (JSON Lines) here.")] = None,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Rejects file (default: OUT's name + .rejects.jsonl, next to OUT).")
    ] = None,
    jobs: Jobs = JOBS_DEFAULT,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Near-duplicate paragraph similarity threshold.")
    ] = 0.8,
    rule_timeout: Annotated[
        float | None,
        typer.Option(
            "--rule-timeout",
            help="CPU seconds a rule pattern may take on one document before it is skipped there (default 0.25).",
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted run into the same outputs.")
    ] = False,
    restart: Annotated[
        bool,
        typer.Option("--restart", help="Discard the work of an interrupted run into the same outputs and start over."),
    ] = False,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    html_field: HtmlField = "html",
    stdin_format: StdinFormat = "auto",
    title_field: Annotated[
        str, typer.Option("--title-field", help="Record field holding the headline (used where the record has it).")
    ] = "title",
    title_in_text: Annotated[
        str,
        typer.Option(
            "--title-in-text",
            help="keep: the text keeps its first copy of the title field; drop: that copy goes too.",
        ),
    ] = "keep",
    comments: Comments = "drop",
    max_doc_chars: Annotated[
        int, typer.Option("--max-doc-chars", help="Reject documents longer than this (memory bound; 100,000,000).")
    ] = 100_000_000,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write the run's review page (HTML) here; without --ledger, its ledger goes beside it."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    engine: Annotated[
        str, typer.Option("--engine", help="Where cleaning runs: local, or dask (dask.distributed); same output.")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="An existing Dask scheduler; default: a LocalCluster of --jobs.")
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option("--storage", help="Dask: a directory or fsspec URL all workers reach (default: beside OUT)."),
    ] = None,
    parts: Annotated[
        bool,
        typer.Option(
            "--parts",
            help="Dask: workers write OUT/part-NNNNN files and a _manifest.json instead of stitched outputs.",
        ),
    ] = False,
) -> None:
    """Clean text, JSON Lines, Parquet, HTML or WARC inputs; write cleaned outputs, a ledger and rejects."""
    from cleaner.batch import BatchConfig, run_batch

    config = BatchConfig(
        inputs=inputs,
        output=output or None,
        ledger=str(ledger) if ledger else None,
        rejects=str(rejects) if rejects else None,
        rules=[str(r) for r in rules or []],
        jobs=worker_count(jobs),
        threshold=threshold,
        rule_timeout=rule_timeout,
        resume=resume,
        restart=restart,
        read=read_options(inputs, text_field, id_field, url_field, html_field, stdin_format),
        title_field=title_field,
        title_in_text=title_in_text,
        max_doc_chars=max_doc_chars,
        comments=comments,
        report=str(report) if report else None,
        engine=engine,
        scheduler=scheduler,
        storage=storage,
        parts=parts,
    )
    summary = run_batch(config)
    list_rejects_file(summary.rejects_file if summary.rejected else None)
    if not quiet:
        typer.echo(summary.render(), err=True)
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)
