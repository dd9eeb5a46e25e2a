"""The view the rules see: the source without its removals so far, each unit (a sentence of a flattened
paragraph, `cleaner.segment.units`) a line of its own, as the cleaned text will show it; and how a span of the
view maps back to the source."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cleaner.record import Removal, Span, merge_spans
from cleaner.segment import removed_spans

if TYPE_CHECKING:
    from cleaner.rules.load import Rule

_INSERTED = -1  # source start of a view segment that stands for no source text (a "\n" between glued units)


@dataclass(slots=True)
class View:
    """The text the rules see, and how it maps back to the source.

    `text` is the source without its removals, with a "\\n" at every unit break that has kept text before it on
    its line: the single space before the break turned into "\\n" (same length), or, for units glued together
    without a space (`…"?Do`), a "\\n" inserted that stands for no source character. `segments` are
    (view start, source start or -1 for an inserted "\\n", length); `marks` the view offsets of those "\\n"s."""

    text: str
    segments: list[tuple[int, int, int]]
    marks: set[int] = field(default_factory=set)
    _starts: list[int] = field(default_factory=list)
    # The source offsets of the spaces that closing a removal took (`_closed`) and no removal covers.
    spaces: list[int] = field(default_factory=list)

    def to_source(self, start: int, end: int) -> list[Span]:
        """The source spans that a [start, end) span of the view covers (split around earlier removals)."""
        if not self._starts:
            self._starts = [view_start for view_start, _, _ in self.segments]
        pieces: list[Span] = []
        index = max(bisect.bisect_right(self._starts, start) - 1, 0)
        for view_start, source_start, length in self.segments[index:]:
            if view_start >= end:
                break
            low, high = max(start, view_start), min(end, view_start + length)
            if low < high and source_start != _INSERTED:
                piece = (source_start + low - view_start, source_start + high - view_start)
                if pieces and pieces[-1][1] == piece[0]:
                    pieces[-1] = (pieces[-1][0], piece[1])
                else:
                    pieces.append(piece)
        return self._with_spaces(pieces) if self.spaces and len(pieces) > 1 else pieces

    def _with_spaces(self, pieces: list[Span]) -> list[Span]:
        """`pieces` with the spaces that closed removals between them took. The view shows such a removal without
        that space and its line with the line break the removal took: a span across it takes the text on both
        sides, and once nothing is kept before the removal on its line, apply closes it no more, so the space would
        be left alone there ("B. C.\n" less a copy "C.\n" is seen as "B.\n"; a tail rule then takes "B.\n")."""
        out = [pieces[0]]
        for start, end in pieces[1:]:
            first = bisect.bisect_left(self.spaces, out[-1][1])
            for space in self.spaces[first : bisect.bisect_left(self.spaces, start)]:
                if out[-1][1] == space:
                    out[-1] = (out[-1][0], space + 1)
                else:
                    out.append((space, space + 1))
            if out[-1][1] == start:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
        return out

    def units_closed(self, placed: list[tuple[Span, Rule]]) -> list[tuple[Span, Rule]]:
        """`placed` with each run of removed units that ends its source line taking the break before it instead
        of the line's "\\n": "A. B.\\n" less "B." is "A.\\n", not "A. " (unit removals otherwise take the space
        after them)."""
        if not self.marks or not placed:
            return placed
        text, marks = self.text, self.marks
        ordered = sorted(placed, key=lambda item: item[0][0])
        out: list[tuple[Span, Rule]] = []
        run_start = 0  # index in `ordered` of the first span of the current run of touching spans
        for index, ((start, end), rule) in enumerate(ordered):
            out.append(((start, end), rule))
            last = index + 1 == len(ordered) or ordered[index + 1][0][0] != end
            if not last:
                continue
            first_start = ordered[run_start][0][0]
            if text[end - 1] == "\n" and end - 1 not in marks and first_start - 1 in marks:
                (s0, e0), r0 = out[run_start]
                out[run_start] = ((s0 - 1, e0), r0)
                (s1, e1), r1 = out[-1]
                out[-1] = ((s1, e1 - 1), r1)
            run_start = index + 1
        return out


def view_of(source: str, removals: Sequence[Removal], breaks: Sequence[int] = ()) -> View:
    """`source` without its removals, with unit `breaks` (sorted source offsets) made line breaks."""
    if not removals and not breaks and source:
        return View(source, [(0, 0, len(source))])  # the first pass of most documents
    kept: list[Span] = []
    cursor = 0
    spaces: list[int] = []
    for start, end in _closed(source, removed_spans(removals), spaces):
        if start > cursor:
            kept.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < len(source):
        kept.append((cursor, len(source)))
    # Each kept region is copied in slices between the breaks that change it; its mapping is one segment, split
    # only by inserted "\n"s (kept regions never touch in the source: a removal lies between any two).
    pieces: list[str] = []
    segments: list[tuple[int, int, int]] = []
    marks: set[int] = set()
    length = 0  # of the view so far, `pieces` joined
    last = "\n"  # the view's last character so far: "\n" at its start, as nothing is before it on the line
    index = 0
    for kept_start, kept_end in kept:
        gap_start = index
        index = bisect.bisect_left(breaks, kept_start, index)
        stop = bisect.bisect_left(breaks, kept_end, index)
        inside = breaks[index:stop]
        # A unit whose start went with a removal (a glued copy cut from its head) starts where its rest starts: the
        # cleaned text's splitter cuts there too, so the rules see that rest as a line of its own.
        carried = index > gap_start and not source[kept_start].isspace()
        index = stop
        if carried or (inside and inside[0] == kept_start):
            # The unit starts the region: the view's line so far (the region before) ends here.
            if last == " ":
                pieces[-1] = pieces[-1][:-1] + "\n"  # the space before the unit, now the line's end
                marks.add(length - 1)
            elif last != "\n":
                pieces.append("\n")
                segments.append((length, _INSERTED, 1))
                marks.add(length)
                length += 1
        inner = inside[1:] if inside and inside[0] == kept_start else inside  # the breaks after its start
        cursor = kept_start  # the source copied so far
        segment_view, segment_source = length, kept_start  # the open segment of this region
        for brk in inner:
            char = source[brk - 1]
            if char == "\n":
                continue  # the unit starts its line already
            if char == " ":
                if brk - 1 > cursor:
                    pieces.append(source[cursor : brk - 1])
                pieces.append("\n")  # the space before the unit, now the line's end
                length += brk - cursor
                marks.add(length - 1)
            else:
                pieces.append(source[cursor:brk])
                pieces.append("\n")
                length += brk - cursor
                segments.append((segment_view, segment_source, length - segment_view))
                segments.append((length, _INSERTED, 1))
                marks.add(length)
                length += 1
                segment_view, segment_source = length, brk
            cursor = brk
        pieces.append(source[cursor:kept_end])
        length += kept_end - cursor
        segments.append((segment_view, segment_source, length - segment_view))
        last = source[kept_end - 1]
    return View("".join(pieces), segments, marks, spaces=spaces)


def _closed(source: str, removed: list[Span], spaces: list[int] | None = None) -> list[Span]:
    """Removed regions as `cleaner.apply` deletes them: one that takes a line's "\n" after text kept on that line
    (another stage's removal of the last unit of a line) keeps the "\n" and takes the space before it instead, as
    does one that ends a line ("A. B" less a glued "B" is "A.", not "A. "), so the view stays canonical text, one
    line per unit, as the cleaned text will be. The spaces taken so are appended to `spaces`, in order."""
    if not removed:
        return removed
    closed: list[Span] = []
    for start, end in removed:
        if source[end - 1] == "\n" and start > 0 and source[start - 1] != "\n" and end - 1 > start:
            end -= 1
            if source[start - 1] == " ":
                start -= 1
                if spaces is not None:
                    spaces.append(start)
        elif (  # it ends its line, keeping the "\n": the space before goes too when text stays before it there
            end - start >= 2
            and source[end : end + 1] in ("\n", "")
            and source[start - 1 : start] == " "
            and _kept_before(source, closed, source.rfind("\n", 0, start) + 1, start - 1)
        ):
            start -= 1
            if spaces is not None:
                spaces.append(start)
        closed.append((start, end))
    return merge_spans(closed)


def _kept_before(source: str, closed: list[Span], low: int, high: int) -> bool:
    """Whether source[low:high] holds a non-space character outside the regions `closed` so far (sorted)."""
    for start, end in reversed(closed):
        if end <= low:
            break
        if source[max(end, low) : high].strip():
            return True
        high = min(high, start)
    return bool(source[low:high].strip())
