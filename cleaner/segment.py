"""Paragraphs (and sentences, for flattened text) as offsets into canonical text.

Canonical text has one paragraph per line, so a paragraph is a line without its newline. Offsets, not copies:
every later stage marks spans of the same string.
"""

from __future__ import annotations

import bisect
import operator
from collections import defaultdict
from collections.abc import Sequence

import regex

from cleaner.record import Document, Removal, Span, merge_spans
from cleaner.sentences import ends_sentence, split


def paragraphs(text: str) -> list[Span]:
    """Spans of the non-empty lines of `text` (newline excluded)."""
    spans: list[Span] = []
    start = 0
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            end = length
        if end > start:
            spans.append((start, end))
        start = end + 1
    return spans


_SEPARATOR_CHARS = frozenset("-–—―−*~=_•|·¦▪●■□◆◇►▶▸♦∙⋅◦‣⁃○")
_TERMINALS = frozenset(".!?…‼‽⁇⁈⁉؟۔।॥。！？｡")
_CLOSERS = "\"'”’»›)]}」』）"
_START = operator.itemgetter(0)
_END = operator.itemgetter(1)


def sentences(text: str, span: Span | None = None) -> list[Span]:
    """Sentence spans inside `span` (default: the whole text), by the news-aware splitter of `cleaner.sentences`.

    A separator ("-", "|", "•") is a unit of its own only after a sentence ends ("...for COP29. - Journalist ..."):
    elsewhere it joins what is around it, so that a row of share buttons ("Share | Tweet | Email") or a dashed
    label ("- Advertisement -") stays one unit that a rule can match whole. The test looks only at the text
    before the separator, so removing another unit changes no cut (idempotence)."""
    start, end = span if span is not None else (0, len(text))
    found = _at_datelines(text, split(text, start, end))
    if len(found) < 2:
        return found
    units: list[Span] = []
    join_next = False
    for unit in found:
        if join_next:
            units[-1] = (units[-1][0], unit[1])
            join_next = False
        elif _is_separator(text, unit) and not (units and _ends_sentence(text, units[-1])):
            if units:
                units[-1] = (units[-1][0], unit[1])
            else:
                units.append(unit)
            join_next = True
        else:
            units.append(unit)
    return units


# A dateline opens an article's body: a place in capitals and a dash ("WASHINGTON, DC - As Iran ..."). A headline
# with no full stop is glued to it in flattened text; the dateline is where the body starts, so a unit starts there.
# The test looks only at the text from the dateline on, so removing another unit changes no cut.
_DATELINE = regex.compile(
    r"(?<=[^\s\p{Lu}])(?<!\p{Lu},) "
    r"(?=\p{Lu}[\p{Lu}.'’-]+(?:,? \p{Lu}[\p{Lu}.'’-]+){0,3}(?:, \p{Lu}\p{Ll}+\.?)? [-–—] \S)"
)


def _at_datelines(text: str, spans: list[Span]) -> list[Span]:
    """`spans` with each one that holds a dateline after its start cut before the dateline (one scan of the text
    they cover, not one a span)."""
    if not spans:
        return spans
    cuts = _dateline_starts(text, spans[0][0], spans[-1][1])
    if not cuts:
        return spans
    out: list[Span] = []
    k = 0
    for start, end in spans:
        while k < len(cuts) and cuts[k] < start:
            k += 1
        while k < len(cuts) and cuts[k] < end:  # the space before the dateline ends the piece before it
            out.append((start, cuts[k]))
            start = cuts[k] + 1
            k += 1
        out.append((start, end))
    return out


_DATELINE_SPACES = 5  # a dateline holds at most 4 spaces (4 words and ", Town"), so it starts at one of the 5 before


def _dateline_starts(text: str, start: int, end: int) -> list[int]:
    """What `_DATELINE.finditer(text, start, end)` finds, tried only where a match can start: at one of the few
    spaces before a dash that can end a dateline. The scan of every space was a tenth of a flattened document's
    cleaning time.

    Every space inside a dateline is followed by an upper-case letter, so the walk back from a dash stops at the
    first space that is not: no dateline ending at this dash starts at or before it."""
    found: set[int] = set()
    for dash in _dateline_dashes(text, start, end):
        space = dash - 1  # the space before the dash ends the dateline
        for _ in range(_DATELINE_SPACES):
            space = text.rfind(" ", start, space)
            if space < 0 or not _upper_at(text, space + 1):
                break
            if _DATELINE.match(text, space, end):
                found.add(space)
    return sorted(found)


def _dateline_dashes(text: str, start: int, end: int) -> list[int]:
    """The dashes in text[start:end] that can end a dateline: one with a space on each side and text after it
    (" - As"), as `_DATELINE` wants; the space before may lie before `start`, the text after not past `end`. Each
    dash is looked for by `str.find`, which skips to the next one in C: 3x faster on flattened text than a regular
    expression starting on a class of the three, which tests every character."""
    found: list[int] = []
    for char in "-–—":
        dash = text.find(char, start, end)
        while dash >= 0:
            if (
                dash
                and text[dash - 1] == " "
                and dash + 2 < end
                and text[dash + 1] == " "
                and not text[dash + 2].isspace()
            ):
                found.append(dash)
            dash = text.find(char, dash + 1, end)
    return found


_UPPER = regex.compile(r"\p{Lu}")


def _upper_at(text: str, position: int) -> bool:
    """Whether `_DATELINE`'s `\\p{Lu}` matches at `position`. ASCII is judged by `str.isupper`, which is cheaper;
    beyond it the `regex` module's Unicode tables decide, as they can differ from Python's (75 letters of
    a newer Unicode are `\\p{Lu}` there but not `isupper()` in Python 3.11)."""
    char = text[position]
    return char.isupper() if char.isascii() else _UPPER.match(char) is not None


def _starts_unit(text: str, position: int) -> bool:
    """Whether a unit may start here, as the splitter would start one: not on a lower-case letter or a digit
    (a cut anywhere else would glue back to its neighbour once that is removed)."""
    for char in text[position : position + 3]:
        if char.isalpha():
            return not char.islower()
        if char.isdigit():
            return False
    return False


def _is_separator(text: str, span: Span) -> bool:
    start, end = span
    if start < end and text[start] not in _SEPARATOR_CHARS:
        return False  # most units: the first character tells
    return all(char in _SEPARATOR_CHARS for char in text[span[0] : span[1]])


def _ends_sentence(text: str, span: Span) -> bool:
    stripped = text[span[0] : span[1]].rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINALS


# A paragraph longer than this is split into sentences; so is the only paragraph of a document.
LONG_PARAGRAPH = 1200


def units(text: str, spans: list[Span], lone: int | None = None) -> list[Span]:
    """The units of `text`: each paragraph in `spans` that is short stays one unit, a long one becomes its
    sentences, and so does the document's only paragraph (or paragraph `lone`, the only one stages left)."""
    found: list[Span] = []
    if lone is None and len(spans) == 1:
        lone = 0
    if lone is None and (not spans or spans[-1][1] - spans[0][0] <= LONG_PARAGRAPH):
        return list(spans)  # no paragraph is longer than all of them together: each stays one unit
    for index, span in enumerate(spans):
        if index == lone or span[1] - span[0] > LONG_PARAGRAPH:
            found.extend(sentences(text, span))
        else:
            found.append(span)
    if len(found) > len(spans) and len(found) <= _GLUED_MAX_UNITS:
        found = _split_glued_copies(text, found)
    return found


# A heading with no full stop glues itself to the sentence after it in flattened text ("... here The first teaser
# line ..."). When the rest of such a unit is exactly an earlier unit (or begins with one), the copy is a unit of
# its own. The heading may be this long; documents of more units than this are not looked at.
_GLUED_HEADING_CHARS = 300
_GLUED_KEY_CHARS = 16
_GLUED_MAX_UNITS = 5000
_GLUED_MIN_CHARS = 20


def _split_glued_copies(text: str, found: list[Span]) -> list[Span]:
    """Units with an exact copy of an earlier unit glued to their end (or start) by a missing full stop, cut
    where the copy starts (or ends). What is glued on is cut again where it holds another copy ("T. H. Leave a
    review", T and H earlier units, is three units): the cleaned text, once T goes, segments it so. The cut depends
    on what the text repeats: when the earlier copy is removed, `units_after_cuts` segments what is left again
    (`_cuts_may_change`).

    Earlier units are indexed by their last and first characters, so a unit costs two look-ups, not a pass over
    its characters; the heading glued on may be up to `_GLUED_HEADING_CHARS` long. Each key holds its distinct
    pieces in text order (a dict as an ordered set: a repeat of a piece cuts where its first copy cuts), so a unit
    that only repeats an earlier one, the one piece under both its keys, is seen to be no glued copy at once."""
    by_end: defaultdict[str, dict[str, None]] = defaultdict(dict)
    by_start: defaultdict[str, dict[str, None]] = defaultdict(dict)
    out: list[Span] = []
    for span in found:
        start, end = span
        unit = text[start:end]
        last, first = unit[-_GLUED_KEY_CHARS:], unit[:_GLUED_KEY_CHARS]
        ends, starts = by_end.get(last), by_start.get(first)
        # Most units: no earlier piece under either key, or only the unit itself (no length fits a heading).
        if (ends is None or (len(ends) == 1 and unit in ends)) and (
            starts is None or (len(starts) == 1 and unit in starts)
        ):
            out.append(span)
            if end - start >= _GLUED_MIN_CHARS:
                by_end[last][unit] = None
                by_start[first][unit] = None
            continue
        cut_from = len(out)
        _cut_glued(text, start, end, by_end, by_start, out)
        for low, high in out[cut_from:]:
            if high - low >= _GLUED_MIN_CHARS:
                piece = text[low:high]
                by_end[piece[-_GLUED_KEY_CHARS:]][piece] = None
                by_start[piece[:_GLUED_KEY_CHARS]][piece] = None
    return out


def _cut_glued(
    text: str,
    start: int,
    end: int,
    by_end: dict[str, dict[str, None]],
    by_start: dict[str, dict[str, None]],
    out: list[Span],
) -> None:
    """Append to `out` the pieces of unit text[start:end]: itself, or a copy of an earlier unit and the heading
    glued to it, each cut again the same way. The copy too: an earlier unit may have had a copy glued to it before
    that copy's first occurrence came (U1 = "H C", then C, then "X H C"): once X goes, the cleaned text's unit
    "H C" is cut in two, so it is here."""
    while True:
        unit = text[start:end]
        for earlier in by_end.get(unit[-_GLUED_KEY_CHARS:], ()):  # heading, then a copy
            k = len(unit) - len(earlier) - 1
            if (
                0 < k <= _GLUED_HEADING_CHARS
                and unit[k] == " "
                and _starts_unit(unit, k + 1)
                and (unit[k + 1 :] == earlier)
            ):
                _cut_glued(text, start, start + k, by_end, by_start, out)
                _cut_glued(text, start + k + 1, end, by_end, by_start, out)
                return
        for earlier in by_start.get(unit[:_GLUED_KEY_CHARS], ()):  # a copy, then a heading
            k = len(earlier)
            if (
                0 < len(unit) - k - 1 <= _GLUED_HEADING_CHARS
                and unit[k] == " "
                and _starts_unit(unit, k + 1)
                and (unit[:k] == earlier)
            ):
                _cut_glued(text, start, start + k, by_end, by_start, out)
                start += k + 1
                break
        else:
            out.append((start, end))  # most units: no copy glued on
            return


def lone_paragraph(text: str, spans: list[Span], removals: list[Removal]) -> int | None:
    """The one paragraph that removals leave, when it was short enough to be one unit: the cleaned text is then a
    document of one paragraph, whose sentences are its units, so they must be its units here too (idempotence)."""
    if len(spans) < 2 or not removals:
        return None
    removed = sum(r.end - r.start for r in removals)
    if removed < len(text) - LONG_PARAGRAPH - text.count("\n"):
        return None  # the removals cannot leave only one short paragraph: the common case, without a scan
    live = _uncovered(spans, removals, stop_after=2)
    if len(live) != 1:
        return None
    start, end = spans[live[0]]
    return live[0] if end - start <= LONG_PARAGRAPH else None


def _uncovered(spans: list[Span], removals: list[Removal], stop_after: int) -> list[int]:
    """The indices of the first `stop_after` spans that removals do not cover whole (`live_spans` without
    building texts)."""
    covered = removed_spans(removals)
    found: list[int] = []
    cursor = 0
    for index, (start, end) in enumerate(spans):
        while cursor < len(covered) and covered[cursor][1] <= start:
            cursor += 1
        if cursor < len(covered) and covered[cursor][0] <= start and covered[cursor][1] >= end:
            continue
        found.append(index)
        if len(found) >= stop_after:
            break
    return found


def end_with_gap(source: str, spans: Sequence[Span], index: int) -> int:
    """Where a removal of span `index` (a unit) ends, with the whitespace that goes with it: the space before the
    next unit of its paragraph, or the line break that ends the paragraph (`cleaner.apply` takes the space before
    instead when text stays on the line)."""
    end = spans[index][1]
    if index + 1 < len(spans) and source.find("\n", end, spans[index + 1][0]) < 0:
        return spans[index + 1][0]
    return end + 1 if end < len(source) and source[end] == "\n" else end


def unit_breaks(unit_spans: list[Span], paragraph_spans: list[Span]) -> list[int]:
    """Offsets where a unit starts inside a paragraph (not at its start): where a flattened text's lines would
    break. Rules see the text with a line break there (cleaner.rules.apply)."""
    starts = {start for start, _ in paragraph_spans}
    return [start for start, _ in unit_spans if start not in starts]


def live_spans_of(doc: Document, spans: list[Span]) -> tuple[list[int], list[str]]:
    """`live_spans` of `doc`, remembered on the document: the near-duplicate and stutter stages and every settle
    round ask again, and mostly nothing was removed in between. Removals only grow (or are cleared and rebuilt), so
    the same spans list, number of removals and last removal mean the same answer. Callers must not change the
    lists returned."""
    removals = doc.removals
    last = removals[-1] if removals else None
    entry = doc.live.get(id(spans))
    if entry is not None and entry[0] is spans and entry[1] == len(removals) and entry[2] is last:
        return entry[3]
    found = live_spans(doc.source, spans, removals)
    doc.live[id(spans)] = (spans, len(removals), last, found)
    return found


def live_spans(source: str, spans: list[Span], removals: list[Removal]) -> tuple[list[int], list[str]]:
    """The spans (paragraphs or units) no earlier stage removed whole, with their text as the cleaned document
    will show it.

    Only these can be kept originals or removed copies. A span with a piece cut out of it takes part with the cut
    made: it may only become a copy of another once the cut is gone, and cleaning the cleaned text would then find it.

    The spans are sorted and apart: the first span each removal touches is found by bisection over their ends, the
    spans it covers whole are skipped by another, and the untouched ones between are taken in runs, not walked one
    by one in Python.
    """
    if not removals:
        return list(range(len(spans))), [source[s:e] for s, e in spans]
    cuts = removed_spans(removals)
    live: list[int] = []
    texts: list[str] = []
    done = 0  # spans before this one are in `live` or dropped
    k = 0
    count = len(spans)
    while k < len(cuts):
        low, high = cuts[k]
        index = bisect.bisect_right(spans, low, done, key=_END)  # the first span ending after the cut starts
        if index == count:
            break
        start, end = spans[index]
        if start >= high:
            k += 1  # this cut touches no span
            continue
        if index > done:
            live.extend(range(done, index))
            texts.extend([source[s:e] for s, e in spans[done:index]])
        if low <= start and end <= high:  # removed whole, and so are the spans after it up to the cut's end
            done = bisect.bisect_right(spans, high, index + 1, key=_END)
            continue
        pieces: list[str] = []
        position = start
        while k < len(cuts) and cuts[k][0] < end:
            if cuts[k][0] > position:
                pieces.append(source[position : cuts[k][0]])
            position = cuts[k][1]
            k += 1
        if position < end:
            pieces.append(source[position:end])
        else:
            k -= 1  # the last cut may reach into the next span too
        text = "".join(pieces)
        if text:
            live.append(index)
            texts.append(text)
        done = index + 1
    if done < count:
        live.extend(range(done, count))
        texts.extend([source[s:e] for s, e in spans[done:]])
    return live, texts


def removed_spans(removals: Sequence[Removal]) -> list[Span]:
    """The removals' spans as sorted, disjoint, non-empty spans covering what they cover."""
    if len(removals) == 1:  # most documents with any
        only = removals[0]
        return [(only.start, only.end)] if only.end > only.start else []
    return merge_spans((r.start, r.end) for r in removals if r.end > r.start)


def _cuts_may_change(source: str, spans: list[Span], live: list[int]) -> bool:
    """Whether units removed whole may change how the splitter cuts the kept units of their line. Only cuts that
    are not a sentence end can, as the splitter's sentence cuts are stable under deletion:
    - kept neighbours with removed units between, the first ending no sentence: they may join ("Mr." once the
      copy glued after it goes);
    - a kept unit after removed ones that starts with a separator, which is cut by what precedes it
      ("| | Advertisement" is one unit after a teaser line, two at the start of the text);
    - kept neighbours apart only by `_split_glued_copies` (no sentence end, separator or dateline there), when any
      unit went: that cut rests on an earlier copy, which may be the unit that went ("(Photo: AP) T" is cut
      because T repeats an earlier T; with that T gone, nothing cuts it);
    - kept neighbours on a line the splitter does not cut (a paragraph short enough to be one unit, in a text of
      more than one), wherever they are apart: only `_split_glued_copies` cut that line, sentence end or not
      ("H. C. T." with C and T copies of sentences of a long paragraph is three units; once the copy of C there
      goes, the line is one unit, which may copy another)."""
    if len(live) == len(spans):
        return False  # nothing removed whole
    previous: int | None = None  # the kept unit before this one
    line_end = -1  # the end of the line of the unit looked at, and whether the splitter cuts that line
    split_line = True
    text_end = len(source) - 1 if source.endswith("\n") else len(source)
    for index in live:
        start = spans[index][0]
        removed_before = index > 0 and index - 1 != previous
        if removed_before and source[start] in _SEPARATOR_CHARS and "\n" not in source[spans[index - 1][1] : start]:
            return True
        if start > line_end:
            line_start = source.rfind("\n", 0, start) + 1
            line_end = source.find("\n", start)
            line_end = len(source) if line_end < 0 else line_end
            split_line = (line_start == 0 and line_end >= text_end) or line_end - line_start > LONG_PARAGRAPH
        if previous is not None:
            end = spans[previous][1]
            if "\n" not in source[end:start] and not split_line:
                return True
            if "\n" not in source[end:start] and not ends_sentence(source, end):
                if removed_before:
                    return True
                glued = source[start] not in _SEPARATOR_CHARS and not _is_separator(source, spans[previous])
                if glued and not _DATELINE.match(source, start - 1):
                    return True
        previous = index
    return False


def _may_become_short(doc: Document) -> bool:
    """Whether removals may bring a paragraph that was split into sentences for its length down to
    `LONG_PARAGRAPH` or less: the cleaned text then keeps it as one unit, which may repeat another paragraph
    (a paragraph of 1,206 characters with a sentence copied twice in it). The only paragraph of a document is split
    at any length, so it is not asked about."""
    if len(doc.paragraphs) < 2:
        return False
    long = [(start, end) for start, end in doc.paragraphs if end - start > LONG_PARAGRAPH]
    if not long:
        return False  # most documents
    for start, end in long:
        removed = sum(min(r.end, end) - max(r.start, start) for r in doc.removals if r.start < end and r.end > start)
        if end - start - removed <= LONG_PARAGRAPH:
            return True
    return False


def units_after_cuts(doc: Document) -> list[Span] | None:
    """The units the cleaned text will have, as source spans, when a removal cut into a unit and what is left of
    it would be segmented otherwise (a cut that starts a sentence and ends inside it leaves a remainder the splitter
    joins to the sentence before it); None when the live units are already the cleaned text's units.

    Cleaning the cleaned text segments it afresh, so the stages must have looked at those units for the result to
    be a fixpoint. Only documents with a unit cut into are segmented again: most have none."""
    if not doc.removals:
        return None  # every unit is live and whole: nothing to look at (most documents)
    spans = doc.units or doc.paragraphs
    live, texts = live_spans_of(doc, spans)
    # Whether every live unit is whole: no text is longer than its span, so the lengths agree when their sums do.
    chosen = list(map(spans.__getitem__, live))
    whole = sum(map(len, texts)) == sum(map(_END, chosen)) - sum(map(_START, chosen))
    if whole and not _cuts_may_change(doc.source, spans, live) and not _may_become_short(doc):
        return None
    from cleaner.apply import closed_removals, delete_spans

    removed = closed_removals(doc)
    cleaned = delete_spans(doc.source, removed)
    cleaned_paragraphs = paragraphs(cleaned)
    cleaned_units = units(cleaned, cleaned_paragraphs)
    if [cleaned[s:e] for s, e in cleaned_units] == texts:
        return None
    # Cleaned offsets back to the source: walk the kept segments between the removed spans.
    kept: list[tuple[int, int]] = []  # (cleaned start, source start) of each kept segment
    cursor = length = 0
    for start, end in removed:
        if start > cursor:
            kept.append((length, cursor))
            length += start - cursor
        cursor = max(cursor, end)
    kept.append((length, cursor))
    starts = [c for c, _ in kept]

    def to_source(offset: int) -> int:
        segment = bisect.bisect_right(starts, offset) - 1
        return kept[segment][1] + offset - kept[segment][0]

    mapped = [(to_source(s), to_source(e - 1) + 1) for s, e in cleaned_units if e > s]
    # Units removed whole stay units, where no new unit covers them, so that a removal next to one still takes the
    # whitespace between them (`end_with_gap` looks at the next unit).
    alive = set(live)
    new_starts = [start for start, _ in mapped]
    for index, (start, end) in enumerate(spans):
        if index in alive:
            continue
        at = bisect.bisect_right(new_starts, start) - 1
        if at >= 0 and mapped[at][1] > start:
            continue  # inside a new unit: a cut in it
        if at + 1 < len(mapped) and mapped[at + 1][0] < end:
            continue
        mapped.append((start, end))
    mapped.sort()
    return mapped if mapped != spans else None
