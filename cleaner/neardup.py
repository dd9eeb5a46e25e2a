"""Repeated paragraph blocks inside a document: later copies are marked, the first copy is kept.

Candidates come from MinHash signatures (all pairs for ordinary documents, LSH banding for huge ones). Before
anything is marked they are verified with exact Jaccard on shingle hashes and must carry the same numbers
(bench/threshold_evidence.py: without that guard, recipe and list items that differ in one quantity pass 0.8).
Short paragraphs ("-", "Politics") are never removed on their own: only when they sit inside a repeated block,
aligned with the copy they repeat.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass

import numpy as np

from cleaner import minhash
from cleaner.checks import check_threshold
from cleaner.record import Document, Removal, Span
from cleaner.segment import end_with_gap, live_spans_of

# Candidate pairs are taken this far below the threshold, so estimation noise (sd ~0.035 at J=0.8 with 128
# permutations) never hides a pair that exact verification would accept.
_CANDIDATE_MARGIN = 0.15
_LSH_MARGIN = 0.3
# Up to this many long paragraphs, compare all signature pairs directly; beyond it, LSH banding.
_ALL_PAIRS_LIMIT = 300
_DIGITS = bytes(byte if 48 <= byte <= 57 else 32 for byte in range(256))  # ASCII digits, every other byte a space


@dataclass(frozen=True, slots=True)
class NearDupOptions:
    """How near-duplicate paragraphs are found; defaults chosen on the evidence in bench/threshold_evidence.py."""

    threshold: float = 0.8
    shingle_size: int = minhash.SHINGLE_SIZE
    num_perm: int = minhash.NUM_PERM
    min_words: int = 5
    seed: int = minhash.SEED

    def __post_init__(self) -> None:
        for name in ("shingle_size", "num_perm", "min_words", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number, got {value!r}")
        check_threshold(self.threshold)
        if not 1 <= self.shingle_size <= minhash.MAX_SHINGLE_SIZE:
            raise ValueError(
                f"shingle_size must be between 1 and {minhash.MAX_SHINGLE_SIZE}, got {self.shingle_size!r}"
            )
        if self.num_perm < 16:
            raise ValueError(f"num_perm must be at least 16 for useful estimates, got {self.num_perm!r}")
        if self.min_words < 1:
            raise ValueError(f"min_words must be at least 1, got {self.min_words!r}")


@dataclass(slots=True)
class Match:
    """Paragraph `copy` repeats earlier paragraph `source` with exact Jaccard `score` (indices into one pass's rows).

    `long` is False for a short paragraph that joined a block by alignment rather than on its own similarity.
    """

    copy: int
    source: int
    score: float
    long: bool = True


def live_units(doc: Document) -> tuple[list[int], list[str]]:
    """Units (`doc.units`, or paragraphs for a document prepared without them) no earlier stage removed whole."""
    return live_spans_of(doc, units_of(doc))


def units_of(doc: Document) -> list[Span]:
    return doc.units or doc.paragraphs


def _agreeing(sig: np.ndarray, first: np.ndarray, second: np.ndarray, threshold: float) -> np.ndarray:
    """Which of the row pairs (first[k], second[k]) agree on enough permutations to be checked exactly."""
    floor = max(threshold - _CANDIDATE_MARGIN, 0.05)
    return minhash.agreement_counts(sig, first, second) >= floor * sig.shape[1]


def similar_texts(
    sig: np.ndarray,
    text_ids: Sequence[Sequence[int]],
    token_counts: Sequence[int],
    options: NearDupOptions,
    signed: Set[int] | None = None,
) -> list[set[tuple[int, int]] | None]:
    """For each document (the rows of `sig` its paragraphs use), the pairs of its distinct long texts whose
    signatures agree enough to be checked exactly: one comparison for a whole batch instead of one per document.
    None for a document with more long paragraphs than all-pairs comparison allows (banding decides there).
    `signed` holds the rows that have signatures (default: all); a pair with a row not signed is no candidate."""
    flat: list[int] = []  # every document's distinct long texts, one document after another
    firsts: list[np.ndarray] = []  # positions in `flat` of each pair's earlier and later text
    seconds: list[np.ndarray] = []
    owners: list[int] = []  # the document of each run of pairs, how many pairs it has, where its texts start
    sizes: list[int] = []
    bases: list[int] = []
    similar: list[set[tuple[int, int]] | None] = []
    min_words = options.min_words
    for index, ids in enumerate(text_ids):
        long_rows = [text for text in ids if token_counts[text] >= min_words]
        if len(long_rows) > _ALL_PAIRS_LIMIT:
            similar.append(None)
            continue
        similar.append(set())
        distinct = list(dict.fromkeys(long_rows))
        if signed is not None:
            distinct = [text for text in distinct if text in signed]
        if len(distinct) >= 2:
            first, second = minhash.upper_pairs(len(distinct))
            firsts.append(first)
            seconds.append(second)
            owners.append(index)
            sizes.append(len(first))
            bases.append(len(flat))
            flat.extend(distinct)
    if firsts:
        texts = np.array(flat)
        base = np.repeat(bases, sizes)
        first, second = texts[np.concatenate(firsts) + base], texts[np.concatenate(seconds) + base]
        owner = np.repeat(owners, sizes)
        keep = np.flatnonzero(_agreeing(sig, first, second, options.threshold))
        for k, u, v in zip(owner[keep].tolist(), first[keep].tolist(), second[keep].tolist(), strict=True):
            found = similar[k]
            assert found is not None
            found.add((u, v))
    return similar


def _candidates(
    sig: np.ndarray,
    groups: Sequence[int],
    threshold: float,
    similar: set[tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """Pairs (a, b), a < b, of rows whose signatures agree often enough to be checked exactly.

    Row a holds text `groups[a]`, whose signature is `sig[groups[a]]`: rows with equal groups hold the same text.
    Identical texts have identical signatures, so each distinct text is compared once and its pairs are shared by
    every copy: the pairs comparing every row would find, for a fraction of the work in the documents this tool is
    for (a body captured twice). Among the copies of one text only (first copy, later copy) is a pair: a later
    copy is matched to a kept paragraph, and of its identical predecessors only the first can be one, so a page of
    a thousand copies costs a thousand pairs, not half a million. `similar` holds the pairs of texts (earlier
    first) already found to agree, when a batch compared them at once (`similar_texts`).
    """
    if len(groups) > _ALL_PAIRS_LIMIT:
        # Banding tuned well below the threshold: at 0.5 (25 bands of 5 rows) a pair with J = 0.8 becomes a
        # candidate with probability 0.9999; tuned at 0.65 it would be missed 5% of the time.
        return minhash.candidate_pairs(sig[groups], max(threshold - _LSH_MARGIN, 0.05)).tolist()
    members: dict[int, list[int]] = {}
    for row, group in enumerate(groups):
        members.setdefault(group, []).append(row)
    pairs = [(rows[0], row) for rows in members.values() for row in rows[1:]]
    if similar is None:
        keys = list(members)
        if len(keys) < 2:
            return pairs
        first, second = minhash.upper_pairs(len(keys))
        rows = np.array(keys)  # a text's row of `sig`
        keep = np.flatnonzero(_agreeing(sig, rows[first], rows[second], threshold))
        similar = {(keys[u], keys[v]) for u, v in zip(first[keep].tolist(), second[keep].tolist(), strict=True)}
    for u, v in similar:
        if u in members and v in members:
            pairs.extend((min(a, b), max(a, b)) for a in members[u] for b in members[v])
    return pairs


def find_repeats(
    sig: np.ndarray,
    token_counts: Sequence[int],
    score: Callable[[int, int], float],
    options: NearDupOptions,
    groups: Sequence[int],
    similar: set[tuple[int, int]] | None,
) -> dict[int, Match]:
    """Map each repeated paragraph (index into this pass's rows) to the earlier paragraph it copies.

    `groups[i]` names the text of row i, one name per distinct text, so that copies are compared once; its
    signature is `sig[groups[i]]`, `token_counts[i]` its token count. `score(g, h)` is the exact Jaccard of two
    texts' shingle sets, or below the threshold when their numbers differ (bench/threshold_evidence.py: list items
    and updated figures do; copies keep them). `similar`: what `similar_texts` found (None: compare here).
    """
    min_words = options.min_words
    threshold = options.threshold
    long_ones = [i for i, count in enumerate(token_counts) if count >= min_words]
    matches: dict[int, Match] = {}
    if len(long_ones) < 2:
        return matches
    verified: dict[int, list[tuple[int, float]]] = {}
    long_groups = [groups[i] for i in long_ones]
    for a, b in _candidates(sig, long_groups, threshold, similar):
        i, j = long_ones[a], long_ones[b]
        pair_score = 1.0 if groups[i] == groups[j] else score(groups[i], groups[j])
        if pair_score >= threshold:
            verified.setdefault(j, []).append((i, pair_score))
    for j in sorted(verified):
        # Point at a paragraph that is not itself a copy when there is one, so the ledger names text the reader
        # still sees (`removable_blocks` makes sure the source stays).
        found = verified[j]
        if len(found) == 1:
            i, pair_score = found[0]
        else:
            kept = [(i, pair_score) for i, pair_score in found if i not in matches] or found
            i, pair_score = max(kept, key=lambda pair: (pair[1], -pair[0]))
        matches[j] = Match(j, i, pair_score)
    if matches:
        _align_short_paragraphs(groups, token_counts, matches, min_words)
    return matches


def _align_short_paragraphs(
    groups: Sequence[int], token_counts: Sequence[int], matches: dict[int, Match], min_words: int
) -> None:
    """Let a short paragraph join a repeated block when it sits next to a copy and repeats, exactly, the paragraph
    next to that copy's source: "-" separators and section headings inside a duplicated sidebar go with it
    (`groups[k]` names the text of paragraph k)."""
    n = len(groups)
    short = [k for k in range(n) if token_counts[k] < min_words]
    changed = bool(short)
    while changed:
        changed = False
        for order in (short, short[::-1]):
            for k in order:
                if k in matches:
                    continue
                for neighbour, step in ((k - 1, 1), (k + 1, -1)):
                    match = matches.get(neighbour)
                    if match is None:
                        continue
                    source = match.source + step
                    if 0 <= source < k and groups[source] == groups[k]:
                        matches[k] = Match(k, source, 1.0, long=False)
                        changed = True
                        break


def repeated_blocks(matches: dict[int, Match]) -> list[list[Match]]:
    """Group matches into blocks: consecutive copies of consecutive sources, the source block ending first; or
    consecutive copies of one source (a line stuttered many times)."""
    blocks: list[list[Match]] = []
    for copy in sorted(matches):
        match = matches[copy]
        if blocks:
            block = blocks[-1]
            previous = block[-1]
            follows = match.source == previous.source + 1 and match.source < block[0].copy
            stutters = match.source == previous.source == block[0].source
            if match.copy == previous.copy + 1 and (follows or stutters):
                block.append(match)
                continue
        blocks.append([match])
    return blocks


def removable_blocks(
    blocks: list[list[Match]], copies_of: Counter[int], matches: dict[int, Match] | None = None
) -> list[list[Match]]:
    """The blocks `is_removable` lets go, in document order, and never one whose source goes in this pass: in a
    chain of small edits (A, A', A'', ...) each repeats the one before, but removing them all would drop text like
    nothing that is kept. A block counts as right after its source when it follows a removable block that repeats
    the same source (a body captured three times): all copies go in one pass and one removal, not one a pass.

    Blocks right after their source go first; one away from its source waits for the next pass while any does.
    A stutter skews what the rest is matched to: in H, H, A, B, H, A, B the last H copies the first H while A, B
    copy the paragraphs after the second, so the two would not form one block; once the stutter is gone they do,
    and the whole second capture goes (judged alone, the stray H looked like a recurring template line).

    A block away from its source next to a repeat of a paragraph that recurs (`in_template`) is kept: a dish
    two days of a meal plan share, between the plan's recurring lines, is the plan's text, not a scraper's copy.
    """
    removable: list[list[Match]] = []
    adjacent_to_source: list[bool] = []
    removed: set[int] = set()
    chain_end: dict[tuple[int, int], int] = {}  # (first, last source) -> last copy of the latest removable block
    for block in blocks:
        if any(m.source in removed for m in block):
            continue  # looked at again in the next pass, against what is left
        sources = (block[0].source, block[-1].source)
        chained = block[0].copy - 1 == chain_end.get(sources)
        adjacent = chained or block[0].copy - 1 == sources[1]
        if not adjacent and matches is not None and in_template(block, copies_of, matches):
            continue
        if is_removable(block, copies_of, adjacent):
            removed.update(m.copy for m in block)
            if chained and removable[-1][-1].copy == block[0].copy - 1:
                removable[-1].extend(block)  # one removal for the whole run of copies
            else:
                removable.append(list(block))
                adjacent_to_source.append(adjacent)
            chain_end[sources] = block[-1].copy
    if any(adjacent_to_source) and not all(adjacent_to_source):
        return [block for block, adjacent in zip(removable, adjacent_to_source, strict=True) if adjacent]
    return removable


def in_template(block: list[Match], copies_of: Counter[int], matches: dict[int, Match]) -> bool:
    """Whether the paragraph right before or after a block repeats a long paragraph that recurs (three or more
    times in all): the block is then a fragment of a repeated template (bench/aeb_eval.py: a meal plan whose days
    share a dish), which a scraper's copy, ending where unrepeated text or the page ends, is not."""
    for neighbour in (matches.get(block[0].copy - 1), matches.get(block[-1].copy + 1)):
        if neighbour is not None and neighbour.long and copies_of[neighbour.source] >= 2:
            return True
    return False


def is_removable(block: list[Match], copies_of: Counter[int], adjacent: bool) -> bool:
    """Whether a block is a scraper's copy rather than text the article repeats on purpose.

    A block right after its source (`adjacent`: a stuttered headline, an interleaved copy, a body captured twice in
    a row) is a copy. Away from its source, a block of two or more long paragraphs is a copy unless its source
    recurs three or more times (a meal plan's days, an interview's questions to each guest: a template, kept); a
    lone repeat away from its source is kept (bench/aeb_eval.py: those were article text).
    """
    longs = [m for m in block if m.long]
    if not longs:
        return False
    if adjacent:
        return True
    if len(longs) < 2:
        return False
    return all(copies_of[m.source] < 2 for m in longs)


def _removal(doc: Document, run: list[tuple[int, int]], score: float) -> Removal:
    """One removal for a run of copies that are contiguous in the document, with the whitespace after it
    (`segment.end_with_gap`); `run` holds (copy, source) units."""
    spans = units_of(doc)
    start = spans[run[0][0]][0]
    end = end_with_gap(doc.source, spans, run[-1][0])
    first_source, last_source = run[0][1], run[-1][1]
    return Removal(
        start=start,
        end=end,
        text=doc.source[start:end],
        stage="neardup",
        reason=f"repeats {_what(doc, spans, first_source, last_source)} (Jaccard {score:.2f})",
        dup_of=(spans[first_source][0], spans[last_source][1]),
        score=score,
    )


def _what(doc: Document, spans: list[Span], first: int, last: int) -> str:
    """The source of a copy in a reader's words: paragraphs by number when it is made of whole paragraphs,
    otherwise sentences by their number in the document."""
    if spans is doc.paragraphs or spans == doc.paragraphs:  # units that are the paragraphs (most documents)
        return f"paragraph {first + 1}" if first == last else f"paragraphs {first + 1}-{last + 1}"
    starts = [start for start, _ in doc.paragraphs]
    numbers = []
    for index in (first, last):
        paragraph = bisect_right(starts, spans[index][0]) - 1
        numbers.append(paragraph + 1 if doc.paragraphs[paragraph] == spans[index] else None)
    whole = all(numbers) and all(
        doc.paragraphs[bisect_right(starts, spans[k][0]) - 1] == spans[k] for k in range(first, last + 1)
    )
    if whole:
        a, b = numbers
        return f"paragraph {a}" if a == b else f"paragraphs {a}-{b}"
    a, b = first + 1, last + 1
    return f"sentence {a}" if a == b else f"sentences {a}-{b}"


def block_removals(doc: Document, rows: list[int], block: list[Match]) -> list[Removal]:
    """Removals for one block; `rows[i]` is the document unit of this pass's row i. A block whose copies are not
    contiguous in the document (an earlier removal sits between) is split into contiguous runs, and so is a run that
    starts inside a paragraph and goes on into the next: as one span it would join the text left on both lines."""
    spans = units_of(doc)
    source = doc.source
    score = min([m.score for m in block])
    removals: list[Removal] = []
    run: list[tuple[int, int]] = []
    mid_line = False  # whether the run started inside a line: then a unit that starts a new line ends it
    for match in block:
        unit = rows[match.copy]
        if run and (
            unit != run[-1][0] + 1 or (mid_line and source.find("\n", spans[unit - 1][1], spans[unit][0]) >= 0)
        ):
            removals.append(_removal(doc, run, score))
            run = []
        if not run:
            start = spans[unit][0]
            mid_line = start > 0 and source[start - 1] != "\n"
        run.append((unit, rows[match.source]))
    removals.append(_removal(doc, run, score))
    return removals


def document_removals(
    doc: Document,
    live: list[int],
    texts: Sequence[str],
    sig: np.ndarray,
    shingles: minhash.Shingles,
    text_ids: Sequence[int],
    options: NearDupOptions,
    token_counts: Sequence[int],
    similar: set[tuple[int, int]] | None,
    jaccards: dict[tuple[int, int], float] | None = None,
) -> list[Removal]:
    """Remove repeated blocks, then look again at what is left until nothing more goes.

    `text_ids[p]` is the row of `sig` and `shingles` that holds `texts[p]` (copies of a text share one);
    `token_counts` is `shingles.token_counts` as a list, `similar` what `similar_texts` found, `jaccards` the
    exact Jaccard of some of those pairs already computed (`_pair_jaccards`; the others are computed here).
    A lone repeat is kept when text stands between it and its source; if that text is itself removed, the
    repeat becomes adjacent. Repeating the passes over the remaining rows (signatures are reused) makes the
    result a fixpoint, so cleaning the cleaned text changes nothing.
    """
    if similar is not None and not similar:
        # No two distinct texts agree; without a long text that recurs there is nothing to match at all (most
        # documents of a real corpus), and the passes below would only find that out more slowly.
        long_ids = [text_id for text_id in text_ids if token_counts[text_id] >= options.min_words]
        if len(set(long_ids)) == len(long_ids):
            return []
    rows = list(range(len(live)))  # positions into `texts` still in play
    scores: dict[tuple[int, int], float] = {}  # (text id, text id) -> `find_repeats`' score, kept across passes
    sets: dict[int, frozenset[int]] = {}
    numbers: dict[int, list[bytes]] = {}
    text_of: dict[int, str] = {}

    def numbers_of(text_id: int) -> list[bytes]:  # `minhash.numbers` in UTF-8: equal exactly when those are
        if text_id not in numbers:
            if not text_of:
                text_of.update(zip(text_ids, texts, strict=True))
            text = text_of[text_id]  # ASCII text, where `\d` is 0-9: a translate, faster than the regex
            key = None if text.isascii() else [number.encode() for number in minhash.numbers(text)]
            numbers[text_id] = text.encode().translate(_DIGITS).split() if key is None else key
        return numbers[text_id]

    def score(u: int, v: int) -> float:
        if u > v:
            u, v = v, u  # as `similar_texts` pairs them (Jaccard and numbers do not care)
        found = scores.get((u, v))
        if found is None:
            known = jaccards.get((u, v)) if jaccards is not None else None
            if known is not None and known < options.threshold:
                found = known  # refused whatever the numbers say
            elif numbers_of(u) != numbers_of(v):
                found = -1.0
            elif known is not None:
                found = known
            else:
                for text_id in (u, v):
                    if text_id not in sets:
                        sets[text_id] = frozenset(shingles.of(text_id).tolist())
                set_u, set_v = sets[u], sets[v]
                inter = len(set_u & set_v)
                union = len(set_u) + len(set_v) - inter
                found = inter / union if union else 1.0
            scores[u, v] = found
        return found

    removals: list[Removal] = []
    while len(rows) >= 2:
        ids = [text_ids[p] for p in rows]
        matches = find_repeats(sig, [token_counts[text_id] for text_id in ids], score, options, ids, similar)
        copies_of = Counter(m.source for m in matches.values() if m.long)
        blocks = removable_blocks(repeated_blocks(matches), copies_of, matches)
        if not blocks:
            break
        paragraph_of_row = [live[p] for p in rows]
        removed: set[int] = set()
        for block in blocks:
            removals.extend(block_removals(doc, paragraph_of_row, block))
            removed.update(m.copy for m in block)
        if len(removed) == len(matches):
            break  # every repeat went; with none kept, what is left has no pair to look at again
        rows = [p for i, p in enumerate(rows) if i not in removed]
    return removals


def mark_near_duplicates(docs: Sequence[Document], options: NearDupOptions) -> None:
    """Mark repeated blocks in every document; shingles for all their units are computed in one batch.

    A text that recurs inside its document is shingled once: a doubled body costs half. A document with fewer
    than two live units holds no repeat and is not shingled at all. On the numpy path only the texts that could
    match another (`_worth_signing`) are signed: in most documents of a real corpus, none.
    """
    found = [live_units(doc) for doc in docs]
    distinct: list[str] = []
    text_ids: list[list[int]] = []
    for live, doc_texts in found:
        if len(live) < 2:
            text_ids.append([])  # one live unit can repeat nothing: it is not even shingled
            continue
        seen = {text: row for row, text in enumerate(dict.fromkeys(doc_texts), len(distinct))}
        distinct.extend(seen)
        text_ids.append(list(map(seen.__getitem__, doc_texts)))
    if not distinct:
        return
    chosen: list[np.ndarray] = []  # the rows the numpy path signs, when it runs

    def choose(shingles: minhash.Shingles) -> np.ndarray:
        chosen.append(_worth_signing(shingles, text_ids, options))
        return chosen[0]

    sig, shingles = minhash.text_signatures(distinct, options.shingle_size, options.num_perm, options.seed, choose)
    counts = shingles.token_counts.tolist()
    similar = similar_texts(sig, text_ids, counts, options, set(chosen[0].tolist()) if chosen else None)
    jaccards = None if chosen else _pair_jaccards(shingles, similar)  # with the kernel, which signed them all
    for doc, (live, doc_texts), ids, pairs in zip(docs, found, text_ids, similar, strict=True):
        if len(live) >= 2:
            doc.removals.extend(
                document_removals(doc, live, doc_texts, sig, shingles, ids, options, counts, pairs, jaccards)
            )


def _pair_jaccards(
    shingles: minhash.Shingles, similar: Sequence[set[tuple[int, int]] | None]
) -> dict[tuple[int, int], float]:
    """Exact Jaccard of every pair `similar_texts` found, for the batch at once: `document_removals` needs each."""
    pairs = [pair for found in similar if found for pair in found]
    if not pairs:
        return {}
    ends = np.array(pairs, np.int64).T.ravel()  # every pair's earlier texts, then their later ones
    rows, index = np.unique(ends, return_inverse=True)
    involved = minhash._rows_of(shingles, rows)
    values, offsets = minhash.unique_runs(involved.hashes, involved.offsets)
    scores = minhash.pair_jaccard(values, offsets, index[: len(pairs)], index[len(pairs) :])
    return dict(zip(pairs, scores.tolist(), strict=True))


def _worth_signing(
    shingles: minhash.Shingles, text_ids: Sequence[Sequence[int]], options: NearDupOptions
) -> np.ndarray:
    """The rows (distinct texts of one document each) whose signatures can decide anything, in order.

    Only long texts are compared by signature. In a document that `similar_texts` compares pair by pair, a long
    text A that shares less than `threshold` of its shingles with all the other long texts together cannot be
    verified against any one B: exact Jaccard J(A, B) >= t needs |A & B| >= t |A | B| >= t |A|. It is left out,
    and so are only pairs that verification would refuse. Every long text of a document compared by banding
    (more than `_ALL_PAIRS_LIMIT` long units) is signed.

    One sort for the batch: a key per (document, shingle, text) packs the document (16 bits), the shingle hash's
    low 32 bits and the text's place in its document (16 bits). Two shingles that share their low 32 bits count
    as shared, which can only let a text through; so does counting A's shingles with their repeats.
    """
    lengths = shingles.offsets[1:] - shingles.offsets[:-1]
    long = shingles.token_counts >= options.min_words
    docs = [ids for ids in text_ids if ids]
    if not docs:
        return np.zeros(0, np.int64)
    # A document's distinct texts are consecutive rows, numbered in the order they first occur.
    first_row = np.array([ids[0] for ids in docs], np.int64)
    row_counts = np.array([max(ids) for ids in docs], np.int64) - first_row + 1
    units = np.fromiter((len(ids) for ids in docs), np.int64, len(docs))
    flat = np.fromiter(itertools.chain.from_iterable(docs), np.int64, int(units.sum()))
    long_units = np.add.reduceat(long[flat].astype(np.int64), np.concatenate(([0], np.cumsum(units)[:-1])))
    banded = (long_units > _ALL_PAIRS_LIMIT) | (row_counts > 1 << 16)  # past what a key holds: signed unseen
    if len(docs) > 1 << 16:
        banded[:] = True
    doc_of_row = np.repeat(np.arange(len(docs)), row_counts)
    covered = np.repeat(first_row - np.concatenate(([0], np.cumsum(row_counts)[:-1])), row_counts)
    covered += np.arange(int(row_counts.sum()))
    signed = np.zeros(len(lengths), bool)
    signed[covered] = long[covered] & banded[doc_of_row]
    picked = long[covered] & ~banded[doc_of_row]
    rows, doc = covered[picked], doc_of_row[picked]
    if len(rows):
        counts = lengths[rows]
        element = np.repeat(shingles.offsets[:-1][rows] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        element += np.arange(int(counts.sum()))
        keys = np.repeat((doc.astype(np.uint64) << np.uint64(48)) | (rows - first_row[doc]).astype(np.uint64), counts)
        keys |= (shingles.hashes[element] & np.uint64(0xFFFFFFFF)) << np.uint64(16)
        keys.sort()
        group = keys >> np.uint64(16)
        starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        ends = np.append(starts[1:], len(keys))
        low16 = np.uint64(0xFFFF)
        shared = np.repeat((keys[starts] & low16) != (keys[ends - 1] & low16), ends - starts)
        first = np.concatenate(([True], keys[1:] != keys[:-1]))  # each (document, shingle, text) once
        alone = keys[first & ~shared]
        owner = first_row[(alone >> np.uint64(48)).astype(np.int64)] + (alone & low16).astype(np.int64)
        unshared = np.bincount(owner, minlength=len(lengths))[rows]
        # J >= t leaves at most (1 - t) |A| of A's shingles unshared; the slack absorbs rounding only.
        signed[rows[unshared <= (1.0 - options.threshold) * counts * (1 + 1e-9) + 1e-9]] = True
    return np.flatnonzero(signed)
