"""Property: whatever JSON Lines a run is given (good records, duplicate ids, text in the wrong type, missing
fields, malformed lines, NUL-laden text, blank lines), every non-blank input line ends up exactly once in the
output (its ledger line names it) or in the rejects file, in input order; and `--jobs 2` writes the same bytes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.batch import BatchConfig, run_batch

WORDS = st.sampled_from(["The", "minister", "said", "on", "Monday", "that", "talks", "Leave a review", "-", "Politics"])
TEXT = st.lists(st.lists(WORDS, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=6).map("\n".join)


def _line(kind: str, text: str, doc_id: str) -> str:
    if kind == "good":
        return json.dumps({"id": doc_id, "text": text, "extra": [1, {"a": None}]})
    if kind == "no id":
        return json.dumps({"text": text})
    if kind == "number":
        return json.dumps({"id": doc_id, "text": 12})
    if kind == "no text":
        return json.dumps({"id": doc_id, "body": text})
    if kind == "null text":
        return json.dumps({"id": doc_id, "text": None})
    if kind == "array":
        return json.dumps([text])
    if kind == "malformed":
        return '{"id": "' + doc_id + '", "text": '
    if kind == "nul":
        return json.dumps({"id": doc_id, "text": text + "\x00\x00"})
    return "   "  # blank: skipped, not a document


KINDS = st.sampled_from(
    ["good", "good", "good", "no id", "number", "no text", "null text", "array", "malformed", "nul", "blank"]
)
RECORDS = st.lists(st.tuples(KINDS, TEXT, st.sampled_from(["a", "b", "c", "d"])), min_size=1, max_size=12)


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS)
def test_every_input_line_is_in_the_output_or_the_rejects(records: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "in.jsonl"
        lines = [_line(*record) for record in records]
        corpus.write_text("".join(line + "\n" for line in lines))
        expected = [n for n, line in enumerate(lines, 1) if line.strip()]
        outputs = {}
        for jobs in (1, 2):
            out = root / f"out{jobs}"
            summary = run_batch(
                BatchConfig(inputs=[str(corpus)], output=str(out / "c.jsonl"), ledger=str(out / "l.jsonl"), jobs=jobs),
                note=lambda m: None,
            )
            ledger, rejects = _read(out / "l.jsonl"), _read(out / "c.rejects.jsonl")
            cleaned = [entry["input"]["line"] for entry in ledger]
            rejected = [entry["input"]["line"] for entry in rejects]
            assert sorted(cleaned + rejected) == expected
            assert cleaned == sorted(cleaned) and rejected == sorted(rejected)
            assert len(_read(out / "c.jsonl")) == len(cleaned) == summary.docs_out
            assert summary.rejected == len(rejected) and summary.docs_in == len(expected)
            ids = [entry["id"] for entry in ledger if entry["id"] in "abcd"]
            assert summary.duplicate_ids == len(ids) - len(set(ids))
            outputs[jobs] = {p.name: p.read_bytes() for p in out.iterdir()}
        assert outputs[1] == outputs[2]
