"""News-aware masking: the parts of a boilerplate line that change from page to page.

"Updated 10:42 AM, Nov 3, 2025 | 12 comments" and "Updated 9:05 PM, Jan 21, 2026 | 3 comments" are the same
boilerplate. Masking replaces dates, times, weekdays and numbers (counters such as "3 comments", "1.2K views",
also glued to the word before them: "page24") with placeholders, a URL by its host (permalinks differ only in
their ids: "https://example.com/s/83d1f2c9"), a per-article id (a token of 8 or more letters and digits with two
digits or more), and folds case and spacing, so such variants share one key; `template` turns the same
segmentation into a regex (literal text escaped, masked parts as their class pattern) that matches them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"\d{4}"

# (placeholder, regex) in priority order: each is also the pattern written into learned rules (a URL's is its
# scheme and host, literal, then `_URL_PATH`).
_CLASSES: tuple[tuple[str, str], ...] = (
    ("url", r"(?:https?://|www\.)[^\s/]+(?:/\S*)?"),
    (
        "date",
        rf"(?:{_MONTH} {_DAY}(?:,? {_YEAR})?|{_DAY} {_MONTH}(?:,? {_YEAR})?|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}})",
    ),
    ("time", r"\d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp]\.?[Mm]\.?)?"),
    ("weekday", r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"),
    ("id", r"(?=(?:[A-Za-z]*\d){2})[A-Za-z0-9]{8,}"),
    ("number", r"\d+(?:[.,]\d+)*[KkMm]?"),
)
# A number may follow letters ("page24", "p.12"); every other class starts and ends at a word boundary.
_WORD_BEFORE = r"(?<![\p{L}\p{N}])"
_WORD_AFTER = r"(?![\p{L}\p{N}])"
_BEFORE = {"number": r"(?<![\p{N}])", "url": r"(?<![\p{L}\p{N}/])"}



def _scanner(names: tuple[str, ...]) -> regex.Pattern[str]:
    return regex.compile(
        "|".join(
            f"(?P<{name}>{_BEFORE.get(name, _WORD_BEFORE)}{pattern}{'' if name == 'url' else _WORD_AFTER})"
            for name, pattern in _CLASSES
            if name in names
        ),
        regex.IGNORECASE,
    )


# Two scans, as one alternation tried at every character costs ~1 ms per 500 characters: URLs and weekdays (which
# start on a letter: scanned directly), and the classes that hold a digit, tried only in a window around each digit.
_WORD_MASK = _scanner(("url", "weekday"))
_DIGIT_MASK = _scanner(("date", "time", "id", "number"))
_DIGIT = regex.compile(r"\d")
_DIGIT_BEFORE = 12  # a digit class starts at most this far before its first digit ("September 3", "ab12cd34ef")

_URL_HOST = regex.compile(r"(?:https?://|www\.)[^\s/]+", regex.IGNORECASE)
_URL_PATH = r"(?:/\S*)?"
_ID_TEMPLATE = r"[A-Za-z0-9]{8,}"  # in a rule, an id is any such token (the key's two-digit test is for masking)
CLASS_PATTERNS = dict(_CLASSES)
_WORD = regex.compile(r"\p{L}{2,}")


@dataclass(frozen=True, slots=True)
class Segment:
    """A literal piece of text, or a masked piece with its class name."""

    text: str
    kind: str | None = None  # None for literal text, else "url" | "date" | "time" | "weekday" | "id" | "number"


# Every class but the weekday needs a digit or a URL start; a text without those (most boilerplate) skips the scans.
_WEEKDAY_STEMS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PRIORITY = {name: i for i, (name, _pattern) in enumerate(_CLASSES)}


def _digit_matches(text: str) -> list[tuple[int, int, str]]:
    """Matches of the digit classes: each tried (anchored) only where one can start before a digit: the start of
    the word before it ("Nov 3"), of its own word ("10:42", "a1b2c3d4"), or at the digit ("page24")."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    length = len(text)
    while (digit := _DIGIT.search(text, pos)) is not None:
        at = digit.start()
        word = at
        while word > pos and not text[word - 1].isspace():
            word -= 1
        before = word
        while before > pos and text[before - 1].isspace():
            before -= 1
        while before > pos and not text[before - 1].isspace():
            before -= 1
        match = None
        for start in sorted({before, word, at}):
            if at - start <= _DIGIT_BEFORE or start == at:
                match = _DIGIT_MASK.match(text, start)
                if match is not None and match.end() > at:
                    break
                match = None
        if match is None:
            pos = at + 1
            while pos < length and text[pos].isdigit():
                pos += 1
            continue
        found.append((match.start(), match.end(), match.lastgroup or "number"))
        pos = max(match.end(), at + 1)
    return found


def segments(text: str) -> list[Segment]:
    """Split `text` into literal and masked segments, left to right (where classes overlap, the one that starts
    first, then the earlier class, wins)."""
    lower = text.lower()
    words = "http" in lower or "www." in lower or any(stem in lower for stem in _WEEKDAY_STEMS)
    digits = _DIGIT.search(text) is not None
    if not words and not digits:
        return [Segment(text)] if text else []
    found = [(m.start(), m.end(), m.lastgroup or "weekday") for m in _WORD_MASK.finditer(text)] if words else []
    if digits:
        found += _digit_matches(text)
    priority = _PRIORITY
    found.sort(key=lambda item: (item[0], priority[item[2]]))
    out: list[Segment] = []
    cursor = 0
    for start, end, kind in found:
        if start < cursor:
            continue  # inside an earlier masked part (a number inside a URL)
        if start > cursor:
            out.append(Segment(text[cursor:start]))
        out.append(Segment(text[start:end], kind))
        cursor = end
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out


def mask(text: str) -> str:
    """The key two variants share: masked classes as placeholders, case folded, spacing collapsed."""
    parts = [_placeholder(s) if s.kind else s.text.casefold() for s in segments(text)]
    return " ".join("".join(parts).split())


def _placeholder(segment: Segment) -> str:
    if segment.kind == "url":  # one site's permalinks share a key, other sites' links do not
        host = _URL_HOST.match(segment.text)
        return f"\x00url:{(host.group() if host else segment.text).casefold()}\x00"
    return f"\x00{segment.kind}\x00"


def mask_and_words(text: str) -> tuple[str, bool]:
    """`mask(text)` and `has_literal_words(text)` from one segmentation."""
    found = segments(text)
    key = " ".join("".join(_placeholder(s) if s.kind else s.text.casefold() for s in found).split())
    return key, any(_WORD.search(s.text) for s in found if s.kind is None)


def has_literal_words(text: str) -> bool:
    """Whether any word of two letters or more survives masking: a rule for "12" or a bare date is too blunt."""
    return any(_WORD.search(s.text) for s in segments(text) if s.kind is None)


def template(text: str) -> str:
    """A regex matching `text` and its masked variants: literal parts escaped, masked parts by class."""
    pieces = []
    for segment in segments(text):
        if segment.kind is None:
            pieces.append(regex.escape(segment.text, special_only=True, literal_spaces=True))
        elif segment.kind == "url":
            host = _URL_HOST.match(segment.text)
            literal = host.group() if host else segment.text
            pieces.append(f"(?i:{regex.escape(literal, special_only=True)}){_URL_PATH}")
        elif segment.kind == "id":
            pieces.append(_ID_TEMPLATE)
        else:
            pattern = CLASS_PATTERNS[segment.kind]
            pieces.append(pattern if segment.kind == "number" else f"(?i:{pattern})")
    return "".join(pieces)
