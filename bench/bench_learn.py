"""Benchmark `newsclean learn`: what it removes (trailers removed, unique article sentences kept) and its speed.

Corpus: the AEB gold article bodies (read at run time from /work/shared/data/aeb, never copied into the repo),
dressed per site by `tests/test_learn_sites.py` with recurring trailers, glued labels, agency variants, page
references and permalinks, once flattened (one line per document) and once with one paragraph per line. For each
shape: `learn` (bundled rules as in the CLI), then `clean` with the bundled and the learned rules, and the score:

- trailers removed: boilerplate pieces the dressing added that are gone from the cleaned text (a piece only
  partly removed counts as not removed);
- unique sentences kept: article sentences that occur in only one document and are still in the cleaned text;
- dangling: cleaned documents that start or end with a separator ("-", "|").

Speed: learn time against a same-run baseline (normalizing and segmenting the same documents).

    python bench/bench_learn.py [--copies 1] [--show 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_data import AEB_GROUND_TRUTH  # noqa: E402

from cleaner import Cleaner  # noqa: E402
from cleaner.corpus.learn import LearnOptions, learn, write_rule_files  # noqa: E402
from cleaner.normalize import normalize  # noqa: E402
from cleaner.rules import bundled_rules_dir  # noqa: E402
from cleaner.segment import paragraphs, sentences  # noqa: E402
from tests.test_learn_sites import Page, boilerplate, build, score, unique_sentences  # noqa: E402

AEB = AEB_GROUND_TRUTH


def bodies(copies: int) -> list[str]:
    texts = [v["articleBody"] for _k, v in sorted(json.loads(AEB.read_text(encoding="utf-8")).items())]
    return texts * copies


def baseline(texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        source = normalize(text)
        for span in paragraphs(source):
            sentences(source, span)
    return time.perf_counter() - start


def run(pages: list[Page], flat: bool, options: LearnOptions, keep: Path | None, show: int) -> dict[str, float]:
    docs = [page.doc(flat) for page in pages]
    bundled = bundled_rules_dir()
    start = time.perf_counter()
    result = learn(docs, options, [bundled])
    elapsed = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        out = keep / ("flat" if flat else "paragraphs") if keep else Path(tmp)
        write_rule_files(out, result)
        cleaner = Cleaner(rules=[bundled, out])
        cleaned = [cleaner.clean(doc.text or "", url=doc.url, id=doc.id).text for doc in docs]
    plain = Cleaner(rules=[bundled])
    bundled_only = [plain.clean(doc.text or "", url=doc.url, id=doc.id).text for doc in docs]
    before = score(pages, [normalize(doc.text or "") for doc in docs])
    after = score(pages, cleaned)
    base = baseline([doc.text or "" for doc in docs])
    by_bundled = score(pages, bundled_only)
    lost_to_learned = [
        (f"{page.site}-{page.index}", s)
        for page, text, before_text, unique in zip(pages, cleaned, bundled_only, unique_sentences(pages), strict=True)
        for s in unique
        if s in before_text and s not in text
    ]
    shape = "flattened" if flat else "paragraphs"
    rules = sum(len(s.rules) for s in result.sites)
    print(
        f"{shape:>10}: {len(docs)} docs, {rules} rules learned in {elapsed:.2f} s ({elapsed / base:.1f}x "
        f"normalize+segment); trailers removed {after.trailers_removed}/{after.trailers} "
        f"({after.removed_share:.1%}), unique sentences kept {after.sentences_kept}/{after.sentences} "
        f"({after.kept_share:.2%}), dangling separators {after.dangling} (before {before.dangling})"
    )
    print(
        f"{'':>10}  bundled rules alone: trailers removed {by_bundled.removed_share:.1%}, unique sentences kept "
        f"{by_bundled.kept_share:.2%}; unique sentences lost to learned rules: {len(lost_to_learned)}"
    )
    dropped = [why for s in result.sites for why in s.dropped]
    if dropped:
        print(f"    {len(dropped)} candidate rules not written, e.g. {dropped[:show]}")
    if show:
        survivors = [(page.site, piece, text) for page, text in zip(pages, cleaned, strict=True)
                     for piece in boilerplate(page) if piece in text]  # fmt: skip
        by_site: dict[str, list[str]] = {}
        for site, piece, _text in survivors:
            by_site.setdefault(site, []).append(piece)
        for site, pieces in sorted(by_site.items()):
            print(f"    survived on {site}: {len(pieces)}, e.g. {sorted(set(pieces))[:show]}")
        for where, sentence in lost_to_learned[:show]:
            print(f"    lost to learned rules on {where}: {sentence[:100]!r}")
        for page, text in zip(pages, cleaned, strict=True):
            stripped = text.strip()
            if stripped and (stripped[0] in "-|–—" or stripped[-1] in "-|–—"):
                print(f"    dangling separator on {page.site}-{page.index}: {stripped[:40]!r} ... {stripped[-40:]!r}")
    return {"removed": after.removed_share, "kept": after.kept_share, "seconds": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1, help="use the AEB bodies this many times")
    parser.add_argument("--show", type=int, default=5, help="examples of survivors and lost sentences to print")
    parser.add_argument("--keep", type=Path, help="write the learned rule files here (flat/, paragraphs/)")
    parser.add_argument("--min-docs", type=int, default=5)
    parser.add_argument("--min-share", type=float, default=0.05)
    args = parser.parse_args()
    if not AEB.exists():
        sys.exit(f"{AEB} not found: this benchmark reads the AEB gold bodies at run time")
    pages = build(bodies(args.copies))
    options = LearnOptions(min_docs=args.min_docs, min_share=args.min_share)
    print(f"corpus: {len(pages)} pages over {len({p.site for p in pages})} sites, "
          f"min_docs={options.min_docs} min_share={options.min_share}")  # fmt: skip
    for flat in (True, False):
        run(pages, flat, options, args.keep, args.show)


if __name__ == "__main__":
    main()
