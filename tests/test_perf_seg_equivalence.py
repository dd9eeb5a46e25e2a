"""The faster `cleaner.segment` code gives what the plain code it replaced gives (kept here as the reference)."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.record import Removal, Span
from cleaner.segment import _cut_glued, _dateline_dashes, _split_glued_copies, live_spans, sentences


def _plain_live_spans(source: str, spans: list[Span], removals: list[Removal]) -> tuple[list[int], list[str]]:
    """`live_spans` as a walk of every span."""
    if not removals:
        return list(range(len(spans))), [source[s:e] for s, e in spans]
    cuts = sorted((r.start, r.end) for r in removals)
    live: list[int] = []
    texts: list[str] = []
    cursor = 0
    for index, (start, end) in enumerate(spans):
        while cursor < len(cuts) and cuts[cursor][1] <= start:
            cursor += 1
        if cursor == len(cuts) or cuts[cursor][0] >= end:
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


_LENGTH = 60


@st.composite
def spans_and_removals(draw: st.DrawFn) -> tuple[list[Span], list[Removal]]:
    """Sorted spans apart from each other (touching or not), and removals anywhere, overlapping or empty."""
    bounds = sorted(draw(st.sets(st.integers(0, _LENGTH), max_size=24)))
    spans = [(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=False)]
    if draw(st.booleans()):  # spans that touch, as a paragraph's sentences nearly do
        spans = list(itertools.pairwise(bounds))
    removals = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, _LENGTH))
        end = draw(st.integers(start, min(_LENGTH, start + draw(st.sampled_from([0, 1, 3, 10, 40])))))
        removals.append(Removal(start=start, end=end, text="", stage="test", reason="test"))
    return spans, removals


@settings(max_examples=1500)
@given(spans_and_removals())
def test_live_spans_matches_the_walk_of_every_span(case: tuple[list[Span], list[Removal]]) -> None:
    spans, removals = case
    source = "".join(chr(ord("a") + i % 26) for i in range(_LENGTH))
    assert live_spans(source, spans, removals) == _plain_live_spans(source, spans, removals)


def _plain_split_glued_copies(text: str, found: list[Span]) -> list[Span]:
    """`_split_glued_copies` with every piece of every unit indexed in a list, and every unit cut by `_cut_glued`."""
    by_end: dict[str, list[str]] = {}
    by_start: dict[str, list[str]] = {}
    out: list[Span] = []
    for start, end in found:
        first = len(out)
        _cut_glued(text, start, end, by_end, by_start, out)  # type: ignore[arg-type]  # lists iterate as dicts do
        for low, high in out[first:]:
            if high - low >= 20:
                piece = text[low:high]
                by_end.setdefault(piece[-16:], []).append(piece)
                by_start.setdefault(piece[:16], []).append(piece)
    return out


_PIECES = st.sampled_from(
    [
        "The minister said the talks would go on.",
        "The minister said the talks would go on",
        "Talks stall",
        "Talks stall The minister said the talks would go on.",
        "Read more",
        "T.",
        "H.",
        "- ",
        "Prices rose sharply in March across the region.",
        "Prices rose sharply in March across the region",
        "Watch: Prices rose sharply in March across the region.",
        "Prices rose sharply in March across the region. Watch",
        "The minister said the talks would go on. Prices rose sharply in March across the region.",
    ]
)


@settings(max_examples=1500)
@given(st.lists(_PIECES, min_size=1, max_size=16).map(" ".join))
def test_split_glued_copies_matches_cutting_every_unit(text: str) -> None:
    found = sentences(text)
    assert _split_glued_copies(text, found) == _plain_split_glued_copies(text, found)


# The scan `_dateline_dashes` replaced: a dash with a space each side and a non-space after, by `re`.
_DATELINE_DASH = re.compile("[-–—](?<= [-–—])(?= \\S)")
_DASHED = st.lists(
    st.sampled_from([" ", "  ", "-", "–", "—", "A", "é", "\u00a0", "\u3000", "\t", "\n", "\u2028", "x-y", " - "]),
    max_size=30,
).map("".join)


@settings(max_examples=1500)
@given(_DASHED, st.integers(0, 40), st.integers(0, 40))
def test_dateline_dashes_are_what_the_scan_finds(text: str, low: int, high: int) -> None:
    start, end = min(low, high, len(text)), min(max(low, high), len(text))
    expected = [match.start() for match in _DATELINE_DASH.finditer(text, start, end)]
    assert sorted(_dateline_dashes(text, start, end)) == expected
