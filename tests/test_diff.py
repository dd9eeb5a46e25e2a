"""The diff view: golden plain diff of seed 003, colour only when asked, the CLI's --color choices."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from cleaner.cli.diff import want_color
from cleaner.errors import ConfigError
from cleaner.pipeline import Cleaner
from cleaner.record import Document, Removal
from cleaner.review.diff import render_diff
from tests.conftest import FIXTURES, check_golden, run_main

SEED = FIXTURES / "rules" / "seed_003" / "input.txt"
GOLDEN = FIXTURES / "rules" / "seed_003" / "expected.diff.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_seed_003_plain_diff_golden() -> None:
    doc = Cleaner().clean(SEED.read_text(encoding="utf-8"))
    plain = doc.diff()
    check_golden(GOLDEN, plain)
    assert "\x1b[" not in plain
    assert "@@ line 2 · neardup · duplicates line 1 · score 1.000" in plain
    assert "@@ lines 14-22 · rule turan.az/sidebar-teasers · section sidebar" in plain
    kept = [line[6:] for line in plain.splitlines() if line.startswith("  ")]
    assert "\n".join(kept) + "\n" == doc.text  # the unmarked lines are exactly the cleaned text


def test_colour_is_the_plain_diff_plus_ansi() -> None:
    doc = Cleaner().clean(SEED.read_text(encoding="utf-8"))
    coloured = doc.diff(color=True)
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == doc.diff(color=False)


def test_span_removals_and_warnings_are_shown() -> None:
    doc = Document(id="d", source="Crowds gathered (Photo: AP) in the square.\nNext line.\n")
    doc.removals.append(Removal(16, 28, "(Photo: AP) ", "rule", "photo credit", rule="x/credit"))
    doc.warnings.append("rule x/evil: pattern timed out after 0.25s; skipped for this document")
    assert render_diff(doc).splitlines() == [
        "@@ line 1 · rule x/credit · photo credit @@",
        "~ 1  Crowds gathered [-(Photo: AP) -]in the square.",
        "  2  Next line.",
        "!! rule x/evil: pattern timed out after 0.25s; skipped for this document",
    ]


def test_markers_in_the_text_itself_are_escaped_on_lines_with_removed_spans() -> None:
    """`Scores were [-3-] ...` read as three removals where the ledger had one."""
    source = "Scores were [-3-] and a\\b today [ad] in the league.\n"
    start = source.index("[ad] ")
    doc = Document(id="d", source=source)
    doc.removals.append(Removal(start, start + 5, "[ad] ", "rule", "ad", rule="x/ad"))
    line = render_diff(doc).splitlines()[1]
    assert line == "~ 1  Scores were [\\-3-\\] and a\\\\b today [-[ad] -]in the league."
    assert line.count("[-") == 1


def test_want_color() -> None:
    assert want_color("auto", True) and not want_color("auto", False)
    assert want_color("always", False) and not want_color("never", True)
    with pytest.raises(ConfigError, match="--color must be one of auto, always, never"):
        want_color("sometimes", True)


def test_cli_diff(capsys, monkeypatch) -> None:
    code, out, _ = run_main(["diff", str(SEED)], capsys, monkeypatch)  # piped: auto means plain
    assert code == 0 and out == GOLDEN.read_text(encoding="utf-8")
    code, out, _ = run_main(["diff", str(SEED), "--color", "always"], capsys, monkeypatch)
    assert code == 0 and "\x1b[" in out and ANSI.sub("", out) == GOLDEN.read_text(encoding="utf-8")
    code, _, err = run_main(["diff", str(SEED), "--color", "rainbow"], capsys, monkeypatch)
    assert code == 2 and "--color must be one of" in err
    code, _, err = run_main(["diff", "no/such/file.txt"], capsys, monkeypatch)
    assert code == 2 and "no/such/file.txt" in err and "does not exist" in err


def test_cli_diff_stdin_url_and_extra_rules(tmp_path: Path, capsys, monkeypatch) -> None:
    import io

    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "_extra.toml").write_text(
        "[[rule]]\nid = 'promo'\nkind = 'line'\npattern = 'Promo'\nreason = 'promo line'\n", encoding="utf-8"
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Title\nPromo\nBody text.\nLeave a review\n")))
    args = ["diff", "-", "--rules", str(tmp_path / "r"), "--url", "https://turan.az/x"]
    code, out, _ = run_main(args, capsys, monkeypatch)
    assert code == 0
    assert "@@ line 2 · rule _extra/promo · promo line @@" in out
    assert "@@ line 4 · rule turan.az/leave-a-review" in out


def test_cli_diff_reads_like_clean(tmp_path, capsys, monkeypatch) -> None:
    """UTF-16 text is decoded as `clean` decodes it; a corpus shows one diff per document, named."""
    utf16 = tmp_path / "u16.txt"
    utf16.write_bytes("Hello world".encode("utf-16"))
    code, out, _ = run_main(["diff", str(utf16), "--color", "never"], capsys, monkeypatch)
    assert code == 0 and out == "  1  Hello world\n"
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Share this article"}\n{"id": "b"}\n', encoding="utf-8")
    code, out, err = run_main(["diff", str(corpus), "--color", "never"], capsys, monkeypatch)
    assert code == 1 and out.startswith("== a (") and "_default/share-prompt" in out and "rejected" in err


def test_cli_diff_url_wins_and_html_records_are_read_like_clean(tmp_path, capsys, monkeypatch) -> None:
    """--url picks the site rules even where the page declares another URL; an HTML record in a field of its own
    (--html-field), with no text, is extracted and placed by the URL its page declares."""
    import json

    body = "".join(f"<p>Paragraph {i} of a story about the city council and its budget.</p>" for i in range(4))
    page = (
        '<html><head><link rel="canonical" href="https://turan.az/story"></head><body><article>'
        f"{body}<p>Leave a review</p></article></body></html>"
    )
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "p", "text": None, "content": page}) + "\n", encoding="utf-8")
    code, out, err = run_main(["diff", str(corpus), "--html-field", "content", "--color", "never"], capsys, monkeypatch)
    assert code == 0, err
    assert "rule turan.az/leave-a-review" in out  # the page's canonical URL placed it on turan.az
    args = ["diff", str(corpus), "--html-field", "content", "--url", "https://other.example/x", "--color", "never"]
    code, out, _ = run_main(args, capsys, monkeypatch)
    assert code == 0 and "turan.az/leave-a-review" not in out  # --url wins over the page's own
    (tmp_path / "e.jsonl").write_text('{"id": "e", "html": " "}\n', encoding="utf-8")
    code, _, err = run_main(["diff", str(tmp_path / "e.jsonl")], capsys, monkeypatch)
    assert code == 1 and "field 'html' is empty and there is no text" in err


def test_cli_diff_names_each_record_of_json_lines_on_stdin(capsys, monkeypatch) -> None:
    import io

    lines = b'{"id": "a", "text": "Share this article"}\n{"id": "b", "text": "Body text."}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    code, out, _ = run_main(["diff", "-", "--stdin-format", "jsonl", "--color", "never"], capsys, monkeypatch)
    assert code == 0 and out.startswith("== a (") and "\n== b (" in out
