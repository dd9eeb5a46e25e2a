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
from tests.helpers import FIXTURES, check_golden, run_main

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


def _flattened(words: int = 900) -> tuple[Document, list[Removal]]:
    """A 5,000-character single line with three removals by different rules, as a flattened article gives."""
    text = " ".join(f"word{i % 97}" for i in range(words))
    source = text[:1500] + " Share this article. " + text[1500:3000] + " Photo: AP. " + text[3000:]
    source += " Advertisement.\n"
    doc = Document(id="flat", source=source)
    removals = []
    for needle, rule in ((" Share this article.", "x/share"), (" Photo: AP.", "x/credit"), (" Advertisement.", "x/ad")):
        start = source.index(needle)
        removals.append(Removal(start, start + len(needle), needle, "rule", f"reason of {rule}", rule=rule))
    doc.removals.extend(removals)
    assert len(source) > 5000 and source.count("\n") == 1
    return doc, removals


def test_each_removal_inside_one_long_line_is_shown_next_to_its_reason() -> None:
    doc, removals = _flattened()
    lines = render_diff(doc).splitlines()
    assert [line.split(" · ")[1] for line in lines if line.startswith("@@")] == ["rule x/share", "rule x/credit",
                                                                                 "rule x/ad"]
    for index, removal in enumerate(removals):  # each header is followed by the piece holding its removal
        header = lines[2 * index]
        assert header.startswith("@@ line 1 · rule " + removal.rule) and f"reason of {removal.rule}" in header
        piece = lines[2 * index + 1]
        assert piece.startswith("~ 1  ") and piece.endswith(f"[-{removal.text}-]") and piece.count("[-") == 1
    assert "".join(line[5:] for line in lines if line.startswith("~")).replace("[-", "").replace("-]", "") == (
        doc.source.rstrip("\n")
    )


def test_context_in_characters_and_lines() -> None:
    from cleaner.review.diff import Context

    doc, removals = _flattened()
    out = render_diff(doc, context=Context(chars=20)).splitlines()
    assert len(out) == 6 and all(len(line) < 120 for line in out if line.startswith("~"))
    share = removals[0]
    assert out[1] == f"~ 1  …{doc.source[share.start - 20 : share.start]}[-{share.text}-]" \
        f"{doc.source[share.end : share.end + 20]}…"
    focused = render_diff(doc, context=Context(chars=5), focus=lambda r: r.rule == "x/credit").splitlines()
    assert len(focused) == 2 and "x/credit" in focused[0]
    seed = Cleaner().clean(SEED.read_text(encoding="utf-8"))
    lines = render_diff(seed, context=Context(lines=1)).splitlines()
    kept = [m.group(1) for line in lines if (m := re.match(r"  +(\d+)  ", line))]
    assert kept == ["1", "3", "13"]  # the lines next to removed ones only
    assert "  …" in "\n".join(lines) and "9 kept lines" in "\n".join(lines)
    assert Context.parse("3") == Context(lines=3) and Context.parse("200c") == Context(chars=200)
    with pytest.raises(ValueError, match="N lines"):
        Context.parse("lots")


def test_cli_diff_filters_on_a_corpus(tmp_path, capsys, monkeypatch) -> None:
    from tests.test_review import make_run

    run = make_run(tmp_path)
    corpus, ledger, out = str(run["corpus"]), str(run["ledger"]), str(run["out"])

    def ids(*args: str, source: tuple[str, ...] = ("--ledger", ledger, "--cleaned", out)) -> list[str]:
        code, text, err = run_main(["diff", *source, *args], capsys, monkeypatch)
        assert code in (0, 1), err
        return re.findall(r"^== (\S+) \(", text, flags=re.M)

    everything = ["turan", "share", "plain", "evil", "twice", "slow"]
    assert ids() == everything == ids(source=(corpus,))  # the ledger gives what cleaning again gives
    assert ids("--changed-only") == ["turan", "share", "evil", "twice"]
    assert ids("--rule", "_promo/promo") == ["evil"]
    assert ids("--rule", "turan.az/*", "--rule", "_default/*") == ["turan", "share"]
    assert ids("--stage", "neardup") == ["turan", "twice"]
    assert ids("--site", "news.example.com") == ["share", "twice"]
    assert ids("--site", "turan.az", source=(corpus,)) == ["turan"]
    assert ids("--id", "plain", "--id", "evil") == ["plain", "evil"]
    assert ids("--site", "evil.example.net") == ["evil", "slow"]
    sampled = ids("--sample", "2")
    assert len(sampled) == 2 and sampled == ids("--sample", "2") and set(sampled) <= set(everything)
    assert sampled == [i for i in everything if i in sampled]
    code, text, _ = run_main(["diff", "--ledger", ledger, "--cleaned", out, "--rule", "_promo/promo",
                              "--context", "10c"], capsys, monkeypatch)
    assert code == 0 and text.count("@@") == 2 and "[-Promo </script>" in text and "…" in text
    code, text, _ = run_main(["diff", "--ledger", ledger, "--cleaned", out, "--id", "turan", "--context", "0"],
                             capsys, monkeypatch)
    assert code == 0 and not re.search(r"^  +\d+  ", text, flags=re.M) and "- 14  Politics" in text
    code, _, err = run_main(["diff", "--ledger", ledger], capsys, monkeypatch)
    assert code == 2 and "--ledger needs --cleaned" in err
    code, _, err = run_main(["diff", corpus, "--context", "many"], capsys, monkeypatch)
    assert code == 2 and "--context takes" in err
