"""`newsclean rules check|test` and `newsclean diff`: parse options, call the library, print."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cleaner.cli import app
from cleaner.cli.options import HtmlField, IdField, StdinFormat, TextField, UrlField, read_options

rules_app = typer.Typer(name="rules", help="Validate rule files and run their examples.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

DirsArg = Annotated[
    list[Path] | None, typer.Argument(metavar="[DIR]...", help="Rule directories (default: the bundled rules).")
]


def _dirs(dirs: list[Path] | None) -> list[Path]:
    from cleaner.rules import bundled_rules_dir

    return list(dirs) if dirs else [bundled_rules_dir()]


TimeoutOption = Annotated[
    float, typer.Option("--timeout", help="CPU seconds per pattern per example, as --rule-timeout for clean.")
]


@rules_app.command("check")
def check(dirs: DirsArg = None, timeout: TimeoutOption = 0.25) -> None:
    """Validate rule files exactly as `clean` does: TOML syntax, keys, kinds, regexes, ids, domains, and every
    removes/keeps example. Exit 2 on any error."""
    from cleaner.rules import RuleError
    from cleaner.rules.report import check_dirs

    report = check_dirs(_dirs(dirs), timeout=timeout)
    if report.problems:
        raise RuleError("\n".join([*report.problems, f"rules check: {report.summary()}"]))
    typer.echo(f"rules check: {report.summary()}: OK")


@rules_app.command("test")
def test(dirs: DirsArg = None, timeout: TimeoutOption = 0.25) -> None:
    """Run every rule's removes/keeps examples and say which failed and why. Exit 2 on any failure."""
    from cleaner.rules import RuleError
    from cleaner.rules.report import test_dirs

    report = test_dirs(_dirs(dirs), timeout=timeout)
    if report.problems:
        raise RuleError("\n".join([*report.problems, f"rules test: {report.summary()}"]))
    typer.echo(f"rules test: {report.summary()}: OK")


@app.command()
def diff(
    input: Annotated[
        str, typer.Argument(metavar="INPUT", help="A file (.txt, .jsonl, .parquet, .html, .warc), a directory or -.")
    ],
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="Rule directory added after the bundled rules.")
    ] = None,
    color: Annotated[str, typer.Option("--color", help="auto (on a terminal), always or never.")] = "auto",
    url: Annotated[
        str | None, typer.Option("--url", help="The document's URL, to pick its site rules (over its own URL).")
    ] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Near-duplicate similarity threshold.")] = 0.8,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    html_field: HtmlField = "html",
    stdin_format: StdinFormat = "text",
) -> None:
    """Show the normalized input with every removal marked and annotated (stage, rule, duplicate, score)."""
    from cleaner.diffview import diff_inputs, want_color
    from cleaner.pipeline import Cleaner
    from cleaner.rules import resolve_rule_dirs

    use_color = want_color(color, sys.stdout.isatty())
    cleaner = Cleaner(rules=resolve_rule_dirs(rules or [], what="--rules"), threshold=threshold)
    rejected = False
    options = read_options(text_field, id_field, url_field, html_field, stdin_format)
    for text, reject in diff_inputs(cleaner, input, options, url, use_color):
        if reject is not None:
            typer.echo(f"newsclean: rejected {reject.origin}: {reject.reason}", err=True)
            rejected = True
        else:
            typer.echo(text, nl=False, color=use_color)
    if rejected:
        raise typer.Exit(1)
