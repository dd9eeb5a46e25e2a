"""The one registry of file formats: what every command knows about a format is here and nowhere else.

An input format has its file name endings, its reader and the output format its documents are written in (HTML
becomes cleaned text, WARC becomes JSON Lines). An output format has the names an output file of it takes, how a
cleaned document is encoded for it and its writer (an append-only part file, or Parquet row groups). Mirrored
output names, the `-o` name checks of every command and the readers' dispatch all read these two tables.

Adding a format is one `InputFormat` (and, for a new kind of output, one `OutputFormat`) and one `register` call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from cleaner.io.base import InputDoc, ReadItem, ReadOptions, Source, printable_name
from cleaner.io.records import output_record
from cleaner.io.writers import AppendPart, ParquetPart, PartWriter, parquet_schema
from cleaner.record import Origin, Reject

if TYPE_CHECKING:
    from cleaner.record import Document

Reader = Callable[[Source, ReadOptions], Iterator[ReadItem]]
# (the input document, its cleaned Document, the text field) -> what the output format's writer takes
Encoder = Callable[[InputDoc, "Document", str], Any]
# (final output path, the source it is written for, read options, committed position to resume from) -> writer
WriterFactory = Callable[[Path, Source, ReadOptions, int], PartWriter]


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """A format outputs are written in."""

    name: str
    endings: tuple[str, ...]  # lower case; the first is what a mirrored name gets when its input's format differs
    encode: Encoder
    writer: WriterFactory
    named_by_ending: bool = True  # an `-o` file must end with one of `endings` (text may have any other name)
    one_file_per_document: bool = False  # in a mirrored tree each document is its own file (text)
    label: str = ""  # how messages name it, when not by `name`
    streams: bool = True  # can be written to a stream (stdout); Parquet cannot


@dataclass(frozen=True, slots=True)
class InputFormat:
    """A format inputs are read from."""

    name: str
    endings: tuple[str, ...]  # lower case
    read: Reader
    output: str  # the OutputFormat its documents are written in


INPUT_FORMATS: dict[str, InputFormat] = {}
OUTPUT_FORMATS: dict[str, OutputFormat] = {}


def register(fmt: InputFormat | OutputFormat) -> None:
    """Add a format. An input format's endings must be new, and its output format must be registered already."""
    if isinstance(fmt, OutputFormat):
        OUTPUT_FORMATS[fmt.name] = fmt
        return
    if fmt.output not in OUTPUT_FORMATS:
        raise ValueError(f"input format {fmt.name!r}: unknown output format {fmt.output!r}")
    for other in INPUT_FORMATS.values():
        taken = set(other.endings) & set(fmt.endings)
        if taken and other.name != fmt.name:
            raise ValueError(f"input format {fmt.name!r}: {', '.join(sorted(taken))} already read as {other.name}")
    INPUT_FORMATS[fmt.name] = fmt


def unregister(fmt: InputFormat | OutputFormat) -> None:
    """Remove a registered format (tests that register a toy one)."""
    table: dict[str, Any] = OUTPUT_FORMATS if isinstance(fmt, OutputFormat) else INPUT_FORMATS
    if table.get(fmt.name) is fmt:
        del table[fmt.name]


def kind_of(path: Path | str) -> str | None:
    """The input format of a file name, or None."""
    name = str(path).lower()
    for fmt in INPUT_FORMATS.values():
        if name.endswith(fmt.endings):
            return fmt.name
    return None


def supported_endings() -> str:
    return ", ".join(ending for fmt in INPUT_FORMATS.values() for ending in fmt.endings)


def stdin_output(options: ReadOptions) -> OutputFormat:
    """The output format of what stdin holds (`--stdin-format`): JSON Lines, or a text document."""
    return OUTPUT_FORMATS["jsonl" if options.stdin_format == "jsonl" else "txt"]


def output_format_of(kind: str | None) -> OutputFormat | None:
    """The output format documents of an input format (a kind) are written in."""
    fmt = INPUT_FORMATS.get(kind) if kind else None
    return OUTPUT_FORMATS[fmt.output] if fmt is not None else None


def mirrored_name(name: str, kind: str | None) -> str:
    """Output file name for an input file name: unchanged when the output format is the input's own, else the
    input's ending replaced by the output format's (page.html -> page.txt, crawl.warc.gz -> crawl.jsonl)."""
    fmt = INPUT_FORMATS.get(kind) if kind else None
    if fmt is None or fmt.output == fmt.name:
        return name
    lower = name.lower()
    for ending in sorted(fmt.endings, key=len, reverse=True):
        if lower.endswith(ending):
            return name[: -len(ending)] + OUTPUT_FORMATS[fmt.output].endings[0]
    return name


def output_format_named(output: Path) -> OutputFormat | None:
    """The output format whose ending `output`'s name has (`.jsonl.zst`, `.parquet`, `.txt`), or None: a name that
    says it is a file of that format, not a directory."""
    name = output.name.lower()
    for fmt in OUTPUT_FORMATS.values():
        if name.endswith(fmt.endings) and not any(name == ending for ending in fmt.endings):
            return fmt
    return None


def check_output_name(output: Path, out_format: str, option: str = "-o") -> str | None:
    """Why `output` cannot be the name of a file written as `out_format`, or None when it can: a format named by
    its ending needs one of its endings, and no file takes an ending of another such format."""
    fmt = OUTPUT_FORMATS[out_format]
    name = output.name.lower()
    if fmt.named_by_ending:
        if not name.endswith(fmt.endings):
            endings = ", ".join(fmt.endings)
            return f"{option} {output}: this input is written as {fmt.name}; name the output with {endings}"
        return None
    others = tuple(e for other in OUTPUT_FORMATS.values() if other.named_by_ending for e in other.endings)
    if name.endswith(others):
        return f"{option} {output}: this input is written as {fmt.label or fmt.name}; name the output {fmt.endings[0]}"
    return None


# ---------------------------------------------------------------------------------------------------------------
# The built-in formats.


def _encode_text(item: InputDoc, out: Document, text_field: str) -> bytes:
    assert out.text is not None
    return out.text.encode("utf-8")


def _encode_json_line(item: InputDoc, out: Document, text_field: str) -> bytes:
    # `+ b"\n"`, not orjson's OPT_APPEND_NEWLINE: its bytes keep their spare capacity, and the results a batch holds
    # until they are written took a tenth more peak memory (bench_batch: 92 vs 74 MiB at 10k documents).
    return orjson.dumps(output_record(item, out.id, out.text, text_field)) + b"\n"


def _encode_row(item: InputDoc, out: Document, text_field: str) -> dict[str, Any]:
    return output_record(item, out.id, out.text, text_field)


def _append_writer(final: Path, source: Source, options: ReadOptions, committed: int) -> PartWriter:
    return AppendPart(final, committed)


def _parquet_writer(final: Path, source: Source, options: ReadOptions, committed: int) -> PartWriter:
    return ParquetPart(final, parquet_schema(source.path, options.text_field), committed)


def _read_text(source: Source, options: ReadOptions) -> Iterator[ReadItem]:
    from cleaner.io.text import read_text

    assert source.path is not None
    yield from read_text(source.path, source.display, doc_id=printable_name(str(source.rel)) if source.rel else None)


def _read_jsonl(source: Source, options: ReadOptions) -> Iterator[ReadItem]:
    from cleaner.io.records import read_jsonl

    assert source.path is not None
    yield from read_jsonl(source.path, source.display, options)


def _read_parquet(source: Source, options: ReadOptions) -> Iterator[ReadItem]:
    from cleaner.io.records import read_parquet

    assert source.path is not None
    yield from read_parquet(source.path, source.display, options)


def _read_html(source: Source, options: ReadOptions) -> Iterator[ReadItem]:
    """HTML needs trafilatura, imported only when used (its absence rejects the file, with the reason)."""
    assert source.path is not None
    try:
        from cleaner.io.html import page_id, read_html
    except ImportError as error:
        yield Reject(Origin(file=source.display), f"cannot read html input: {error}")
        return
    doc_id = printable_name(str(source.rel.with_name(page_id(source.rel)))) if source.rel else None
    yield from read_html(source.path, options, doc_id=doc_id, display=source.display)


def _read_warc(source: Source, options: ReadOptions) -> Iterator[ReadItem]:
    """WARC needs warcio, imported only when used."""
    assert source.path is not None
    try:
        from cleaner.io.warc import read_warc
    except ImportError as error:
        yield Reject(Origin(file=source.display), f"cannot read warc input: {error}")
        return
    yield from read_warc(source.path, options, display=source.display)


_JSONL_ENDINGS = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")
_PARQUET_ENDINGS = (".parquet", ".pq")

for _output in (
    OutputFormat(
        "txt",
        (".txt",),
        _encode_text,
        _append_writer,
        named_by_ending=False,
        one_file_per_document=True,
        label="cleaned text",
    ),
    OutputFormat("jsonl", _JSONL_ENDINGS, _encode_json_line, _append_writer),
    OutputFormat("parquet", _PARQUET_ENDINGS, _encode_row, _parquet_writer, label="Parquet", streams=False),
):
    register(_output)
for _input in (
    InputFormat("txt", (".txt",), _read_text, "txt"),
    InputFormat("jsonl", _JSONL_ENDINGS, _read_jsonl, "jsonl"),
    InputFormat("parquet", _PARQUET_ENDINGS, _read_parquet, "parquet"),
    InputFormat("html", (".html", ".htm", ".html.gz", ".htm.gz"), _read_html, "txt"),
    InputFormat("warc", (".warc", ".warc.gz"), _read_warc, "jsonl"),
):
    register(_input)
