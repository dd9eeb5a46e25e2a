"""Article-extraction benchmark: trafilatura alone against newsclean (trafilatura + the full Cleaner).

    python bench/aeb_eval.py [--data /work/shared/data/aeb] [--json out.json] [--examples 8]

Three runs over the same pages, in one process:
  trafilatura   `trafilatura.extract(html, include_comments=False)`, exactly how AEB runs it (its reference:
                F1 0.958, P 0.938, R 0.978 for trafilatura 2.0.0);
  extract       `cleaner.extract.extract` alone (our options, bytes decoding, the page URL);
  newsclean     extract + `Cleaner()` with the bundled rules (rules, near-duplicates, apply).
Then every removal newsclean made is attributed: a removal is *harmful* when most of its shingles are in the
ground truth (it cost recall) and *helpful* otherwise. Times are reported as ratios to the trafilatura run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aeb_score import page_counts, page_precision, page_recall, score, shingles
from shared_data import AEB as AEB_DIR


def load(data: Path) -> list[tuple[str, str, str, bytes]]:
    """(page key, url, true article body, html bytes) for every page, in key order."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth):
        html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key, truth[key].get("url") or "", truth[key].get("articleBody") or "", html))
    return pages


def run_trafilatura(pages: list[tuple[str, str, str, bytes]]) -> list[str | None]:
    import trafilatura

    return [trafilatura.extract(html.decode("utf-8"), include_comments=False) for _, _, _, html in pages]


def run_extract(pages: list[tuple[str, str, str, bytes]]) -> list[str | None]:
    from cleaner.extract import extract

    return [extract(html, url or None).text for _, url, _, html in pages]


def run_newsclean(pages: list[tuple[str, str, str, bytes]]) -> tuple[list[str | None], list[Any]]:
    from cleaner.io.base import InputDoc
    from cleaner.pipeline import Cleaner
    from cleaner.record import Document, Origin

    records = [InputDoc(origin=Origin(key), html=html, id=key, url=url or None) for key, url, _, html in pages]
    texts: list[str | None] = []
    docs: list[Any] = []
    for item in Cleaner().clean_many(records):
        texts.append(item.text if isinstance(item, Document) else None)
        docs.append(item)
    return texts, docs


def attribute(pages: list[tuple[str, str, str, bytes]], docs: list[Any]) -> dict[str, Any]:
    """Per rule (or stage): removals that cost article shingles (harmful) and those that did not (helpful).

    A page's lost shingles are the true ones present before cleaning and missing after (as multisets, so
    removing the 19th copy of a line the article really repeats 19 times counts as lost); each removal is
    charged the lost shingles it contains, in order.
    """
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[dict[str, Any]]] = {"helpful": [], "harmful": []}
    for (key, _, truth, _), doc in zip(pages, docs, strict=True):
        if not hasattr(doc, "removals"):
            continue
        true_sh = shingles(truth)
        lost = (true_sh & shingles(doc.source)) - (true_sh & shingles(doc.text))
        for removal in doc.removals:
            name = removal.rule or removal.stage
            removed = shingles(removal.text)
            charged = removed & lost
            lost -= charged
            harm, total = sum(charged.values()), sum(removed.values())
            harmful = harm * 2 > total
            row = by_rule[name]
            row["removals"] += 1
            row["harmful" if harmful else "helpful"] += 1
            row["shingles_lost"] += harm
            row["shingles_saved"] += total - harm
            examples["harmful" if harmful else "helpful"].append(
                {"page": key, "rule": name, "stage": removal.stage, "text": removal.text.strip()[:160]}
            )
    return {"by_rule": {k: dict(v) for k, v in sorted(by_rule.items())}, "examples": examples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=AEB_DIR)
    parser.add_argument("--json", type=Path, help="write scores and attributions here")
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args()

    pages = load(args.data)
    truths = [truth for _, _, truth, _ in pages]
    results: dict[str, Any] = {"pages": len(pages)}
    times: dict[str, float] = {}
    preds: dict[str, list[str | None]] = {}
    for name, runner in (("trafilatura", run_trafilatura), ("extract", run_extract)):
        start = time.perf_counter()
        preds[name] = runner(pages)
        times[name] = time.perf_counter() - start
    start = time.perf_counter()
    preds["newsclean"], docs = run_newsclean(pages)
    times["newsclean"] = time.perf_counter() - start

    counts = {name: [page_counts(t, p) for t, p in zip(truths, pred, strict=True)] for name, pred in preds.items()}
    print(f"AEB, {len(pages)} pages (reference: trafilatura 2.0.0 F1 0.958 P 0.938 R 0.978)")
    for name, rows in counts.items():
        s = score(rows)
        rel = times[name] / times["trafilatura"]
        results[name] = {"precision": s.precision, "recall": s.recall, "f1": s.f1, "time_ratio": rel}
        print(f"  {name:<12} P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}  time x{rel:.2f} of trafilatura")
    base, ours = score(counts["trafilatura"]), score(counts["newsclean"])
    print(f"  newsclean - trafilatura: P {ours.precision - base.precision:+.4f}  R {ours.recall - base.recall:+.4f}")

    changed = []
    for (key, *_), before, after in zip(pages, counts["extract"], counts["newsclean"], strict=True):
        dp = page_precision(*after) - page_precision(*before)
        dr = page_recall(*after) - page_recall(*before)
        if abs(dp) > 1e-9 or abs(dr) > 1e-9:
            changed.append((key, dp, dr))
    print(
        f"\nPages changed by cleaning: {len(changed)} (precision up on {sum(d > 0 for _, d, _ in changed)}, "
        f"recall down on {sum(r < 0 for _, _, r in changed)})"
    )
    for key, dp, dr in sorted(changed, key=lambda c: c[2] - c[1])[: args.examples]:
        print(f"  {key[:12]}  dP {dp:+.3f}  dR {dr:+.3f}")

    attribution = attribute(pages, docs)
    results["attribution"] = attribution
    print("\nRemovals by rule/stage (helpful = mostly not article text; harmful = mostly article text):")
    for name, row in attribution["by_rule"].items():
        print(
            f"  {name:<40} {row.get('removals', 0):>4} removals, {row.get('helpful', 0):>4} helpful, "
            f"{row.get('harmful', 0):>3} harmful"
        )
    for kind in ("harmful", "helpful"):
        print(f"\nExamples, {kind}:")
        for ex in attribution["examples"][kind][: args.examples]:
            print(f"  {ex['page'][:12]} [{ex['rule']}] {ex['text'][:100]!r}")
    rejected = [key for (key, *_), d in zip(pages, docs, strict=True) if not hasattr(d, "removals")]
    results["rejected"] = rejected
    print(f"\nRejected by newsclean: {len(rejected)} {rejected[:5]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
