"""`newsclean diff`: clean inputs (or read a ledger and its cleaned outputs) and show each document's removals."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cleaner.cli.app import app
from cleaner.cli.options import Comments, HtmlField, IdField, StdinFormat, TextField, UrlField, read_options

if TYPE_CHECKING:
    from cleaner.io import ReadOptions
    from cleaner.io.base import InputDoc
    from cleaner.pipeline import Cleaner
    from cleaner.record import Document, Reject
    from cleaner.review.sample import DocFilter

COLOR_CHOICES = ("auto", "always", "never")


def want_color(choice: str, is_tty: bool) -> bool:
    """`--color auto|always|never`: auto colours only on a terminal."""
    from cleaner.errors import ConfigError

    if choice not in COLOR_CHOICES:
        raise ConfigError(f"--color must be one of {', '.join(COLOR_CHOICES)}, got {choice!r}")
    return choice == "always" or (choice == "auto" and is_tty)


def diff_inputs(cleaner: Cleaner, name: str, options: ReadOptions, url: str | None) -> Iterator[Document | Reject]:
    """Every document of an input cleaned, read exactly as `newsclean clean` reads it; --url wins over the
    document's own."""
    from cleaner.io import read_inputs
    from cleaner.io.base import InputDoc

    def with_url(items: Iterable[InputDoc | Reject]) -> Iterator[InputDoc | Reject]:
        for item in items:
            if url and isinstance(item, InputDoc):
                item.url = url
            yield item

    yield from cleaner.clean_many(with_url(read_inputs([name], options)))


def ledger_documents(ledger: Path, cleaned: list[Path], text_field: str, id_field: str) -> Iterator[Document]:
    """The documents a ledger describes, rebuilt from their cleaned outputs."""
    from cleaner.review.ledger import iter_documents

    for entry, text in iter_documents(ledger, cleaned, text_field, id_field):
        yield entry.document(text)


def _accepted(doc: Document, wanted: DocFilter) -> bool:
    from urllib.parse import urlsplit

    from cleaner.review.ledger import site_of

    try:
        host = urlsplit(doc.url).hostname if doc.url else None
    except ValueError:
        host = None
    return wanted.accepts(doc.id, site_of(doc.site, doc.url), host, doc.removals)


@app.command()
def diff(
    input: Annotated[
        str | None,
        typer.Argument(
            metavar="[INPUT]", help="A file (.txt, .jsonl, .parquet, .html, .warc), a directory or -; or --ledger."
        ),
    ] = None,
    ledger: Annotated[
        Path | None, typer.Option("--ledger", help="Read this ledger (with --cleaned) instead of cleaning INPUT.")
    ] = None,
    cleaned: Annotated[
        list[Path] | None, typer.Option("--cleaned", help="The cleaned output(s) the ledger describes.")
    ] = None,
    changed_only: Annotated[bool, typer.Option("--changed-only", help="Only documents with removals.")] = False,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="Only documents where this rule removed text (wildcards: '*').")
    ] = None,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", help="Only documents with a removal by this stage (rule, neardup).")
    ] = None,
    site: Annotated[list[str] | None, typer.Option("--site", help="Only documents of this site or URL host.")] = None,
    doc_id: Annotated[list[str] | None, typer.Option("--id", help="Only the document with this id.")] = None,
    sample_size: Annotated[
        int | None, typer.Option("--sample", help="A deterministic sample of N of the matching documents.", min=0)
    ] = None,
    context: Annotated[
        str | None,
        typer.Option(
            "--context",
            help="Only what surrounds each removal: N lines (3) or N characters (200c); documents without a "
            "matching removal are left out.",
        ),
    ] = None,
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="Rule directory added after the bundled rules.")
    ] = None,
    color: Annotated[str, typer.Option("--color", help="auto (on a terminal), always or never.")] = "auto",
    url: Annotated[
        str | None, typer.Option("--url", help="The document's URL, to pick its site rules (over its own URL).")
    ] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Near-duplicate similarity threshold.")] = 0.8,
    comments: Comments = "drop",
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    html_field: HtmlField = "html",
    stdin_format: StdinFormat = "auto",
) -> None:
    """Show the normalized input with every removal marked and annotated (stage, rule, duplicate, score)."""
    from cleaner.errors import ConfigError
    from cleaner.io import kind_of
    from cleaner.record import Reject
    from cleaner.review.diff import Context, render_diff
    from cleaner.review.sample import DocFilter, Sample, sample_hash

    use_color = want_color(color, sys.stdout.isatty())
    view: Context | None = None
    if context is not None:
        try:
            view = Context.parse(context)
        except ValueError as error:
            raise ConfigError(str(error)) from None
    wanted = DocFilter(rule or (), stage or (), site or (), doc_id or (), changed_only)
    focus = wanted.focus if wanted.narrows_removals else None
    documents: Iterator[Document | Reject]
    if ledger is not None:
        if input is not None:
            raise ConfigError("give either INPUT (to clean it) or --ledger with --cleaned, not both")
        if not cleaned:
            raise ConfigError("--ledger needs --cleaned: the cleaned output(s) of the same run")
        documents = iter(ledger_documents(ledger, cleaned, text_field, id_field))
        single_text = False
    else:
        if input is None:
            raise ConfigError("give an INPUT to clean, or --ledger LEDGER --cleaned OUTPUT")
        if cleaned:
            raise ConfigError("--cleaned goes with --ledger")
        from cleaner.pipeline import Cleaner
        from cleaner.rules.load import resolve_rule_dirs

        cleaner = Cleaner(rules=resolve_rule_dirs(rules or [], what="--rules"), threshold=threshold, comments=comments)
        options = read_options([input], text_field, id_field, url_field, html_field, stdin_format)
        documents = diff_inputs(cleaner, input, options, url)
        single_text = (input == "-" and options.stdin_format == "text") or kind_of(input) == "txt"

    def shows(doc: Document) -> bool:
        return _accepted(doc, wanted) and (view is None or any(map(wanted.focus, doc.removals)))

    def shown(items: Iterator[Document | Reject]) -> Iterator[Document | Reject]:
        return (item for item in items if isinstance(item, Reject) or shows(item))

    selected: Iterable[Document | Reject] = shown(documents)
    if sample_size is not None:
        kept: Sample[Document] = Sample(sample_size)
        rejects: list[Reject] = []
        for item in selected:
            if isinstance(item, Reject):
                rejects.append(item)
            else:
                kept.add(sample_hash(item.id), item)
        selected = [*rejects, *kept.items()]
    rejected = False
    for item in selected:
        if isinstance(item, Reject):
            typer.echo(f"newsclean: rejected {item.origin}: {item.reason}", err=True)
            rejected = True
            continue
        header = "" if single_text else f"== {item.id} ({item.origin or 'no input named'}) ==\n"
        typer.echo(header + render_diff(item, color=use_color, context=view, focus=focus), nl=False, color=use_color)
    if rejected:
        raise typer.Exit(1)
