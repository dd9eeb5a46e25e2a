"""Plain-text inputs: one document per file (or stdin), decoded strictly so that damage is reported."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from cleaner.io.base import InputDoc, ReadItem
from cleaner.io.streams import TruncatedError, read_all
from cleaner.record import Origin, Reject

# More NUL characters than this share of the text means a binary file, not text with a stray NUL
# (stray NULs are control characters that normalization drops).
_BINARY_NUL_SHARE = 0.01
_BINARY_NUL_MIN = 4


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """(text, None) for valid UTF-8 (a UTF-8 or UTF-16 BOM is honoured), else (None, reason for the reject)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as error:
            return None, f"invalid UTF-16 at byte {error.start}; convert the file to UTF-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 4]
        return None, (
            f"invalid UTF-8 at byte {error.start} ({bad!r}); convert the file to UTF-8 first "
            "(e.g. `iconv -f cp1252 -t utf-8`)"
        )
    nuls = text.count("\x00")
    if nuls >= _BINARY_NUL_MIN and nuls > _BINARY_NUL_SHARE * len(text):
        return None, f"binary data, not text: {nuls} NUL bytes in {len(data)} bytes"
    return text, None


def read_text(path: Path, display: str, doc_id: str | None = None) -> Iterator[ReadItem]:
    """The file as one document; unreadable, truncated or undecodable files become one reject."""
    origin = Origin(file=display)
    try:
        data = read_all(path)
    except TruncatedError as error:
        yield Reject(origin, f"truncated or corrupt compressed file: {error}", id=doc_id)
        return
    except OSError as error:
        yield Reject(origin, f"cannot read file: {error.strerror or error}", id=doc_id)
        return
    yield from text_items(data, origin, doc_id)


def text_items(data: bytes, origin: Origin, doc_id: str | None = None) -> Iterator[ReadItem]:
    text, reason = decode_text(data)
    if text is None:
        yield Reject(origin, reason or "undecodable", id=doc_id)
    else:
        yield InputDoc(origin=origin, text=text, id=doc_id)
