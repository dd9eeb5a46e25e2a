"""`newsclean rules check|test`: parse options, call the library, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleaner.cli.app import NewscleanTyper, app

rules_app = NewscleanTyper(name="rules", help="Validate rule files and run their examples.", no_args_is_help=True)
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
