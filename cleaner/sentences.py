"""News-aware sentence units for flattened text, as exact spans.

Why this splitter
-----------------
Measured by ``bench/bench_splitters.py`` on the 181 human-written AEB article bodies, each flattened (paragraphs
joined by a space; 803,568 characters, 4182 paragraph boundaries), one run on the shared 2-core machine:

    splitter    recall  inner suspect   hard    MB/s  x floor  stable  covers  exact determ.
    ----------------------------------------------------------------------------------------
    old regex    66.4%   3718     251   7/18   27.18     6.82  100.0%  100.0%   100%     yes
    sentencex    68.0%   3446     166  13/18   30.20     6.34   99.0%  100.0%   100%     yes
    syntok       69.5%   3569      62  11/18    0.66   281.65   99.8%   99.4%   100%     yes
    pysbd        66.6%   3310     147  12/18    0.10  1960.44   97.7%  100.0%   100%     yes
    blingfire    68.4%   3547      21  13/18    4.80    51.76   98.7%   98.9%   100%     yes
    newsclean    68.7%   3627       4  18/18   78.24     4.12  100.0%  100.0%   100%     yes

``recall``: paragraph starts that are also cuts (most misses are headings and list items with no punctuation, which
no punctuation-based splitter finds). ``suspect``: cuts inside a paragraph right after a title, month, initial or
dotted acronym, before a lower-case letter or a digit, or inside a token. ``hard``: the hard cases in
``tests/test_sentences.py``. ``x floor``: time over the batch benchmark's floor (parse, hash, serialize) on the same
bodies. ``stable``: unit deletions after which re-splitting gives exactly the other units. ``exact``: the library's
sentence strings equal the text at its own offsets.

The libraries all report usable character offsets (syntok and blingfire drop or re-space characters in 1-2% of
the bodies, so their spans do not always cover the text), but none splits the separators (" - ", ".- ") into units of
their own, none is stable under deletion (each looks at both sides of a cut together), and only sentencex is in
the same speed class (syntok and pysbd are 100-1000x slower). blingfire is the most precise of them (21 suspect
cuts) but 16x slower and it splits "Prof. | Carlos". So this module is a rule-based splitter in ``re`` (no new
dependency, no model): the fewest suspect cuts, every hard case, 100% stable by construction, and the fastest.

How a cut is decided
--------------------
A cut between two sentences is made where ``L(left) and R(right)`` holds, with ``L`` looking only at the text before
the cut and ``R`` only at the text after it:

- ``L``: the left text ends with terminal punctuation (``. ! ? …`` and the CJK, Arabic and Devanagari stops), then
  optional closing quotes or brackets. A bare ``.`` must not close a known abbreviation (``Mr.``, ``Gov.``,
  ``Feb.``, ``St.`` ...), an initial (``J.``) or a dotted acronym of up to six letters (``U.S.``, ``e.g.``,
  ``a.m.``), each standing as a whole token.
- ``R``: the right text starts, after optional opening quotes or brackets, with a letter that is not lower case
  (upper case, title case or an uncased script; letters beyond the Basic Multilingual Plane start no sentence).
  Never a digit, so ``No. 10``, ``Feb. 3`` and ``3.5%`` never cut (the price: 39 of AEB's 4,182 paragraph starts
  begin with a digit after a full stop).
- Between them there is whitespace, or nothing when ``L`` ended on a closing quote or bracket (the cut falls after
  the first one: ``asked?"|Do you``) or on a CJK stop.

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
Two compiled ``re`` scans that start on a character class (fast prefix search). The abbreviation test is a set of
fixed-width look-behinds inside the boundary pattern, so the common cut costs no Python beyond appending it;
Python looks only at glued cuts and separator tokens. Every pattern starts a match only at the first character of
a run and uses possessive quantifiers, so no input makes it quadratic: time and memory are linear in the input and
the number of units.
"""

from __future__ import annotations

import functools
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


def _letter_class(upper: bool) -> str:
    """A character class of the Basic Multilingual Plane's lower-case letters (or its other letters: upper case,
    title case, uncased scripts), as ranges. `re` has no Unicode categories; a class lets the scan decide without
    a Python call. Letters beyond the BMP count as neither, which only makes them start no sentence."""
    ranges: list[str] = []
    run_start = -1
    for code in range(0x10001):
        char = chr(code) if code < 0x10000 else ""
        member = char.isalpha() and (not char.islower() if upper else char.islower())
        if member and run_start < 0:
            run_start = code
        elif not member and run_start >= 0:
            first, last = chr(run_start), chr(code - 1)
            ranges.append(re.escape(first) if first == last else f"{re.escape(first)}-{re.escape(last)}")
            run_start = -1
    return "".join(ranges)


# Words that, written with a full stop, are almost always followed by a name or a number, not a new sentence.
# Kept short on purpose: "Inc.", "Co.", "etc." and US state abbreviations end sentences often in news, and
# "No. 10" or "Art. 5" need no entry (no sentence starts with a digit).
_ABBREVIATIONS = sorted(
    {
        word
        for base in (
            "Mr Mrs Ms Mx Messrs Mmes Dr Drs Prof Gov Govs Sen Sens Rep Reps Gen Gens Col Lt Sgt Capt Cmdr Cdr Adm "
            "Maj Cpl Pvt Brig Rev Hon Pres Supt Det Insp Amb Atty Fr Msgr Mme Mlle Sr Sra Srta St Ste Mt Ft vs v viz "
            "cf ca approx Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
        ).split()
        for word in (base, base.upper())
    }
)

_T = re.escape(_TERMINALS)
_LETTER = "[^\\W\\d_]"
# Where a token starts: after whitespace, a quote or bracket, or a CJK stop ('"Gov.' is "Gov", 'x?"J.' is "J"),
# so whether a full stop closes an abbreviation never depends on an earlier sentence glued to this one.
_TOKEN_START = f"[\\s{re.escape(_CLOSERS + _OPENERS)}{''.join(sorted(_CJK_TERMINALS))}]"


def _not_after(tokens: dict[int, list[str]]) -> str:
    """Look-behinds that fail when the full stop just matched closes one of `tokens` (patterns, by the width they
    match) standing as a whole token: at the text's start or after a token start. One per width and anchor, since
    `re` wants each look-behind of a fixed width."""
    parts = []
    for alternatives in tokens.values():
        group = "|".join(alternatives)
        parts.append(f"(?<!{_TOKEN_START}(?:{group})\\.)(?<!^(?:{group})\\.)")
    return "".join(parts)


@functools.cache
def _scans() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The boundary scan and the bare-stop test, built on first use: their classes of upper-case letters take
    ~50 ms to build and compile, which a process that never splits a paragraph (one-per-line text) need not pay."""
    upper = f"[{_letter_class(upper=True)}]"
    not_sentence_ends: dict[int, list[str]] = {1: [upper]}  # an initial: "J. K. Rowling"
    for word in _ABBREVIATIONS:
        not_sentence_ends.setdefault(len(word), []).append(re.escape(word))
    for letters in range(2, 7):  # a dotted acronym: "U.S.", "e.g.", "a.m."
        not_sentence_ends.setdefault(2 * letters - 1, []).append("\\.".join([_LETTER] * letters))
    # After a bare full stop: fails if the stop closes an abbreviation, an initial or a dotted acronym (up to six
    # letters).
    no_abbreviation = _not_after(not_sentence_ends)
    bare_stop_ends_sentence = re.compile(f"\\.{no_abbreviation}")
    right = f"(?=[{re.escape(_OPENERS)}]*+{upper})"
    # A cut: a run of terminals, starting only at the run's first character, and a letter ahead (after openers)
    # that is not lower case. Either a bare full stop before whitespace that closes no abbreviation (group 1: the
    # gap), or any other run with its closers (group 2) and optional whitespace (group 3; empty means glued:
    # checked in Python).
    boundary = re.compile(
        f"[{_T}](?<![{_T}][{_T}])"
        f"(?:(?<=\\.)(?![{_T}{re.escape(_CLOSERS)}]){no_abbreviation}(\\s++){right}"
        f"|(?!(?<=\\.)\\s)[{_T}]*+([{re.escape(_CLOSERS)}]*+)(\\s*+){right})"
    )
    return boundary, bare_stop_ends_sentence


# One separator token: a run of separator characters starting at the run's first character, followed by whitespace
# or the end. What precedes it (whitespace, a sentence end) is checked in Python.
_S = re.escape(_SEPARATORS)
_SEPARATOR = re.compile(f"[{_S}](?<![{_S}][{_S}])[{_S}]*+(?!\\S)")
_NON_SPACE = re.compile(r"\S")


def ends_sentence(text: str, end: int) -> bool:
    """`L`: whether text[:end], without trailing whitespace, ends a sentence: terminals, closers, and no
    abbreviation before a bare full stop. The boundary scan applies the same test in its pattern."""
    i = end
    while i > 0 and text[i - 1].isspace():
        i -= 1
    j = i
    while j > 0 and text[j - 1] in _CLOSERS:
        j -= 1
    if j == 0 or text[j - 1] not in _TERMINALS:
        return False
    if j == i and text[j - 1] == "." and (j == 1 or text[j - 2] not in _TERMINALS):
        return _scans()[1].match(text, j - 1) is not None
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


def _boundary_cuts(text: str) -> list[Span]:
    """Cuts (end of the left sentence, start of the right one) found by the terminal-punctuation scan."""
    cuts: list[Span] = []
    for match in _scans()[0].finditer(text):
        gap = match.span(1)
        if gap[0] >= 0:
            cuts.append(gap)  # a bare full stop, no abbreviation: the common case
            continue
        gap_start, gap_end = match.span(3)
        if gap_start < gap_end:
            cuts.append((gap_start, gap_end))
            continue
        close_start, close_end = match.span(2)
        cut = _glued_cut(text, close_start, close_end)
        if cut is not None:
            cuts.append((cut, cut))
    return cuts


def _separator_cuts(text: str) -> list[Span]:
    """Cuts on both sides of every separator token that is a unit of its own."""
    cuts: list[Span] = []
    previous_unit_end = -1  # end of the last separator token made a unit
    for match in _SEPARATOR.finditer(text):
        token_start, token_end = match.span()
        before = text[token_start - 1] if token_start else " "
        strong = not _STRONG_SET.isdisjoint(match.group())
        if before.isspace():
            prefix_end = token_start
            while prefix_end and text[prefix_end - 1].isspace():
                prefix_end -= 1
            is_unit = strong or prefix_end in (0, previous_unit_end) or ends_sentence(text, prefix_end)
        elif before in _TERMINAL_OR_CLOSER:
            prefix_end = token_start  # glued: "BAKU.- The minister"
            is_unit = ends_sentence(text, token_start)
        else:
            continue  # "well- known": part of a word
        if not is_unit:
            continue
        if prefix_end:
            cuts.append((prefix_end, token_start))
        found = _NON_SPACE.search(text, token_end)
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
    cuts = _boundary_cuts(sub)
    separator_cuts = _separator_cuts(sub)
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


def without_unit(text: str, spans: list[Span], index: int) -> tuple[str, list[Span]]:
    """`text` with unit `index` deleted as a removal deletes it (with the whitespace after it, or before it when it
    is the last), and the spans the other units then have: what `split` must give again (the stability promise,
    checked by the tests and measured by bench/bench_splitters.py)."""
    if index + 1 < len(spans):
        cut_start, cut_end = spans[index][0], spans[index + 1][0]
    else:
        cut_start, cut_end = spans[index - 1][1], spans[index][1]
    shift = cut_end - cut_start
    expected = [(s, e) if e <= cut_start else (s - shift, e - shift) for j, (s, e) in enumerate(spans) if j != index]
    return text[:cut_start] + text[cut_end:], expected
