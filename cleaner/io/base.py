"""What readers yield: a raw input document (text or HTML) or a reject, both carrying their origin."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.record import Origin, Reject


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


def inside(path: Path, directory: Path) -> bool:
    """Whether `path` is `directory` or below it (both resolved or both as given: no file system access)."""
    return path == directory or directory in path.parents
