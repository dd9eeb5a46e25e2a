"""What stdin holds when `--stdin-format auto` (the default): JSON Lines when its first non-blank line is a JSON
object, else one text document (`cat corpus.jsonl | newsclean clean -` was cleaned as one text).

Deciding reads stdin up to the end of that line; those bytes are kept and read again first (`stdin_bytes`), so the
reader sees the whole stream. The decision is made once, before the run is planned: the output format of stdin
(JSON Lines or text) depends on it.
"""

from __future__ import annotations

import io
import logging
import sys
from typing import BinaryIO

log = logging.getLogger(__name__)

STDIN_FORMATS = ("auto", "text", "jsonl")

# (the stdin buffer that was looked at, a stream that gives back what was read from it, then the rest)
_peeked: tuple[BinaryIO, BinaryIO] | None = None


class _Prefixed(io.RawIOBase):
    """`prefix`, then the rest of `rest`."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read1(len(buffer)) if hasattr(self._rest, "read1") else self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def stdin_bytes() -> BinaryIO:
    """stdin as bytes, with whatever `sniff_stdin` read from it given back first."""
    current = sys.stdin.buffer
    if _peeked is not None and _peeked[0] is current:
        return _peeked[1]
    return current


def sniff_stdin() -> str:
    """"jsonl" when stdin's first non-blank line is a JSON object, else "text"; the bytes read stay readable."""
    global _peeked
    import orjson

    source = stdin_bytes()
    read: list[bytes] = []
    decided = "text"
    for line in iter(source.readline, b""):
        read.append(line)
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(b"{"):
            try:
                decided = "jsonl" if isinstance(orjson.loads(stripped), dict) else "text"
            except orjson.JSONDecodeError:
                decided = "text"
        break
    stream = io.BufferedReader(_Prefixed(b"".join(read), source))  # type: ignore[arg-type]
    _peeked = (sys.stdin.buffer, stream)  # type: ignore[assignment]
    return decided


def resolve_stdin_format(stdin_format: str, reads_stdin: bool) -> str:
    """`auto` decided by looking at stdin (only when it is read); `text` and `jsonl` as given."""
    if stdin_format != "auto":
        return stdin_format
    if not reads_stdin:
        return "text"
    decided = sniff_stdin()
    if decided == "jsonl":
        log.info("stdin: read as JSON Lines (its first non-blank line is a JSON object; --stdin-format text to change)")
    else:
        log.info("stdin: read as one text document (its first non-blank line is not a JSON object; "
                 "--stdin-format jsonl to change)")
    return decided
