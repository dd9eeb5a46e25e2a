"""A format is one definition and one registration (`cleaner.io.formats`): a toy one, added here, is read and
written by `run_batch` as the built-in ones are, and every command takes the same output names."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cleaner.batch import BatchConfig, run_batch
from cleaner.io.base import InputDoc, ReadItem, ReadOptions
from cleaner.io.formats import (
    InputFormat,
    OutputFormat,
    check_output_name,
    kind_of,
    mirrored_name,
    register,
    unregister,
)
from cleaner.io.writers import AppendPart
from cleaner.record import Document, Origin, Reject


def read_tsv(source: Any, options: ReadOptions) -> Iterator[ReadItem]:
    """The toy format: `id<TAB>text` per line, the text's line breaks written as \\n."""
    for number, line in enumerate(source.path.read_text(encoding="utf-8").splitlines(), 1):
        origin = Origin(file=source.display, line=number)
        doc_id, tab, text = line.partition("\t")
        if not tab:
            yield Reject(origin, "no tab: a line must be id<TAB>text")
            continue
        yield InputDoc(origin=origin, text=text.replace("\\n", "\n"), id=doc_id)


TSV = InputFormat("tsv", (".tsv",), read_tsv, output="jsonl")


@pytest.fixture
def tsv() -> Iterator[InputFormat]:
    register(TSV)
    yield TSV
    unregister(TSV)


def _write_tsv(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "First paragraph of the story.\\nA second paragraph with more words in it.\\nLeave a review"
    path.write_text(f"a1\t{body}\nbroken line\na2\tAnother story entirely.\n", encoding="utf-8")


def test_a_toy_input_format_is_read_and_written_by_run_batch(tmp_path: Path, tsv: InputFormat) -> None:
    _write_tsv(tmp_path / "in" / "stories.tsv")
    assert kind_of("x/stories.TSV") == "tsv"
    assert mirrored_name("stories.tsv", "tsv") == "stories.jsonl"
    out = tmp_path / "out.jsonl"
    summary = run_batch(
        BatchConfig(inputs=[str(tmp_path / "in" / "stories.tsv")], output=str(out), ledger=str(tmp_path / "l.jsonl")),
        note=lambda m: None,
    )
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a1", "a2"]
    assert records[0]["text"].startswith("First paragraph of the story.\n")
    assert (summary.docs_in, summary.docs_out, summary.rejected) == (3, 2, 1)
    rejects = [json.loads(line) for line in (tmp_path / "out.rejects.jsonl").read_text().splitlines()]
    assert rejects[0]["reason"] == "no tab: a line must be id<TAB>text"
    # in a tree, its outputs get the output format's name
    run_batch(BatchConfig(inputs=[str(tmp_path / "in")], output=str(tmp_path / "tree")), note=lambda m: None)
    assert (tmp_path / "tree" / "stories.jsonl").read_bytes() == out.read_bytes()


def test_without_its_registration_the_toy_format_is_refused(tmp_path: Path) -> None:
    from cleaner.errors import InputError

    _write_tsv(tmp_path / "stories.tsv")
    with pytest.raises(InputError, match=r"unsupported file type; supported endings: \.txt, \.jsonl"):
        run_batch(BatchConfig(inputs=[str(tmp_path / "stories.tsv")], output=str(tmp_path / "o.jsonl")))


def test_a_toy_output_format_gets_its_writer_and_its_names(tmp_path: Path) -> None:
    def encode(item: InputDoc, out: Document, text_field: str) -> bytes:
        return f"{out.id}\t{(out.text or '').replace(chr(10), chr(92) + 'n')}\n".encode()

    def writer(final: Path, source: Any, options: ReadOptions, committed: int) -> AppendPart:
        return AppendPart(final, committed)

    tsv_out = OutputFormat("tsv", (".tsv",), encode, writer)
    tsv_in = InputFormat("tsv", (".tsv",), read_tsv, output="tsv")
    register(tsv_out)
    register(tsv_in)
    try:
        _write_tsv(tmp_path / "stories.tsv")
        assert check_output_name(tmp_path / "x.jsonl", "tsv") is not None
        run_batch(BatchConfig(inputs=[str(tmp_path / "stories.tsv")], output=str(tmp_path / "clean.tsv")))
        lines = (tmp_path / "clean.tsv").read_text().splitlines()
        assert [line.split("\t")[0] for line in lines] == ["a1", "a2"]
        assert lines[1] == "a2\tAnother story entirely.\\n"
    finally:
        unregister(tsv_in)
        unregister(tsv_out)


def test_a_format_ending_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match=r"\.jsonl already read as jsonl"):
        register(InputFormat("other", (".jsonl",), read_tsv, output="jsonl"))


@pytest.mark.parametrize("ending", [".ndjson", ".jsonl.gz", ".ndjson.zst"])
def test_clean_and_dedup_take_the_same_json_lines_names(tmp_path: Path, ending: str) -> None:
    """`clean -o x.ndjson` worked while `dedup -o x.ndjson` exited 2: both read the registry now."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": f"Story number {i} here.\n"}) + "\n" for i in range(3)))
    for command in ("clean", "dedup"):
        out = tmp_path / f"{command}{ending}"
        done = subprocess.run(
            [sys.executable, "-c", "from cleaner.cli import main; main()", command, str(corpus), "-o", str(out)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (command, done.stderr)
        assert out.exists()
