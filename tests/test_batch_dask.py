"""`newsclean clean --engine dask`: outputs, ledger and rejects byte-identical to `--engine local` for every input
and output format; byte-range partitions; resume at partition granularity; failures as one line with exit 3.

Most tests share one module-scoped LocalCluster of two thread workers (it starts in about a second, and monkeypatches
reach its workers); the tests marked slow start real worker processes through the command line. Every wait is
bounded: a watchdog ends the test process with a traceback if a test hangs.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from cleaner.batch import STATE_SUFFIX, BatchConfig, run_batch
from cleaner.batch import partitions as parts
from cleaner.errors import ConfigError, RunCancelled, RunInterrupted
from cleaner.io.base import ReadOptions
from cleaner.io.records import read_jsonl
from cleaner.io.sources import iter_sources
from tests.test_batch import make_corpus

ROOT = Path(__file__).resolve().parents[1]
CLI = "from cleaner.cli import main; main()"


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """A Dask test that hangs (a lost worker, a wait without end) dumps its threads and ends pytest."""
    faulthandler.dump_traceback_later(180, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    import logging

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=logging.ERROR
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close(timeout=20)


def run(inputs: list[Path], output: Path, **options: Any) -> Any:
    config = BatchConfig(inputs=[str(p) for p in inputs], output=str(output), **options)
    return run_batch(config, note=lambda message: None)


def files(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` (its name relative to it -> its bytes)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def both(
    tmp_path: Path,
    scheduler: str,
    inputs: list[Path],
    out_name: str,
    ledger: bool = True,
    dask: dict[str, Any] | None = None,
    **options: Any,
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Run local and dask into two directories (each with its ledger and rejects): their files."""
    found = []
    for engine in ("local", "dask"):
        where = tmp_path / engine
        where.mkdir(parents=True)
        extra: dict[str, Any] = {"engine": engine, "scheduler": scheduler, **(dask or {})} if engine == "dask" else {}
        if ledger:
            extra["ledger"] = str(where / "ledger.jsonl")
        run(inputs, where / out_name, **options, **extra)
        found.append(files(where))
    assert found[0], "the local run wrote nothing"
    return found[0], found[1]


def mixed_jsonl(path: Path, docs: int = 120) -> Path:
    """Records with repeats and rule hits, a byte-order mark, blank lines, a malformed line, a non-object and a
    record without text, and no final newline."""
    make_corpus(path, docs)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    lines.insert(5, b"\n")
    lines.insert(9, b"   \n")
    lines.insert(17, b"{not json\n")
    lines.insert(30, b"[1, 2]\n")
    lines.insert(44, b'{"id": "no-text"}\n')
    path.write_bytes(b"".join(lines).rstrip(b"\n"))
    return path


# ---------------------------------------------------------------------------------------------------------------
# Byte-identical to --engine local.


def test_jsonl_in_byte_ranges_gives_the_local_outputs_ledger_and_rejects(tmp_path: Path, scheduler: str) -> None:
    corpus = mixed_jsonl(tmp_path / "in" / "corpus.jsonl")
    local, dask = both(tmp_path, scheduler, [corpus], "out.jsonl", partition_bytes=1500, commit_every=7)
    assert {"out.jsonl", "ledger.jsonl", "out.rejects.jsonl"} <= set(local)
    assert dask == local
    assert not (tmp_path / "dask" / ("out.jsonl" + STATE_SUFFIX)).exists()
    assert not (tmp_path / "dask" / "out.jsonl.newsclean-dask").exists()  # partition results are cleaned up


def test_compressed_outputs_keep_the_local_commit_frames(tmp_path: Path, scheduler: str) -> None:
    """A compressed output is one frame per commit: the driver commits where a local run does, across ranges."""
    import zstandard

    corpus = mixed_jsonl(tmp_path / "in" / "corpus.jsonl")
    local, dask = both(tmp_path, scheduler, [corpus], "out.jsonl.gz", partition_bytes=2000, commit_every=5)
    assert dask == local
    zst = tmp_path / "in" / "corpus.jsonl.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(corpus.read_bytes()))
    local, dask = both(tmp_path / "zst", scheduler, [zst], "out.jsonl.zst", partition_bytes=2000, commit_every=9)
    assert dask == local and "out.jsonl.zst" in dask


def test_a_text_tree_with_other_formats_is_mirrored_identically(tmp_path: Path, scheduler: str) -> None:
    tree = tmp_path / "in" / "site"
    paragraphs = (ROOT / "seeds").glob("*.txt")
    for n, seed in enumerate(sorted(paragraphs)):
        for copy in range(4):
            target = tree / f"d{copy % 2}" / f"{n}-{copy}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(seed.read_text() + ("\n" + seed.read_text() if copy % 2 else ""))
    (tree / "d0" / "bad.txt").write_bytes(b"\xff\xfe not utf-8 \x00\x00\x00\x00\x00")
    (tree / "notes.csv").write_text("a,b\n")
    make_corpus(tree / "records.jsonl", 40)
    local, dask = both(tmp_path, scheduler, [tree], "out/", partition_bytes=3000)
    assert any(name.endswith(".txt") for name in dask) and "out/records.jsonl" in dask
    assert dask == local


def test_parquet_and_several_inputs_into_a_directory(tmp_path: Path, scheduler: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = make_corpus(tmp_path / "in" / "a.jsonl", 90)
    records = [json.loads(line) for line in corpus.read_text().splitlines()]
    table = pa.table({"n": pa.array(range(90), pa.int32()), "text": [r["text"] for r in records]})
    pq.write_table(table, tmp_path / "in" / "b.parquet")
    inputs = [corpus, tmp_path / "in" / "b.parquet", make_corpus(tmp_path / "in" / "c.jsonl", 30)]
    local, dask = both(tmp_path, scheduler, inputs, "out/", partition_bytes=4000, commit_every=20)
    assert {"out/a.jsonl", "out/b.parquet", "out/c.jsonl"} <= set(dask)
    assert dask == local


def test_comments_keep_reaches_the_partitions(tmp_path: Path, scheduler: str) -> None:
    """`--comments keep` travels in each partition's cleaner options: Dask extracts the comments as local does."""
    page = (ROOT / "fixtures" / "html" / "comments.html").read_text(encoding="utf-8")
    pages = tmp_path / "in" / "pages"
    pages.mkdir(parents=True)
    for n in range(6):
        (pages / f"p{n}.html").write_text(page.replace("Finally!", f"Reader {n}: finally!"), encoding="utf-8")
    local, dask = both(tmp_path, scheduler, [pages], "out.jsonl", partition_bytes=2000, comments="keep")
    assert dask == local
    texts = [json.loads(line)["text"] for line in local["out.jsonl"].splitlines()]
    assert len(texts) == 6 and all("Reader" in text and "\nReply\n" not in text for text in texts)
    ledger = [json.loads(line) for line in dask["ledger.jsonl"].splitlines()]
    assert all(entry["extraction"]["options"]["include_comments"] is True for entry in ledger)
    assert {r["rule"] for entry in ledger for r in entry["removed"]} >= {"_comments/comment-actions"}


def test_storage_may_be_an_fsspec_url(tmp_path: Path, scheduler: str) -> None:
    """memory:// is shared by the thread workers of this cluster; s3:// and the like work the same way."""
    pytest.importorskip("fsspec")
    corpus = mixed_jsonl(tmp_path / "in" / "corpus.jsonl", 60)
    local, dask = both(
        tmp_path,
        scheduler,
        [corpus],
        "out.jsonl",
        partition_bytes=2500,
        dask={"storage": "memory://newsclean-test/run"},
    )
    assert dask == local


# ---------------------------------------------------------------------------------------------------------------
# Byte ranges.


def test_byte_ranges_read_every_record_once_with_its_line_number(tmp_path: Path) -> None:
    corpus = mixed_jsonl(tmp_path / "corpus.jsonl", 12)
    whole = [(item.origin.to_json(), getattr(item, "text", None)) for item in read_jsonl(corpus, "c", ReadOptions())]
    sources = list(iter_sources([str(corpus)]))
    for budget in (1, 2, 3, 50, 333, 1000, corpus.stat().st_size - 1, corpus.stat().st_size):
        planned = parts.plan_partitions(sources, budget)
        counts = {
            p.index: parts.count_line_starts(str(corpus), p.pieces[0].start, p.pieces[0].end)  # type: ignore[arg-type]
            for p in planned
            if p.pieces[0].start is not None
        }
        planned = parts.number_lines(planned, counts)
        read = []
        for partition in planned:
            for piece in partition.pieces:
                source = parts.Source(corpus, "jsonl", "c")
                read += [
                    (i.origin.to_json(), getattr(i, "text", None))
                    for i in parts.read_piece(source, piece, ReadOptions())
                ]
        assert read == whole, budget
        assert [p.pieces[0].first for p in planned].count(True) == 1
        assert [p.pieces[-1].last for p in planned].count(True) == 1


def test_only_plain_json_lines_files_are_split_and_small_files_are_grouped(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.jsonl.gz"):
        (tmp_path / name).write_bytes(b"x" * 100)
    make_corpus(tmp_path / "d.jsonl", 20)
    sources = list(iter_sources([str(tmp_path)]))
    planned = parts.plan_partitions(sources, 250)
    kinds = [[(sources[p.source_index].path.name, p.start is not None) for p in q.pieces] for q in planned]  # type: ignore[union-attr]
    assert kinds[0] == [("a.txt", False), ("b.txt", False)]
    assert kinds[1] == [("c.jsonl.gz", False)]
    assert all(k == [("d.jsonl", True)] for k in kinds[2:]) and len(kinds) > 3


# ---------------------------------------------------------------------------------------------------------------
# Resume, failures.


def test_an_interrupted_driver_resumes_without_redoing_finished_partitions(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleaner.batch import distributed as run_module

    corpus = mixed_jsonl(tmp_path / "in" / "corpus.jsonl", 240)
    run([corpus], tmp_path / "local.jsonl", ledger=str(tmp_path / "local.ledger.jsonl"), commit_every=10)
    options: dict[str, Any] = {
        "engine": "dask",
        "scheduler": scheduler,
        "partition_bytes": 3000,
        "commit_every": 10,
        "ledger": str(tmp_path / "ledger.jsonl"),
    }
    applied = [0]
    original = run_module.Run.apply

    def apply(self: Any, result: Any, where: Any) -> None:
        applied[0] += 1
        if applied[0] == 95:
            raise KeyboardInterrupt
        original(self, result, where)

    monkeypatch.setattr(run_module.Run, "apply", apply)
    with pytest.raises(RunCancelled, match="--resume"):
        run([corpus], tmp_path / "out.jsonl", **options)
    monkeypatch.setattr(run_module.Run, "apply", original)
    storage = parts.Storage(str(tmp_path / "out.jsonl.newsclean-dask"))
    manifest = orjson.loads(storage.read_bytes("manifest.json") or b"{}")
    total = len(manifest["partitions"])
    finished = {int(n[1:7]) for n in storage.names() if n.endswith(".done.json")}
    assert finished and total > len(finished)
    submitted: list[int] = []
    submit = run_module._Cluster.submit

    def spy(self: Any, func: Any, *args: Any) -> Any:
        if func is parts.clean_partition:
            submitted.append(args[0].partition.index)
        return submit(self, func, *args)

    monkeypatch.setattr(run_module._Cluster, "submit", spy)
    run([corpus], tmp_path / "out.jsonl", resume=True, **options)
    assert submitted and not set(submitted) & finished, (submitted, finished)
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "ledger.jsonl").read_bytes() == (tmp_path / "local.ledger.jsonl").read_bytes()


def unreadable_on_workers(monkeypatch: pytest.MonkeyPatch, name: str) -> Any:
    """Make the input named `name` unreadable where the (thread) workers read it; returns the real reader."""
    original = parts.read_piece

    def read_piece(source: Any, piece: Any, options: Any) -> Any:
        if source.display.endswith(name):
            raise PermissionError(13, "Permission denied", str(source.path))
        return original(source, piece, options)

    monkeypatch.setattr(parts, "read_piece", read_piece)
    return original


def test_a_failing_partition_stops_the_run_with_exit_3_and_keeps_what_was_committed(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = [make_corpus(tmp_path / "in" / f"{name}.jsonl", 30) for name in "abcd"]
    run(inputs, tmp_path / "local", commit_every=10)
    original = unreadable_on_workers(monkeypatch, "c.jsonl")
    one_file_each = max(path.stat().st_size for path in inputs)  # a partition per file, none cut into ranges
    options = {"engine": "dask", "scheduler": scheduler, "partition_bytes": one_file_each, "commit_every": 10}
    with pytest.raises(RunInterrupted) as failed:
        run(inputs, tmp_path / "out", **options)
    message = str(failed.value)
    assert failed.value.exit_code == 3 and "\n" not in message
    assert "partition 3 of 4" in message and "c.jsonl" in message and "Permission denied" in message
    assert (tmp_path / "out" / "a.jsonl").exists() and (tmp_path / ("out" + STATE_SUFFIX)).exists()
    monkeypatch.setattr(parts, "read_piece", original)
    run(inputs, tmp_path / "out", resume=True, **options)
    assert files(tmp_path / "out") == files(tmp_path / "local")


def test_an_unreachable_scheduler_is_one_line_and_exit_3(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    corpus = make_corpus(tmp_path / "corpus.jsonl", 5)
    started = time.monotonic()
    with pytest.raises(RunInterrupted) as failed:
        run([corpus], tmp_path / "out.jsonl", engine="dask", scheduler="tcp://127.0.0.1:1", connect_timeout=1.0)
    assert time.monotonic() - started < 30
    assert failed.value.exit_code == 3 and "\n" not in str(failed.value)
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:1'" in str(failed.value)
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.slow
def test_a_worker_process_that_dies_stops_the_run_with_exit_3(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    import logging

    import dask

    class DieOnPartition(distributed.WorkerPlugin):
        """Makes the worker process exit as it starts cleaning a partition, the way a crash in native code or the
        out-of-memory killer ends it: a task's function is looked up by name on the worker, so replacing it there
        reaches the real task. (A local class: cloudpickle sends it by value, the workers need not import tests.)"""

        name = "die-on-partition"

        def setup(self, worker: Any) -> None:
            from cleaner.batch import partitions

            partitions.clean_partition = lambda job: os._exit(1)

    inputs = [make_corpus(tmp_path / "in" / f"{name}.jsonl", 20) for name in "ab"]
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL
        )
    try:
        with distributed.Client(cluster) as client:
            client.register_plugin(DieOnPartition())
        started = time.monotonic()
        with pytest.raises(RunInterrupted) as died:
            run(inputs, tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address)
        assert time.monotonic() - started < 120
    finally:
        cluster.close(timeout=20)
    message = str(died.value)
    assert died.value.exit_code == 3 and "\n" not in message
    assert "Dask workers died while cleaning partition 1 of" in message and "--resume" in message


def test_dead_workers_and_a_lost_scheduler_are_one_line_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    from cleaner.batch.distributed import _Cluster

    class Future:
        def __init__(self, error: BaseException) -> None:
            self.error = error

        def result(self) -> Any:
            raise self.error

    class Engine:
        client = None

    monkeypatch.setattr(distributed, "wait", lambda futures, timeout=None: None)
    cluster = _Cluster(Engine(), 1.0)
    with pytest.raises(RunInterrupted, match="Dask workers died while cleaning partition 2 of 5") as died:
        cluster.result(Future(distributed.KilledWorker("key", "worker", 3)), "partition 2 of 5 (a.jsonl)")
    assert "\n" not in str(died.value) and "--resume" in str(died.value)
    with pytest.raises(RunInterrupted, match="lost the connection to the Dask scheduler"):
        cluster.result(Future(distributed.comm.CommClosedError("gone")), "partition 1 of 5 (a.jsonl)")


def test_what_a_distributed_run_refuses(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus.jsonl", 3)
    with pytest.raises(ConfigError, match="needs -o OUT"):
        run_batch(BatchConfig(inputs=[str(corpus)], engine="dask"))
    with pytest.raises(ConfigError, match="cannot read stdin"):
        run_batch(BatchConfig(inputs=["-"], output=str(tmp_path / "o.txt"), engine="dask"))
    with pytest.raises(ConfigError, match="needs --engine dask"):
        run([corpus], tmp_path / "o.jsonl", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ConfigError, match="local, dask"):
        run([corpus], tmp_path / "o.jsonl", engine="spark")
    assert not list(tmp_path.glob("o.*"))


def test_a_one_document_clean_does_not_import_dask(tmp_path: Path) -> None:
    doc = tmp_path / "one.txt"
    doc.write_text("A short article.\n")
    code = (
        "import sys\nfrom cleaner.cli import main\nsys.argv = ['newsclean', 'clean', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert not {'dask', 'distributed'} & set(sys.modules), 'dask imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(doc)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------------------------------------------
# Real worker processes, through the command line.


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", CLI, "clean", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.mark.slow
def test_cli_local_cluster_of_processes_matches_local(tmp_path: Path) -> None:
    corpus = mixed_jsonl(tmp_path / "corpus.jsonl", 300)
    local = cli(str(corpus), "-o", str(tmp_path / "local.jsonl"), "--ledger", str(tmp_path / "local.ledger"))
    dask = cli(
        str(corpus), "-o", str(tmp_path / "dask.jsonl"), "--ledger", str(tmp_path / "dask.ledger"),
        "--engine", "dask", "--jobs", "2",
    )  # fmt: skip
    assert local.returncode == dask.returncode == 1, dask.stderr  # 1: the malformed lines are rejected
    assert "Traceback" not in dask.stderr
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "dask.ledger").read_bytes() == (tmp_path / "local.ledger").read_bytes()
    assert (tmp_path / "dask.rejects.jsonl").read_bytes() == (tmp_path / "local.rejects.jsonl").read_bytes()


@pytest.mark.slow
def test_cli_unreachable_scheduler_exits_3_without_a_traceback(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus.jsonl", 3)
    done = cli(str(corpus), "-o", str(tmp_path / "out.jsonl"), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1")
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsclean: error: cannot reach the Dask scheduler"), done.stderr


@pytest.mark.slow
def test_cli_killed_driver_resumes_to_identical_outputs(tmp_path: Path) -> None:
    """kill -9 of the driver once some partitions are done; --resume finishes with the outputs of one run."""
    corpus = mixed_jsonl(tmp_path / "corpus.jsonl", 1500)
    cli(str(corpus), "-o", str(tmp_path / "local.jsonl"), "--ledger", str(tmp_path / "local.ledger"))
    args = [
        str(corpus),
        "-o",
        str(tmp_path / "out.jsonl"),
        "--ledger",
        str(tmp_path / "out.ledger"),
        "--engine",
        "dask",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "import cleaner.batch.partitions as p; p.MIN_PARTITION_BYTES = 20_000; " + CLI  # several partitions
    driver = subprocess.Popen(
        [sys.executable, "-c", code, "clean", *args, "--jobs", "2"], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    storage = tmp_path / "out.jsonl.newsclean-dask"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and driver.poll() is None:
        if len(list(storage.glob("*.done.json"))) >= 3:
            break
        time.sleep(0.05)
    killed = driver.poll() is None
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and its LocalCluster
    driver.wait(timeout=30)
    if not killed:
        pytest.skip("the run finished before it could be killed")
    done = cli(*args, "--jobs", "2", "--resume")
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "out.ledger").read_bytes() == (tmp_path / "local.ledger").read_bytes()
