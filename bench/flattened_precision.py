"""How much real article text the cleaner removes from clean, human-written article bodies, flattened and not.

The article-extraction benchmark's `ground-truth.json` holds 181 article bodies written out by people: nothing in
them is a scraper's artefact, so every removed word is a loss. Each body is cleaned as it is (one paragraph per line)
and flattened onto one line, with the bundled rules; the target is at most 0.2% of their words removed. Every
removal is listed so that a person can judge it.

    python bench/flattened_precision.py [--gold ../shared/data/aeb/ground-truth.json] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import GOLD, flatten

from cleaner import Cleaner


def bodies(path: Path) -> list[tuple[str, str, str]]:
    """(key, url, body with one paragraph per line) of every gold article, in a stable order."""
    gold = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for key in sorted(gold):
        lines = [line.strip() for line in gold[key]["articleBody"].split("\n") if line.strip()]
        if lines:
            found.append((key, gold[key].get("url") or "", "\n".join(lines) + "\n"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--quiet", action="store_true", help="totals only, not every removal")
    args = parser.parse_args()
    cleaner = Cleaner()
    articles = bodies(args.gold)
    summary = {}
    for shape in ("paragraphs", "flat"):
        words = removed = 0
        listed = []
        for key, url, body in articles:
            text = body if shape == "paragraphs" else flatten(body)
            result = cleaner.clean(text, url=url or None, id=key)
            words += len(result.source.split())
            for removal in result.removals:
                removed += len(removal.text.split())
                listed.append((key[:12], removal.stage, removal.rule or "", removal.reason, removal.text))
        share = removed / words if words else 0.0
        summary[shape] = {"words": words, "removed": removed, "share": round(share, 5), "removals": len(listed)}
        print(f"{shape}: {removed:,} of {words:,} words removed ({share:.3%}) in {len(listed)} removals")
        if not args.quiet:
            for key, stage, rule, reason, text in listed:
                print(f"  {key} {stage} {rule} · {reason}\n    {text.strip()[:300]!r}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
