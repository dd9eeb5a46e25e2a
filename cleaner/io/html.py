"""HTML page files (`.html`, `.htm`, `.html.gz`): one document per file, extracted later by `cleaner.extract`.

The reader only reads bytes and finds the page's own URL (canonical link, else og:url) so site rules apply; it
does not decode or extract, so every input format goes through the same extraction and the same reject reasons.
"""

from __future__ import annotations

import gzip
import html as html_lib
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from cleaner.io.base import InputDoc, ReadItem, printable_name
from cleaner.record import Origin, Reject

if TYPE_CHECKING:
    from cleaner.io.base import ReadOptions

HTML_SUFFIXES = (".html.gz", ".htm.gz", ".html", ".htm")
URL_SCAN_BYTES = 262_144  # the <head> is at the start; never scan a whole multi-megabyte page for it

_TAG = re.compile(r"<(link|meta)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def page_id(path: Path) -> str:
    """The file name without its HTML (and gzip) suffix: `ab12.html.gz` -> `ab12`."""
    name = path.name
    for suffix in HTML_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or name
    return path.stem


def _attributes(raw: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html_lib.unescape(next(v for v in m.group(2, 3, 4) if v is not None)).strip()
        for m in _ATTR.finditer(raw)
    }


def page_url(data: bytes) -> str | None:
    """The page's URL as it declares it: `<link rel=canonical href>` first, else `<meta property=og:url>`."""
    head = data[:URL_SCAN_BYTES].decode("utf-8", errors="replace")
    canonical = og_url = None
    for match in _TAG.finditer(head):
        attrs = _attributes(match.group(2))
        if match.group(1).lower() == "link":
            rels = attrs.get("rel", "").lower().split()
            if canonical is None and "canonical" in rels and attrs.get("href"):
                canonical = attrs["href"]
        elif og_url is None and attrs.get("property", attrs.get("name", "")).lower() == "og:url":
            og_url = attrs.get("content") or None
    for url in (canonical, og_url):
        if url and url.lower().startswith(("http://", "https://")):
            return url
    return None


def read_html(
    path: Path, options: ReadOptions | None = None, doc_id: str | None = None, display: str | None = None
) -> Iterator[ReadItem]:
    """Yield one `InputDoc(html=bytes)` for an HTML file, or a `Reject` if it cannot be read.

    `doc_id` defaults to the file name without its suffix; in a directory tree the reader passes the relative
    path instead, so `a/index.html` and `b/index.html` stay apart. `display` names the file in origins."""
    origin = Origin(display or printable_name(str(path)))
    doc_id = doc_id or printable_name(page_id(path))
    try:
        raw = path.read_bytes()
        data = gzip.decompress(raw) if path.name.lower().endswith(".gz") else raw
    except OSError as err:  # unreadable file, or bad gzip (gzip.BadGzipFile is an OSError)
        yield Reject(origin, f"cannot read HTML file: {err}", id=doc_id)
        return
    except (EOFError, zlib.error) as err:
        yield Reject(origin, f"truncated or corrupt gzip file: {err}", id=doc_id)
        return
    yield InputDoc(origin=origin, html=data, id=doc_id, url=page_url(data))
