"""Issue 15's batch items: two runs on one output set, overlapping field options, output links out of -o, dead
workers, full disks under Parquet, Ctrl-C and the work of an interrupted run, pandas and Parquet, duplicate ids.
Each test failed before its fix."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner.batch import BatchConfig, run_batch
from cleaner.errors import ConfigError, RunInterrupted
from tests.test_batch import make_corpus

CLI = "from cleaner.cli import main; main()"


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, timeout=timeout)


# A run that stops (sleeps, or sends itself a signal) at its n-th task, after some commits.
STOPS = r"""
import os, signal, sys, time
from pathlib import Path
import cleaner.batch.workers as workers

how, when, ready = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
# A process started with SIGINT ignored (pytest's own may be, after a library's worker pool) keeps it ignored:
# the Ctrl-C this script sends itself must raise KeyboardInterrupt, as it does in a terminal.
signal.signal(signal.SIGINT, signal.default_int_handler)
calls, original = [0], workers.process_items

def process_items(*args, **kwargs):
    calls[0] += 1
    if calls[0] == when:
        if how == "hang":
            ready.write_text(str(os.getpid()))
            time.sleep(300)
        elif how == "sigint":
            os.kill(os.getpid(), signal.SIGINT)
    return original(*args, **kwargs)

workers.process_items = process_items
sys.argv = ["newsclean", *sys.argv[4:]]
from cleaner.cli import main
main()
"""


def test_a_second_run_on_the_same_outputs_is_refused_and_resume_after_kill_9_works(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=1500)
    expected = tmp_path / "expected"
    run_batch(BatchConfig(inputs=[str(corpus)], output=str(expected / "out.jsonl")), note=lambda m: None)
    args = ["clean", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--ledger", str(tmp_path / "ledger.jsonl")]
    ready = tmp_path / "ready"
    first = subprocess.Popen([sys.executable, "-c", STOPS, "hang", "5", str(ready), *args], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the first run never reached its fifth task (a commit was made before it)"
        second = _cli(*args, "--quiet")
        assert second.returncode == 2, second.stderr
        assert f"pid {first.pid}" in second.stderr and "another newsclean run" in second.stderr
        assert first.poll() is None  # the first run was left alone
        assert (tmp_path / "out.jsonl.newsclean-state.json").exists()  # and its state too
    finally:
        first.kill()  # kill -9: the OS drops its lock
        first.wait()
    resumed = _cli(*args, "--resume", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == (expected / "out.jsonl").read_bytes()
    assert not [p.name for p in tmp_path.iterdir() if "newsclean" in p.name]  # lock, state and parts gone


def test_temporary_file_names_differ_between_processes(tmp_path: Path) -> None:
    from cleaner.io.writers import temporary_path

    here = temporary_path(tmp_path / "out.jsonl.newsclean-state.json")
    code = (
        "import sys; from pathlib import Path; from cleaner.io.writers import temporary_path; "
        "print(temporary_path(Path(sys.argv[1]) / 'out.jsonl.newsclean-state.json'))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert str(here) != there and here.parent == Path(there).parent
    # one a killed run left is removed by the next run over those outputs (which holds their lock)
    corpus = make_corpus(tmp_path / "c.jsonl", docs=3)
    Path(there).write_bytes(b"{half a state")
    run_batch(BatchConfig(inputs=[str(corpus)], output=str(tmp_path / "out.jsonl")), note=lambda m: None)
    assert not Path(there).exists()


@pytest.mark.parametrize(
    "options",
    [["--text-field", "id"], ["--url-field", "text"], ["--id-field", "page", "--html-field", "page"]],
)
def test_overlapping_field_options_are_refused(tmp_path: Path, options: list[str]) -> None:
    """`--text-field id` put the cleaned text in `id` and kept the raw text."""
    corpus = make_corpus(tmp_path / "c.jsonl", docs=3)
    for command in (["clean", str(corpus), "-o", str(tmp_path / "o.jsonl")], ["dedup", str(corpus)]):
        done = _cli(*command, *options)
        assert done.returncode == 2, done.stderr
        assert "both name the field" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_an_output_subdirectory_linking_out_of_o_is_refused_before_any_work(tmp_path: Path) -> None:
    tree = tmp_path / "in"
    for name in ("a.txt", "sub/b.txt", "sub/c.txt", "z.txt"):
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(f"The story in {name} has one paragraph.\n")
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "sub").symlink_to(elsewhere)
    done = _cli("clean", str(tree), "-o", str(out), "--quiet")
    assert done.returncode == 2, done.stderr
    assert "leads out of -o" in done.stderr and "Traceback" not in done.stderr
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["sub"]  # nothing written: no a.txt, no part or state file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "in", "out"]  # no rejects file either


DIES = r"""
import os, signal, sys
import cleaner.batch.workers as workers

number, calls, original = int(sys.argv[1]), [0], workers.process_items

def process_items(*args, **kwargs):
    calls[0] += 1
    if calls[0] == 2 and os.getpid() != PARENT:
        os.kill(os.getpid(), number)
    return original(*args, **kwargs)

PARENT = os.getpid()
workers.process_items = process_items
sys.argv = ["newsclean", *sys.argv[2:]]
from cleaner.cli import main
main()
"""


@pytest.mark.parametrize("number", [signal.SIGSEGV, signal.SIGKILL])
def test_a_worker_killed_by_a_signal_is_named(tmp_path: Path, number: signal.Signals) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=1600)
    args = ["clean", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--jobs", "2", "--quiet"]
    died = subprocess.run([sys.executable, "-c", DIES, str(int(number)), *args], capture_output=True, text=True)
    assert died.returncode == 3, died.stderr
    assert f"killed by signal {number.name}" in died.stderr, died.stderr
    assert "--resume" in died.stderr and "Traceback" not in died.stderr


def test_a_full_disk_during_parquet_output_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": str(i), "text": f"Paragraph {i} of a story.\n"} for i in range(40)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")

    def full(*args: object, **kwargs: object) -> None:  # what pyarrow raises: no errno, no file name
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")

    monkeypatch.setattr(pa.ipc, "new_file", full)
    config = BatchConfig(inputs=[str(tmp_path / "in.parquet")], output=str(tmp_path / "out.parquet"), commit_every=8)
    with pytest.raises(RunInterrupted, match=r"out\.parquet\.newsclean-part\.d/00000000\.tmp: Error writing bytes"):
        run_batch(config, note=lambda m: None)


def test_ctrl_c_says_what_was_committed_and_the_outputs_are_not_discarded_without_a_word(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=2400)
    expected = tmp_path / "expected"
    run_batch(BatchConfig(inputs=[str(corpus)], output=str(expected / "out.jsonl")), note=lambda m: None)
    args = ["clean", str(corpus), "-o", str(tmp_path / "out.jsonl")]
    stopped = subprocess.run(
        [sys.executable, "-c", STOPS, "sigint", "5", str(tmp_path / "unused"), *args], capture_output=True, text=True
    )
    assert stopped.returncode == 130, stderr_of(stopped)
    assert "documents committed" in stopped.stderr and "--resume" in stopped.stderr, stopped.stderr
    assert "Traceback" not in stopped.stderr
    committed = int(stopped.stderr.split("interrupted (Ctrl-C): ")[1].split(" documents committed")[0].replace(",", ""))
    assert committed > 0
    again = _cli(*args, "--quiet")
    assert again.returncode == 2, again.stderr
    assert "--resume" in again.stderr and "--restart" in again.stderr
    assert f"{committed:,} documents committed" in again.stderr
    assert (tmp_path / "out.jsonl.newsclean-state.json").exists()  # the refusal kept the work
    both = _cli(*args, "--resume", "--restart")
    assert both.returncode == 2 and "contradict" in both.stderr
    resumed = _cli(*args, "--resume", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == (expected / "out.jsonl").read_bytes()


def test_restart_discards_an_interrupted_run_and_starts_over(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=2400)
    args = ["clean", str(corpus), "-o", str(tmp_path / "out.jsonl")]
    subprocess.run([sys.executable, "-c", STOPS, "sigint", "5", str(tmp_path / "unused"), *args], capture_output=True)
    assert (tmp_path / "out.jsonl.newsclean-state.json").exists()
    restarted = _cli(*args, "--restart", "--quiet")
    assert restarted.returncode == 0, restarted.stderr
    run_batch(BatchConfig(inputs=[str(corpus)], output=str(tmp_path / "expected.jsonl")), note=lambda m: None)
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "expected.jsonl").read_bytes()


def stderr_of(done: subprocess.CompletedProcess[str]) -> str:
    return done.stderr[-2000:]


PASS_THROUGH = r"""
import sys
if sys.argv[1] == "without":  # pyarrow then converts without pandas, as in a venv without it
    class NoPandas:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "pandas":
                raise ModuleNotFoundError(f"No module named {name!r}")
    sys.meta_path.insert(0, NoPandas())
import pyarrow as pa, pyarrow.parquet as pq
from cleaner.batch import BatchConfig, run_batch
t = pa.struct([("t", pa.time64("ns"))])
table = pa.table({
    "id": ["a", "b"],
    "text": ["A first story.\n", "A second story.\n"],
    "s": pa.array([{"t": 5}, {"t": 7}], type=t),
    "ts": pa.array([1, 1_700_000_000_123_456_789], type=pa.timestamp("ns")),
})
pq.write_table(table, sys.argv[2])
run_batch(BatchConfig(inputs=[sys.argv[2]], output=sys.argv[3]), note=lambda m: None)
out = pq.read_table(sys.argv[3])
assert out.schema == table.schema, out.schema
assert out.column("s").equals(table.column("s")), out.column("s").cast(pa.struct([("t", pa.int64())])).to_pylist()
assert out.column("ts").equals(table.column("ts")), out.column("ts").cast(pa.int64()).to_pylist()
"""


@pytest.mark.parametrize("pandas", ["with", "without"])
def test_parquet_pass_through_values_survive_with_and_without_pandas(tmp_path: Path, pandas: str) -> None:
    """With pandas installed, a struct<time64[ns]> column holding 5 and 7 came out as 0 and 0."""
    if pandas == "with":
        import pandas as pd  # the test extra installs it: this case must run in CI

        assert pd.__version__
    done = subprocess.run(
        [sys.executable, "-c", PASS_THROUGH, pandas, str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_duplicate_ids_within_one_input_are_reported_and_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    ids = ["a", "b", "a", "c", "b", "a"]
    corpus.write_text("".join(json.dumps({"id": i, "text": f"Story {n} here.\n"}) + "\n" for n, i in enumerate(ids)))
    other = tmp_path / "d.jsonl"
    other.write_text(json.dumps({"id": "a", "text": "Another input may reuse it.\n"}) + "\n")
    summary = run_batch(
        BatchConfig(inputs=[str(corpus), str(other)], output=str(tmp_path / "out")), note=lambda m: None
    )
    assert summary.duplicate_ids == 3
    assert len((tmp_path / "out" / "c.jsonl").read_text().splitlines()) == 6  # all kept
    assert (
        "duplicate ids: 3 documents repeated the id of an earlier one of the same input "
        f"(all kept; first: 'a' in {corpus})" in summary.render()
    )


def test_the_summary_lists_every_rule_with_characters_and_the_top_sites(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    body = ['[site]\ndomains = ["example.com"]\n']
    for n in range(14):
        body.append(
            f'[[rule]]\nid = "r{n:02d}"\nkind = "line"\npattern = \'^Junk line {n:02d}$\'\nreason = "junk {n}"\n'
        )
    (rules / "example.com.toml").write_text("\n".join(body))
    corpus = tmp_path / "c.jsonl"
    records = []
    for d in range(3):
        junk = "\n".join(f"Junk line {n:02d}" for n in range(14) if n % 3 != d or n < 3)
        records.append({"id": f"d{d}", "url": "https://example.com/x", "text": f"A real story paragraph.\n{junk}\n"})
    records.append({"id": "other", "url": "https://other.org/y", "text": "Nothing to remove here.\n"})
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = run_batch(
        BatchConfig(inputs=[str(corpus)], output=str(tmp_path / "o.jsonl"), rules=[str(rules)], bundled_rules=False),
        note=lambda m: None,
    )
    text = summary.render()
    assert "more rules" not in text
    assert "removals by rule (14 fired):" in text
    for n in range(14):
        rule = f"example.com/r{n:02d}"
        line = next(line for line in text.splitlines() if line.strip().startswith(rule + " "))
        assert f"{summary.removals_by_rule[rule]} removal" in line and f"{summary.chars_by_rule[rule]:,} chars" in line
    assert summary.chars_by_rule["example.com/r00"] == 3 * len("Junk line 00\n")
    assert "top sites by characters removed (1 of 1):" in text or "top sites by characters removed (2 of 2):" in text
    site_line = next(line for line in text.splitlines() if line.strip().startswith("example.com "))
    assert "3 documents" in site_line and f"{summary.chars_by_site['example.com']:,} chars" in site_line
    assert summary.chars_by_site["example.com"] == sum(summary.chars_by_rule.values())
    restored = type(summary).from_json(summary.to_json())  # carried across --resume
    assert restored.chars_by_rule == summary.chars_by_rule and restored.docs_by_site == summary.docs_by_site


def test_overlapping_fields_in_read_options() -> None:
    from cleaner.io import ReadOptions

    with pytest.raises(ConfigError, match="--text-field and --id-field both name the field 'id'"):
        ReadOptions(text_field="id")
    assert os.environ is not None
