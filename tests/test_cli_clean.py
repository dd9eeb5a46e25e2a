"""`newsclean clean` from the command line: Unix filter, exit statuses, options, summary on stderr."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cleaner.cli import app
from tests.helpers import FIXTURES, SEEDS

SEED = SEEDS / "000_4110ac0129b996c5.txt"
MAIN = "from cleaner.cli import main; main()"


def newsclean(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real command in a subprocess (exit statuses and stderr as a user sees them)."""
    return subprocess.run([sys.executable, "-c", MAIN, *args], input=stdin, capture_output=True, cwd=cwd)


def test_text_file_to_stdout_is_a_filter() -> None:
    result = CliRunner().invoke(app, ["clean", str(SEED), "--quiet"])
    assert result.exit_code == 0, result.output
    from cleaner.pipeline import Cleaner

    assert result.stdout == Cleaner().clean(SEED.read_text()).text


def test_stdin_to_stdout_in_a_real_process() -> None:
    data = SEED.read_bytes()
    done = newsclean("clean", "-", stdin=data)
    assert done.returncode == 0, done.stderr
    again = newsclean("clean", "-", stdin=done.stdout)  # idempotent through the whole command
    assert again.stdout == done.stdout and len(done.stdout) < len(data)
    assert b"documents: 1 in, 1 cleaned, 0 rejected" in done.stderr
    assert b"\x1b[" not in done.stderr  # no progress bar or colours when stderr is not a terminal


def test_rejects_give_exit_status_1_and_a_rejects_file(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "batch" / "mixed.jsonl", tmp_path / "mixed.jsonl")
    done = newsclean("clean", "mixed.jsonl", "-o", "out.jsonl", "--ledger", "ledger.jsonl", "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert b"7 rejected (listed in out.rejects.jsonl)" in done.stderr
    rejects = (tmp_path / "out.rejects.jsonl").read_text().splitlines()
    assert len(rejects) == 7 and json.loads(rejects[0])["input"] == {"file": "mixed.jsonl", "line": 5}
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 5
    assert len((tmp_path / "ledger.jsonl").read_text().splitlines()) == 5


def test_usage_errors_exit_2_and_write_nothing(tmp_path: Path) -> None:
    done = newsclean("clean", "missing.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(b"newsclean: error: input 'missing.jsonl' does not exist")
    (tmp_path / "in.jsonl").write_text('{"text": "x"}\n')
    done = newsclean("clean", "in.jsonl", "-o", "in.jsonl", cwd=tmp_path)
    assert done.returncode == 2 and b"refusing to write the output" in done.stderr
    done = newsclean("clean", "in.jsonl", "--rules", "no-such-dir", "-o", "o.jsonl", cwd=tmp_path)
    assert done.returncode == 2 and b"--rules 'no-such-dir' does not exist or is not a directory" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
    assert (tmp_path / "in.jsonl").read_text() == '{"text": "x"}\n'


def test_field_options_rename_text_id_and_url(tmp_path: Path) -> None:
    text = SEED.read_text()
    record = {"key": "k1", "link": "https://example.com/a", "body": text, "other": [1, {"a": None}]}
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n")
    args = ["clean", str(tmp_path / "in.jsonl"), "--text-field", "body", "--id-field", "key"]
    args += ["--url-field", "link", "-o", str(tmp_path / "out.jsonl"), "--ledger", str(tmp_path / "l.jsonl")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads((tmp_path / "out.jsonl").read_text())
    assert list(out) == ["key", "link", "body", "other"] and out["other"] == [1, {"a": None}]
    assert len(out["body"]) < len(text)
    ledger = json.loads((tmp_path / "l.jsonl").read_text())
    assert (ledger["id"], ledger["url"]) == ("k1", "https://example.com/a")


def test_extra_rules_directory_is_used(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "example.com.toml").write_text(
        '[site]\ndomains = ["example.com"]\n\n[[rule]]\nid = "promo"\nkind = "line"\n'
        "pattern = '(?m)^Subscribe to our newsletter!$'\nreason = \"newsletter promo\"\n"
    )
    record = {"url": "https://example.com/x", "text": "A real first paragraph.\nSubscribe to our newsletter!\n"}
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n")
    args = ["clean", str(tmp_path / "in.jsonl"), "--rules", str(rules), "-o", str(tmp_path / "o.jsonl")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o.jsonl").read_text())["text"] == "A real first paragraph.\n"
    assert re.search(r"example\.com/promo +1 removal +29 chars", result.stderr), result.stderr


def test_html_directory_becomes_a_mirrored_text_tree(tmp_path: Path) -> None:
    (tmp_path / "pages" / "sub").mkdir(parents=True)
    shutil.copy(FIXTURES / "html" / "article.html", tmp_path / "pages" / "sub" / "article.html")
    (tmp_path / "pages" / "empty.html").write_text("<html><body></body></html>")
    result = CliRunner().invoke(app, ["clean", str(tmp_path / "pages"), "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1, result.output  # the empty page is rejected, the article is cleaned
    cleaned = (tmp_path / "out" / "sub" / "article.txt").read_text()
    assert cleaned and cleaned.splitlines()[0] in (FIXTURES / "html" / "article.expected.txt").read_text()
    assert not (tmp_path / "out" / "empty.txt").exists()
    [reject] = (tmp_path / "out.rejects.jsonl").read_text().splitlines()
    assert json.loads(reject)["input"]["file"].endswith("empty.html")


def test_output_name_must_match_the_format_and_ledger_is_compressed_by_name(tmp_path: Path) -> None:
    import gzip

    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Share this article\\nA paragraph of the article."}\n', encoding="utf-8")
    for wrong in ("c.parquet", "c.txt"):
        done = newsclean("clean", str(corpus), "-o", str(tmp_path / wrong))
        assert done.returncode == 2 and not (tmp_path / wrong).exists()
        assert b"name the output" in done.stderr
    ledger = tmp_path / "ledger.jsonl.gz"
    done = newsclean("clean", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--ledger", str(ledger))
    assert done.returncode == 0, done.stderr
    entry = json.loads(gzip.decompress(ledger.read_bytes()))
    assert entry["removed"][0]["rule"] == "_default/share-prompt"
