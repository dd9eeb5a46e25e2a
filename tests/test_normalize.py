"""Canonical text, case by case (the property test in test_properties.py checks idempotence on any text)."""

from __future__ import annotations

import pytest

from cleaner.normalize import normalize

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
]


@pytest.mark.parametrize(("name", "raw", "canonical"), CASES, ids=[c[0] for c in CASES])
def test_canonical_text(name: str, raw: str, canonical: str) -> None:
    assert normalize(raw) == canonical
    assert normalize(canonical) == canonical


def test_mojibake_at_the_end_of_a_line_normalizes_once() -> None:
    """Found by the property test in CI: ftfy reads a line's end, so the fixpoint is judged on the final form."""
    once = normalize("Â¥À")
    assert normalize(once) == once
