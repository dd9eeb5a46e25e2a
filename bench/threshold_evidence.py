"""Evidence for the near-duplicate threshold and shingle size, measured on real article paragraphs.

For each shingle size k and threshold t it reports, on the AEB gold article bodies:
- recall: the share of edited copies (quote style, spacing, one or two changed words) whose exact Jaccard with
  the original reaches t -- these must be removed;
- false positives: pairs of *different* paragraphs of one article, and pairs of different paragraphs that share a
  long quotation (a real sentence embedded in two other paragraphs), whose Jaccard reaches t -- these must be kept.

Usage: python bench/threshold_evidence.py [path/to/ground-truth.json]
"""

from __future__ import annotations

import json
import random
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
from shared_data import AEB_GROUND_TRUTH

from cleaner import minhash
from cleaner.normalize import normalize

DEFAULT_GROUND_TRUTH = AEB_GROUND_TRUTH
MIN_WORDS = 5
THRESHOLDS = (0.6, 0.7, 0.8, 0.9)
SIZES = (1, 2, 3, 4, 5)


def article_paragraphs(path: Path) -> list[list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    articles = []
    for entry in data.values():
        text = normalize(entry.get("articleBody") or "")
        paras = [p for p in text.splitlines() if len(minhash.tokenize(p)) >= MIN_WORDS]
        if paras:
            articles.append(paras)
    return articles


def edit(paragraph: str, kind: str, rng: random.Random) -> str:
    words = paragraph.split(" ")
    if kind == "quotes":
        return paragraph.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    if kind == "spacing":
        return paragraph.replace(", ", " , ").replace(". ", ".  ")
    changes = 1 if kind == "one word" else 2
    for _ in range(changes):
        i = rng.randrange(len(words))
        words[i] = "changed"
    return " ".join(words)


def same_numbers(a: str, b: str) -> bool:
    return minhash.numbers(a) == minhash.numbers(b)


def jaccard(sets: dict[str, np.ndarray], a: str, b: str) -> float:
    return minhash.exact_jaccard(sets[a], sets[b])


def shingle_sets(texts: list[str], k: int) -> dict[str, np.ndarray]:
    unique = sorted(set(texts))
    shingles = minhash.shingle(unique, k)
    return {text: shingles.unique_of(i) for i, text in enumerate(unique)}


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_GROUND_TRUTH
    articles = article_paragraphs(path)
    rng = random.Random(7)
    edited = [
        (p, edit(p, kind, rng), kind)
        for art in articles
        for p in art
        for kind in ("quotes", "spacing", "one word", "two words")
    ]
    within = [(a, b) for art in articles for a, b in combinations(art, 2) if a != b]
    # Shared long quotation: a real sentence of >= 12 words embedded in two unrelated paragraphs.
    flat = [p for art in articles for p in art]
    sentences = [s for p in flat for s in p.split(". ") if len(s.split()) >= 12]
    quoted = []
    for _ in range(2000):
        quote = rng.choice(sentences)
        a, b = rng.sample(flat, 2)
        quoted.append((f'{a} He said: "{quote}."', f'"{quote}," she told reporters. {b}'))
    all_texts = [t for pair in edited for t in pair[:2]] + [t for pair in within + quoted for t in pair]
    n_edited = {kind: sum(1 for e in edited if e[2] == kind) for kind in ("quotes", "spacing", "one word", "two words")}
    print(f"{len(articles)} articles, {len(flat)} paragraphs >= {MIN_WORDS} words; {len(within)} within-article pairs,")
    print(f"{len(quoted)} shared-quotation pairs, {len(edited)} edited copies {n_edited}\n")
    header = "k  t    " + "  ".join(f"{k:>9}" for k in n_edited) + "   within-FP  quote-FP  max-within  +num-guard"
    print(header)
    for k in SIZES:
        sets = shingle_sets(all_texts, k)
        edit_scores = {kind: [jaccard(sets, a, b) for a, b, kd in edited if kd == kind] for kind in n_edited}
        within_scores = np.array([jaccard(sets, a, b) for a, b in within])
        guarded = np.array([same_numbers(a, b) for a, b in within])
        quote_scores = np.array([jaccard(sets, a, b) for a, b in quoted])
        for t in THRESHOLDS:
            recalls = "  ".join(f"{np.mean(np.array(edit_scores[kind]) >= t):9.3f}" for kind in n_edited)
            print(
                f"{k}  {t:.1f}  {recalls}   {int((within_scores >= t).sum()):9d}  {int((quote_scores >= t).sum()):8d}"
                f"  {within_scores.max():10.3f}  {int(((within_scores >= t) & guarded).sum()):9d}"
            )
    print("+num-guard: within-article pairs >= t that also have the same numbers (what neardup removes)")
    print("\nrecall columns: share of edited copies detected; FP columns: count of distinct pairs wrongly >= t")


if __name__ == "__main__":
    main()
