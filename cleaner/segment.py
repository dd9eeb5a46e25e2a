"""Paragraphs (and sentences, for flattened text) as offsets into canonical text.

Canonical text has one paragraph per line, so a paragraph is a line without its newline. Offsets, not copies:
every later stage marks spans of the same string.
"""

from __future__ import annotations

import regex

from cleaner.record import Removal, Span

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


# A paragraph longer than this is split into sentences; so is the only paragraph of a document.
LONG_PARAGRAPH = 1200


def units(text: str, spans: list[Span], lone: int | None = None) -> list[Span]:
    """The units of `text`: each paragraph in `spans` that is short stays one unit, a long one becomes its
    sentences, and so does the document's only paragraph (or paragraph `lone`, the only one stages left)."""
    found: list[Span] = []
    if lone is None and len(spans) == 1:
        lone = 0
    for index, span in enumerate(spans):
        if index == lone or span[1] - span[0] > LONG_PARAGRAPH:
            found.extend(sentences(text, span))
        else:
            found.append(span)
    return found


def lone_paragraph(text: str, spans: list[Span], removals: list[Removal]) -> int | None:
    """The one paragraph that removals leave, when it was short enough to be one unit: the cleaned text is then a
    document of one paragraph, whose sentences are its units, so they must be its units here too (idempotence)."""
    if len(spans) < 2 or not removals:
        return None
    removed = sum(r.end - r.start for r in removals)
    if removed < len(text) - max(end - start for start, end in spans) - text.count("\n"):
        return None  # the removals cannot cover all paragraphs but one: the common case, without a scan
    live, _ = live_spans(text, spans, removals)
    if len(live) != 1:
        return None
    start, end = spans[live[0]]
    return live[0] if end - start <= LONG_PARAGRAPH else None


def unit_breaks(unit_spans: list[Span], paragraph_spans: list[Span]) -> list[int]:
    """Offsets where a unit starts inside a paragraph (not at its start): where a flattened text's lines would
    break. Rules see the text with a line break there (cleaner.rules.apply)."""
    starts = {start for start, _ in paragraph_spans}
    return [start for start, _ in unit_spans if start not in starts]


def live_spans(source: str, spans: list[Span], removals: list[Removal]) -> tuple[list[int], list[str]]:
    """The spans (paragraphs or units) no earlier stage removed whole, with their text as the cleaned document
    will show it.

    Only these can be kept originals or removed copies. A span with a piece cut out of it takes part with the cut
    made: it may only become a copy of another once the cut is gone, and cleaning the cleaned text would then find it.
    """
    if not removals:
        return list(range(len(spans))), [source[s:e] for s, e in spans]
    cuts = sorted((r.start, r.end) for r in removals)
    live: list[int] = []
    texts: list[str] = []
    cursor = 0
    for index, (start, end) in enumerate(spans):
        while cursor < len(cuts) and cuts[cursor][1] <= start:
            cursor += 1
        if cursor == len(cuts) or cuts[cursor][0] >= end:  # untouched: most spans
            live.append(index)
            texts.append(source[start:end])
            continue
        pieces: list[str] = []
        position = start
        k = cursor
        while k < len(cuts) and cuts[k][0] < end:
            if cuts[k][0] > position:
                pieces.append(source[position : cuts[k][0]])
            position = max(position, cuts[k][1])
            k += 1
        if position < end:
            pieces.append(source[position:end])
        text = "".join(pieces)
        if text:
            live.append(index)
            texts.append(text)
    return live, texts
