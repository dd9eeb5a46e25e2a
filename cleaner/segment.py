"""Paragraphs (and sentences, for flattened text) as offsets into canonical text.

Canonical text has one paragraph per line, so a paragraph is a line without its newline. Offsets, not copies:
every later stage marks spans of the same string.
"""

from __future__ import annotations

import regex

from cleaner.record import Span

# A sentence ends at . ! ? or … (optionally followed by closing quotes or brackets) before whitespace and an
# upper-case letter, a digit or an opening quote. Abbreviations like "U.S. Says" or "Mr. Garcia" split wrongly;
# `learn` therefore takes no one-word sentence as a unit of its own.
_SENTENCE_END = regex.compile(r"(?<=[.!?…][\"'”’»)\]]*)\s+(?=[\"'“‘«(\[]?[\p{Lu}\p{Lt}\p{N}])")


def paragraphs(text: str) -> list[Span]:
    """Spans of the non-empty lines of `text` (newline excluded)."""
    spans: list[Span] = []
    start = 0
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            end = length
        if end > start:
            spans.append((start, end))
        start = end + 1
    return spans


def sentences(text: str, span: Span | None = None) -> list[Span]:
    """Sentence spans inside `span` (default: the whole text), for documents flattened onto one line."""
    start, end = span if span is not None else (0, len(text))
    spans: list[Span] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.start() > cursor:
            spans.append((cursor, match.start()))
        cursor = match.end()
    if end > cursor:
        spans.append((cursor, end))
    return spans
