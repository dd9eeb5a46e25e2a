"""What a rule's pattern requires of any text it matches: literals, and how a fully matched line starts.

The analysis behind the prefilter (`cleaner.rules.prefilter`), which turns these requirements into triggers. It
must be sound: whatever it does not fully understand yields no requirement, or None (see prefilter's docstring).
- The pattern is parsed with the stdlib's `re._parser` after a conservative rewrite of `regex`-only syntax
  (`to_sre`); syntax whose meaning may differ between the two gives None.
- Needles are compared as UTF-8 bytes with ASCII letters lowered (`fold`); a needle character is kept only when its
  case-insensitive equivalents under the installed `regex` are known (`ascii_aliases`).
"""

from __future__ import annotations

import functools
import itertools
import re
import warnings
from collections.abc import Iterable, Sequence
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


def needs(items: Sequence[Any]) -> list[Group]:
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
            groups.extend(needs(_body(av[3])))
        elif op is sre.ATOMIC_GROUP:
            groups.extend(needs(_body(av)))
        elif op in _REPEATS and av[0] >= 1:
            groups.extend(needs(_body(av[2])))
        elif op is sre.BRANCH:
            best: list[Group] = []
            for alternative in av[1]:
                alternative_groups = needs(_body(alternative))
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


def prefixes(items: list[Any]) -> tuple[bytes, ...] | None:
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


def alternatives(items: list[Any]) -> list[list[Any]]:
    """The top-level alternatives of a pattern: a match of the pattern is a match of one of them."""
    if len(items) == 1:
        op, av = items[0]
        if op is sre.BRANCH:
            return [alt for alternative in av[1] for alt in alternatives(_body(alternative))]
        if op is sre.SUBPATTERN:
            return alternatives(_body(av[3]))
        if op is sre.ATOMIC_GROUP:
            return alternatives(_body(av))
    return [items]
