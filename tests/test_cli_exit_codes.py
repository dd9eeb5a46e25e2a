"""Exit status through the real console entry point (click's non-standalone mode returns Exit codes)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import SLOW_LINE, slow_rule_dir

ENTRY = [sys.executable, "-c", "from cleaner.cli import main; main()"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ENTRY, *args], capture_output=True, text=True, timeout=120)


def test_dedup_exits_1_when_a_record_is_rejected(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "A paragraph of text."}\n{"id": "b"}\n', encoding="utf-8")
    done = run("dedup", str(corpus))
    assert done.returncode == 1, done.stderr
    assert "rejected" in done.stderr


def test_bad_rule_file_exits_2_and_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('[[rule]]\nid = "x"\nkind = "sideways"\npattern = "a"\nreason = "r"\n')
    done = run("rules", "check", str(tmp_path))
    assert done.returncode == 2
    assert "bad.toml" in done.stderr and "sideways" in done.stderr


def test_success_exits_0(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Headline here for you\nHeadline here for you\nThe body.\n", encoding="utf-8")
    done = run("clean", str(text))
    assert done.returncode == 0 and done.stdout == "Headline here for you\nThe body.\n"  # the stutter goes


def test_a_closed_pipe_ends_by_sigpipe_not_as_rejected(tmp_path: Path) -> None:
    import signal

    corpus = tmp_path / "big.jsonl"
    corpus.write_text("".join(f'{{"id": {i}, "text": "Paragraph {i} of a text."}}\n' for i in range(20000)))
    process = subprocess.Popen([*ENTRY, "clean", str(corpus), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.read(10)
    process.stdout.close()
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGPIPE


def test_rules_check_on_a_directory_without_rule_files_is_an_error(tmp_path: Path) -> None:
    done = run("rules", "check", str(tmp_path))
    assert done.returncode == 2 and "no rule files" in done.stderr


def test_no_rejects_file_when_nothing_is_rejected(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "One paragraph."}\n', encoding="utf-8")
    (tmp_path / "out.rejects.jsonl").write_text("stale from an earlier run\n")
    done = run("clean", str(corpus), "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "out.rejects.jsonl").exists()


def test_rule_timeout_is_an_option_and_a_bad_one_exits_2(tmp_path: Path) -> None:
    rules = slow_rule_dir(tmp_path / "rules")
    text = tmp_path / "a.txt"
    text.write_text(SLOW_LINE + "\n", encoding="utf-8")
    done = run("clean", str(text), "--rules", str(rules), "--rule-timeout", "0.02")
    assert done.returncode == 0 and done.stdout == SLOW_LINE + "\n"
    assert "warnings: 1 document had a rule or a site's detect pattern skipped" in done.stderr
    for bad in ("0", "inf", "nan"):
        done = run("clean", str(text), "--rule-timeout", bad)
        assert done.returncode == 2 and "rule_timeout (--rule-timeout) must be a number of seconds" in done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["clean", "x.txt", "--threshold", "abc"], "Invalid value for '--threshold'"),
        (["dedup", "x.jsonl", "--threshold", "abc"], "Invalid value for '--threshold'"),
        (["learn", "x.jsonl", "-o", "r", "--min-docs", "abc"], "Invalid value for '--min-docs'"),
        (["clean", "x.txt", "--bogus"], "No such option: --bogus"),
        (["dedup"], "Missing argument"),
        (["bogus"], "No such command 'bogus'"),
    ],
)
def test_a_usage_error_is_a_message_and_exit_2_not_a_traceback(args: list[str], says: str) -> None:
    done = run(*args)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr


def test_an_output_at_a_fifo_or_device_is_refused_and_left_alone(tmp_path: Path) -> None:
    """`-o fifo`, `--ledger /dev/null`: the temporary file was renamed over the node, replacing it with a plain
    file (as root, `/dev/null` itself), with exit status 0."""
    text = tmp_path / "a.txt"
    text.write_text("A paragraph about the city council and its budget.\n")
    fifo = tmp_path / "out.txt"
    os.mkfifo(fifo)
    for args in (["-o", str(fifo)], ["-o", str(tmp_path / "b.txt"), "--ledger", str(fifo)]):
        done = run("clean", str(text), *args)
        assert done.returncode == 2, done.stderr
        assert "is not a regular file (a device, FIFO or socket)" in done.stderr
        assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert not (tmp_path / "b.txt").exists()


def test_a_write_the_file_system_refuses_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    """A write that fails mid-run (here a full disk, stood in for) gave a traceback with exit status 1."""
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "A paragraph of text about the harbour."}\n')
    full_disk = (
        "import errno, cleaner.corpus.output as output\n"
        "def write_jsonl(path, records):\n"
        "    raise OSError(errno.ENOSPC, 'No space left on device', str(path))\n"
        "output.write_jsonl = write_jsonl\n"
        "from cleaner.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", full_disk, "dedup", str(corpus), "-o", str(tmp_path / "kept.jsonl")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith(f"newsclean: error: {tmp_path / 'kept.jsonl'}: No space left on device")
    assert "Traceback" not in done.stderr


def test_a_bug_is_one_line_and_exit_4_and_the_variable_shows_its_traceback(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("The body.\n", encoding="utf-8")
    broken = (  # a bug no check anticipated: the cleaner raises something that is not a newsclean error
        "import cleaner.pipeline as p\n"
        "def boom(self, *a, **k): raise KeyError('units')\n"
        "p.Cleaner.__init__ = boom\n"
        "from cleaner.cli import main; main()\n"
    )
    args = [sys.executable, "-c", broken, "clean", str(text)]
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=120, env={**os.environ, "NEWSCLEAN_TRACEBACK": ""}
    )
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert (
        "internal error" in done.stderr and "KeyError: 'units'" in done.stderr and "NEWSCLEAN_TRACEBACK" in done.stderr
    )
    env = {**os.environ, "NEWSCLEAN_TRACEBACK": "1"}
    shown = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert shown.returncode == 1 and "Traceback" in shown.stderr and "boom" in shown.stderr
