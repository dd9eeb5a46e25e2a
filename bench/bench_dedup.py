"""Benchmark: `newsclean dedup` against datasketch's documented usage, same corpus, same run.

Corpus (default 6,000 documents, deterministic): the AEB gold article bodies (/work/shared/data/aeb, read at run
time), further distinct articles assembled from their sentences, and re-posted articles: an earlier article again
with word edits at one of several rates, and as sites re-post, sometimes with a byline or a share line added or
its last paragraph cut. Truth: a pair is a duplicate when the exact Jaccard of its word shingles is >= the
threshold (an exact all-pairs similarity join with prefix filtering, so no pair is missed); shingles are taken
within paragraphs, on both sides, as `dedup` takes them.

Baseline, datasketch as documented: per document `MinHash()` with `update()` per shingle, `MinHashLSH` insert,
a query per document, and a union-find over the pairs it returns. Ours: `find_duplicates` in one process. Both
start from the raw text and normalize it. Speed is the ratio of the two measured in this same run (the machine is
shared), each the best of --repeat rounds (the baseline once per round, alternating). Also checked: every true
pair that datasketch finds, newsclean puts in one cluster too.

    python bench/bench_dedup.py [--docs 6000] [--threshold 0.8] [--rates 0.005,0.01,0.02,0.05,0.1] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time

import numpy as np
from shared_data import AEB_GROUND_TRUTH

from cleaner import minhash
from cleaner.corpus.dedup import DedupOptions, find_duplicates
from cleaner.io.base import InputDoc
from cleaner.normalize import normalize
from cleaner.record import Origin

AEB = AEB_GROUND_TRUTH
EDIT_WORDS = ["news", "report", "today", "said", "new", "market", "city"]
BYLINES = ["By Staff Reporter", "Reuters", "AP", "Updated 2 hours ago", "(AFP) -"]
SHARE = ["Share this article", "Follow us on Twitter", "Subscribe to our newsletter"]


def build_corpus(docs: int, rates: list[float], repost_share: float = 0.3, seed: int = 7) -> tuple[list[str], int]:
    """Documents in input order, and how many of them are re-posts."""
    gold = json.loads(AEB.read_text(encoding="utf-8"))
    bodies = [gold[key]["articleBody"] for key in sorted(gold)]
    bodies = [b for b in bodies if len(b.split()) >= 50]
    rng = random.Random(seed)
    sentences = [s for b in bodies for p in b.split("\n") for s in re.split(r"(?<=[.!?])\s+", p) if len(s) > 20]
    originals = max(len(bodies), round(docs * (1 - repost_share)))
    texts = list(bodies)
    while len(texts) < originals:  # distinct articles: a few paragraphs of sentences drawn from the whole pool
        paragraphs = [" ".join(rng.sample(sentences, rng.randint(1, 4))) for _ in range(rng.randint(3, 12))]
        texts.append("\n".join(paragraphs))
    order = list(range(len(texts)))
    rng.shuffle(order)
    texts = [texts[i] for i in order]
    reposts = 0
    while len(texts) < docs:
        source = texts[rng.randrange(len(texts))]
        words = source.split(" ")
        rate = rng.choice(rates)
        for j in range(len(words)):
            if rng.random() < rate:
                words[j] = rng.choice(EDIT_WORDS)
        lines = " ".join(words).split("\n")
        dressing = rng.random()
        if dressing < 0.2:
            lines.insert(0, rng.choice(BYLINES))
        elif dressing < 0.4:
            lines.append(rng.choice(SHARE))
        elif dressing < 0.5 and len(lines) > 4:
            lines.pop()
        texts.insert(rng.randrange(len(texts) + 1), "\n".join(lines))
        reposts += 1
    return texts, reposts


def true_pairs(texts: list[str], threshold: float) -> set[tuple[int, int]]:
    """Every pair with exact Jaccard >= threshold: a prefix-filtered similarity join (exact, not sampled).

    With each set's elements ordered rarest first, two sets with Jaccard >= t share an element among the first
    |s| - ceil(t |s|) + 1 of each, so only pairs sharing such a prefix element are verified.
    """
    sets = [np.unique(minhash.shingle(normalize(t).splitlines()).hashes) for t in texts]
    values, counts = np.unique(np.concatenate(sets), return_counts=True)
    index: dict[int, list[int]] = {}
    candidates: set[tuple[int, int]] = set()
    for doc, s in enumerate(sets):
        if len(s) == 0:
            continue
        rarity = counts[np.searchsorted(values, s)]
        ordered = s[np.lexsort((s, rarity))]
        prefix = len(s) - int(np.ceil(threshold * len(s) - 1e-9)) + 1
        for element in ordered[:prefix].tolist():
            for other in index.setdefault(element, []):
                candidates.add((other, doc))
            index[element].append(doc)
    empty = [i for i, s in enumerate(sets) if len(s) == 0]
    found = {(a, b) for a, b in candidates if minhash.exact_jaccard(sets[a], sets[b]) >= threshold}
    found |= {(a, b) for k, a in enumerate(empty) for b in empty[k + 1 :]}  # empty sets: Jaccard 1 by definition
    return found


def run_datasketch(texts: list[str], threshold: float) -> tuple[float, set[tuple[int, int]], list[int]]:
    """datasketch as its documentation shows it, plus a union-find: (seconds, pairs, cluster root per doc)."""
    from datasketch import MinHash, MinHashLSH

    start = time.process_time()
    lsh = MinHashLSH(threshold=threshold, num_perm=minhash.NUM_PERM)
    sketches = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=minhash.NUM_PERM)
        for paragraph in normalize(text).splitlines():  # shingles within paragraphs, as newsclean takes them
            for shingle in minhash.shingle_bytes(paragraph):
                m.update(shingle)
        lsh.insert(i, m)
        sketches.append(m)
    pairs = set()
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    parent = list(range(len(texts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = [find(i) for i in range(len(texts))]
    return time.process_time() - start, pairs, roots


def run_ours(texts: list[str], threshold: float) -> tuple[float, set[tuple[int, int]], list[int]]:
    """find_duplicates: (seconds, verified pairs, cluster id per doc; -1 outside any cluster)."""
    docs = [InputDoc(Origin("bench", record=i), text=t, id=str(i)) for i, t in enumerate(texts)]
    start = time.process_time()
    result = find_duplicates(docs, DedupOptions(threshold=threshold))
    elapsed = time.process_time() - start
    cluster_of = [-1] * len(texts)
    for number, cluster in enumerate(result.clusters):
        for member in cluster.members:
            cluster_of[member] = number
    return elapsed, {(a, b) for a, b, _score in result.verified}, cluster_of


def clustered(pairs: set[tuple[int, int]], cluster_of: list[int]) -> set[tuple[int, int]]:
    """The pairs whose two documents share a cluster."""
    return {(a, b) for a, b in pairs if cluster_of[a] >= 0 and cluster_of[a] == cluster_of[b]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=6000)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--rates", default="0.005,0.01,0.02,0.05,0.1")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if not AEB.exists():
        sys.exit(f"{AEB} not found: this benchmark reads the AEB gold bodies at run time")
    texts, reposts = build_corpus(args.docs, [float(r) for r in args.rates.split(",")])
    truth = true_pairs(texts, args.threshold)
    minhash.load_kernel()  # as a corpus run does at once (a process would switch to it after 1 M characters)
    run_ours(texts[:50], args.threshold)  # warm up imports and tables for both sides
    run_datasketch(texts[:50], args.threshold)
    base_time = ours_time = float("inf")
    for _ in range(args.repeat):  # alternate, so both sides see the same load on a shared machine
        elapsed, base_pairs, base_roots = run_datasketch(texts, args.threshold)
        base_time = min(base_time, elapsed)
        elapsed, our_pairs, cluster_of = run_ours(texts, args.threshold)
        ours_time = min(ours_time, elapsed)
    chars = sum(len(t) for t in texts)
    print(
        f"corpus: {len(texts)} documents ({reposts} re-posts), {chars / 1e6:.1f} M chars, "
        f"{len(truth)} true pairs (exact J >= {args.threshold})"
    )
    base_clusters = {(a, b) for a, b in truth if base_roots[a] == base_roots[b]}
    rows = (
        ("datasketch", base_time, base_pairs, base_clusters),
        ("newsclean", ours_time, our_pairs, clustered(truth, cluster_of)),
    )
    for name, elapsed, pairs, together in rows:
        tp = len(pairs & truth)
        print(
            f"{name:>10}: {elapsed:7.3f} s  {len(texts) / elapsed:8.0f} docs/s  pairs {len(pairs):6d} "
            f"(precision {tp / max(1, len(pairs)):.3f}, recall {tp / max(1, len(truth)):.3f})  "
            f"true pairs clustered {len(together) / max(1, len(truth)):.3f}"
        )
    missed = (base_pairs & truth) - clustered(base_pairs & truth, cluster_of)
    print(f"true pairs datasketch finds that newsclean does not cluster: {len(missed)}")
    print(f"speed-up: {base_time / ours_time:.1f}x datasketch's documented usage (target >= 25x; same run)")


if __name__ == "__main__":
    main()
