"""WARC archives (`.warc`, `.warc.gz`): one document per HTML response record.

warcio parses each record (WARC and HTTP headers, chunked transfer and content encodings), but its iterator
stops at the first corrupt gzip member and silently drops a truncated last record. So the framing is done here:
records (or gzip members) are cut out one at a time and checked against their Content-Length; a broken one becomes
a `Reject` and reading resumes at the next record start, and a truncated tail is a `Reject` after everything that
came before it. Memory holds one record (one gzip member) at a time.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from cleaner.extract import charset_from_content_type, decode_html
from cleaner.io.base import InputDoc, ReadItem, printable_name
from cleaner.record import Origin, Reject

if TYPE_CHECKING:
    from cleaner.io.base import ReadOptions

HTML_TYPES = ("text/html", "application/xhtml+xml")
GZIP_MAGIC = b"\x1f\x8b\x08"
CHUNK = 1 << 20
# A gzip member holds one record (typically 10-100 KB) and the read past its end is read again for the next one,
# so members are inflated in small reads.
MEMBER_CHUNK = 1 << 16
_RECORD_START = re.compile(rb"WARC/1\.[01]\r?\n")

# (offset of the piece in the file, its record bytes or None, why it is broken or None)
Piece = tuple[int, bytes | None, str | None]


def _find(fh: IO[bytes], start: int, pattern: re.Pattern[bytes]) -> int | None:
    """Offset of the next match of `pattern` at or after `start`, scanning in chunks; None at end of file."""
    fh.seek(start)
    base, tail = start, b""
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        match = pattern.search(data)
        if match:
            return base - len(tail) + match.start()
        tail = data[-16:]
        base += len(chunk)


def _plain_pieces(fh: IO[bytes], base: int = 0) -> Iterator[Piece]:
    """Cut an uncompressed WARC stream into records; offsets are `base` + position in `fh`."""
    while True:
        offset = fh.tell()
        line = fh.readline()
        while line in (b"\r\n", b"\n"):
            offset = fh.tell()
            line = fh.readline()
        if not line:
            return
        if not line.endswith(b"\n"):
            yield base + offset, None, "truncated archive: the file ends inside a WARC header"
            return
        if not _RECORD_START.fullmatch(line):
            reason = f"not a WARC record header at byte {base + offset}: {line[:40]!r}"
        else:
            header, length, reason = [line], None, None
            while True:
                hline = fh.readline()
                if not hline:
                    yield base + offset, None, "truncated archive: the file ends inside a WARC header"
                    return
                header.append(hline)
                if hline in (b"\r\n", b"\n"):
                    break
                name, _, value = hline.partition(b":")
                if name.strip().lower() == b"content-length":
                    try:
                        length = int(value.strip())
                    except ValueError:
                        reason = f"invalid Content-Length {value.strip()[:20]!r}"
            if length is None and reason is None:
                reason = "WARC header has no Content-Length"
            if reason is None and length is not None:
                block = fh.read(length)
                if len(block) < length:
                    yield (
                        base + offset,
                        None,
                        f"truncated archive: the record declares {length} bytes and only {len(block)} follow",
                    )
                    return
                after = fh.tell()
                terminator = fh.read(4)
                if terminator.startswith(b"\r\n\r\n") or not terminator:
                    yield base + offset, b"".join(header) + block + b"\r\n\r\n", None
                    continue
                if terminator.startswith(b"\n\n"):
                    fh.seek(after + 2)
                    yield base + offset, b"".join(header) + block + b"\r\n\r\n", None
                    continue
                reason = f"Content-Length {length} does not match the record (no blank line after the block)"
        yield base + offset, None, f"broken WARC record: {reason}"
        restart = _find(fh, offset + 1, _RECORD_START)
        if restart is None:
            return
        fh.seek(restart)


def _gzip_pieces(fh: IO[bytes]) -> Iterator[Piece]:
    """Decompress one gzip member at a time (one record each, by WARC convention) and cut it into records."""
    pos = 0
    while True:
        fh.seek(pos)
        magic = fh.read(3)
        if not magic.strip(b"\x00"):  # end of file, or zero padding some writers leave
            return
        if magic != GZIP_MAGIC:
            reason = "not a gzip member"
        else:
            fh.seek(pos)
            inflater = zlib.decompressobj(wbits=31)
            parts: list[bytes] = []
            consumed = 0
            reason = None
            try:
                while not inflater.eof:
                    chunk = fh.read(MEMBER_CHUNK)
                    if not chunk:
                        break
                    consumed += len(chunk)
                    parts.append(inflater.decompress(chunk))
            except zlib.error as err:
                reason = f"corrupt gzip data: {err}"
            if reason is None:
                if not inflater.eof:
                    yield pos, None, "truncated archive: the last gzip member ends before its end marker"
                    return
                end = pos + consumed - len(inflater.unused_data)
                yield from _plain_pieces(io.BytesIO(b"".join(parts)), base=pos)
                pos = end
                continue
        yield pos, None, f"broken WARC record at byte {pos}: {reason}"
        restart = _find(fh, pos + 1, re.compile(re.escape(GZIP_MAGIC)))
        if restart is None:
            return
        pos = restart


def _is_gzip(fh: IO[bytes]) -> bool:
    fh.seek(0)
    magic = fh.read(3)
    fh.seek(0)
    return magic == GZIP_MAGIC


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _html_doc(raw: bytes, origin: Origin) -> ReadItem | None:
    """An InputDoc for an HTML 200 response record, None for any other record, Reject if it cannot be parsed."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        record = next(iter(ArchiveIterator(io.BytesIO(raw))))
        if record.rec_type != "response" or record.http_headers is None:
            return None
        headers = record.rec_headers
        record_id = (headers.get_header("WARC-Record-ID") or "").strip("<>") or None
        status = record.http_headers.get_statuscode()
        content_type = record.http_headers.get_header("Content-Type") or ""
        media = content_type.split(";")[0].strip().lower()
        if not media:
            media = (headers.get_header("WARC-Identified-Payload-Type") or "").lower()
        if status != "200" or (media and media not in HTML_TYPES):
            return None
        encoding = record.http_headers.get_header("Content-Encoding")
    except Exception as err:  # warcio raises many types on malformed WARC/HTTP headers
        return Reject(origin, f"broken WARC record: {type(err).__name__}: {err}")
    try:
        body = record.content_stream().read()
    except Exception as err:  # a body warcio cannot decode (its brotli support breaks with brotli >= 1.2)
        how = f" (Content-Encoding: {encoding})" if encoding else ""
        return Reject(origin, f"cannot decode the response body{how}: {type(err).__name__}: {err}", id=record_id)
    if not media and not body[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return None  # no Content-Type, and it does not look like a page
    origin_id = record_id
    html: str | bytes = body
    charset = charset_from_content_type(content_type)
    if charset and not _is_utf8(body):  # the HTTP header outranks <meta>; extract() only sees the page
        html = decode_html(body, charset)[0]
    meta = {"warc_date": date} if (date := headers.get_header("WARC-Date")) else {}
    url = headers.get_header("WARC-Target-URI")
    return InputDoc(origin=origin, html=html, id=origin_id, url=url.strip("<>") if url else None, meta=meta)


def read_warc(path: Path, options: ReadOptions | None = None, display: str | None = None) -> Iterator[ReadItem]:
    """Yield an `InputDoc(html=...)` per HTML 200 response record, and a `Reject` per broken record or tail.
    `display` names the file in origins."""
    display = display or printable_name(str(path))
    with open(path, "rb") as fh:
        pieces = _gzip_pieces(fh) if _is_gzip(fh) else _plain_pieces(fh)
        for index, (_offset, raw, reason) in enumerate(pieces):
            origin = Origin(display, record=index)
            if raw is None:
                yield Reject(origin, reason or "broken WARC record")
                continue
            item = _html_doc(raw, origin)
            if item is not None:
                yield item
