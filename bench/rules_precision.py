"""Precision of the bundled default rules on real article text (AEB gold bodies).

For each rule of `rules/_default.toml`: how many lines of the AEB gold article bodies it would remove (this should
be ~0: every hit is printed so a person can judge it), the same for each body flattened onto one line (the rule
then sees sentence units, as in a flattened document), and with --html how many lines it fires on in the
trafilatura extraction of the AEB HTML pages (where boilerplate does occur; `--comments keep` extracts the pages'
reader comments too, as `newsclean clean --comments keep` does, for `rules/_comments.toml`). Speed is reported as a
ratio against `normalize()` on the same texts, measured in the same run (the machine is shared and noisy).

    python bench/rules_precision.py [--data /work/shared/data/aeb] [--rules rules/_comments.toml] [--html]
        [--comments drop|keep]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from shared_data import AEB as AEB_DIR

from cleaner.normalize import normalize
from cleaner.rules import Rule, bundled_rules_dir, find_spans, load_rule_file, run_rules
from cleaner.rules.examples import example_document


def lines_hit(source: str, spans: list[tuple[int, int]]) -> list[str]:
    """The lines of `source` that the spans touch (whole or in part)."""
    hit: list[str] = []
    for start, end in spans:
        line_start = source.rfind("\n", 0, start) + 1
        line_end = source.find("\n", max(start, end - 1))
        hit.extend(line for line in source[line_start:line_end].split("\n") if line)
    return hit


def units_removed(flat: str, rule: Rule, timeout: float) -> list[str]:
    """The units (sentences) `rule` removes from a flattened body, run as the rule stage runs it on a document."""
    doc = example_document(flat)
    run_rules(doc, [rule], timeout, enforce_max_fraction=False)
    return [removal.text.strip() for removal in doc.removals]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=AEB_DIR)
    parser.add_argument("--rules", type=Path, default=bundled_rules_dir() / "_default.toml")
    parser.add_argument("--html", action="store_true", help="also count hits in trafilatura extractions of the HTML")
    parser.add_argument("--comments", choices=("drop", "keep"), default="drop", help="--html: extract comments too")
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()

    rule_file = load_rule_file(args.rules)
    truth = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [entry["articleBody"] for entry in truth.values()]

    started = time.perf_counter()
    sources = [normalize(body) for body in bodies]
    normalize_seconds = time.perf_counter() - started
    total_lines = sum(source.count("\n") for source in sources)

    gold_hits: dict[str, list[str]] = {rule.id: [] for rule in rule_file.rules}
    started = time.perf_counter()
    for source in sources:
        for rule in rule_file.rules:
            gold_hits[rule.id].extend(lines_hit(source, find_spans(rule, source, args.timeout)))
    rules_seconds = time.perf_counter() - started

    flat_hits: dict[str, list[str]] = {rule.id: [] for rule in rule_file.rules}
    for source in sources:
        flat = " ".join(line for line in source.split("\n") if line) + "\n"
        for rule in rule_file.rules:
            flat_hits[rule.id].extend(units_removed(flat, rule, args.timeout))

    html_hits: dict[str, list[str]] = {rule.id: [] for rule in rule_file.rules}
    html_docs = 0
    if args.html:
        from cleaner.extract import extract

        for path in sorted((args.data / "html").glob("*.html.gz")):
            extracted = extract(gzip.decompress(path.read_bytes()), None, comments=args.comments)
            if extracted.text is None:
                continue
            html_docs += 1
            source = normalize(extracted.text)
            for rule in rule_file.rules:
                html_hits[rule.id].extend(lines_hit(source, find_spans(rule, source, args.timeout)))

    print(f"AEB gold bodies: {len(sources)} documents, {total_lines} lines; rules from {args.rules}")
    header = f"{'rule':<22} {'gold lines removed':>18} {'flattened: units removed':>24}"
    if args.html:
        header += f" {'lines hit in ' + str(html_docs) + ' extractions (comments ' + args.comments + ')':>46}"
    print(header)
    for rule in rule_file.rules:
        row = f"{rule.id:<22} {len(gold_hits[rule.id]):>18} {len(flat_hits[rule.id]):>24}"
        if args.html:
            row += f" {len(html_hits[rule.id]):>46}"
        print(row)
    print(f"total gold lines removed: {sum(len(v) for v in gold_hits.values())} of {total_lines}")
    print(f"total units removed from the flattened bodies: {sum(len(v) for v in flat_hits.values())}")
    print(f"speed: all default rules take {rules_seconds / normalize_seconds:.2f}x the time of normalize() (same run)")
    for rule_id, hits in gold_hits.items():
        for line in hits:
            print(f"  gold hit {rule_id}: {line[:150]!r}")
    for rule_id, hits in flat_hits.items():
        for unit in hits:
            print(f"  flattened hit {rule_id}: {unit[:150]!r}")
    for rule_id, hits in html_hits.items():  # boilerplate, mostly: listed to be judged too
        for line in hits:
            print(f"  extraction hit {rule_id}: {line[:150]!r}")


if __name__ == "__main__":
    main()
