"""What readers yield: a raw input document (text or HTML) or a reject, both carrying their origin."""

from __future__ import annotations

from dataclasses import dataclass, field
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
