"""Hunt for texts whose cleaned text cleans differently: the idempotence invariant of DESIGN.md, under stress.

Each text is drawn from a pool of six real sentences (from the AEB gold bodies, by way of the `realistic` bench
corpus), so that it repeats heavily, with boilerplate lines, separators and line breaks mixed in. Each is cleaned
with and without the bundled rules, with and without a site URL, and cleaned again. Failures are cut down to the
fewest pieces that still fail (delta debugging) and written to --out, ready to become regression fixtures
(fixtures/idempotence/, tests/test_idempotence_cases.py).

    python bench/idempotence_hunt.py [--texts 1500] [--seed 1] [--out /tmp/newsclean-idempotence]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import generate

from cleaner import Cleaner
from cleaner.segment import sentences

BOILERPLATE = [
    "Share this article", "Advertisement", "Follow us on Twitter", "(Photo: AP)", "Read more:", "-", "|", "\n", "\n",
    "Leave a review", "BAKU, Azerbaijan -", "© 2024 AP", "Mr.", "By Jane Doe",
]  # fmt: skip
SITE = "https://turan.az/en/x"


def real_sentences(documents: int = 400) -> list[str]:
    """The first six sentences of each of `documents` documents of the realistic bench corpus."""
    found: list[str] = []
    for record in generate(documents, seed=1, shape="realistic"):
        text = str(record["text"])
        found += [text[start:end] for start, end in sentences(text)][:6]
    return found


def draw(rng: random.Random, pool_from: list[str]) -> list[str]:
    pool = [rng.choice(pool_from) for _ in range(6)]
    return [rng.choice(pool) if rng.random() < 0.6 else rng.choice(BOILERPLATE) for _ in range(rng.randint(3, 40))]


def fails(cleaner: Cleaner, url: str | None) -> Callable[[list[str]], bool]:
    def check(pieces: list[str]) -> bool:
        once = cleaner.clean(" ".join(pieces), url=url)
        return cleaner.clean(once.text, url=url).text != once.text

    return check


def minimize(pieces: list[str], failing: Callable[[list[str]], bool]) -> list[str]:
    """The fewest pieces (delta debugging over the drawn pieces) that still fail."""
    parts = 2
    while len(pieces) >= 2:
        chunk = max(1, len(pieces) // parts)
        for start in range(0, len(pieces), chunk):
            candidate = pieces[:start] + pieces[start + chunk :]
            if candidate and failing(candidate):
                pieces, parts = candidate, max(parts - 1, 2)
                break
        else:
            if chunk == 1:
                break
            parts = min(len(pieces), parts * 2)
    return pieces


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/newsclean-idempotence"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = real_sentences()
    cleaners = {"rules": Cleaner(), "no-rules": Cleaner(rules=[])}
    runs = 0
    failures: list[tuple[str, str | None, list[str]]] = []
    for _ in range(args.texts):
        pieces = draw(rng, pool)
        for name, cleaner in cleaners.items():
            for url in (None, SITE):
                runs += 1
                if fails(cleaner, url)(pieces):
                    failures.append((name, url, pieces))
    print(f"{runs:,} cleanings of {args.texts:,} texts (seed {args.seed}): {len(failures)} not idempotent")
    if failures:
        args.out.mkdir(parents=True, exist_ok=True)
    for number, (name, url, pieces) in enumerate(failures):
        small = minimize(pieces, fails(cleaners[name], url))
        path = args.out / f"seed{args.seed}-{number}-{name}{'-site' if url else ''}.txt"
        path.write_text(" ".join(small), encoding="utf-8")
        print(f"  {path} ({len(small)} pieces, {name}, url {url})")


if __name__ == "__main__":
    main()
