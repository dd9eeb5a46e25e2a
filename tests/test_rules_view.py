"""`view_of` against the way it was written before it copied each kept region in slices: one piece per break,
joined segment by segment. Any text, removals and breaks (sorted, as `unit_breaks` gives them) must give the same
text, segments and marks."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.record import Removal, Span, merge_spans
from cleaner.rules.view import _INSERTED, View, _closed, view_of


def _extend(segments: list[tuple[int, int, int]], view_start: int, source_start: int, length: int) -> None:
    if segments:
        last_view, last_source, last_length = segments[-1]
        if (
            last_source != _INSERTED
            and last_view + last_length == view_start
            and last_source + last_length == source_start
        ):
            segments[-1] = (last_view, last_source, last_length + length)
            return
    segments.append((view_start, source_start, length))


def reference_view_of(source: str, removals: Sequence[Removal], breaks: Sequence[int] = ()) -> View:
    """`view_of` as it was."""
    if not removals and not breaks and source:
        return View(source, [(0, 0, len(source))])
    kept: list[Span] = []
    cursor = 0
    for start, end in _closed(source, merge_spans([(r.start, r.end) for r in removals if r.end > r.start])):
        if start > cursor:
            kept.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < len(source):
        kept.append((cursor, len(source)))
    pieces: list[str] = []
    segments: list[tuple[int, int, int]] = []
    marks: set[int] = set()
    length = 0
    last = "\n"
    index = 0
    for kept_start, kept_end in kept:
        gap_start = index
        index = bisect.bisect_left(breaks, kept_start, index)
        carried = index > gap_start and not source[kept_start].isspace()
        here = [kept_start] if carried and (index == len(breaks) or breaks[index] != kept_start) else []
        cursor = kept_start
        while here or (index < len(breaks) and breaks[index] < kept_end):
            if here:
                brk = here.pop()
            else:
                brk = breaks[index]
                index += 1
            if brk > cursor:
                pieces.append(source[cursor:brk])
                _extend(segments, length, cursor, brk - cursor)
                length += brk - cursor
                last = source[brk - 1]
                cursor = brk
            if last == "\n":
                continue
            if last == " ":
                pieces[-1] = pieces[-1][:-1] + "\n"
                marks.add(length - 1)
            else:
                pieces.append("\n")
                segments.append((length, _INSERTED, 1))
                marks.add(length)
                length += 1
            last = "\n"
        if kept_end > cursor:
            pieces.append(source[cursor:kept_end])
            _extend(segments, length, cursor, kept_end - cursor)
            length += kept_end - cursor
            last = source[kept_end - 1]
    return View("".join(pieces), segments, marks)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[Removal], list[int]]:
    source = draw(st.text(alphabet='ab  \n."é', max_size=40))
    breaks = sorted(draw(st.sets(st.integers(0, max(len(source) - 1, 0)), max_size=8))) if source else []
    removals = []
    for _ in range(draw(st.integers(0, 4))):
        if not source:
            break
        start = draw(st.integers(0, len(source) - 1))
        end = draw(st.integers(start, len(source)))
        removals.append(Removal(start=start, end=end, text=source[start:end], stage="x", reason="x"))
    return source, removals, breaks


@settings(max_examples=3000, deadline=None)
@given(cases())
def test_view_of_is_what_it_was(case: tuple[str, list[Removal], list[int]]) -> None:
    new, old = view_of(*case), reference_view_of(*case)
    assert (new.text, new.segments, new.marks) == (old.text, old.segments, old.marks)


def test_view_of_glued_and_spaced_units() -> None:
    source = 'One. Two."Three. Four.\n'
    breaks = [5, 10, 17]
    for removals in ([], [Removal(start=5, end=10, text=source[5:10], stage="x", reason="x")]):
        new, old = view_of(source, removals, breaks), reference_view_of(source, removals, breaks)
        assert (new.text, new.segments, new.marks) == (old.text, old.segments, old.marks)
    assert view_of(source, [], breaks).text == 'One.\nTwo."\nThree.\nFour.\n'
