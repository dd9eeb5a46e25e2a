"""The typer app every command module registers on (kept apart from `cleaner.cli`, which imports those modules)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    name="newsclean",
    help="Clean scraped news text: remove repeated paragraph blocks and site boilerplate, with a ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from cleaner import __version__

        typer.echo(f"newsclean {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Clean scraped news text: remove repeated paragraph blocks and site boilerplate, with a ledger."""
