"""`--comments drop|keep` (issue 19): HTML reader comments are dropped by default and extracted with `keep`, where
the bundled `_comments` rules remove the comment widget's own text (Reply, Loading comments..., Leave a Reply).

Real trafilatura on a fixture page (fixtures/html/comments.html: an article, then a comment section whose widget
text trafilatura does extract); the option's way through the process workers is checked here, Dask's in
test_batch_dask.py and the resume fingerprint in test_batch_state.py / test_batch_resume.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.batch import BatchConfig, run_batch
from cleaner.checks import COMMENTS
from cleaner.errors import ConfigError
from cleaner.extract import OPTIONS, extract
from cleaner.io.html import read_html
from cleaner.record import Document
from cleaner.settings import load_settings
from tests.helpers import FIXTURES, assert_invariants, check_golden, run_main

PAGE = FIXTURES / "html" / "comments.html"
COMMENT_TEXT = [
    "Finally! I have waited years for a direct connection to the airport from the station.",
    "Eleven kilometres for that price seems expensive compared with the line they built in the next city.",
]
WIDGET_LINES = [
    "3 comments",
    "Sort by Newest",
    "Reply",
    "Report comment",
    "Show more replies",
    "Leave a Reply",
    "You must log in to post a comment.",
    "Loading comments...",
    "comments powered by Disqus",
]
ARTICLE_MENTION = "The transport minister did not reply to a request for comment"


def _clean_page(comments: str) -> Document:
    (doc,) = Cleaner(comments=comments).clean_many(read_html(PAGE))
    assert isinstance(doc, Document)
    return doc


def test_extract_keeps_comments_only_when_asked_and_says_so() -> None:
    html = PAGE.read_bytes()
    dropped, kept = extract(html), extract(html, comments="keep")
    assert extract(html, comments="drop") == dropped
    assert dropped.info["options"] == OPTIONS and dropped.info["options"]["include_comments"] is False
    assert kept.info["options"] == {**OPTIONS, "include_comments": True}
    assert dropped.text and kept.text
    assert not any(text in dropped.text for text in COMMENT_TEXT)
    assert all(text in kept.text for text in COMMENT_TEXT)
    assert "Loading comments..." in kept.text.splitlines()  # trafilatura leaves the widget text: the rules' job
    with pytest.raises(ValueError, match="comments must be one of drop, keep, got 'yes'"):
        extract(html, comments="yes")


def test_drop_is_the_default_and_leaves_the_comments_out() -> None:
    doc = _clean_page("drop")
    (default,) = Cleaner().clean_many(read_html(PAGE))
    assert isinstance(default, Document)
    assert doc.text == default.text and [r.to_json() for r in doc.removals] == [r.to_json() for r in default.removals]
    assert doc.extraction == default.extraction and doc.extraction is not None
    assert doc.extraction["options"]["include_comments"] is False
    assert doc.text is not None and ARTICLE_MENTION in doc.text
    assert not any(text in doc.text for text in [*COMMENT_TEXT, "Reply", "Loading comments"])
    check_golden(FIXTURES / "html" / "comments.drop.expected.txt", doc.text)


def test_keep_has_the_comments_without_the_widget_text_and_the_ledger_names_the_rules() -> None:
    doc = _clean_page("keep")
    assert doc.text is not None and doc.extraction is not None
    assert doc.extraction["options"]["include_comments"] is True
    lines = doc.text.splitlines()
    assert all(text in lines for text in COMMENT_TEXT)
    assert ARTICLE_MENTION in doc.text  # an article sentence about replying and comments stays
    assert not set(WIDGET_LINES) & set(lines)
    removed = {line: r.rule for r in doc.removals for line in r.text.splitlines()}
    assert set(removed) == set(WIDGET_LINES)
    assert removed["Reply"] == "_comments/comment-actions"
    assert removed["Leave a Reply"] == removed["You must log in to post a comment."] == "_comments/comment-form"
    assert removed["Loading comments..."] == removed["comments powered by Disqus"] == "_comments/comment-widget"
    assert removed["3 comments"] == "_comments/comment-count" and removed["Sort by Newest"] == "_comments/comment-sort"
    assert all(r.stage == "rule" and r.reason for r in doc.removals)
    assert_invariants(doc, Cleaner(comments="keep"))
    check_golden(FIXTURES / "html" / "comments.keep.expected.txt", doc.text)


def test_text_inputs_are_unaffected_by_keep() -> None:
    """The `_comments` rules apply only to text extracted with its comments: a text input is cleaned as before."""
    text = "The council met on Tuesday.\nReply\nLoading comments...\nLeave a Reply\nShare this article\n"
    dropped, kept = Cleaner().clean(text), Cleaner(comments="keep").clean(text)
    assert kept.text == dropped.text == "The council met on Tuesday.\nReply\nLoading comments...\nLeave a Reply\n"
    assert [r.rule for r in kept.removals] == ["_default/share-prompt"]


@pytest.mark.parametrize("bad", ["yes", "Keep", True, None, 1])
def test_a_bad_value_is_refused_at_the_door_naming_the_choices(bad: object) -> None:
    with pytest.raises(ConfigError, match=r"comments \(--comments\) must be one of drop, keep, got "):
        Cleaner(comments=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="--comments must be one of drop, keep"):
        run_batch(BatchConfig(inputs=[str(PAGE)], comments=bad), note=lambda m: None)  # type: ignore[arg-type]


def test_cli_keep_writes_comments_and_the_ledger_shows_the_option(tmp_path: Path, capsys, monkeypatch) -> None:
    ledger = tmp_path / "ledger.jsonl"
    code, out, err = run_main(["clean", str(PAGE), "--comments", "keep", "--ledger", str(ledger)], capsys, monkeypatch)
    assert code == 0, err
    assert out == (FIXTURES / "html" / "comments.keep.expected.txt").read_text(encoding="utf-8")
    (entry,) = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert entry["extraction"]["options"]["include_comments"] is True
    assert {r["rule"] for r in entry["removed"]} >= {"_comments/comment-actions", "_comments/comment-form"}
    code, out, err = run_main(["clean", str(PAGE)], capsys, monkeypatch)
    assert code == 0 and out == (FIXTURES / "html" / "comments.drop.expected.txt").read_text(encoding="utf-8")


def test_cli_refuses_a_bad_value_with_exit_2(capsys, monkeypatch) -> None:
    code, out, err = run_main(["clean", str(PAGE), "--comments", "all"], capsys, monkeypatch)
    assert code == 2 and out == "" and "Traceback" not in err
    assert "--comments must be one of drop, keep, got 'all'" in err


@pytest.mark.parametrize("command", ["clean", "diff"])
def test_help_shows_the_choices(command: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_main([command, "--help"], capsys, monkeypatch)
    assert code == 0 and f"--comments [{'|'.join(COMMENTS)}]" in " ".join(out.split())
    assert COMMENTS == ("drop", "keep")


def test_diff_shows_what_keep_removes(capsys, monkeypatch) -> None:
    code, out, err = run_main(["diff", str(PAGE), "--comments", "keep", "--color", "never"], capsys, monkeypatch)
    assert code == 0, err
    assert "rule _comments/comment-form" in out and COMMENT_TEXT[0] in out
    code, out, err = run_main(["diff", str(PAGE), "--color", "never"], capsys, monkeypatch)
    assert code == 0 and "_comments/" not in out and COMMENT_TEXT[0] not in out


def test_the_config_file_sets_it_and_checks_it(tmp_path: Path) -> None:
    (tmp_path / "newsclean.toml").write_text('comments = "keep"\n')
    defaults = load_settings(tmp_path).default_map()
    assert defaults["clean"] == {"comments": "keep"} and defaults["diff"] == {"comments": "keep"}
    assert "comments" not in defaults.get("learn", {})
    (tmp_path / "newsclean.toml").write_text('[clean]\ncomments = "everything"\n')
    with pytest.raises(ConfigError, match=r"comments it must be one of drop, keep, got 'everything'"):
        load_settings(tmp_path)


def _pages(directory: Path, count: int = 6) -> Path:
    """Copies of the fixture page with their own comment text, so that the documents differ."""
    directory.mkdir(parents=True)
    html = PAGE.read_text(encoding="utf-8")
    for index in range(count):
        page = html.replace("Finally!", f"Reader {index} writes: finally!")
        (directory / f"page{index}.html").write_text(page, encoding="utf-8")
    shutil.copy(PAGE, directory / "page-original.html")
    return directory


@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_jobs_2_gives_the_output_and_ledger_of_jobs_1_with_keep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """Forked workers inherit the parent's Cleaner; forkserver ones build theirs from `cleaner_options()`."""
    import threading

    pages = _pages(tmp_path / "pages")
    found = []
    for jobs in (1, 2):
        if jobs == 2 and start == "forkserver":
            monkeypatch.setattr(threading, "active_count", lambda: 2)  # a parent with threads does not fork
        out = tmp_path / f"jobs{jobs}"
        config = BatchConfig(
            inputs=[str(pages)],
            output=str(out / "all.jsonl"),
            ledger=str(out / "ledger.jsonl"),
            jobs=jobs,
            comments="keep",
        )
        summary = run_batch(config, note=lambda m: None)
        assert summary.docs_in == 7 and summary.rejected == 0
        found.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert found[0] == found[1]
    records = [json.loads(line) for line in found[0]["all.jsonl"].splitlines()]
    assert all(COMMENT_TEXT[1] in r["text"] and "\nReply\n" not in r["text"] for r in records)
    entries = [json.loads(line) for line in found[0]["ledger.jsonl"].splitlines()]
    assert all(e["extraction"]["options"]["include_comments"] is True for e in entries)


def test_a_comments_file_of_ones_own_replaces_the_bundled_one_and_is_scoped_alike(tmp_path: Path) -> None:
    from cleaner.rules import bundled_rules_dir

    mine = tmp_path / "rules"
    mine.mkdir()
    (mine / "_comments.toml").write_text(
        '[[rule]]\nid = "reply"\nkind = "line"\npattern = \'Reply\'\nreason = "reply link"\nremoves = ["Reply"]\n'
    )
    cleaner = Cleaner(rules=[bundled_rules_dir(), mine], comments="keep")
    (doc,) = cleaner.clean_many(read_html(PAGE))
    assert isinstance(doc, Document) and doc.text is not None
    assert {r.rule for r in doc.removals} == {"_comments/reply"}  # the bundled file's rules are replaced
    assert "Loading comments..." in doc.text.splitlines() and "Reply" not in doc.text.splitlines()
    assert cleaner.clean("The council met on Tuesday.\nReply\n").removals == []  # text: not extracted with comments


def test_html_in_json_lines_records_is_extracted_with_its_comments_too(tmp_path: Path) -> None:
    records = tmp_path / "pages.jsonl"
    page = PAGE.read_text(encoding="utf-8")
    records.write_text(json.dumps({"id": "p", "html": page}) + "\n" + json.dumps({"id": "t", "text": "Reply\n"}) + "\n")
    out = tmp_path / "out.jsonl"
    run_batch(BatchConfig(inputs=[str(records)], output=str(out), comments="keep"), note=lambda m: None)
    html_doc, text_doc = (json.loads(line) for line in out.read_text().splitlines())
    assert html_doc["text"] == (FIXTURES / "html" / "comments.keep.expected.txt").read_text(encoding="utf-8")
    assert text_doc["text"] == "Reply\n"  # a record with text is not extracted: unaffected
