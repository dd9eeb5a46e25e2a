"""Canonical text, case by case (the property test in test_properties.py checks idempotence on any text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.normalize import _normalize_fully, is_canonical, normalize

CASES = [
    ("crlf and cr", "one\r\ntwo\rthree", "one\ntwo\nthree\n"),
    ("unicode line breaks", "a\u2028b\u2029c\x0bd\x0ce", "a\nb\nc\nd\ne\n"),
    ("blank lines and edges", "\n\n  first  \n\n\n\tsecond\t\n\n", "first\nsecond\n"),
    ("spaces collapse", "a  b\t\tc\u00a0\u00a0d\u3000e", "a b c d e\n"),
    ("zero-width and bom", "\ufeffzero\u200bwidth\u2060joined\u00adsoft", "zerowidthjoinedsoft\n"),
    ("c0 and c1 controls", "a\x00b\x07c\x1fd\x7fe\x81f", "abcdef\n"),
    ("lone surrogate", "x\ud800y", "xy\n"),
    ("mojibake repaired", "The cafÃ© said â€œhelloâ€\x9d", "The café said “hello”\n"),
    ("quotes and dashes kept", "“Quoted” ‘single’ – en — em", "“Quoted” ‘single’ – en — em\n"),
    ("nfc", "e\u0301te\u0301", "\u00e9t\u00e9\n"),
    ("zwnj kept (Persian)", "می\u200cخواهم", "می\u200cخواهم\n"),
    ("empty", " \n\t\n", ""),
    # A vertical tab breaks the line, whether or not mojibake elsewhere sends the text through ftfy (which deleted it)
    ("vertical tab", "First line\vsecond line\n", "First line\nsecond line\n"),
    ("vertical tab and mojibake", "First\vsecond\ncafÃ© au lait\n", "First\nsecond\ncafé au lait\n"),
]


@pytest.mark.parametrize(("name", "raw", "canonical"), CASES, ids=[c[0] for c in CASES])
def test_canonical_text(name: str, raw: str, canonical: str) -> None:
    assert normalize(raw) == canonical
    assert normalize(canonical) == canonical


def test_mojibake_at_the_end_of_a_line_normalizes_once() -> None:
    """Found by the property test in CI: ftfy reads a line's end, so the fixpoint is judged on the final form."""
    once = normalize("Â¥À")
    assert normalize(once) == once


# Text that hits every condition of the fast path: edges, doubled and odd spaces, blank lines, invisible and
# mojibake characters, decomposed accents.
_PIECES = st.sampled_from(
    [
        "a",
        "Zß",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\t",
        "\r",
        "\u00a0",
        "\u2028",
        "\x85",
        "\x1c",
        "\u200b",
        "\u00ad",
        "\x00",
        "e\u0301",
        "é",
        "Ã©",
        "â€œ",
        "\ufffd",
        "\u200c",
        "“x”",
        "İ",
        "\ud800",
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=12).map("".join))
def test_the_canonical_shortcut_agrees_with_the_full_procedure(text: str) -> None:
    """`normalize` returns text untouched when `is_canonical` says so: that must be exactly when the full
    procedure would return it unchanged (one direction is required for correctness, the other for speed)."""
    full = _normalize_fully(text)
    if text and is_canonical(text):
        assert full == text
    if full:
        assert is_canonical(full) == (_normalize_fully(full) == full)


def test_canonical_text_is_returned_as_is_and_untidy_text_is_not() -> None:
    canonical = "Headline\nBody with “quotes” and é.\n"
    assert is_canonical(canonical) and normalize(canonical) is canonical
    for untidy in ("a  b\n", "a \n", " a\n", "a\n\nb\n", "a\tb\n", "a\r\nb\n", "a", "a\u200bb\n", "e\u0301\n"):
        assert not is_canonical(untidy), untidy
