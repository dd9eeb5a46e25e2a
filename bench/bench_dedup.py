"""Benchmark: `newsclean dedup` against datasketch's documented usage, same corpus, same run.

Corpus: AEB gold article bodies (/work/shared/data/aeb/ground-truth.json, read at run time) plus planted
near-duplicates: every body is republished with word edits at several rates. Truth: a pair is a duplicate when
the exact Jaccard of its word shingles is >= the threshold (brute force over all pairs).
Baseline: per-document `datasketch.MinHash` with `update()` per shingle, then `MinHashLSH` insert and query.
Ours: `find_duplicates` in one process (vectorized signatures, LSH banding, exact verification, union-find).
Speed is reported as a ratio against the baseline measured in the same run (the machine is shared).

    python bench/bench_dedup.py [--threshold 0.8] [--rates 0.005,0.01,0.02,0.05,0.1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from cleaner import minhash
from cleaner.corpus.dedup import DedupOptions, find_duplicates
from cleaner.io.base import InputDoc
from cleaner.normalize import normalize
from cleaner.record import Origin

AEB = Path("/work/shared/data/aeb/ground-truth.json")


def build_corpus(rates: list[float], seed: int = 7) -> tuple[list[str], list[tuple[int, int]]]:
    bodies = [v["articleBody"] for _k, v in sorted(json.loads(AEB.read_text(encoding="utf-8")).items())]
    bodies = [b for b in bodies if len(b.split()) >= 50]
    rng = random.Random(seed)
    texts = list(bodies)
    planted = []
    for i, body in enumerate(bodies):
        for rate in rates:
            words = body.split(" ")
            for j in range(len(words)):
                if rng.random() < rate:
                    words[j] = rng.choice(["news", "report", "today", "said", "new", "market", "city"])
            planted.append((i, len(texts)))
            texts.append(" ".join(words))
    return texts, planted


def true_pairs(texts: list[str], threshold: float) -> set[tuple[int, int]]:
    sets = [np.unique(minhash.shingle([normalize(t)]).hashes) for t in texts]
    found = set()
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            if minhash.exact_jaccard(sets[i], sets[j]) >= threshold:
                found.add((i, j))
    return found


def run_datasketch(texts: list[str], threshold: float) -> tuple[float, set[tuple[int, int]]]:
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=minhash.NUM_PERM)
    sketches = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=minhash.NUM_PERM)
        for shingle in minhash.shingle_bytes(normalize(text)):
            m.update(shingle)
        lsh.insert(i, m)
        sketches.append(m)
    pairs = set()
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return time.perf_counter() - start, pairs


def run_ours(texts: list[str], threshold: float) -> tuple[float, set[tuple[int, int]]]:
    docs = [InputDoc(Origin("bench", record=i), text=t, id=str(i)) for i, t in enumerate(texts)]
    start = time.perf_counter()
    result = find_duplicates(docs, DedupOptions(threshold=threshold))
    elapsed = time.perf_counter() - start
    pairs = {(a, b) for a, b, _score in result.verified}
    return elapsed, pairs


def score(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    tp = len(found & truth)
    return (tp / len(found) if found else 1.0), (tp / len(truth) if truth else 1.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--rates", default="0.005,0.01,0.02,0.05,0.1")
    args = parser.parse_args()
    if not AEB.exists():
        sys.exit(f"{AEB} not found: this benchmark reads the AEB gold bodies at run time")
    texts, planted = build_corpus([float(r) for r in args.rates.split(",")])
    truth = true_pairs(texts, args.threshold)
    run_ours(texts[:20], args.threshold)  # warm up numpy tables and imports for both sides
    run_datasketch(texts[:20], args.threshold)
    base_time, base_pairs = run_datasketch(texts, args.threshold)
    ours_time, our_pairs = run_ours(texts, args.threshold)
    chars = sum(len(t) for t in texts)
    planted_true = [p for p in planted if p in truth]
    print(
        f"corpus: {len(texts)} documents, {chars / 1e6:.1f} M chars, {len(planted)} planted pairs "
        f"({len(planted_true)} with exact J >= {args.threshold}), {len(truth)} true pairs in all"
    )
    for name, elapsed, pairs in (("datasketch", base_time, base_pairs), ("newsclean", ours_time, our_pairs)):
        precision, recall = score(pairs, truth)
        planted_recall = sum(p in pairs for p in planted_true) / max(1, len(planted_true))
        print(
            f"{name:>10}: {elapsed:7.3f} s  {len(texts) / elapsed:8.0f} docs/s  precision {precision:.3f}  "
            f"recall {recall:.3f}  planted recall {planted_recall:.3f}"
        )
    print(f"speed-up: {base_time / ours_time:.1f}x (same run, same corpus)")


if __name__ == "__main__":
    main()
