"""Documents with more long paragraphs than the all-pairs limit take the LSH banding path; it must find the same
repeated blocks."""

from __future__ import annotations

import random

import pytest

from cleaner import neardup
from cleaner.pipeline import Cleaner

WORDS = "minister parliament budget talks Baku Gaza ceasefire report court election oil gas price market".split()


def long_document(paragraphs: int, seed: int = 3) -> str:
    rng = random.Random(seed)
    body = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))) + f" ({i})." for i in range(paragraphs)]
    copy = body[100:130]
    edited = [p.replace("minister", "ministry", 1) for p in body[200:210]]
    return "\n".join(body + copy + ["A comment in between, kept because it is not a copy of anything."] + edited)


def test_banding_path_finds_what_all_pairs_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    text = long_document(400)
    cleaner = Cleaner(rules=[])
    banded = cleaner.clean(text)
    assert len(neardup.live_units(banded)[0]) > neardup._ALL_PAIRS_LIMIT
    monkeypatch.setattr(neardup, "_ALL_PAIRS_LIMIT", 10_000)
    all_pairs = cleaner.clean(text)
    assert [r.to_json() for r in banded.removals] == [r.to_json() for r in all_pairs.removals]
    assert banded.removals[0].reason.startswith("repeats paragraphs 101-130")
    assert len(banded.removals) >= 2  # and (some of) the edited copies of paragraphs 201-210
