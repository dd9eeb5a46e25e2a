"""Opening input files as byte streams: plain, gzip or zstd, with truncation reported instead of hidden.

zstandard's `stream_reader` returns a clean EOF on a truncated frame, so zstd is decoded with a
`decompressobj` that checks the frame really ended.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1 << 20


class TruncatedError(Exception):
    """A compressed stream ended early or is corrupt; the documents before it are still good."""


def compression_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        return "gzip"
    if name.endswith(".zst") or name.endswith(".zstd"):
        return "zstd"
    return None


class _ZstdReader(io.RawIOBase):
    """A raw stream of the decompressed bytes of a (possibly multi-frame) zstd file."""

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard

        self._zstd = zstandard
        self._raw = raw
        self._dobj = zstandard.ZstdDecompressor().decompressobj()
        self._pending = b""
        self._pos = 0
        self._done = False
        self._in_frame = False

    def readable(self) -> bool:
        return True

    def _feed(self, data: bytes) -> None:
        out = []
        while data:
            try:
                out.append(self._dobj.decompress(data))
            except self._zstd.ZstdError as error:
                raise TruncatedError(f"corrupt zstd data: {error}") from None
            if self._dobj.eof:
                data = self._dobj.unused_data
                self._dobj = self._zstd.ZstdDecompressor().decompressobj()
                self._in_frame = False
            else:
                data = b""
                self._in_frame = True
        self._pending = self._pending[self._pos :] + b"".join(out)
        self._pos = 0

    def _fill(self) -> None:
        while self._pos >= len(self._pending) and not self._done:
            chunk = self._raw.read(_CHUNK)
            if not chunk:
                self._done = True
                if self._in_frame:
                    raise TruncatedError("zstd stream ended before the end of its frame")
                return
            self._feed(chunk)

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        self._fill()
        n = min(len(buffer), len(self._pending) - self._pos)
        buffer[:n] = self._pending[self._pos : self._pos + n]
        self._pos += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(path: Path) -> BinaryIO:
    """A buffered byte stream of the file's (decompressed) content."""
    # A buffer of _CHUNK rather than the default 8 KiB: JSON Lines of a few KiB each are read in a third less time.
    raw = open(path, "rb", buffering=_CHUNK)  # noqa: SIM115 - the caller closes the returned stream
    kind = compression_of(path)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if kind == "zstd":
        return io.BufferedReader(_ZstdReader(raw), buffer_size=_CHUNK)  # type: ignore[return-value]
    return raw


def iter_lines(stream: BinaryIO) -> Iterator[bytes]:
    """Lines of a byte stream; a gzip/zstd stream that ends early raises `TruncatedError` at that point."""
    import zlib

    try:
        yield from stream
    except TruncatedError:
        raise
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
        raise TruncatedError(str(error) or type(error).__name__) from None


def read_all(path: Path) -> bytes:
    """The whole (decompressed) content of a file; for one-document formats such as .txt and .html.gz."""
    with open_binary(path) as stream:
        try:
            return stream.read()
        except (EOFError, OSError) as error:
            if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError):
                raise
            raise TruncatedError(str(error)) from None
