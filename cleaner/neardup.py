"""Repeated paragraph blocks inside a document: later copies are marked, the first copy is kept.

Candidates come from MinHash signatures (all pairs for ordinary documents, LSH banding for huge ones). Before
anything is marked they are verified with exact Jaccard on shingle hashes and must carry the same numbers
(bench/threshold_evidence.py: without that guard, recipe and list items that differ in one quantity pass 0.8).
Short paragraphs ("-", "Politics") are never removed on their own: only when they sit inside a repeated block,
aligned with the copy they repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cleaner import minhash
from cleaner.record import Document, Removal

# Candidate pairs are taken this far below the threshold, so estimation noise (sd ~0.035 at J=0.8 with 128
# permutations) never hides a pair that exact verification would accept.
_CANDIDATE_MARGIN = 0.15
# Up to this many long paragraphs, compare all signature pairs directly; beyond it, LSH banding.
_ALL_PAIRS_LIMIT = 300


@dataclass(frozen=True, slots=True)
class NearDupOptions:
    """How near-duplicate paragraphs are found; defaults chosen on the evidence in bench/threshold_evidence.py."""

    threshold: float = 0.8
    shingle_size: int = minhash.SHINGLE_SIZE
    num_perm: int = minhash.NUM_PERM
    min_words: int = 5
    seed: int = minhash.SEED

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(
                f"threshold must be in (0, 1], got {self.threshold!r}; 0.8 is the default "
                "(Jaccard similarity of word shingles above which a later paragraph is a copy)"
            )
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
    """Paragraph `copy` repeats earlier paragraph `source` with exact Jaccard `score` (indices of live paragraphs)."""

    copy: int
    source: int
    score: float


def live_paragraphs(doc: Document) -> list[int]:
    """Indices of paragraphs no earlier stage removed: only these can be kept originals or removed copies."""
    if not doc.removals:
        return list(range(len(doc.paragraphs)))
    spans = sorted((r.start, r.end) for r in doc.removals)
    live = []
    cursor = 0
    for index, (start, end) in enumerate(doc.paragraphs):
        while cursor < len(spans) and spans[cursor][1] <= start:
            cursor += 1
        if cursor < len(spans) and spans[cursor][0] < end:
            continue
        live.append(index)
    return live


def _candidates(sig: np.ndarray, threshold: float) -> np.ndarray:
    floor = max(threshold - _CANDIDATE_MARGIN, 0.05)
    if len(sig) <= _ALL_PAIRS_LIMIT:
        agree = (sig[:, None, :] == sig[None, :, :]).sum(axis=2)
        return np.argwhere(np.triu(agree >= floor * sig.shape[1], k=1))
    return minhash.candidate_pairs(sig, floor)


def find_repeats(
    texts: Sequence[str],
    sig: np.ndarray,
    shingles: minhash.Shingles,
    first: int,
    options: NearDupOptions,
) -> dict[int, Match]:
    """Map each repeated paragraph (index into `texts`) to the earlier paragraph it copies.

    `sig[first + i]` and `shingles.of(first + i)` belong to `texts[i]`.
    """
    n = len(texts)
    token_counts = shingles.token_counts[first : first + n]
    long_ones = np.flatnonzero(token_counts >= options.min_words)
    matches: dict[int, Match] = {}
    if len(long_ones) >= 2:
        pairs = _candidates(sig[first + long_ones], options.threshold)
        unique: dict[int, np.ndarray] = {}
        verified: dict[int, list[tuple[int, float]]] = {}
        for a, b in pairs.tolist():
            i, j = int(long_ones[a]), int(long_ones[b])
            if texts[i] == texts[j]:
                score = 1.0
            elif minhash.numbers(texts[i]) != minhash.numbers(texts[j]):
                continue  # list items and updated figures differ in their numbers; copies keep them
            else:
                for k in (i, j):
                    if k not in unique:
                        unique[k] = shingles.unique_of(first + k)
                score = minhash.exact_jaccard(unique[i], unique[j])
            if score >= options.threshold:
                verified.setdefault(j, []).append((i, score))
        for j in sorted(verified):
            # Point at a kept paragraph when there is one, so the ledger names text the reader still sees.
            kept = [(i, score) for i, score in verified[j] if i not in matches] or verified[j]
            i, score = max(kept, key=lambda pair: (pair[1], -pair[0]))
            matches[j] = Match(j, i, score)
    if matches:
        _align_short_paragraphs(texts, token_counts, matches, options.min_words)
    return matches


def _align_short_paragraphs(
    texts: Sequence[str], token_counts: np.ndarray, matches: dict[int, Match], min_words: int
) -> None:
    """Let a short paragraph join a repeated block when it sits next to a copy and repeats, exactly, the paragraph
    next to that copy's source: "-" separators and section headings inside a duplicated sidebar go with it."""
    n = len(texts)
    changed = True
    while changed:
        changed = False
        for order in (range(n), range(n - 1, -1, -1)):
            for k in order:
                if k in matches or token_counts[k] >= min_words:
                    continue
                for neighbour, step in ((k - 1, 1), (k + 1, -1)):
                    match = matches.get(neighbour)
                    if match is None:
                        continue
                    source = match.source + step
                    if 0 <= source < k and texts[source] == texts[k]:
                        matches[k] = Match(k, source, 1.0)
                        changed = True
                        break


def block_removals(doc: Document, live: list[int], matches: dict[int, Match]) -> list[Removal]:
    """Group matches into blocks (consecutive copies of consecutive sources) and mark one removal per block."""
    removals: list[Removal] = []
    block: list[Match] = []

    def close() -> None:
        if not block:
            return
        first, last = block[0], block[-1]
        start = doc.paragraphs[live[first.copy]][0]
        end = doc.paragraphs[live[last.copy]][1] + 1  # the line break goes with the block
        source_start = doc.paragraphs[live[first.source]][0]
        source_end = doc.paragraphs[live[last.source]][1]
        score = min(m.score for m in block)
        a, b = live[first.source] + 1, live[last.source] + 1
        what = f"paragraph {a}" if a == b else f"paragraphs {a}-{b}"
        removals.append(
            Removal(
                start=start,
                end=end,
                text=doc.source[start:end],
                stage="neardup",
                reason=f"repeats {what} (Jaccard {score:.2f})",
                dup_of=(source_start, source_end),
                score=score,
            )
        )
        block.clear()

    for copy in sorted(matches):
        match = matches[copy]
        if block:
            previous = block[-1]
            contiguous = (
                match.copy == previous.copy + 1
                and match.source == previous.source + 1
                and match.source < block[0].copy  # the source block ends before the copy block begins
                and live[match.copy] == live[previous.copy] + 1
            )
            if not contiguous:
                close()
        block.append(match)
    close()
    return removals


def mark_near_duplicates(docs: Sequence[Document], options: NearDupOptions) -> None:
    """Mark repeated blocks in every document; signatures for all their paragraphs are computed in one batch."""
    lives = [live_paragraphs(doc) for doc in docs]
    texts = [doc.paragraph_text(i) for doc, live in zip(docs, lives, strict=True) for i in live]
    if not texts:
        return
    sig, shingles = minhash.text_signatures(texts, options.shingle_size, options.num_perm, options.seed)
    first = 0
    for doc, live in zip(docs, lives, strict=True):
        n = len(live)
        if n >= 2:
            matches = find_repeats(texts[first : first + n], sig, shingles, first, options)
            doc.removals.extend(block_removals(doc, live, matches))
        first += n
