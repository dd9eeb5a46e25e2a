"""Reviewing a run: ledgers read back and joined to their outputs, stats, deterministic samples, the report page.
The browser checks of the page are in test_report_browser.py."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from cleaner.normalize import normalize
from cleaner.record import Removal
from cleaner.review.ledger import LedgerError, iter_documents, iter_ledger
from cleaner.review.report import SAMPLES_PER_GROUP, write_report
from cleaner.review.sample import DocFilter, Sample, sample, sample_hash
from tests.helpers import FIXTURES, SLOW_LINE, run_main, slow_rule_dir

SEED = (FIXTURES / "rules" / "seed_003" / "input.txt").read_text(encoding="utf-8")
INJECTED = "Promo </script><img id=injected src=x onerror=\"document.title='pwned'\"><b>bold</b> &amp;"


def make_run(tmp_path: Path) -> dict[str, Path]:
    """A small run over four sites: rule and near-duplicate removals, an unchanged document, a removal holding
    HTML and `</script>`, and a rejected record; returns its corpus, output, ledger and rejects."""
    rules = slow_rule_dir(tmp_path / "rules")  # a pattern that times out on SLOW_LINE: a warning
    (rules / "_promo.toml").write_text(
        "[[rule]]\nid = 'promo'\nkind = 'line'\npattern = 'Promo .*'\nreason = 'promo line <i>with markup</i>'\n",
        encoding="utf-8",
    )
    body = "A paragraph of the story about the harbour and the ships that came in on Monday morning."
    records = [
        {"id": "turan", "url": "https://turan.az/story", "text": SEED},
        {"id": "share", "url": "https://news.example.com/a", "text": f"Headline here\n{body}\nShare this article\n"},
        {"id": "plain", "url": "https://other.example.org/b", "text": f"{body}\nAnother paragraph, all kept.\n"},
        {"id": "evil", "url": "https://evil.example.net/c", "text": f"{body}\n{INJECTED}\nThe end of it.\n"},
        {"id": "nobody"},
        {"id": "twice", "url": "https://news.example.com/d", "text": f"{body} Again.\n{body} Again.\nLast line.\n"},
        {"id": "slow", "url": "https://evil.example.net/s", "text": f"{body}\n{SLOW_LINE}\n"},
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    from cleaner.batch import BatchConfig, run_batch

    out, ledger = tmp_path / "out.jsonl", tmp_path / "ledger.jsonl"
    config = BatchConfig([str(corpus)], output=str(out), ledger=str(ledger), rules=[str(rules)], progress=False)
    assert run_batch(config, note=lambda _: None).rejected == 1
    return {"corpus": corpus, "out": out, "ledger": ledger, "rejects": tmp_path / "out.rejects.jsonl"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_run(tmp_path_factory.mktemp("run"))


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- ledger and outputs ---------------------------------------------------------------------------------------


def test_documents_are_rebuilt_from_ledger_and_output(run) -> None:
    originals = {json.loads(line).get("id"): json.loads(line) for line in run["corpus"].read_text().splitlines()}

    docs = [(entry, entry.document(text)) for entry, text in iter_documents(run["ledger"], [run["out"]])]
    assert [entry.id for entry, _ in docs] == ["turan", "share", "plain", "evil", "twice", "slow"]
    for entry, doc in docs:
        assert doc.source == normalize(originals[entry.id]["text"])
        assert len(doc.source) == entry.chars_in and doc.site == entry.site


def test_text_file_and_tree_outputs_are_joined(tmp_path, capsys, monkeypatch) -> None:
    tree = tmp_path / "in" / "sub"
    tree.mkdir(parents=True)
    (tree / "a.txt").write_text(SEED, encoding="utf-8")
    (tmp_path / "in" / "b.html").write_text(
        "<html><body><article>"
        + "".join(f"<p>Paragraph {i} of a story about the council budget.</p>" for i in range(4))
        + "<p>Share this article</p></article></body></html>",
        encoding="utf-8",
    )
    ledger = tmp_path / "l.jsonl"
    code, _, err = run_main(["clean", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "--ledger", str(ledger)],
                            capsys, monkeypatch)
    assert code == 0, err
    docs = list(iter_documents(ledger, [tmp_path / "o"]))
    assert len(docs) == 2 and all(entry.document(text).text == text for entry, text in docs)
    # a text document cleaned to stdout, as a filter does
    code, out, _ = run_main(["clean", str(tree / "a.txt"), "--ledger", str(ledger)], capsys, monkeypatch)
    (tmp_path / "stdout.txt").write_text(out, encoding="utf-8")
    (joined,) = list(iter_documents(ledger, [tmp_path / "stdout.txt"]))
    assert joined[1] == out and joined[0].document(out).source == normalize(SEED)


def test_a_ledger_line_that_is_not_json_names_file_and_line(tmp_path) -> None:
    ledger = tmp_path / "l.jsonl"
    ledger.write_text('{"id": "a", "removed": [], "chars_in": 3, "chars_out": 3}\n{"id": "b", oops\n')
    with pytest.raises(LedgerError, match=re.escape(f"{ledger}:2: not a JSON ledger line")):
        list(iter_ledger(ledger))
    ledger.write_text('{"id": "a", "removed": [], "chars_in": 3, "chars_out": 2}\n')
    with pytest.raises(LedgerError, match=":1: chars_in minus the removed characters is not chars_out"):
        list(iter_ledger(ledger))
    ledger.write_text('{"id": "a", "removed": [{"start": 0}], "chars_in": 3, "chars_out": 3}\n')
    with pytest.raises(LedgerError, match=":1: removal 0 is not a removal"):
        list(iter_ledger(ledger))


def test_a_ledger_from_another_run_is_detected(run, tmp_path) -> None:
    records = _lines(run["out"])
    records[1]["text"] += "extra"
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(LedgerError, match=r"ledger.jsonl:2 \(id 'share'\) does not match .*different runs"):
        list(iter_documents(run["ledger"], [other]))
    records = _lines(run["out"])
    records[0], records[1] = records[1], records[0]
    other.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(LedgerError, match=r"has id 'share'.*different runs"):
        list(iter_documents(run["ledger"], [other]))
    other.write_text("".join(json.dumps(r) + "\n" for r in [*_lines(run["out"]), _lines(run["out"])[0]]))
    with pytest.raises(LedgerError, match="holds more cleaned documents than"):
        list(iter_documents(run["ledger"], [other]))


def test_cli_bad_input_messages(run, tmp_path, capsys, monkeypatch) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code, _, err = run_main(["stats", str(empty)], capsys, monkeypatch)
    assert code == 2 and "holds no documents" in err and "Traceback" not in err
    code, _, err = run_main(["report", str(empty), "-o", str(tmp_path / "r.html")], capsys, monkeypatch)
    assert code == 2 and "holds no documents" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    for args in (["stats", str(bad)], ["diff", "--ledger", str(bad), "--cleaned", str(run["out"])]):
        code, _, err = run_main(args, capsys, monkeypatch)
        assert code == 2 and f"{bad}:1: not a JSON ledger line" in err
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(run["out"].read_text().replace("Another paragraph", "A different paragraph!"))
    args = ["report", str(run["ledger"]), "--cleaned", str(wrong), "-o", str(tmp_path / "r.html")]
    code, _, err = run_main(args, capsys, monkeypatch)
    assert code == 2 and "different runs" in err and not (tmp_path / "r.html").exists()


# -- stats ------------------------------------------------------------------------------------------------------


def test_stats_numbers_match_the_ledger(run, capsys, monkeypatch) -> None:
    lines = _lines(run["ledger"])
    code, out, _ = run_main(["stats", str(run["ledger"]), "--json"], capsys, monkeypatch)
    assert code == 0
    got = json.loads(out)
    removals = [r for line in lines for r in line["removed"]]
    assert got["documents"] == len(lines) == 6 and got["with_warnings"] == 1
    assert got["chars_in"] == sum(line["chars_in"] for line in lines)
    assert got["chars_removed"] == sum(r["end"] - r["start"] for r in removals)
    chars_by_rule = Counter()
    docs_by_rule: dict[str, set[str]] = {}
    for line in lines:
        for r in line["removed"]:
            if r["rule"]:
                chars_by_rule[r["rule"]] += r["end"] - r["start"]
                docs_by_rule.setdefault(r["rule"], set()).add(line["id"])
    assert {k: v["chars"] for k, v in got["by_rule"].items()} == dict(chars_by_rule)
    assert {k: v["documents"] for k, v in got["by_rule"].items()} == {k: len(v) for k, v in docs_by_rule.items()}
    assert set(got["by_rule"]) == {"turan.az/sidebar-teasers", "turan.az/leave-a-review", "_default/share-prompt",
                                   "_promo/promo"}
    assert got["by_stage"]["neardup"]["removals"] == sum(r["stage"] == "neardup" for r in removals)
    share = got["by_rule"]["_promo/promo"]["share"]
    assert share == round(chars_by_rule["_promo/promo"] / got["chars_in"], 6)
    sites = got["by_site"]
    assert set(sites) == {"turan.az", "news.example.com", "other.example.org", "evil.example.net"}
    assert sites["news.example.com"]["documents_total"] == 2 and sites["other.example.org"]["chars"] == 0
    # piped without --json: tab-separated rows
    code, out, _ = run_main(["stats", str(run["ledger"])], capsys, monkeypatch)
    assert code == 0 and "rule\t_promo/promo\t1\t1\t" in out and "site\tturan.az\t1\t" in out


# -- samples and filters -----------------------------------------------------------------------------------------


def test_sample_is_deterministic_bounded_and_order_free() -> None:
    ids = [f"doc-{i}" for i in range(500)]
    first = sample(ids, 7, str)
    assert len(first) == 7 and first == sample(ids, 7, str)
    assert sorted(sample(list(reversed(ids)), 7, str)) == sorted(first)
    assert set(sample(ids, 3, str)) <= set(first)  # a larger sample contains the smaller
    assert first == sorted(first, key=ids.index)  # original order
    expected = sorted(ids, key=lambda i: sample_hash(i))[:7]
    assert sorted(first) == sorted(expected)
    kept: Sample[str] = Sample(0)
    kept.add(1, "x")
    assert kept.items() == [] and sample(ids[:2], 5, str) == ids[:2]


def test_doc_filter() -> None:
    rule = Removal(0, 3, "abc", "rule", "r", rule="turan.az/leave-a-review")
    dup = Removal(5, 8, "abc", "neardup", "d", dup_of=(0, 3), score=1.0)
    assert DocFilter().accepts("a", "x", None, [])
    assert not DocFilter(changed_only=True).accepts("a", "x", None, [])
    assert DocFilter(rules=["turan.az/*"]).accepts("a", "x", None, [dup, rule])
    assert not DocFilter(rules=["_default/*"]).accepts("a", "x", None, [dup, rule])
    assert DocFilter(stages=["neardup"]).accepts("a", "x", None, [dup])
    assert not DocFilter(stages=["neardup"]).accepts("a", "x", None, [rule])
    assert DocFilter(sites=["www.turan.az"]).accepts("a", "turan.az", "www.turan.az", [])
    assert not DocFilter(sites=["bbc.com"]).accepts("a", "turan.az", "www.turan.az", [])
    assert DocFilter(ids=["a", "b"]).accepts("b", "x", None, [])
    assert not DocFilter(ids=["a"]).accepts("b", "x", None, [])


# -- the report, read as text (the browser test loads it) --------------------------------------------------------


def test_report_escapes_document_text_and_is_self_contained(run, tmp_path) -> None:
    page_path = tmp_path / "r.html"
    size = write_report(run["ledger"], [run["out"]], page_path)
    page = page_path.read_text(encoding="utf-8")
    assert size == len(page.encode("utf-8"))
    assert "<img id=injected" not in page and "&lt;img id=injected" in page
    assert page.count("</script>") == 1  # only the page's own
    assert "&lt;i&gt;with markup&lt;/i&gt;" in page and "<i>with markup" not in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # nothing fetched
    assert "nobody" in page and "no &#x27;text&#x27; field" in page  # the reject, from the default rejects file


def test_report_size_is_bounded(tmp_path) -> None:
    """A thousand documents, each with many removals of one rule: the page holds a bounded sample."""
    from cleaner.review.report import DIFF_CHARS, TOP_DOCUMENTS

    ledger, out = tmp_path / "l.jsonl", tmp_path / "o.jsonl"
    with ledger.open("w") as lf, out.open("w") as of:
        for i in range(1000):
            kept = f"Kept paragraph {i} with some words.\n"
            junk = "".join(f"Junk line {j} of document {i}\n" for j in range(40))
            source = kept + junk
            removed = [{"start": len(kept), "end": len(source), "text": junk, "stage": "rule", "rule": "x/junk",
                        "reason": "junk", "dup_of": None, "score": None}]
            lf.write(json.dumps({"id": f"d{i}", "removed": removed, "chars_in": len(source),
                                 "chars_out": len(kept), "url": f"https://s{i % 7}.example/"}) + "\n")
            of.write(json.dumps({"id": f"d{i}", "text": kept}) + "\n")
    size = write_report(ledger, [out], tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text()
    assert page.count("class='item f doc'") == TOP_DOCUMENTS
    assert page.count('class="item f card"') == 2 * SAMPLES_PER_GROUP  # stage rule, rule x/junk
    assert size < TOP_DOCUMENTS * (DIFF_CHARS + 5_000) and size < 400_000


def test_stats_tables_for_a_terminal(run) -> None:
    from rich.console import Console

    from cleaner.review.stats import compute, render_tables

    stats = compute(iter_ledger(run["ledger"]))
    console = Console(record=True, width=160, file=io.StringIO())
    for table in render_tables(stats, str(run["ledger"])):
        console.print(table)
    text = console.export_text()
    for rule, row in stats.by_rule.items():
        assert re.search(rf"{re.escape(rule)}\s.*\s{row.chars:,}\s", text), rule
    assert f"{stats.chars_removed:,} removed" in text and "evil.example.net" in text and "share of site input" in text


def test_report_size_is_bounded_for_huge_lines_of_markup(tmp_path) -> None:
    """The worst case for size: one 200,000-character line per document, all of it characters that HTML escapes."""
    from cleaner.review.report import DIFF_CHARS, TOP_DOCUMENTS

    ledger, out = tmp_path / "l.jsonl", tmp_path / "o.jsonl"
    with ledger.open("w") as lf, out.open("w") as of:
        for i in range(TOP_DOCUMENTS + 10):
            kept, junk = "<&>" * 30_000 + f" {i}", " '\"<" * 30_000
            source = kept + junk + "\n"
            removed = [{"start": len(kept), "end": len(kept) + len(junk), "text": junk, "stage": "rule",
                        "rule": f"x/r{i % 3}", "reason": "<b>junk</b>", "dup_of": None, "score": None}]
            lf.write(json.dumps({"id": f"d{i}", "removed": removed, "chars_in": len(source),
                                 "chars_out": len(source) - len(junk)}) + "\n")
            of.write(json.dumps({"id": f"d{i}", "text": kept + "\n"}) + "\n")
    size = write_report(ledger, [out], tmp_path / "r.html")
    assert size < TOP_DOCUMENTS * DIFF_CHARS * 1.3 + 200_000
    page = (tmp_path / "r.html").read_text()
    assert "<b>junk" not in page and "characters …]" in page
