"""Small corpora for the corpus-job tests, built from the real articles in seeds/ (deterministic, no network).

Article paragraphs each go to exactly one document; boilerplate recurs. That is the situation learn must handle:
it may remove what recurs and must never touch what occurs in only one document.
"""

from __future__ import annotations

from pathlib import Path

from cleaner.io.base import InputDoc
from cleaner.normalize import normalize
from cleaner.record import Origin
from cleaner.segment import paragraphs, sentences

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def article_paragraphs() -> list[str]:
    """Real article paragraphs of the seeds, long enough to be article text (no "-" or "Politics" lines)."""
    out: list[str] = []
    for path in SEEDS:
        text = normalize(path.read_text(encoding="utf-8"))
        for start, end in paragraphs(text):
            piece = text[start:end]
            if len(piece) >= 60 and piece not in out:
                out.append(piece)
    return out


def article_sentences() -> list[str]:
    out: list[str] = []
    for piece in article_paragraphs():
        for start, end in sentences(piece):
            sentence = piece[start:end]
            if len(sentence) >= 40 and sentence not in out:
                out.append(sentence)
    return out


def structured_site(n_docs: int = 12) -> list[InputDoc]:
    """Documents of one site: article paragraphs, plus boilerplate lines with changing counters and dates."""
    paras = article_paragraphs()
    docs = []
    for i in range(n_docs):
        body = paras[i * 3 : i * 3 + 3]
        lines = [f"Updated {1 + i % 12}:{10 + i:02d} AM, Nov {1 + i}, 2025 | {3 + 7 * i} comments", *body]
        lines.append("Share this article" if i % 3 else "SHARE THIS ARTICLE")
        if i % 2 == 0:
            lines.append("Follow us on Facebook and Twitter for the latest news")
        else:
            lines.append("Follow us on Facebook and Instagram for the latest news")
        if i == 0:
            lines.append("Share this story with a friend today")  # looks like boilerplate, but only once
        docs.append(
            InputDoc(
                Origin("site.jsonl", line=i + 1),
                text="\n".join(lines),
                id=f"s{i}",
                url=f"https://www.example-news.com/2025/story-{i}",
            )
        )
    return docs


def flat_site(n_docs: int = 12) -> list[InputDoc]:
    """Flattened documents (one line each): article sentences, then boilerplate trailing sentences."""
    sents = article_sentences()
    docs = []
    for i in range(n_docs):
        body = sents[i * 3 : i * 3 + 3]
        tail = ["Copyright 2025 Flat Wire Service. All rights reserved.", "Read more stories at our homepage."]
        text = " ".join([*body, *tail[: 1 + i % 2]])
        docs.append(
            InputDoc(Origin("flat.jsonl", line=i + 1), text=text, id=f"f{i}", url=f"https://flat.example/a/{i}")
        )
    return docs
