"""Reading every input format into one stream of `InputDoc`s and `Reject`s, in a deterministic order.

`read_inputs` takes files, directories (walked in sorted order, hidden entries and links to directories skipped)
and "-" for stdin, and dispatches on the file name: `.txt`; JSON Lines (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`); Parquet;
HTML (`.html`, `.htm`, `.html.gz`) and WARC (`.warc`, `.warc.gz`) through `cleaner.io.html` / `cleaner.io.warc`.
Nothing is lost silently: a file or record that cannot be read becomes a `Reject` with the reason.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cleaner.errors import ConfigError, InputError
from cleaner.io.base import InputDoc, ReadItem, inside, special_file
from cleaner.record import Origin, Reject

__all__ = [
    "FORMATS",
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
]

# kind -> file name endings (lower case), longest first where they overlap.
FORMATS: dict[str, tuple[str, ...]] = {
    "txt": (".txt",),
    "jsonl": (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst"),
    "parquet": (".parquet", ".pq"),
    "html": (".html", ".htm", ".html.gz", ".htm.gz"),
    "warc": (".warc", ".warc.gz"),
}
STDIN = "-"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Which record fields hold the text, id, url and HTML; and what stdin holds ("text" or "jsonl")."""

    text_field: str = "text"
    id_field: str = "id"
    url_field: str = "url"
    html_field: str = "html"
    stdin_format: str = "text"
    defer_json: bool = False  # JSON Lines lines come as RawRecord, for `records.parse_json_line` to parse later

    def __post_init__(self) -> None:
        if self.stdin_format not in ("text", "jsonl"):
            raise ConfigError(f"--stdin-format must be text or jsonl, got {self.stdin_format!r}")


@dataclass(frozen=True, slots=True)
class Source:
    """One input file (or stdin), and where it sits under the directory argument it was found in."""

    path: Path | None  # None for stdin
    kind: str | None  # a FORMATS key, or None when the file type is not supported
    display: str  # the name used in origins, ledgers and rejects
    root: Path | None = None  # the directory argument, when found by walking one
    rel: PurePosixPath | None = None  # path relative to root
    error: str | None = None  # why it is rejected unread (a directory that cannot be listed, a FIFO, a link)

    @property
    def is_stdin(self) -> bool:
        return self.path is None and self.error is None


def printable_name(name: str) -> str:
    """A file name as text that JSON and UTF-8 can hold: bytes of the name that were not UTF-8 (which Python keeps
    as lone surrogates, refused by every encoder) are shown as \\xNN. Used for names in ids, ledgers and rejects;
    the file itself is opened by its real path."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        try:
            return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate that did not come from a byte
            return name.encode("utf-8", "backslashreplace").decode("utf-8")


def kind_of(path: Path | str) -> str | None:
    """The input format of a file name, or None."""
    name = str(path).lower()
    for kind, endings in FORMATS.items():
        if name.endswith(endings):
            return kind
    return None


def supported_endings() -> str:
    return ", ".join(ending for endings in FORMATS.values() for ending in endings)


def check_inputs(paths: Sequence[str]) -> None:
    """Fail before anything is read or written when an argument does not exist or has an unknown type."""
    if not paths:
        raise InputError("no input given: pass files, directories or - for stdin")
    if list(paths).count(STDIN) > 1:
        raise InputError("stdin (-) can be given only once")
    for given in paths:
        if given == STDIN:
            continue
        if not given:
            raise InputError("an input is an empty string (an unset shell variable?); pass a file or directory name")
        path = Path(given)
        if not path.exists():
            raise InputError(f"input {given!r} does not exist")
        if not path.is_dir() and kind_of(path) is None:
            raise InputError(
                f"input {given!r} has an unsupported file type; supported endings: {supported_endings()} "
                "(or a directory, or - for stdin)"
            )


def iter_sources(paths: Sequence[str]) -> Iterator[Source]:
    """Every input file, in argument order; directories walked in sorted order without hidden entries.

    Nothing in a tree is passed over without a word: a directory that cannot be listed, a FIFO, socket or device
    (reading one may never end) and a link to a directory outside the tree (following it could lead up the tree
    or into the output) each come as a `Source` with an `error`, which `read_source` turns into a reject. A link
    to a directory inside the tree is not followed either: its files are read at their real place."""
    for given in paths:
        if given == STDIN:
            yield Source(path=None, kind=None, display="<stdin>")
            continue
        path = Path(given)
        if not path.is_dir():
            yield Source(path=path, kind=kind_of(path), display=printable_name(given))
            continue
        yield from _walk(path)


def _walk(root: Path) -> Iterator[Source]:
    real_root = root.resolve()
    unreadable: list[OSError] = []  # what the walk could not list: each becomes a reject, never a silent gap
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        yield from _unreadable_directories(unreadable, root)
        here = Path(dirpath)
        visible = [name for name in dirnames if not name.startswith(".")]
        linked = {name for name in visible if (here / name).is_symlink()}
        dirnames[:] = sorted(name for name in visible if name not in linked)
        entries = [(name, False) for name in filenames if not name.startswith(".")]
        entries += [(name, True) for name in linked]
        for name, is_link in sorted(entries):
            file = here / name
            rel = PurePosixPath(file.relative_to(root).as_posix())
            display = printable_name(str(file))
            if is_link:
                if not inside(file.resolve(), real_root):
                    yield Source(
                        path=None,
                        kind=None,
                        display=display,
                        root=root,
                        rel=rel,
                        error="a link to a directory outside the tree: not followed (give its target as an input)",
                    )
                continue
            error = _SPECIAL if special_file(file) else None
            yield Source(path=file, kind=kind_of(file), display=display, root=root, rel=rel, error=error)
    yield from _unreadable_directories(unreadable, root)


_SPECIAL = "not a regular file (a FIFO, socket or device): reading it may never end"


def _unreadable_directories(errors: list[OSError], root: Path) -> Iterator[Source]:
    """Sources that stand for directories the walk could not list (their reject says why); empties `errors`."""
    for error in errors:
        name = printable_name(str(error.filename)) if error.filename else str(root)
        yield Source(path=None, kind=None, display=name, root=root, error=f"cannot read directory: {error.strerror}")
    errors.clear()


def read_source(source: Source, options: ReadOptions) -> Iterator[ReadItem]:
    """The documents of one input file, in file order."""
    if source.error is not None:
        yield Reject(Origin(file=source.display), source.error)
        return
    if source.path is None:
        yield from _read_stdin(options)
        return
    path, display = source.path, source.display
    if source.kind is None:
        yield Reject(Origin(file=display), f"unsupported file type; supported endings: {supported_endings()}")
    elif source.kind == "txt":
        from cleaner.io.text import read_text

        yield from read_text(path, display, doc_id=printable_name(str(source.rel)) if source.rel else None)
    elif source.kind == "jsonl":
        from cleaner.io.records import read_jsonl

        yield from read_jsonl(path, display, options)
    elif source.kind == "parquet":
        from cleaner.io.records import read_parquet

        yield from read_parquet(path, display, options)
    else:
        yield from _read_markup(source, options)


def _read_markup(source: Source, options: ReadOptions) -> Iterator[ReadItem]:
    """HTML and WARC come from helper modules that need trafilatura / warcio; import them only when used."""
    assert source.path is not None
    try:
        if source.kind == "html":
            from cleaner.io.html import page_id, read_html
        else:
            from cleaner.io.warc import read_warc
    except ImportError as error:
        yield Reject(Origin(file=source.display), f"cannot read {source.kind} input: {error}")
        return
    if source.kind == "html":
        doc_id = printable_name(str(source.rel.with_name(page_id(source.rel)))) if source.rel else None
        yield from read_html(source.path, options, doc_id=doc_id, display=source.display)
    else:
        yield from read_warc(source.path, options, display=source.display)


def _read_stdin(options: ReadOptions) -> Iterator[ReadItem]:
    stream = sys.stdin.buffer
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
