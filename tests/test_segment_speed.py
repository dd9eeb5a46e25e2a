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


def _split_glued_copies_plainly(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`_split_glued_copies` as first written: every piece sliced and indexed the same way, no shortcut."""
    from cleaner.segment import _GLUED_HEADING_CHARS, _GLUED_KEY_CHARS, _GLUED_MIN_CHARS, _starts_unit

    by_end: dict[str, list[str]] = {}
    by_start: dict[str, list[str]] = {}
    out: list[tuple[int, int]] = []
    for start, end in found:
        unit = text[start:end]
        cut = None
        for earlier in by_end.get(unit[-_GLUED_KEY_CHARS:], ()):
            k = len(unit) - len(earlier) - 1
            if (
                0 < k <= _GLUED_HEADING_CHARS
                and unit[k] == " "
                and _starts_unit(unit, k + 1)
                and unit[k + 1 :] == earlier
            ):
                cut = k
                break
        if cut is None:
            for earlier in by_start.get(unit[:_GLUED_KEY_CHARS], ()):
                k = len(earlier)
                if (
                    0 < len(unit) - k - 1 <= _GLUED_HEADING_CHARS
                    and unit[k] == " "
                    and _starts_unit(unit, k + 1)
                    and unit[:k] == earlier
                ):
                    cut = k
                    break
        pieces = [(start, end)] if cut is None else [(start, start + cut), (start + cut + 1, end)]
        for low, high in pieces:
            piece = text[low:high]
            if len(piece) >= _GLUED_MIN_CHARS:
                by_end.setdefault(piece[-_GLUED_KEY_CHARS:], []).append(piece)
                by_start.setdefault(piece[:_GLUED_KEY_CHARS], []).append(piece)
        out.extend(pieces)
    return out


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
def test_split_glued_copies_matches_the_plain_version(text: str) -> None:
    from cleaner.segment import _split_glued_copies, sentences

    found = sentences(text)
    assert _split_glued_copies(text, found) == _split_glued_copies_plainly(text, found)


@settings(max_examples=300)
@given(_FLAT)
def test_is_separator_matches_the_plain_test(text: str) -> None:
    from cleaner.segment import _SEPARATOR_CHARS, _is_separator, sentences
    from cleaner.sentences import split

    for span in [*split(text), *sentences(text), (0, 0), (len(text), len(text))]:
        assert _is_separator(text, span) == all(char in _SEPARATOR_CHARS for char in text[span[0] : span[1]])
