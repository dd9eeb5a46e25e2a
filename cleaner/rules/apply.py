"""The rule stage: find what each rule matches in the canonical text and mark it as removals.

Every removal leaves canonical text when deleted: line-based kinds take whole lines with their "\\n"; a `span`
takes one adjacent space (and becomes a line removal when it covers the whole line). Removals never overlap:
the site's rules run before the global files (`_default`), and a rule that runs earlier wins; later matches are
trimmed to the lines still free, or dropped when a span cannot be placed cleanly.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable

import regex

from cleaner.apply import delete_spans
from cleaner.normalize import is_canonical
from cleaner.record import Document, Removal, Span
from cleaner.rules.load import Rule, RuleFile, RuleSet
from cleaner.rules.match import site_for_host, site_for_text, url_host
from cleaner.rules.prefilter import Scan, Screen
from cleaner.segment import paragraphs


class RuleTimeout(Exception):
    """A pattern ran out of time on this document."""


# Budgets are CPU time, the clock `regex` itself times a call with (C `clock()`): a paused or loaded process does
# not use them up, so whether a pattern times out does not depend on load. A deadline that spans several calls
# (the lines of a `line` rule) is kept on the same clock.
_cpu_clock = time.process_time


def apply_rules(doc: Document, ruleset: RuleSet, timeout: float | None = None, *, again: bool = False) -> None:
    """Set `doc.site` and append this document's rule removals (and warnings) to `doc`.

    `again=True` is for a document whose text later stages have since cut: it keeps the site found the first
    time and runs only the rules whose matches can depend on the lines around them.
    """
    timeout = ruleset.timeout if timeout is None else timeout
    host = url_host(doc.url) if doc.url else None
    placed_before = again and doc.site is not None
    if placed_before:
        site: RuleFile | None = ruleset.files.get(doc.site)
    elif host is not None:
        site = site_for_host(ruleset, host)
    else:
        site = _detect(doc, ruleset, timeout)
    if site is not None:
        doc.site = site.name
    site_rules = site.rules if site is not None else []
    rules = [*site_rules, *(rule for rule_file in ruleset.global_files for rule in rule_file.rules)]
    if again:
        # Only rules whose matches can depend on the lines around them, and all of a site placed only now.
        fresh = set() if placed_before else set(map(id, site_rules))
        rules = [rule for rule in rules if rule.sees_context or id(rule) in fresh]
        if not rules:
            return  # only line rules here, and removing other lines cannot change what they match
    before = len(doc.removals)
    run_rules(doc, rules, timeout)
    if site is None and host is None and len(doc.removals) > before:
        # `detect` usually looks at the page's end, which may show only once boilerplate after it is gone:
        # without this, cleaning the cleaned text could place it and remove more.
        site = _detect(doc, ruleset, timeout)
        if site is not None:
            doc.site = site.name
            run_rules(doc, site.rules + [rule for f in ruleset.global_files for rule in f.rules], timeout)


def _detect(doc: Document, ruleset: RuleSet, timeout: float) -> RuleFile | None:
    """The site whose `detect` matches what is left of the document."""
    view = _view(doc.source, doc.removals)[0] if doc.removals else doc.source
    site, warnings = site_for_text(ruleset, view, timeout)
    doc.warnings.extend(w for w in warnings if w not in doc.warnings)
    return site


# Removing one match can complete another (a sidebar becomes the page's tail once an ad line after it is gone),
# so the rules run again on what is left until nothing new matches: cleaning cleaned text then changes nothing.
# The cap keeps a pathological rule (one that matches anew after each of its own removals, like `\(\)` on
# "((((...))))") from taking time quadratic in the document; a rule set needing more passes is not idempotent.
MAX_PASSES = 16


def run_rules(doc: Document, rules: Iterable[Rule], timeout: float, enforce_max_fraction: bool = True) -> None:
    """Run `rules` in order on what is left of `doc.source` after its removals so far, until nothing new matches;
    the building block of `apply_rules` and of `rules test`."""
    if not doc.source:
        return
    rules = list(rules)
    # rule id -> warning: timed out, not retried for this document (nor when the rules look again after later
    # stages: its warning is already on the document).
    skipped = (
        {r.qualified_id: w for r in rules if (w := _timeout_warning(r, timeout)) in doc.warnings}
        if doc.warnings
        else {}
    )
    # rule id -> warning: refused by max_fraction. Judged again whenever the rule runs again, since the share
    # depends on what is left (the cleaned text, when cleaning it again).
    refused: dict[str, str] = {}
    max_fraction = _MaxFraction(enforce_max_fraction)
    for _ in range(MAX_PASSES):
        view, segments = _view(doc.source, doc.removals)
        placed = _one_pass(
            view,
            [r for r in rules if r.qualified_id not in skipped] if skipped else rules,
            timeout,
            max_fraction,
            skipped,
            refused,
        )
        added: list[Removal] = []
        for (start, end), rule in placed:
            for piece_start, piece_end in _to_source(segments, start, end):
                added.append(
                    Removal(
                        start=piece_start,
                        end=piece_end,
                        text=doc.source[piece_start:piece_end],
                        stage=rule.stage,
                        reason=rule.reason,
                        rule=rule.qualified_id,
                    )
                )
        added.sort(key=lambda r: r.start)
        doc.removals.extend(added)
        if not added:
            break
        # Once only whole lines have gone, a rule that judges each line alone cannot match anew; a span cut out
        # of a line changes that line, so then every rule looks again.
        if all(_whole_lines(doc.source, r.start, r.end) for r in added):
            rules = [rule for rule in rules if rule.sees_context]
            if not rules:
                break
    doc.warnings.extend(w for w in (*skipped.values(), *refused.values()) if w not in doc.warnings)


def _whole_lines(source: str, start: int, end: int) -> bool:
    return (start == 0 or source[start - 1] == "\n") and source[end - 1] == "\n"


def _timeout_warning(rule: Rule, timeout: float) -> str:
    return f"rule {rule.qualified_id}: pattern timed out after {timeout:g}s; skipped for this document"


class _MaxFraction:
    """`max_fraction` per pass: a rule may not remove more than its share of the text the pass sees. (Counted
    over all passes instead, the cleaned text would start a fresh count, and cleaning it again would remove what
    the first cleaning refused.) A rule refused after earlier passes removed some of its matches keeps those."""

    def __init__(self, enforce: bool) -> None:
        self.enforce = enforce
        self.removed_by: set[str] = set()  # rules that removed something in an earlier pass

    def refusal(self, rule: Rule, spans: list[Span], view: str) -> str | None:
        """Why `rule` may not remove `spans` from `view`, or None when it may."""
        if not self.enforce or rule.max_fraction is None:
            return None
        share = sum(end - start for start, end in spans) / len(view)
        if share <= rule.max_fraction:
            return None
        if rule.qualified_id in self.removed_by:
            return (
                f"rule {rule.qualified_id}: its further matches would remove {share:.0%} of what was left, more "
                f"than its max_fraction {rule.max_fraction:g}; those were skipped"
            )
        return (
            f"rule {rule.qualified_id}: would remove {share:.0%} of the document, more than its "
            f"max_fraction {rule.max_fraction:g}; skipped for this document"
        )

    def spend(self, rule: Rule, pieces: list[Span]) -> None:
        if pieces:
            self.removed_by.add(rule.qualified_id)


def _one_pass(
    view: str,
    rules: list[Rule],
    timeout: float,
    max_fraction: _MaxFraction,
    skipped: dict[str, str],
    refused: dict[str, str],
) -> list[tuple[Span, Rule]]:
    """One run of every rule over canonical `view`: disjoint spans in `view`, earlier rules first.

    A rule with a trigger runs only where the trigger admits the view (a `line` rule: only on the lines it
    admits); the others run everywhere. Each rule reports its own spans, and earlier rules are placed first."""
    if not view:
        return []
    taken: _Taken | None = None
    placed: list[tuple[Span, Rule]] = []
    screen = _screen(rules)
    scan = screen.scan(view) if screen is not None else None
    for rule in rules:
        try:
            spans = _spans(rule, view, scan, timeout)
        except RuleTimeout:
            skipped[rule.qualified_id] = _timeout_warning(rule, timeout)
            continue
        if not spans:
            if refused:
                refused.pop(rule.qualified_id, None)
            continue
        refusal = max_fraction.refusal(rule, spans, view)
        if refusal is not None:
            refused[rule.qualified_id] = refusal
            continue
        refused.pop(rule.qualified_id, None)
        if taken is None:
            taken = _Taken(view, [])
        pieces = [piece for start, end in spans for piece in taken.place(start, end)]
        max_fraction.spend(rule, pieces)
        placed.extend((piece, rule) for piece in pieces)
    return placed


# rule list (by identity) -> (the rules, held so their ids stay theirs; the screen of their triggers)
_SCREENS: dict[tuple[int, ...], tuple[list[Rule], Screen | None]] = {}


def _screen(rules: list[Rule]) -> Screen | None:
    """The prefilter screen of `rules`' triggers, built once per rule list (rules do not change once loaded)."""
    key = tuple(map(id, rules))
    entry = _SCREENS.get(key)
    if entry is None:
        if len(_SCREENS) >= 256:
            _SCREENS.clear()
        triggers = [rule.trigger for rule in rules if rule.trigger is not None]
        entry = _SCREENS[key] = (list(rules), Screen(triggers) if triggers else None)
    return entry[1]


def _spans(rule: Rule, view: str, scan: Scan | None, timeout: float) -> list[Span]:
    """`find_spans`, run only where the rule's trigger admits the view (for a `line` rule: on the lines it
    admits): the same spans, as a match can only be where the trigger holds."""
    trigger = rule.trigger
    if scan is None or trigger is None:
        return find_spans(rule, view, timeout)
    if not trigger.lines:
        return find_spans(rule, view, timeout) if scan.admits(trigger) else []
    lines = scan.lines(trigger)
    return _fullmatched_lines(rule, view, lines, _cpu_clock() + timeout) if lines else []


def _view(source: str, removals: list[Removal]) -> tuple[str, list[tuple[int, int, int]]]:
    """`source` without its removals, and its kept segments as (view start, source start, length)."""
    if not removals and source:
        return source, [(0, 0, len(source))]  # the first pass of most documents
    segments: list[tuple[int, int, int]] = []
    cursor = view_length = 0
    for start, end in _merge([(r.start, r.end) for r in removals if r.end > r.start]):
        if start > cursor:
            segments.append((view_length, cursor, start - cursor))
            view_length += start - cursor
        cursor = max(cursor, end)
    if cursor < len(source):
        segments.append((view_length, cursor, len(source) - cursor))
    return "".join(source[s : s + n] for _, s, n in segments), segments


def _to_source(segments: list[tuple[int, int, int]], start: int, end: int) -> list[Span]:
    """The source spans that a [start, end) span of the view covers (split around earlier removals)."""
    pieces: list[Span] = []
    for view_start, source_start, length in segments:
        low, high = max(start, view_start), min(end, view_start + length)
        if low < high:
            piece = (source_start + low - view_start, source_start + high - view_start)
            if pieces and pieces[-1][1] == piece[0]:
                pieces[-1] = (pieces[-1][0], piece[1])
            else:
                pieces.append(piece)
    return pieces


def find_spans(rule: Rule, source: str, timeout: float) -> list[Span]:
    """The spans `rule` would remove from canonical `source`, snapped to its kind; raises `RuleTimeout`."""
    deadline = _cpu_clock() + timeout
    return [(start, end) for start, end in _find(rule, source, deadline) if end > start]


def _find(rule: Rule, source: str, deadline: float) -> list[Span]:
    if rule.kind == "line":
        return _line_spans(rule, source, deadline)
    if rule.kind == "span":
        return _inline_spans(rule, source, deadline)
    if rule.kind == "block":
        spans: list[Span] = []
        for match in _finditer(rule.pattern, source, deadline):
            if match.end() > match.start():
                spans.append((_line_start(source, match.start()), _line_end(source, match.end() - 1) + 1))
        return _merge(spans)
    if rule.kind == "tail":
        return _tail(rule.pattern, source, deadline)
    return _head(rule.pattern, source, deadline)


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
        cut = _line_start(source, match.start())
    return [(cut, len(source))] if cut < len(source) else []


def _head(pattern: regex.Pattern[str], source: str, deadline: float) -> list[Span]:
    """From the start through the last line a match touches (through the first, what is left would still match)."""
    cut = 0
    while cut < len(source):
        rest = source[cut:] if cut else source
        matches = [m for m in _finditer(pattern, rest, deadline) if m.end() > m.start()]
        if not matches:
            break
        cut = min(cut + _line_end(rest, matches[-1].end() - 1) + 1, len(source))
    return [(0, cut)] if cut else []


def _first_nonempty(pattern: regex.Pattern[str], source: str, deadline: float) -> regex.Match[str] | None:
    match = _search(pattern, source, deadline)
    if match is None or match.end() > match.start():
        return match
    return next((m for m in _finditer(pattern, source, deadline) if m.end() > m.start()), None)


def _remaining(deadline: float) -> float:
    left = deadline - _cpu_clock()
    if left <= 0:
        raise RuleTimeout
    return left


def _finditer(pattern: regex.Pattern[str], source: str, deadline: float) -> list[regex.Match[str]]:
    try:
        return list(pattern.finditer(source, timeout=_remaining(deadline)))
    except TimeoutError:
        raise RuleTimeout from None


def _search(pattern: regex.Pattern[str], source: str, deadline: float) -> regex.Match[str] | None:
    try:
        return pattern.search(source, timeout=_remaining(deadline))
    except TimeoutError:
        raise RuleTimeout from None


def _line_start(source: str, position: int) -> int:
    return source.rfind("\n", 0, position) + 1


def _line_end(source: str, position: int) -> int:
    """Index of the "\\n" ending the line that contains `position` (canonical text always ends with one)."""
    end = source.find("\n", position)
    return len(source) if end < 0 else end


def _line_spans(rule: Rule, source: str, deadline: float) -> list[Span]:
    """Whole lines the pattern fully matches."""
    return _fullmatched_lines(rule, source, paragraphs(source), deadline)


def _fullmatched_lines(rule: Rule, source: str, lines: Iterable[Span], deadline: float) -> list[Span]:
    """Those of `lines` ((start, end) without the "\n") that the pattern fully matches, each with its "\n".

    The pattern sees the line alone, as a string of its own: `^`, `$`, `\\A`, `\\z` and lookarounds stop at its
    edges, whatever its flags, so a line rule judges its line and nothing else."""
    spans: list[Span] = []
    fullmatch = rule.pattern.fullmatch
    try:
        for line_start, line_end in lines:
            if fullmatch(source[line_start:line_end], timeout=_remaining(deadline)):
                spans.append((line_start, line_end + 1))
    except TimeoutError:
        raise RuleTimeout from None
    return _merge(spans)


def _inline_spans(rule: Rule, source: str, deadline: float) -> list[Span]:
    """Matches inside one line, without their edge spaces; neighbours separated only by spaces are merged, and
    a span that covers its whole line becomes that line with its "\\n"."""
    spans: list[Span] = []
    for match in _finditer(rule.pattern, source, deadline):
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
        line_start, line_end = _line_start(source, start), _line_end(source, start)
        if start == line_start and end == line_end:
            result.append((start, end + 1))
        else:
            result.append((start, end))
    return result


def _merge(spans: list[Span]) -> list[Span]:
    """Sorted, with overlapping or touching spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class _Taken:
    """The spans already removed, and the placement of new ones so that deleting them keeps canonical text."""

    def __init__(self, source: str, spans: list[Span]) -> None:
        self.source = source
        self.spans = sorted(spans)  # disjoint, so sorted by start is sorted by end too
        self.starts = [s for s, _ in self.spans]

    def _free(self, start: int, end: int) -> bool:
        """No taken span overlaps [start, end): only the neighbours by start can (bisect, not a scan)."""
        index = bisect.bisect_right(self.starts, start)
        if index > 0 and self.spans[index - 1][1] > start:
            return False
        return index == len(self.spans) or self.spans[index][0] >= end

    def _add(self, span: Span) -> None:
        index = bisect.bisect_left(self.starts, span[0])
        self.starts.insert(index, span[0])
        self.spans.insert(index, span)

    def _within(self, low: int, high: int) -> list[Span]:
        first = bisect.bisect_left(self.starts, low)
        last = bisect.bisect_right(self.starts, high)
        return [(s, e) for s, e in self.spans[first:last] if e <= high]

    def place(self, start: int, end: int) -> list[Span]:
        """Accept what is free of [start, end): whole free lines for line spans, the span itself or nothing."""
        source = self.source
        whole_lines = (start == 0 or source[start - 1] == "\n") and source[end - 1] == "\n"
        if whole_lines:
            return self._place_lines(start, end)
        line_start, line_end = _line_start(source, start), _line_end(source, start)
        if not self._free(start, end):
            return []
        if end < line_end and source[end] == " " and self._free(end, end + 1):
            candidate = (start, end + 1)
        elif start > line_start and source[start - 1] == " " and self._free(start - 1, start):
            candidate = (start - 1, end)
        else:
            candidate = (start, end)
        inside = self._within(line_start, line_end)
        spans = sorted([*inside, candidate])
        left = delete_spans(source[line_start:line_end], [(s - line_start, e - line_start) for s, e in spans])
        if not left or left != left.strip(" ") or "  " in left:
            return []  # deleting it would leave an empty line or stray spaces: an earlier removal is in the way
        if not left.isascii() and not is_canonical(left + "\n"):
            return []  # it would join what normalizing changes: a letter and a combining accent, a mojibake pair
        self._add(candidate)
        return [candidate]

    def _place_lines(self, start: int, end: int) -> list[Span]:
        """Whole lines: what earlier removals left of them. A line an earlier span cut into goes too, by its
        remaining pieces, so that the line disappears whole, as the rule asks."""
        if self._free(start, end):  # every line free: the pieces below would join into the whole span
            self._add((start, end))
            return [(start, end)]
        pieces: list[Span] = []
        for gap_start, gap_end in self._gaps(start, end):
            if pieces and pieces[-1][1] == gap_start:
                pieces[-1] = (pieces[-1][0], gap_end)
            else:
                pieces.append((gap_start, gap_end))
        for piece in pieces:
            self._add(piece)
        return pieces

    def _gaps(self, start: int, end: int) -> list[Span]:
        """The parts of [start, end) no taken span covers."""
        gaps: list[Span] = []
        index = bisect.bisect_right(self.starts, start)
        if index > 0 and self.spans[index - 1][1] > start:
            index -= 1
        cursor = start
        while index < len(self.spans) and self.spans[index][0] < end:
            taken_start, taken_end = self.spans[index]
            if taken_start > cursor:
                gaps.append((cursor, taken_start))
            cursor = max(cursor, taken_end)
            index += 1
        if cursor < end:
            gaps.append((cursor, end))
        return gaps
