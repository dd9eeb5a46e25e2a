"""The AEB scorer (bench/aeb_score.py) on tiny strings whose counts can be checked by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from aeb_score import page_counts, score, shingles


def test_tokens_are_word_matches_and_shingles_a_multiset() -> None:
    assert shingles("a b, c! d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("x y z w x y z w")[("x", "y", "z", "w")] == 2


def test_short_text_is_one_shingle_and_empty_is_none() -> None:
    assert shingles("only two") == {("only", "two"): 1}
    assert shingles("") == {}
    assert shingles(None) == {}


def test_page_counts_are_normalized_by_their_sum() -> None:
    # truth shingles: abcd, bcde; prediction: abcd, bcdf -> tp 1, fp 1, fn 1
    assert page_counts("a b c d e", "a b c d f") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert page_counts("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    assert page_counts("", "") == (0.0, 0.0, 0.0)


def test_repeated_prediction_counts_as_false_positives() -> None:
    tp, fp, fn = page_counts("w x y z", "w x y z. w x y z")  # 5 shingles predicted, one true
    assert (tp, fp, fn) == pytest.approx((1 / 5, 4 / 5, 0.0))


def test_averages_over_pages_then_f1_from_averages() -> None:
    pages = [page_counts("a b c d e", "a b c d e"), page_counts("a b c d e", "a b c d f")]
    s = score(pages)
    assert s.precision == pytest.approx((1 + 0.5) / 2)
    assert s.recall == pytest.approx((1 + 0.5) / 2)
    assert s.f1 == pytest.approx(0.75)


def test_empty_prediction_counts_for_recall_not_precision() -> None:
    pages = [page_counts("a b c d e", "a b c d e"), page_counts("a b c d e", None)]
    s = score(pages)
    assert s.precision == pytest.approx(1.0)
    assert s.recall == pytest.approx(0.5)
