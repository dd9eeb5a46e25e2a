"""Rule prefilters: a cheap and sound test that a rule's pattern cannot match some text, derived once per rule.

Why: almost no line of a document matches any rule, yet trying every `line` rule's regex at every line start cost
~140 us a document. A `Trigger` says what any match must contain (literals the pattern requires) and, for `line`
rules, what a matching line must start with; the regex then runs only on lines (or documents) where that holds.

Sound means: if the pattern can match, the trigger admits the text. A weaker trigger only costs time, a wrong one
silently drops a removal, so whatever the analysis does not fully understand yields no requirement, or no trigger.

How (the pattern analysis is in `cleaner/rules/literals.py`, the triggers and the per-document scan here):
- The pattern is parsed with the stdlib's `re._parser` after a conservative rewrite of `regex`-only syntax
  (`\\p{..}` -> `\\w`, `\\z` -> `\\Z`, `(?<name>` -> `(?P<name>`, `(?&name)` -> `(?:\\w|)`, `(?(DEFINE)` -> `(?:|`,
  lookbehind -> lookahead, as lookarounds are ignored anyway). Syntax whose meaning may differ between the two
  (fuzzy matching, VERSION1, POSIX classes, named lists, branch reset, `\\K`, recursion, comments...) gives None.
- Text is compared as UTF-8 bytes with ASCII letters lowered (`bytes.lower`, ~3 us for a 2.7 KB document, where
  `str.casefold` costs ~18 us). That is sound because a needle character is kept only when its case-insensitive
  equivalents under `regex` are known, asked of the installed `regex` itself (not Python's Unicode tables, which
  can be older): an ASCII character may match only its own two ASCII cases and a few non-ASCII "aliases" (K KELVIN
  SIGN, LONG S, DOTTED and DOTLESS I), which folding replaces by that letter; any other character must match
  nothing but itself. A character failing this ends the needle there. Comparing case-insensitively always is
  sound for case-sensitive patterns too (they match a subset).
- Per document, a `Screen` finds the candidate lines of all `line` rules at once (one `re` scan for the prefixes
  after each "\n", one `bytes.find` per needle of the alternatives without a prefix); a rule runs on its own
  candidate lines only. Other kinds are gated on the whole document.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from cleaner.rules import literals
from cleaner.rules.literals import Group, ascii_aliases, fold, needs, parse, prefixes, to_sre

__all__ = ["Alternative", "Scan", "Screen", "Trigger", "ascii_aliases", "fold", "to_sre", "trigger_for"]


# --- triggers ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alternative:
    """One top-level alternative: matching text holds a needle of every group and, for a line, one of the
    prefixes at its start (None: no prefix known)."""

    prefixes: tuple[bytes, ...] | None
    groups: tuple[Group, ...]
    # first byte -> the prefixes starting with it: a line is compared with those only
    by_first: dict[int, tuple[bytes, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_first: dict[int, tuple[bytes, ...]] = {}
        for prefix in self.prefixes or ():
            by_first[prefix[0]] = (*by_first.get(prefix[0], ()), prefix)
        object.__setattr__(self, "by_first", by_first)

    def admits_line(self, line: bytes) -> bool:
        if self.prefixes is not None and not (line and line.startswith(self.by_first.get(line[0], ()))):
            return False
        for group in self.groups:
            for needle in group:
                if needle in line:
                    break
            else:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Trigger:
    """A necessary condition for the pattern to match: one of the alternatives holds. `lines`: the pattern is
    matched against one whole line (`line` rules), so prefixes say how such a line starts."""

    alternatives: tuple[Alternative, ...]
    lines: bool
    # per alternative, the needle groups of the document-level test (`_checks`): equivalent, cheaper first
    checks: tuple[tuple[tuple[bytes, ...], ...], ...] = field(init=False, repr=False, compare=False)
    gates: dict[bytes, bytes] = field(init=False, repr=False, compare=False)  # needle -> a punctuation byte of it

    def __post_init__(self) -> None:
        checks = tuple(_checks(a) for a in self.alternatives)
        object.__setattr__(self, "checks", checks)
        object.__setattr__(self, "gates", _gates(checks))

    def admits_line(self, line: str) -> bool:
        """Whether `line` (without its "\\n") may be fully matched; line-level, for `line` rules."""
        folded = fold(line)
        return folded is None or self.admits_folded_line(folded)

    def admits_folded_line(self, line: bytes) -> bool:
        for alternative in self.alternatives:  # noqa: SIM110 - a loop: any() and a generator cost twice as much
            if alternative.admits_line(line):
                return True
        return False

    def admits_text(self, text: str) -> bool:
        """Whether the pattern may match somewhere in `text` (for `line` rules: fully match one of its lines)."""
        folded = fold(text)
        return folded is None or self.admits_folded_text(b"\n" + folded, {})

    def admits_folded_text(self, text: bytes, present: dict[bytes, bool]) -> bool:
        """Document-level test on "\\n" + the folded text; `present` memoizes needle look-ups across rules."""
        # Loops rather than any()/all() over generators: this runs for every rule of every document, and the
        # generators cost more than the look-ups they make.
        for groups in self.checks:
            for group in groups:
                if not _any_in(text, group, present, self.gates):
                    break  # a group with none of its needles: this alternative cannot match
            else:
                return True
        return False


_PUNCTUATION = frozenset(b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _checks(alternative: Alternative) -> tuple[tuple[bytes, ...], ...]:
    """The document-level test of `alternative` as groups of needles, one of each group to be found in the text:
    its prefixes after a "\\n" (when known), then its groups. The same test, made cheaper: a needle holding
    another of its group is dropped (where it is, so is the other), and the groups are tried single bytes first
    (a `memchr`, where a longer needle costs a search ~0.6 ns a byte), then the rarest (by `_frequency`)."""
    groups = [tuple(b"\n" + prefix for prefix in alternative.prefixes)] if alternative.prefixes is not None else []
    groups.extend(alternative.groups)
    kept: list[tuple[bytes, ...]] = []
    for group in groups:
        unique = list(dict.fromkeys(group))
        kept.append(tuple(n for n in unique if not any(o != n and o in n for o in unique)))
    return tuple(sorted(kept, key=lambda g: (max(map(len, g), default=0) > 1, _frequency(g))))


def _gates(checks: Iterable[Iterable[Iterable[bytes]]]) -> dict[bytes, bytes]:
    """Each longer needle of `checks` that holds a punctuation byte -> that byte: text without it lacks the needle."""
    gates: dict[bytes, bytes] = {}
    for groups in checks:
        for group in groups:
            for needle in group:
                gate = next((bytes([byte]) for byte in needle if byte in _PUNCTUATION), None)
                if len(needle) > 1 and gate is not None:
                    gates[needle] = gate
    return gates


def _any_in(text: bytes, needles: Iterable[bytes], present: dict[bytes, bool], gates: dict[bytes, bytes]) -> bool:
    """Whether `text` holds any of `needles`, memoized in `present`. A needle in `gates` is looked for only where
    its byte there is in the text (one `memchr`, memoized too)."""
    for needle in needles:
        found = present.get(needle)
        if found is None:
            gate = gates.get(needle)
            if gate is not None and not _any_in(text, (gate,), present, gates):
                found = present[needle] = False
            else:
                found = present[needle] = needle in text
        if found:
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _trigger(pattern: str, flags: int, lines: bool) -> Trigger | None:
    items = parse(pattern, flags)
    if items is None:
        return None
    found: list[Alternative] = []
    for alternative in literals.alternatives(items):
        starts = prefixes(alternative) if lines else None
        groups = tuple(needs(alternative))
        if starts is None and not groups:
            return None  # this alternative may match anything
        found.append(Alternative(starts, groups))
    return Trigger(tuple(dict.fromkeys(found)), lines)


def trigger_for(pattern: regex.Pattern[str], *, lines: bool) -> Trigger | None:
    """The trigger of a rule's compiled pattern, or None when nothing can be ruled out (the rule always runs).
    `lines`: the rule's kind judges each line alone (`Kind.line_trigger`), so the trigger says how a line starts."""
    return _trigger(pattern.pattern, pattern.flags, lines)


# --- per document: where the gated rules may match --------------------------------------------------------------


def _trie(words: Iterable[bytes]) -> bytes:
    """An `re` alternation of `words` as a trie, so the scan tries few alternatives at each line start."""
    root: dict[int, Any] = {}
    for word in words:
        node = root
        for byte in word:
            node = node.setdefault(byte, {})
        node[-1] = {}

    def emit(node: dict[int, Any]) -> bytes:
        if -1 in node:
            return b""  # words are prefix-free: a word ending here has no longer sibling worth requiring
        parts = [re.escape(bytes([byte])) + emit(child) for byte, child in sorted(node.items())]
        return parts[0] if len(parts) == 1 else b"(?:" + b"|".join(parts) + b")"

    return emit(root)


# Byte frequencies in lowered English news text (UTF-8), to guess which needles are rare: only speed depends on it.
_FREQUENCY = dict(
    zip(
        b" etaionsrhldcumpgfwybv,.k\n-xj\"zq'0123456789",
        [0.15, 0.089, 0.065, 0.063, 0.055, 0.054, 0.053, 0.049, 0.046, 0.032, 0.03, 0.028, 0.023, 0.02, 0.019]
        + [0.017, 0.016, 0.015, 0.013, 0.012, 0.012, 0.008, 0.008, 0.008, 0.006, 0.006, 0.003, 0.002, 0.0015]
        + [0.001, 0.001, 0.001, 0.001]
        + [0.002] * 10,
        strict=True,
    )
)


def _frequency(group: Group) -> float:
    """Estimated share of text positions where a needle of `group` starts."""
    return sum(functools.reduce(lambda f, byte: f * _FREQUENCY.get(byte, 0.0005), needle, 1.0) for needle in group)


Route = tuple[tuple[int, tuple[Alternative, ...]], ...]  # (trigger id, the alternatives to check) pairs
Entry = tuple[int, int, tuple[Alternative, ...]]  # a candidate line: its index, its start in `text`, what to check


class Screen:
    """The triggers of one rule list: scans a document once for the lines where each `line` trigger may hold.

    Lines are found by a single `re` scan for every prefix after a "\n" (a trie, so few alternatives are tried
    at each line start) and, for alternatives known only by what they contain, by the needles of their rarest
    group. Each line found is routed to the trigger alternatives that may admit it, which then check it fully."""

    def __init__(self, triggers: Sequence[Trigger]) -> None:
        # Held, and told apart by identity: their ids key the `Scan` results, and two rules may have equal triggers.
        self.triggers = list({id(t): t for t in triggers}.values())
        line_triggers = [t for t in self.triggers if t.lines]
        every = {p for t in line_triggers for a in t.alternatives if a.prefixes is not None for p in a.prefixes}
        minimal: set[bytes] = set()  # prefix-free: at most one of them starts a line, the one the scan reports
        for prefix in sorted(every, key=len):
            if not any(prefix[:length] in minimal for length in range(1, len(prefix))):
                minimal.add(prefix)
        self.scanner = re.compile(b"\n" + _trie(minimal)) if minimal else None
        # "\n" + minimal prefix -> the alternatives (by trigger) with a prefix that starts with it
        routes: dict[bytes, dict[int, list[Alternative]]] = {kept: {} for kept in minimal}
        for t in line_triggers:
            for a in t.alternatives:
                for kept in {_kept(prefix, minimal) for prefix in a.prefixes or ()}:
                    alternatives = routes[kept].setdefault(id(t), [])
                    if a not in alternatives:
                        alternatives.append(a)
        self.routes: dict[bytes, Route] = {
            b"\n" + kept: tuple((trigger, tuple(alts)) for trigger, alts in by_trigger.items())
            for kept, by_trigger in routes.items()
        }
        # Alternatives known only by what they contain: the needles of their rarest group find their lines (the
        # alternative checks the other groups there).
        contained: dict[Group, dict[int, list[Alternative]]] = {}
        for t in line_triggers:
            for a in t.alternatives:
                if a.prefixes is None:
                    contained.setdefault(min(a.groups, key=_frequency), {}).setdefault(id(t), []).append(a)
        self.contained: list[tuple[Group, Route]] = [
            (group, tuple((trigger, tuple(alts)) for trigger, alts in by_trigger.items()))
            for group, by_trigger in contained.items()
        ]

    def scan(self, view: str) -> Scan | None:
        """The candidate lines of `view` per trigger, or None when `view` cannot be filtered (all rules run)."""
        folded = fold(view)
        if folded is None:
            return None
        text = b"\n" + folded
        found: dict[int, list[Entry]] = {}  # trigger id -> (line index, its start in `text`, alternatives)
        if self.scanner is not None:
            routes = self.routes
            line = last = 0  # line: the number of "\n" before `last`, i.e. the index of the line it starts
            for match in self.scanner.finditer(text):
                start = match.start()
                line += text.count(b"\n", last, start)
                last = start
                for trigger, alternatives in routes[match.group()]:
                    if trigger in found:
                        found[trigger].append((line, start + 1, alternatives))
                    else:
                        found[trigger] = [(line, start + 1, alternatives)]
        for group, route in self.contained:
            starts: list[int] = []  # where the lines holding a needle start
            for needle in group:
                position = text.find(needle)
                while position >= 0:
                    start = text.rfind(b"\n", 0, position + 1) + 1  # the needle may start with the "\n"
                    starts.append(start)
                    # a needle starting before this line's "\n" is in this line: look on from there
                    end = text.find(b"\n", start)
                    position = text.find(needle, end) if end >= 0 else -1
            if not starts:
                continue
            if len(group) > 1:  # one needle finds its lines in order, once each; several may find one line twice
                starts = sorted(set(starts))
            lines: list[tuple[int, int]] = []  # (line index, start), by line
            line = last = 0  # line: the number of "\n" before `last`, less the leading one
            for start in starts:
                line += text.count(b"\n", last, start)
                last = start
                lines.append((line - 1, start))
            for trigger, alternatives in route:
                if trigger in found:
                    entries = found[trigger]
                    entries.extend((line, start, alternatives) for line, start in lines)
                    entries.sort(key=_line_of)
                else:
                    found[trigger] = [(line, start, alternatives) for line, start in lines]
        return Scan(view, text, found, {})


def _kept(prefix: bytes, minimal: set[bytes]) -> bytes:
    """The member of prefix-free `minimal` that `prefix` starts with."""
    return next(prefix[:length] for length in range(1, len(prefix) + 1) if prefix[:length] in minimal)


def _line_of(entry: tuple[int, Any]) -> int:
    return int(entry[0])


class Scan:
    """One document seen by a `Screen`: the lines each `line` trigger admits, and document-level tests."""

    __slots__ = ("_present", "_starts", "found", "text", "view")

    def __init__(self, view: str, text: bytes, found: dict[int, list[Entry]], present: dict[bytes, bool]) -> None:
        self.view = view
        self.text = text  # "\n" + the folded view
        self.found = found  # id of a `line` trigger -> its candidate lines, in order
        self._present = present
        self._starts: list[int] = []  # where each line starts in the view, once needed (not for ASCII)

    def lines(self, trigger: Trigger) -> list[tuple[int, int]]:
        """(start, end) in the view of the non-empty lines that `trigger` admits, end at the line's "\n" (or the
        view's end). `trigger` must be one the `Screen` was built with."""
        entries = self.found.get(id(trigger))
        if not entries:
            return []
        text = self.text
        out: list[tuple[int, int]] = []
        admitted = -1
        for index, byte_start, alternatives in entries:
            if index == admitted:
                continue
            byte_end = text.find(b"\n", byte_start)
            if byte_end < 0:
                byte_end = len(text)
            if byte_end == byte_start:
                continue
            line = text[byte_start:byte_end]
            for alternative in alternatives:
                if alternative.admits_line(line):
                    out.append(self._span(index, byte_start, byte_end))
                    admitted = index
                    break
        return out

    def _span(self, index: int, byte_start: int, byte_end: int) -> tuple[int, int]:
        """Line `index` in the view: byte offsets less the leading "\n" when ASCII, else by counting lines."""
        view = self.view
        if view.isascii():
            return byte_start - 1, byte_end - 1
        starts = self._starts
        if not starts:
            starts.append(0)
            position = view.find("\n")
            while position >= 0:
                starts.append(position + 1)
                position = view.find("\n", position + 1)
        start = starts[index]
        return start, starts[index + 1] - 1 if index + 1 < len(starts) else len(view)

    def admits(self, trigger: Trigger) -> bool:
        """Document-level: whether the pattern may match anywhere in the view."""
        return trigger.admits_folded_text(self.text, self._present)
