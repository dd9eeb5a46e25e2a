"""Headline stutters: a short unit copied right after itself, a headline repeated before the body, a title glued to
its own copy at the start of a flattened text, and (on request) the record's title field at the start of the text.

The near-duplicate stage leaves units under `min_words` words alone unless they sit inside a repeated block, so a
four-word headline captured twice ("Banker loses sexism claim" twice at the top) survives it. A copy right after
itself is the scraper's, whatever its length: this stage removes it. Separators ("-", "•", "|") and one-word units
are never removed on their own (a list of "Yes" answers, a "-" between teasers). The text's first copy is kept; the
title field counts as an earlier copy only with `in_text="drop"`, since many corpora want the headline kept once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, islice

import regex

from cleaner.record import Document, Removal, Span
from cleaner.segment import end_with_gap, live_spans_of

TITLE_IN_TEXT = ("keep", "drop")
# A headline repeated before the body is looked for this many units after the first one; the units between must be
# short (a byline, a date), or the repeat is article text that quotes its headline.
_HEADLINE_WINDOW = 3
# A title glued to its own copy ("Banker loses sexism claim Banker loses sexism claim A former ...") is looked for in
# this many words at the start of a paragraph; without a title field, it must be at least this many words long
# ("New York New York" is a song, not a stutter).
_GLUED_MAX_WORDS = 40
_GLUED_MIN_WORDS = 3
_GLUED_WINDOW_WORDS = 6 * _GLUED_MAX_WORDS  # words looked at: the headline and its copies
_WORD = regex.compile(r"\w+")
# Longer than this, a unit has `min_words` words or more (only short units are this stage's; long copies are
# the near-duplicate stage's), so its words need not be counted.
_SHORT_CHARS = 400


@dataclass(frozen=True, slots=True)
class TitleOptions:
    """Which record field holds the title, and whether its copy at the start of the text goes too."""

    field: str = "title"
    in_text: str = "keep"
    min_words: int = 5

    def __post_init__(self) -> None:
        if not isinstance(self.field, str) or not self.field:
            raise ValueError(f"title field must be a non-empty field name, got {self.field!r}; 'title' is the default")
        if self.in_text not in TITLE_IN_TEXT:
            raise ValueError(
                f"title in text must be one of {', '.join(TITLE_IN_TEXT)}, got {self.in_text!r}: 'keep' leaves the "
                "text's first copy of the title, 'drop' removes it too"
            )


def key(text: str) -> str:
    """What two copies of a headline share: words, case-folded; punctuation, quotes and spacing aside."""
    return " ".join(_WORD.findall(text.casefold()))


def mark_stutters(docs: Sequence[Document], options: TitleOptions) -> None:
    """Mark stutters in every document, looking again at what is left until nothing more goes (a headline three
    times over, or its copy after a byline once the stutter before it is gone), so that the stage is a fixpoint."""
    for doc in docs:
        while removals := find_stutters(doc, options):
            doc.removals.extend(removals)


def find_stutters(doc: Document, options: TitleOptions) -> list[Removal]:
    """The stutter removals of one document, against what earlier stages left."""
    spans = doc.units or doc.paragraphs
    live, texts = live_spans_of(doc, spans)
    if not live:
        return []
    keys: dict[int, str] = {}
    ends: dict[int, tuple[str, str]] = {}
    squashed: dict[int, str] = {}

    def key_of(position: int) -> str:
        if position not in keys:
            keys[position] = key(texts[position])
        return keys[position]

    def same_squash(position: int, other: int) -> bool:
        """Whether two units squash alike, their squashed ends compared first (cheap, and most pairs differ there).
        Both are remembered: a unit is compared with the one before it and after it, a headline up to 3 times."""
        for unit in (position, other):
            if unit not in ends:
                ends[unit] = _squash_ends(texts[unit])
        if ends[position] != ends[other]:
            return False
        for unit in (position, other):
            if unit not in squashed:
                squashed[unit] = _squash(texts[unit])
        return squashed[position] == squashed[other]

    def words(position: int) -> int:
        """Word count, capped: only whether a unit is short (under `min_words`) matters; a long text is long.
        Counted by spaces first (cheap), by words only when that says short: "- •" is no two words."""
        text = texts[position]
        if len(text) > _SHORT_CHARS or text.count(" ") + 1 >= options.min_words:
            return options.min_words
        return len(key_of(position).split())

    title = doc.meta.get(options.field) if doc.meta else None
    title_key = key(title) if isinstance(title, str) else ""
    glued = _glued(doc, spans, live, title_key, doc.removals, options)
    if glued:
        return glued  # the units change once a glued copy goes: look at them on the next round
    found: dict[int, Removal] = {}  # index into `live` -> its removal

    def remove(position: int, source: Span | None, reason: str) -> None:
        if position not in found:
            found[position] = _unit_removal(doc, spans, live, position, source, reason)

    if options.in_text == "drop" and title_key and key_of(0) == title_key:
        reason = f"the record's {options.field!r} field repeated as the text's first unit (--title-in-text drop)"
        remove(0, None, reason)
    if texts[0].count(" ") and words(0) >= 2:
        for position in range(2, min(len(live), _HEADLINE_WINDOW + 2)):
            if _alike(texts[position], texts[0]) and same_squash(position, 0):
                if all(words(k) < options.min_words for k in range(1, position)):
                    remove(position, spans[live[0]], "repeats the headline before the body (headline stutter)")
                break
    whole: list[bool] | None = None
    for position in range(1, len(live)):
        text = texts[position]
        if len(text) > _SHORT_CHARS or text.count(" ") + 1 >= options.min_words or " " not in text:
            continue  # cheap tests first: most units are long, and one-word units never go
        if not _alike(text, texts[position - 1]) or not same_squash(position, position - 1):
            continue
        if not 2 <= words(position) < options.min_words or key_of(position) != key_of(position - 1):
            continue
        if position > 1:
            whole = whole or _whole_paragraphs(doc, spans, live)
            if not (whole[position] and whole[position - 1]):
                continue  # inside a paragraph, "We got her. We got her." is the speaker's emphasis, not a stutter
        if position - 1 in found and found[position - 1].dup_of is None:
            continue  # the first copy went as the title itself; this one is now the text's first
        # "T\nT\nT": the third points at the second; `apply.point_at_kept_sources` points it at the first.
        remove(position, spans[live[position - 1]], "repeats the unit right before it (headline stutter)")
    return sorted(found.values(), key=lambda r: r.start)


# What `key` ignores: a screen that two texts can share their key at all. The ASCII ones are deleted from the
# UTF-8 bytes in one C call (ASCII bytes never occur inside a multi-byte character), the rest by `str.replace` where
# present: five times faster than `str.translate`, whose table lookups run per character on non-ASCII text.
_IGNORED_ASCII = b" \t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_IGNORED_OTHER = "«»‘’‚‛“”„‟‹›–—…•·"
_IGNORED = _IGNORED_ASCII.decode("ascii") + _IGNORED_OTHER


def _squash(text: str) -> str:
    squashed = text.casefold().encode("utf-8", "surrogatepass").translate(None, _IGNORED_ASCII)
    text = squashed.decode("utf-8", "surrogatepass")
    if not text.isascii():
        for char in _IGNORED_OTHER:
            if char in text:
                text = text.replace(char, "")
    return text


def _squash_ends(text: str) -> tuple[str, str]:
    """The first and last characters of `_squash(text)` ("" where it is empty), found without squashing the rest.
    Exact because `_squash` case-folds character by character and keeps or drops a fold whole: an ignored character
    folds to itself, and no other one folds to a text that starts or ends with an ignored character
    (tests/test_stutter_speed.py checks every code point)."""
    return text.lstrip(_IGNORED)[:1].casefold()[:1], text.rstrip(_IGNORED)[-1:].casefold()[-1:]


def _alike(a: str, b: str) -> bool:
    """Whether two texts are of about one length, as copies that differ in quotes or spacing are."""
    return abs(len(a) - len(b)) <= max(4, len(a) // 5)


def _whole_paragraphs(doc: Document, spans: Sequence[Span], live: list[int]) -> list[bool]:
    """Whether each live unit is a paragraph of its own (a line) in the cleaned text, rather than a sentence of a
    longer one: the only live unit of its paragraph ("Share on Facebook" once the copy glued after it is gone)."""
    starts = [start for start, _ in doc.paragraphs]
    paragraph_of = [bisect_right(starts, spans[k][0]) - 1 for k in live]
    alone = Counter(paragraph_of)
    return [alone[paragraph] == 1 for paragraph in paragraph_of]


def _unit_removal(
    doc: Document, spans: Sequence[Span], live: list[int], position: int, source: Span | None, reason: str
) -> Removal:
    """A whole unit, with the whitespace after it (`segment.end_with_gap`)."""
    start = spans[live[position]][0]
    end = end_with_gap(doc.source, spans, live[position])
    return Removal(
        start=start,
        end=end,
        text=doc.source[start:end],
        stage="stutter",
        reason=reason,
        dup_of=source,
        score=1.0 if source is not None else None,
    )


def _glued(
    doc: Document,
    spans: Sequence[Span],
    live: list[int],
    title_key: str,
    marked: Sequence[Removal],
    options: TitleOptions,
) -> list[Removal]:
    """A headline glued to its own copy at the start of the text, where no sentence break separates them (a
    flattened page: "Title Title The body..."): the copies after the first go, with the space after them. Words
    are those of what earlier removals left, so the stage reaches its fixpoint on what the cleaned text shows."""
    source = doc.source
    if not live:
        return []
    start = spans[live[0]][0]  # the headline is the text's first unit
    line_start = _paragraph_start(source, start)
    line_end = source.find("\n", start)
    line_end = len(source) if line_end < 0 else line_end
    if start != line_start:
        # The paragraph's first units went (a photo credit, an advertisement): this unit starts the cleaned text's
        # paragraph, so it is looked at as a headline here as cleaning the cleaned text will look at it. Kept text
        # before it on its line means it starts nothing.
        before = sorted((r.start, r.end) for r in marked if r.end > line_start and r.start < start)
        if any(source[low:high].strip() for low, high in _kept_segments(line_start, start, before)):
            return []
    taken = sorted((r.start, r.end) for r in marked if r.end > start and r.start < line_end)
    kept = _kept_segments(start, line_end, taken)
    if not (options.in_text == "drop" and title_key):
        # A copy right after the headline repeats its first words: their letters come back in what follows
        # (quotes, spaces and case aside), in what earlier removals left. Most documents fail this C-speed test.
        shown = " ".join(_first_chars(source, kept, 700))  # of what is left: copies removed before are no gap
        head = _squash(shown)
        opening = _squash(" ".join(match[0] for match in islice(_WORD.finditer(shown, 0, 80), 3)))
        if len(opening) < 4 or head.find(opening, len(opening)) < 0:
            return []
    # The first words only, found as far as each test reads them: in a flattened text the first line is the whole
    # document, and most texts are decided on their first two headline lengths of words.
    words = _FirstWords(source, kept, _GLUED_WINDOW_WORDS)
    folded = words.folded(_GLUED_MAX_WORDS + 1)
    if len(folded) < 4 or folded[0] not in folded[1 : _GLUED_MAX_WORDS + 1]:
        return []
    title_words = title_key.split()
    drop_title = options.in_text == "drop" and bool(title_words) and words.folded(len(title_words)) == title_words
    # `_repeat_length` reads the first 2 * _GLUED_MAX_WORDS words and asks of the rest only whether there are any:
    # `enough` words decide it as all would.
    enough = 2 * _GLUED_MAX_WORDS + 1
    length = len(title_words) if drop_title else _repeat_length(words.folded(enough), title_key)
    if not length or length >= len(words.folded(length + 1)):
        return []
    copies = 1  # the headline and every copy right after it ("T T T body": all but the first go)
    headline = words.folded(length)
    while words.folded((copies + 1) * length)[copies * length :] == headline:
        copies += 1
    end_of_copies = copies * length
    if copies == 1 and not drop_title:
        return []
    if not drop_title and _repeat_length(
        headline + words.folded(end_of_copies + enough - length)[end_of_copies:], title_key
    ):
        return []  # word soup that would stutter again once cut: no headline to keep once, keep it all
    # Where the words around the cuts are: the words up to the first one after the copies.
    found = words.matches(end_of_copies + 1)
    # Cut at the spaces around the copies, so the quotes and brackets of their words go with them.
    if end_of_copies < len(found):  # words after the copies (`found` is not capped as `folded` is)
        cut_end = _chunk_start(source, found[end_of_copies - 1].end(), found[end_of_copies].start())
    else:
        cut_end = kept[-1][1] if kept else line_end
    if drop_title:
        cut_start, source_span = start, None
        reason = f"the record's {options.field!r} field repeated at the start of the text (--title-in-text drop)"
    else:
        cut_start = _chunk_start(source, found[length - 1].end(), found[length].start())
        source_span = (start, found[length - 1].end())
        reason = "repeats the headline right before it (headline stutter)"
    # "Title Title" alone on its line: take the space before the copy. Not when the cut ends at a space before a
    # removal (a copy that ends the line): that removal then takes the line break, and `cleaner.apply` moves the
    # two onto the space before the cut; with it as well, they would take the space and the line break.
    at_line_end = source[cut_end - 1] != " "
    if end_of_copies >= len(found) and cut_start > start and source[cut_start - 1] == " " and at_line_end:
        cut_start -= 1
    pieces = _kept_segments(cut_start, cut_end, taken)  # around what earlier stages removed in between
    return [
        Removal(
            start=low,
            end=high,
            text=source[low:high],
            stage="stutter",
            reason=reason,
            dup_of=source_span,
            score=1.0 if source_span is not None else None,
        )
        for low, high in pieces
        if high > low
    ]


class _FirstWords:
    """The words of the `kept` segments, found only as far as they are asked for: in a flattened text the segment is
    the whole document, and most texts are decided on their first few dozen words. Asking for n words gives what
    finding the first `limit` words at once and taking n of them would (`folded`), or the first n matches
    uncapped (`matches`)."""

    __slots__ = ("_folded", "_matches", "_rest", "limit")

    def __init__(self, source: str, kept: Sequence[Span], limit: int) -> None:
        self._rest = chain.from_iterable(_WORD.finditer(source, low, high) for low, high in kept)
        self._matches: list[regex.Match[str]] = []
        self._folded: list[str] = []
        self.limit = limit

    def _find(self, count: int) -> None:
        if len(self._matches) < count:
            self._matches.extend(islice(self._rest, count - len(self._matches)))

    def matches(self, count: int) -> list[regex.Match[str]]:
        """The first `count` words' matches (fewer where the segments end)."""
        self._find(count)
        return self._matches[:count]

    def folded(self, count: int) -> list[str]:
        """The first `count` words, case-folded (fewer where the segments or `limit` end)."""
        count = min(count, self.limit)
        if len(self._folded) < count:
            self._find(count)
            new = self._matches[len(self._folded) : count]
            # Case-folding the joined words folds each word alone: no word holds a space, and none folds to one.
            if new:
                self._folded.extend(" ".join(match[0] for match in new).casefold().split(" "))
        return self._folded[:count]


def _first_chars(source: str, kept: Sequence[Span], count: int) -> list[str]:
    """The texts of the `kept` segments, as far as their first `count` characters."""
    texts: list[str] = []
    for low, high in kept:
        if count <= 0:
            break
        texts.append(source[low : min(high, low + count)])
        count -= high - low
    return texts


def _kept_segments(low: int, high: int, taken: Sequence[Span]) -> list[Span]:
    """The parts of [low, high) that none of the sorted spans `taken` covers."""
    out: list[Span] = []
    cursor = low
    for a, b in taken:
        if b <= cursor or a >= high:
            continue
        if a > cursor:
            out.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < high:
        out.append((cursor, high))
    return out


def _repeat_length(folded: list[str], title_key: str) -> int:
    """How many words at the start are repeated right after themselves (0: none). The title field, when the record
    has one, names the length; without it the repeat must be at least `_GLUED_MIN_WORDS` words, and not itself
    made of a shorter repeat ("the minister the minister ..." has no headline to keep once)."""
    if title_key:
        length = len(title_key.split())
        if 2 <= length <= _GLUED_MAX_WORDS and folded[:length] == folded[length : 2 * length] == title_key.split():
            return length
    for length in range(_GLUED_MIN_WORDS, min(_GLUED_MAX_WORDS, len(folded) // 2) + 1):
        if folded[length] != folded[0]:
            continue  # a copy starts with the first word again: one comparison rules out most lengths
        head = folded[:length]
        if head == folded[length : 2 * length]:
            periodic = any(length % p == 0 and head == head[:p] * (length // p) for p in range(1, length // 2 + 1))
            return 0 if periodic else length
    return 0


def _chunk_start(source: str, low: int, offset: int) -> int:
    """Where the space-separated chunk holding `offset` starts (not before `low`)."""
    return max(low, source.rfind(" ", low, offset) + 1)


def _paragraph_start(source: str, offset: int) -> int:
    return source.rfind("\n", 0, offset) + 1
