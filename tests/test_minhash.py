"""The signatures are datasketch's: same permutations, same values, loadable as LeanMinHash. The compiled kernel
equals the numpy reference bit for bit, also in worker processes, from a read-only install, and without numba."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import minhash

datasketch = pytest.importorskip("datasketch")


@pytest.fixture(autouse=True)
def kernel_loaded() -> None:
    """A process uses the kernel once it has enough work (KERNEL_AFTER_CHARS); these tests need it from the start."""
    assert minhash.load_kernel(), "numba is a dependency: the kernel must load"


def datasketch_row(text: str, k: int = minhash.SHINGLE_SIZE) -> np.ndarray:
    m = datasketch.MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED, hashfunc=minhash.shingle_hash32)
    m.update_batch(minhash.shingle_bytes(text, k))
    return m.hashvalues


def datasketch_update_row(text: str, k: int = minhash.SHINGLE_SIZE) -> np.ndarray:
    """A signature built the documented way: one `update()` per shingle."""
    m = datasketch.MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED, hashfunc=minhash.shingle_hash32)
    for shingle in minhash.shingle_bytes(text, k):
        m.update(shingle)
    return m.hashvalues


# Arbitrary Unicode, with more of what tokenizing can get wrong: astral letters and emoji, Cyrillic, CJK, the
# code points whose lower case is contextual or longer (İ, Σ), title-case digraphs, ligatures, joiners, marks.
TRICKY = "İΣσςǅǄﬃẞДЖжЁ日本語のテ한국😀𝔘𝔫👍🏽\u200d\u0301A_z9٣’“—-.,!? \n\t\xa0\u00c3\u00a9\ufffd"
texts_strategy = st.text(st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.lists(texts_strategy, min_size=0, max_size=10), st.integers(1, minhash.MAX_SHINGLE_SIZE))
def test_kernel_equals_the_numpy_reference(texts: list[str], k: int) -> None:
    """Signatures, shingle hashes (in order), offsets and token counts, bit for bit."""
    sig, shingles = minhash.text_signatures(texts, k)
    ref_sig, ref = minhash.reference_text_signatures(texts, k)
    assert sig.dtype == ref_sig.dtype and np.array_equal(sig, ref_sig)
    assert np.array_equal(shingles.hashes, ref.hashes) and shingles.hashes.dtype == np.uint64
    assert np.array_equal(shingles.offsets, ref.offsets) and np.array_equal(shingles.token_counts, ref.token_counts)
    alone = minhash.shingle(texts, k)
    assert np.array_equal(alone.hashes, ref.hashes) and np.array_equal(alone.token_counts, ref.token_counts)
    assert np.array_equal(minhash.signatures(alone), ref_sig)
    assert [shingles.token_counts[i] for i in range(len(texts))] == [len(minhash.tokenize(t)) for t in texts]


def test_a_process_switches_to_the_kernel_once_the_work_pays_for_loading_it(tmp_path: Path) -> None:
    code = (
        "from cleaner import minhash\n"
        "minhash.text_signatures(['a short first batch'])\n"
        "print(minhash._kernel.cache_info().currsize)\n"
        "minhash.text_signatures(['word ' * 1000] * (minhash.KERNEL_AFTER_CHARS // 5000 + 1))\n"
        "print(minhash._kernel.cache_info().currsize)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(minhash.__file__).parents[1])}
    done = _run(code, env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1"]


@pytest.mark.parametrize(
    "text",
    [
        "İstanbul ÇOK güzel, İİ",
        "ΟΔΥΣΣΕΥΣ ΚΑΙ ΣΑΣ Σ",
        "Москва: ВСЁ ещё — «ЗИМА»",
        "東京都の天気は晴れ、気温は２５度",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 x_y 42 𐐀𐐨",
        "Don’t... “STOP”!!! (now) -- ok?? yes;no:maybe",
        "MiXeD CaSe WoRdS mixed case words",
    ],
)
def test_kernel_equals_datasketch_update_per_shingle(text: str) -> None:
    sig, _ = minhash.text_signatures([text, text.upper(), ""])
    assert np.array_equal(sig[0], datasketch_update_row(text))
    assert np.array_equal(sig[1], datasketch_update_row(text.upper()))
    assert np.array_equal(sig[2], datasketch.MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED).hashvalues)


def test_char_table_is_str_lower_and_re_word() -> None:
    """Every code point the kernel lower-cases itself: the table's lower case and word flag are Python's."""
    table = minhash._char_table()
    assert table is not None
    codes = np.arange(0x110000)
    chars = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    contextual = set(map(ord, "\u0130\u03a3"))
    wrong = [
        c
        for c, char in zip(codes.tolist(), chars, strict=True)
        if c not in contextual
        and (
            chr(table[c] & 0x7FFFFFFF) != char.lower()
            or bool(table[c] >> 31) != bool(minhash._TOKEN.fullmatch(char.lower()))
        )
    ]
    assert wrong == []


def _sign_in_worker(texts: list[str]) -> np.ndarray:
    return minhash.text_signatures(texts)[0]


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_kernel_runs_in_worker_processes(method: str) -> None:
    texts = ["Москва зимой", "the same words in a row", "日本語 テキスト", ""]
    with multiprocessing.get_context(method).Pool(1) as pool:
        rows = pool.apply(_sign_in_worker, (texts,))
    assert np.array_equal(rows, minhash.reference_text_signatures(texts)[0])


_CHECK = """
import warnings, numpy as np
warnings.simplefilter("always")
from cleaner import minhash
minhash.load_kernel()
texts = ["Москва зимой и летом", "the same words", ""]
sig, sh = minhash.text_signatures(texts)
ref, rsh = minhash.reference_text_signatures(texts)
assert np.array_equal(sig, ref) and np.array_equal(sh.hashes, rsh.hashes)
print("kernel" if minhash._kernel() is not None else "numpy")
"""


def _run(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def _read_only_copy(tmp_path: Path) -> dict[str, str]:
    """The package copied where its __pycache__ cannot be created (a file stands there; root ignores chmod), with
    numba's other cache locations unusable too."""
    root = tmp_path / "site"
    shutil.copytree(Path(minhash.__file__).parent, root / "cleaner", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in [root / "cleaner", *(p for p in (root / "cleaner").rglob("*") if p.is_dir())]:
        (folder / "__pycache__").write_text("not a directory")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, so nothing can be created under it")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(PYTHONPATH=str(root), HOME=str(blocked / "home"), XDG_CACHE_HOME=str(blocked / "cache"))
    return env


def test_kernel_caches_next_to_itself_when_the_package_is_writable(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(Path(minhash.__file__).parent, root / "cleaner", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["PYTHONPATH"] = str(root)
    done = _run(_CHECK, env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "kernel"
    assert list((root / "cleaner" / "__pycache__").glob("_minhash_kernel.sign-*.nbi"))


def test_kernel_works_from_a_read_only_install_without_a_cache_dir(tmp_path: Path) -> None:
    env = _read_only_copy(tmp_path)
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "blocked" / "numba")
    done = _run(_CHECK, env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "kernel" and "Warning" not in done.stderr, done.stderr


def test_kernel_caches_in_numba_cache_dir_when_the_install_is_read_only(tmp_path: Path) -> None:
    env = _read_only_copy(tmp_path)
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba-cache")
    first = _run(_CHECK + "print(minhash._kernel().sign.stats.cache_hits)", env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert list((tmp_path / "numba-cache").rglob("*.nbi")), "nothing was cached in NUMBA_CACHE_DIR"
    second = _run(_CHECK + "print(sum(minhash._kernel().sign.stats.cache_hits.values()))", env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["kernel", "1"]  # loaded from the cache, not compiled again


def test_without_numba_the_numpy_path_runs_with_one_warning(tmp_path: Path) -> None:
    code = "import sys; sys.modules['numba'] = None\n" + _CHECK + "minhash.load_kernel()\n"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(minhash.__file__).parents[1])
    done = _run(code, env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "numpy"
    assert done.stderr.count("numba is not available") == 1, done.stderr


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


def test_kernel_equals_the_reference_on_lone_surrogates() -> None:
    """Lone surrogates (which UTF-8 cannot encode strictly) are separators on both paths."""
    texts = ["ab\ud800cd ef", "\udfff", "x\ud83d\ude00y z"]
    sig, shingles = minhash.text_signatures(texts)
    ref_sig, ref = minhash.reference_text_signatures(texts)
    assert np.array_equal(sig, ref_sig) and np.array_equal(shingles.hashes, ref.hashes)
    assert shingles.token_counts.tolist() == [3, 0, 3]


@pytest.fixture(params=["kernel", "numpy"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on the compiled kernel and again on the numpy fallback (as without numba)."""
    if request.param == "numpy":
        monkeypatch.setattr(minhash, "_kernel_for", lambda size: None)
    return request.param


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=12), max_size=8), st.data())
def test_batch_set_helpers_equal_their_definitions(path: str, runs: list[list[int]], data: st.DataObject) -> None:
    """unique_runs = np.unique per run; pair_jaccard = exact_jaccard per pair; on both paths (the fixture's
    patch holds for every example, so sharing it across them is what is wanted)."""
    values = np.array([v for run in runs for v in run], dtype=np.uint64)
    offsets = np.cumsum([0] + [len(run) for run in runs])
    sets, set_offsets = minhash.unique_runs(values, offsets)
    expected = [np.unique(np.array(run, dtype=np.uint64)) for run in runs]
    assert [sets[set_offsets[i] : set_offsets[i + 1]].tolist() for i in range(len(runs))] == [
        e.tolist() for e in expected
    ]
    if runs:
        index = st.integers(0, len(runs) - 1)
        pairs = data.draw(st.lists(st.tuples(index, index), max_size=10))
        first = np.array([a for a, _ in pairs], dtype=np.int64)
        second = np.array([b for _, b in pairs], dtype=np.int64)
        scores = minhash.pair_jaccard(sets, set_offsets, first, second)
        assert scores.tolist() == [minhash.exact_jaccard(expected[a], expected[b]) for a, b in pairs]


def test_row_helpers_equal_their_definitions(path: str) -> None:
    rng = np.random.default_rng(5)
    sig = rng.integers(0, 4, size=(30, minhash.NUM_PERM), dtype=np.uint32)
    first, second = minhash.upper_pairs(30)
    counts = minhash.agreement_counts(sig, first, second)
    assert counts.tolist() == [int(np.count_nonzero(sig[a] == sig[b])) for a, b in zip(first, second, strict=True)]
    offsets = np.array([0, 3, 3, 10, 30])
    combined = minhash.combine_runs(sig, offsets)
    for t in range(4):
        assert np.array_equal(combined[t], minhash.combine(sig[offsets[t] : offsets[t + 1]]))
