"""The one place that deletes: marked spans -> cleaned text, and the inverse that rebuilds the source.

Every earlier stage only appends `Removal`s. Keeping deletion here is what makes the ledger trustworthy:
`restore(apply(source)) == source` is checked on every fixture and by property tests.
"""

from __future__ import annotations

from collections.abc import Iterable

from cleaner.record import Document, Removal, Span


def resolve_overlaps(removals: list[Removal], source: str) -> list[Removal]:
    """Sort removals and make them disjoint: the one that starts first (or is longer) keeps the shared part.

    Stages try not to overlap, so this only trims what slips through (a rule span inside a duplicated block).
    """
    ordered = sorted(removals, key=lambda r: (r.start, -r.end))
    result: list[Removal] = []
    covered_to = 0
    for removal in ordered:
        if removal.end <= covered_to or removal.start >= removal.end:
            continue
        if removal.start < covered_to:
            removal.start = covered_to
            removal.text = source[removal.start : removal.end]
        result.append(removal)
        covered_to = removal.end
    return result


def delete_spans(source: str, spans: Iterable[Span]) -> str:
    """Delete sorted, disjoint (start, end) spans from `source`."""
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.append(source[cursor:start])
        cursor = end
    pieces.append(source[cursor:])
    return "".join(pieces)


def apply_removals(doc: Document) -> Document:
    """Resolve overlaps, then set `doc.text`; the removals stay in the document as its ledger."""
    doc.removals = resolve_overlaps(doc.removals, doc.source)
    doc.text = delete_spans(doc.source, [(r.start, r.end) for r in doc.removals])
    return doc


def restore(text: str, removals: list[Removal]) -> str:
    """Rebuild the normalized source from cleaned text and the ledger (ftfy's apply_plan, for removals)."""
    pieces: list[str] = []
    cursor = 0  # position in `text`
    source_position = 0
    for removal in sorted(removals, key=lambda r: r.start):
        kept = removal.start - source_position
        pieces.append(text[cursor : cursor + kept])
        pieces.append(removal.text)
        cursor += kept
        source_position = removal.end
    pieces.append(text[cursor:])
    return "".join(pieces)
