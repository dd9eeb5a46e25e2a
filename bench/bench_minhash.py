"""Signature throughput: newsclean's compiled kernel vs its numpy path vs datasketch MinHash.bulk vs per-shingle
update(), all in one run on the same paragraphs; the kernel's first-call compile time vs its cached start; and
Cleaner.clean end to end (documents/s on one core).

Every path starts from paragraph text and ends with signatures, so datasketch's paths pay for building their
shingle bytes too, as a user of datasketch would. Figures are reported as ratios to MinHash.bulk measured in this
same run (the machine is shared and noisy). Each timing is the best of --repeat runs, in CPU time.

Usage: python bench/bench_minhash.py [--ground-truth PATH] [--paragraphs N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from shared_data import AEB_GROUND_TRUTH

from cleaner import minhash
from cleaner.normalize import normalize

DEFAULT_GROUND_TRUTH = AEB_GROUND_TRUTH


def load_paragraphs(path: Path, count: int) -> tuple[list[str], list[str]]:
    """Real paragraphs from the AEB gold bodies, cycled with a suffix to reach `count` distinct ones."""
    data = json.loads(path.read_text(encoding="utf-8"))
    bodies = [normalize(entry.get("articleBody") or "") for entry in data.values()]
    paragraphs = [p for body in bodies for p in body.splitlines() if p.strip()]
    out = []
    round_ = 0
    while len(out) < count:
        out.extend(p if round_ == 0 else f"{p} ({round_})" for p in paragraphs)
        round_ += 1
    return out[:count], [b for b in bodies if b]


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


_FIRST_CALL = """
import time
start = time.perf_counter()
from cleaner import minhash
minhash.load_kernel()
minhash.text_signatures(["a first call compiles or loads the kernel"])
print(time.perf_counter() - start)
"""


def first_call_seconds(cache_dir: str) -> float:
    """Wall time of a fresh process's import and first signature call, with numba caching in `cache_dir`."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    done = subprocess.run([sys.executable, "-c", _FIRST_CALL], env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ground-truth", type=Path, default=DEFAULT_GROUND_TRUTH)
    parser.add_argument("--paragraphs", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from datasketch import MinHash

    paragraphs, bodies = load_paragraphs(args.ground_truth, args.paragraphs)
    n = len(paragraphs)
    k = minhash.SHINGLE_SIZE
    print(f"{n} paragraphs from {len(bodies)} AEB gold bodies, {minhash.NUM_PERM} permutations, {k}-word shingles")

    assert minhash.load_kernel(), "numba is not available: nothing to compare"
    # Same values on every side before timing anything: the kernel's rows are the numpy path's and datasketch's.
    sig, _ = minhash.text_signatures(paragraphs[:200])
    assert np.array_equal(sig, minhash.reference_text_signatures(paragraphs[:200])[0]), "kernel differs from numpy"
    for row, text in zip(sig, paragraphs[:200], strict=True):
        m = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED, hashfunc=minhash.shingle_hash32)
        m.update_batch(minhash.shingle_bytes(text, k))
        assert np.array_equal(m.hashvalues, row), "signature differs from datasketch"

    def bulk(texts: list[str], hashfunc: Callable[[bytes], int] | None) -> None:
        kwargs = {"num_perm": minhash.NUM_PERM, "seed": minhash.SEED}
        if hashfunc is not None:
            kwargs["hashfunc"] = hashfunc
        MinHash.bulk([minhash.shingle_bytes(t, k) for t in texts], **kwargs)

    def per_shingle_update(texts: list[str]) -> None:
        for text in texts:
            m = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED)
            for shingle in minhash.shingle_bytes(text, k):
                m.update(shingle)

    slow_n = min(n, 2000)
    t_kernel = best_of(args.repeat, lambda: minhash.text_signatures(paragraphs)) / n
    t_numpy = best_of(args.repeat, lambda: minhash.reference_text_signatures(paragraphs)) / n
    t_bulk = best_of(args.repeat, lambda: bulk(paragraphs, None)) / n
    t_bulk_same_hash = best_of(args.repeat, lambda: bulk(paragraphs, minhash.shingle_hash32)) / n
    t_update = best_of(1, lambda: per_shingle_update(paragraphs[:slow_n])) / slow_n

    print(f"\n{'path':44} {'signatures/s':>14} {'vs bulk':>9}")
    rows = [
        ("newsclean compiled kernel (numba)", t_kernel),
        ("newsclean numpy path (reference, fallback)", t_numpy),
        ("datasketch MinHash.bulk (sha1_hash32)", t_bulk),
        ("datasketch MinHash.bulk (shingle_hash32)", t_bulk_same_hash),
        (f"datasketch per-shingle update() [{slow_n}]", t_update),
    ]
    for name, seconds in rows:
        print(f"{name:44} {1 / seconds:14,.0f} {t_bulk / seconds:8.2f}x")
    print(
        f"\nkernel: {t_bulk / t_kernel:.1f}x MinHash.bulk (target >= 10x), {t_numpy / t_kernel:.1f}x the numpy path, "
        f"{t_update / t_kernel:.0f}x update()"
    )

    with tempfile.TemporaryDirectory() as cache_dir:
        compile_start = first_call_seconds(cache_dir)  # empty cache: numba compiles the kernel and saves it
        cached_start = min(first_call_seconds(cache_dir) for _ in range(3))  # loads it from the cache
    print(
        f"fresh process, import + first call: {compile_start:.2f} s compiling (empty cache), "
        f"{cached_start:.2f} s from numba's cache"
    )

    from cleaner.pipeline import Cleaner

    docs = bodies * max(1, 2000 // len(bodies))
    doubled = [d + d for d in docs]  # a body captured twice: the near-duplicate stage has work to do
    cleaner = Cleaner()
    t_clean = best_of(args.repeat, lambda: [cleaner.clean(d) for d in doubled]) / len(doubled)
    t_many = best_of(args.repeat, lambda: list(cleaner.clean_many(doubled))) / len(doubled)
    t_norm = best_of(args.repeat, lambda: [normalize(d) for d in doubled]) / len(doubled)
    print(f"\nCleaner end to end on one core, {len(doubled)} doubled AEB bodies (bundled rules):")
    print(f"  clean() one at a time : {1 / t_clean:8,.0f} docs/s")
    print(f"  clean_many() batched  : {1 / t_many:8,.0f} docs/s  ({t_clean / t_many:.2f}x clean())")
    print(f"  baseline normalize()  : {1 / t_norm:8,.0f} docs/s  (cleaning costs {t_many / t_norm:.1f}x normalizing)")


if __name__ == "__main__":
    main()
