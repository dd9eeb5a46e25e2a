"""The vectorized signatures are datasketch's: same permutations, same values, loadable as LeanMinHash."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import minhash

datasketch = pytest.importorskip("datasketch")


def datasketch_row(text: str, k: int = minhash.SHINGLE_SIZE) -> np.ndarray:
    m = datasketch.MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED, hashfunc=minhash.shingle_hash32)
    m.update_batch(minhash.shingle_bytes(text, k))
    return m.hashvalues


def test_permutations_are_datasketchs() -> None:
    m = datasketch.MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED)
    a, b = minhash.permutations()
    assert m.scheme == minhash.SCHEME
    assert np.array_equal(m.permutations[0], a) and np.array_equal(m.permutations[1], b)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=120), min_size=1, max_size=8), st.integers(1, 5))
def test_rows_equal_datasketch_update_batch(texts: list[str], k: int) -> None:
    sig, shingles = minhash.text_signatures(texts, k)
    for i, text in enumerate(texts):
        assert np.array_equal(sig[i], datasketch_row(text, k))
        expected = sorted({minhash.shingle_hash64(s) for s in minhash.shingle_bytes(text, k)})
        assert shingles.unique_of(i).tolist() == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=12), st.integers(1, 9))
def test_rows_do_not_depend_on_how_shingles_are_chunked(texts: list[str], chunk: int) -> None:
    """Texts that straddle a chunk boundary are reduced in pieces; the pieces' minimum must be the row."""
    sig, _ = minhash.text_signatures(texts)
    whole = minhash._CHUNK
    try:
        minhash._CHUNK = chunk
        chunked, _ = minhash.text_signatures(texts)
    finally:
        minhash._CHUNK = whole
    assert np.array_equal(sig, chunked)
    for i, text in enumerate(texts):
        assert np.array_equal(chunked[i], datasketch_row(text))


def test_vectorized_tokens_match_the_reference_tokenizer() -> None:
    texts = ["İstanbul ÇOK güzel", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 x_y 42", "日本語のテキスト", "", "—", "don’t “quote”"]
    _, shingles = minhash.text_signatures(texts, 1)
    assert shingles.token_counts.tolist() == [len(minhash.tokenize(t)) for t in texts]


def test_rows_load_as_lean_minhash_and_estimate_jaccard() -> None:
    a = "The parliament met on Monday to discuss the budget for the coming year and beyond."
    b = "The parliament met on Tuesday to discuss the budget for the coming year and beyond."
    sig, shingles = minhash.text_signatures([a, b])
    lean_a, lean_b = minhash.to_lean_minhash(sig[0]), minhash.to_lean_minhash(sig[1])
    exact = minhash.exact_jaccard(shingles.unique_of(0), shingles.unique_of(1))
    assert lean_a.jaccard(lean_b) == pytest.approx(minhash.estimate_jaccard(sig[0], sig[1]))
    assert abs(lean_a.jaccard(lean_b) - exact) < 0.15
    lsh = datasketch.MinHashLSH(threshold=0.5, num_perm=minhash.NUM_PERM)
    lsh.insert("a", lean_a)
    assert lsh.query(lean_b) == ["a"]


def test_document_signature_is_the_union_of_its_paragraphs() -> None:
    paragraphs = ["first paragraph of words here", "second one with other words", "third"]
    sig, _ = minhash.text_signatures(paragraphs)
    whole, _ = minhash.text_signatures(["\n".join(paragraphs)])
    # Shingles never cross paragraphs in the per-paragraph path, so compare with datasketch on the union of sets.
    m = datasketch.MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED, hashfunc=minhash.shingle_hash32)
    for p in paragraphs:
        m.update_batch(minhash.shingle_bytes(p))
    assert np.array_equal(minhash.combine(sig), m.hashvalues)
    assert whole.shape == (1, minhash.NUM_PERM)


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
def test_lsh_params_match_datasketch(threshold: float) -> None:
    from datasketch.lsh import _optimal_param

    assert minhash.lsh_params(threshold) == _optimal_param(threshold, minhash.NUM_PERM, 0.5, 0.5)


def test_candidate_pairs_find_copies_and_cap_large_buckets() -> None:
    texts = [f"paragraph number {i} talks about a different topic entirely, item {i}" for i in range(50)]
    texts += [texts[3], texts[7]] + [texts[0]] * 500
    sig, _ = minhash.text_signatures(texts)
    pairs = {tuple(p) for p in minhash.candidate_pairs(sig, 0.8).tolist()}
    assert (3, 50) in pairs and (7, 51) in pairs and (0, 52) in pairs
    assert len(pairs) < 5000  # 501 copies: linked to the first and the predecessor, not all 125,000 pairs


def test_bad_arguments_say_what_to_do() -> None:
    with pytest.raises(ValueError, match="shingle size"):
        minhash.shingle(["x"], 0)
    with pytest.raises(ValueError, match="threshold"):
        minhash.lsh_params(1.5)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40), st.integers(0, 2**32 - 1))
def test_candidate_pairs_do_not_depend_on_row_order(n: int, seed: int) -> None:
    """Rows drawn from a few values share bands in many ways; a shuffle must find the same pairs (buckets are
    small here, where every pair is taken)."""
    rng = np.random.default_rng(seed)
    sig = rng.integers(0, 3, size=(n, 32), dtype=np.uint32)
    permutation = rng.permutation(n)
    original = {tuple(p) for p in minhash.candidate_pairs(sig, 0.5).tolist()}
    shuffled = {
        tuple(sorted((int(permutation[a]), int(permutation[b]))))
        for a, b in minhash.candidate_pairs(sig[permutation], 0.5).tolist()
    }
    assert shuffled == original
