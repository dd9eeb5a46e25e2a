"""Where `newsclean clean --jobs 1` spends its time, stage by stage, as multiples of the floor's time per document.

The floor is bench_batch.py's: parse a JSON line, xxhash each paragraph, dump the record. Here both run in one
process on the same lines (no process start-up, no file I/O), in paired rounds, so each stage reads as "so many
floors". That answers what the 3x target of issue 4 would need: which stages would have to cost how much less.

    python bench/bench_stages.py [--docs 4000] [--repeat 5] [--shape paragraphs|flat|realistic]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import xxhash

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import write_corpus

from cleaner import minhash
from cleaner.apply import apply_removals
from cleaner.normalize import normalize
from cleaner.pipeline import Cleaner
from cleaner.record import Document
from cleaner.segment import paragraphs, units
from cleaner.stages import settle

BATCH = 256  # documents per near-duplicate batch, as Cleaner.clean_many does


def floor(lines: list[bytes]) -> None:
    for line in lines:
        record = orjson.loads(line)
        hashes = [xxhash.xxh64_intdigest(p.encode()) for p in record["text"].split("\n") if p]
        record["paragraph_hashes"] = len(set(hashes))
        orjson.dumps(record)


def stages(lines: list[bytes], cleaner: Cleaner) -> dict[str, float]:
    """Seconds per stage for all `lines`, in the order the pipeline runs them."""
    assert cleaner.ruleset is not None
    spent: dict[str, float] = {}

    def timed(name: str, work: Callable[[], object]) -> object:
        start = time.perf_counter()
        result = work()
        spent[name] = time.perf_counter() - start
        return result

    records: list = timed("parse JSON", lambda: [orjson.loads(line) for line in lines])  # type: ignore[assignment]
    sources: list = timed("normalize", lambda: [normalize(r["text"]) for r in records])  # type: ignore[assignment]

    def segment() -> list[Document]:
        docs = []
        for record, source in zip(records, sources, strict=True):
            doc = Document(id=record["id"], source=source, url=record.get("url"), meta={}, origin=None)
            doc.paragraphs = paragraphs(source)
            doc.units = units(source, doc.paragraphs)
            docs.append(doc)
        return docs

    docs: list[Document] = timed("segment (paragraphs, units)", segment)  # type: ignore[assignment]
    for stage in cleaner.stages:  # each stage alone, on documents no other stage has cut
        alone = segment()
        timed(
            f"{stage.name} (alone)",
            lambda stage=stage, alone=alone: [
                stage.mark(alone[start : start + BATCH], again=False) for start in range(0, len(alone), BATCH)
            ],
        )
    timed(
        "all stages, settled (as Cleaner runs them)",
        lambda: [settle(cleaner.stages, docs[start : start + BATCH]) for start in range(0, len(docs), BATCH)],
    )
    timed("apply removals", lambda: [apply_removals(doc) for doc in docs])

    def dump() -> None:
        for record, doc in zip(records, docs, strict=True):
            record["text"] = doc.text
            orjson.dumps(record)
            orjson.dumps(doc.ledger_entry())

    timed("write record + ledger", dump)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5, help="paired rounds (medians are reported)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newsclean-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", default="paragraphs", help="corpus shape: paragraphs, flat or realistic")
    args = parser.parse_args()
    corpus = write_corpus(
        args.workdir / f"stages-{args.shape}-{args.docs}.jsonl", args.docs, args.seed, shape=args.shape
    )
    lines = corpus.read_bytes().splitlines()
    cleaner = Cleaner()
    minhash.load_kernel()  # a corpus run switches to the compiled kernel after 20 M characters; measure that state
    stages(lines[:BATCH], cleaner)  # warm caches (site lookups, rule screens) as a long run would have them

    ratios: dict[str, list[float]] = {}
    micros: dict[str, list[float]] = {}
    floors = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        floor(lines)
        floor_s = time.perf_counter() - start
        floors.append(floor_s)
        spent = stages(lines, cleaner)
        spent["total (alone rows aside)"] = sum(v for k, v in spent.items() if "(alone)" not in k)
        for name, seconds in spent.items():
            ratios.setdefault(name, []).append(seconds / floor_s)
            micros.setdefault(name, []).append(seconds / len(lines) * 1e6)

    floor_us = statistics.median(floors) / len(lines) * 1e6
    print(f"{len(lines):,} {args.shape} docs (seed {args.seed}); medians of {args.repeat} paired rounds")
    print(f"{'floor (parse, xxhash paragraphs, dump)':40s} {floor_us:7.1f} us/doc   1.00x")
    for name in ratios:
        ratio = statistics.median(ratios[name])
        print(f"{name:40s} {statistics.median(micros[name]):7.1f} us/doc {ratio:6.2f}x the floor")


if __name__ == "__main__":
    main()
