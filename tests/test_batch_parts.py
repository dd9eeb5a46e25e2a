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

from cleaner.batch import BatchConfig, part_files, run_batch
from cleaner.batch import distributed as distributed_module
from cleaner.batch import partitions as parts
from cleaner.errors import ConfigError, RunInterrupted
from tests.test_batch import make_corpus
from tests.test_batch_dask import mixed_jsonl, scheduler, unreadable_on_workers, watchdog  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[1]


def run(inputs: list[Path], output: Path, **options: Any) -> Any:
    config = BatchConfig(inputs=[str(p) for p in inputs], output=str(output), **options)
    return run_batch(config, note=lambda message: None)


def run_parts(inputs: list[Path], output: Path, scheduler: str, **options: Any) -> Any:  # noqa: F811
    return run(inputs, output, engine="dask", scheduler=scheduler, parts=True, **options)


def manifest(output: Path) -> dict[str, Any]:
    return orjson.loads((output / "manifest.json").read_bytes())  # type: ignore[no-any-return]


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
        ["manifest.json"] + [e["file"] for e in entries] + [e["rejects"] for e in entries if e["rejects"]]
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
        pq.write_table(pa.Table.from_pylist([{"id": r["id"], "text": r["text"]} for r in rows]), path)
        inputs.append(path)
    run(inputs, tmp_path / "local/")
    out = tmp_path / "parts"
    run_parts(inputs, out, scheduler, partition_bytes=1)
    entries = manifest(out)["parts"]
    assert manifest(out)["format"] == "parquet" and len(entries) == 2
    tables = [pq.read_table(out / e["file"]) for e in entries]
    local = [pq.read_table(tmp_path / "local" / f"{name}.parquet") for name in "ab"]
    assert pa.concat_tables(tables).to_pylist() == pa.concat_tables(local).to_pylist()


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
    assert not (out / "manifest.json").exists()
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
    run_parts(inputs, out, scheduler, partition_bytes=one_file_each, resume=True)  # finished: nothing to do
    assert not submitted
    run_parts(inputs, out, scheduler, partition_bytes=one_file_each, restart=True)
    assert joined(out, [e["file"] for e in manifest(out)["parts"]]) == (tmp_path / "local.jsonl").read_bytes()


def test_what_parts_refuses(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    corpus = make_corpus(tmp_path / "in" / "a.jsonl", 3)
    table = tmp_path / "in" / "b.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "x", "text": "Some text."}]), table)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("not newsclean's")
    cases = [
        ({"output": tmp_path / "o"}, [corpus], "needs --engine dask"),
        ({"output": tmp_path / "full", "engine": "dask"}, [corpus], "holds files"),
        ({"output": tmp_path / "o", "engine": "dask"}, [corpus, table], "not Parquet like the other inputs"),
        ({"output": tmp_path / "o", "engine": "dask", "rejects": str(tmp_path / "r.jsonl")}, [corpus], "--rejects"),
        ({"output": corpus, "engine": "dask"}, [corpus], "is a file"),
        ({"output": tmp_path / "in" / "sub", "engine": "dask"}, [tmp_path / "in"], "overlaps input"),
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
    with pytest.raises(ConfigError, match="holds ledger parts of another run"):
        run([corpus], tmp_path / "o", parts=True, engine="dask", ledger=str(tmp_path / "ledger"), scheduler="x")


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
