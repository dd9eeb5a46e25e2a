"""Throughput and memory of `newsclean clean` on a generated scraped corpus, against a floor from the same run.

The floor is the least any cleaner must do: read the same JSON Lines, hash every paragraph exactly (xxhash) and
write the records back. Every figure is reported next to it as a ratio, because the machine is shared and noisy.
Peak RSS is measured at 10k and 100k documents (it must not grow with corpus size).

A second baseline, the MinHash floor, is the least a cleaner of DESIGN.md's design must do: read and write the same
records, and give every paragraph the MinHash signature DESIGN asks for (datasketch's scheme, 128 permutations,
word 2-shingles), computed with numpy for 256 documents at a time by `cleaner.minhash.text_signatures`, the
fastest way this project has. No rules, no comparisons. Its ratio to the floor bounds what tuning the rest could
reach.

Next to the paragraph corpus, the same measurement (floor and `--jobs 1`, paired) runs on the `flat` corpus (the
same documents, each flattened onto one line: sentence units, sentence-level near-duplicates) and the `realistic`
one (most documents without repeats, one in five flattened); see bench/make_corpus.py. Each round also runs
`--engine dask --jobs 2` (a LocalCluster of two worker processes, started by the run) when dask.distributed is
installed, reported as a ratio to `--engine local --jobs 2` of the same round.

    python bench/bench_batch.py [--docs 10000] [--big 100000] [--repeat 3] [--workdir /tmp/newsclean-bench]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import write_corpus

# Runs a command and prints its wall time and the peak RSS of the largest process in its tree (KiB).
MEASURE = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""

FLOOR = r"""
import sys, orjson, xxhash
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as out:
    for line in src:
        record = orjson.loads(line)
        hashes = [xxhash.xxh64_intdigest(p.encode()) for p in record["text"].split("\n") if p]
        record["paragraph_hashes"] = len(set(hashes))
        out.write(orjson.dumps(record) + b"\n")
"""


MINHASH_FLOOR = r"""
import sys, orjson
from cleaner.minhash import text_signatures

def flush(records, out):
    paragraphs = [[p for p in record["text"].split("\n") if p] for record in records]
    signatures, _ = text_signatures([p for texts in paragraphs for p in texts])
    start = 0
    for record, texts in zip(records, paragraphs):
        rows = signatures[start : start + len(texts)]
        record["signature_min"] = int(rows.min()) if len(rows) else None  # the document's, as DESIGN combines them
        start += len(texts)
        out.write(orjson.dumps(record) + b"\n")

with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as out:
    batch = []
    for line in src:
        batch.append(orjson.loads(line))
        if len(batch) == 256:
            flush(batch, out)
            batch = []
    flush(batch, out)
"""


def measure(command: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, int]:
    """(seconds, peak RSS in MiB) of one command run to completion (exit 1 = some rejects, still a run)."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    seconds, rss_kib, code = done.stdout.split()
    if int(code) not in ok:
        raise SystemExit(f"{' '.join(command)} failed with exit status {code}")
    return float(seconds), int(rss_kib) // 1024


def newsclean(corpus: Path, out: Path, jobs: int, engine: str = "local") -> list[str]:
    main = "from cleaner.cli import main; main()"
    command = [sys.executable, "-c", main, "clean", str(corpus), "-o", str(out), "--jobs", str(jobs), "--quiet"]
    return command + (["--engine", engine] if engine != "local" else [])


def dask_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="corpus size for throughput")
    parser.add_argument("--big", type=int, default=100_000, help="corpus size for the memory check")
    parser.add_argument("--repeat", type=int, default=3, help="paired rounds of floor, --jobs 1, --jobs 2 (medians)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newsclean-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shapes", default="flat,realistic", help="other corpus shapes to time against the floor")
    parser.add_argument(
        "--no-dask", action="store_true", help="skip `--engine dask --jobs 2` (a LocalCluster) in each round"
    )
    args = parser.parse_args()
    with_dask = not args.no_dask and dask_installed()
    work = args.workdir
    small = write_corpus(work / f"corpus-{args.docs}.jsonl", args.docs, args.seed)
    big = write_corpus(work / f"corpus-{args.big}.jsonl", args.big, args.seed)
    mb = small.stat().st_size / 1e6

    # Each round runs the floor and both job counts back to back, so a ratio compares runs under the same load.
    rounds = []
    for _ in range(args.repeat):
        floor_s, floor_rss = measure([sys.executable, "-c", FLOOR, str(small), str(work / "floor.jsonl")], ok=(0,))
        sig_s, _ = measure([sys.executable, "-c", MINHASH_FLOOR, str(small), str(work / "minhash.jsonl")], ok=(0,))
        j1_s, j1_rss = measure(newsclean(small, work / "j1.jsonl", 1))
        j2_s, _ = measure(newsclean(small, work / "j2.jsonl", 2))
        # The LocalCluster's start-up (~2 s) is part of the dask figure: it is what a user waits for.
        dask_s = measure(newsclean(small, work / "dask2.jsonl", 2, "dask"))[0] if with_dask else float("nan")
        rounds.append((floor_s, j1_s, j2_s, sig_s, dask_s))
        print(
            f"round: floor {floor_s:.2f} s, MinHash floor {sig_s:.2f} s ({sig_s / floor_s:.1f}x), "
            f"--jobs 1 {j1_s:.2f} s ({j1_s / floor_s:.1f}x), --jobs 2 {j2_s:.2f} s ({j1_s / j2_s:.2f}x faster)"
            + (f", --engine dask --jobs 2 {dask_s:.2f} s ({dask_s / j2_s:.2f}x local --jobs 2)" if with_dask else ""),
            flush=True,
        )
    identical = (work / "j1.jsonl").read_bytes() == (work / "j2.jsonl").read_bytes()
    dask_identical = with_dask and (work / "dask2.jsonl").read_bytes() == (work / "j1.jsonl").read_bytes()
    big_floor_s, _ = measure([sys.executable, "-c", FLOOR, str(big), str(work / "floor-big.jsonl")], ok=(0,))
    big_s, big_rss = measure(newsclean(big, work / "big.jsonl", 1))
    big2_s, _ = measure(newsclean(big, work / "big2.jsonl", 2))
    floor_s, j1_s, j2_s, sig_s, dask_s = (statistics.median(r[k] for r in rounds) for k in range(5))
    over_floor = statistics.median(j1 / floor for floor, j1, _, _, _ in rounds)
    speedup = statistics.median(j1 / j2 for _, j1, j2, _, _ in rounds)
    minhash_over_floor = statistics.median(sig / floor for floor, _, _, sig, _ in rounds)
    over_minhash_floor = statistics.median(j1 / sig for _, j1, _, sig, _ in rounds)
    dask_over_local = statistics.median(d / j2 for _, _, j2, _, d in rounds) if with_dask else None

    def rate(seconds: float, docs: int = args.docs, size: float = mb) -> str:
        return f"{docs / seconds:8,.0f} docs/s {size / seconds:7.2f} MB/s ({seconds:6.1f} s)"

    results = {
        "docs": args.docs,
        "corpus_mb": round(mb, 1),
        "rounds": len(rounds),
        "floor_s": round(floor_s, 2),
        "jobs1_s": round(j1_s, 2),
        "jobs2_s": round(j2_s, 2),
        "minhash_floor_s": round(sig_s, 2),
        "minhash_floor_over_floor": round(minhash_over_floor, 2),
        "jobs1_over_floor": round(over_floor, 2),
        "jobs1_over_minhash_floor": round(over_minhash_floor, 2),
        "jobs2_speedup": round(speedup, 2),
        "identical_j1_j2": identical,
        "dask2_s": round(dask_s, 2) if with_dask else None,
        "dask2_over_local2": round(dask_over_local, 2) if dask_over_local is not None else None,
        "identical_dask_local": dask_identical if with_dask else None,
        "peak_rss_mib": {str(args.docs): j1_rss, str(args.big): big_rss},
        "big_docs_per_s": round(args.big / big_s),
        "big_jobs1_over_floor": round(big_s / big_floor_s, 2),
        "big_jobs2_speedup": round(big_s / big2_s, 2),
    }
    print(f"corpus: {args.docs:,} docs, {mb:.1f} MB (seed {args.seed}); medians of {len(rounds)} paired rounds")
    print(f"floor (read, xxhash paragraphs, write): {rate(floor_s)}   peak RSS {floor_rss} MiB")
    print(
        f"MinHash floor:       {rate(sig_s)}   {minhash_over_floor:5.1f}x the floor's time "
        "(read, every paragraph's signature, write: nothing else)"
    )
    print(
        f"newsclean --jobs 1:  {rate(j1_s)}   {over_floor:5.1f}x the floor's time (target <= 2x, must 3x), "
        f"{over_minhash_floor:.1f}x the MinHash floor's"
    )
    print(f"newsclean --jobs 2:  {rate(j2_s)}   {speedup:5.2f}x faster than --jobs 1 (target >= 1.7x)")
    print(f"outputs of --jobs 1 and --jobs 2 byte-identical: {identical}")
    if dask_over_local is not None:
        print(
            f"--engine dask --jobs 2: {rate(dask_s)}   {dask_over_local:5.2f}x the time of --engine local --jobs 2 "
            f"(LocalCluster start-up included); output byte-identical: {dask_identical}"
        )
    print(f"peak RSS --jobs 1: {j1_rss} MiB at {args.docs:,} docs, {big_rss} MiB at {args.big:,} docs")
    print(
        f"at {args.big:,} docs (start-up amortized): --jobs 1 {rate(big_s, args.big, big.stat().st_size / 1e6)}"
        f"   {big_s / big_floor_s:5.1f}x the floor's time; --jobs 2 {big_s / big2_s:.2f}x faster"
    )
    for shape in [name for name in args.shapes.split(",") if name]:
        corpus = write_corpus(work / f"corpus-{shape}-{args.docs}.jsonl", args.docs, args.seed, shape=shape)
        ratios = []
        for _ in range(args.repeat):
            floor_s, _ = measure([sys.executable, "-c", FLOOR, str(corpus), str(work / "floor.jsonl")], ok=(0,))
            j1_s, _ = measure(newsclean(corpus, work / f"{shape}.jsonl", 1))
            ratios.append(j1_s / floor_s)
        results[f"{shape}_jobs1_over_floor"] = round(statistics.median(ratios), 2)
        print(
            f"{shape} corpus ({corpus.stat().st_size / 1e6:.1f} MB): --jobs 1 {statistics.median(ratios):5.1f}x the "
            f"floor's time (rounds {', '.join(f'{r:.1f}' for r in ratios)})"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
