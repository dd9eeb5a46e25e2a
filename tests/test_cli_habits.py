"""The command-line habits users bring from ruff, jq and trafilatura: help that reads as a person writes it,
`-v/--verbose`, stdin sniffed, `-o /dev/null`, several inputs into one file, one `--jobs` rule, rejects reported
the same way by every command."""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from cleaner.batch import BatchConfig, run_batch
from tests.helpers import SEEDS, run_main
from tests.test_batch import make_corpus

COMMAND = [sys.executable, "-c", "from cleaner.cli import main; main()"]
HELP_COMMANDS = [
    ["clean"],
    ["diff"],
    ["learn"],
    ["dedup"],
    ["stats"],
    ["report"],
    ["rules", "check"],
    ["rules", "test"],
]


def newsclean(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([*COMMAND, *args], input=stdin, capture_output=True, cwd=cwd, env=env)


def _records(path: Path) -> list[dict[str, object]]:
    data = path.read_bytes()
    if path.name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True).read()
    elif path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode().splitlines()]


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


# -- help ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=" ".join)
def test_help_reads_as_a_person_writes_it(command: list[str], capsys, monkeypatch) -> None:
    code, out, _ = run_main([*command, "--help"], capsys, monkeypatch)
    assert code == 0
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert "{" not in usage and "[[" not in usage and "]]" not in usage and "......" not in usage, usage
    assert "<bool>" not in out  # flags show as flags: `--quiet true` read "true" as an input
    assert "--verbose" in out and "--log-level" in out


def test_usage_lines(capsys, monkeypatch) -> None:
    def usage(*command: str) -> str:
        _, out, _ = run_main([*command, "--help"], capsys, monkeypatch)
        return next(line for line in out.splitlines() if "Usage:" in line).split(f" {' '.join(command)} ", 1)[1].strip()

    assert usage("clean") == "[OPTIONS] INPUT..."
    assert usage("learn") == "[OPTIONS] INPUT..."
    assert usage("dedup") == "[OPTIONS] INPUT..."
    assert usage("rules", "check") == "[OPTIONS] [DIR]..."
    assert usage("diff") == "[OPTIONS] [INPUT]"
    assert usage("stats") == "[OPTIONS] LEDGER"


def test_flags_take_no_value(tmp_path: Path) -> None:
    """`--quiet` is a flag: the next word is an input again, not its value."""
    done = newsclean("clean", str(SEEDS / "000_4110ac0129b996c5.txt"), "--quiet")
    assert done.returncode == 0 and done.stderr == b""


# -- verbose -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["after", "before"])
def test_verbose_says_where_each_setting_came_from(tmp_path: Path, where: str) -> None:
    text = str(SEEDS / "000_4110ac0129b996c5.txt")
    args = ["clean", text, "-v"] if where == "after" else ["-v", "clean", text]
    args += ["--threshold", "0.9"]
    done = newsclean(*args, cwd=tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 0, err
    assert "setting --threshold = 0.9 (command line)" in err
    assert "setting --jobs = 1 (default)" in err
    assert "no newsclean.toml" in err


def test_without_verbose_nothing_is_said_but_the_summary(tmp_path: Path) -> None:
    done = newsclean("clean", str(SEEDS / "000_4110ac0129b996c5.txt"), cwd=tmp_path)
    assert "setting" not in done.stderr.decode() and "documents: 1 in" in done.stderr.decode()


def test_log_level(tmp_path: Path) -> None:
    seed = str(SEEDS / "000_4110ac0129b996c5.txt")
    assert "setting --jobs" in newsclean("clean", seed, "--log-level", "debug", cwd=tmp_path).stderr.decode()
    assert "setting" not in newsclean("clean", seed, "--log-level", "error", cwd=tmp_path).stderr.decode()
    bad = newsclean("clean", seed, "--log-level", "loud", cwd=tmp_path)
    assert bad.returncode == 2 and b"debug, info, warning, error" in bad.stderr and b"Traceback" not in bad.stderr


# -- stdin ---------------------------------------------------------------------------------------------------------


def test_stdin_holding_json_lines_is_read_as_json_lines(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus.jsonl", docs=5)
    done = newsclean("clean", "-", "-v", stdin=b"\n  \n" + corpus.read_bytes(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["id"] for r in records] == [f"doc-{i}" for i in range(5)] and records[0]["lang"] == "en"
    assert b"stdin: read as JSON Lines" in done.stderr
    # the same as naming the file
    named = newsclean("clean", str(corpus), cwd=tmp_path)
    assert named.stdout == done.stdout


def test_stdin_holding_text_is_one_document(tmp_path: Path) -> None:
    text = b"{Braces} open this article.\nA second paragraph.\n"
    done = newsclean("clean", "-", "-v", stdin=text, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == text
    assert b"stdin: read as one text document" in done.stderr
    assert newsclean("clean", "-", stdin=b'["a list"]\n', cwd=tmp_path).stdout == b'["a list"]\n'
    assert newsclean("clean", "-", stdin=b"", cwd=tmp_path).returncode in (0, 1)


def test_stdin_format_still_decides(tmp_path: Path) -> None:
    line = json.dumps({"id": "x", "text": "Hello."}).encode() + b"\n"
    as_text = newsclean("clean", "-", "--stdin-format", "text", stdin=line, cwd=tmp_path)
    assert as_text.returncode == 0 and as_text.stdout == line  # one text document, kept as written
    bad = newsclean("clean", "-", "--stdin-format", "xml", stdin=line, cwd=tmp_path)
    assert bad.returncode == 2 and b"auto, text, jsonl" in bad.stderr


def test_dedup_and_learn_sniff_stdin_too(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus.jsonl", docs=12)
    done = newsclean("dedup", "-", stdin=corpus.read_bytes(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert b"12 documents read" in done.stderr


# -- devices -------------------------------------------------------------------------------------------------------


def test_dev_null_is_an_output(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in" / "corpus.jsonl", docs=20)
    for args in (["clean", str(corpus)], ["clean", str(SEEDS)], ["clean", str(corpus), str(SEEDS)]):
        done = newsclean(*args, "-o", os.devnull, "--ledger", str(tmp_path / "ledger.jsonl"), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert len((tmp_path / "ledger.jsonl").read_text().splitlines()) == 22
    dedup = newsclean("dedup", str(corpus), "-o", os.devnull, "--clusters", os.devnull, cwd=tmp_path)
    assert dedup.returncode == 0, dedup.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert not list(Path("/dev").glob("*newsclean*")) and not list(Path("/dev").glob("null.*"))


def test_a_device_output_lists_rejects_on_stderr(tmp_path: Path) -> None:
    corpus = _jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": "Fine."}, {"id": "b", "text": 3}])
    done = newsclean("clean", str(corpus), "-o", os.devnull, cwd=tmp_path)
    assert done.returncode == 1
    assert b"c.jsonl:2: field 'text'" in done.stderr and b"1 rejected (listed above)" in done.stderr


def test_devices_are_still_not_replaced_by_files(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", docs=2)
    done = newsclean("clean", str(corpus), "-o", str(tmp_path / "o.jsonl"), "--ledger", os.devnull, cwd=tmp_path)
    assert done.returncode == 2 and b"not a regular file" in done.stderr
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    done = newsclean("clean", str(corpus), "-o", str(fifo), cwd=tmp_path)
    assert done.returncode == 2 and b"not a regular file" in done.stderr
    parquet = tmp_path / "c.parquet"
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([{"text": "x"}]), parquet)
    done = newsclean("clean", str(parquet), "-o", os.devnull, cwd=tmp_path)
    assert done.returncode == 2 and b"cannot go to a device" in done.stderr


# -- several inputs, one file ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["clean.jsonl", "clean.jsonl.gz", "clean.jsonl.zst"])
def test_several_inputs_go_into_one_file_in_order_and_format(tmp_path: Path, name: str) -> None:
    a = make_corpus(tmp_path / "a.jsonl", docs=7)
    b = _jsonl(tmp_path / "b.jsonl", [{"id": "b1", "text": "Bee one.\nShare this article\n"}, {"id": "b2", "text": 5}])
    out = tmp_path / "out" / name
    done = newsclean("clean", str(a), str(b), str(SEEDS), "-o", str(out), "--ledger", str(tmp_path / "l.jsonl"))
    assert done.returncode == 1, done.stderr  # b2 is rejected
    assert out.is_file()
    records = _records(out)
    assert [r["id"] for r in records] == [f"doc-{i}" for i in range(7)] + ["b1"] + sorted(
        p.name for p in SEEDS.glob("*.txt")
    )
    assert records[7]["text"] == "Bee one.\n"
    ledger = [json.loads(line) for line in (tmp_path / "l.jsonl").read_text().splitlines()]
    assert [e["id"] for e in ledger] == [r["id"] for r in records]
    rejects = tmp_path / "out" / "clean.rejects.jsonl"
    assert [json.loads(line)["id"] for line in rejects.read_text().splitlines()] == ["b2"]
    assert b"documents: 11 in, 10 cleaned, 1 rejected" in done.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == sorted([name, "clean.rejects.jsonl"])


def test_one_file_is_the_same_with_workers_and_a_directory_input(tmp_path: Path) -> None:
    make_corpus(tmp_path / "in" / "a.jsonl", docs=40)
    make_corpus(tmp_path / "in" / "sub" / "b.jsonl", docs=30)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"o{jobs}" / "all.jsonl.zst"
        done = newsclean("clean", str(tmp_path / "in"), "-o", str(out), "-j", jobs)
        assert done.returncode == 0, done.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and len(_records(tmp_path / "o1" / "all.jsonl.zst")) == 70


def test_a_killed_run_into_one_file_resumes_byte_identical(tmp_path: Path) -> None:
    from tests.test_batch_resume import CRASH

    inputs = [str(make_corpus(tmp_path / "in" / f"{n}.jsonl", docs=n)) for n in (25, 30, 20)]
    config = {"inputs": inputs, "output": str(tmp_path / "run" / "all.jsonl.gz"), "commit_every": 8}
    reference = tmp_path / "ref" / "all.jsonl.gz"
    run_batch(BatchConfig(**{**config, "output": str(reference)}), note=lambda _: None)  # type: ignore[arg-type]
    for when in (2, 5, 9):
        crashed = subprocess.run([sys.executable, "-c", CRASH, "state", str(when), json.dumps(config)], check=False)
        assert crashed.returncode == 137
        summary = run_batch(BatchConfig(**config, resume=True), note=lambda _: None)  # type: ignore[arg-type]
        assert summary.docs_in == 75
        assert (tmp_path / "run" / "all.jsonl.gz").read_bytes() == reference.read_bytes()
        (tmp_path / "run" / "all.jsonl.gz").unlink()


@pytest.mark.parametrize(
    ("name", "says"), [("all.txt", "one cleaned text file"), ("all.parquet", "one Parquet file")]
)
def test_several_inputs_and_a_file_of_another_format_are_refused(tmp_path: Path, name: str, says: str) -> None:
    a, b = make_corpus(tmp_path / "a.jsonl", docs=2), make_corpus(tmp_path / "b.jsonl", docs=2)
    out = tmp_path / "out" / name
    done = newsclean("clean", str(a), str(b), "-o", str(out))
    err = done.stderr.decode()
    assert done.returncode == 2 and says in err and ".jsonl" in err and "-o" in err and "Traceback" not in err
    assert not out.exists() and not (tmp_path / "out").exists()  # never a directory named like a file


def test_parquet_inputs_are_not_joined(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([{"text": "x"}]), tmp_path / "c.parquet")
    done = newsclean("clean", str(make_corpus(tmp_path / "a.jsonl", docs=2)), str(tmp_path / "c.parquet"),
                     "-o", str(tmp_path / "all.jsonl"))
    assert done.returncode == 2 and b"-o DIR/" in done.stderr and not (tmp_path / "all.jsonl").exists()


def test_a_directory_output_is_still_a_directory(tmp_path: Path) -> None:
    a, b = make_corpus(tmp_path / "a.jsonl", docs=2), make_corpus(tmp_path / "b.jsonl", docs=2)
    for out in (tmp_path / "plain", tmp_path / "slash.jsonl"):
        given = str(out) + ("/" if out.suffix else "")
        assert newsclean("clean", str(a), str(b), "-o", given).returncode == 0
        assert sorted(p.name for p in out.iterdir()) == ["a.jsonl", "b.jsonl"]


# -- jobs ----------------------------------------------------------------------------------------------------------


def test_one_jobs_rule_for_every_command(capsys, monkeypatch) -> None:
    helps = {}
    for command in ("clean", "learn", "dedup"):
        _, out, _ = run_main([command, "--help"], capsys, monkeypatch)
        helps[command] = " ".join(out.replace("│", " ").split())
        assert "1 (the default) works in this process, 0 starts one per CPU" in helps[command]
        assert "[default: 1]" in helps[command].split("--jobs", 1)[1].split(" --", 1)[0]


def test_jobs_0_is_one_worker_per_cpu(tmp_path: Path) -> None:
    from cleaner.corpus.engines import usable_cpus

    corpus = make_corpus(tmp_path / "c.jsonl", docs=10)
    done = newsclean("clean", str(corpus), "-o", str(tmp_path / "o.jsonl"), "-j", "0")
    cpus = usable_cpus()
    assert done.returncode == 0 and f"{cpus} job{'s' if cpus != 1 else ''}" in done.stderr.decode()
    assert newsclean("dedup", str(corpus), "-j", "0").returncode == 0
    assert newsclean("clean", str(corpus), "-j", "-1").returncode == 2


# -- rejects -------------------------------------------------------------------------------------------------------


def _bad_corpus(tmp_path: Path) -> Path:
    good = [json.loads(line) for line in make_corpus(tmp_path / "good.jsonl", docs=6).read_text().splitlines()]
    good[3] = {**good[1], "id": "copy-of-1"}  # a near-duplicate for dedup
    records = [*good, {"id": "bad-1", "text": 7}, {"id": "bad-2", "text": None, "html": None}]
    path = _jsonl(tmp_path / "corpus.jsonl", records)
    with open(path, "a") as handle:
        handle.write("{not json\n")
    return path


def _summary(err: str) -> str:
    return next(line for line in err.splitlines() if "documents read" in line or line.startswith("documents:"))


def test_every_command_reports_rejects_the_same_way(tmp_path: Path) -> None:
    corpus = _bad_corpus(tmp_path)
    runs = {
        "clean": ["clean", str(corpus), "-o", str(tmp_path / "c" / "clean.jsonl")],
        "dedup": ["dedup", str(corpus), "-o", str(tmp_path / "d" / "kept.jsonl")],
        "learn": ["learn", str(corpus), "-o", str(tmp_path / "l" / "rules")],
    }
    rejects_files = {
        "clean": tmp_path / "c" / "clean.rejects.jsonl",
        "dedup": tmp_path / "d" / "kept.rejects.jsonl",
        "learn": tmp_path / "l" / "rules.rejects.jsonl",
    }
    for name, args in runs.items():
        quiet = newsclean(*args, cwd=tmp_path)
        err = quiet.stderr.decode()
        assert quiet.returncode == 1, err
        assert "3 rejected (listed in" in _summary(err), (name, err)
        assert "newsclean: rejected" not in err, (name, err)  # only the count, without --verbose
        assert len(rejects_files[name].read_text().splitlines()) == 3
        loud = newsclean(*args, "-v", cwd=tmp_path).stderr.decode()
        assert loud.count("newsclean: rejected ") == 3, (name, loud)
        assert "corpus.jsonl:9" in loud  # the malformed line, by file and line


def test_counts_add_up(tmp_path: Path) -> None:
    corpus = _bad_corpus(tmp_path)
    clean = _summary(newsclean("clean", str(corpus), "-o", str(tmp_path / "o.jsonl")).stderr.decode())
    assert clean.startswith("documents: 9 in, 6 cleaned, 3 rejected")
    dedup = _summary(newsclean("dedup", str(corpus), "-o", str(tmp_path / "kept.jsonl")).stderr.decode())
    assert "9 documents read: 5 written to" in dedup and "1 dropped as near-duplicates, 3 rejected" in dedup
    assert len((tmp_path / "kept.jsonl").read_text().splitlines()) == 5
    learn = _summary(newsclean("learn", str(corpus), "-o", str(tmp_path / "rules")).stderr.decode())
    assert "9 documents read: 6 learned from" in learn and "3 rejected" in learn


def test_rejects_file_option_and_stdout_output(tmp_path: Path) -> None:
    corpus = _bad_corpus(tmp_path)
    done = newsclean("dedup", str(corpus), "--rejects", str(tmp_path / "r.jsonl"))
    assert done.returncode == 1 and len((tmp_path / "r.jsonl").read_text().splitlines()) == 3
    assert b"newsclean: rejected" not in done.stderr
    # no file to hold them: listed on stderr
    listed = newsclean("dedup", str(corpus)).stderr.decode()
    assert listed.count("newsclean: rejected ") == 3 and "3 rejected (listed above)" in listed
    # nothing rejected: an earlier run's rejects file goes
    clean_corpus = make_corpus(tmp_path / "fine.jsonl", docs=3)
    assert newsclean("dedup", str(clean_corpus), "--rejects", str(tmp_path / "r.jsonl")).returncode == 0
    assert not (tmp_path / "r.jsonl").exists()
