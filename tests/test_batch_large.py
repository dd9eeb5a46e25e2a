"""A single 50 MB document goes through a corpus run intact (no size limit, no truncation)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from cleaner.batch import BatchConfig, run_batch
from tests.helpers import SEEDS


@pytest.mark.slow
def test_a_50_mb_document_is_cleaned(tmp_path: Path) -> None:
    words = sorted({word for seed in SEEDS.glob("*.txt") for word in seed.read_text().split()})
    pick = random.Random(4).choices
    # Distinct random paragraphs with one doubled block in the middle.
    body = [" ".join(pick(words, k=30)) for _ in range(250_000)]
    body[140_000:140_000] = body[1000:1010]
    text = "\n".join(body) + "\n"
    assert len(text.encode()) > 50_000_000
    (tmp_path / "big.jsonl").write_text(json.dumps({"id": "big", "text": text}) + '\n{"text": "small"}\n')
    config = BatchConfig(inputs=[str(tmp_path / "big.jsonl")], output=str(tmp_path / "out.jsonl"), bundled_rules=False)
    summary = run_batch(config, note=lambda message: None)
    assert (summary.docs_in, summary.docs_out, summary.rejected) == (2, 2, 0)
    first, second = (tmp_path / "out.jsonl").read_text().splitlines()
    cleaned = json.loads(first)["text"]
    assert cleaned == "\n".join(body[:140_000] + body[140_010:]) + "\n"
    assert json.loads(second)["text"] == "small\n"
