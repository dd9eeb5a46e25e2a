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


def keep_line_breaks(removals: list[Removal], source: str) -> list[Removal]:
    """A removal of the last units of a line takes the space before it, not the line break after it, when text
    stays on that line: "A. Share this.\n" becomes "A.\n", not "A. " joined to the next line. Unit removals carry
    the whitespace after them; only here, with every removal known, is it clear what stays before them. Removals
    that touch form one run, and the whole run moves one character left.

    `removals` must be sorted and disjoint; a run only moves onto a kept space."""
    kept_before = 0  # end of the run before this one: text from there to the run's start stays
    run: list[Removal] = []
    for index, removal in enumerate(removals):
        if run and removal.start != run[-1].end:
            kept_before = run[-1].end
            run = []
        run.append(removal)
        touches_next = index + 1 < len(removals) and removals[index + 1].start == removal.end
        if touches_next or source[removal.end - 1] != "\n":
            continue
        start = run[0].start
        line_start = source.rfind("\n", 0, start) + 1
        if source[start - 1 : start] == " " and max(line_start, kept_before) < start - 1 and removal.end - start >= 2:
            for moved in run:  # kept text, not only the space, stays before it
                moved.start, moved.end = moved.start - 1, moved.end - 1
                moved.text = source[moved.start : moved.end]
    return removals


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
    doc.removals = keep_line_breaks(resolve_overlaps(doc.removals, doc.source), doc.source)
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
