"""newsclean dedup: planted near-duplicates of real articles, exact duplicates, keep policy, CLI outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from cleaner.corpus.dedup import DedupOptions, find_duplicates
from cleaner.errors import ConfigError
from cleaner.io.base import InputDoc
from cleaner.record import Origin
from tests.test_learn_corpus import ROOT, SEEDS

GOLDEN = ROOT / "fixtures" / "corpus" / "dedup"
UPDATE = os.environ.get("NEWSCLEAN_UPDATE_GOLDEN") == "1"


def planted_corpus() -> list[dict[str, str]]:
    """The two seed articles, each republished with edits, plus unrelated articles and exact copies."""
    a, b = (path.read_text(encoding="utf-8") for path in SEEDS)
    a_lines = a.splitlines()
    records = [
        {"id": "a", "text": a},
        {"id": "b", "text": b},
        {"id": "a-wire", "text": "\n".join(a_lines[:-1]).replace("Monday", "Tuesday") + "\nSource: wire\n"},
        {"id": "b-short", "text": "\n".join(b.splitlines()[:-3])},
        {"id": "a-copy", "text": a},
        {"id": "a-part", "text": "\n".join(a_lines[:6])},  # the first paragraphs alone are not a duplicate
        {"id": "dash-1", "text": "-"},
        {"id": "dash-2", "text": "-"},  # exact duplicates without any word shingle still cluster
        {"id": "b-flat", "text": " ".join(b.split())},  # the same text flattened onto one line
    ]
    return records


def _docs(records: list[dict[str, str]]) -> list[InputDoc]:
    return [InputDoc(Origin("p.jsonl", line=i + 1), text=r["text"], id=r["id"]) for i, r in enumerate(records)]


def test_clusters_match_golden() -> None:
    result = find_duplicates(_docs(planted_corpus()), DedupOptions())
    actual = "".join(orjson.dumps(r).decode() + "\n" for r in result.cluster_records())  # as the CLI writes
    if UPDATE:
        (GOLDEN / "clusters.jsonl").write_text(actual, encoding="utf-8")
    assert actual == (GOLDEN / "clusters.jsonl").read_text(encoding="utf-8")


def test_planted_pairs_cluster_and_others_do_not() -> None:
    result = find_duplicates(_docs(planted_corpus()), DedupOptions())
    groups = [{result.ids[m] for m in c.members} for c in result.clusters]
    assert {"a", "a-wire", "a-copy"} in groups
    assert {"b", "b-short", "b-flat"} in groups
    assert {"dash-1", "dash-2"} in groups
    assert all("a-part" not in g for g in groups)
    assert result.dropped() == {2, 3, 4, 7, 8}


def test_keep_longest_and_similarity_to_kept() -> None:
    result = find_duplicates(_docs(planted_corpus()), DedupOptions(keep="longest"))
    b_cluster = next(c for c in result.clusters if result.ids[c.members[0]] == "b")
    assert result.ids[b_cluster.kept] in {"b", "b-flat"}  # same length after normalization; earliest wins
    assert result.ids[b_cluster.kept] == "b"
    assert b_cluster.similarity[b_cluster.kept] == 1.0
    assert all(0.8 <= s <= 1.0 for s in b_cluster.similarity.values())


def test_result_does_not_depend_on_partition_size() -> None:
    docs = _docs(planted_corpus())
    one = list(find_duplicates(docs, DedupOptions(partition_docs=1)).cluster_records())
    many = list(find_duplicates(docs, DedupOptions(partition_docs=100)).cluster_records())
    assert one == many


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="threshold"):
        DedupOptions(threshold=1.5)
    with pytest.raises(ConfigError, match="first, longest"):
        DedupOptions(keep="shortest")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cleaner.cli import main; main()", "dedup", *args], capture_output=True, text=True
    )


def test_cli_writes_clusters_and_kept_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "in.jsonl"
    records = planted_corpus()
    corpus.write_text("".join(json.dumps({**r, "lang": "en"}) + "\n" for r in records), encoding="utf-8")
    run = _cli(str(corpus), "-o", str(tmp_path / "out.jsonl"), "--clusters", str(tmp_path / "c.jsonl"), "-j", "1")
    assert run.returncode == 0, run.stderr
    kept = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in kept] == ["a", "b", "a-part", "dash-1"]
    assert kept[0] == {"id": "a", "text": records[0]["text"], "lang": "en"}  # text and other fields as given
    clusters = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()]
    golden = [json.loads(line) for line in (GOLDEN / "clusters.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(c.pop("input")["file"] == str(corpus) for c in clusters)
    assert clusters == [{k: v for k, v in g.items() if k != "input"} for g in golden]


def test_cli_prints_clusters_without_outputs_and_rejects_bad_names(tmp_path: Path) -> None:
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in planted_corpus()), encoding="utf-8")
    run = _cli(str(corpus), "-j", "1")
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 8
    bad = _cli(str(corpus), "-o", str(tmp_path / "out.txt"))
    assert bad.returncode == 2 and ".jsonl" in bad.stderr
    assert not (tmp_path / "out.txt").exists()
    engine = _cli(str(corpus), "--scheduler", "tcp://127.0.0.1:1")
    assert engine.returncode == 2 and "--engine dask" in engine.stderr


def test_output_keeps_records_unchanged_with_renamed_fields(tmp_path: Path) -> None:
    body = (ROOT / "seeds" / "000_4110ac0129b996c5.txt").read_text(encoding="utf-8")
    records = [
        {"doc": "a", "lang": "en", "body": body},
        {"doc": "b", "lang": "en", "body": body + "\nOne more line at the end of the copy."},
        {"doc": "c", "lang": "az", "body": "Something else entirely, with other words in it."},
    ]
    corpus = tmp_path / "in.jsonl"
    corpus.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    out = tmp_path / "out.jsonl"
    code = (
        "from cleaner.cli import main; main()",
        "dedup", str(corpus), "-o", str(out), "--text-field", "body", "--id-field", "doc", "--jobs", "1",
    )  # fmt: skip
    done = subprocess.run([sys.executable, "-c", *code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in out.read_text().splitlines()] == [records[0], records[2]]


# --- found by review ----------------------------------------------------------------------------------------


def test_outputs_never_go_over_an_input_each_other_or_a_directory(tmp_path: Path) -> None:
    corpus = tmp_path / "in.jsonl"
    original = "".join(json.dumps(r) + "\n" for r in planted_corpus())
    corpus.write_text(original, encoding="utf-8")
    (tmp_path / "adir.jsonl").mkdir()
    (tmp_path / "afile").write_text("x")
    for args, says in [
        (["--clusters", str(corpus)], "over or inside an input"),
        (["-o", str(corpus)], "over or inside an input"),
        (["-o", str(tmp_path / "same.jsonl"), "--clusters", str(tmp_path / "same.jsonl")], "would both be written"),
        (["-o", str(tmp_path / "adir.jsonl")], "is a directory"),
        (["-o", str(tmp_path / "afile" / "kept.jsonl")], "is a file, not a directory"),
        (["-o", str(tmp_path / "x.jsonl"), "--engine", "dask", "--scheduler", "notaurl"], "cannot reach the Dask"),
    ]:
        run = _cli(str(corpus), "-j", "1", *args)
        assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr, (args, run.stderr)
    assert corpus.read_text(encoding="utf-8") == original
    assert not (tmp_path / "same.jsonl").exists()


def test_a_clean_rerun_removes_the_stale_rejects_file_and_outputs_are_readable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "A paragraph of text."}\n{"id": "b"}\n', encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "a", "text": "A paragraph of text."}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _cli(str(bad), "-o", str(out), "-j", "1").returncode == 1
    assert (tmp_path / "out.rejects.jsonl").exists()
    assert _cli(str(good), "-o", str(out), "-j", "1").returncode == 0
    assert not (tmp_path / "out.rejects.jsonl").exists()
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # like any file the user creates, not 0600


def test_json_lines_on_stdin(tmp_path: Path) -> None:
    lines = "".join(json.dumps(r) + "\n" for r in planted_corpus())
    run = subprocess.run(
        [sys.executable, "-c", "from cleaner.cli import main; main()", "dedup", "-", "--stdin-format", "jsonl", "-j",
         "1"],
        input=lines, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "8 documents" in run.stderr
