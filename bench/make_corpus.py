"""Generate a realistic scraped-news corpus (JSON Lines) from the AEB gold article bodies, deterministically.

Each document is a window of a real article body dressed with the artefacts scrapers leave and newsclean
removes: the body captured twice (whole, partial, or with small edits), the headline repeated, a turan.az-style
section sidebar with "Leave a review", and share / follow / newsletter lines. Same seed, same bytes.

    python bench/make_corpus.py -o /tmp/corpus.jsonl --docs 100000 --seed 1
    python bench/make_corpus.py -o /tmp/flat.jsonl --shape flat        # the same documents, each on one line
    python bench/make_corpus.py -o /tmp/real.jsonl --shape realistic   # repeats as rare as in real scrapes

Shapes: `paragraphs` (the default: every document dressed, one paragraph per line), `flat` (the same documents
with every line break turned into a space, as CSV exports and whitespace-collapsing scrapers give them) and
`realistic` (most documents have no repeats: 10% get a scraper's copy, 30% a share line, and one in five is
flattened).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

from shared_data import AEB_GROUND_TRUTH

GOLD = AEB_GROUND_TRUTH
SHARE_LINES = [
    "Share this article",
    "Share on Facebook",
    "Facebook Twitter LinkedIn Email",
    "Share | Tweet | Email | Print",
    "Follow us on Twitter",
    "Follow us on Instagram for the latest news!",
    "Subscribe to our newsletter",
    "Sign up for our daily newsletter",
    "Advertisement",
    "Read more:",
]
SECTIONS = ["Politics", "Economy", "Society", "In the world", "Region"]
SITES = ["turan.az", "news.example.com", "www.example.org", "daily.example.net"]


def load_articles(path: Path) -> list[tuple[str, list[str]]]:
    """(url, paragraphs) of every gold article, in a stable order."""
    gold = json.loads(path.read_text(encoding="utf-8"))
    articles = []
    for key in sorted(gold):
        body = gold[key]["articleBody"]
        paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
        if paragraphs:
            articles.append((gold[key].get("url") or "", paragraphs))
    return articles


def _edit(paragraph: str, rng: random.Random) -> str:
    """A copy with a small edit, as when a scraper captures a teaser and the body."""
    words = paragraph.split()
    if len(words) < 12:
        return paragraph
    i = rng.randrange(len(words))
    del words[i]
    return " ".join(words)


SHAPES = ("paragraphs", "flat", "realistic")


def flatten(text: str) -> str:
    """One line: every line break a space."""
    return " ".join(line for line in text.split("\n") if line) + "\n"


def make_document(
    index: int, articles: list[tuple[str, list[str]]], rng: random.Random, shape: str = "paragraphs"
) -> dict[str, object]:
    if shape == "realistic":
        return _realistic(index, articles, rng)
    record = _dressed(index, articles, rng)
    if shape == "flat":
        record["text"] = flatten(str(record["text"]))
    return record


def _realistic(index: int, articles: list[tuple[str, list[str]]], rng: random.Random) -> dict[str, object]:
    """A document as most real scrapes give them: the article, rarely a copy, sometimes a share line."""
    _, paragraphs = articles[rng.randrange(len(articles))]
    start = rng.randrange(max(1, len(paragraphs) - 3))
    body = paragraphs[start : start + rng.randint(3, 14)]
    site = SITES[index % len(SITES)]
    lines = list(body)
    if rng.random() < 0.1:
        lines += body[: rng.randint(1, len(body))]
    if rng.random() < 0.3:
        lines.append(rng.choice(SHARE_LINES))
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.2:
        text = flatten(text)
    return {"id": f"doc-{index:07d}", "url": f"https://{site}/news/{index}", "source": "aeb-synthetic", "text": text}


def _dressed(index: int, articles: list[tuple[str, list[str]]], rng: random.Random) -> dict[str, object]:
    _, paragraphs = articles[rng.randrange(len(articles))]
    start = rng.randrange(max(1, len(paragraphs) - 3))
    body = paragraphs[start : start + rng.randint(3, 14)]
    headline = body[0] if len(body[0]) < 160 else " ".join(body[0].split()[:12])
    site = SITES[index % len(SITES)]
    lines = [headline, *body] if rng.random() < 0.5 else list(body)
    artefact = rng.random()
    if artefact < 0.3:  # whole body captured twice
        lines += body
    elif artefact < 0.5:  # partial second copy
        cut = rng.randint(1, len(body))
        lines += body[:cut]
    elif artefact < 0.65:  # copy with small edits
        lines += [_edit(p, rng) for p in body]
    elif artefact < 0.75:  # interleaved copies p1, p1', p2, p2'
        lines = [x for p in body for x in (p, _edit(p, rng))]
    if rng.random() < 0.4:
        lines.insert(rng.randint(1, len(lines)), rng.choice(SHARE_LINES))
        lines.append(rng.choice(SHARE_LINES))
    if site == "turan.az":
        for section in rng.sample(SECTIONS, rng.randint(1, 2)):
            lines.append(section)
            for _ in range(rng.randint(2, 5)):
                _, other = articles[rng.randrange(len(articles))]
                lines += ["-", " ".join(other[0].split()[:10])]
        lines.append("Leave a review")
    return {
        "id": f"doc-{index:07d}",
        "url": f"https://{site}/news/{index}",
        "source": "aeb-synthetic",
        "text": "\n".join(lines) + "\n",
        "crawl": {"seed_article": start, "artefact": round(artefact, 3)},
    }


def generate(docs: int, seed: int, gold: Path = GOLD, shape: str = "paragraphs") -> Iterator[dict[str, object]]:
    articles = load_articles(gold)
    rng = random.Random(seed)
    for index in range(docs):
        yield make_document(index, articles, rng, shape)


def write_corpus(path: Path, docs: int, seed: int, gold: Path = GOLD, shape: str = "paragraphs") -> Path:
    import orjson

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for record in generate(docs, seed, gold, shape):
            out.write(orjson.dumps(record) + b"\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--shape", choices=SHAPES, default="paragraphs")
    args = parser.parse_args()
    write_corpus(args.output, args.docs, args.seed, args.gold, args.shape)
    print(f"wrote {args.docs:,} documents to {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
