"""`newsclean rules check|test`: parse options, call the library, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleaner.cli import app

rules_app = typer.Typer(name="rules", help="Validate rule files and run their examples.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

DirsArg = Annotated[
    list[Path] | None, typer.Argument(metavar="[DIR]...", help="Rule directories (default: the bundled rules).")
]


def _dirs(dirs: list[Path] | None) -> list[Path]:
    from cleaner.rules import bundled_rules_dir

    return list(dirs) if dirs else [bundled_rules_dir()]


@rules_app.command("check")
def check(dirs: DirsArg = None) -> None:
    """Validate rule files: TOML syntax, keys, kinds, regexes, ids. Exit 2 on any error."""
    from cleaner.rules import RuleError
    from cleaner.rules.report import check_dirs

    report = check_dirs(_dirs(dirs))
    if report.errors:
        raise RuleError("\n".join(report.errors))
    typer.echo(f"rules check: {report.summary()}: OK")


@rules_app.command("test")
def test(
    dirs: DirsArg = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per pattern per example.")] = 0.25,
) -> None:
    """Run every rule's removes/keeps examples and say which failed and why. Exit 2 on any failure."""
    from cleaner.rules import RuleError
    from cleaner.rules.report import test_dirs

    report = test_dirs(_dirs(dirs), timeout=timeout)
    problems = report.errors + [str(failure) for failure in report.failures]
    if problems:
        raise RuleError("\n".join([*problems, f"rules test: {report.summary()}"]))
    typer.echo(f"rules test: {report.summary()}: OK")
