"""Reading every input format into one stream of `InputDoc`s and `Reject`s, in a deterministic order.

`read_inputs` takes files, directories (walked in sorted order, hidden entries and links to directories skipped)
and "-" for stdin, and dispatches on the file name through the format registry (`cleaner.io.formats`): `.txt`;
JSON Lines (`.jsonl`, `.ndjson`, plain, `.gz` or `.zst`); Parquet; HTML (`.html`, `.htm`, `.html.gz`) and WARC
(`.warc`, `.warc.gz`). Nothing is lost silently: a file or record that cannot be read becomes a `Reject` with the
reason.

This module only re-exports: the logic is in `base` (what readers take and yield), `formats` (the registry),
`sources` (walking the inputs) and `read` (reading them); modules of the package import from those, never from here.
"""

from __future__ import annotations

from cleaner.io.base import InputDoc, ReadItem, ReadOptions, printable_name
from cleaner.io.formats import INPUT_FORMATS, OUTPUT_FORMATS, kind_of, supported_endings
from cleaner.io.read import read_inputs, read_source
from cleaner.io.sources import STDIN, Source, check_inputs, iter_sources

__all__ = [
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "STDIN",
    "InputDoc",
    "ReadItem",
    "ReadOptions",
    "Source",
    "check_inputs",
    "iter_sources",
    "kind_of",
    "printable_name",
    "read_inputs",
    "read_source",
    "supported_endings",
]
