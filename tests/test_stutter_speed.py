"""The stutter stage's shortcuts decide as the long way would: the squashed ends of a unit are those of its squash,
and the glued-headline words found as far as asked are those found all at once."""

from __future__ import annotations

import sys
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.record import Document
from cleaner.segment import paragraphs, units
from cleaner.stutter import (
    _GLUED_WINDOW_WORDS,
    _IGNORED,
    _WORD,
    TitleOptions,
    _FirstWords,
    _squash,
    _squash_ends,
    find_stutters,
    mark_stutters,
)

# Ignored characters, letters and digits, and characters whose case-fold is longer or odd ("ß", "İ", "ﬁ", "ŉ").
TEXT = st.text(alphabet=st.sampled_from(_IGNORED + "aBcÉéß İıﬁŉΣσς7٣\u0301\u200d"), max_size=30)


def test_no_fold_starts_or_ends_with_an_ignored_character() -> None:
    ignored = set(_IGNORED)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        folded = char.casefold()
        if char in ignored:
            assert folded == char, hex(code)
        else:
            assert folded and folded[0] not in ignored and folded[-1] not in ignored, hex(code)


@given(TEXT)
def test_squash_ends_are_the_ends_of_the_squash(text: str) -> None:
    squashed = _squash(text)
    assert _squash_ends(text) == (squashed[:1], squashed[-1:])


@settings(max_examples=200)
@given(
    st.lists(st.sampled_from(["Banker", "loses", "ß-claim", "«É»", "x_y", "  ", ", ", "٣"]), max_size=120),
    st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=3),
)
def test_first_words_as_far_as_asked_are_those_found_at_once(pieces: list[str], asks: list[int], parts: int) -> None:
    source = " ".join(pieces)
    cuts = sorted({0, len(source), *(len(source) * k // (parts + 1) for k in range(1, parts + 1))})
    kept = list(pairwise(cuts))
    everything = [match for low, high in kept for match in _WORD.finditer(source, low, high)]
    folded = [match[0].casefold() for match in everything]
    words = _FirstWords(source, kept, _GLUED_WINDOW_WORDS)
    for count in asks:
        assert words.folded(count) == folded[: min(count, _GLUED_WINDOW_WORDS)]
        assert [m.span() for m in words.matches(count)] == [m.span() for m in everything[:count]]


def _doc(text: str, title: str | None = None) -> Document:
    doc = Document(id="t", source=text, url=None, meta={"title": title} if title else {}, origin=None)
    doc.paragraphs = paragraphs(text)
    doc.units = units(text, doc.paragraphs)
    return doc


def test_a_title_longer_than_the_first_test_reads_goes_with_its_copy() -> None:
    title = " ".join(f"w{k % 30}" for k in range(100))  # its first word comes back within 40 words
    doc = _doc(f"{title} {title} The body follows here.\n", title)
    mark_stutters([doc], TitleOptions(in_text="drop"))
    assert [(r.start, r.end) for r in doc.removals] == [(0, 2 * (len(title) + 1))]


def test_copies_of_a_long_headline_go_up_to_the_body() -> None:
    headline = " ".join(f"w{k}" for k in range(40))
    text = " ".join([headline] * 5) + " and the body.\n"
    removals = find_stutters(_doc(text), TitleOptions())
    assert [(r.start, r.end) for r in removals] == [(len(headline) + 1, 5 * (len(headline) + 1))]


def test_a_glued_headline_alone_on_its_line_goes_with_the_space_before_it() -> None:
    headline = "Banker loses sexism claim"
    text = f"{headline} {headline}\nA former banker lost her claim on Monday, the court said.\n"
    removals = find_stutters(_doc(text), TitleOptions())
    assert [(r.start, r.end) for r in removals] == [(len(headline), 2 * len(headline) + 1)]
