"""Rule files: loading and its errors, the five kinds, site matching, overlaps, max_fraction, timeouts, CLI."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.apply import apply_removals, restore
from cleaner.normalize import normalize
from cleaner.record import Document, Removal
from cleaner.rules import (
    RuleError,
    RuleSet,
    apply_rules,
    bundled_rules_dir,
    load_rule_file,
    load_ruleset,
)
from cleaner.rules.match import domain_matches, url_host
from tests.helpers import run_main


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def rule(id: str, kind: str, pattern: str, extra: str = "") -> str:
    return f"[[rule]]\nid = {id!r}\nkind = {kind!r}\npattern = '''{pattern}'''\nreason = 'test {id}'\n{extra}\n"


def clean(ruleset: RuleSet, text: str, url: str | None = None, **kwargs: float) -> Document:
    doc = Document(id="t", source=normalize(text), url=url)
    apply_rules(doc, ruleset, **kwargs)
    apply_removals(doc)
    assert doc.text is not None
    assert restore(doc.text, doc.removals) == doc.source
    assert normalize(doc.text) == doc.text, "rule removals must leave canonical text"
    return doc


def ruleset_of(tmp_path: Path, *rules: str, name: str = "_test.toml", site: str = "") -> RuleSet:
    write(tmp_path / "r", name, site + "\n".join(rules))
    return load_ruleset([tmp_path / "r"])


# --- errors: each names the file, the rule and the fix ------------------------------------------------------


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", "[[rule]]\nid = 'x'\nkind = \n")
    with pytest.raises(RuleError, match=r"site\.toml: TOML syntax error: .*line 3"):
        load_rule_file(path)


def test_rule_line_numbers_skip_headers_quoted_in_multi_line_strings(tmp_path: Path) -> None:
    """A `removes` example quoting "[[rule]]" in a multi-line string shifted the line of every later rule."""
    text = (
        "[[rule]]\nid = 'first'\nkind = 'line'\npattern = 'x'\nreason = 'r'\nremoves = [\"\"\"\n[[rule]]\n"
        "x\"\"\"]\n\n[[rule]] # the second\nid = 'second'\nkind = 'sideways'\npattern = 'y'\nreason = 'r'\n"
    )
    path = write(tmp_path, "site.toml", text)
    with pytest.raises(RuleError, match=r"rule 'second' \(line 10\)"):
        load_rule_file(path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "[[rule]]\nid = 'deep'\nkind = 'line'\npattern = '" + "(" * 400 + "a" + ")" * 400 + "'\nreason = 'r'\n",
            "nests",
        ),
        ("x = " + "[" * 2000 + "]" * 2000 + "\n", "nested too deeply"),
    ],
    ids=["pattern", "toml"],
)
def test_deeply_nested_patterns_and_toml_are_rule_errors_not_tracebacks(tmp_path: Path, text: str, says: str) -> None:
    path = write(tmp_path, "site.toml", text)
    with pytest.raises(RuleError, match=f"site.toml.*{says}"):
        load_rule_file(path)


def test_unknown_key_lists_valid_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", rule("teasers", "line", "x", "patern = 'y'"))
    with pytest.raises(RuleError) as error:
        load_rule_file(path)
    message = str(error.value)
    assert "site.toml" in message and "'teasers'" in message and "line 1" in message
    assert "unknown key 'patern'" in message and "id, kind, pattern, reason" in message


def test_unknown_site_key(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", "[site]\ndomain = ['a.com']\n")
    with pytest.raises(RuleError, match=r"\[site\]: unknown key 'domain'; valid keys are: domains, detect"):
        load_rule_file(path)


def test_unknown_kind_lists_valid_kinds(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", rule("teasers", "lines", "x"))
    with pytest.raises(RuleError, match=r"rule 'teasers'.*unknown kind 'lines'; valid kinds are: line, span, block"):
        load_rule_file(path)


def test_invalid_regex_gives_the_regex_error(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", rule("broken", "line", "(unclosed"))
    with pytest.raises(RuleError, match=r"site\.toml: rule 'broken'.*invalid regex '\(unclosed'.*missing \)"):
        load_rule_file(path)


def test_missing_id(tmp_path: Path) -> None:
    path = write(
        tmp_path, "site.toml", rule("a", "line", "x") + "[[rule]]\nkind = 'line'\npattern = 'y'\nreason = 'r'\n"
    )
    with pytest.raises(RuleError, match=r"site\.toml: rule #2 at line 7: missing required key 'id'"):
        load_rule_file(path)


def test_missing_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", "[[rule]]\nid = 'teasers'\nkind = 'line'\npattern = 'x'\n")
    with pytest.raises(RuleError, match=r"rule 'teasers' \(line 1\): missing required key 'reason'; add reason ="):
        load_rule_file(path)


def test_duplicate_id(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", rule("same", "line", "x") + rule("same", "line", "y"))
    with pytest.raises(RuleError, match=r"rule 'same' \(rule #2 at line \d+\) has the same id as rule #1 at line 1"):
        load_rule_file(path)


def test_bad_max_fraction_and_origin(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="max_fraction must be a number in"):
        load_rule_file(write(tmp_path, "a.toml", rule("x", "line", "x", "max_fraction = 2")))
    with pytest.raises(RuleError, match="origin 'robot' is not valid; valid origins are: manual, learned"):
        load_rule_file(write(tmp_path, "b.toml", rule("x", "line", "x", "origin = 'robot'")))


def test_missing_rules_directory(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="does not exist"):
        load_ruleset([tmp_path / "nope"])


def test_failing_example_in_rules_test(tmp_path: Path, capsys, monkeypatch) -> None:
    write(
        tmp_path / "r",
        "site.toml",
        rule("ad", "line", "Advertisement", "removes = ['Advert']\nkeeps = ['Advertisement']"),
    )
    code, _, err = run_main(["rules", "test", str(tmp_path / "r")], capsys, monkeypatch)
    assert code == 2
    assert "site.toml: rule site/ad: removes[0] failed: expected a removal, but the pattern did not match" in err
    assert "rule site/ad: keeps[0] failed: expected nothing removed, but it removed 'Advertisement\\n'" in err
    assert "2 failed" in err


def test_rules_check_cli(tmp_path: Path, capsys, monkeypatch) -> None:
    code, out, _ = run_main(["rules", "check"], capsys, monkeypatch)
    assert code == 0 and "rules check: 3 rule files" in out and "OK" in out
    write(tmp_path / "bad", "a.toml", rule("x", "nope", "x"))
    write(tmp_path / "bad", "b.toml", "[[rule]\n")
    code, out, err = run_main(["rules", "check", str(tmp_path / "bad")], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert "a.toml: rule 'x' (line 1): unknown kind 'nope'" in err and "b.toml: TOML syntax error" in err


def test_rules_test_cli_bundled(capsys, monkeypatch) -> None:
    code, out, _ = run_main(["rules", "test"], capsys, monkeypatch)
    assert code == 0 and "(0 failed): OK" in out


# --- kinds --------------------------------------------------------------------------------------------------


def test_line_kind_needs_a_full_line_match(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("ad", "line", "(?i)advertisement"))
    doc = clean(rs, "Intro.\nADVERTISEMENT\nThe advertisement was pulled.\nEnd.")
    assert doc.text == "Intro.\nThe advertisement was pulled.\nEnd.\n"
    assert [(r.rule, r.stage, r.reason, r.text) for r in doc.removals] == [
        ("_test/ad", "rule", "test ad", "ADVERTISEMENT\n")
    ]


def test_line_kind_pattern_that_crosses_lines(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("ad", "line", r"Ad\s*"))
    assert clean(rs, "Ad\nAd\nText\n").text == "Text\n"


def test_span_kind_takes_one_adjacent_space(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("credit", "span", r"\(Photo: [^)]+\)"))
    doc = clean(rs, "Crowds gathered (Photo: AP) in the square.\n(Photo: AP) Start.\nEnd (Photo: AP)\n(Photo: X)\n")
    assert doc.text == "Crowds gathered in the square.\nStart.\nEnd\n"
    assert [r.text for r in doc.removals] == ["(Photo: AP) ", "(Photo: AP) ", " (Photo: AP)", "(Photo: X)\n"]


def test_span_kind_neighbours_merge_and_never_cross_lines(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("ad", "span", r"\[ad\]|x\ny"))
    assert clean(rs, "[ad] [ad]\nA [ad] [ad] b\nx\ny\n").text == "A b\nx\ny\n"


def test_block_kind_snaps_to_whole_lines(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("box", "block", r"(?s)BEGIN.*?END"))
    assert clean(rs, "Keep.\nxx BEGIN box\nmiddle\nEND yy\nKeep too.\n").text == "Keep.\nKeep too.\n"


def test_tail_and_head(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("tail", "tail", "(?m)^Comments$"), rule("head", "head", "(?m)^Skip to content$"))
    text = "Menu\nSkip to content\nTitle\nBody.\nComments\nNice.\n"
    assert clean(rs, text).text == "Title\nBody.\n"


def test_removal_that_completes_another_match_runs_again(tmp_path: Path) -> None:
    """The sidebar is only the page's tail once the ad line after it is gone: a second pass catches it."""
    rs = load_ruleset([bundled_rules_dir()])
    text = "Article text.\nPolitics\n-\nA teaser headline here\nAdvertisement\n"
    doc = clean(rs, text, url="https://turan.az/x")
    assert doc.text == "Article text.\n"
    assert [r.rule for r in doc.removals] == ["turan.az/sidebar-teasers", "_default/advertisement"]
    assert clean(rs, doc.text, url="https://turan.az/x").removals == []


def test_learned_origin_gives_learned_stage(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("l", "line", "Boiler", "origin = 'learned'"))
    assert [r.stage for r in clean(rs, "Boiler\nText\n").removals] == ["learned"]


def test_max_fraction_refuses_and_warns(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("tail", "tail", "(?m)^Comments$", "max_fraction = 0.3"))
    doc = clean(rs, "Comments\nA long paragraph of real article text.\n")
    assert doc.removals == [] and doc.text == doc.source
    assert doc.warnings == [
        "rule _test/tail: would remove 100% of the document, more than its max_fraction 0.3; skipped for this document"
    ]
    assert clean(rs, "A long paragraph of real article text.\nComments\n").text.startswith("A long")


def test_overlaps_earlier_rule_wins(tmp_path: Path) -> None:
    rs = ruleset_of(
        tmp_path,
        rule("first", "line", "B"),
        rule("span", "span", "x"),
        rule("block", "block", r"(?s)A\n.*E\n"),
    )
    doc = clean(rs, "A\nB\nC x\nD\nE\nF\n")
    assert doc.text == "F\n"  # the block's lines go whole: of "C x", what the span left
    spans = sorted((r.start, r.end, r.rule) for r in doc.removals)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert [(r.rule, r.text) for r in sorted(doc.removals, key=lambda r: r.start)] == [
        ("_test/block", "A\n"),
        ("_test/first", "B\n"),
        ("_test/block", "C"),
        ("_test/span", " x"),
        ("_test/block", "\nD\nE\n"),
    ]


def test_existing_removals_are_respected(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("all", "block", r"(?s).+"))
    doc = Document(id="t", source="A\nB\nC\n")
    doc.removals.append(Removal(2, 4, "B\n", "extract", "earlier stage"))
    apply_rules(doc, rs)
    assert [(r.start, r.end) for r in doc.removals] == [(2, 4), (0, 2), (4, 6)]


def test_catastrophic_pattern_times_out_and_is_reported(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("evil", "span", "(a+)+$"), rule("ok", "line", "Advertisement"))
    started = time.monotonic()
    doc = clean(rs, "a" * 20000 + "!\nAdvertisement\nText\n", timeout=0.05)
    assert time.monotonic() - started < 10  # a liveness bound, not a benchmark: without the timeout it never ends
    assert doc.warnings == ["rule _test/evil: pattern timed out after 0.05s; skipped for this document"]
    assert [r.rule for r in doc.removals] == ["_test/ok"]  # the other rules still ran


def test_timeout_reaches_the_ledger_through_the_cleaner(tmp_path: Path) -> None:
    from cleaner.pipeline import Cleaner

    write(tmp_path / "r", "_evil.toml", rule("evil", "block", "(a|aa)+$"))
    doc = Cleaner(rules=[tmp_path / "r"]).clean("a" * 5000 + "!\n")
    assert doc.ledger_entry()["warnings"][0].startswith("rule _evil/evil: pattern timed out")


# --- site matching ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://WWW.Turan.AZ:443/en/x", "turan.az"),
        ("turan.az/en/x", "turan.az"),
        ("http://news.turan.az./x", "news.turan.az"),
        ("not a url", None),
        ("https://", None),
    ],
)
def test_url_host(url: str, host: str | None) -> None:
    assert url_host(url) == host


def test_domain_patterns() -> None:
    assert domain_matches("turan.az", "turan.az") and domain_matches("turan.az", "www.turan.az")
    assert domain_matches("en.turan.az", "*.turan.az") and not domain_matches("turan.az", "*.turan.az")
    assert not domain_matches("notturan.az", "*.turan.az") and not domain_matches("en.turan.az", "turan.az")


def test_site_by_url_and_detect(tmp_path: Path) -> None:
    site = "[site]\ndomains = ['example.com', '*.example.com']\ndetect = ['(?m)^Example footer$']\n"
    write(tmp_path / "r", "news.example.com.toml", rule("x", "line", "X"))  # domains default to its name
    rs = ruleset_of(tmp_path, rule("ad", "line", "Ad"), name="example.com.toml", site=site)
    assert clean(rs, "Ad\nText\n", url="https://www.example.com/a").site == "example.com"
    assert clean(rs, "Ad\nX\nText\n", url="https://news.example.com/a").text == "Ad\nText\n"  # most specific
    assert clean(rs, "Ad\nText\nExample footer\n").text == "Text\nExample footer\n"  # detect, no URL
    other = clean(rs, "Ad\nText\nExample footer\n", url="https://other.org/a")  # a URL wins over detect
    assert other.site is None and other.removals == []


def test_later_directory_overrides_same_name(tmp_path: Path) -> None:
    write(tmp_path / "a", "_default.toml", rule("ad", "line", "Ad"))
    write(tmp_path / "b", "_default.toml", rule("promo", "line", "Promo"))
    write(tmp_path / "b", "x.org.toml", rule("y", "line", "Y"))
    rs = load_ruleset([tmp_path / "a", tmp_path / "b"])
    assert sorted(rs.files) == ["_default", "x.org"]
    assert [r.id for r in rs.files["_default"].rules] == ["promo"]


def test_bundled_rules_dir_has_the_default_set() -> None:
    directory = bundled_rules_dir()
    assert (directory / "_default.toml").is_file() and (directory / "turan.az.toml").is_file()
    assert len(load_ruleset([directory])) >= 10


def test_ruleset_pickles_for_workers(tmp_path: Path) -> None:
    import pickle

    rs = load_ruleset([bundled_rules_dir()])
    copy = pickle.loads(pickle.dumps(rs))
    text = "Title\nAdvertisement\nBody text here.\n"
    assert clean(copy, text).text == clean(rs, text).text == "Title\nBody text here.\n"


# --- property: any rule output is canonical and restorable --------------------------------------------------

_WORDS = st.sampled_from(["Ad", "ad", "[ad]", "Share", "x", "Leave a review", "-", "Politics", "word", "Photo: AP"])
_LINES = st.lists(st.lists(_WORDS, min_size=1, max_size=5).map(" ".join), min_size=1, max_size=12)


@pytest.fixture(scope="module")
def mixed_rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    directory = tmp_path_factory.mktemp("mixed")
    write(
        directory,
        "_mixed.toml",
        rule("span", "span", r"\[ad\]|Ad|Photo: AP")
        + rule("line", "line", "(?:Share ?)+")
        + rule("block", "block", r"Politics\n(?:-\n.+\n)+")
        + rule("tail", "tail", "(?m)^Leave a review$"),
    )
    return load_ruleset([bundled_rules_dir(), directory])


@settings(max_examples=150, deadline=None)
@given(lines=_LINES)
def test_rule_removals_keep_text_canonical(lines: list[str], mixed_rules: RuleSet) -> None:
    doc = clean(mixed_rules, "\n".join(lines))
    spans = sorted((r.start, r.end) for r in doc.removals)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "rule removals must not overlap"
    again = clean(mixed_rules, doc.text)
    assert again.removals == [], "the rule stage is idempotent: cleaned text has nothing left to remove"


# --- edge cases found by review -----------------------------------------------------------------------------


def test_empty_matches_never_remove_text(tmp_path: Path) -> None:
    """A stray `|` or an all-optional pattern matches the empty string everywhere: it must not take the document."""
    rs = ruleset_of(tmp_path, rule("tail", "tail", "(?m)^Comments$|"), rule("head", "head", "(?m)^(?:Subscribe)?$"))
    assert clean(rs, "Subscribe\nBody text.\nComments\nNice.\n").text == "Body text.\n"
    assert clean(rs, "Body text.\nMore text.\n").removals == []


@pytest.mark.parametrize(
    ("kind", "pattern", "text", "kept"),
    [
        (
            "head",
            r"(?m)\A(?:Home|News|World|Europe|Politics|Elections)$",
            "Home\nNews\nWorld\nEurope\nPolitics\nElections\nThe body.\n",
            "The body.\n",
        ),
        ("tail", r"(?m)^(?:Share|Tweet|Email)\n\z", "The body.\nShare\nTweet\nEmail\nShare\nTweet\n", "The body.\n"),
    ],
)
def test_head_and_tail_anchored_at_the_edge_cut_until_nothing_matches(
    tmp_path: Path, kind: str, pattern: str, text: str, kept: str
) -> None:
    """Each cut exposes a new first or last line that the anchored pattern matches too: cutting until none does
    is what makes cleaning the cleaned text remove nothing more."""
    rs = ruleset_of(tmp_path, rule(kind, kind, pattern))
    doc = clean(rs, text)
    assert doc.text == kept
    assert clean(rs, doc.text).removals == []


def test_max_fraction_refusal_in_a_later_pass_is_reported_as_such_and_stays(tmp_path: Path) -> None:
    """The block's second copy only appears once the ad between its lines is gone (a second pass): 4 of the 20
    characters then left is more than the rule's 18%. The first copy went in the first pass (4 of 27) and stays
    gone; cleaning the cleaned text refuses the same match again."""
    rs = ruleset_of(tmp_path, rule("ad", "line", "Ad"), rule("xy", "block", r"X\nY\n", "max_fraction = 0.18"))
    doc = clean(rs, "X\nAd\nY\nX\nY\nBody text here.\n")
    assert doc.text == "X\nY\nBody text here.\n"
    assert doc.warnings == [
        "rule _test/xy: its further matches would remove 20% of what was left, more than its max_fraction 0.18; "
        "those were skipped"
    ]
    assert clean(rs, doc.text).removals == []


def test_a_site_detected_only_after_a_repeat_went_gets_all_its_rules(tmp_path: Path) -> None:
    from cleaner.pipeline import Cleaner

    site = "[site]\ndetect = ['(?m)^Leave a review\\n\\z']\n"
    write(
        tmp_path / "r",
        "mysite.toml",
        site + rule("share", "line", "Share on MySite") + rule("tail", "tail", "(?m)^Leave a review$"),
    )
    p = "The parliament met on Monday to discuss the new budget for the coming year."
    q = "Several ministers spoke about spending on schools, roads and the health service."
    text = f"{p}\n{q}\nShare on MySite\nLeave a review\n{p}\n{q}\n"
    cleaner = Cleaner(rules=[tmp_path / "r"])
    doc = cleaner.clean(text)
    assert doc.site == "mysite"
    assert doc.text == f"{p}\n{q}\n"
    assert cleaner.clean(doc.text).removals == []


@pytest.mark.parametrize("url", ["/ext/news/1.htm", "news/1.htm", ""])
def test_a_url_without_a_host_leaves_the_site_to_detect(tmp_path: Path, url: str) -> None:
    site = "[site]\ndomains = ['example.com']\ndetect = ['(?m)^Example footer$']\n"
    rs = ruleset_of(tmp_path, rule("ad", "line", "Ad"), name="example.com.toml", site=site)
    assert clean(rs, "Ad\nText\nExample footer\n", url=url).text == "Text\nExample footer\n"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("//Turan.az/en/x", "turan.az"),
        ("https://münchen.de/a", "xn--mnchen-3ya.de"),
        ("https://XN--MNCHEN-3YA.de/a", "xn--mnchen-3ya.de"),
        ("/ext/news/1.htm", None),
    ],
)
def test_url_host_of_protocol_relative_idn_and_relative_urls(url: str, host: str | None) -> None:
    assert url_host(url) == host


@pytest.mark.parametrize(
    ("file_domain", "url"), [("münchen.de", "https://xn--mnchen-3ya.de/a"), ("xn--caf-dma.fr", "https://café.fr/")]
)
def test_idn_and_punycode_spellings_are_one_host(tmp_path: Path, file_domain: str, url: str) -> None:
    rs = ruleset_of(tmp_path, rule("ad", "line", "Ad"), name=f"{file_domain}.toml")
    assert clean(rs, "Ad\nText\n", url=url).text == "Text\n"


@pytest.mark.parametrize("domain", ["https://example.com/", "example.com/", "*", "news.*.com", "example.com:8080", ""])
def test_a_domain_that_is_not_a_host_name_is_an_error(tmp_path: Path, domain: str) -> None:
    path = write(tmp_path, "example.com.toml", f"[site]\ndomains = [{domain!r}]\n" + rule("ad", "line", "Ad"))
    with pytest.raises(RuleError, match=r"example\.com\.toml: \[site\] domains: .* is not a host name; write"):
        load_rule_file(path)


def test_a_global_file_cannot_have_a_site_table(tmp_path: Path) -> None:
    path = write(tmp_path, "_foo.com.toml", "[site]\ndomains = ['foo.com']\n" + rule("ad", "line", "Ad"))
    with pytest.raises(RuleError, match=r"_foo\.com\.toml: a file whose name starts with '_' .* foo\.com\.toml"):
        load_rule_file(path)


def test_a_decomposed_pattern_matches_the_normalized_text(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("cafe", "line", "Read more at Cafe\u0301 News"))
    assert clean(rs, "Read more at Caf\u00e9 News\nText\n").text == "Text\n"


def test_a_byte_order_mark_is_not_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "_bom.toml"
    path.write_bytes("\ufeff".encode() + rule("ad", "line", "Ad").encode())
    assert [r.id for r in load_rule_file(path).rules] == ["ad"]


def test_a_rules_directory_without_rule_files_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "r", "_upper.TOML", rule("ad", "line", "Ad"))
    with pytest.raises(RuleError, match=r"has no rule files \(\*\.toml\)"):
        load_ruleset([tmp_path / "r"])


@pytest.mark.parametrize("timeout", ["nan", "inf", "0", "-1"])
def test_rules_test_checks_its_timeout(capsys, monkeypatch, timeout: str) -> None:
    code, _, err = run_main(["rules", "test", "--timeout", timeout], capsys, monkeypatch)
    assert code == 2
    assert "--timeout must be a number of seconds in (0, 3600]" in err


def test_a_timed_out_rule_is_not_run_again_after_repeats_go(tmp_path: Path) -> None:
    from cleaner.pipeline import Cleaner

    write(tmp_path / "r", "_evil.toml", rule("evil", "block", "(a|aa)+$"))
    p = "The parliament met on Monday to discuss the new budget for the coming year."
    q = "Several ministers spoke about spending on schools, roads and the health service."
    doc = Cleaner(rules=[tmp_path / "r"], rule_timeout=0.05).clean(f"{p}\n{q}\n{'a' * 5000}!\n{p}\n{q}\n")
    assert [r.stage for r in doc.removals] == ["neardup"]
    assert doc.warnings == ["rule _evil/evil: pattern timed out after 0.05s; skipped for this document"]


def test_a_rule_that_matches_anew_after_each_removal_stops_after_max_passes(tmp_path: Path) -> None:
    """`\\(\\)` on nested brackets finds one new pair per pass: uncapped, a 16 KB line took minutes."""
    from cleaner.rules.apply import MAX_PASSES

    rs = ruleset_of(tmp_path, rule("pair", "span", r"\(\)"))
    doc = clean(rs, "Body text " + "(" * 4000 + ")" * 4000 + " end.\n")
    assert 0 < len({r.start for r in doc.removals}) <= 2 * MAX_PASSES
