"""Main-text extraction from HTML with trafilatura, deterministic and explained.

trafilatura's own deduplication keeps a process-global LRU cache (`trafilatura.deduplication.LRU_TEST`), so with
it on, a paragraph's fate depends on which pages the process saw before. It is always off here: newsclean's own
near-duplicate stage does that job per document, the same in any order and with any number of workers.

Options were chosen on the article-extraction benchmark (bench/aeb_eval.py): `include_comments=False` is how the
benchmark runs trafilatura (comments are not the article: P +0.014, R unchanged); `favor_precision` raises P by
0.016 but costs 0.008 recall, more than the 0.002 newsclean may lose, so it stays off; tables stay in (R +0.006).
Reader comments are wanted by some (media monitoring): `comments="keep"` (`--comments keep`) turns
`include_comments` on, and the ledger's options say so; the rules of `_comments.toml` then clean the widget text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from cleaner.checks import check_comments

OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "favor_precision": False,
    "favor_recall": False,
    "deduplicate": False,
}
"""Keyword options passed to `trafilatura.extract`; recorded in every ledger entry via `Extraction.info`."""

def options_for(comments: str = "drop") -> dict[str, Any]:
    """The trafilatura options of an extraction that drops or keeps reader comments."""
    options = dict(OPTIONS)
    options["include_comments"] = check_comments(comments) == "keep"
    return options


FAST_ABOVE = 320_000
"""Pages with more markup than this (characters outside <script> and <style>) are extracted without trafilatura's
fallback extractors, whose time grows with the square of the page (a 1 MB page of comments took 40 s). Every page
of the benchmark has less (the largest 252,301), so its results are those of the full extraction."""

MAX_MARKUP = 3_000_000
"""Pages with more markup than this are rejected: even the fast extraction takes 7 s at 3 MB and grows
quadratically (a 50 MB page ran for over 14 minutes)."""

MAX_NUL_SHARE = 0.01
"""More NUL bytes than this share of a page's first 4 KB (and not UTF-16) means binary content, not HTML; a stray
NUL in a real page is deleted by normalization like any control character."""

MAX_REPLACEMENT_SHARE = 0.01
"""More U+FFFD than this share of the extracted text means the bytes were not text in any encoding we found."""

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|html|head|body|title|meta|p|div|article|main|section|span|table|h[1-6]|br|a)\b",
    re.IGNORECASE,
)
_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "gzip-compressed data",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b")
# Labels the HTML standard decodes as windows-1252, a superset that pages labelled so routinely need (’ — € “ ”).
_WINDOWS_1252_LABELS = {"ascii", "iso8859-1"}
_C1 = "newsclean-c1"
codecs.register_error(_C1, lambda error: (error.object[error.start : error.end].decode("latin-1"), error.end))


@dataclass(frozen=True, slots=True)
class Extraction:
    """Extracted main text, or `text=None` and the reason it failed; `info` goes into the ledger."""

    text: str | None
    reason: str | None = None
    info: dict[str, Any] = field(default_factory=dict)


def charset_from_content_type(value: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header value, if any and known to Python."""
    if not value:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_:.\-]+)", value, re.IGNORECASE)
    return _known_codec(match.group(1)) if match else None


def _known_codec(name: str) -> str | None:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return "cp1252" if codec in _WINDOWS_1252_LABELS else codec


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark: markup is ASCII, so every other byte is NUL and the bytes between are
    mostly printable ASCII (binary data with NULs is not)."""
    if len(head) < 64:
        return None
    half = len(head) // 2
    for codec, low, high in (("utf-16-le", head[0::2], head[1::2]), ("utf-16-be", head[1::2], head[0::2])):
        printable = sum(1 for byte in low if 32 <= byte < 127 or byte in (9, 10, 13))
        if high.count(0) > 0.4 * half and low.count(0) < 0.05 * half and printable > 0.6 * half:
            return codec
    return None


def decode_html(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, how the encoding was chosen).

    Order: byte-order mark, then strict UTF-8 (valid UTF-8 of non-ASCII text is almost never an accident, while
    pages often declare latin-1 and are UTF-8), then the declared charset (HTTP header, then <meta>), then
    trafilatura's detector (charset_normalizer), and finally UTF-8 with replacement characters, which the
    caller counts.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), f"bom:{codec}"
    utf16 = _utf16_without_bom(data[:4096])
    if utf16 is not None:
        return data.decode(utf16, errors="replace"), f"nul-pattern:{utf16}"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = [charset] if charset else []
    match = _META_CHARSET.search(data[:8192])
    if match:
        declared.append(match.group(1).decode("ascii", errors="replace"))
    for name in declared:
        codec = _known_codec(name)
        if codec and codec != "utf-8":
            try:
                # The five bytes windows-1252 leaves undefined are the C1 controls there, as browsers read them.
                return data.decode(codec, errors=_C1 if codec == "cp1252" else "strict"), f"declared:{codec}"
            except UnicodeDecodeError:
                continue
    from trafilatura.utils import detect_encoding

    for guess in detect_encoding(data):
        codec = _known_codec(guess)
        if codec:
            try:
                return data.decode(codec), f"detected:{codec}"
            except UnicodeDecodeError:
                continue
    return data.decode("utf-8", errors="replace"), "fallback:utf-8-replace"


def _not_html_reason(data: bytes) -> str | None:
    head = data[:4096]
    for magic, what in _BINARY_SIGNATURES.items():
        if head.startswith(magic):
            return f"not HTML: the content is {what}"
    if head.startswith(tuple(bom for bom, _codec in _BOMS)) or _utf16_without_bom(head):
        return None
    if head.count(0) > MAX_NUL_SHARE * len(head):
        return "not HTML: binary content (NUL bytes)"
    return None


def _markup_chars(text: str) -> int:
    """Characters of the page outside <script> and <style> elements: what extraction works through (inline data
    can make a page megabytes long at no cost to it)."""
    lowered = text.lower()
    total = position = 0
    for match in _SCRIPT_OR_STYLE.finditer(lowered):
        if match.start() < position:
            continue  # inside the element just skipped
        end = lowered.find(f"</{match.group(1)}", match.end())
        if end < 0:
            continue  # never closed (or inside a comment or an attribute): it hides nothing
        total += match.start() - position
        position = end
    return total + len(lowered) - position


def _info(html_chars: int, encoding: str | None, options: dict[str, Any]) -> dict[str, Any]:
    import trafilatura

    info: dict[str, Any] = {
        "tool": "trafilatura",
        "version": trafilatura.__version__,
        "options": dict(options),
        "html_chars": html_chars,
    }
    if encoding is not None:
        info["encoding"] = encoding
    return info


def extract(
    html: str | bytes, url: str | None = None, charset: str | None = None, *, comments: str = "drop"
) -> Extraction:
    """Extract the article text of one page; deterministic, no state shared between calls.

    `charset` is an encoding declared outside the page (the HTTP header of a WARC record); it is only used for
    bytes that are not valid UTF-8. `comments="keep"` extracts the page's reader comments too (`COMMENTS`).
    """
    options = options_for(comments)
    if isinstance(html, bytes):
        if not html.strip():
            return Extraction(None, "empty page: no content", _info(0, None, options))
        if reason := _not_html_reason(html):
            return Extraction(None, reason, _info(len(html), None, options))
        text, encoding = decode_html(html, charset)
    else:
        text, encoding = html, None
    info = _info(len(text), encoding, options)
    if not text.strip():
        return Extraction(None, "empty page: no content", info)
    if text[:4096].count("\x00") > MAX_NUL_SHARE * len(text[:4096]):
        return Extraction(None, "not HTML: binary content (NUL characters)", info)
    if not _HTML_TAG.search(text):
        return Extraction(None, "not HTML: no HTML tags found", info)
    markup = _markup_chars(text) if len(text) > FAST_ABOVE else len(text)
    if markup > MAX_MARKUP:
        return Extraction(
            None,
            f"page too large to extract: {markup:,} characters of markup outside scripts and styles, more than "
            f"{MAX_MARKUP:,}; split the page or extract it with another tool",
            info,
        )
    fast = markup > FAST_ABOVE
    if fast:
        info["fast"] = True  # without trafilatura's fallback extractors (see FAST_ABOVE)

    import trafilatura

    try:
        extracted = trafilatura.extract(text, url=url, output_format="txt", fast=fast, **options)
    except Exception as err:  # trafilatura/lxml raise a variety of errors on hostile markup
        return Extraction(None, f"extraction failed: {type(err).__name__}: {err}", info)
    if not extracted or not extracted.strip():
        return Extraction(None, "nothing extracted: trafilatura found no main text", info)
    info["text_chars"] = len(extracted)
    bad = extracted.count("\ufffd")
    if bad > MAX_REPLACEMENT_SHARE * len(extracted):
        where = f" (decoded as {encoding})" if encoding else ""
        return Extraction(
            None,
            f"broken encoding: {bad} of {len(extracted)} extracted characters are U+FFFD replacement "
            f"characters{where}; re-fetch the page or fix its charset",
            info,
        )
    return Extraction(extracted, None, info)
