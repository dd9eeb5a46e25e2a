"""News-aware masking: the parts of a boilerplate line that change from page to page.

"Updated 10:42 AM, Nov 3, 2025 | 12 comments" and "Updated 9:05 PM, Jan 21, 2026 | 3 comments" are the same
boilerplate. Masking replaces dates, times, weekdays and numbers (counters such as "3 comments", "1.2K views")
with placeholders and folds case and spacing, so such variants share one key; `template` turns the same
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

# (placeholder, regex) in priority order: each is also the pattern written into learned rules.
_CLASSES: tuple[tuple[str, str], ...] = (
    (
        "date",
        rf"(?:{_MONTH} {_DAY}(?:,? {_YEAR})?|{_DAY} {_MONTH}(?:,? {_YEAR})?|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}})",
    ),
    ("time", r"\d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp]\.?[Mm]\.?)?"),
    ("weekday", r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"),
    ("number", r"\d+(?:[.,]\d+)*[KkMm]?"),
)
_MASK = regex.compile(
    "|".join(rf"(?P<{name}>(?<![\p{{L}}\p{{N}}]){pattern}(?![\p{{L}}\p{{N}}]))" for name, pattern in _CLASSES),
    regex.IGNORECASE,
)
CLASS_PATTERNS = dict(_CLASSES)
_WORD = regex.compile(r"\p{L}{2,}")


@dataclass(frozen=True, slots=True)
class Segment:
    """A literal piece of text, or a masked piece with its class name."""

    text: str
    kind: str | None = None  # None for literal text, else "date" | "time" | "weekday" | "number"


def segments(text: str) -> list[Segment]:
    """Split `text` into literal and masked segments, left to right."""
    out: list[Segment] = []
    cursor = 0
    for match in _MASK.finditer(text):
        if match.start() > cursor:
            out.append(Segment(text[cursor : match.start()]))
        out.append(Segment(match.group(), match.lastgroup))
        cursor = match.end()
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out


def mask(text: str) -> str:
    """The key two variants share: masked classes as placeholders, case folded, spacing collapsed."""
    parts = [f"\x00{s.kind}\x00" if s.kind else s.text.casefold() for s in segments(text)]
    return " ".join("".join(parts).split())


def has_literal_words(text: str) -> bool:
    """Whether any word of two letters or more survives masking: a rule for "12" or a bare date is too blunt."""
    return any(_WORD.search(s.text) for s in segments(text) if s.kind is None)


def template(text: str) -> str:
    """A regex matching `text` and its masked variants: literal parts escaped, masked parts by class."""
    pieces = []
    for segment in segments(text):
        if segment.kind is None:
            pieces.append(regex.escape(segment.text, special_only=True, literal_spaces=True))
        else:
            pattern = CLASS_PATTERNS[segment.kind]
            pieces.append(pattern if segment.kind == "number" else f"(?i:{pattern})")
    return "".join(pieces)
