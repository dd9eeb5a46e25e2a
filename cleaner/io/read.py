"""Reading inputs: each source through its format's reader, stdin by --stdin-format."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cleaner.io.base import ReadItem, ReadOptions
from cleaner.io.formats import INPUT_FORMATS, supported_endings
from cleaner.io.sources import Source, check_inputs, iter_sources
from cleaner.record import Origin, Reject


def read_source(source: Source, options: ReadOptions) -> Iterator[ReadItem]:
    """The documents of one input file, in file order."""
    if source.error is not None:
        yield Reject(Origin(file=source.display), source.error)
        return
    if source.path is None:
        yield from _read_stdin(options)
        return
    fmt = INPUT_FORMATS.get(source.kind) if source.kind else None
    if fmt is None:
        yield Reject(Origin(file=source.display), f"unsupported file type; supported endings: {supported_endings()}")
        return
    yield from fmt.read(source, options)


def _read_stdin(options: ReadOptions) -> Iterator[ReadItem]:
    from cleaner.io.stdin import stdin_bytes

    stream = stdin_bytes()
    if options.stdin_format == "jsonl":
        from cleaner.io.records import read_jsonl_stream

        yield from read_jsonl_stream(stream, "<stdin>", options)
        return
    from cleaner.io.text import text_items

    yield from text_items(stream.read(), Origin(file="<stdin>"), doc_id="stdin")


def read_inputs(paths: Sequence[str], options: ReadOptions | None = None) -> Iterator[ReadItem]:
    """All documents of all inputs, in order: files as given, directories in sorted order.

    Raises `InputError` up front for a missing argument; problems inside files become `Reject`s.
    """
    options = options or ReadOptions()
    check_inputs(paths)
    for source in iter_sources(paths):
        yield from read_source(source, options)
