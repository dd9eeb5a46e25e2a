"""Sentence splitters for flattened news text: accuracy, speed, stability and offsets, in one run.

    python bench/bench_splitters.py [--data /work/shared/data/aeb/ground-truth.json] [--repeat 7] [--samples 4]

Candidates: the old placeholder regex (kept here as it was), sentencex, syntok, pysbd, blingfire, and
`cleaner.sentences.split` (the one newsclean uses). Every splitter is turned into spans into the original string
(stripped of surrounding whitespace) from the offsets it reports itself.

Corpus: the 181 human-written AEB article bodies (read at run time, never copied). Each body's paragraphs are
joined with one space; the paragraph starts are known true boundaries.
- recall    share of the paragraph boundaries that are also split points;
- inner     split points inside a paragraph; `suspect` counts those right after a title, month or "No."
            ("Gov.", "Feb."), an initial ("J."), a dotted acronym ("U.S."), before a lower-case letter or a digit,
            or inside a token (no space, nothing closed: "example.com", "3.5");
- hard      the hard cases of tests/test_sentences.py (HARD_CASES) split exactly as expected;
- MB/s      characters per second over every body, one call per body, single thread, best of --repeat;
            `x floor` is that time over the batch benchmark's floor (parse, hash, serialize each record) on the
            same bodies in the same run; the whole cleaner costs about 15x that floor;
- stable    share of unit deletions (about 10 per body; separator units excepted, the cleaner never removes them
            alone) after which re-splitting gives exactly the other units;
- covers    share of bodies where the spans cover every non-space character once, in order;
- exact     share of bodies where the splitter's own sentence strings equal text[start:end] at its offsets;
- determ.   two runs give the same spans.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson
import regex
import xxhash

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_data import AEB_GROUND_TRUTH  # noqa: E402

from cleaner import segment, sentences  # noqa: E402

# The placeholder newsclean had before this splitter, for comparison.
_OLD_SENTENCE_END = regex.compile(r"(?<=[.!?…][\"'”’»)\]]*)\s+(?=[\"'“‘«(\[]?[\p{Lu}\p{Lt}\p{N}])")


def _old_sentences(text: str) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for match in _OLD_SENTENCE_END.finditer(text):
        if match.start() > cursor:
            spans.append((cursor, match.start()))
        cursor = match.end()
    if len(text) > cursor:
        spans.append((cursor, len(text)))
    return spans


from tests.test_sentences import HARD_CASES, is_separator  # noqa: E402

Span = tuple[int, int]
# (spans, whether every sentence string the library returned equals the text at its offsets)
Result = tuple[list[Span], bool]

AEB = AEB_GROUND_TRUTH


def trim(text: str, start: int, end: int) -> Span | None:
    """(start, end) without surrounding whitespace, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def spans_of(text: str, pairs: list[tuple[int, int, str | None]]) -> Result:
    """Trimmed spans from (start, end, the library's own string) triples, and whether every string matched."""
    exact = True
    spans: list[Span] = []
    for start, end, own in pairs:
        if own is not None and text[start:end].strip() != own.strip():
            exact = False
        span = trim(text, start, end)
        if span is not None:
            spans.append(span)
    return spans, exact


def make_splitters() -> dict[str, Callable[[str], Result]]:
    """Each candidate as text -> (spans, exact)."""
    import blingfire
    import pysbd
    import sentencex
    from syntok import segmenter

    sbd = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def old_regex(text: str) -> Result:
        return spans_of(text, [(s, e, None) for s, e in _old_sentences(text)])

    def units(text: str) -> Result:  # what the pipeline uses: the splitter plus separator and dateline rules
        return spans_of(text, [(s, e, None) for s, e in segment.sentences(text)])

    def run_sentencex(text: str) -> Result:
        found = sentencex.get_sentence_boundaries("en", text)
        return spans_of(text, [(b["start_index"], b["end_index"], b["text"]) for b in found])

    def run_syntok(text: str) -> Result:
        pairs: list[tuple[int, int, str | None]] = []
        exact = True
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                for token in sentence:
                    if text[token.offset : token.offset + len(token.value)] != token.value:
                        exact = False
                start = sentence[0].offset
                last = sentence[-1]
                pairs.append((start, last.offset + len(last.value), None))
        spans, _ = spans_of(text, pairs)
        return spans, exact

    def run_pysbd(text: str) -> Result:
        return spans_of(text, [(s.start, s.end, s.sent) for s in sbd.segment(text)])

    def run_blingfire(text: str) -> Result:
        joined, offsets = blingfire.text_to_sentences_and_offsets(text)
        lines = joined.split("\n") if joined else []
        if len(lines) != len(offsets):
            return spans_of(text, [(s, e, None) for s, e in offsets])[0], False
        return spans_of(text, [(s, e, line) for (s, e), line in zip(offsets, lines, strict=True)])

    def run_newsclean(text: str) -> Result:
        return sentences.split(text), True

    return {
        "old regex": old_regex,
        "units": units,
        "sentencex": run_sentencex,
        "syntok": run_syntok,
        "pysbd": run_pysbd,
        "blingfire": run_blingfire,
        "newsclean": run_newsclean,
    }


def load(path: Path) -> list[tuple[str, set[int]]]:
    """(flattened body, offsets where a paragraph starts, the first excepted) for every non-empty body."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    docs = []
    for key in sorted(truth):
        paragraphs = [p.strip() for p in re.split(r"\n+", truth[key].get("articleBody") or "") if p.strip()]
        if not paragraphs:
            continue
        starts: set[int] = set()
        position = 0
        for i, paragraph in enumerate(paragraphs):
            if i:
                starts.add(position)
            position += len(paragraph) + 1
        docs.append((" ".join(paragraphs), starts))
    return docs


def covers(text: str, spans: list[Span]) -> bool:
    """Spans in order, not overlapping, covering every non-space character."""
    cursor = 0
    for start, end in spans:
        if start < cursor or end <= start or text[cursor:start].strip():
            return False
        cursor = end
    return not text[cursor:].strip()


NON_FINAL = frozenset(
    "Mr Mrs Ms Dr Prof Gov Sen Rep Gen Col Lt Sgt Capt Adm Maj Rev St Mt Ft "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec No Nos vs".split()
)
CLOSERS = "\"'”’»)]"


def suspect(text: str, cut: int) -> str | None:
    """Why a split point inside a paragraph looks wrong, or None."""
    left = text[:cut].rstrip()
    right = text[cut:].lstrip("\"'“‘«([ ")
    if not left or not right:
        return None
    glued = not text[cut - 1].isspace() and not text[cut].isspace()
    if glued and left[-1] not in CLOSERS and left[-1] not in "。！？":
        return "inside a token"
    token = left.rsplit(None, 1)[-1].lstrip(CLOSERS + "“‘«(")
    if token.endswith("."):
        word = token[:-1]
        if word in NON_FINAL:
            return "after title/month/No."
        if len(word) == 1 and word.isupper():
            return "after an initial"
        if re.fullmatch(r"(?:[^\W\d_]\.)+[^\W\d_]", word) and word not in ("a.m", "p.m"):
            return "after a dotted acronym"
    if right[0].islower():
        return "before lower case"
    if right[0].isdigit():
        return "before a digit"
    return None


def deletion_stable(split: Callable[[str], Result], text: str, spans: list[Span], per_doc: int) -> tuple[int, int]:
    """(stable, tried) over up to `per_doc` evenly spread unit deletions: the unit goes with the whitespace after it
    (before it, for the last unit); the other units must come back exactly, shifted."""
    candidates = [i for i, (s, e) in enumerate(spans) if not is_separator(text[s:e])]
    if len(spans) < 2 or not candidates:
        return 0, 0
    step = max(1, len(candidates) // per_doc)
    stable = tried = 0
    for i in candidates[::step][:per_doc]:
        rest, expected = sentences.without_unit(text, spans, i)
        tried += 1
        stable += split(rest)[0] == expected
    return stable, tried


def hard_score(split: Callable[[str], Result]) -> tuple[int, list[str]]:
    """Hard cases split exactly as expected, and the failures as 'input -> got'."""
    passed = 0
    failures = []
    for text, expected in HARD_CASES:
        got = [text[s:e] for s, e in split(text)[0]]
        if got == expected:
            passed += 1
        else:
            failures.append(f"{text!r} -> {got}")
    return passed, failures


def timed(split: Callable[[str], Result], texts: list[str], repeat: int) -> float:
    """Best wall time of `repeat` passes, one call per text."""
    best = float("inf")
    gc.collect()
    gc.disable()  # the libraries' caches must not make another candidate pay for collections
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for text in texts:
                split(text)
            best = min(best, time.perf_counter() - t0)
    finally:
        gc.enable()
    return best


def floor_time(texts: list[str], repeat: int) -> float:
    """The batch benchmark's floor, in memory: parse each record's JSON line, hash every paragraph exactly and
    serialize the record again. The whole cleaner costs about 15 times this (bench_batch.py)."""
    lines = [orjson.dumps({"text": text}) for text in texts]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for line in lines:
            record = orjson.loads(line)
            for paragraph in record["text"].split("\n"):
                xxhash.xxh3_64_intdigest(paragraph.encode("utf-8"))
            orjson.dumps(record)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=AEB)
    parser.add_argument("--repeat", type=int, default=7, help="timed passes (one for pysbd and syntok)")
    parser.add_argument("--samples", type=int, default=4, help="suspect splits and hard-case failures shown")
    parser.add_argument("--deletions", type=int, default=10, help="unit deletions tried per body")
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"bench_splitters: no AEB ground truth at {args.data} (pass --data)")
    docs = load(args.data)
    texts = [text for text, _ in docs]
    chars = sum(len(t) for t in texts)
    boundaries = sum(len(b) for _, b in docs)
    floor = floor_time(texts, args.repeat)
    print(
        f"{len(docs)} flattened bodies, {chars:,} characters, {boundaries} paragraph boundaries; "
        f"floor (JSON parse, xxh3, JSON write) {chars / floor / 1e6:.0f} MB/s\n"
    )
    header = (
        f"{'splitter':<10} {'recall':>7} {'inner':>6} {'suspect':>7} {'hard':>6} {'MB/s':>7} {'x floor':>8} "
        f"{'stable':>7} {'covers':>7} {'exact':>6} {'determ.':>7}"
    )
    print(header)
    print("-" * len(header))
    details = []
    for name, split in make_splitters().items():
        found = hit = inner = exact_docs = covering = 0
        suspects: Counter[str] = Counter()
        examples: list[str] = []
        stable = tried = 0
        deterministic = True
        for text, starts in docs:
            spans, exact = split(text)
            deterministic &= split(text)[0] == spans
            exact_docs += exact
            covering += covers(text, spans)
            cuts = {s for s, _ in spans[1:]}
            found += len(cuts)
            hit += len(cuts & starts)
            for cut in sorted(cuts - starts):
                inner += 1
                why = suspect(text, cut)
                if why:
                    suspects[why] += 1
                    if len(examples) < args.samples:
                        examples.append(f"{why}: ...{text[max(0, cut - 40) : cut]!s}|{text[cut : cut + 30]!s}...")
            s, t = deletion_stable(split, text, spans, args.deletions)
            stable += s
            tried += t
        passed, failures = hard_score(split)
        repeat = 1 if name in ("pysbd", "syntok") else args.repeat
        floor = floor_time(texts, args.repeat)  # again, right before: the machine's load changes
        seconds = timed(split, texts, repeat)
        print(
            f"{name:<10} {hit / boundaries:>7.1%} {inner:>6} {sum(suspects.values()):>7} "
            f"{passed:>3}/{len(HARD_CASES):<2} {chars / seconds / 1e6:>7.2f} {seconds / floor:>8.2f} "
            f"{stable / max(tried, 1):>7.1%} {covering / len(docs):>7.1%} {exact_docs / len(docs):>6.0%} "
            f"{'yes' if deterministic else 'NO':>7}"
        )
        details.append((name, suspects, examples, failures))
    for name, suspects, examples, failures in details:
        print(f"\n{name}: suspect splits {dict(suspects.most_common())}")
        for line in examples:
            print(f"  {line}")
        print(f"  hard cases failed: {len(failures)}")
        for line in failures[: args.samples]:
            print(f"    {line}")


if __name__ == "__main__":
    main()
