"""The rule stage: find what each rule matches in the text left so far and mark it as removals.

Rules see a *view*: the source without its removals so far, in which every unit (a sentence of a flattened
paragraph, `cleaner.segment.units`) is a line of its own. Each kind (`cleaner.rules.kinds`) finds its spans in the
view; they are placed without overlaps (`_Taken`) and mapped back to the source. Every removal leaves canonical
text when deleted: line-based kinds take whole lines (units) with their "\\n"; a `span` takes one adjacent space
(and becomes a line removal when it covers the whole line). The site's rules run before the global files
(`_default`; `_comments` only on text extracted with its reader comments), and a rule that runs earlier wins;
later matches are trimmed to the lines still free, or dropped when a span cannot be placed cleanly.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cleaner.apply import delete_spans
from cleaner.normalize import is_canonical
from cleaner.record import Document, Removal, Span
from cleaner.rules.kinds import (
    Kind,
    LineFinder,
    RuleTimeout,
    cpu_clock,
    find_spans_with,
    line_end,
    line_start,
    merge,
)
from cleaner.rules.load import Rule, RuleFile, RuleSet
from cleaner.rules.match import rule_lists, site_for_host, site_for_text, url_host
from cleaner.rules.prefilter import Screen, Trigger
from cleaner.segment import unit_breaks

__all__ = ["MAX_PASSES", "RuleTimeout", "View", "apply_rules", "find_spans", "run_rules", "view_of"]


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
    lists = rule_lists(ruleset, site, has_comments(doc))
    rules = lists.rules
    if again and not _cut_into_units(doc):
        # Only rules whose matches can depend on the lines around them, and all of a site placed only now. (When
        # another stage cut into a unit, what is left of it is a new line to every rule: all of them look again.)
        rules = lists.context_rules if placed_before else lists.context_or_site_rules
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
            run_rules(doc, site.rules + lists.global_rules, timeout)


def has_comments(doc: Document) -> bool:
    """Whether the document's text was extracted from HTML with its reader comments (`--comments keep`)."""
    return bool(doc.extraction and doc.extraction.get("options", {}).get("include_comments"))


_RULE_STAGES = ("rule", "learned")


def _cut_into_units(doc: Document) -> bool:
    """Whether a removal of another stage left part of a unit (a glued headline copy cut from the start of one):
    the rest is a line the rules have not judged. Whole units gone change no other unit's line."""
    others = [r for r in doc.removals if r.stage not in _RULE_STAGES]
    if not others:
        return False
    spans = doc.units or doc.paragraphs
    starts = {start for start, _ in spans}
    ends = {end for _, end in spans}
    source = doc.source
    return any(
        r.start not in starts
        or not (r.end in ends or r.end in starts or r.end == len(source) or source[r.end - 1] == "\n")
        for r in others
    )


def _detect(doc: Document, ruleset: RuleSet, timeout: float) -> RuleFile | None:
    """The site whose `detect` matches what is left of the document, seen as the rules see it (units as lines);
    detect patterns draw on the document's time budget like rules."""
    breaks = _breaks(doc)
    text = view_of(doc.source, doc.removals, breaks).text if doc.removals or breaks else doc.source
    site, warnings = site_for_text(ruleset, text, timeout, spent=doc.rule_time)
    doc.warnings.extend(w for w in warnings if w not in doc.warnings)
    return site


def _breaks(doc: Document) -> list[int]:
    """Where the document's units start inside a line: the rules see a line break there. No units, no breaks."""
    if not doc.units or doc.units == doc.paragraphs:
        return []  # (units that are the paragraphs, as in most documents not flattened, start none inside one)
    return sorted(unit_breaks(doc.units, doc.paragraphs))


# Removing one match can complete another (a sidebar becomes the page's tail once an ad line after it is gone),
# so the rules run again on what is left until nothing new matches: cleaning cleaned text then changes nothing.
# The cap keeps a pathological rule (one that matches anew after each of its own removals, like `\(\)` on
# "((((...))))") from taking time quadratic in the document; a rule set needing more passes is not idempotent.
MAX_PASSES = 16


class _Budget:
    """The CPU seconds each pattern may still spend on this document. One budget per pattern and document, over
    every pass, every look after later stages and every settle round (README): `doc.rule_time` keeps the count.
    Only the regex's own work is timed: a rule the prefilter rules out costs nothing."""

    def __init__(self, spent: dict[str, float], timeout: float) -> None:
        self.spent = spent
        self.timeout = timeout
        self.out = {key for key, seconds in spent.items() if seconds >= timeout}  # spent: not run again

    def run(self, key: str, find: Callable[..., list[Span]], *args: Any) -> list[Span] | None:
        """`find(*args, deadline)` on what is left of the budget of rule `key`; None when that ran out. (The
        arguments rather than a closure: this runs for every rule that gets past its prefilter.)"""
        spent = self.spent.get(key, 0.0)
        started = cpu_clock()
        try:
            return find(*args, started + self.timeout - spent)
        except RuleTimeout:
            self.out.add(key)
            return None
        finally:
            used = spent + cpu_clock() - started
            self.spent[key] = max(used, self.timeout) if key in self.out else used


def run_rules(doc: Document, rules: Iterable[Rule], timeout: float, enforce_max_fraction: bool = True) -> None:
    """Run `rules` in order on what is left of `doc.source` after its removals so far, until nothing new matches;
    the building block of `apply_rules` and of `rules test`. Each pattern has `timeout` CPU seconds for the whole
    document, counted in `doc.rule_time` across calls; one that runs out is skipped, with a warning."""
    if not doc.source:
        return
    rules = list(rules)
    budget = _Budget(doc.rule_time, timeout)
    # rule id -> warning: refused by max_fraction. Judged again whenever the rule runs again, since the share
    # depends on what is left (the cleaned text, when cleaning it again).
    refused: dict[str, str] = {}
    max_fraction = _MaxFraction(enforce_max_fraction)
    breaks = _breaks(doc)
    considered = rules
    for _ in range(MAX_PASSES):
        live = [rule for rule in rules if rule.qualified_id not in budget.out] if budget.out else rules
        if not live:
            break
        view = view_of(doc.source, doc.removals, breaks)
        placed = _one_pass(view.text, live, budget, max_fraction, refused)
        added: list[Removal] = []
        for (start, end), rule in view.units_closed(placed):
            for piece_start, piece_end in view.to_source(start, end):
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
            rules = _plan(rules).context_rules
            if not rules:
                break
    if budget.out or refused:
        exhausted = [_timeout_warning(r, timeout) for r in considered if r.qualified_id in budget.out]
        doc.warnings.extend(w for w in (*exhausted, *refused.values()) if w not in doc.warnings)


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
    budget: _Budget,
    max_fraction: _MaxFraction,
    refused: dict[str, str],
) -> list[tuple[Span, Rule]]:
    """One run of every rule over canonical `view`: disjoint spans in `view`, earlier rules first.

    A rule with a trigger runs only where the trigger admits the view (a `line` rule: only on the lines it
    admits): the same spans, as a match can only be where the trigger holds; the others run everywhere. Each rule
    reports its own spans, and earlier rules are placed first."""
    if not view:
        return []
    taken: _Taken | None = None
    placed: list[tuple[Span, Rule]] = []
    plan = _plan(rules)
    scan = plan.screen.scan(view) if plan.screen is not None else None
    found = scan.found if scan is not None else {}
    steps = plan.steps
    if scan is not None and not refused:
        # Only the rules that may find something: a line rule whose trigger has no candidate line finds nothing.
        # (When a refusal is pending, every rule must be looked at: one that finds nothing is refused no more.)
        candidates = list(plan.unlined)
        for trigger_id in found:
            candidates.extend(plan.by_line_trigger[trigger_id])
        steps = [steps[index] for index in sorted(candidates)]
    for step in steps:
        rule, key, trigger = step.rule, step.key, step.trigger
        spans: list[Span] | None
        if scan is None or trigger is None:
            spans = budget.run(key, find_spans_with, step.kind, rule.pattern, view)
        elif step.find_in_lines is not None:  # a line trigger (made for such kinds only, Rule.__post_init__)
            lines = scan.lines(trigger) if id(trigger) in found else None
            spans = budget.run(key, step.find_in_lines, rule.pattern, view, lines) if lines else []
        elif scan.admits(trigger):
            spans = budget.run(key, find_spans_with, step.kind, rule.pattern, view)
        else:
            spans = []
        if spans is None:
            continue  # out of time for this document
        if not spans:
            if refused:
                refused.pop(key, None)
            continue
        refusal = max_fraction.refusal(rule, spans, view)
        if refusal is not None:
            refused[key] = refusal
            continue
        refused.pop(key, None)
        if taken is None:
            taken = _Taken(view, [])
        pieces = [piece for start, end in spans for piece in taken.place(start, end)]
        max_fraction.spend(rule, pieces)
        placed.extend((piece, rule) for piece in pieces)
    return placed


@dataclass(frozen=True, slots=True)
class _Step:
    """A rule as a pass runs it, with what it asks of the rule looked up once per rule list (`qualified_id` is
    formatted and `definition` looked up anew on every access)."""

    rule: Rule
    key: str  # its qualified id: the key of its budget and warnings
    kind: Kind
    trigger: Trigger | None
    find_in_lines: LineFinder | None  # set when the trigger is per line: the rule runs on its candidate lines


@dataclass(frozen=True, slots=True)
class _Plan:
    rules: list[Rule]  # held, so that the ids keying `_PLANS` stay theirs
    steps: tuple[_Step, ...]
    screen: Screen | None  # the prefilter screen of their triggers
    unlined: tuple[int, ...]  # the steps without a line trigger: every pass looks at them
    context_rules: list[Rule]  # those of `rules` whose matches can depend on the lines around them
    by_line_trigger: dict[int, tuple[int, ...]]  # id of a line trigger -> the steps with it (rules may share one)


# rule list (by identity) -> its plan. Exact: a rule's pattern, kind, file, id and trigger do not change once it
# is loaded, and the plan holds the rules, so their ids cannot be reused by other objects while it is kept.
_PLANS: dict[tuple[int, ...], _Plan] = {}


def _plan(rules: list[Rule]) -> _Plan:
    """How one pass runs `rules`, made once per rule list."""
    key = tuple(map(id, rules))
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= 256:
            _PLANS.clear()
        steps = tuple(
            _Step(
                rule,
                rule.qualified_id,
                rule.definition,
                rule.trigger,
                rule.definition.find_in_lines if rule.trigger is not None and rule.trigger.lines else None,
            )
            for rule in rules
        )
        triggers = [rule.trigger for rule in rules if rule.trigger is not None]
        unlined = tuple(index for index, step in enumerate(steps) if step.find_in_lines is None)
        by_line_trigger: dict[int, tuple[int, ...]] = {}
        for index, step in enumerate(steps):
            if step.find_in_lines is not None:
                by_line_trigger[id(step.trigger)] = (*by_line_trigger.get(id(step.trigger), ()), index)
        screen = Screen(triggers) if triggers else None
        context_rules = [step.rule for step in steps if step.kind.sees_context]
        plan = _PLANS[key] = _Plan(list(rules), steps, screen, unlined, context_rules, by_line_trigger)
    return plan


def find_spans(rule: Rule, source: str, timeout: float) -> list[Span]:
    """The spans `rule` would remove from canonical `source`, snapped to its kind; raises `RuleTimeout`."""
    return find_spans_with(rule.definition, rule.pattern, source, cpu_clock() + timeout)


# --- the view: kept text, units as lines -------------------------------------------------------------------------

_INSERTED = -1  # source start of a view segment that stands for no source text (a "\n" between glued units)


@dataclass(slots=True)
class View:
    """The text the rules see, and how it maps back to the source.

    `text` is the source without its removals, with a "\\n" at every unit break that has kept text before it on
    its line: the single space before the break turned into "\\n" (same length), or, for units glued together
    without a space (`…"?Do`), a "\\n" inserted that stands for no source character. `segments` are
    (view start, source start or -1 for an inserted "\\n", length); `marks` the view offsets of those "\\n"s."""

    text: str
    segments: list[tuple[int, int, int]]
    marks: set[int] = field(default_factory=set)
    _starts: list[int] = field(default_factory=list)

    def to_source(self, start: int, end: int) -> list[Span]:
        """The source spans that a [start, end) span of the view covers (split around earlier removals)."""
        if not self._starts:
            self._starts = [view_start for view_start, _, _ in self.segments]
        pieces: list[Span] = []
        index = max(bisect.bisect_right(self._starts, start) - 1, 0)
        for view_start, source_start, length in self.segments[index:]:
            if view_start >= end:
                break
            low, high = max(start, view_start), min(end, view_start + length)
            if low < high and source_start != _INSERTED:
                piece = (source_start + low - view_start, source_start + high - view_start)
                if pieces and pieces[-1][1] == piece[0]:
                    pieces[-1] = (pieces[-1][0], piece[1])
                else:
                    pieces.append(piece)
        return pieces

    def units_closed(self, placed: list[tuple[Span, Rule]]) -> list[tuple[Span, Rule]]:
        """`placed` with each run of removed units that ends its source line taking the break before it instead
        of the line's "\\n": "A. B.\\n" less "B." is "A.\\n", not "A. " (unit removals otherwise take the space
        after them)."""
        if not self.marks or not placed:
            return placed
        text, marks = self.text, self.marks
        ordered = sorted(placed, key=lambda item: item[0][0])
        out: list[tuple[Span, Rule]] = []
        run_start = 0  # index in `ordered` of the first span of the current run of touching spans
        for index, ((start, end), rule) in enumerate(ordered):
            out.append(((start, end), rule))
            last = index + 1 == len(ordered) or ordered[index + 1][0][0] != end
            if not last:
                continue
            first_start = ordered[run_start][0][0]
            if text[end - 1] == "\n" and end - 1 not in marks and first_start - 1 in marks:
                (s0, e0), r0 = out[run_start]
                out[run_start] = ((s0 - 1, e0), r0)
                (s1, e1), r1 = out[-1]
                out[-1] = ((s1, e1 - 1), r1)
            run_start = index + 1
        return out


def view_of(source: str, removals: Sequence[Removal], breaks: Sequence[int] = ()) -> View:
    """`source` without its removals, with unit `breaks` (sorted source offsets) made line breaks."""
    if not removals and not breaks and source:
        return View(source, [(0, 0, len(source))])  # the first pass of most documents
    kept: list[Span] = []
    cursor = 0
    for start, end in _closed(source, merge([(r.start, r.end) for r in removals if r.end > r.start])):
        if start > cursor:
            kept.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < len(source):
        kept.append((cursor, len(source)))
    # Each kept region is copied in slices between the breaks that change it; its mapping is one segment, split
    # only by inserted "\n"s (kept regions never touch in the source: a removal lies between any two).
    pieces: list[str] = []
    segments: list[tuple[int, int, int]] = []
    marks: set[int] = set()
    length = 0  # of the view so far, `pieces` joined
    last = "\n"  # the view's last character so far: "\n" at its start, as nothing is before it on the line
    index = 0
    for kept_start, kept_end in kept:
        gap_start = index
        index = bisect.bisect_left(breaks, kept_start, index)
        stop = bisect.bisect_left(breaks, kept_end, index)
        inside = breaks[index:stop]
        # A unit whose start went with a removal (a glued copy cut from its head) starts where its rest starts: the
        # cleaned text's splitter cuts there too, so the rules see that rest as a line of its own.
        carried = index > gap_start and not source[kept_start].isspace()
        index = stop
        if carried or (inside and inside[0] == kept_start):
            # The unit starts the region: the view's line so far (the region before) ends here.
            if last == " ":
                pieces[-1] = pieces[-1][:-1] + "\n"  # the space before the unit, now the line's end
                marks.add(length - 1)
            elif last != "\n":
                pieces.append("\n")
                segments.append((length, _INSERTED, 1))
                marks.add(length)
                length += 1
        inner = inside[1:] if inside and inside[0] == kept_start else inside  # the breaks after its start
        cursor = kept_start  # the source copied so far
        segment_view, segment_source = length, kept_start  # the open segment of this region
        for brk in inner:
            char = source[brk - 1]
            if char == "\n":
                continue  # the unit starts its line already
            if char == " ":
                if brk - 1 > cursor:
                    pieces.append(source[cursor : brk - 1])
                pieces.append("\n")  # the space before the unit, now the line's end
                length += brk - cursor
                marks.add(length - 1)
            else:
                pieces.append(source[cursor:brk])
                pieces.append("\n")
                length += brk - cursor
                segments.append((segment_view, segment_source, length - segment_view))
                segments.append((length, _INSERTED, 1))
                marks.add(length)
                length += 1
                segment_view, segment_source = length, brk
            cursor = brk
        pieces.append(source[cursor:kept_end])
        length += kept_end - cursor
        segments.append((segment_view, segment_source, length - segment_view))
        last = source[kept_end - 1]
    return View("".join(pieces), segments, marks)


def _closed(source: str, removed: list[Span]) -> list[Span]:
    """Removed regions as `cleaner.apply` deletes them: one that takes a line's "\n" after text kept on that line
    (another stage's removal of the last unit of a line) keeps the "\n" and takes the space before it instead, so
    the view stays canonical text, one line per unit, as the cleaned text will be."""
    if not removed:
        return removed
    closed: list[Span] = []
    for start, end in removed:
        if source[end - 1] == "\n" and start > 0 and source[start - 1] != "\n" and end - 1 > start:
            end -= 1
            if source[start - 1] == " ":
                start -= 1
        elif end - start >= 2 and source[end : end + 1] in ("\n", "") and source[start - 1 : start] == " ":
            # It ends its line and keeps the line's "\n": the space before it goes with it when text stays
            # before it on the line ("A. B" less a glued "B" is "A.", not "A. ").
            line_start = source.rfind("\n", 0, start) + 1
            if _kept_before(source, closed, line_start, start - 1):
                start -= 1
        closed.append((start, end))
    return merge(closed)


def _kept_before(source: str, closed: list[Span], low: int, high: int) -> bool:
    """Whether source[low:high] holds a non-space character outside the regions `closed` so far (sorted)."""
    cursor = high
    for start, end in reversed(closed):
        if end <= low:
            break
        if source[max(end, low) : cursor].strip():
            return True
        cursor = min(cursor, start)
    return bool(source[low:cursor].strip())


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
        first, last = line_start(source, start), line_end(source, start)
        if not self._free(start, end):
            return []
        if end < last and source[end] == " " and self._free(end, end + 1):
            candidate = (start, end + 1)
        elif start > first and source[start - 1] == " " and self._free(start - 1, start):
            candidate = (start - 1, end)
        else:
            candidate = (start, end)
        inside = self._within(first, last)
        spans = sorted([*inside, candidate])
        left = delete_spans(source[first:last], [(s - first, e - first) for s, e in spans])
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
