"""The one place that deletes: marked spans -> cleaned text, and the inverse that rebuilds the source.

Every earlier stage only appends `Removal`s. Keeping deletion here is what makes the ledger trustworthy:
`restore(apply(source)) == source` is checked on every fixture and by property tests.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from cleaner.record import Document, Removal, Span, field_values


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


def point_at_kept_sources(removals: list[Removal], source: str) -> list[Removal]:
    """A copy whose source a later round removed as a copy of its own ("T T T", found in two rounds or by two
    stages) points at what that source points at, so every removal names text the reader still sees. A source
    inside a longer removed copy (a stuttered line in a block that a later round found repeated) points at the
    same text in what that block copies, where it is there, and at all of what it copies where it is not (a
    sentence across two glued copies of a headline, whose words run on from the end of one copy into the next)."""
    copies = {(r.start, r.end): r.dup_of for r in removals if r.dup_of is not None}
    if len(copies) < 2:
        return removals
    spans = sorted(copies)
    for removal in removals:
        for _ in range(len(copies)):
            if removal.dup_of is None:
                break
            start, end = removal.dup_of
            # The source's removal is the source itself, with the space or line break that went with it.
            found = next((copies[s] for s in ((start, end), (start, end + 1), (start - 1, end)) if s in copies), None)
            if found is None:
                found = _same_text_in_source_of(source, spans, copies, start, end)
            if found is None or found == removal.dup_of:
                break
            removal.dup_of = found
    return removals


def _same_text_in_source_of(
    source: str, spans: list[Span], copies: dict[Span, Span | None], start: int, end: int
) -> Span | None:
    """Where source[start:end] is in the source of the removed copy that holds it, if one does: the same text
    there, or else that whole source (the text is gone with the copy, and what the copy repeats is kept)."""
    index = bisect_right(spans, (start, len(source) + 1)) - 1
    if index < 0 or spans[index][1] < end:
        return None
    target = copies[spans[index]]
    if target is None:
        return None
    found = source.find(source[start:end], target[0], target[1])
    return target if found < 0 else (found, found + end - start)


def keep_line_breaks(removals: list[Removal], source: str) -> list[Removal]:
    """A removal of the last units of a line takes the space before it, not the line break after it, when text
    stays on that line: "A. Share this.\n" becomes "A.\n", not "A. " joined to the next line. Unit removals carry
    the whitespace after them; only here, with every removal known, is it clear what stays before them. Removals
    that touch form one run, and the whole run moves one character left.

    `removals` must be sorted and disjoint; a run only moves onto a kept space."""
    run: list[Removal] = []
    ends = [r.end for r in removals]  # sorted, as the removals are disjoint
    for index, removal in enumerate(removals):
        if run and removal.start != run[-1].end:
            run = []
        run.append(removal)
        touches_next = index + 1 < len(removals) and removals[index + 1].start == removal.end
        takes_break = source[removal.end - 1] == "\n"
        ends_line = takes_break or source[removal.end : removal.end + 1] in ("\n", "")
        if touches_next or not ends_line:
            continue
        start = run[0].start
        line_start = source.rfind("\n", 0, start) + 1
        if (
            source[start - 1 : start] == " "
            and removal.end - start >= 2
            and _kept_text(source, removals, ends, line_start, start - 1)
        ):
            if takes_break:  # kept text, not only the space, stays before it: the run moves onto the space
                for moved in run:
                    moved.start, moved.end = moved.start - 1, moved.end - 1
                    moved.text = source[moved.start : moved.end]
            else:  # the line break stays anyway (a rule kept it): the run only takes the space before it
                run[0].start -= 1
                run[0].text = source[run[0].start : run[0].end]
    return _no_space_before_breaks(removals, source)


def no_emptied_lines(removals: list[Removal], source: str) -> list[Removal]:
    """A run of touching removals that takes all of a line but its line break takes the break too: the line is
    gone, and canonical text has no empty lines. Each stage's removals leave canonical text alone; two stages
    together can take a line in two pieces (a copy of its first units, then a rule's tail of the rest) with
    neither taking the break. `removals` must be sorted and disjoint."""
    for index, removal in enumerate(removals):
        if index + 1 < len(removals) and removals[index + 1].start == removal.end:
            continue  # not the end of its run
        if source[removal.end : removal.end + 1] != "\n":
            continue
        first = index
        while first > 0 and removals[first - 1].end == removals[first].start:
            first -= 1
        start = removals[first].start
        if start == 0 or source[start - 1] == "\n":
            removal.end += 1
            removal.text = source[removal.start : removal.end]
    return removals


def _no_space_before_breaks(removals: list[Removal], source: str) -> list[Removal]:
    """A run that moved onto the space before it can come to touch the run before it ("A. [B.] [C.\n]" with
    one space between B and C): the runs together then end the line, and the space before the first goes too."""
    index = 0
    while index < len(removals):
        first = last = index
        while last + 1 < len(removals) and removals[last + 1].start == removals[last].end:
            last += 1
        start, end = removals[first].start, removals[last].end
        if (
            first != last
            and source[start - 1 : start] == " "
            and source[end : end + 1] in ("\n", "")
            and (first == 0 or removals[first - 1].end < start - 1)
            and source[source.rfind("\n", 0, start) + 1 : start].strip()
        ):
            removals[first].start -= 1
            removals[first].text = source[removals[first].start : removals[first].end]
        index = last + 1
    return removals


def _kept_text(source: str, removals: list[Removal], ends: list[int], low: int, high: int) -> bool:
    """Whether any non-space character of source[low:high] is outside every removal (`ends`: the removals' ends,
    so that only those reaching past `low` are looked at)."""
    cursor = low
    for position in range(bisect_right(ends, low), len(removals)):
        removal = removals[position]
        if removal.start >= high:
            break
        if source[cursor : removal.start].strip():
            return True
        cursor = max(cursor, removal.end)
    return bool(source[cursor:high].strip())


def delete_spans(source: str, spans: Iterable[Span]) -> str:
    """Delete sorted, disjoint (start, end) spans from `source`."""
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.append(source[cursor:start])
        cursor = end
    pieces.append(source[cursor:])
    return "".join(pieces)


_REMOVAL_FIELDS = field_values(Removal)  # `Removal(*_REMOVAL_FIELDS(r))` is `copy.copy(r)`, several times cheaper


def closed_removals(doc: Document) -> list[Span]:
    """The sorted, disjoint spans `apply_removals` would delete from `doc.source`, without changing `doc`."""
    copies = [Removal(*_REMOVAL_FIELDS(removal)) for removal in doc.removals]  # `_resolved` adjusts them in place
    return [(r.start, r.end) for r in _resolved(copies, doc.source)]


def _resolved(removals: list[Removal], source: str) -> list[Removal]:
    """Removals as they are deleted: pointing at kept sources, disjoint, line breaks kept."""
    disjoint = resolve_overlaps(point_at_kept_sources(removals, source), source)
    return keep_line_breaks(no_emptied_lines(disjoint, source), source)


def apply_removals(doc: Document) -> Document:
    """Resolve overlaps, then set `doc.text`; the removals stay in the document as its ledger."""
    doc.live.clear()  # the stages' cache (cleaner.segment.live_spans_of) is not part of the result
    doc.removals = _resolved(doc.removals, doc.source)
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
