"""`newsclean learn` and `newsclean dedup`: corpus-level jobs. Options are parsed here; the work is in
`cleaner.corpus`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cleaner.cli.app import app
from cleaner.cli.options import HtmlField, IdField, StdinFormat, TextField, UrlField, read_options
from cleaner.errors import print_note

if TYPE_CHECKING:
    from cleaner.io.base import ReadItem
    from cleaner.record import Reject

_ENGINE_HELP = "Where the work runs: local (worker processes, no server) or dask (dask.distributed)."
_SCHEDULER_HELP = "Address of an existing Dask scheduler (e.g. tcp://10.0.0.5:8786); default: a LocalCluster."
_JOBS_HELP = "Local worker processes, or LocalCluster workers with --engine dask (default: CPU count; 1 = in process)."

Inputs = Annotated[
    list[str], typer.Argument(help="Files or directories (JSON Lines, .txt, Parquet, HTML, WARC); - for stdin.")
]
Engine = Annotated[str, typer.Option("--engine", help=_ENGINE_HELP)]
Scheduler = Annotated[str | None, typer.Option("--scheduler", help=_SCHEDULER_HELP)]
Jobs = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=_JOBS_HELP)]


def _reader(
    inputs: list[str], text_field: str, id_field: str, url_field: str, html_field: str, stdin_format: str
) -> Callable[[], Iterator[ReadItem]]:
    """A function that re-reads the inputs (dedup reads twice); stdin is buffered once so it can be re-read."""
    from cleaner.io import read_inputs

    options = read_options(text_field, id_field, url_field, html_field, stdin_format)
    if "-" in inputs:
        items = list(read_inputs(inputs, options))
        return lambda: iter(items)
    return lambda: read_inputs(inputs, options)


def _report_rejects(rejects: list[Reject], next_to: Path | None) -> None:
    """List the rejects on stderr and in a file next to the output; a rejects file from an earlier run over the
    same output goes when nothing was rejected this time."""
    from cleaner.corpus.output import write_jsonl
    from cleaner.io.writers import rejects_path

    if not rejects:
        if next_to is not None:
            rejects_path(next_to).unlink(missing_ok=True)
        return

    for reject in rejects[:20]:
        typer.echo(f"newsclean: rejected {reject.origin}: {reject.reason}", err=True)
    if len(rejects) > 20:
        typer.echo(f"newsclean: ... and {len(rejects) - 20} more rejected documents", err=True)
    if next_to is not None:
        path = rejects_path(next_to)
        write_jsonl(path, (r.to_json() for r in rejects))
        typer.echo(f"newsclean: rejects listed in {path}", err=True)


@app.command()
def dedup(
    inputs: Inputs,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the corpus with one document per cluster (.jsonl).")
    ] = None,
    clusters: Annotated[
        Path | None,
        typer.Option(
            "--clusters", help="Write {id, input, cluster, kept, similarity} per clustered document (.jsonl)."
        ),
    ] = None,
    threshold: Annotated[float, typer.Option(help="Exact Jaccard of word shingles for near-duplicates.")] = 0.8,
    keep: Annotated[
        str, typer.Option(help="Which document of a cluster -o keeps: first (input order) or longest.")
    ] = "first",
    engine: Engine = "local",
    scheduler: Scheduler = None,
    jobs: Jobs = None,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    html_field: HtmlField = "html",
    stdin_format: StdinFormat = "text",
) -> None:
    """Find near-duplicate articles across the corpus (wire stories republished by many outlets)."""
    import sys

    from cleaner.corpus.dedup import DedupOptions, find_duplicates, kept_records
    from cleaner.corpus.engines import make_engine
    from cleaner.corpus.output import check_jsonl_path, write_jsonl
    from cleaner.io.writers import check_output_file, refuse_clashes, rejects_path

    options = DedupOptions(threshold=threshold, keep=keep)
    outputs: list[tuple[str, Path]] = []
    for path, option in ((output, "-o"), (clusters, "--clusters")):
        if path is not None:
            check_jsonl_path(path, option)
            check_output_file(path, option)
            outputs.append((f"{option} file", path))
    if output or clusters:
        outputs.append(("rejects file", rejects_path(output or clusters)))  # type: ignore[arg-type]
    refuse_clashes(outputs, inputs)
    read = _reader(inputs, text_field, id_field, url_field, html_field, stdin_format)
    with make_engine(engine, scheduler=scheduler, jobs=jobs, note=print_note) as runner:
        result = find_duplicates(read(), options, runner)
    if clusters is not None:
        write_jsonl(clusters, result.cluster_records())
    if output is not None:
        written = write_jsonl(output, kept_records(read(), result, text_field))
    if output is None and clusters is None:
        import orjson

        for record in result.cluster_records():
            sys.stdout.write(orjson.dumps(record).decode() + "\n")
    clustered = sum(len(c.members) for c in result.clusters)
    summary = (
        f"newsclean: {len(result.ids)} documents, {len(result.clusters)} clusters of near-duplicates "
        f"({clustered} documents), {len(result.dropped())} dropped"
    )
    if output is not None:
        summary += f", {written} written to {output}"
    typer.echo(summary, err=True)
    _report_rejects(result.rejects, output or clusters)
    if result.rejects:
        raise typer.Exit(1)


@app.command()
def learn(
    inputs: Inputs,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write one rule file per site into.")],
    min_docs: Annotated[
        int, typer.Option(help="A unit is boilerplate when it recurs in at least this many documents.")
    ] = 5,
    min_share: Annotated[float, typer.Option(help="... and in at least this share of the site's documents.")] = 0.05,
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules",
            help="Rule directory added after the bundled rules, for site matching (domains, detect) and to skip "
            "text they already remove. Pass hand-written rules, not earlier learn output.",
        ),
    ] = None,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    jobs: Jobs = None,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    html_field: HtmlField = "html",
    stdin_format: StdinFormat = "text",
) -> None:
    """Learn each site's boilerplate from a corpus into rule files for a person to review and commit."""
    from cleaner.corpus.engines import make_engine
    from cleaner.corpus.learn import LearnOptions, write_rule_files
    from cleaner.corpus.learn import learn as learn_rules
    from cleaner.io.writers import check_writable_place, refuse_clashes, rejects_path
    from cleaner.rules import bundled_rules_dir

    options = LearnOptions(min_docs=min_docs, min_share=min_share)
    if output.exists() and not output.is_dir():
        from cleaner.errors import ConfigError

        raise ConfigError(f"-o {str(output)!r} is a file; learn writes one rule file per site into a directory")
    check_writable_place(output, "-o")
    refuse_clashes([("rule directory", output), ("rejects file", rejects_path(output))], inputs)
    # Absolute, so that workers of a Dask cluster started elsewhere find them.
    rule_dirs = [str(bundled_rules_dir()), *(str(d.resolve()) for d in rules or [])]
    read = _reader(inputs, text_field, id_field, url_field, html_field, stdin_format)
    with make_engine(engine, scheduler=scheduler, jobs=jobs, note=print_note) as runner:
        result = learn_rules(read(), options, rule_dirs, runner)
    paths = write_rule_files(output, result)
    for site_rules, path in zip(result.sites, paths, strict=True):
        typer.echo(f"{path}: {len(site_rules.rules)} rules from {site_rules.docs} documents", err=True)
        for why in site_rules.dropped:
            typer.echo(f"  not written: {why}", err=True)
    for note in result.notes:
        typer.echo(f"  {note}", err=True)
    if result.repeats:
        typer.echo(
            f"  {result.repeats} documents repeated an earlier one of their site (same URL or text): counted once",
            err=True,
        )
    typer.echo(
        f"newsclean: {result.documents} documents, {len(paths)} rule files written to {output}"
        + (
            f", {result.without_site} documents without a site (no URL, no detect match)" if result.without_site else ""
        ),
        err=True,
    )
    _report_rejects(result.rejects, output)
    if result.rejects:
        raise typer.Exit(1)
