"""Benchmark: `newsclean learn` throughput (documents/s) and memory per document.

Corpus: AEB gold article bodies (read at run time from /work/shared/data/aeb) spread over a few synthetic sites,
each page given that site's boilerplate (counters and dates that change per page, share/follow lines) and, for
one site, flattened onto a single line. Baseline in the same run: normalizing and segmenting the same documents
(the cheapest pass any learner must make), so the figure survives a noisy shared machine.

    python bench/bench_learn.py [--copies 4]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

from cleaner.corpus.learn import LearnOptions, learn
from cleaner.io.base import InputDoc
from cleaner.normalize import normalize
from cleaner.record import Origin
from cleaner.segment import paragraphs, sentences

AEB = Path("/work/shared/data/aeb/ground-truth.json")
SITES = ("alpha.example", "beta.example", "gamma.example", "flat.example")


def build(copies: int) -> list[InputDoc]:
    bodies = [v["articleBody"] for _k, v in sorted(json.loads(AEB.read_text(encoding="utf-8")).items())]
    docs = []
    for n in range(copies * len(bodies)):
        body = bodies[n % len(bodies)]
        site = SITES[n % len(SITES)]
        lines = [
            f"Updated {n % 12 + 1}:{n % 60:02d} PM, Nov {n % 28 + 1}, 2025 | {n % 97} comments",
            body,
            "Share this article",
            f"Follow {site} on Facebook and Twitter",
            "Sign up for our daily newsletter",
        ]
        text = " ".join(" ".join(lines).split()) if site == "flat.example" else "\n".join(lines)
        docs.append(InputDoc(Origin("bench", record=n), text=text, id=str(n), url=f"https://{site}/{n}"))
    return docs


def baseline(docs: list[InputDoc]) -> float:
    start = time.perf_counter()
    for doc in docs:
        source = normalize(doc.text or "")
        for span in paragraphs(source):
            sentences(source, span)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=4)
    args = parser.parse_args()
    if not AEB.exists():
        sys.exit(f"{AEB} not found: this benchmark reads the AEB gold bodies at run time")
    docs = build(args.copies)
    learn(docs[:50], LearnOptions())  # warm up imports and tables
    base = baseline(docs)
    start = time.perf_counter()
    result = learn(docs, LearnOptions())
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    learn(docs, LearnOptions())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rules = sum(len(s.rules) for s in result.sites)
    chars = sum(len(d.text or "") for d in docs)
    print(f"corpus: {len(docs)} documents, {chars / 1e6:.1f} M chars, {len(SITES)} sites; learned {rules} rules")
    print(
        f"learn: {elapsed:.2f} s, {len(docs) / elapsed:.0f} docs/s; normalize+segment baseline {base:.2f} s "
        f"({len(docs) / base:.0f} docs/s): learn costs {elapsed / base:.1f}x the baseline"
    )
    print(
        f"memory: peak {peak / 1e6:.1f} MB traced while learning, {peak / len(docs) / 1e3:.1f} KB per document "
        f"({peak / chars:.2f} bytes per input char)"
    )


if __name__ == "__main__":
    main()
