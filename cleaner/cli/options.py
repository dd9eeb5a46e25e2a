"""Options that several commands share: which record fields hold what, and what stdin holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cleaner.io import ReadOptions

TextField = Annotated[str, typer.Option("--text-field", help="JSON/Parquet field holding the text.")]
IdField = Annotated[str, typer.Option("--id-field", help="Field holding the document id.")]
UrlField = Annotated[str, typer.Option("--url-field", help="Field holding the document URL.")]
HtmlField = Annotated[str, typer.Option("--html-field", help="Field holding raw HTML (extracted when no text).")]
StdinFormat = Annotated[str, typer.Option("--stdin-format", help="What stdin holds: text or jsonl.")]


def read_options(text_field: str, id_field: str, url_field: str, html_field: str, stdin_format: str) -> ReadOptions:
    from cleaner.io import ReadOptions

    return ReadOptions(
        text_field=text_field,
        id_field=id_field,
        url_field=url_field,
        html_field=html_field,
        stdin_format=stdin_format,
    )
