"""Vectorized MinHash signatures in datasketch's scheme, and LSH banding.

A signature row equals what `datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash32, scheme="affine32")`
computes after `update_batch(shingle_bytes(text))`, so rows load as `LeanMinHash(seed=..., hashvalues=row,
scheme="affine32")` and work with `MinHashLSH`. The speed comes from two things datasketch cannot do per set:
each distinct token is hashed once per batch (shingle hashes are combined from token hashes in numpy), and the
permutations of all shingles of all paragraphs run as one matrix operation, reduced per paragraph with `reduceat`.
datasketch itself is never imported here (it costs ~0.8 s); tests check the equality against it.

Where numba can be imported, `shingle`, `signatures` and `text_signatures` run a compiled kernel instead
(`cleaner._minhash_kernel`: tokenize, hash and permute in one pass over the UTF-8 bytes, ~7x faster), once a
process has enough work to pay for loading it (`KERNEL_AFTER_CHARS`, `load_kernel`). The numpy path stays as the
reference the kernel is tested against bit for bit, and as the fallback without numba.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from types import ModuleType

import numpy as np

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
SHINGLE_SIZE = 2

_U64 = np.uint64
_MASK32 = (1 << 32) - 1
_MASK64 = (1 << 64) - 1
# Odd multipliers that make a shingle's hash depend on token order.
_POSITION_MULTIPLIERS = (
    0x9E3779B97F4A7C15,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0xD6E8FEB86659FD93,
    0xFF51AFD7ED558CCD,
    0xC4CEB9FE1A85EC53,
    0x27D4EB2F165667C5,
    0x94D049BB133111EB,
)
MAX_SHINGLE_SIZE = len(_POSITION_MULTIPLIERS)
_TOKEN = re.compile(r"\w+")
_CHAR_MULTIPLIER_COUNT = 64
_NON_WORD = re.compile(r"\W")
# How many shingles go through one permutation matrix: 8192 x 128 x 4 bytes = 4 MiB, cache friendly.
_CHUNK = 8192


def tokenize(text: str) -> list[str]:
    """Lower-cased `\\w+` tokens: quote style, punctuation and spacing do not change a paragraph's shingles.

    The reference definition; `shingle` computes the same tokens vectorized.
    """
    return _TOKEN.findall(text.lower())


_NUMBER = re.compile(r"\d+")


def numbers(text: str) -> list[str]:
    """The numbers of a text in order: copies keep them, while list items and updates differ in them."""
    return _NUMBER.findall(text)


def _fmix64_int(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK64
    return x ^ (x >> 33)


def _fmix64(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> _U64(33))


def _fmix32(x: np.ndarray) -> np.ndarray:
    """datasketch's pre-mix for the affine32 scheme (MurmurHash3 finalizer, 32 bit)."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    return x ^ (x >> np.uint32(16))


def _splitmix64(state: int) -> int:
    state = (state + 0x9E3779B97F4A7C15) & _MASK64
    return _fmix64_int(state) | 1


_CHAR_MULTIPLIERS_INT = tuple(_splitmix64(i) for i in range(_CHAR_MULTIPLIER_COUNT))
_CHAR_MULTIPLIERS = np.array(_CHAR_MULTIPLIERS_INT, dtype=_U64)


def _token_hash(token: str) -> int:
    """Hash of one token: a position-weighted sum of its code points, finalized; vectorizable in numpy."""
    total = 0
    for position, char in enumerate(token):
        total = (total + ord(char) * _CHAR_MULTIPLIERS_INT[position % _CHAR_MULTIPLIER_COUNT]) & _MASK64
    return _fmix64_int(total)


@cache
def _bmp_word_chars() -> np.ndarray:
    """Which Basic Multilingual Plane code points `re` counts as `\\w` (built once, ~10 ms)."""
    chars = "".join(map(chr, range(0x10000)))
    marked = _NON_WORD.sub("\x00", chars)
    return np.frombuffer(marked.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) != 0


def _is_word_char(codes: np.ndarray) -> np.ndarray:
    table = _bmp_word_chars()
    astral = codes > 0xFFFF
    if not astral.any():
        return table[codes]
    result = table[np.where(astral, 0, codes)]
    # Code points beyond the BMP (emoji, historic scripts) are classified once each, then scattered back.
    distinct, inverse = np.unique(codes[astral], return_inverse=True)
    is_word = np.fromiter((_NON_WORD.match(chr(c)) is None for c in distinct.tolist()), bool, len(distinct))
    result[astral] = is_word[inverse]
    return result


def _token_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of all tokens of all texts in order, and the token count of each text, without a Python loop
    per token: code points of the joined lower-cased texts are classified and summed per token in numpy."""
    lowered = [text.lower() for text in texts]
    lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered))
    text_start = np.zeros(len(lowered), np.int64)
    np.cumsum(lengths[:-1] + 1, out=text_start[1:])  # +1 for the "\n" that joins them
    codes = np.frombuffer("\n".join(lowered).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word_at = np.flatnonzero(_is_word_char(codes))
    if len(word_at) == 0:
        return np.empty(0, _U64), np.zeros(len(texts), np.int64)
    breaks = np.empty(len(word_at), bool)  # a word character not right after another starts a token
    breaks[0] = True
    np.not_equal(word_at[1:] - word_at[:-1], 1, out=breaks[1:])
    token_first = np.flatnonzero(breaks)  # index into word_at
    token_length = np.diff(token_first, append=len(word_at))
    position = np.arange(len(word_at)) - np.repeat(token_first, token_length)
    position &= _CHAR_MULTIPLIER_COUNT - 1  # a power of two: the same as % and several times cheaper
    weighted = codes[word_at].astype(_U64)
    weighted *= _CHAR_MULTIPLIERS[position]
    hashes = _fmix64(np.add.reduceat(weighted, token_first))
    first_token_of_text = np.searchsorted(word_at[token_first], text_start)
    return hashes, np.diff(first_token_of_text, append=len(token_first))


def shingle_bytes(text: str, k: int = SHINGLE_SIZE) -> list[bytes]:
    """The shingles of `text` as datasketch would be fed them (tokens joined by one space)."""
    tokens = tokenize(text)
    if not tokens:
        return []
    if len(tokens) < k:
        return [" ".join(tokens).encode("utf-8")]
    return [" ".join(tokens[i : i + k]).encode("utf-8") for i in range(len(tokens) - k + 1)]


def shingle_hash64(shingle: bytes) -> int:
    """The 64-bit hash of one shingle; exact-Jaccard verification compares these."""
    total = 0
    for position, token in enumerate(shingle.decode("utf-8").split(" ")):
        total = (total + _token_hash(token) * _POSITION_MULTIPLIERS[position]) & _MASK64
    return _fmix64_int(total)


def shingle_hash32(shingle: bytes) -> int:
    """datasketch `hashfunc` equivalent of the vectorized path: `MinHash(hashfunc=shingle_hash32)`."""
    return shingle_hash64(shingle) & _MASK32


@cache
def permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) parameters datasketch draws for the affine32 scheme, bit for bit."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


@dataclass(slots=True)
class Shingles:
    """The shingle hashes of many texts, concatenated; text i owns hashes[offsets[i]:offsets[i+1]]."""

    hashes: np.ndarray  # uint64
    offsets: np.ndarray  # int64, len = texts + 1
    token_counts: np.ndarray  # int64, tokens per text

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def of(self, index: int) -> np.ndarray:
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]

    def unique_of(self, index: int) -> np.ndarray:
        return np.unique(self.of(index))


def _check_shingle_size(k: int) -> None:
    if not 1 <= k <= MAX_SHINGLE_SIZE:
        raise ValueError(f"shingle size must be between 1 and {MAX_SHINGLE_SIZE}, got {k}")


def shingle(texts: Sequence[str], k: int = SHINGLE_SIZE) -> Shingles:
    """Word k-shingle hashes of every text (the compiled kernel, or the numpy reference without numba).

    A text shorter than k tokens yields one shingle of all its tokens; an empty one yields none.
    """
    _check_shingle_size(k)
    kernel = _kernel_for(sum(map(len, texts)))
    if kernel is None:
        return reference_shingle(texts, k)
    no_permutations = np.empty(0, np.uint32)
    _, hashes, offsets, counts = kernel.sign(*_kernel_text(texts), *_kernel_tables(), k, no_permutations,
                                             no_permutations)  # fmt: skip
    return Shingles(hashes, offsets, counts)


def reference_shingle(texts: Sequence[str], k: int = SHINGLE_SIZE) -> Shingles:
    """`shingle` in numpy, computed from per-token hashes without a Python loop per shingle: the reference."""
    _check_shingle_size(k)
    token_hashes, counts = _token_hashes(texts)
    total = len(token_hashes)
    if total == 0:
        return Shingles(np.empty(0, _U64), np.zeros(len(texts) + 1, np.int64), counts)
    text_of_token = np.repeat(np.arange(len(texts)), counts)
    text_end = np.cumsum(counts)
    text_start = text_end - counts
    position = np.arange(total)
    remaining = text_end[text_of_token] - position  # tokens left in the text from here, this one included

    mixed = token_hashes * _U64(_POSITION_MULTIPLIERS[0])
    for m in range(1, k):
        contribution = token_hashes[m:] * _U64(_POSITION_MULTIPLIERS[m])
        contribution[remaining[:-m] <= m] = 0
        mixed[:-m] += contribution
    first = position == text_start[text_of_token]
    valid = (remaining >= k) | (first & (counts[text_of_token] < k))
    hashes = _fmix64(mixed[valid])
    per_text = np.bincount(text_of_token[valid], minlength=len(texts))
    offsets = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(per_text, out=offsets[1:])
    return Shingles(hashes, offsets, counts)


def signatures(shingles: Shingles, num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """MinHash signatures, one uint32 row per text; a text without shingles gets datasketch's empty value."""
    kernel = _kernel_for(len(shingles.hashes) * 6)  # ~6 characters of text per shingle
    if kernel is None:
        return reference_signatures(shingles, num_perm, seed)
    a, b = permutations(num_perm, seed)
    return kernel.permute_all(shingles.hashes, shingles.offsets, a, b)


def reference_signatures(shingles: Shingles, num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """`signatures` in numpy: all shingles permuted as one matrix per chunk, reduced per text (the reference)."""
    a, b = permutations(num_perm, seed)
    n = len(shingles)
    sig = np.full((n, num_perm), np.uint32(_MASK32), dtype=np.uint32)
    hv = _fmix32((shingles.hashes & _U64(_MASK32)).astype(np.uint32))
    offsets = shingles.offsets
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    starts = offsets[nonempty]
    total = len(hv)
    buffer = np.empty((num_perm, min(_CHUNK, total)), np.uint32)  # reused: no 4 MiB temporaries per chunk
    for chunk_start in range(0, total, _CHUNK):
        chunk_end = min(chunk_start + _CHUNK, total)
        # Texts that have shingles in this chunk, and where each begins inside it.
        first = np.searchsorted(starts, chunk_start, side="right") - 1
        last = np.searchsorted(starts, chunk_end, side="left")
        texts = nonempty[first:last]
        local = np.maximum(starts[first:last], chunk_start) - chunk_start
        # Permutations x shingles, so each text's minimum is a contiguous reduction along the last axis.
        permuted = buffer[:, : chunk_end - chunk_start]
        np.multiply(a[:, None], hv[None, chunk_start:chunk_end], out=permuted)
        permuted += b[:, None]
        mins = np.minimum.reduceat(permuted, local, axis=1).T
        if starts[first] < chunk_start:  # only the first text can have begun in an earlier chunk
            sig[texts] = np.minimum(sig[texts], mins)
        else:
            sig[texts] = mins
    return sig


def text_signatures(
    texts: Sequence[str],
    k: int = SHINGLE_SIZE,
    num_perm: int = NUM_PERM,
    seed: int = SEED,
    choose: Callable[[Shingles], np.ndarray] | None = None,
) -> tuple[np.ndarray, Shingles]:
    """Signatures and shingles of many texts in one pass (compiled kernel; the numpy reference without numba).

    `choose(shingles)` may name the rows (sorted indices) the caller will compare: the numpy path signs only those
    (permutations are most of its signing), with zeros in the others. The kernel, which signs as it shingles, signs all.
    """
    _check_shingle_size(k)
    kernel = _kernel_for(sum(map(len, texts)))
    if kernel is not None:
        a, b = permutations(num_perm, seed)
        sig, hashes, offsets, counts = kernel.sign(*_kernel_text(texts), *_kernel_tables(), k, a, b)
        return sig, Shingles(hashes, offsets, counts)
    if choose is None:
        return reference_text_signatures(texts, k, num_perm, seed)
    shingles = reference_shingle(texts, k)
    rows = choose(shingles)
    sig = np.zeros((len(shingles), num_perm), np.uint32)
    sig[rows] = reference_signatures(_rows_of(shingles, rows), num_perm, seed)
    return sig, shingles


def _rows_of(shingles: Shingles, rows: np.ndarray) -> Shingles:
    """The shingles of texts `rows` only, in that order."""
    lengths = (shingles.offsets[1:] - shingles.offsets[:-1])[rows]
    offsets = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    element = np.repeat(shingles.offsets[:-1][rows] - offsets[:-1], lengths) + np.arange(offsets[-1])
    return Shingles(shingles.hashes[element], offsets, shingles.token_counts[rows])


def reference_text_signatures(
    texts: Sequence[str], k: int = SHINGLE_SIZE, num_perm: int = NUM_PERM, seed: int = SEED
) -> tuple[np.ndarray, Shingles]:
    """`text_signatures` in numpy only: what the kernel is checked against, and the path without numba."""
    shingles = reference_shingle(texts, k)
    return reference_signatures(shingles, num_perm, seed), shingles


# Loading the kernel costs a process ~0.4 s once (importing numba, loading its cached code), what the numpy path
# spends on ~10 M characters. A process starts on the numpy path and switches once it has signed this many (twice
# what pays for the load), or when `load_kernel` is called (same results): small runs start fast, big ones run on it.
KERNEL_AFTER_CHARS = 20_000_000
_chars_seen = 0


def load_kernel() -> bool:
    """Load the compiled kernel now (a long run calls this once, at start); whether it is in use."""
    return _kernel() is not None


def _kernel_for(size: int) -> ModuleType | None:
    """The kernel, if it is loaded or `size` more characters of work bring this process past KERNEL_AFTER_CHARS.

    The batch helpers pass 0: they follow signing, which loads the kernel when the work pays for it."""
    global _chars_seen
    if _kernel.cache_info().currsize == 0:
        _chars_seen += size
        if _chars_seen < KERNEL_AFTER_CHARS:
            return None
    return _kernel()


@cache
def _kernel() -> ModuleType | None:
    """The compiled kernel module, imported on first use (numba costs ~0.3 s to import); None without numba."""
    try:
        from cleaner import _minhash_kernel
    except ImportError as error:
        warnings.warn(
            f"numba is not available ({error}); MinHash runs on the slower numpy path. Install numba>=0.60.",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    if _char_table() is None:  # pragma: no cover - no Unicode version so far
        warnings.warn("str.lower is not idempotent here; MinHash runs on the slower numpy path", RuntimeWarning,
                      stacklevel=3)  # fmt: skip
        return None
    return _minhash_kernel


# Code points whose lower case is not one code point of its own everywhere: U+0130 (İ, two code points) and
# U+03A3 (Σ: final sigma depends on the letters around it). A text with one is lower-cased by Python.
_CONTEXTUAL_LOWER = re.compile("[\u0130\u03a3]")


@cache
def _char_table() -> np.ndarray | None:
    """uint32 per code point (all of Unicode): its `str.lower` form, bit 31 set where `re` counts that as `\\w`.

    Built from `str.lower` and `re` themselves (~50 ms). None if lower-casing a lower-cased code point could
    change it again (no Unicode version does that): the kernel relies on it, so the numpy path runs then.
    """
    every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    lowered = _CONTEXTUAL_LOWER.sub("\x00", every).lower()
    if len(lowered) != len(every):
        return None
    table = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    contextual = np.array([0x130, 0x3A3])
    table[contextual] = contextual  # never looked up un-lowered: texts holding them arrive lowered
    if not np.array_equal(table[table], table):
        return None
    is_word = np.zeros(0x110000, bool)
    for run in _TOKEN.finditer(every):
        is_word[run.start() : run.end()] = True
    table[is_word[table]] |= np.uint32(1 << 31)
    return table


@cache
def _kernel_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = _char_table()
    assert table is not None  # `_kernel` checked it
    return table, _CHAR_MULTIPLIERS, np.array(_POSITION_MULTIPLIERS, dtype=_U64)


def _kernel_text(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's input: UTF-8 bytes of the texts concatenated, and where each ends (in code points).

    The kernel lower-cases through a table; the rare text with İ or Σ is lower-cased here first, on its own as
    `tokenize` does (a final sigma depends on what follows it).
    """
    joined = "".join(texts)
    if "\u0130" in joined or "\u03a3" in joined:  # str.find is several times faster than a regex search
        texts = [text.lower() if _CONTEXTUAL_LOWER.search(text) else text for text in texts]
        joined = "".join(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    return data, np.cumsum(lengths)


def combine(rows: np.ndarray) -> np.ndarray:
    """The signature of a union of sets is the column-wise minimum: a document's from its paragraphs'."""
    if len(rows) == 0:
        return np.full(rows.shape[1], np.uint32(_MASK32), dtype=np.uint32)
    return rows.min(axis=0)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def exact_jaccard(set_a: np.ndarray, set_b: np.ndarray) -> float:
    """Jaccard of two sorted unique hash arrays (64-bit shingle hashes: collisions are negligible)."""
    if len(set_a) == 0 and len(set_b) == 0:
        return 1.0
    inter = len(np.intersect1d(set_a, set_b, assume_unique=True))
    return inter / (len(set_a) + len(set_b) - inter)


def unique_runs(values: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each run values[offsets[t]:offsets[t + 1]] as a sorted unique set: (concatenated sets, their offsets).

    One call for a whole batch (e.g. every document's shingle set from its paragraphs' shingles), where
    `np.unique` per run costs a Python call each.
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    kernel = _kernel_for(0)  # the kernel if this process loaded it
    if kernel is not None:
        return kernel.unique_runs(values, offsets)
    sets = [np.unique(values[offsets[t] : offsets[t + 1]]) for t in range(len(offsets) - 1)]
    out_offsets = np.zeros(len(sets) + 1, np.int64)
    np.cumsum([len(s) for s in sets], out=out_offsets[1:])
    return (np.concatenate(sets) if sets else values[:0].copy()), out_offsets


def pair_jaccard(values: np.ndarray, offsets: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """`exact_jaccard` of sets first[p] and second[p] of a `unique_runs` result, for every p, in one call."""
    offsets = np.asarray(offsets, dtype=np.int64)
    first = np.asarray(first, dtype=np.int64)
    second = np.asarray(second, dtype=np.int64)
    kernel = _kernel_for(0)  # the kernel if this process loaded it
    if kernel is not None:
        return kernel.pair_jaccard(values, offsets, first, second)
    return np.array(
        [
            exact_jaccard(values[offsets[a] : offsets[a + 1]], values[offsets[b] : offsets[b + 1]])
            for a, b in zip(first.tolist(), second.tolist(), strict=True)
        ],
        dtype=np.float64,
    )


def agreement_counts(sig: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """How many permutations rows first[p] and second[p] of `sig` agree on (estimated Jaccard x num_perm).

    The kernel compares row pairs in place; numpy needs two gathered copies of every pair's rows.
    """
    first = np.asarray(first, dtype=np.int64)
    second = np.asarray(second, dtype=np.int64)
    kernel = _kernel_for(0)  # the kernel if this process loaded it
    if kernel is not None:
        return kernel.agreement_counts(np.ascontiguousarray(sig), first, second)
    counts = np.empty(len(first), np.int64)
    step = max(1, (8 << 20) // max(1, sig.shape[1]))  # pairs per slice: two 8 MiB gathers at most
    for low in range(0, len(first), step):
        high = low + step
        counts[low:high] = np.count_nonzero(sig[first[low:high]] == sig[second[low:high]], axis=1)
    return counts


def combine_runs(rows: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """`combine` for many documents at once: document t's signature from rows[offsets[t]:offsets[t + 1]]."""
    offsets = np.asarray(offsets, dtype=np.int64)
    kernel = _kernel_for(0)  # the kernel if this process loaded it
    if kernel is not None:
        return kernel.min_runs(np.ascontiguousarray(rows), offsets, np.uint32(_MASK32))
    out = np.full((len(offsets) - 1, rows.shape[1]), np.uint32(_MASK32), dtype=np.uint32)
    for t in range(len(offsets) - 1):
        if offsets[t + 1] > offsets[t]:
            out[t] = rows[offsets[t] : offsets[t + 1]].min(axis=0)
    return out


def to_lean_minhash(row: np.ndarray, seed: int = SEED):  # -> datasketch.LeanMinHash
    """Load a signature row into datasketch (imports datasketch: keep it off hot paths)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=row, scheme=SCHEME)


@cache
def lsh_params(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) minimizing false positives + false negatives, as datasketch's MinHashLSH chooses them."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1 (exclusive), got {threshold}")
    grid = np.linspace(0.0, 1.0, 2001)
    below = grid <= threshold
    best, best_error = (1, num_perm), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            p = 1.0 - (1.0 - grid**rows) ** bands
            fp = np.trapezoid(p[below], grid[below])
            fn = np.trapezoid(1.0 - p[~below], grid[~below]) if (~below).any() else 0.0
            if fp + fn < best_error:
                best, best_error = (bands, rows), fp + fn
    return best


def _band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per (row of sig, band): a hash of the band's values."""
    n = len(sig)
    used = sig[:, : bands * rows].astype(_U64).reshape(n, bands, rows)
    key = np.zeros((n, bands), dtype=_U64)
    for r in range(rows):
        key = _fmix64(key * _U64(_POSITION_MULTIPLIERS[r % MAX_SHINGLE_SIZE]) + used[:, :, r])
    return key


@cache
def upper_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i, j), i < j, of n items as two index arrays (cached: the same sizes recur)."""
    return np.triu_indices(n, k=1)


# A bucket up to this size pairs every two members; a bigger one (hundreds of copies of one wire story) pairs each
# member with the bucket's first member and its predecessor only.
ALL_PAIRS_BUCKET = 64


def candidate_pairs(sig: np.ndarray, threshold: float, num_perm: int | None = None) -> np.ndarray:
    """Pairs (i, j), i < j, sharing at least one LSH band: MinHashLSH's candidates, without an index object.

    In a bucket of up to `ALL_PAIRS_BUCKET` members every pair is a candidate, so which pairs are checked does not
    depend on the order of the rows. In a bigger bucket each member is paired with the bucket's first member and
    its predecessor, not with every other member, so a thousand exact copies cost two thousand pairs, not half a
    million (there, and only there, the rows' order can matter).
    """
    n = len(sig)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    bands, rows = lsh_params(threshold, num_perm or sig.shape[1])
    keys = _band_keys(sig, bands, rows)
    found = []
    for band in range(bands):
        order = np.argsort(keys[:, band], kind="stable")
        sorted_keys = keys[order, band]
        same_as_previous = np.concatenate(([False], sorted_keys[1:] == sorted_keys[:-1]))
        if not same_as_previous.any():
            continue
        group_start = np.flatnonzero(~same_as_previous)
        group_size = np.diff(group_start, append=n)
        small = (group_size >= 2) & (group_size <= ALL_PAIRS_BUCKET)
        for size in np.unique(group_size[small]).tolist():  # one array operation per bucket size, not per bucket
            starts = group_start[small & (group_size == size)]
            members = order[starts[:, None] + np.arange(size)]  # buckets x size
            first, second = upper_pairs(size)
            found.append(np.stack([members[:, first].ravel(), members[:, second].ravel()], axis=1))
        big = np.flatnonzero(group_size > ALL_PAIRS_BUCKET)
        if len(big):
            group_of = np.cumsum(~same_as_previous) - 1
            members = np.flatnonzero(same_as_previous & np.isin(group_of, big))
            first = order[group_start[group_of[members]]]
            found.append(np.stack([first, order[members]], axis=1))
            found.append(np.stack([order[members - 1], order[members]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)
