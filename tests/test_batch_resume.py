"""kill -9 at any moment, then --resume: byte-identical outputs, no document missing or duplicated.

A subprocess runs the batch with one write step patched to end the process (os._exit, like kill -9: no
cleanup, no flush) at its n-th call; the test then resumes in-process and compares with an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.batch import STATE_SUFFIX, BatchConfig, run_batch
from tests.test_batch import make_corpus

CRASH = r"""
import os, sys, json, types
import cleaner.batch as batch
import cleaner.batch.sinks as sinks
import cleaner.batch.state as state
import cleaner.io.writers as writers
from cleaner.io import ReadOptions

point, when = sys.argv[1], int(sys.argv[2])
config = batch.BatchConfig(**json.loads(sys.argv[3]))
calls = [0]

def hit():
    calls[0] += 1
    if calls[0] == when:
        os._exit(137)

if point == "append":  # die with half of a commit's bytes appended to a part file
    original = writers.AppendPart.commit
    def commit(self):
        calls[0] += 1
        if calls[0] == when:
            data = b"".join(self._buffer)
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            os._exit(137)
        return original(self)
    writers.AppendPart.commit = commit
elif point == "state":  # die just before the state file (the one written with sync) is replaced
    original_state = state.write_atomic
    state.write_atomic = lambda path, data, sync=False: (sync and hit(), original_state(path, data, sync))
elif point == "rename":  # die after the state is written, before or between the renames it implies
    state.os = types.SimpleNamespace(replace=lambda a, b: (hit(), os.replace(a, b)))
elif point == "remove":  # die after a Parquet output is renamed into place, before its part directory is gone
    import shutil
    state.shutil = types.SimpleNamespace(rmtree=lambda path, **kw: (hit(), shutil.rmtree(path, **kw)))
elif point == "tree":  # die between two mirrored text files
    original_write = sinks.write_atomic
    sinks.write_atomic = lambda path, data, sync=False: (sync or hit(), original_write(path, data, sync))
batch.run_batch(config, note=lambda message: None)
sys.exit(0)
"""


def _inputs(tmp_path: Path) -> list[str]:
    a = make_corpus(tmp_path / "in" / "a.jsonl", docs=90)
    b = make_corpus(tmp_path / "in" / "b.jsonl", docs=70)
    (tmp_path / "in" / "b.jsonl.gz").write_bytes(__import__("gzip").compress(b.read_bytes()))
    b.unlink()
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [json.loads(line) for line in a.read_text().splitlines()[:30]]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in" / "c.parquet")
    tree = tmp_path / "in" / "tree"
    for i, line in enumerate(a.read_text().splitlines()[:12]):
        (tree / f"s{i % 3}").mkdir(parents=True, exist_ok=True)
        (tree / f"s{i % 3}" / f"{i:02d}.txt").write_text(json.loads(line)["text"])
    (tree / "bad.txt").write_bytes(b"\xff\xfe\xfa not utf-8")
    return [str(a), str(tmp_path / "in" / "b.jsonl.gz"), str(tmp_path / "in" / "c.parquet"), str(tree)]


def _config(inputs: list[str], out: Path, **extra: object) -> dict[str, object]:
    return {
        "inputs": inputs,
        "output": str(out / "clean"),
        "ledger": str(out / "ledger.jsonl"),
        "commit_every": 16,
        "bundled_rules": False,
        **extra,
    }


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, bytes]]:
    tmp = tmp_path_factory.mktemp("resume")
    inputs = _inputs(tmp)
    out = tmp / "ref"
    summary = run_batch(BatchConfig(**_config(inputs, out)), note=lambda m: None)  # type: ignore[arg-type]
    assert summary.docs_in == 90 + 70 + 30 + 13 and summary.rejected == 1
    return inputs, _snapshot(out)


@pytest.mark.parametrize(
    ("point", "when"),
    [
        ("append", 1),
        ("append", 8),
        ("append", 20),
        ("state", 3),
        ("state", 12),
        ("rename", 1),
        ("rename", 2),
        ("rename", 4),
        ("rename", 5),
        ("state", 13),
        ("tree", 5),
        ("remove", 1),
    ],
)
def test_resume_after_a_crash_is_byte_identical(
    tmp_path: Path, reference: tuple[list[str], dict[str, bytes]], point: str, when: int
) -> None:
    inputs, expected = reference
    out = tmp_path / "run"
    config = _config(inputs, out)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, point, str(when), json.dumps(config)], capture_output=True, text=True
    )
    assert crashed.returncode == 137, crashed.stderr  # the crash point was reached
    partial = _snapshot(out)
    assert not any(name in expected and partial[name] != expected[name] for name in partial if "newsclean" not in name)
    summary = run_batch(BatchConfig(**config, resume=True), note=lambda m: None)  # type: ignore[arg-type]
    assert _snapshot(out) == expected
    assert summary.docs_in == 90 + 70 + 30 + 13  # the summary covers the whole run, not just the resumed part


def _interrupted(tmp_path: Path, inputs: list[str], state_write: int) -> tuple[Path, dict[str, object]]:
    """A run over `inputs` killed at its n-th state write: (its output directory, its config)."""
    out = tmp_path / "run"
    config = _config(inputs, out)
    subprocess.run([sys.executable, "-c", CRASH, "state", str(state_write), json.dumps(config)], check=False)
    return out, config


def _resume_is_refused(config: dict[str, object], match: str) -> None:
    from cleaner.errors import ConfigError

    with pytest.raises(ConfigError, match=match):
        run_batch(BatchConfig(**config, resume=True), note=lambda m: None)  # type: ignore[arg-type]


def test_resume_refuses_changed_options(tmp_path: Path, reference: tuple[list[str], dict[str, bytes]]) -> None:
    out, config = _interrupted(tmp_path, reference[0], 3)
    assert (out / f"clean{STATE_SUFFIX}").exists()
    _resume_is_refused({**config, "threshold": 0.7}, "changed since the interrupted run")
    _resume_is_refused({**config, "comments": "keep"}, "changed since the interrupted run")


@pytest.mark.parametrize("change", ["add", "remove", "edit", "edit keeping size and times"])
def test_resume_refuses_a_changed_directory_input(tmp_path: Path, change: str) -> None:
    """A resume position counts files, so a file added to, removed from or edited in a directory input would
    shift or corrupt the output: refused, like a changed option."""
    from cleaner.errors import ConfigError

    inputs = _inputs(tmp_path)
    tree = Path(inputs[-1])
    config = _config(inputs, tmp_path / "run")
    crashed = subprocess.run([sys.executable, "-c", CRASH, "state", "3", json.dumps(config)], check=False)
    assert crashed.returncode == 137
    if change == "add":
        (tree / "s0" / "00a.txt").write_text("A new file.\n")
    elif change == "remove":
        (tree / "s1" / "01.txt").unlink()
    elif change == "edit":
        (tree / "s2" / "02.txt").write_text("Edited.\n")
    else:  # as `cp -p` or `touch -r` leave it: same size, same mtime
        page = tree / "s2" / "02.txt"
        before = page.stat()
        page.write_text(page.read_text().swapcase())
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert (page.stat().st_size, page.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(ConfigError, match="changed since the interrupted run"):
        run_batch(BatchConfig(**config, resume=True), note=lambda m: None)  # type: ignore[arg-type]


def test_starting_over_removes_the_part_files_of_the_run_it_discards(tmp_path: Path) -> None:
    """A run that starts over (--restart) instead of resuming (its inputs changed) left the killed run's part
    files, which stayed for good when their input was gone."""
    inputs = _inputs(tmp_path)
    config = _config(inputs, tmp_path / "run")
    crashed = subprocess.run([sys.executable, "-c", CRASH, "state", "3", json.dumps(config)], check=False)
    assert crashed.returncode == 137
    out = tmp_path / "run"
    assert any("newsclean-part" in p.name for p in out.rglob("*"))
    notes: list[str] = []
    run_batch(BatchConfig(**{**config, "inputs": inputs[-1:]}, restart=True), note=notes.append)  # type: ignore[arg-type]
    assert any(note.startswith("discarding an interrupted run") for note in notes)
    assert [p for p in out.rglob("*") if "newsclean" in p.name] == []


def test_resume_accepts_an_unsupported_file_that_changed(tmp_path: Path) -> None:
    """A file the run rejects for its name alone (a log being written beside the inputs) may change between kill
    and resume: its reject, and so the output, stays the same."""
    inputs = _inputs(tmp_path)
    log = Path(inputs[-1]) / "s1" / "scraper.log"
    log.write_text("started\n")
    expected_dir = tmp_path / "expected"
    run_batch(BatchConfig(**_config(inputs, expected_dir)), note=lambda m: None)  # type: ignore[arg-type]
    out, config = _interrupted(tmp_path, inputs, 3)
    log.write_text("started\nstill running\n")
    run_batch(BatchConfig(**config, resume=True), note=lambda m: None)  # type: ignore[arg-type]
    assert _snapshot(out) == _snapshot(expected_dir)
    assert b"scraper.log" in _snapshot(out)["clean.rejects.jsonl"]


# A worker dies on its second task: killed outright, or halfway through sending a result (the pool's reader then
# waits for the rest of it forever unless the run notices). Forked workers inherit the patch.
WORKER_DIES = r"""
import os, signal, struct, sys
import cleaner.batch.workers as workers

how, calls, original = sys.argv[1], [0], workers.process_items

def process_items(*args, **kwargs):
    calls[0] += 1
    if calls[0] == 2 and os.getpid() != PARENT:
        if how == "raises":
            raise TimeoutError("raised by the task itself")
        if how == "half-sent":
            frame = sys._getframe()
            while frame.f_code.co_name != "_process_worker":
                frame = frame.f_back
            writer = frame.f_locals["result_queue"]._writer
            os.write(writer.fileno(), struct.pack("!i", 1 << 20) + b"x" * 100)  # a header promising 1 MiB
            os._exit(1)
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)

PARENT = os.getpid()
workers.process_items = process_items
sys.argv = ["newsclean", *sys.argv[2:]]
from cleaner.cli import main
main()
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["killed", "half-sent"])
def test_a_dead_worker_stops_the_run_with_status_3_and_resume_finishes_it(tmp_path: Path, how: str) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=2600)
    args = ["clean", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--ledger", str(tmp_path / "ledger.jsonl")]
    expected = tmp_path / "expected"
    run_batch(BatchConfig(inputs=[str(corpus)], output=str(expected / "out.jsonl")), note=lambda m: None)
    died = subprocess.run(
        [sys.executable, "-c", WORKER_DIES, how, *args, "--jobs", "2", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,  # before the fix, a half-sent result made the run wait forever
    )
    assert died.returncode == 3, died.stderr
    assert "a worker process" in died.stderr and "the run stopped" in died.stderr and "--resume" in died.stderr
    assert "Traceback" not in died.stderr
    assert not (tmp_path / "out.jsonl").exists()  # no half-written output under the final name
    resumed = subprocess.run(
        [sys.executable, "-c", "from cleaner.cli import main; main()", *args, "--jobs", "2", "--resume", "--quiet"],
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == (expected / "out.jsonl").read_bytes()


def test_a_full_disk_stops_the_run_with_a_message_and_resume_finishes_it(
    tmp_path: Path, reference: tuple[list[str], dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import cleaner.io.writers as writers
    from cleaner.errors import RunInterrupted

    inputs, expected = reference
    out = tmp_path / "run"
    config = _config(inputs, out)
    real_fsync, calls = writers.os.fsync, [0]

    def fsync(fd: int) -> None:
        calls[0] += 1
        if calls[0] == 7:  # a few commits in
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(writers.os, "fsync", fsync)
    with pytest.raises(RunInterrupted, match=r"cannot write the outputs \(.*newsclean-part: No space left") as info:
        run_batch(BatchConfig(**config), note=lambda m: None)  # type: ignore[arg-type]
    assert "--resume" in str(info.value) and info.value.exit_code == 3
    monkeypatch.setattr(writers.os, "fsync", real_fsync)
    run_batch(BatchConfig(**config, resume=True), note=lambda m: None)  # type: ignore[arg-type]
    assert _snapshot(out) == expected


def test_resume_refuses_when_a_part_file_was_truncated(
    tmp_path: Path, reference: tuple[list[str], dict[str, bytes]]
) -> None:
    out, config = _interrupted(tmp_path, reference[0], 3)
    (out / "ledger.jsonl.newsclean-part").write_bytes(b"")
    _resume_is_refused(config, r"cannot resume: .*ledger\.jsonl\.newsclean-part is missing or shorter")


def test_resume_refuses_when_a_finished_output_or_the_output_directory_is_gone(
    tmp_path: Path, reference: tuple[list[str], dict[str, bytes]]
) -> None:
    """Otherwise the resumed run would end as if all were well, without the outputs of the sources done before."""
    import shutil

    out, config = _interrupted(tmp_path, reference[0], 9)
    state = json.loads((out / f"clean{STATE_SUFFIX}").read_text())
    assert state["position"][0] >= 1  # a.jsonl was finished and renamed into place
    (out / "clean" / "a.jsonl").unlink()
    _resume_is_refused(config, r"cannot resume: .*a\.jsonl, finished before the run was interrupted")
    shutil.rmtree(out / "clean")
    _resume_is_refused(config, r"cannot resume: the output directory .* is gone")


def test_an_output_directory_removed_during_the_run_stops_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes would create it again and the files written before would be lost without a word."""
    import shutil

    import cleaner.batch.sinks as sinks
    from cleaner.errors import RunInterrupted

    tree = tmp_path / "in"
    for i in range(12):
        (tree / f"s{i % 2}").mkdir(parents=True, exist_ok=True)
        (tree / f"s{i % 2}" / f"{i:02d}.txt").write_text(f"Paragraph {i} of a short text here.\n")
    out = tmp_path / "out"
    original, calls = sinks.write_atomic, [0]

    def write_atomic(path: Path, data: bytes) -> None:
        calls[0] += 1
        original(path, data)
        if calls[0] == 5:  # removed between two writes
            shutil.rmtree(out)

    monkeypatch.setattr(sinks, "write_atomic", write_atomic)
    with pytest.raises(RunInterrupted, match=r"the output directory was removed during the run"):
        run_batch(BatchConfig(inputs=[str(tree)], output=str(out), bundled_rules=False), note=lambda m: None)


def test_an_output_under_a_file_is_a_usage_error(tmp_path: Path) -> None:
    from cleaner.errors import ConfigError

    (tmp_path / "notes.txt").write_text("a file\n")
    corpus = make_corpus(tmp_path / "c.jsonl", docs=3)
    with pytest.raises(ConfigError, match=r"-o .*: .*notes\.txt is a file, not a directory"):
        run_batch(BatchConfig(inputs=[str(corpus)], output=str(tmp_path / "notes.txt" / "out.jsonl")))
    assert (tmp_path / "notes.txt").read_text() == "a file\n"


def test_a_task_that_raises_timeout_error_is_not_taken_for_a_slow_one(tmp_path: Path) -> None:
    """The pool's result wait uses TimeoutError too: a task raising one must end the run, not make it wait."""
    corpus = make_corpus(tmp_path / "c.jsonl", docs=2600)
    args = ["clean", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--jobs", "2", "--quiet"]
    done = subprocess.run(
        [sys.executable, "-c", WORKER_DIES, "raises", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "raised by the task itself" in done.stderr


def _processes_in(directory: Path) -> list[int]:
    """Pids of processes whose working directory is `directory` (Linux /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if Path(proc / "cwd").resolve() == directory:
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs Linux /proc")
def test_kill_9_leaves_no_worker_processes(tmp_path: Path) -> None:
    import os
    import signal
    import time

    corpus = make_corpus(tmp_path / "c.jsonl", docs=3000)
    args = [sys.executable, "-c", "from cleaner.cli import main; main()", "clean", str(corpus), "-o", "o.jsonl"]
    proc = subprocess.Popen([*args, "--jobs", "2"], cwd=tmp_path, stderr=subprocess.DEVNULL)
    state = tmp_path / f"o.jsonl{STATE_SUFFIX}"
    for _ in range(600):  # wait until the workers are busy (first commit written)
        if state.exists() or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; make the corpus larger"
    assert len(_processes_in(tmp_path.resolve())) > 1
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(200):
        left = _processes_in(tmp_path.resolve())
        if not left:
            break
        time.sleep(0.05)
    assert not left, f"processes left behind after kill -9: {left}"
