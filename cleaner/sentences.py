"""News-aware sentence units for flattened text, as exact spans.

BENCH-PLACEHOLDER

How a cut is decided
--------------------
A cut between two sentences is made where ``L(left) and R(right)`` holds, with ``L`` looking only at the text before
the cut and ``R`` only at the text after it:

- ``L``: the left text ends with terminal punctuation (``. ! ? …`` and the CJK, Arabic and Devanagari stops), then
  optional closing quotes or brackets. A single ``.`` with nothing after it must not end a known abbreviation
  (``Mr.``, ``Gov.``, ``Feb.``, ``St.`` ...), an initial (``J.``) or a dotted acronym (``U.S.``, ``e.g.``; but
  ``a.m.``/``p.m.`` may end a sentence).
- ``R``: the right text starts, after optional opening quotes or brackets, with a letter that is not lower case
  (upper case, title case or an uncased script). Never a digit, so ``No. 10``, ``Feb. 3`` and ``3.5%`` never cut.
- Between them there is whitespace, or nothing when ``L`` ended on a closing quote or bracket
  (``asked?"Do you``) or on a CJK stop.

Because the decision is a product of a left and a right test, removing a sentence leaves every other cut as it was:
if ``A|B`` and ``B|C`` were cuts, so is ``A|C`` (``L(A)`` and ``R(C)`` both held). That is what makes cleaning
idempotent: after a unit is removed, re-splitting the rest gives the remaining units.

Separators
----------
A whitespace-delimited token made only of separator characters is its own unit when it contains a *strong*
separator (``•``, ``|``, ``·``, ``▪`` ...), or when it is made of *weak* ones (``-``, ``–``, ``—``, ``*``, ``~``, ``=``,
``_``) and follows a sentence end (``L``), the start of the text or another separator unit: ``"A teaser. - Another"``
gives ``"A teaser."``, ``"-"``, ``"Another"``, and ``"BAKU.- The minister"`` gives ``"BAKU."``, ``"-"``,
``"The minister"``. A dash inside a sentence (``"the minister - who was late - said"``) stays in it. Removing a
separator unit on its own can merge its neighbours (they were apart only because of it); the cleaner never removes
a separator on its own, so stability is promised for every other unit.

Cost
----
Two compiled ``re`` scans that start on a character class (fast prefix search), and a few dictionary look-ups per
candidate (a terminal before a letter, or a separator token). Every pattern starts a match only at the first
character of a run and uses possessive quantifiers, so no input makes it quadratic; time and memory are linear in
the input and the number of units.
"""

from __future__ import annotations

import re

from cleaner.record import Span

# Sentence-final punctuation. CJK stops end a sentence even with no space after them.
_TERMINALS = ".!?…‼‽⁇⁈⁉؟۔।॥。！？｡"
_CJK_TERMINALS = frozenset("。！？｡")
_CLOSERS = "\"'”’»›)]}」』）"
_OPENERS = "\"'“‘„‚«‹([{「『（¿¡"
_WEAK_SEPARATORS = "-–—―−*~=_"
_STRONG_SEPARATORS = "•|·¦▪●■□◆◇►▶▸♦∙⋅◦‣⁃○"
_SEPARATORS = _WEAK_SEPARATORS + _STRONG_SEPARATORS
_STRONG_SET = frozenset(_STRONG_SEPARATORS)
_TERMINAL_OR_CLOSER = frozenset(_TERMINALS + _CLOSERS)
_OPENER_SET = frozenset(_OPENERS)
_AMBIGUOUS_QUOTES = frozenset("\"'")

# Characters that end the "token" an abbreviation check looks at: the abbreviation is what follows the last one
# ('"Gov.' -> "Gov", 'x?"J.' -> "J"), so the check never depends on an earlier sentence glued to this one.
_TOKEN_STARTS = re.compile(f"[{re.escape(_CLOSERS + _OPENERS)}{''.join(_CJK_TERMINALS)}]")

_T = re.escape(_TERMINALS)
# A cut candidate: a run of terminals (starting only at the run's first character), closers, optional whitespace,
# and a letter ahead (after openers). Whether the letter is upper case, and the abbreviation test, are checked in
# Python on the (rare) candidates.
_BOUNDARY = re.compile(
    f"[{_T}](?<![{_T}][{_T}])[{_T}]*+(?P<close>[{re.escape(_CLOSERS)}]*+)(?P<gap>\\s*+)"
    f"(?=[{re.escape(_OPENERS)}]*+(?P<first>[^\\W\\d_]))"
)
# One separator token: a run of separator characters starting at the run's first character, followed by whitespace
# or the end. What precedes it (whitespace, a sentence end) is checked in Python.
_S = re.escape(_SEPARATORS)
_SEPARATOR = re.compile(f"[{_S}](?<![{_S}][{_S}])[{_S}]*+(?!\\S)")
_NON_SPACE = re.compile(r"\S")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")

# Words that, written with a full stop, are almost always followed by a name or a number, not a new sentence.
# Kept short on purpose: "Inc.", "Co.", "etc." and US state abbreviations end sentences often in news.
_ABBREVIATIONS = frozenset(
    word
    for base in (
        "Mr Mrs Ms Mx Messrs Mmes Dr Drs Prof Gov Govs Sen Sens Rep Reps Gen Gens Col Lt Sgt Capt Cmdr Cdr Adm Maj "
        "Cpl Pvt Brig Rev Hon Pres Supt Det Insp Amb Atty Fr Msgr Mme Mlle Sr Sra Srta St Ste Mt Ft vs v viz cf ca "
        "approx Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Nr Nos Art No"
    ).split()
    for word in (base, base.upper())
)
_ENDS_OK = frozenset({"a.m", "p.m", "A.M", "P.M"})
_LOOKBACK = 40  # longer than any abbreviation; bounds the work per candidate


def _abbreviation_before(text: str, dot: int, floor: int) -> bool:
    """Whether the full stop at `dot` closes an abbreviation, an initial or a dotted acronym (so it ends no
    sentence). Looks only at the token before `dot`, at most `_LOOKBACK` characters back."""
    window = text[max(floor, dot - _LOOKBACK - 1) : dot]
    parts = window.rsplit(None, 1)
    if not parts:
        return False
    token = parts[-1]
    token = _TOKEN_STARTS.split(token)[-1]
    if len(token) > _LOOKBACK:
        return False  # no abbreviation is that long (decided the same wherever the token starts)
    if not token:
        return False
    if token in _ABBREVIATIONS:
        return True
    if len(token) == 1:
        return token.isalpha() and not token.islower()  # an initial: "J. K. Rowling"
    return token not in _ENDS_OK and _DOTTED.fullmatch(token) is not None


def _ends_sentence(text: str, end: int, floor: int) -> bool:
    """`L`: whether text[floor:end], without trailing whitespace, ends a sentence (terminal, closers, and no
    abbreviation before a lone full stop). Used for separators; the boundary scan applies the same test."""
    i = end
    while i > floor and text[i - 1].isspace():
        i -= 1
    j = i
    while j > floor and text[j - 1] in _CLOSERS:
        j -= 1
    if j == floor or text[j - 1] not in _TERMINALS:
        return False
    if j == i and text[j - 1] == "." and (j - 1 == floor or text[j - 2] not in _TERMINALS):
        return not _abbreviation_before(text, j - 1, floor)
    return True


def _glued_cut(text: str, close_start: int, close_end: int) -> int | None:
    """Where a cut with no space falls, after terminals whose closers run from close_start to close_end: after the
    first closer ('asked?"Do'), or right after a CJK stop. Taking exactly one closer keeps the cut where it was when
    an opening quote of a later sentence comes to follow it ('asked?""Do'): straight quotes open and close."""
    cjk = text[close_start - 1] in _CJK_TERMINALS
    if close_start < close_end and (not cjk or text[close_start] not in _AMBIGUOUS_QUOTES):
        cut = close_start + 1
    elif cjk:
        cut = close_start
    else:
        return None  # "example.com", "U.S" + "A": no space and nothing closed
    if not all(ch in _OPENER_SET for ch in text[cut:close_end]):
        return None  # 'asked?")Do': what is left does not open a sentence
    return cut


def _boundary_cuts(text: str, start: int, end: int) -> list[Span]:
    """Cuts (end of the left sentence, start of the right one) found by the terminal-punctuation scan."""
    cuts: list[Span] = []
    for match in _BOUNDARY.finditer(text, start, end):
        first = text[match.start("first")]
        if first.islower():
            continue
        close_start, close_end = match.span("close")
        gap_start, gap_end = match.span("gap")
        if gap_start == gap_end:
            cut = _glued_cut(text, close_start, close_end)
            if cut is not None:
                cuts.append((cut, cut))
            continue
        if (
            close_start == close_end
            and close_start - match.start() == 1
            and text[match.start()] == "."
            and _abbreviation_before(text, match.start(), start)
        ):
            continue
        cuts.append((gap_start, gap_end))
    return cuts


def _separator_cuts(text: str, start: int, end: int) -> list[Span]:
    """Cuts on both sides of every separator token that is a unit of its own."""
    cuts: list[Span] = []
    previous_unit_end = -1  # end of the last separator token made a unit
    for match in _SEPARATOR.finditer(text, start, end):
        token_start, token_end = match.span()
        before = text[token_start - 1] if token_start > start else " "
        strong = not _STRONG_SET.isdisjoint(match.group())
        if before.isspace():
            prefix_end = token_start
            while prefix_end > start and text[prefix_end - 1].isspace():
                prefix_end -= 1
            is_unit = (
                strong
                or prefix_end in (start, previous_unit_end)
                or _ends_sentence(text, prefix_end, start)
            )
        elif before in _TERMINAL_OR_CLOSER:
            prefix_end = token_start  # glued: "BAKU.- The minister"
            is_unit = _ends_sentence(text, token_start, start)
        else:
            continue  # "well- known": part of a word
        if not is_unit:
            continue
        if prefix_end > start:
            cuts.append((prefix_end, token_start))
        found = _NON_SPACE.search(text, token_end, end)
        if found is not None:
            cuts.append((token_end, found.start()))
        previous_unit_end = token_end
    return cuts


def split(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans (half-open, into `text`) inside text[start:end], in order, without the whitespace between
    them; together they cover every non-space character of the range exactly once. Separator tokens ("-", "•",
    "|") between sentences are spans of their own. Only text[start:end] is looked at."""
    if end is None:
        end = len(text)
    if start == 0 and end == len(text):
        sub, offset = text, 0
    else:
        sub, offset = text[start:end], start  # anchors and look-behinds must not see outside the range
    first = _NON_SPACE.search(sub)
    if first is None:
        return []
    last = len(sub.rstrip())
    length = len(sub)
    cuts = _boundary_cuts(sub, 0, length)
    separator_cuts = _separator_cuts(sub, 0, length)
    if separator_cuts:
        cuts = sorted(cuts + separator_cuts)
    spans: list[Span] = []
    cursor = first.start()
    for left_end, right_start in cuts:
        if left_end > cursor:
            spans.append((cursor + offset, left_end + offset))
            cursor = right_start
        elif right_start > cursor:
            cursor = right_start  # a cut at the very start of the text: nothing before it
    if last > cursor:
        spans.append((cursor + offset, last + offset))
    return spans
