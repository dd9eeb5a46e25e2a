"""datatrove: JsonlReader -> NewscleanStep -> JsonlWriter on LocalPipelineExecutor for real, against the CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytest.importorskip("datatrove")

from datatrove.data import Document as DatatroveDocument
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter, ParquetWriter

from cleaner import Cleaner
from cleaner.integrations.datatrove import REJECT_KEY, WARNINGS_KEY, NewscleanStep
from tests.test_integrations_common import cli_clean, scraped_corpus

LONG = "The parliament met on Monday to discuss the budget for the coming year."
REPEATED = f"{LONG}\nShare this article\n{LONG}\n"


def read_jsonl_dir(directory: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.read_text().splitlines()]


def step_stats(logging_dir: Path) -> dict:
    """The merged stats datatrove writes for the run, of the newsclean step."""
    steps = json.loads((logging_dir / "stats.json").read_text())
    (step,) = [s for s in steps if s["name"] == f"{NewscleanStep.type}: {NewscleanStep.name}"]
    return {key: value["total"] if isinstance(value, dict) else value for key, value in step["stats"].items()}


def test_local_executor_with_two_workers_gives_the_cli_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two tasks in two worker processes (the step is pickled to them); texts, removals and rejects as the CLI's,
    and datatrove's stats count the removals by stage and by rule."""
    corpus = scraped_corpus(tmp_path / "corpus.jsonl", docs=300)
    cli = cli_clean(corpus, tmp_path, capsys, monkeypatch)
    lines = corpus.read_bytes().splitlines(keepends=True)
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.jsonl").write_bytes(b"".join(lines[:150]))
    (source / "b.jsonl").write_bytes(b"".join(lines[150:]))
    logging_dir = tmp_path / "logs"
    executor = LocalPipelineExecutor(
        [
            JsonlReader(str(source)),
            NewscleanStep(exclusion_writer=JsonlWriter(str(tmp_path / "rejects"), compression=None)),
            JsonlWriter(str(tmp_path / "out"), compression=None),
        ],
        tasks=2,
        workers=2,
        logging_dir=str(logging_dir),
    )
    executor.run()
    out = read_jsonl_dir(tmp_path / "out")
    assert {r["id"]: r["text"] for r in out} == cli.texts
    assert {r["id"]: r["metadata"]["newsclean_removed"] for r in out} == cli.removed
    assert {r["id"]: r["metadata"][WARNINGS_KEY] for r in out if r["metadata"][WARNINGS_KEY]} == cli.warnings
    assert all(r["metadata"]["url"].startswith("https://") for r in out)  # the other fields pass through
    # datatrove's reader skips records whose text is null or empty before any step; the rest are rejected as the
    # CLI rejects them, and written to the exclusion writer with the reason
    rejects = read_jsonl_dir(tmp_path / "rejects")
    assert {r["id"]: r["metadata"][REJECT_KEY] for r in rejects} == {"bad-blank": cli.rejects["bad-blank"]}
    stats = step_stats(logging_dir)
    removals = [removal for removed in cli.removed.values() for removal in removed]
    expected = Counter(f"removals_{r['stage']}" for r in removals)
    expected.update(f"removals_{r['stage']}:{r['rule']}" for r in removals if r["rule"] is not None)
    assert {key: value for key, value in stats.items() if key.startswith("removals_")} == dict(expected)
    assert expected["removals_neardup"] > 50 and expected["removals_rule"] > 50
    assert stats["removals"] == len(removals)
    assert stats["warnings"] == sum(map(len, cli.warnings.values())) > 0
    assert (stats["total"], stats["forwarded"], stats["rejected"], stats["dropped"]) == (301, 300, 1, 1)


def docs(*texts: object) -> list[DatatroveDocument]:
    return [DatatroveDocument(text=t, id=f"d{i}", metadata={"url": "https://turan.az/x"}) for i, t in enumerate(texts)]


def test_step_cleans_in_order_and_keeps_rejects_when_asked() -> None:
    step = NewscleanStep(Cleaner(), metadata_key="ledger", as_json=True, keep_rejects=True, batch_size=2)
    out = list(step.run(iter(docs(REPEATED, None, LONG, 5, "   "))))
    assert [d.id for d in out] == ["d0", "d1", "d2", "d3", "d4"]
    assert [d.text for d in out] == [f"{LONG}\n", None, f"{LONG}\n", 5, "   "]
    assert [r["stage"] for r in json.loads(out[0].metadata["ledger"])] == ["rule", "neardup"]
    assert [d.metadata[REJECT_KEY] for d in out] == [
        "",
        "field 'text' is null, expected a string",
        "",
        "field 'text' is number, expected a string",
        "empty text (nothing left after normalization)",
    ]
    assert [d.metadata["ledger"] for d in out[1:]] == ["[]"] * 4 and {d.metadata[WARNINGS_KEY] for d in out} == {"[]"}
    assert step.stats["rejected"].total == 3 and step.stats["forwarded"].total == 5


def test_step_drops_rejects_by_default() -> None:
    step = NewscleanStep()
    out = list(step.run(iter(docs(None, REPEATED))))
    assert [d.id for d in out] == ["d1"]
    assert out[0].metadata["newsclean_removed"] == [r.to_json() for r in Cleaner().clean(REPEATED).removals]
    assert step.stats["dropped"].total == 1
    assert list(step.run(None)) == []  # as the first step of a pipeline: nothing to clean


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(TypeError, match=r"cleaner must be a cleaner\.Cleaner"):
        NewscleanStep("rules/")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        NewscleanStep(batch_size=0)
    with pytest.raises(ValueError, match="metadata_key 'url' must differ"):
        NewscleanStep(metadata_key="url")


def test_parquet_writer_takes_the_json_form(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    """`as_json=True` keeps one schema for every document, so datatrove's ParquetWriter writes them all."""
    corpus = scraped_corpus(tmp_path / "in" / "corpus.jsonl", docs=80)
    cli = cli_clean(corpus, tmp_path, capsys, monkeypatch)
    LocalPipelineExecutor(
        [JsonlReader(str(tmp_path / "in")), NewscleanStep(as_json=True), ParquetWriter(str(tmp_path / "out"))],
        logging_dir=str(tmp_path / "logs"),
    ).run()
    table = pq.read_table(tmp_path / "out").to_pylist()
    assert {r["id"]: r["text"] for r in table} == cli.texts
    assert {r["id"]: json.loads(r["metadata"]["newsclean_removed"]) for r in table} == cli.removed
