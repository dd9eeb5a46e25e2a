"""`clean --engine dask --parts`: workers write part files into OUT and the driver a manifest. The parts in order
hold what `--engine local` writes (byte for byte for JSON Lines), ledger and rejects too; an unfinished run is
resumed without redoing finished parts; what cannot work is refused before anything is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from cleaner.batch import distributed as distributed_module
from cleaner.batch import part_files
from cleaner.batch import partitions as parts
from cleaner.errors import ConfigError, RunInterrupted
from tests.test_batch import make_corpus
from tests.test_batch_dask import (  # noqa: F401 - scheduler, watchdog: fixtures
    mixed_jsonl,
    run,
    scheduler,
    unreadable_on_workers,
    watchdog,
)

ROOT = Path(__file__).resolve().parents[1]


def run_parts(inputs: list[Path], output: Path, scheduler: str, **options: Any) -> Any:  # noqa: F811
    return run(inputs, output, engine="dask", scheduler=scheduler, parts=True, **options)


def manifest(output: Path) -> dict[str, Any]:
    return orjson.loads((output / "_manifest.json").read_bytes())  # type: ignore[no-any-return]


def joined(directory: Path, names: list[str | None]) -> bytes:
    return b"".join((directory / name).read_bytes() for name in names if name)


def test_json_lines_parts_hold_the_local_output_ledger_and_rejects(tmp_path: Path, scheduler: str) -> None:  # noqa: F811
    inputs = [mixed_jsonl(tmp_path / "in" / "a.jsonl", 150), make_corpus(tmp_path / "in" / "b.jsonl", 60)]
    run(inputs, tmp_path / "local.jsonl", ledger=str(tmp_path / "local.ledger.jsonl"))
    out, ledger = tmp_path / "parts", tmp_path / "ledger"
    summary = run_parts(inputs, out, scheduler, ledger=str(ledger), partition_bytes=5000)
    found = manifest(out)
    entries = found["parts"]
    assert len(entries) > 3 and [e["index"] for e in entries] == list(range(len(entries)))
    assert any("bytes" in e["inputs"][0] for e in entries), "no byte-range partition: the test tests too little"
    assert joined(out, [e["file"] for e in entries]) == (tmp_path / "local.jsonl").read_bytes()
    assert joined(ledger, [e["ledger"] for e in entries]) == (tmp_path / "local.ledger.jsonl").read_bytes()
    assert joined(out, [e["rejects"] for e in entries]) == (tmp_path / "local.rejects.jsonl").read_bytes()
    assert sum(e["documents"] for e in entries) == found["documents"] == summary.docs_out
    assert found["rejected"] == summary.rejected == 3 and summary.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["_manifest.json"] + [e["file"] for e in entries] + [e["rejects"] for e in entries if e["rejects"]]
    ), "the run's state directory or temporary files were left in OUT"


def test_compressed_inputs_give_zstd_parts(tmp_path: Path, scheduler: str) -> None:  # noqa: F811
    import zstandard

    plain = make_corpus(tmp_path / "in" / "a.jsonl", 80)
    zst = tmp_path / "in" / "a.jsonl.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))
    plain.unlink()
    run([zst], tmp_path / "local.jsonl")
    out = tmp_path / "parts"
    run_parts([zst], out, scheduler)
    names = [e["file"] for e in manifest(out)["parts"]]
    assert names == ["part-00000.jsonl.zst"]
    reader = zstandard.ZstdDecompressor().stream_reader(joined(out, list(names)), read_across_frames=True)
    assert reader.read() == (tmp_path / "local.jsonl").read_bytes()


def test_parquet_inputs_give_parquet_parts(tmp_path: Path, scheduler: str) -> None:  # noqa: F811
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    inputs = []
    (tmp_path / "in").mkdir()
    for name, docs in (("a", 40), ("b", 25)):
        rows = [orjson.loads(line) for line in make_corpus(tmp_path / f"{name}.jsonl", docs).read_bytes().splitlines()]
        path = tmp_path / "in" / f"{name}.parquet"
        table = [{"id": r["id"], "text": r["text"], "lang": r["lang"], "i": r["meta"]["i"]} for r in rows]
        table[1]["text"] = None  # a record without text is rejected: into the part's rejects file
        pq.write_table(pa.Table.from_pylist(table), path)
        inputs.append(path)
    run(inputs, tmp_path / "local/")
    out = tmp_path / "parts"
    run_parts(inputs, out, scheduler, partition_bytes=1)
    entries = manifest(out)["parts"]
    assert manifest(out)["format"] == "parquet" and len(entries) == 2
    assert [e["rejected"] for e in entries] == [1, 1] and all((out / e["rejects"]).exists() for e in entries)
    tables = [pq.read_table(out / e["file"]) for e in entries]
    local = [pq.read_table(tmp_path / "local" / f"{name}.parquet") for name in "ab"]
    assert pa.concat_tables(tables).to_pylist() == pa.concat_tables(local).to_pylist()
    # OUT reads as a dataset of its parts: the manifest, rejects and state are names dataset readers skip
    import pyarrow.dataset as ds

    assert ds.dataset(out, format="parquet").to_table().to_pylist() == pa.concat_tables(local).to_pylist()

    # Inputs whose schemas differ cannot share a part: refused before anything is written
    other = tmp_path / "in2" / "c.parquet"
    other.parent.mkdir()
    pq.write_table(pa.Table.from_pylist([{"id": "c", "text": "Some text here.", "extra": 1}]), other)
    with pytest.raises(ConfigError, match=r"one Parquet schema, but .*c\.parquet has columns or types other than"):
        run_parts([inputs[0], other], tmp_path / "mixed", scheduler)
    assert not (tmp_path / "mixed").exists()


def test_an_unfinished_run_resumes_without_redoing_finished_parts(
    tmp_path: Path,
    scheduler: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inputs = [make_corpus(tmp_path / "in" / f"{name}.jsonl", 30) for name in "abcd"]
    run(inputs, tmp_path / "local.jsonl")
    one_file_each = max(path.stat().st_size for path in inputs)
    original = unreadable_on_workers(monkeypatch, "c.jsonl")
    out = tmp_path / "parts"
    with pytest.raises(RunInterrupted) as failed:
        run_parts(inputs, out, scheduler, partition_bytes=one_file_each)
    assert failed.value.exit_code == 3 and "partition 3 of 4" in str(failed.value)
    assert "Permission denied" in str(failed.value) and "--resume" in str(failed.value)
    assert not (out / "_manifest.json").exists()
    finished = {int(p.name[5:10]) for p in out.glob("part-*.jsonl")}
    assert 2 not in finished and finished
    with pytest.raises(ConfigError, match="holds an unfinished --parts run"):
        run_parts(inputs, out, scheduler, partition_bytes=one_file_each)

    monkeypatch.setattr(parts, "read_piece", original)
    submitted: list[int] = []
    submit = distributed_module._Cluster.submit

    def spy(self: Any, func: Any, *args: Any) -> Any:
        if func is part_files.write_parts:
            submitted.append(args[0].job.partition.index)
        return submit(self, func, *args)

    monkeypatch.setattr(distributed_module._Cluster, "submit", spy)
    summary = run_parts(inputs, out, scheduler, partition_bytes=one_file_each, resume=True)
    assert submitted and not set(submitted) & finished, (submitted, finished)
    entries = manifest(out)["parts"]
    assert joined(out, [e["file"] for e in entries]) == (tmp_path / "local.jsonl").read_bytes()
    assert summary.docs_out == 120
    submitted.clear()
    again = run_parts(inputs, out, scheduler, partition_bytes=one_file_each, resume=True)  # finished: nothing to do
    assert not submitted and again.docs_out == 120 and again.docs_this_run == 0
    with pytest.raises(ConfigError, match="holds a finished run with other inputs, options"):
        run_parts(inputs, out, scheduler, partition_bytes=one_file_each, resume=True, threshold=0.5)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(RunInterrupted, match="cannot reach the Dask scheduler"):  # nothing deleted before that
        run(inputs, out, engine="dask", parts=True, restart=True, scheduler="tcp://127.0.0.1:1", connect_timeout=1.0)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    run_parts(inputs, out, scheduler, partition_bytes=one_file_each, restart=True)
    assert joined(out, [e["file"] for e in manifest(out)["parts"]]) == (tmp_path / "local.jsonl").read_bytes()


def test_a_part_overwritten_during_the_run_is_cleaned_again(
    tmp_path: Path,
    scheduler: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A task of an earlier, killed run that finishes late writes over a part of this run: the sizes its worker
    recorded no longer match, so the part is cleaned again before the manifest lists it; a writer that keeps at
    it ends the run (exit 3) with the part named, and no manifest."""
    inputs = [make_corpus(tmp_path / "in" / f"{name}.jsonl", 30) for name in "abc"]
    run(inputs, tmp_path / "local.jsonl")
    one_file_each = max(path.stat().st_size for path in inputs)
    out = tmp_path / "parts"
    submitted: list[int] = []
    submit, result = distributed_module._Cluster.submit, distributed_module._Cluster.result
    overwrites = {"left": 1}

    def spy_submit(self: Any, func: Any, *args: Any) -> Any:
        if func is part_files.write_parts:
            submitted.append(args[0].job.partition.index)
        return submit(self, func, *args)

    def late_writer(self: Any, future: Any, what: str) -> Any:
        entry = result(self, future, what)
        if overwrites["left"] and (out / "part-00000.jsonl").exists():
            overwrites["left"] -= 1
            (out / "part-00000.jsonl").write_bytes(b'{"text": "an earlier run\'s record"}\n')
        return entry

    monkeypatch.setattr(distributed_module._Cluster, "submit", spy_submit)
    monkeypatch.setattr(distributed_module._Cluster, "result", late_writer)
    run_parts(inputs, out, scheduler, partition_bytes=one_file_each)
    assert sorted(submitted) == [0, 0, 1, 2], submitted
    entries = manifest(out)["parts"]
    assert joined(out, [e["file"] for e in entries]) == (tmp_path / "local.jsonl").read_bytes()
    assert [e["sizes"]["file"] for e in entries] == [(out / e["file"]).stat().st_size for e in entries]

    overwrites["left"] = 10**6
    with pytest.raises(RunInterrupted, match=r"part-00000\.jsonl changed again .* --resume"):
        run_parts(inputs, out, scheduler, partition_bytes=one_file_each, restart=True)
    assert not (out / "_manifest.json").exists()


def test_markers_and_temporaries_of_other_runs_are_not_taken(tmp_path: Path, scheduler: str) -> None:  # noqa: F811
    corpus = make_corpus(tmp_path / "in" / "a.jsonl", 40)
    run([corpus], tmp_path / "local.jsonl")
    out = tmp_path / "parts"
    run_parts([corpus], out, scheduler)
    # a state left by a run that never wrote its plan: a marker of another run and a worker's half-written part
    (out / "_manifest.json").unlink()
    (out / ".newsclean-parts").mkdir()
    marker = {"index": 0, "file": "part-00000.jsonl", "ledger": None, "rejects": None, "fingerprint": "other"}
    (out / ".newsclean-parts" / "p000000.json").write_bytes(orjson.dumps(marker))
    (out / ".newsclean-parts" / "plan.json").write_bytes(orjson.dumps({"fingerprint": "x", "partitions": []}))
    with pytest.raises(ConfigError, match="had other inputs"):
        run_parts([corpus], out, scheduler, resume=True)
    (out / ".newsclean-parts" / "plan.json").unlink()
    (out / ".part-00000.jsonl.123.456.tmp").write_bytes(b"half a record")
    run_parts([corpus], out, scheduler, restart=True)
    assert sorted(p.name for p in out.iterdir()) == ["_manifest.json", "part-00000.jsonl"]
    assert (out / "part-00000.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


def test_what_parts_refuses(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    corpus = make_corpus(tmp_path / "in" / "a.jsonl", 3)
    table = tmp_path / "in" / "b.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "x", "text": "Some text."}]), table)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("not newsclean's")
    (tmp_path / "plain").write_text("a file without a format ending")
    cases = [
        ({"output": tmp_path / "o"}, [corpus], "needs --engine dask"),
        ({"output": tmp_path / "full", "engine": "dask"}, [corpus], "holds files"),
        ({"output": tmp_path / "o", "engine": "dask"}, [corpus, table], "not Parquet like the other inputs"),
        ({"output": tmp_path / "o", "engine": "dask", "rejects": str(tmp_path / "r.jsonl")}, [corpus], "--rejects"),
        ({"output": tmp_path / "plain", "engine": "dask"}, [corpus], "is a file"),
        ({"output": tmp_path / "in" / "sub", "engine": "dask"}, [tmp_path / "in"], "overlaps input"),
        (
            {"output": tmp_path / "o", "engine": "dask", "ledger": str(tmp_path / "in" / "l")},
            [tmp_path / "in"],
            "--ledger .* overlaps input",
        ),
        ({"output": tmp_path / "o", "engine": "dask", "ledger": str(tmp_path / "o" / "l")}, [corpus], "overlap"),
        ({"output": tmp_path / "o.jsonl", "engine": "dask"}, [corpus], "names a file, but --parts writes a directory"),
        ({"output": tmp_path / "o", "engine": "dask", "storage": str(tmp_path / "s")}, [corpus], "--storage"),
    ]
    for options, inputs, message in cases:
        output = options.pop("output")
        with pytest.raises(ConfigError, match=message):
            run(inputs, output, parts=True, scheduler="tcp://127.0.0.1:1", connect_timeout=1.0, **options)
    assert not (tmp_path / "o").exists() and sorted(p.name for p in (tmp_path / "full").iterdir()) == ["mine.txt"]
    with pytest.raises(ConfigError, match="files this tool did not write"):
        run([corpus], tmp_path / "full", parts=True, engine="dask", restart=True, scheduler="tcp://127.0.0.1:1")
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["mine.txt"]
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "part-00000.jsonl").write_text("{}\n")
    for resume in (False, True):  # --resume into a new OUT is a new run: the same check
        with pytest.raises(ConfigError, match="holds ledger parts of another run"):
            run([corpus], tmp_path / "o", parts=True, engine="dask", ledger=str(tmp_path / "ledger"), resume=resume)


@pytest.mark.slow
def test_cli_parts_on_a_local_cluster_of_processes(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    inputs = [make_corpus(tmp_path / "in" / f"{name}.jsonl", 50) for name in "ab"]
    cli = [sys.executable, "-c", "from cleaner.cli import main; main()", "clean", *map(str, inputs)]
    subprocess.run([*cli, "-o", str(tmp_path / "local.jsonl"), "-q"], check=True, cwd=ROOT, timeout=120)
    done = subprocess.run(
        [*cli, "-o", str(tmp_path / "parts"), "--engine", "dask", "--jobs", "2", "--parts"],
        cwd=ROOT,
        timeout=180,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "documents: 100 in, 100 cleaned, 0 rejected" in done.stderr and "Traceback" not in done.stderr
    entries = manifest(tmp_path / "parts")["parts"]
    assert joined(tmp_path / "parts", [e["file"] for e in entries]) == (tmp_path / "local.jsonl").read_bytes()
