"""The registry of rule kinds: what a `kind = "..."` in a rule file means, in one place.

A kind is one `Kind` definition, registered once with `register`: how it finds the spans to remove in the text the
rule stage shows it (`find`), whether removing other text can change what it matches (`sees_context`: when not,
the stage need not run it again after other removals), and whether it judges each line alone (`find_in_lines`:
then the prefilter gates it line by line, and it runs on the candidate lines only). Loading a rule file looks the
kind up here, so an unknown kind is a load error that lists these names.

The text a kind sees is canonical (one line per paragraph, each ending with "\\n"), and when the document has units
(sentences of a flattened paragraph) every unit is a line of its own (`cleaner.rules.apply._view`). Spans a kind
returns must keep that text canonical once deleted: whole lines with their "\\n", or a part of one line (the
stage adds one adjacent space). Spans are checked for overlaps and placed by the rule stage, not here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import regex

from cleaner.record import Span, merge_spans
from cleaner.segment import paragraphs


class RuleTimeout(Exception):
    """A pattern ran out of time on this document."""


# Budgets are CPU time, the clock `regex` itself times a call with (C `clock()`): a paused or loaded process does
# not use them up, so whether a pattern times out does not depend on load. A deadline that spans several calls
# (the lines of a `line` rule) is kept on the same clock.
cpu_clock = time.process_time

# (pattern, canonical text, CPU deadline) -> spans to remove; raises RuleTimeout past the deadline.
Finder = Callable[[regex.Pattern[str], str, float], list[Span]]
# (pattern, canonical text, the candidate lines as (start, end) without their "\n", CPU deadline) -> spans.
LineFinder = Callable[[regex.Pattern[str], str, Iterable[Span], float], list[Span]]


@dataclass(frozen=True, slots=True)
class Kind:
    """One rule kind. `find` must give the same spans as `find_in_lines` on all lines, when that is set."""

    name: str
    find: Finder
    sees_context: bool = True
    find_in_lines: LineFinder | None = None
    summary: str = ""  # one line for messages and docs

    @property
    def line_trigger(self) -> bool:
        """Whether the prefilter's trigger is per line: the pattern must fully match one line (prefixes count)."""
        return self.find_in_lines is not None


# name -> definition, in registration order (the order messages list them in)
KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make `kind` usable in rule files; a second definition under a taken name is a programming error."""
    existing = KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"rule kind {kind.name!r} is registered already")
    KINDS[kind.name] = kind
    return kind


def kind_names() -> list[str]:
    return list(KINDS)


def unknown_kind(name: object) -> str:
    """The message for a kind that is not registered (the caller says which file and rule)."""
    return f"unknown kind {name!r}; valid kinds are: {', '.join(KINDS)}"


def find_spans_with(kind: Kind, pattern: regex.Pattern[str], source: str, deadline: float) -> list[Span]:
    """What `kind` removes from canonical `source`, empty spans dropped."""
    return [(start, end) for start, end in kind.find(pattern, source, deadline) if end > start]


# --- regex calls under one CPU deadline ---------------------------------------------------------------------------


def remaining(deadline: float) -> float:
    left = deadline - cpu_clock()
    if left <= 0:
        raise RuleTimeout
    return left


def finditer(pattern: regex.Pattern[str], source: str, deadline: float) -> list[regex.Match[str]]:
    try:
        return list(pattern.finditer(source, timeout=remaining(deadline)))
    except TimeoutError:
        raise RuleTimeout from None


def search(pattern: regex.Pattern[str], source: str, deadline: float) -> regex.Match[str] | None:
    try:
        return pattern.search(source, timeout=remaining(deadline))
    except TimeoutError:
        raise RuleTimeout from None


def line_start(source: str, position: int) -> int:
    return source.rfind("\n", 0, position) + 1


def line_end(source: str, position: int) -> int:
    """Index of the "\\n" ending the line that contains `position` (canonical text always ends with one)."""
    end = source.find("\n", position)
    return len(source) if end < 0 else end


# --- the bundled kinds --------------------------------------------------------------------------------------------


def fullmatched_lines(pattern: regex.Pattern[str], source: str, lines: Iterable[Span], deadline: float) -> list[Span]:
    """Those of `lines` ((start, end) without the "\\n") that the pattern fully matches, each with its "\\n".

    The pattern sees the line alone, as a string of its own: `^`, `$`, `\\A`, `\\z` and lookarounds stop at its
    edges, whatever its flags, so a line rule judges its line and nothing else."""
    spans: list[Span] = []
    fullmatch = pattern.fullmatch
    try:
        for start, end in lines:
            if fullmatch(source[start:end], timeout=remaining(deadline)):
                spans.append((start, end + 1))
    except TimeoutError:
        raise RuleTimeout from None
    return merge_spans(spans)


def _line(pattern: regex.Pattern[str], source: str, deadline: float) -> list[Span]:
    """Whole lines the pattern fully matches."""
    return fullmatched_lines(pattern, source, paragraphs(source), deadline)


def _span(pattern: regex.Pattern[str], source: str, deadline: float) -> list[Span]:
    """Matches inside one line, without their edge spaces; neighbours separated only by spaces are merged, and
    a span that covers its whole line becomes that line with its "\\n"."""
    spans: list[Span] = []
    for match in finditer(pattern, source, deadline):
        start, end = match.span()
        text = source[start:end]
        if "\n" in text or not text.strip(" "):
            continue  # a span rule never crosses lines
        start += len(text) - len(text.lstrip(" "))
        end -= len(text) - len(text.rstrip(" "))
        if spans and spans[-1][1] <= start and not source[spans[-1][1] : start].strip(" "):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    result: list[Span] = []
    for start, end in spans:
        if start == line_start(source, start) and end == line_end(source, start):
            result.append((start, end + 1))
        else:
            result.append((start, end))
    return result


def _block(pattern: regex.Pattern[str], source: str, deadline: float) -> list[Span]:
    """Every non-empty match, snapped out to whole lines."""
    spans = [
        (line_start(source, match.start()), line_end(source, match.end() - 1) + 1)
        for match in finditer(pattern, source, deadline)
        if match.end() > match.start()
    ]
    return merge_spans(spans)


# `tail` and `head` ignore empty matches, like `block`: an empty alternative (`Comments|`) or a bare anchor matches
# everywhere, and would take the whole document. Each cuts until what is left holds no match, because a pattern
# that looks at the text's edges (`\A`, `\z`, `$`) can match anew at the new edge: without that, cleaning the
# cleaned text would cut again.


def _tail(pattern: regex.Pattern[str], source: str, deadline: float) -> list[Span]:
    """From the first line a match touches to the end."""
    cut = len(source)
    while cut:
        match = _first_nonempty(pattern, source[:cut] if cut < len(source) else source, deadline)
        if match is None:
            break
        cut = line_start(source, match.start())
    return [(cut, len(source))] if cut < len(source) else []


def _head(pattern: regex.Pattern[str], source: str, deadline: float) -> list[Span]:
    """From the start through the last line a match touches (through the first, what is left would still match)."""
    cut = 0
    while cut < len(source):
        rest = source[cut:] if cut else source
        matches = [m for m in finditer(pattern, rest, deadline) if m.end() > m.start()]
        if not matches:
            break
        cut = min(cut + line_end(rest, matches[-1].end() - 1) + 1, len(source))
    return [(0, cut)] if cut else []


def _first_nonempty(pattern: regex.Pattern[str], source: str, deadline: float) -> regex.Match[str] | None:
    match = search(pattern, source, deadline)
    if match is None or match.end() > match.start():
        return match
    return next((m for m in finditer(pattern, source, deadline) if m.end() > m.start()), None)


# A `line` rule judges each line alone (its pattern cannot look past the line), so removing other lines cannot
# change what it matches; every other kind sees the text around its match.
LINE = register(
    Kind("line", _line, sees_context=False, find_in_lines=fullmatched_lines, summary="whole lines it fully matches")
)
SPAN = register(Kind("span", _span, summary="the matched text inside one line"))
BLOCK = register(Kind("block", _block, summary="a match snapped to whole lines"))
TAIL = register(Kind("tail", _tail, summary="from the first line a match touches to the end"))
HEAD = register(Kind("head", _head, summary="from the start through the last line a match touches"))
