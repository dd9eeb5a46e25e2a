"""Rule prefilters: a cheap and sound test that a rule's pattern cannot match some text, derived once per rule.

Why: almost no line of a document matches any rule, yet trying every `line` rule's regex at every line start cost
~140 us a document. A `Trigger` says what any match must contain (literals the pattern requires) and, for `line`
rules, what a matching line must start with; the regex then runs only on lines (or documents) where that holds.

Sound means: if the pattern can match, the trigger admits the text. A weaker trigger only costs time, a wrong one
silently drops a removal, so whatever the analysis does not fully understand yields no requirement, or no trigger.

How:
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
import itertools
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

import regex

# --- which characters may appear in a needle ---------------------------------------------------------------------


@functools.cache
def _all_characters() -> str:
    """Every code point (surrogates too): what `regex` is asked about. Built as UTF-32 in a few C-level steps
    (~15 ms, once a process)."""
    count = 0x110000
    utf32 = bytearray(4 * count)
    utf32[0::4] = bytes(range(256)) * (count // 256)
    utf32[1::4] = b"".join(bytes([byte]) * 256 for byte in range(256)) * (count // 65536)
    utf32[2::4] = b"".join(bytes([byte]) * 65536 for byte in range(count // 65536))
    return utf32.decode("utf-32-le", "surrogatepass")


def _equivalents(char: str, among: str) -> set[str]:
    """The characters of `among` that `regex` matches case-insensitively to `char`, as a literal or in a set."""
    escaped = regex.escape(char)
    return set(regex.findall(f"(?i){escaped}", among)) | set(regex.findall(f"(?i)[{escaped}]", among))


def _matched_by(char: str) -> set[str]:
    """Every character that the pattern character `char` matches case-insensitively. `regex` answers from its own
    case tables (`get_all_cases`, ~1 us); without that private function, by scanning every code point (~5 ms)."""
    get_all_cases = getattr(getattr(regex, "_regex", None), "get_all_cases", None)
    if get_all_cases is None:
        return _equivalents(char, _all_characters())
    return {chr(code) for code in get_all_cases(regex.IGNORECASE | regex.UNICODE, ord(char))}


@functools.cache
def ascii_aliases() -> dict[str, str | None]:
    """The non-ASCII characters that `regex` matches case-insensitively to an ASCII character (LONG S, KELVIN SIGN,
    DOTTED and DOTLESS I), each with the lowered ASCII character it becomes in folded text; None when it matches
    more than one (a text holding it is then not filtered)."""
    letters: dict[str, set[str]] = {}
    for code in range(0x80):
        for alias in _matched_by(chr(code)):
            if not alias.isascii():
                letters.setdefault(alias, set()).add(chr(code).lower())
    return {alias: found.pop() if len(found) == 1 else None for alias, found in sorted(letters.items())}


@functools.cache
def _needle_char(char: str) -> str | None:
    """`char` as it appears in folded text, or None when `regex` may match it to something we cannot predict: an
    ASCII character must match only its two cases (and aliases, which `fold` replaces), any other only itself."""
    matched = _matched_by(char)
    if char.isascii():
        return char.lower() if {c for c in matched if c.isascii()} <= {char.lower(), char.upper()} else None
    return char if matched == {char} else None


def _pieces(literal: str) -> list[str]:
    """`literal` split at the characters that cannot be needle characters, lowered."""
    pieces: list[str] = []
    current: list[str] = []
    for char in literal:
        mapped = _needle_char(char)
        if mapped is None:
            if current:
                pieces.append("".join(current))
            current = []
        else:
            current.append(mapped)
    if current:
        pieces.append("".join(current))
    return pieces


def _head(literal: str) -> str:
    """The longest start of `literal` made of needle characters, lowered."""
    out: list[str] = []
    for char in literal:
        mapped = _needle_char(char)
        if mapped is None:
            break
        out.append(mapped)
    return "".join(out)


def fold(text: str) -> bytes | None:
    """`text` as needles are compared with it: ASCII aliases replaced by their letter, UTF-8, ASCII lowered; or
    None when it holds an alias of several ASCII characters (then nothing can be ruled out this way)."""
    if not text.isascii():
        for alias, letter in ascii_aliases().items():
            if alias in text:
                if letter is None:
                    return None
                text = text.replace(alias, letter)  # one character for one: lines stay where they are
    return text.encode("utf-8", "surrogatepass").lower()  # a lone surrogate matches only itself


# --- from `regex` syntax to something `re._parser` reads the same way ------------------------------------------

_SRE_WHITESPACE = frozenset(" \t\n\r\v\f")  # what `re` skips in verbose mode; `regex` skips all Unicode spaces
_LETTER_ESCAPES = frozenset("AbBdDsSwWZntrfvaxuU")  # same meaning in `re` and `regex` (VERSION0)
_INLINE_FLAG_LETTERS = frozenset("imsxau")
_ALLOWED_FLAGS = regex.I | regex.M | regex.S | regex.X | regex.U | regex.A | regex.V0
_QUANTIFIER = re.compile(r"\{(?:\d+(?:,\d*)?|,\d+)\}")
_INLINE_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")
_ANY_INLINE_FLAGS = re.compile(r"\(\?[a-zA-Z]*(?:-[a-zA-Z]*)?[:)]")
_GROUP_NAME = re.compile(r"\(\?<([A-Za-z_]\w*)>")
_GROUP_CALL = re.compile(r"\(\?(?:&|P>)[A-Za-z_]\w*\)")
_PROPERTY = re.compile(r"\\[pP](?:\{[^{}\\]*\}|[A-Za-z])")
_PLAIN_OPENERS = ("(?:", "(?=", "(?!", "(?>", "(?P<", "(?P=", "(?(")


@functools.cache
def _literal_when_verbose(char: str) -> bool:
    """Whether `regex` reads `char` as itself in verbose mode (it skips every Unicode space, `re` only ASCII ones)."""
    try:
        return regex.fullmatch("(?x)" + char, char) is not None
    except regex.error:
        return False


def to_sre(pattern: str, flags: int = 0) -> str | None:
    """`pattern` (`regex` syntax) rewritten so that `re._parser` reads the same literals, or None when unsure."""
    if flags & ~_ALLOWED_FLAGS:
        return None
    verbose = bool(flags & regex.X) or any("x" in m.group() for m in _ANY_INLINE_FLAGS.finditer(pattern))
    if verbose and any(
        c not in _SRE_WHITESPACE and not (c.isascii() and c.isprintable()) and not _literal_when_verbose(c)
        for c in set(pattern)
    ):
        return None
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            d = pattern[i + 1]
            if d in "pP":
                prop = _PROPERTY.match(pattern, i)
                if prop is None:
                    return None
                out.append(r"\w")  # a class: no literal, whatever its members
                i = prop.end()
                continue
            if d == "z" and not in_class:
                out.append(r"\Z")
                i += 2
                continue
            if not d.isascii() or (d.isalnum() and d not in _LETTER_ESCAPES) or (d.isspace() and d != " "):
                return None  # \L<..> \m \M \G \K \X \N{..} \g, digits (back-references vs octal), odd escapes
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "[":
                return None  # nested sets, POSIX classes: the dialects differ
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] in "][":
                return None  # "[]..]" and nested sets: the dialects differ
            in_class = True
            out.append(pattern[i:j])
            i = j
            continue
        if c == "(":
            rewritten, length = _group_opener(pattern, i)
            if rewritten is None:
                return None
            out.append(rewritten)
            i += length
            continue
        if c == "{":
            quantifier = _QUANTIFIER.match(pattern, i)
            if quantifier is None:
                return None  # fuzzy matching "{e<=1}", or a literal brace: not worth the doubt
            out.append(quantifier.group())
            i = quantifier.end()
            continue
        if c == "#" and verbose:
            return None  # a comment, whose text the scan above would misread
        out.append(c)
        i += 1
    return None if in_class else "".join(out)


def _group_opener(pattern: str, i: int) -> tuple[str | None, int]:
    """The `re` spelling of the group opener at `pattern[i]` and its length in `pattern`, or None."""
    if pattern.startswith("(*", i):
        return None, 0  # backtracking verbs
    if not pattern.startswith("(?", i):
        return "(", 1
    if pattern.startswith(("(?<=", "(?<!"), i):
        return "(?" + pattern[i + 3], 4  # zero-width: ignored by the analysis, and `re` wants fixed widths
    if pattern.startswith("(?(DEFINE)", i):
        return "(?:|", 10  # definitions only: a group that may match nothing
    call = _GROUP_CALL.match(pattern, i)
    if call:
        return r"(?:\w|)", call.end() - i  # calls a group: no literal requirement
    name = _GROUP_NAME.match(pattern, i)
    if name:
        return f"(?P<{name.group(1)}>", name.end() - i
    if pattern.startswith(_PLAIN_OPENERS, i):
        return "(?", 2
    flags = _INLINE_FLAGS.match(pattern, i)
    if flags and set(flags.group(1) + (flags.group(2) or "")) <= _INLINE_FLAG_LETTERS:
        return flags.group(), flags.end() - i
    return None, 0  # (?| (?R) (?1) (?#...) (?V1) (?f) (?'name'...) and the rest


def parse(pattern: str, flags: int = 0) -> list[Any] | None:
    """The `re._parser` tree of `pattern`, or None when the pattern is outside what the analysis trusts."""
    source = to_sre(pattern, flags)
    if source is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(sre_parse.parse(source, re.VERBOSE if flags & regex.X else 0).data)
    except Exception:  # re.error, RecursionError, OverflowError: any doubt means no prefilter
        return None


# --- requirements from the parse tree ---------------------------------------------------------------------------

_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_STOP = (None, None)  # sentinel item: "what follows is unknown"
_PREFIX_LIMITS = (12, 6, 3, 1)  # characters: longer prefixes select little more and make more alternatives
_MAX_PREFIXES = 400
_BUDGET = 5000
_SMALL_CLASS = 8

Group = tuple[bytes, ...]  # the text contains one of these


def _body(av: Any) -> list[Any]:
    return list(av.data) if hasattr(av, "data") else list(av)


def _needs(items: Sequence[Any]) -> list[Group]:
    """Needle groups that any match of `items` contains (each group: one of its needles)."""
    groups: list[Group] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            groups.extend((piece.encode("utf-8", "surrogatepass"),) for piece in _pieces("".join(run)))
            run.clear()

    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the literals around it stay adjacent
        flush()
        if op is sre.SUBPATTERN:
            groups.extend(_needs(_body(av[3])))
        elif op is sre.ATOMIC_GROUP:
            groups.extend(_needs(_body(av)))
        elif op in _REPEATS and av[0] >= 1:
            groups.extend(_needs(_body(av[2])))
        elif op is sre.BRANCH:
            best: list[Group] = []
            for alternative in av[1]:
                alternative_groups = _needs(_body(alternative))
                if not alternative_groups:
                    break  # this alternative needs nothing, so the branch needs nothing
                best.append(max(alternative_groups, key=_strength))
            else:
                groups.append(tuple(sorted(set(itertools.chain.from_iterable(best)))))
        # anything else (classes, any, back-references, conditionals) requires no literal
    flush()
    return list(dict.fromkeys(groups))


def _strength(group: Group) -> tuple[int, int]:
    """Longer needles first (rarer), then fewer of them."""
    return min(len(needle) for needle in group), -len(group)


class _TooComplex(Exception):
    pass


def _starts(items: list[Any], acc: str, budget: list[int], limit: int) -> set[str]:
    """Strings that every match of `items` (and whatever follows) starts with, after `acc`, cut at `limit`
    characters; {""}: unknown."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooComplex
    i = 0
    while i < len(items):
        if len(acc) >= limit:
            return {acc}
        op, av = items[i]
        if op is sre.LITERAL:
            acc += chr(av)
            i += 1
            continue
        if op in _ZERO_WIDTH:
            i += 1
            continue
        rest = items[i + 1 :]
        if op is sre.SUBPATTERN:
            return _starts(_body(av[3]) + rest, acc, budget, limit)
        if op is sre.ATOMIC_GROUP:
            return _starts(_body(av) + rest, acc, budget, limit)
        if op is sre.BRANCH:
            return _union(_starts(_body(alternative) + rest, acc, budget, limit) for alternative in av[1])
        if op is sre.IN and len(av) <= _SMALL_CLASS and all(member is sre.LITERAL for member, _ in av):
            return _union(_starts([(sre.LITERAL, code), *rest], acc, budget, limit) for _, code in av)
        if op in _REPEATS:
            low, high, body = av[0], av[1], _body(av[2])
            if high == 0:
                i += 1
                continue
            if high == 1:
                after = rest
            elif _min_width(av[2]) > 0:  # one more iteration at most, then what follows: finite, as acc grows
                remaining = high if high == sre.MAXREPEAT else high - 1
                after = [(op, (max(low - 1, 0), remaining, av[2])), *rest]
            else:
                after = [_STOP]
            once = _starts(body + after, acc, budget, limit)
            return once if low >= 1 else _union([once, _starts(rest, acc, budget, limit)])
        return {acc}  # _STOP, classes, any, back-references, conditionals: unknown from here
    return {acc}


def _min_width(pattern: Any) -> int:
    """The fewest characters a sub-pattern matches (0 when unsure): repeating it must make progress."""
    try:
        return int(pattern.getwidth()[0])
    except Exception:
        return 0


def _union(sets: Iterable[set[str]]) -> set[str]:
    out: set[str] = set()
    for part in sets:
        out |= part
        if len(out) > _MAX_PREFIXES:
            raise _TooComplex
    return out


def _prefixes(items: list[Any]) -> tuple[bytes, ...] | None:
    """What a line fully matched by `items` must start with (lowered UTF-8), or None when unknown."""
    for limit in _PREFIX_LIMITS:  # shorter prefixes when the longer ones are too many: weaker, still sound
        try:
            starts = _starts(items, "", [_BUDGET], limit)
            break
        except _TooComplex:
            continue
    else:
        return None
    # A line holds no "\n": what a prefix says after one is never seen on the line (and the scan for prefixes
    # after each "\n" must not run into the next line).
    heads = {_head(start.split("\n", 1)[0]).encode("utf-8", "surrogatepass") for start in starts}
    if b"" in heads:
        return None
    # Drop a head when a shorter one is its start (a line starting with the longer starts with the shorter too).
    minimal = [head for head in sorted(heads) if not any(head[:length] in heads for length in range(1, len(head)))]
    return tuple(minimal)


def _alternatives(items: list[Any]) -> list[list[Any]]:
    """The top-level alternatives of a pattern: a match of the pattern is a match of one of them."""
    if len(items) == 1:
        op, av = items[0]
        if op is sre.BRANCH:
            return [alt for alternative in av[1] for alt in _alternatives(_body(alternative))]
        if op is sre.SUBPATTERN:
            return _alternatives(_body(av[3]))
        if op is sre.ATOMIC_GROUP:
            return _alternatives(_body(av))
    return [items]


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
        for alternative in self.alternatives:
            if alternative.prefixes is not None and not any(
                _has(text, b"\n" + prefix, present) for prefix in alternative.prefixes
            ):
                continue
            if all(any(_has(text, needle, present) for needle in group) for group in alternative.groups):
                return True
        return False


def _has(text: bytes, needle: bytes, present: dict[bytes, bool]) -> bool:
    found = present.get(needle)
    if found is None:
        found = present[needle] = needle in text
    return found


@functools.lru_cache(maxsize=4096)
def _trigger(pattern: str, flags: int, lines: bool) -> Trigger | None:
    items = parse(pattern, flags)
    if items is None:
        return None
    alternatives: list[Alternative] = []
    for alternative in _alternatives(items):
        prefixes = _prefixes(alternative) if lines else None
        groups = tuple(_needs(alternative))
        if prefixes is None and not groups:
            return None  # this alternative may match anything
        alternatives.append(Alternative(prefixes, groups))
    return Trigger(tuple(dict.fromkeys(alternatives)), lines)


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
            hits = [(match.start(), match.group()) for match in self.scanner.finditer(text)]
            if hits:
                routes = self.routes
                line = last = 0  # line: the number of "\n" before `last`, i.e. the index of the line it starts
                for start, prefix in hits:
                    line += text.count(b"\n", last, start)
                    last = start
                    for trigger, alternatives in routes[prefix]:
                        if trigger in found:
                            found[trigger].append((line, start + 1, alternatives))
                        else:
                            found[trigger] = [(line, start + 1, alternatives)]
        for group, route in self.contained:
            lines: set[tuple[int, int]] = set()
            for needle in group:
                position = text.find(needle)
                while position >= 0:
                    start = text.rfind(b"\n", 0, position + 1) + 1  # the needle may start with the "\n"
                    lines.add((text.count(b"\n", 0, start) - 1, start))
                    position = text.find(needle, position + 1)
            for trigger, alternatives in route if lines else ():
                entries = found.setdefault(trigger, [])
                entries.extend((line, start, alternatives) for line, start in lines)
                entries.sort(key=_line_of)
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
