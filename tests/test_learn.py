"""newsclean learn: golden rule files, the single-document safety rule on real article text, stability."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.corpus.learn import LearnOptions, learn, write_rule_files
from cleaner.io.base import InputDoc
from cleaner.record import Origin
from cleaner.rules import check_rule_file, load_rule_file, load_ruleset
from tests.test_learn_corpus import ROOT, article_paragraphs, article_sentences, flat_site, structured_site

GOLDEN = ROOT / "fixtures" / "corpus" / "learn"
UPDATE = os.environ.get("NEWSCLEAN_REGEN") == "1"


def _corpus() -> list[InputDoc]:
    return structured_site() + flat_site()


@pytest.fixture(scope="module")
def learned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("learned")
    write_rule_files(out, learn(_corpus(), LearnOptions()))
    return out


def test_rule_files_match_golden(learned: Path) -> None:
    written = sorted(p.name for p in learned.glob("*.toml"))
    assert written == ["example-news.com.toml", "flat.example.toml"]
    for name in written:
        actual = (learned / name).read_text(encoding="utf-8")
        if UPDATE:
            (GOLDEN / name).write_text(actual, encoding="utf-8")
        assert actual == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_files_load_and_pass_their_examples(learned: Path) -> None:
    for path in sorted(learned.glob("*.toml")):
        rule_file = load_rule_file(path)
        assert rule_file.rules, path
        assert all(rule.origin == "learned" and rule.stage == "learned" for rule in rule_file.rules)
        assert all(rule.removes and rule.keeps for rule in rule_file.rules)
        assert check_rule_file(rule_file, timeout=5.0) == []


def test_learned_rules_never_touch_single_document_article_text(learned: Path) -> None:
    """Apply the learned rules to the corpus: every real article paragraph and sentence survives intact."""
    from cleaner import Cleaner

    cleaner = Cleaner(rules=[learned])
    article = article_paragraphs() + article_sentences()
    removed_stages = set()
    for doc in _corpus():
        result = cleaner.clean(doc.text, url=doc.url, id=doc.id)
        removed_stages.update(r.stage for r in result.removals if r.rule)
        for piece in article:
            if piece in result.source:
                assert piece in result.text, (doc.id, piece)
    assert removed_stages == {"learned"}


def test_boilerplate_is_removed_with_counters_and_dates_masked(learned: Path) -> None:
    from cleaner import Cleaner

    cleaner = Cleaner(rules=[learned])
    for doc in _corpus():
        text = cleaner.clean(doc.text, url=doc.url, id=doc.id).text
        assert ("comments" not in text and "Share this article" not in text.title()) or doc.id == "s0"
        assert "All rights reserved" not in text
        assert "Follow us on" not in text
    first = cleaner.clean(structured_site()[0].text, url=structured_site()[0].url).text
    assert "Share this story with a friend today" in first  # occurs in one document only


def test_output_is_stable_across_runs_and_input_order() -> None:
    docs = _corpus()
    one = [s.text for s in learn(docs, LearnOptions()).sites]
    two = [s.text for s in learn(list(reversed(docs)), LearnOptions(partition_docs=5)).sites]
    assert one == two


def test_min_docs_and_min_share() -> None:
    docs = structured_site()
    sites = learn(docs, LearnOptions(min_docs=7)).sites
    follow = [r for s in sites for r in s.rules if "Follow us" in r.pattern]
    # Each "Follow us" variant ends 6 of 12 documents: below 7 alone, but their family of names ends 11 of them.
    assert len(follow) == 1 and "(?:Instagram|Twitter)" in follow[0].pattern and follow[0].docs == 11
    assert "one family by names (Instagram, Twitter)" in follow[0].reason
    patterns = [r.pattern for s in learn(docs, LearnOptions(min_docs=12)).sites for r in s.rules]
    assert not any("Instagram" in p for p in patterns)
    assert learn(docs, LearnOptions(min_docs=5, min_share=0.9)).sites[0].rules[0].docs == 12
    assert learn(docs[:4], LearnOptions(min_docs=5)).sites == []  # a site smaller than --min-docs


def test_near_variants_are_grouped_into_one_rule() -> None:
    paras = article_paragraphs()
    docs = []
    for i in range(8):
        ending = "morning" if i % 2 else "evening"
        promo = f"Sign up for our newsletter to get the top stories from Example News delivered every {ending}"
        docs.append(
            InputDoc(
                Origin("v.jsonl", line=i + 1),
                text=f"{paras[i]}\n{promo}\n",
                id=str(i),
                url=f"https://variants.example/{i}",
            )
        )
    sites = learn(docs, LearnOptions(min_docs=6, min_share=0.5)).sites
    assert len(sites) == 1 and len(sites[0].rules) == 1
    rule = sites[0].rules[0]
    assert rule.docs == 8 and "2 variants" in rule.reason
    assert "(?:" in rule.pattern and "morning" in rule.pattern and "evening" in rule.pattern


def test_existing_site_file_is_extended_not_replaced(tmp_path: Path) -> None:
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "example-news.com.toml").write_text(
        '[site]\ndomains = ["example-news.com"]\n\n[[rule]]\nid = "byline"\nkind = "line"\n'
        "pattern = 'By [A-Z][a-z]+ [A-Z][a-z]+'\nreason = \"byline\"\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    write_rule_files(out, learn(structured_site(), LearnOptions(), rule_dirs=[manual]))
    merged = load_ruleset([manual, out]).files["example-news.com"]
    assert next(r.id for r in merged.rules) == "byline"
    assert any(r.origin == "learned" for r in merged.rules)


def test_cli_learn_writes_files_and_reports(tmp_path: Path) -> None:
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": d.id, "url": d.url, "text": d.text}) + "\n" for d in _corpus()), encoding="utf-8"
    )
    out = tmp_path / "rules"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cleaner.cli import main; main()",
            "learn",
            str(corpus),
            "-o",
            str(out),
            "--rules",
            str(tmp_path / "none"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "does not exist" in run.stderr  # a bad --rules directory is a usage error
    run = subprocess.run(
        [sys.executable, "-c", "from cleaner.cli import main; main()", "learn", str(corpus), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert (out / "flat.example.toml").exists()
    assert "24 documents" in run.stderr


# --- found by review ----------------------------------------------------------------------------------------


def test_an_abbreviation_that_recurs_is_not_learned() -> None:
    """Sentence splitting cuts after "Mr."; the fragment recurs in many articles, but it is article text."""
    paras = article_paragraphs()
    names = ["Garcia", "Okafor", "Lindqvist", "Tanaka", "Moreau", "Novak", "Haddad", "Silva"]
    docs = [
        InputDoc(
            Origin("mr.jsonl", line=i + 1),
            text=f"{paras[i]}\nShares fell sharply in early trading {i}. Mr. {names[i]} blamed the central bank.\n",
            id=str(i),
            url=f"https://mr.example/{i}",
        )
        for i in range(8)
    ]
    patterns = [rule.pattern for site in learn(docs, LearnOptions(min_docs=3)).sites for rule in site.rules]
    assert not any("Mr" in pattern for pattern in patterns)


def test_a_page_scraped_several_times_counts_once() -> None:
    """Five copies of one article (same URL, or same text under other URLs) are not five documents: its
    paragraphs must not become the site's boilerplate."""
    paras = article_paragraphs()
    story = InputDoc(Origin("c.jsonl"), text=f"{paras[0]}\n{paras[1]}\n", id="s", url="https://dup.example/s")
    others = [
        InputDoc(Origin("c.jsonl"), text=f"{paras[i + 2]}\n", id=str(i), url=f"https://dup.example/{i}")
        for i in range(10)
    ]
    copies = [story] * 3 + [InputDoc(Origin("c.jsonl"), text=story.text, id=f"c{i}", url=f"{story.url}?utm={i}")
                            for i in range(3)]  # fmt: skip
    result = learn([*others, *copies], LearnOptions(min_docs=3, min_share=0.1))
    assert result.sites == [] and result.repeats == 5


def test_a_site_named_like_a_global_file_is_not_learned() -> None:
    docs = [InputDoc(Origin("u.jsonl"), text=d.text, id=d.id, url=d.url.replace("//", "//_", 1)) for d in _corpus()]
    result = learn(docs, LearnOptions())
    assert all(not site.site.startswith("_") for site in result.sites)
    assert any(note.startswith("_") and "every site" in note for note in result.notes)


def test_a_hand_written_file_in_the_output_directory_is_never_replaced(tmp_path: Path) -> None:
    from cleaner.errors import ConfigError

    out = tmp_path / "rules"
    out.mkdir()
    hand = out / "example-news.com.toml"
    hand.write_text("[[rule]]\nid = 'mine'\nkind = 'line'\npattern = 'Mine'\nreason = 'mine'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"example-news\.com\.toml already holds hand-written rules \(mine\)"):
        write_rule_files(out, learn(structured_site(), LearnOptions()))
    assert "id = 'mine'" in hand.read_text(encoding="utf-8")
    merged = learn(structured_site(), LearnOptions(), rule_dirs=[out])  # passed as --rules: merged, then replaced
    write_rule_files(out, merged)
    rules = load_rule_file(hand).rules
    assert rules[0].id == "mine" and any(r.origin == "learned" for r in rules)
    fresh = learn(structured_site(), LearnOptions())
    write_rule_files(tmp_path / "fresh", fresh)
    assert write_rule_files(tmp_path / "fresh", fresh)  # a file of learned rules only is learn's to replace


def test_cli_learn_refuses_an_output_under_a_file_or_inside_an_input(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Some text.\n", encoding="utf-8")
    (tmp_path / "afile").write_text("x")
    for out, says in [
        (tmp_path / "afile" / "sub", "is a file, not a directory"),
        (corpus / "rules", "inside an input"),
    ]:
        run = subprocess.run(
            [sys.executable, "-c", "from cleaner.cli import main; main()", "learn", str(corpus), "-o", str(out)],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert not (corpus / "rules").exists()


def test_pages_are_counted_the_same_in_any_input_order() -> None:
    """doc1 and doc3 share a URL, doc2 and doc3 share a text: one page, whatever comes first."""
    paras = article_paragraphs()
    boiler = "Subscribe to the Example Daily newsletter for the top stories every morning"
    doc1 = InputDoc(Origin("o.jsonl"), text=f"{paras[0]}\n{boiler}\n", id="1", url="https://order.example/a")
    doc2 = InputDoc(Origin("o.jsonl"), text=f"{paras[1]}\n{boiler}\n", id="2", url="https://order.example/b")
    doc3 = InputDoc(Origin("o.jsonl"), text=f"{paras[1]}\n{boiler}\n", id="3", url="https://order.example/a")
    options = LearnOptions(min_docs=2, min_share=0.0)
    results = [learn(order, options) for order in ([doc1, doc2, doc3], [doc3, doc1, doc2], [doc2, doc3, doc1])]
    assert {(r.repeats, tuple(s.text for s in r.sites)) for r in results} == {(2, ())}


def test_a_relative_url_leaves_the_site_to_detect(tmp_path: Path) -> None:
    from cleaner.rules import bundled_rules_dir

    docs = [
        InputDoc(Origin("r.jsonl"), text=f"{d.text}\nLeave a review\n", id=d.id, url=f"/news/{d.id}.htm")
        for d in _corpus()
    ]
    result = learn(docs, LearnOptions(), rule_dirs=[bundled_rules_dir()])
    assert result.without_site == 0 and [s.site for s in result.sites] == ["turan.az"]


def test_the_same_learn_command_runs_twice(tmp_path: Path) -> None:
    """The first run merged the bundled turan.az rules into its file; the second may replace that file."""
    from cleaner.rules import bundled_rules_dir

    docs = [InputDoc(Origin("t.jsonl"), text=d.text, id=d.id, url=f"https://turan.az/{d.id}") for d in _corpus()]
    for _ in range(2):
        write_rule_files(tmp_path / "out", learn(docs, LearnOptions(), rule_dirs=[bundled_rules_dir()]))
    assert any(r.origin == "learned" for r in load_rule_file(tmp_path / "out" / "turan.az.toml").rules)


def test_pages_of_one_template_that_differ_in_figures_are_pages_of_their_own() -> None:
    docs = [
        InputDoc(
            Origin("w.jsonl"),
            text=f"Temperature in Baku today: {20 + i} degrees, wind {i} m/s\nWeather data by Example Weather\n",
            id=str(i),
            url=f"https://weather.example/{i}",
        )
        for i in range(6)
    ]
    result = learn(docs, LearnOptions(min_docs=3))
    assert result.repeats == 0 and result.sites and result.sites[0].docs == 6
