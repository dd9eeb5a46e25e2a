"""Position-aware mining: the text that ends (or starts) many of a site's documents, as `tail`/`head` rules.

Trailers are the commonest site boilerplate, and in flattened text they are glued to whatever came before: a
closing quote with no space (`…"Do you have a tip`), ` - `, `.- `, a hashtag, a handle, a URL. Counting whole
units misses them (the unit holds article text too), and one fixed label followed by a changing pitch never
recurs as one string. So each document's *edges* are mined as well: the text as the rules will see it (one unit a
line, after the rules already in force), its last lines for trailers and its first lines for headers.

Peeling, per site. In each round every document offers the pieces that run from a *start* (a unit start, or a
word that could start one after a space, a full stop, a closing quote or bracket) to its current end, within its
last line. Each piece has keys: its mask (`cleaner.corpus.masking`: numbers, glued numbers, dates, URL ids), a
*name* key (runs of capitalised words as slots: agency and reporter names), and, for a piece that starts a unit,
*label* keys (its first words, then the rest of the unit as a slot: a share label glued to a newsletter pitch).
A key counts the documents that offer it; it passes when that family together is in `need` documents, and its
slots are small: every name recurs and at most `MAX_NAMES` differ; at least half the rests recur. Each document
takes its longest passing piece (the family with most documents at that start), its end moves before it, and the
next round looks at what is now its end. Two sweeps: the second decides with the counts of all rounds of the
first, so a trailer that is the last piece of some documents and the second-to-last of others is one family.
Headers are the mirror image (pieces from the current start to a word end within the first line).

Each family becomes one rule anchored at the document's edge (`\\z` / `\\A`): a `tail` (`head`) rule when every
member is whole units, else a `span` rule that starts at a word boundary and takes a separator before it (" - ",
"|") along. A family is checked against every document's edge before it is written: a match in a document that
is not a member must itself be text that recurs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import regex

from cleaner.corpus.masking import mask, mask_and_words, template

EDGE_CHARS = 800  # of a document's end (start) kept for mining, as the rules see it
EDGE_LINES = 8
MAX_ROUNDS = 8
MAX_PIECE_CHARS = 400
MAX_NAMES = 12  # a name slot holds one of at most this many names, each in two documents or more
MAX_LABEL_WORDS = 6
MAX_REST_CHARS = 300
MIN_REST_RECUR = 0.5  # share of a label family's rests that recur
MIN_LITERAL_LETTERS = 8  # of a name or label family's fixed part

SEPARATORS = "-–—|•·"
_SEP = f"[{regex.escape(SEPARATORS)}]+"
_EDGE_JUNK = f" \n{SEPARATORS}"
# Where a piece may start: a line start, or after a space, a sentence end or a closing quote or bracket, on a
# letter that is not lower case (after optional opening quotes or brackets), as a unit would start, or where a
# word is glued to the one before ("wiresThe").
# Not after a comma, semicolon, colon or opening bracket and a space: "(Reporting by X; Editing by Y)" is one piece.
_START = regex.compile(
    r"""(?:^|(?<=[\s.!?…"'”’»)\]}])(?<![,;:(\[]\s))(?=[\p{Ps}\p{Pi}"'«]?[\p{Lu}\p{Lt}])""", regex.MULTILINE
)
# Where a header piece may end: before a space and a capitalised word, or a separator, or at the line end.
_HEAD_END = regex.compile(rf"""(?= (?:[\p{{Ps}}\p{{Pi}}"'«]?[\p{{Lu}}\p{{Lt}}]|{_SEP}(?: |$)))|$""", regex.MULTILINE)
_NAME_RUN = regex.compile(r"(?<![\p{L}\p{N}])\p{Lu}[\p{L}\p{M}'’.-]*(?: \p{Lu}[\p{L}\p{M}'’.-]*){0,3}(?![\p{L}\p{N}])")
_WORDS = regex.compile(r"\S+")
_LETTERS = regex.compile(r"\p{L}")
_ABBREVIATION_END = regex.compile(r"(?:^|\s)(?:\p{Lu}|\p{L}(?:\.\p{L})+|\p{Lu}\p{L}{0,3})\.\Z")


@dataclass(frozen=True, slots=True)
class Edges:
    """A document's edges as the rules see it: its last and first lines (units), each at most EDGE_CHARS."""

    tail: str
    tail_whole: bool  # tail starts at a line start
    head: str
    head_whole: bool  # head ends at a line end


def edges_of(view: str) -> Edges:
    """The edges of a document from the text the rules see (one unit a line)."""
    text = view.strip("\n")
    if not text:
        return Edges("", True, "", True)
    cut = len(text)
    for _ in range(EDGE_LINES):
        cut = text.rfind("\n", 0, cut - 1) + 1 if cut > 0 else 0
        if cut <= 0 or len(text) - cut >= EDGE_CHARS:
            break
    tail_start = max(cut, len(text) - EDGE_CHARS)
    end = 0
    for _ in range(EDGE_LINES):
        found = text.find("\n", end + 1)
        end = len(text) if found < 0 else found
        if end >= len(text) or end >= EDGE_CHARS:
            break
    head_end = min(end, EDGE_CHARS)
    return Edges(
        text[tail_start:],
        tail_start == 0 or text[tail_start - 1] == "\n",
        text[:head_end],
        head_end == len(text) or text[head_end] == "\n",
    )


def ends_at_abbreviation(text: str) -> bool:
    """Whether `text` ends with an initial, a dotted acronym or a short capitalised word and a full stop ("The
    U.S.", "On Feb."): cut there, a sentence fragment recurs in many articles without being boilerplate."""
    return _ABBREVIATION_END.search(text.rstrip()) is not None


# --- keys of a piece -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Offer:
    """One key a piece offers, with what fills its slot (names, or the rest of the unit)."""

    key: str
    kind: str  # "exact" | "name" | "label"
    fill: tuple[str, ...] = ()
    label: str = ""  # for "label": the fixed words


_PRIORITY = {"exact": 0, "name": 1, "label": 2}


def _literal_letters(text: str) -> int:
    return len(_LETTERS.findall(text))


def offers(piece: str, tail: bool) -> list[Offer]:
    """The keys of a piece: exact, by names, and (at the end of a document) by label."""
    key, words = mask_and_words(piece)
    if not words:
        return []
    found = [Offer("e\x00" + key, "exact")]
    runs = list(_NAME_RUN.finditer(piece))
    if runs:
        parts, fill, cursor = [], [], 0
        for run in runs:
            parts.append(mask(piece[cursor : run.start()]))
            parts.append("\x00name\x00")
            fill.append(run.group())
            cursor = run.end()
        parts.append(mask(piece[cursor:]))
        fixed = regex.sub(r"\x00[^\x00]*\x00", " ", "".join(parts))
        if len(fixed.split()) >= 2:  # and letters enough, with the slots every member fills alike (`_admissible`)
            found.append(Offer("n\x00" + "".join(parts), "name", tuple(fill)))
    if tail:
        words = list(_WORDS.finditer(piece))
        for k in range(2, min(MAX_LABEL_WORDS, len(words) - 1) + 1):
            label = piece[: words[k - 1].end()]
            rest = piece[words[k].start() :]
            if label[-1] in ".!?…:;," or not _START.match(piece, words[k].start()) or len(rest) > MAX_REST_CHARS:
                continue
            if _literal_letters(label) < MIN_LITERAL_LETTERS or ends_at_abbreviation(label):
                continue
            found.append(Offer("l\x00" + mask(label), "label", (rest,), label))
    return found


# --- peeling -------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Member:
    doc: int
    piece: str
    whole: bool  # the piece is whole units (starts a line, for a tail; ends one, for a head)
    fill: tuple[str, ...]
    label: str


@dataclass(slots=True)
class Family:
    key: str
    kind: str
    members: list[Member] = field(default_factory=list)

    @property
    def docs(self) -> int:
        return len({m.doc for m in self.members})


def _pieces(window: str, whole: bool, bound: int, tail: bool) -> list[tuple[int, int, bool]]:
    """(start, end, whole units) of the pieces at the current edge `bound` (an end for tails, a start for heads),
    longest first."""
    if tail:
        line = window.rfind("\n", 0, bound) + 1
        line_is_unit = line > 0 or whole
        out = []
        for match in _START.finditer(window, max(line, bound - MAX_PIECE_CHARS), bound):
            start = match.start()
            out.append((start, bound, start == line and line_is_unit))
        return out
    found = window.find("\n", bound)
    line_end = len(window) if found < 0 else found
    line_is_unit = found >= 0 or whole
    out = []
    for match in _HEAD_END.finditer(window, bound, min(line_end, bound + MAX_PIECE_CHARS)):
        end = match.start()
        if end > bound:
            out.append((bound, end, end == line_end and line_is_unit))
    return out[::-1]


def _trim(window: str, start: int, end: int) -> tuple[int, int]:
    while start < end and window[start] in _EDGE_JUNK:
        start += 1
    while end > start and window[end - 1] in _EDGE_JUNK:
        end -= 1
    return start, end


def _admissible(key: str, kind: str, fills: dict[int, tuple[str, ...]], need: int) -> set[int]:
    """The documents a family may take: for names, those whose every name recurs (at most MAX_NAMES per slot,
    and letters enough in its fixed part: the text around the slots and the slots all members fill alike); for
    labels, all of them when enough of their rests recur."""
    docs = set(fills)
    if kind == "exact" or len(docs) < need:
        return docs if len(docs) >= need else set()
    if kind == "label":
        rests = Counter(fill[0] for fill in fills.values())
        recurring = sum(1 for fill in fills.values() if rests[fill[0]] >= 2)
        return docs if recurring >= MIN_REST_RECUR * len(docs) else set()
    slots = len(next(iter(fills.values())))
    counts = [Counter(fill[i] for fill in fills.values()) for i in range(slots)]
    ok = {d for d, fill in fills.items() if all(counts[i][name] >= 2 for i, name in enumerate(fill))}
    fixed = _literal_letters(regex.sub(r"\x00[^\x00]*\x00", " ", key))
    for i in range(slots):
        names = {fills[d][i] for d in ok}
        if len(names) > MAX_NAMES:
            return set()
        if len(names) == 1:
            fixed += _literal_letters(next(iter(names)))
    if fixed < MIN_LITERAL_LETTERS:
        return set()
    return ok if len(ok) >= need else set()


def _kind_of(key: str) -> str:
    return {"e": "exact", "n": "name"}.get(key[0], "label")


def mine(edges: dict[int, tuple[str, bool]], need: int, tail: bool) -> tuple[list[Family], set[str]]:
    """Families of recurring edge pieces among documents {doc: (window, whole)}, by the two-sweep peeling, and
    the exact keys of the pieces that recur in two documents or more (text a rule may remove anywhere)."""
    passing: dict[str, set[int]] | None = None
    recurring: set[str] = set()
    cache: dict[str, list[Offer]] = {}  # the sweeps and rounds offer many pieces again
    families: dict[str, Family] = {}
    for _sweep in range(2):
        totals: dict[str, dict[int, tuple[str, ...]]] = defaultdict(dict)
        families = {}
        bounds = {d: (len(w) if tail else 0) for d, (w, _whole) in edges.items()}
        active = set(edges)
        for _round in range(MAX_ROUNDS):
            if not active:
                break
            offered: dict[int, list[tuple[int, int, bool, list[Offer]]]] = {}
            counts: dict[str, dict[int, tuple[str, ...]]] = defaultdict(dict)
            for doc in sorted(active):
                window, whole = edges[doc]
                pieces = []
                for start, end, whole_units in _pieces(window, whole, bounds[doc], tail):
                    s, e = _trim(window, start, end)
                    if e <= s:
                        continue
                    found = cache.get(window[s:e])
                    if found is None:
                        found = cache[window[s:e]] = offers(window[s:e], tail)
                    for offer in found:
                        counts[offer.key].setdefault(doc, offer.fill)
                        totals[offer.key].setdefault(doc, offer.fill)
                    pieces.append((s, e, whole_units, found))
                offered[doc] = pieces
            if passing is None:  # first sweep: this round's counts decide
                ok = {key: _admissible(key, _kind_of(key), fills, need) for key, fills in counts.items()}
            else:
                ok = passing
            moved = set()
            for doc, pieces in offered.items():
                # The piece whose family holds the most documents (so that a trailer glued to another one in
                # some documents still joins the family of those where it stands alone), then the longest.
                choice = None
                best_rank: tuple[int, int, int] = (0, 0, 0)
                for s, e, whole_units, found in pieces:
                    for offer in found:
                        members = ok.get(offer.key, ())
                        if doc in members:
                            rank = (len(members), e - s, -_PRIORITY[offer.kind])
                            if choice is None or rank > best_rank:
                                choice, best_rank = (s, e, whole_units, offer), rank
                if choice is None:
                    continue
                s, e, whole_units, offer = choice
                window = edges[doc][0]
                family = families.setdefault(offer.key, Family(offer.key, offer.kind))
                family.members.append(Member(doc, window[s:e], whole_units, offer.fill, offer.label))
                new_bound = s if tail else e
                while tail and new_bound > 0 and window[new_bound - 1] in _EDGE_JUNK:
                    new_bound -= 1
                while not tail and new_bound < len(window) and window[new_bound] in _EDGE_JUNK:
                    new_bound += 1
                if (tail and new_bound > 0) or (not tail and new_bound < len(window)):
                    bounds[doc] = new_bound
                    moved.add(doc)
            active = moved
        passing = {key: _admissible(key, _kind_of(key), fills, need) for key, fills in totals.items()}
        recurring = {key for key, fills in totals.items() if key[0] == "e" and len(fills) >= 2}
    found = sorted((f for f in families.values() if f.docs >= need), key=lambda f: (-f.docs, f.key))
    return found, recurring


# --- rules ---------------------------------------------------------------------------------------------------------

# A tail span starts at a separator before its text (taken along: " - ", "said.- ", "Disclaimer- "), at a word
# boundary, or where a word is glued to the end of the one before it with no space ("Post wiresThe views ...").
_TAIL_SPAN_START = (
    rf"""(?:(?<=[\s.!?…"'”’»)\]}}]){_SEP} ?|{_SEP} """
    rf"""|(?<![\p{{L}}\p{{N}}\p{{M}}])|(?<=[\p{{Ll}}\p{{Lo}}\p{{N}}])(?=\p{{Lu}}))"""
)


def _alternation(values: Sequence[str]) -> str:
    ordered = sorted(set(values), key=lambda v: (-len(v), v))
    escaped = [regex.escape(v, special_only=True, literal_spaces=True) for v in ordered]
    return escaped[0] if len(escaped) == 1 else "(?:" + "|".join(escaped) + ")"


def _exact_body(texts: Sequence[str]) -> str:
    patterns = sorted({template(t) for t in texts})
    body = patterns[0] if len(patterns) == 1 else "(?:" + "|".join(patterns) + ")"
    if any(regex.fullmatch(body, t) is None for t in texts):
        body = f"(?i:{body})"
    return body


def _name_body(family: Family) -> str:
    """The top member's text with each name slot as the names its members hold."""
    top = top_piece(family)
    runs = list(_NAME_RUN.finditer(top))
    slots = [[m.fill[i] for m in family.members] for i in range(len(runs))]
    parts, cursor = [], 0
    for run, names in zip(runs, slots, strict=True):
        parts.append(template(top[cursor : run.start()]))
        parts.append(_alternation(names))
        cursor = run.end()
    parts.append(template(top[cursor:]))
    body = "".join(parts)
    if any(regex.fullmatch(body, m.piece) is None for m in family.members):
        body = f"(?i:{body})"
    return body


def _label_body(family: Family) -> str:
    labels = _exact_body([m.label for m in family.members])
    rests = sorted({m.fill[0] for m in family.members})
    rest = _exact_body(rests) if len(rests) <= 3 else rf"[^\n]{{1,{MAX_REST_CHARS}}}"
    return f"{labels} {rest}"


def family_pattern(family: Family, tail: bool) -> tuple[str, str]:
    """(kind, pattern) of a family's rule."""
    if family.kind == "name":
        body = _name_body(family)
    elif family.kind == "label":
        body = _label_body(family)
    else:
        body = _exact_body([m.piece for m in family.members])
    whole = all(m.whole for m in family.members)
    if tail:
        if whole:
            return "tail", rf"(?m)(?:^{_SEP}\n)?^{body}\n?\z"
        return "span", rf"{_TAIL_SPAN_START}{body}(?=\n?\z)"
    if whole:
        return "head", rf"\A{body}(?:\n{_SEP})?(?=\n)"
    return "span", rf"\A{body}(?: ?{_SEP})?(?=[ \n]|\z)"


def top_piece(family: Family) -> str:
    """The family's most frequent piece (ties: alphabetical), so that output does not depend on input order."""
    counts = Counter(m.piece for m in family.members)
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def describe(family: Family) -> str:
    if family.kind == "name":
        slots = [{m.fill[i] for m in family.members} for i in range(len(family.members[0].fill))]
        names = sorted({n for slot in slots if len(slot) > 1 for n in slot})
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        return f"; one family by names ({shown})"
    if family.kind == "label":
        rests = {m.fill[0] for m in family.members}
        return f"; one label followed by {len(rests)} different texts"
    variants = len({m.piece for m in family.members})
    return f", {variants} variants" if variants > 1 else ""


def examples(family: Family, limit: int) -> list[str]:
    """Members that show the family's variety: most frequent first, one per distinct fill where there are slots."""
    ordered = sorted(Counter(m.piece for m in family.members).items(), key=lambda item: (-item[1], item[0]))
    out: list[str] = []
    seen_fill: set[tuple[str, ...]] = set()
    fill_of = {m.piece: m.fill for m in family.members}
    for piece, _count in ordered:
        fill = fill_of[piece]
        if fill and fill in seen_fill:
            continue
        seen_fill.add(fill)
        out.append(piece)
        if len(out) >= limit:
            break
    return out


SEPARATOR_TAIL = ("tail", rf"(?m)^{_SEP}\n?\z")
SEPARATOR_HEAD = ("head", rf"\A{_SEP}(?=\n)")
