"""The shortcuts `cleaner.segment` takes for speed give what the plain computations give."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.segment import _DATELINE, _dateline_starts

# Words whose first letter is upper case by one Unicode table and not the other (U+1C89, U+A7CB are `\p{Lu}` for
# `regex` but not `isupper()` in Python 3.11), title case (U+01C5), upper case but no letter (U+24B6), and plain ones.
_WORDS = st.sampled_from(
    ["WASHINGTON", "DC", "U.S.", "Baku", "the", "x", "ÉCOLE", "\u1c89X", "\ua7cbAB", "\u01c5Z", "\u24b6B", "é"]
)
_TEXT = st.lists(
    st.one_of(_WORDS, st.sampled_from([" ", " ", ", ", " - ", " – ", " — ", ".- ", "-", "- ", " -", "  "])),
    max_size=30,
).map("".join)


@settings(max_examples=600)
@given(_TEXT, st.integers(0, 20), st.integers(0, 20))
def test_dateline_starts_match_a_scan_of_every_position(text: str, cut_start: int, cut_end: int) -> None:
    start, end = min(cut_start, len(text)), max(len(text) - cut_end, 0)
    expected = [m.start() for m in _DATELINE.finditer(text, start, end)] if start < end else []
    assert _dateline_starts(text, start, end) == expected


# Sentences that repeat, headings glued to them with no full stop, and short bits under the indexed length.
_PIECES = st.sampled_from(
    [
        "The minister said the talks would go on.",
        "Talks stall",
        "Read more",
        "The minister said the talks would go on",
        "- ",
        "| ",
        "Ab.",
        "Prices rose sharply in March across the region.",
        "prices rose sharply in March across the region.",
        "Watch: Prices rose sharply in March across the region.",
    ]
)
_FLAT = st.lists(_PIECES, min_size=1, max_size=14).map(" ".join)


@settings(max_examples=600)
@given(_FLAT)
def test_split_glued_copies_cuts_units_at_spaces_into_copies_and_headings(text: str) -> None:
    from cleaner.segment import _split_glued_copies, sentences

    found = sentences(text)
    pieces = _split_glued_copies(text, found)
    for start, end in found:
        own = [piece for piece in pieces if start <= piece[0] < end]
        assert own[0][0] == start and own[-1][1] == end
        assert all(text[a[1] : b[0]] == " " for a, b in itertools.pairwise(own))
        # every cut has a copy of what came before on one side of it: the pieces from the cut on, or up to it (a
        # copy is cut again where it holds a copy of its own, so the copy may be several pieces)
        earlier = {text[a:b] for a, b in pieces if b <= start}
        for cut in range(1, len(own)):
            after = any(text[own[cut][0] : own[last][1]] in earlier for last in range(cut, len(own)))
            before = any(text[own[first][0] : own[cut - 1][1]] in earlier for first in range(cut))
            assert after or before, (text, [text[a:b] for a, b in own])


def test_a_heading_glued_to_two_copies_is_cut_from_both() -> None:
    from cleaner.segment import _split_glued_copies

    first, second = "The minister said the talks would go on.", "Prices rose sharply in March across the region."
    text = f"{first} {second}\n{first} {second} Read more"
    found = [(0, len(first)), (len(first) + 1, len(first) + 1 + len(second)), (len(first) + len(second) + 2, len(text))]
    pieces = [text[a:b] for a, b in _split_glued_copies(text, found)]
    assert pieces == [first, second, first, second, "Read more"]


@settings(max_examples=300)
@given(_FLAT)
def test_is_separator_matches_the_plain_test(text: str) -> None:
    from cleaner.segment import _SEPARATOR_CHARS, _is_separator, sentences
    from cleaner.sentences import split

    for span in [*split(text), *sentences(text), (0, 0), (len(text), len(text))]:
        assert _is_separator(text, span) == all(char in _SEPARATOR_CHARS for char in text[span[0] : span[1]])
