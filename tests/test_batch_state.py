"""The resume fingerprint is derived from the run's own option objects: every field of BatchConfig (and of the
ReadOptions in it) is in it unless marked as free to change between a kill and its --resume."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from cleaner.batch import BatchConfig, plan_run
from cleaner.batch.state import fingerprint, options_fields
from cleaner.io import ReadOptions
from tests.test_batch import make_corpus

# Fields that may change between a killed run and its --resume: they do not change what is written.
# Where the cleaning runs changes no output, so a run killed on one engine resumes on another.
FREE = {"jobs", "resume", "restart", "progress"} | {
    "engine", "scheduler", "storage", "partition_bytes", "connect_timeout", "no_workers_timeout", "dask_processes"
}


def _changes(tmp_path: Path) -> dict[str, Any]:
    """Another value for every field of BatchConfig (a new field makes this test fail until it is listed)."""
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / "x.com.toml").write_text('[site]\ndomains = ["x.com"]\n')
    return {
        "inputs": [str(make_corpus(tmp_path / "other.jsonl", docs=2))],
        "output": str(tmp_path / "elsewhere.jsonl"),
        "ledger": str(tmp_path / "ledger.jsonl"),
        "rejects": str(tmp_path / "rejects.jsonl"),
        "rules": [str(tmp_path / "rules")],
        "jobs": 2,
        "threshold": 0.7,
        "rule_timeout": 1.5,
        "resume": True,
        "restart": True,
        "read": ReadOptions(text_field="body"),
        "progress": True,
        "commit_every": 7,
        "bundled_rules": False,
        "title_field": "headline",
        "title_in_text": "drop",
        "max_doc_chars": 1000,
        "comments": "keep",
        "report": str(tmp_path / "review.html"),
        "engine": "dask",
        "scheduler": "tcp://127.0.0.1:8786",
        "storage": str(tmp_path / "storage"),
        "partition_bytes": 1 << 20,
        "connect_timeout": 5.0,
        "no_workers_timeout": 30.0,
        "dask_processes": False,
        "parts": True,
    }


def test_every_option_is_in_the_fingerprint_unless_marked_free(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=2)
    base = BatchConfig(inputs=[str(corpus)], output=str(tmp_path / "out.jsonl"))
    before = fingerprint(plan_run(base))
    changes = _changes(tmp_path)
    assert set(changes) == {field.name for field in dataclasses.fields(BatchConfig)}
    for name, value in changes.items():
        reference, first = base, before
        if name == "parts":  # --parts runs on Dask only, into a directory; the engine itself is free
            reference = dataclasses.replace(base, engine="dask", output=str(tmp_path / "parts-out") + "/")
            first = fingerprint(plan_run(reference))
        changed = dataclasses.replace(reference, **{name: value})
        after = fingerprint(plan_run(changed))
        assert (after == first) == (name in FREE), name


def test_read_options_are_hashed_field_by_field() -> None:
    assert options_fields(ReadOptions(defer_json=True)) == options_fields(ReadOptions())  # set by --jobs alone
    names = [name for name, _ in options_fields(ReadOptions())]
    assert names == ["text_field", "id_field", "url_field", "html_field", "stdin_format"]
    assert options_fields(ReadOptions(html_field="page")) != options_fields(ReadOptions())


def test_equal_options_given_as_tuple_or_list_give_one_fingerprint(tmp_path: Path) -> None:
    corpus = str(make_corpus(tmp_path / "c.jsonl", docs=2))
    as_list = BatchConfig(inputs=[corpus], output=str(tmp_path / "o.jsonl"))
    as_tuple = BatchConfig(inputs=(corpus,), output=str(tmp_path / "o.jsonl"))
    assert fingerprint(plan_run(as_list)) == fingerprint(plan_run(as_tuple))
