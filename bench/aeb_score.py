"""Scoring of the article-extraction benchmark (AEB), as the issue fixes it.

Tokens are `\\w+` matches; shingles are word 4-grams counted as a multiset; per page TP/FP/FN are normalized by
their sum so long pages weigh no more than short ones; precision and recall are averaged over pages (a page with
no prediction is left out of precision, as in AEB's evaluate.py) and F1 is computed from the two averages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

TOKEN = re.compile(r"\w+")
NGRAM = 4


def shingles(text: str | None, n: int = NGRAM) -> Counter[tuple[str, ...]]:
    """Word n-grams as a multiset; a text shorter than n tokens is one shingle of all its tokens."""
    tokens = TOKEN.findall(text or "")
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def page_counts(truth: str | None, pred: str | None) -> tuple[float, float, float]:
    """TP, FP, FN of one page, normalized by their sum."""
    true_sh, pred_sh = shingles(truth), shingles(pred)
    tp = float(sum((true_sh & pred_sh).values()))
    fp = float(sum((pred_sh - true_sh).values()))
    fn = float(sum((true_sh - pred_sh).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (tp, fp, fn)


def page_precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def page_recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float


def score(counts: Iterable[tuple[float, float, float]]) -> Score:
    """Average precision and recall over pages, then F1 from the two averages."""
    rows = list(counts)
    precisions = [page_precision(*c) for c in rows if c[0] + c[1] > 0]
    recalls = [page_recall(*c) for c in rows if c[0] + c[2] > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f1)
