"""Candidate pairs found for a whole batch at once are the pairs each document would find on its own, and the
texts left unsigned on the numpy path could not have been matched."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import minhash
from cleaner.neardup import NearDupOptions, _candidates, _worth_signing, similar_texts
from cleaner.pipeline import Cleaner

WORDS = ["the", "minister", "said", "on", "monday", "that", "talks", "would", "resume", "in", "baku", "2024"]
PARAGRAPH = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)


def _edited(paragraph: str, cut: int) -> str:
    words = paragraph.split()
    return " ".join(words[:cut] + words[cut + 1 :]) if len(words) > 2 else paragraph


@st.composite
def documents(draw: st.DrawFn) -> list[list[str]]:
    """Documents whose paragraphs repeat exactly, repeat with one word cut, or are new."""
    docs = []
    for _ in range(draw(st.integers(1, 5))):
        paragraphs: list[str] = []
        for _ in range(draw(st.integers(0, 9))):
            choice = draw(st.integers(0, 2)) if paragraphs else 0
            if choice == 0:
                paragraphs.append(draw(PARAGRAPH))
            else:
                source = draw(st.sampled_from(paragraphs))
                paragraphs.append(source if choice == 1 else _edited(source, draw(st.integers(0, 5))))
        docs.append(paragraphs)
    return docs


def _rows(docs: list[list[str]]) -> tuple[list[str], list[list[int]]]:
    """Each document's distinct texts as rows of one batch, and each document's units as rows (as the stage)."""
    distinct: list[str] = []
    text_ids: list[list[int]] = []
    for paragraphs in docs:
        seen: dict[str, int] = {}
        text_ids.append([seen.setdefault(p, len(distinct) + len(seen)) for p in paragraphs])
        distinct.extend(seen)
    return distinct, text_ids


@settings(max_examples=150, deadline=None)
@given(documents(), st.sampled_from([0.5, 0.8, 0.95]))
def test_batch_candidates_equal_per_document_candidates(docs: list[list[str]], threshold: float) -> None:
    options = NearDupOptions(threshold=threshold, min_words=3)
    distinct, text_ids = _rows(docs)
    sig, shingles = minhash.text_signatures(distinct)
    counts = shingles.token_counts.tolist()
    similar = similar_texts(sig, text_ids, counts, options)
    for ids, pairs in zip(text_ids, similar, strict=True):
        long_ids = [i for i in ids if counts[i] >= options.min_words]
        alone = _candidates(sig, long_ids, threshold)
        batched = _candidates(sig, long_ids, threshold, pairs)
        assert sorted(batched) == sorted(alone)
        # and both are what comparing every row (copies included) finds, less the pairs of two later copies of
        # one text: a copy is matched to the first, the only one of them that can be kept
        every = _candidates(sig[long_ids], list(range(len(long_ids))), threshold)
        first_copy = {text: long_ids.index(text) for text in long_ids}
        redundant = {(a, b) for a, b in every if long_ids[a] == long_ids[b] and first_copy[long_ids[a]] != a}
        assert sorted(batched) == sorted(set(every) - redundant)


@settings(max_examples=150, deadline=None)
@given(documents(), st.sampled_from([0.5, 0.8, 0.95]))
def test_texts_left_unsigned_have_no_partner_verification_could_accept(docs: list[list[str]], threshold: float) -> None:
    """`_worth_signing` keeps both texts of every pair of long texts whose exact Jaccard reaches the threshold."""
    options = NearDupOptions(threshold=threshold, min_words=3)
    distinct, text_ids = _rows(docs)
    text_ids = [ids if len(ids) >= 2 else [] for ids in text_ids]  # as the stage leaves one-unit documents
    if not distinct:
        return
    shingles = minhash.reference_shingle(distinct)
    signed = set(_worth_signing(shingles, text_ids, options).tolist())
    long = [count >= options.min_words for count in shingles.token_counts.tolist()]
    assert all(long[row] for row in signed)
    for ids in text_ids:
        rows = sorted({row for row in ids if long[row]})
        for a in rows:
            for b in rows:
                set_a, set_b = set(shingles.of(a).tolist()), set(shingles.of(b).tolist())
                if a < b and len(set_a & set_b) / len(set_a | set_b) >= threshold:
                    assert a in signed and b in signed


@settings(max_examples=100, deadline=None)
@given(documents(), st.sampled_from([0.5, 0.8]))
def test_the_numpy_path_signing_only_chosen_texts_removes_what_the_kernel_signing_all_removes(
    docs: list[list[str]], threshold: float
) -> None:
    texts = ["\n".join(paragraphs) for paragraphs in docs if paragraphs]
    assert minhash.load_kernel()
    cleaner = Cleaner(rules=[], threshold=threshold, min_words=3)
    with_kernel = [doc.removals for doc in cleaner.clean_many(texts)]
    with mock.patch.object(minhash, "_kernel_for", lambda size: None):
        numpy_only = [doc.removals for doc in cleaner.clean_many(texts)]
    assert numpy_only == with_kernel
