"""`newsclean learn` and `newsclean dedup`: corpus-level jobs. Options are parsed here; the work is in
`cleaner.corpus`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cleaner.cli.app import app
from cleaner.cli.options import (
    JOBS_DEFAULT,
    HtmlField,
    IdField,
    Jobs,
    StdinFormat,
    TextField,
    UrlField,
    read_options,
    worker_count,
)
from cleaner.cli.rejects import rejected_part, write_rejects
from cleaner.errors import print_note

if TYPE_CHECKING:
    from cleaner.io.base import ReadItem

_ENGINE_HELP = "Where the work runs: local (worker processes, no server) or dask (dask.distributed)."
_SCHEDULER_HELP = "Address of an existing Dask scheduler (e.g. tcp://10.0.0.5:8786); default: a LocalCluster."

Inputs = Annotated[
    list[str],
    typer.Argument(
        metavar="INPUT", help="Files or directories (JSON Lines, .txt, Parquet, HTML, WARC); - for stdin."
    ),
]
Engine = Annotated[str, typer.Option("--engine", help=_ENGINE_HELP)]
Scheduler = Annotated[str | None, typer.Option("--scheduler", help=_SCHEDULER_HELP)]
Rejects = Annotated[
    Path | None,
    typer.Option("--rejects", help="Rejects file (default: OUT's name + .rejects.jsonl, next to OUT)."),
]


def _reader(
    inputs: list[str], text_field: str, id_field: str, url_field: str, html_field: str, stdin_format: str
) -> Callable[[], Iterator[ReadItem]]:
    """A function that re-reads the inputs (dedup reads twice); stdin is buffered once so it can be re-read."""
    from cleaner.io import read_inputs

    options = read_options(inputs, text_field, id_field, url_field, html_field, stdin_format)
    if "-" in inputs:
        items = list(read_inputs(inputs, options))
        return lambda: iter(items)
    return lambda: read_inputs(inputs, options)


class _Counted:
    """The read items, counted as they pass: what a summary says was read."""

    def __init__(self, items: Iterator[ReadItem]) -> None:
        self.items = 0
        self._items = items

    def __iter__(self) -> Iterator[ReadItem]:
        for item in self._items:
            self.items += 1
            yield item


@app.command()
def dedup(
    inputs: Inputs,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the corpus with one document per cluster (.jsonl, or a device: /dev/null)."
        ),
    ] = None,
    clusters: Annotated[
        Path | None,
        typer.Option(
            "--clusters", help="Write {id, input, cluster, kept, similarity} per clustered document (.jsonl)."
        ),
    ] = None,
    rejects: Rejects = None,
    threshold: Annotated[float, typer.Option(help="Exact Jaccard of word shingles for near-duplicates.")] = 0.8,
    keep: Annotated[
        str, typer.Option(help="Which document of a cluster -o keeps: first (input order) or longest.")
    ] = "first",
    engine: Engine = "local",
    scheduler: Scheduler = None,
    jobs: Jobs = JOBS_DEFAULT,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    html_field: HtmlField = "html",
    stdin_format: StdinFormat = "auto",
) -> None:
    """Find near-duplicate articles across the corpus (wire stories republished by many outlets)."""
    import sys

    from cleaner.corpus.dedup import DedupOptions, find_duplicates, kept_records
    from cleaner.corpus.engines import make_engine
    from cleaner.corpus.output import check_jsonl_path, is_device, write_jsonl
    from cleaner.io.writers import check_output_file, refuse_clashes

    options = DedupOptions(threshold=threshold, keep=keep)
    outputs: list[tuple[str, Path]] = []
    for path, option in ((output, "-o"), (clusters, "--clusters")):
        if path is not None and not is_device(path):
            check_jsonl_path(path, option)
            check_output_file(path, option)
            outputs.append((f"{option} file", path))
    rejects = _rejects_file(rejects, output, clusters)
    if rejects is not None:
        check_output_file(rejects, "--rejects")
        outputs.append(("rejects file", rejects))
    refuse_clashes(outputs, inputs)
    read = _reader(inputs, text_field, id_field, url_field, html_field, stdin_format)
    with make_engine(engine, scheduler=scheduler, jobs=worker_count(jobs), note=print_note) as runner:
        counted = _Counted(read())
        result = find_duplicates(counted, options, runner)
    if clusters is not None:
        write_jsonl(clusters, result.cluster_records())
    if output is not None:
        write_jsonl(output, kept_records(read(), result, text_field))
    if output is None and clusters is None:
        import orjson

        for record in result.cluster_records():
            sys.stdout.write(orjson.dumps(record).decode() + "\n")
    write_rejects(result.rejects, rejects)
    # Every document read is kept, dropped as a near-duplicate, or rejected (when read, or not sketched).
    read_count = counted.items
    dropped = len(result.dropped())
    kept = read_count - dropped - len(result.rejects)
    clustered = sum(len(c.members) for c in result.clusters)
    kept_part = f"{kept:,} written to {output}" if output is not None else f"{kept:,} kept"
    typer.echo(
        f"newsclean: {read_count:,} documents read: {kept_part}, {dropped:,} dropped as near-duplicates, "
        f"{rejected_part(len(result.rejects), rejects)}; {len(result.clusters):,} clusters of near-duplicates "
        f"({clustered:,} documents)",
        err=True,
    )
    if result.rejects:
        raise typer.Exit(1)


def _rejects_file(given: Path | None, *outputs: Path | None) -> Path | None:
    """`--rejects`, or OUT.rejects.jsonl next to the first output that is a file (never beside a device)."""
    from cleaner.corpus.output import is_device
    from cleaner.io.writers import rejects_path

    if given is not None:
        return given
    first = next((path for path in outputs if path is not None and not is_device(path)), None)
    return rejects_path(first) if first is not None else None


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
    rejects: Rejects = None,
    engine: Engine = "local",
    scheduler: Scheduler = None,
    jobs: Jobs = JOBS_DEFAULT,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    html_field: HtmlField = "html",
    stdin_format: StdinFormat = "auto",
) -> None:
    """Learn each site's boilerplate from a corpus into rule files for a person to review and commit."""
    from cleaner.corpus.engines import make_engine
    from cleaner.corpus.learn import LearnOptions, write_rule_files
    from cleaner.corpus.learn import learn as learn_rules
    from cleaner.io.writers import check_output_file, check_writable_place, refuse_clashes
    from cleaner.rules import bundled_rules_dir

    options = LearnOptions(min_docs=min_docs, min_share=min_share)
    if output.exists() and not output.is_dir():
        from cleaner.errors import ConfigError

        raise ConfigError(f"-o {str(output)!r} is a file; learn writes one rule file per site into a directory")
    check_writable_place(output, "-o")
    rejects = _rejects_file(rejects, output)
    assert rejects is not None
    check_output_file(rejects, "--rejects")
    refuse_clashes([("rule directory", output), ("rejects file", rejects)], inputs)
    # Absolute, so that workers of a Dask cluster started elsewhere find them.
    rule_dirs = [str(bundled_rules_dir()), *(str(d.resolve()) for d in rules or [])]
    read = _reader(inputs, text_field, id_field, url_field, html_field, stdin_format)
    with make_engine(engine, scheduler=scheduler, jobs=worker_count(jobs), note=print_note) as runner:
        counted = _Counted(read())
        result = learn_rules(counted, options, rule_dirs, runner)
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
    write_rejects(result.rejects, rejects)
    # Every document read is learned from or rejected (when read, or by a worker).
    used = counted.items - len(result.rejects)
    without = f" ({result.without_site:,} without a site: no URL, no detect match)" if result.without_site else ""
    typer.echo(
        f"newsclean: {counted.items:,} documents read: {used:,} learned from{without}, "
        f"{rejected_part(len(result.rejects), rejects)}; {len(paths)} rule files written to {output}",
        err=True,
    )
    if result.rejects:
        raise typer.Exit(1)
