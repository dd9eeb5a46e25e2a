"""The compiled MinHash kernel: tokenize, hash shingles and permute in one pass over UTF-8 bytes (numba).

`cleaner.minhash` imports this lazily (numba costs ~0.3 s to import) and keeps its numpy path as the reference
that tests compare this kernel with, bit for bit. The arithmetic is the numpy path's, step by step:
- text is lower-cased as `str.lower` does (a table built from `str.lower`; the few texts where that is not one
  code point per code point are lower-cased by Python first);
- a token is a maximal run of code points that `re` counts as `\\w` (a table built from `re` itself), its hash
  the sum of code point x multiplier[position % 64], finalized with fmix64;
- a shingle's hash is the sum of its tokens' hashes x position multipliers, finalized with fmix64; a text with
  fewer than k tokens has one shingle of all of them;
- a signature value is min over shingles of (a * fmix32(low 32 bits of the shingle hash) + b) mod 2^32.

Compiled code is cached on disk (`cache=True`) next to this file, or in NUMBA_CACHE_DIR, or numba's user-wide
cache directory; where none of them is writable (a read-only install without a cache dir), each process compiles
the kernel once instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np


def _jit(func: Callable[..., Any]) -> Any:
    """`njit(cache=True)`, or `njit` alone where numba finds no writable cache location (it raises then)."""
    try:
        return numba.njit(cache=True, nogil=True)(func)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return numba.njit(nogil=True)(func)


_M64_A = np.uint64(0xFF51AFD7ED558CCD)
_M64_B = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_M32_A = np.uint32(0x85EBCA6B)
_M32_B = np.uint32(0xC2B2AE35)
_S16 = np.uint32(16)
_S13 = np.uint32(13)
_EMPTY = np.uint32(0xFFFFFFFF)
_WORD = np.uint32(1 << 31)
_LOW32 = np.uint64(0xFFFFFFFF)
_CODE = np.uint32((1 << 31) - 1)


@_jit
def _fmix64(x: np.uint64) -> np.uint64:
    x ^= x >> _S33
    x *= _M64_A
    x ^= x >> _S33
    x *= _M64_B
    return x ^ (x >> _S33)


@_jit
def _fmix32(x: np.uint32) -> np.uint32:
    x ^= x >> _S16
    x = np.uint32(x * _M32_A)
    x ^= x >> _S13
    x = np.uint32(x * _M32_B)
    return x ^ (x >> _S16)


@_jit
def _permute(row: np.ndarray, shingle_hash: np.uint64, a: np.ndarray, b: np.ndarray) -> None:
    """Lower `row` to the permuted values of one shingle where they are smaller (datasketch's affine32 update)."""
    hv = np.uint64(_fmix32(np.uint32(shingle_hash & _LOW32)))
    for p in range(len(a)):
        value = np.uint32((np.uint64(a[p]) * hv + np.uint64(b[p])) & _LOW32)  # 64-bit lanes vectorize best here
        if value < row[p]:
            row[p] = value


@_jit
def _shingle_hash(ring: np.ndarray, count: int, position_multipliers: np.ndarray) -> np.uint64:
    """The hash of the last `count` tokens, which the ring holds at its end, oldest first."""
    mixed = np.uint64(0)
    first = len(ring) - count
    for m in range(count):
        mixed += ring[first + m] * position_multipliers[m]
    return _fmix64(mixed)


@_jit
def sign(
    data: np.ndarray,
    ends: np.ndarray,
    chars: np.ndarray,
    char_multipliers: np.ndarray,
    position_multipliers: np.ndarray,
    k: int,
    a: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Signatures (texts x len(a); none without permutations), shingle hashes, offsets and token counts.

    `data` is the UTF-8 (surrogatepass) encoding of the texts concatenated; text t ends before code point
    `ends[t]`. `chars[c]` is the lower-case form of code point c, with bit 31 set where that is a word character
    (texts whose lower-casing is not one code point per code point come lower-cased already: lowering is
    idempotent).
    """
    n = len(ends)
    num_perm = len(a)
    sig = np.full((n, num_perm), _EMPTY, dtype=np.uint32)
    hashes = np.empty(len(data) + 1, dtype=np.uint64)  # a text has no more shingles than bytes (or one)
    offsets = np.zeros(n + 1, dtype=np.int64)
    counts = np.zeros(n, dtype=np.int64)
    ring = np.zeros(k, dtype=np.uint64)  # the last k token hashes, oldest first
    size = len(data)
    i = 0  # byte position
    cp = 0  # code point position
    found = 0  # shingles so far
    for t in range(n):
        end = ends[t]
        tokens = 0
        total = np.uint64(0)
        length = 0  # code points in the current token
        while True:
            at_end = cp == end  # one step past the text's last code point ends its last token
            entry = np.uint32(0)
            if not at_end:
                c0 = np.int64(data[i])
                if c0 < 0x80:
                    code = c0
                    i += 1
                elif c0 < 0xE0:
                    code = ((c0 & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F)
                    i += 2
                elif c0 < 0xF0:
                    code = ((c0 & 0x0F) << 12) | ((np.int64(data[i + 1]) & 0x3F) << 6) | (np.int64(data[i + 2]) & 0x3F)
                    i += 3
                else:
                    code = (
                        ((c0 & 0x07) << 18)
                        | ((np.int64(data[i + 1]) & 0x3F) << 12)
                        | ((np.int64(data[i + 2]) & 0x3F) << 6)
                        | (np.int64(data[i + 3]) & 0x3F)
                    )
                    i += 4
                cp += 1
                entry = chars[code]
            if entry & _WORD:
                total += np.uint64(entry & _CODE) * char_multipliers[length & 63]
                length += 1
            elif length:
                for m in range(k - 1):
                    ring[m] = ring[m + 1]
                ring[k - 1] = _fmix64(total)
                tokens += 1
                total = np.uint64(0)
                length = 0
                if tokens >= k:
                    h = _shingle_hash(ring, k, position_multipliers)
                    hashes[found] = h
                    found += 1
                    if num_perm:
                        _permute(sig[t], h, a, b)
            if at_end:
                break
        if 0 < tokens < k:
            h = _shingle_hash(ring, tokens, position_multipliers)
            hashes[found] = h
            found += 1
            if num_perm:
                _permute(sig[t], h, a, b)
        counts[t] = tokens
        offsets[t + 1] = found
    if i != size:
        raise ValueError("code point ends do not match the data")
    return sig, hashes[:found].copy(), offsets, counts


@_jit
def permute_all(hashes: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signatures of texts given as shingle hashes (text t owns hashes[offsets[t]:offsets[t + 1]])."""
    n = len(offsets) - 1
    sig = np.full((n, len(a)), _EMPTY, dtype=np.uint32)
    for t in range(n):
        row = sig[t]
        for j in range(offsets[t], offsets[t + 1]):
            _permute(row, hashes[j], a, b)
    return sig


@_jit
def unique_runs(values: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each run values[offsets[t]:offsets[t + 1]] sorted with repeats dropped, concatenated, and their offsets."""
    n = len(offsets) - 1
    out = np.empty(len(values), dtype=values.dtype)
    out_offsets = np.zeros(n + 1, dtype=np.int64)
    size = 0
    for t in range(n):
        run = np.sort(values[offsets[t] : offsets[t + 1]])
        for j in range(len(run)):
            if j == 0 or run[j] != run[j - 1]:
                out[size] = run[j]
                size += 1
        out_offsets[t + 1] = size
    return out[:size].copy(), out_offsets


@_jit
def pair_jaccard(values: np.ndarray, offsets: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Exact Jaccard of sets first[p] and second[p] (sorted unique runs of `values`); 1.0 for two empty sets."""
    scores = np.empty(len(first), dtype=np.float64)
    for p in range(len(first)):
        i, i_end = offsets[first[p]], offsets[first[p] + 1]
        j, j_end = offsets[second[p]], offsets[second[p] + 1]
        size = (i_end - i) + (j_end - j)
        if size == 0:
            scores[p] = 1.0
            continue
        common = 0
        while i < i_end and j < j_end:
            a = values[i]
            b = values[j]
            if a == b:
                common += 1
                i += 1
                j += 1
            elif a < b:
                i += 1
            else:
                j += 1
        scores[p] = common / (size - common)
    return scores


@_jit
def agreement_counts(sig: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """How many permutations rows first[p] and second[p] of `sig` agree on, for every p."""
    counts = np.empty(len(first), dtype=np.int64)
    width = sig.shape[1]
    for p in range(len(first)):
        a = sig[first[p]]
        b = sig[second[p]]
        same = 0
        for c in range(width):
            same += a[c] == b[c]
        counts[p] = same
    return counts


@_jit
def min_runs(rows: np.ndarray, offsets: np.ndarray, empty: np.uint32) -> np.ndarray:
    """Column-wise minimum of each run of rows (rows[offsets[t]:offsets[t + 1]]); `empty` for an empty run."""
    n = len(offsets) - 1
    out = np.full((n, rows.shape[1]), empty, dtype=rows.dtype)
    for t in range(n):
        target = out[t]
        for r in range(offsets[t], offsets[t + 1]):
            row = rows[r]
            for c in range(len(target)):
                if row[c] < target[c]:
                    target[c] = row[c]
    return out
