"""What readers take and yield: the read options, a raw input document (text or HTML) or a reject, both carrying
their origin. The bottom of `cleaner.io`: it imports nothing else from it."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cleaner.errors import ConfigError
from cleaner.record import Origin, Reject, pickled_by_fields

# Fields of ReadOptions that name a record field: two naming one field made the cleaned text land in the id (or the
# URL) while the raw text stayed.
_FIELD_OPTIONS = ("text_field", "id_field", "url_field", "html_field")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Which record fields hold the text, id, url and HTML; and what stdin holds ("text" or "jsonl").

    Fields whose metadata says `fingerprint: False` may differ between a killed run and its `--resume` (they do
    not change what is written); every other field is part of the resume fingerprint."""

    text_field: str = "text"
    id_field: str = "id"
    url_field: str = "url"
    html_field: str = "html"
    stdin_format: str = "text"
    # JSON Lines lines come as RawRecord, for `records.parse_json_line` to parse later
    defer_json: bool = field(default=False, metadata={"fingerprint": False})

    def __post_init__(self) -> None:
        if self.stdin_format not in ("text", "jsonl"):
            raise ConfigError(f"--stdin-format must be text or jsonl, got {self.stdin_format!r}")
        named: dict[str, str] = {}
        for option in _FIELD_OPTIONS:
            value = getattr(self, option)
            if value in named:
                first, second = (f"--{name.replace('_', '-')}" for name in (named[value], option))
                raise ConfigError(f"{first} and {second} both name the field {value!r}; give each its own field")
            named[value] = option


@dataclass(frozen=True, slots=True)
class Source:
    """One input file (or stdin), and where it sits under the directory argument it was found in."""

    path: Path | None  # None for stdin
    kind: str | None  # an INPUT_FORMATS key, or None when the file type is not supported
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


@dataclass(slots=True)
class InputDoc:
    """One document as read, before normalization. Exactly one of `text` and `html` is set.

    `keys` is the input record's field order (JSON Lines, Parquet), so a writer can put the cleaned text back
    in its place and every other field through unchanged; `meta` holds every field except the text one.
    """

    origin: Origin
    text: str | None = None
    html: str | bytes | None = None
    id: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # pass-through fields, in input order
    keys: tuple[str, ...] | None = None


@pickled_by_fields
@dataclass(slots=True)
class RawRecord:
    """A JSON Lines line not parsed yet: with worker processes, parsing is left to the worker that cleans it, so
    the reading process (which every worker waits on) does less."""

    origin: Origin
    line: bytes


ReadItem = InputDoc | Reject | RawRecord


def special_file(path: Path) -> bool:
    """A FIFO, socket or device (after links): reading one may never end, and renaming a file over one replaces
    it. Not a path that does not exist, nor a directory."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def char_device(path: Path) -> bool:
    """A character device (`/dev/null`, a terminal), after links: an output written to as it is, never replaced."""
    try:
        return stat.S_ISCHR(path.stat().st_mode)
    except OSError:
        return False


def inside(path: Path, directory: Path) -> bool:
    """Whether `path` is `directory` or below it (both resolved or both as given: no file system access)."""
    return path == directory or directory in path.parents
