"""Hugging Face datasets: `ds.map(cleaner.clean_batch, batched=True, num_proc=2)` for real, against the CLI."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

datasets = pytest.importorskip("datasets")

from cleaner import Cleaner  # noqa: E402
from cleaner.errors import ConfigError  # noqa: E402
from tests.test_integrations_common import BAD_RECORDS, cli_clean, scraped_corpus  # noqa: E402

LONG = "The parliament met on Monday to discuss the budget for the coming year."
REPEATED = f"{LONG}\nShare this article\n{LONG}\n"


def test_map_with_two_processes_gives_the_cli_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same records, same texts and ledger as `newsclean clean`; rejected rows keep their text and say why."""
    corpus = scraped_corpus(tmp_path / "corpus.jsonl", docs=300)
    cli = cli_clean(corpus, tmp_path, capsys, monkeypatch)
    ds = datasets.load_dataset("json", data_files=str(corpus), split="train", cache_dir=str(tmp_path / "cache"))
    cleaned = ds.map(Cleaner().clean_batch, batched=True, batch_size=64, num_proc=2, fn_kwargs={"id_column": "id"})
    assert cleaned.num_rows == ds.num_rows == 303
    assert cleaned.column_names == [*ds.column_names, "removals", "reject"]
    assert cleaned.features["removals"] == cleaned.features["reject"] == datasets.Value("string")
    kept = cleaned.filter(lambda row: not row["reject"])
    assert dict(zip(kept["id"], kept["text"], strict=True)) == cli.texts
    assert list(kept["id"]) == list(cli.texts)  # in input order
    assert {i: json.loads(r) for i, r in zip(kept["id"], kept["removals"], strict=True)} == cli.removed
    rejected = cleaned.filter(lambda row: bool(row["reject"]))
    assert dict(zip(rejected["id"], rejected["reject"], strict=True)) == cli.rejects
    by_id = {r["id"]: r for r in BAD_RECORDS}
    assert [row["text"] for row in rejected] == [by_id[i]["text"] for i in rejected["id"]]  # unchanged
    assert set(rejected["removals"]) == {"[]"}
    assert cleaned["crawl"] == ds["crawl"] and cleaned["url"] == ds["url"]  # other columns pass through
    again = ds.map(Cleaner().clean_batch, batched=True, batch_size=64, num_proc=2, fn_kwargs={"id_column": "id"})
    assert again.cache_files == cleaned.cache_files  # a fresh Cleaner hashes the same: datasets' cache is used


def test_rows_that_cannot_be_cleaned_do_not_stop_the_batch() -> None:
    """A bad text is a reject with the CLI's reason; a URL that is not a string is no URL, as in the CLI."""
    batch = {
        "text": [REPEATED, None, 5, "", REPEATED],
        "url": [None, None, None, None, 7],
        "lang": ["en"] * 5,
    }
    out = Cleaner().clean_batch(batch)
    assert out["text"] == [f"{LONG}\n", None, 5, "", f"{LONG}\n"]
    assert out["reject"] == [
        "",
        "field 'text' is null, expected a string",
        "field 'text' is number, expected a string",
        "empty text (nothing left after normalization)",
        "",
    ]
    assert [len(json.loads(r)) for r in out["removals"]] == [2, 0, 0, 0, 2]
    assert out["lang"] == batch["lang"]
    assert batch["text"][0] == REPEATED  # the caller's batch is not modified


def test_columns_are_renamed_or_dropped() -> None:
    batch = {"body": [REPEATED], "link": ["https://turan.az/news/1"], "key": [17]}
    cleaner = Cleaner()
    out = cleaner.clean_batch(
        batch, text_column="body", url_column="link", id_column="key", removals_column="ledger", reject_column=None
    )
    assert sorted(out) == ["body", "key", "ledger", "link"]
    assert [r["stage"] for r in json.loads(out["ledger"][0])] == ["rule", "neardup"]
    assert sorted(cleaner.clean_batch(batch, text_column="body", removals_column=None)) == [
        "body",
        "key",
        "link",
        "reject",
    ]


def test_removals_are_the_ledger_form() -> None:
    """Each row's removals, parsed, are what the ledger's `removed` holds for the same text."""
    cleaner = Cleaner()
    out = cleaner.clean_batch({"text": [REPEATED]})
    assert json.loads(out["removals"][0]) == [r.to_json() for r in cleaner.clean(REPEATED).removals]


def test_bad_column_names_are_clear_errors() -> None:
    cleaner = Cleaner()
    with pytest.raises(
        ConfigError, match=r"text_column 'body' is not a column of the batch; its columns are \['text'\]"
    ):
        cleaner.clean_batch({"text": ["a"]}, text_column="body")
    with pytest.raises(ConfigError, match="id_column 'key'"):
        cleaner.clean_batch({"text": ["a"]}, id_column="key")
    with pytest.raises(ConfigError, match="must be different names"):
        cleaner.clean_batch({"text": ["a"]}, removals_column="text")
    with pytest.raises(ConfigError, match="differ in length"):
        cleaner.clean_batch({"text": ["a", "b"], "url": [None]})
    with pytest.raises(TypeError, match=r"for one row use cleaner\.clean"):
        cleaner.clean_batch(["a"])  # type: ignore[arg-type]


def test_batch_size_does_not_matter() -> None:
    texts = [REPEATED, f"Politics\n{LONG}\n", LONG, f"{LONG}\n{LONG}"] * 5
    cleaner = Cleaner()
    whole = cleaner.clean_batch({"text": texts})
    parts = [cleaner.clean_batch({"text": texts[i : i + 3]}) for i in range(0, len(texts), 3)]
    for column in ("text", "removals", "reject"):
        assert whole[column] == [value for part in parts for value in part[column]]


def test_clean_batch_pickles_and_fingerprints() -> None:
    """num_proc sends the bound method to worker processes, and datasets' cache keys on its hash."""
    cleaner = Cleaner()
    method = pickle.loads(pickle.dumps(cleaner.clean_batch))
    assert method({"text": [REPEATED]}) == cleaner.clean_batch({"text": [REPEATED]})
    from datasets.fingerprint import Hasher

    assert Hasher.hash(Cleaner().clean_batch) == Hasher.hash(Cleaner().clean_batch)
