"""The shortcuts `cleaner.segment` takes for speed give what the plain computations give."""

from __future__ import annotations

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
