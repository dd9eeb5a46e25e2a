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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
)
from cleaner.rules.load import Rule, RuleFile, RuleSet
from cleaner.rules.match import rule_lists, site_for_host, site_for_text, url_host
from cleaner.rules.prefilter import Screen, Trigger
from cleaner.rules.view import view_of
from cleaner.segment import unit_breaks

__all__ = ["MAX_PASSES", "RuleTimeout", "apply_rules", "find_spans", "run_rules"]


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
