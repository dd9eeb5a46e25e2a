"""Canonical text, case by case (the property test in test_properties.py checks idempotence on any text)."""

from __future__ import annotations

import json
from pathlib import Path

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import normalize as normalize_module
from cleaner.normalize import (
    _INVISIBLE,
    _ftfy_config,
    _normalize_fully,
    _tidy,
    has_mojibake_evidence,
    is_canonical,
    normalize,
)

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


FTFY_CASES = json.loads((Path(__file__).parent / "ftfy_cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", FTFY_CASES, ids=[c["label"] for c in FTFY_CASES])
def test_ftfy_test_cases_it_repairs_still_go_through_ftfy(case: dict[str, str]) -> None:
    """Cases from ftfy's own test suite that the old trigger sent to ftfy and ftfy changed: the narrowed gate
    still sends them, and the output is byte for byte what it was."""
    original = case["original"]
    assert has_mojibake_evidence(original)
    assert ftfy.fix_text(original, _ftfy_config()) != original
    assert normalize(original) == case["normalized"]


@pytest.fixture
def ftfy_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text handed to ftfy while the test runs."""
    calls: list[str] = []
    real = ftfy.fix_text

    def spy(text: str, *args: object, **kwargs: object) -> str:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(ftfy, "fix_text", spy)
    return calls


@pytest.mark.parametrize(
    "text",
    [
        "Paris \ufffd London",
        "Москва\ufffd — столица",
        "“Quoted”\ufffd and – dashes \ufffd\ufffd",
        "日本語\ufffdのテキスト",
        "naïve café \ufffd résumé",  # Latin-1 letters, but none next to the U+FFFD
    ],
)
def test_a_lone_replacement_character_is_not_evidence(text: str, ftfy_calls: list[str]) -> None:
    assert not has_mojibake_evidence(text)
    assert normalize(text) == text + "\n"
    assert ftfy_calls == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("The cafÃ© opened", "mojibake pair"),
        ("donâ€™t", "mojibake pair (cp1252 punctuation)"),
        ("a stray \x85 control", "C1 control"),
        ("Ã\ufffd lost a byte", "U+FFFD after a Latin-1 letter"),
        ("\ufffd\u00e9t\u00e9", "U+FFFD before a Latin-1 letter"),
        ("OceanĂ\ufffd", "U+FFFD after a lead byte read as cp1250"),
    ],
)
def test_evidence_sends_text_through_ftfy(text: str, why: str, ftfy_calls: list[str]) -> None:
    assert has_mojibake_evidence(text), why
    normalize(text)
    assert ftfy_calls, why


def test_text_without_evidence_is_never_sent_to_ftfy(ftfy_calls: list[str]) -> None:
    for text in ("plain ASCII\n", "Grüße aus Köln, «bien sûr»\n", "Ελληνικά κείμενα\n", "x\u00a0y\n"):
        normalize(text)
    assert ftfy_calls == []


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from("aé Ã©â€™\x85\x9d\ufffdĂЖ“ \nŒƒŸ€™\x80\xbf\xc2\xf4\xf5"), max_size=20))
def test_the_cheap_scans_agree_with_the_evidence_pattern(text: str) -> None:
    """The byte scans in front of the regex only skip text the regex would not match."""
    pattern = (normalize_module._LIKELY_MOJIBAKE, normalize_module._LOSSY_MOJIBAKE)
    assert has_mojibake_evidence(text) == any(p.search(text) is not None for p in pattern)


def _tidy_the_long_way(text: str) -> str:
    import unicodedata

    text = _INVISIBLE.sub("", text)
    text = "\n".join(filter(None, (" ".join(line.split()) for line in text.splitlines())))
    return unicodedata.normalize("NFC", text)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=12).map("".join))
def test_the_tidy_shortcut_agrees_with_splitting_and_joining(text: str) -> None:
    assert _tidy(text) == _tidy_the_long_way(text)
