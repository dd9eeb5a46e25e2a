"""Rule prefilters (cleaner/rules/prefilter.py): the analyzer on crafted patterns, its soundness on every rule we
have (if a pattern can match, its trigger admits the text), and the rule stage giving the same output with and
without them."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.normalize import normalize
from cleaner.record import Document
from cleaner.rules import (
    KINDS,
    Rule,
    apply_rules,
    bundled_rules_dir,
    find_spans,
    literals,
    load_rule_file,
    load_ruleset,
    prefilter,
)
from cleaner.rules import apply as rules_apply
from cleaner.rules.examples import example_document
from cleaner.rules.match import site_for_host, url_host, url_host_by_urlsplit
from cleaner.rules.prefilter import Screen, Trigger, ascii_aliases, to_sre, trigger_for
from cleaner.segment import unit_breaks
from tests.helpers import FIXTURES, ROOT, SEEDS


def trigger(pattern: str, kind: str = "line") -> Trigger | None:
    return trigger_for(regex.compile(pattern), lines=KINDS[kind].line_trigger)


def shape(pattern: str, kind: str = "line") -> list[tuple[set[str] | None, list[set[str]]]] | None:
    """The trigger as (prefixes, groups) per alternative, in plain strings, for readable assertions."""
    found = trigger(pattern, kind)
    if found is None:
        return None
    return [
        (
            None if a.prefixes is None else {p.decode() for p in a.prefixes},
            [{n.decode() for n in group} for group in a.groups],
        )
        for a in found.alternatives
    ]


# --- the analyzer ---------------------------------------------------------------------------------------------


def test_alternation_is_split_into_alternatives() -> None:
    assert shape("Share this|(?:Tweet|Post) it") == [
        ({"share this"}, [{"share this"}]),
        ({"tweet it", "post it"}, [{"post", "tweet"}, {" it"}]),
    ]


def test_a_nested_branch_unions_its_alternatives_and_empty_alternative_gives_nothing() -> None:
    assert shape("x(?:ab|cd)y", "span") == [(None, [{"x"}, {"ab", "cd"}, {"y"}])]
    assert shape("x(?:ab|)y", "span") == [(None, [{"x"}, {"y"}])]


def test_optional_prefix_unions_with_what_follows() -> None:
    assert shape(r"(?:click\ to\ )?share") == [({"click to sha", "share"}, [{"share"}])]
    assert shape(r"\(?Photo: .+") == [({"(photo: ", "photo: "}, [{"photo: "}])]


def test_scoped_and_global_ignore_case_fold_the_same() -> None:
    assert shape(r"\(?(?i:credits?)\s*:") == [({"(credit", "credit"}, [{"credit"}, {":"}])]
    assert shape("(?i)READ more") == shape("read MORE") == [({"read more"}, [{"read more"}])]


def test_a_leading_class_or_any_leaves_the_prefix_unknown() -> None:
    assert shape(r"[\p{Lu}]ditor: \w+") == [(None, [{"ditor: "}])]
    assert shape(r".{0,20}all rights reserved") == [(None, [{"all rights reserved"}])]
    # a small set of literals is expanded, and a repeat unrolled: a line "-" does not start like a match
    [(prefixes, groups)] = shape("[-–]+ ad") or []
    assert groups == [{" ad"}] and {"- ad", "–– ad", "-–-–-–"} <= (prefixes or set())
    assert all(set(p[: p.find(" ")] if " " in p else p) <= {"-", "–"} for p in prefixes or ())


def test_repeats_possessive_and_atomic() -> None:
    assert shape(r"(?:ab)++c") == [
        ({"abc", "ababc", "abababc", "ababababc", "abababababc", "abababababab"}, [{"ab"}, {"c"}])
    ]
    assert shape(r"(?:a?b?)+c") == [(None, [{"c"}])]  # a body that may match nothing is not unrolled
    [(prefixes, groups)] = shape(r"(?>ab|cd)*+e") or []
    assert groups == [{"e"}] and {"e", "abe", "cde", "abcde", "cdabcdabcdab"} <= (prefixes or set())
    assert all(p.rstrip("e").replace("ab", "").replace("cd", "") == "" for p in prefixes or ())
    assert shape(r"x{0}y") == [({"y"}, [{"y"}])]


def test_lookarounds_consume_nothing() -> None:
    assert shape("(?=Sp)Sponsored(?! content)") == [({"sponsored"}, [{"sponsored"}])]
    assert shape(r"(?<=\s|^)Menu") == [({"menu"}, [{"menu"}])]  # a variable-width lookbehind is fine too


def test_define_and_group_calls_require_nothing_of_their_own() -> None:
    pattern = r"(?x) follow\ us\ on\ (?&net)(?:\ and\ (?&net))? (?(DEFINE)(?P<net>facebook|twitter))"
    assert shape(pattern) == [({"follow us on"}, [{"follow us on "}])]
    assert shape(r"(?<word>ab)c\g<word>", "span") is None  # \g<..> is a call in `regex`: not understood


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:newsletter){e<=1}",  # fuzzy matching
        r"(?:newsletter){i<=1,d<=1}",
        r"(?V1)newsletter",
        r"newsletter[[:alpha:]]",  # a POSIX class
        r"\L<words>newsletter",  # a named list
        r"(?|(a)|(b))newsletter",  # branch reset
        r"news\Kletter",
        r"(?r)newsletter",
        r"(?:newsletter|(?R))",
        r"(newsletter)(?1)",
        r"\mnewsletter\M",
        r"(?#comment)newsletter",
        r"(?x)news # comment",
        r"\N{LATIN SMALL LETTER A}bc",
        r"(a)\1newsletter",
        r"(?f)(?i)strasse",
        r"(*FAIL)|newsletter",
        r".*",
        r"newsletter|.*",
        r"[]a]newsletter",
    ],
)
def test_doubtful_or_unconstrained_patterns_have_no_trigger(pattern: str) -> None:
    # by source: some of these need compile-time arguments (\L<words>) to compile at all
    assert prefilter._trigger(pattern, 0, True) is None
    assert prefilter._trigger(pattern, 0, False) is None


@pytest.mark.parametrize("flags", [regex.FULLCASE | regex.IGNORECASE, regex.BESTMATCH, regex.WORD, regex.REVERSE])
def test_compile_flags_beyond_the_handled_ones_give_no_trigger(flags: int) -> None:
    assert trigger_for(regex.compile("newsletter", flags), lines=True) is None
    assert to_sre("newsletter", flags) is None


def test_characters_with_unpredictable_case_equivalents_end_a_needle() -> None:
    # KELVIN SIGN, LONG S, DOTTED CAPITAL I, DOTLESS I: folded to the letter they match
    aliases = ascii_aliases()
    assert {a: aliases.get(a) for a in "\u212a\u017f\u0130\u0131"} == {
        "\u212a": "k",
        "\u017f": "s",
        "\u0130": "i",
        "\u0131": "i",
    }
    assert all(not a.isascii() for a in aliases)
    # "ß" also matches "ẞ": it cannot be a needle character, so "straße" requires "stra" and "e"
    assert shape("(?i)straße", "span") == [(None, [{"stra"}, {"e"}])]
    # "©" and "’" match only themselves: kept
    assert shape("© Reuters’ photo", "span") == [(None, [{"© reuters’ photo"}])]
    # a pattern starting with such a character has no known prefix
    assert shape("ßtraße") == [(None, [{"tra"}, {"e"}])]


def test_a_no_break_space_in_verbose_mode_is_read_as_the_installed_regex_reads_it() -> None:
    """`regex` before 2026.12 skipped a no-break space in verbose mode (`re` never did), later ones match it: the
    prefilter asks the installed `regex`, so a trigger never refuses what the pattern matches."""
    pattern = "(?x)news\u00a0letter"
    trigger = prefilter._trigger(pattern, 0, False)
    if regex.fullmatch(pattern, "newsletter"):
        assert trigger is None
    else:
        assert regex.fullmatch(pattern, "news\u00a0letter")
        assert trigger is not None and trigger.admits_text("Text.\nnews\u00a0letter\n")
        assert not trigger.admits_text("Text.\nnewsletter\n")


def test_trigger_admits_case_variants_and_texts_it_cannot_fold() -> None:
    t = trigger(r"(?i)subscribe(?: now)?")
    assert t is not None
    assert t.admits_line("SUBSCRIBE Now") and t.admits_line("subscribe")
    assert not t.admits_line("Please subscribe") and not t.admits_line("unsubscribe")
    assert regex.fullmatch(r"(?i)subscribe", "\u017fubscribe")  # LONG S matches "s"
    assert t.admits_line("\u017fubscribe") and t.admits_line("SUB\u017fCR\u0130BE")
    assert t.admits_text("Text.\n\u017fubscribe\n") and not t.admits_text("Text.\n\u017fub\n")
    assert t.admits_text("Text.\nSubscribe now\n") and not t.admits_text("Text.\nPlease subscribe.\n")
    assert t.admits_line("\ud800 lone surrogate") is False


def test_ascii_aliases_cover_literal_matching_too() -> None:
    """`ascii_aliases` asks `regex` with a set; ASCII needle characters are literals: check that is the same."""
    alternation = "|".join(regex.escape(chr(code)) for code in range(128))
    non_ascii = literals._all_characters()[0x80:]
    assert set(regex.findall(f"(?i)(?:{alternation})", non_ascii)) <= set(ascii_aliases())


def test_regex_case_tables_agree_with_scanning_every_character() -> None:
    """`_matched_by` asks `regex`'s case tables directly; it must say what a `(?i)` scan of every code point says."""
    everything = literals._all_characters()
    sample = [chr(code) for code in range(128)] + list("©’—–·•»›…éÉßẞµμΣσςǅǄǆⅠⅰⒶⓐﬁİıſK")
    for char in sample:
        assert literals._matched_by(char) == literals._equivalents(char, everything), repr(char)


def test_a_text_with_ascii_aliases_is_still_filtered() -> None:
    screen = Screen([t for t in [trigger("Subscribe now"), trigger("(?i)share")] if t is not None])
    scan = screen.scan("Azərbaycan xəbərləri ılıq.\nSUB\u017fCR\u0130BE NOW\nŞərh yazın\n")
    assert scan is not None
    assert [scan.lines(t) for t in screen.triggers] == [[(27, 40)], []]


def test_every_bundled_rule_has_a_trigger() -> None:
    rules = [rule for path in sorted(bundled_rules_dir().glob("*.toml")) for rule in load_rule_file(path).rules]
    assert rules and all(rule.trigger is not None for rule in rules), [r.id for r in rules if r.trigger is None]


# --- soundness on every rule we have --------------------------------------------------------------------------

RULE_FILES = sorted([*(ROOT / "rules").glob("*.toml"), *FIXTURES.glob("**/*.toml")])
ALL_RULES = [rule for path in RULE_FILES for rule in load_rule_file(path).rules]


def _rule_id(rule: Rule) -> str:
    return rule.qualified_id


def _lines(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def assert_admitted(rule: Rule, text: str) -> None:
    """If `rule` matches `text`, its trigger admits it, on every path the rule stage uses."""
    assert rule.trigger is not None
    if rule.kind != "line":
        if rule.pattern.search(text):
            assert rule.trigger.admits_text(text), (rule.qualified_id, text)
        return
    scan = Screen([rule.trigger]).scan(text)
    candidates = scan.lines(rule.trigger) if scan is not None else None
    for start, end in _lines(text):
        line = text[start:end]
        if line and rule.pattern.fullmatch(text, start, end):
            assert rule.trigger.admits_line(line), (rule.qualified_id, line)
            assert rule.trigger.admits_text(text), (rule.qualified_id, text)
            assert candidates is None or (start, end) in candidates, (rule.qualified_id, line)


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.trigger is not None], ids=_rule_id)
def test_every_removes_example_passes_the_trigger(rule: Rule) -> None:
    for example in rule.removes:
        for text in (example.text, normalize(example.text)):
            assert_admitted(rule, text)
            assert_admitted(rule, text.upper())
            assert_admitted(rule, text.lower())
        doc = example_document(example.text)  # as the rules see it: units as lines
        view = rules_apply.view_of(doc.source, [], unit_breaks(doc.units, doc.paragraphs)).text
        assert_admitted(rule, view)
        assert find_spans(rule, view, 1.0), f"{rule.qualified_id}: the example should match"
        assert removals(rule, example.text, gated=True) == removals(rule, example.text, gated=False)


def removals(rule: Rule, text: str, *, gated: bool) -> list[tuple[int, int]]:
    doc = example_document(text)
    with pytest.MonkeyPatch.context() as patch:
        if not gated:
            patch.setattr(prefilter.Screen, "scan", lambda self, view: None)
        rules_apply.run_rules(doc, [rule], 1.0, enforce_max_fraction=False)
    return [(r.start, r.end) for r in doc.removals]


ODD = ["ß", "ẞ", "İ", "ı", "ﬁ", "\u017f", "\u212a", "K", "©", "’", "—", "\u00a0", "Σ", "ς", "é", "É", "\ud800"]
CASES = ["same", "upper", "lower", "title", "swapcase", "long-s", "kelvin", "dotted-i", "capital-sharp-s", "sigma"]
SUBSTITUTES = {
    "long-s": ("s", "\u017f"),
    "kelvin": ("k", "\u212a"),
    "dotted-i": ("i", "\u0130"),
    "capital-sharp-s": ("ß", "ẞ"),
    "sigma": ("ς", "σ"),
}


def recase(text: str, how: str) -> str:
    """`text` in another case, or with a letter that `regex` matches case-insensitively to the original one."""
    if how in ("upper", "lower", "title", "swapcase"):
        return getattr(text, how)()
    return text.replace(*SUBSTITUTES[how]) if how in SUBSTITUTES else text


def fragments(rule: Rule) -> list[str]:
    texts = [t for example in [*rule.removes, *rule.keeps] for t in (example.text, example.cleaned or "")]
    lines = [line for text in texts for line in text.split("\n") if line]
    words = [word for line in lines for word in line.split(" ") if word]
    return sorted(set(lines + words + [line[: len(line) // 2] for line in lines] + [line[1:] for line in lines]))


@st.composite
def texts_for(draw: st.DrawFn, rule: Rule) -> str:
    """A line (or for other kinds a few lines) from pieces of the rule's examples, re-cased, and odd characters."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.tuples(st.sampled_from(fragments(rule)), st.sampled_from(CASES)).map(lambda p: recase(*p)),
                st.text(st.sampled_from([*ODD, *"aSk /:.-"]), max_size=4),
            ),
            min_size=1,
            max_size=4,
        )
    )
    joiner = " " if rule.kind == "line" else draw(st.sampled_from([" ", "\n", ""]))
    return joiner.join(pieces) if rule.kind != "line" else joiner.join(pieces).replace("\n", " ")


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.trigger is not None], ids=_rule_id)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_match_implies_the_trigger_admits_it(rule: Rule, data: st.DataObject) -> None:
    text = data.draw(texts_for(rule))
    assert_admitted(rule, text)
    assert_admitted(rule, f"Before.\n{text}\nAfter.\n")


CRAFTED = [
    r"(?i)straße",
    r"(?i)Ελληνικά νέα: ΣΟΦΙΑΣ",
    r"(?i)élection présidentielle",
    r"(?i)\(?photo: [^\n]{1,20}",
    r"(?ix) (?:sign\ up|subscribe) (?:\ now)? \ for\ our\ (?&n) (?(DEFINE)(?P<n>newsletter|digest))",
    r"Kelvin|\u212aelvin|(?i:kilo)",
    r"[Ss]hare(?: this)?\s*[:!]?",
    r"(?i)(?:ad|advertisement)[-–—\ ]*",
]


@pytest.mark.parametrize("pattern", CRAFTED)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_match_of_a_crafted_pattern_implies_the_trigger_admits_it(pattern: str, data: st.DataObject) -> None:
    compiled = regex.compile(pattern)
    t = trigger_for(compiled, lines=True)
    assert t is not None
    seeds = [
        "straße",
        "Ελληνικά νέα: σοφιας",
        "Élection présidentielle",
        "(Photo: AP)",
        "Photo: ©",
        "Sign up for our newsletter",
        "subscribe now for our digest",
        "kelvin",
        "Kilo",
        "share this:",
        "Ad -",
    ]
    line = data.draw(
        st.lists(
            st.one_of(
                st.tuples(st.sampled_from(seeds), st.sampled_from(CASES)).map(lambda p: recase(*p)),
                st.text(st.sampled_from([*ODD, *"aSk /:.-"]), max_size=3),
            ),
            min_size=1,
            max_size=3,
        ).map("".join)
    )
    if compiled.fullmatch(line):
        assert t.admits_line(line) and t.admits_text(f"x\n{line}\ny\n")


# --- the rule stage with and without prefilters ---------------------------------------------------------------

RULESET = load_ruleset([bundled_rules_dir(), FIXTURES / "property_rules"])
STAGE_RULES = [rule for rule_file in RULESET.files.values() for rule in rule_file.rules]
EXAMPLE_LINES = sorted({line for rule in ALL_RULES for t in fragments(rule) for line in t.split("\n")})
SEED_LINES = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines()]


def placed(view: str, rules: list[Rule]) -> list[tuple[tuple[int, int], str]]:
    budget = rules_apply._Budget({}, 1.0)
    refused: dict[str, str] = {}
    spans = rules_apply._one_pass(view, rules, budget, rules_apply._MaxFraction(True), refused)
    timed_out = [(rule_id, "timed out") for rule_id in sorted(budget.out)]
    return [(span, rule.qualified_id) for span, rule in spans] + sorted(timed_out) + sorted(refused.items())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(EXAMPLE_LINES + SEED_LINES + ODD), st.sampled_from(CASES)).map(lambda p: recase(*p)),
        min_size=1,
        max_size=30,
    )
)
def test_prefilters_change_no_output(lines: list[str]) -> None:
    view = normalize("\n".join(lines))
    gated = placed(view, STAGE_RULES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter.Screen, "scan", lambda self, view: None)
        assert gated == placed(view, STAGE_RULES)


def test_a_document_without_candidates_runs_no_line_rule() -> None:
    rules = [rule for rule in STAGE_RULES if rule.kind == "line"]
    screen = rules_apply._plan(rules).screen
    assert screen is not None
    scan = screen.scan("The minister met his counterpart.\nTalks will continue on Monday.\n")
    assert scan is not None and scan.found == {}
    scan = screen.scan("The minister met his counterpart.\nAdvertisement\n")
    assert scan is not None and list(scan.found) and scan.lines(rules[0].trigger) == []


def test_a_gated_rule_still_times_out_and_is_reported(tmp_path: Path) -> None:
    (tmp_path / "_evil.toml").write_text(
        "[[rule]]\nid = 'evil'\nkind = 'line'\npattern = '(?:a|aa)+$'\nreason = 'x'\n", encoding="utf-8"
    )
    ruleset = load_ruleset([tmp_path], timeout=0.05)
    assert ruleset.files["_evil"].rules[0].trigger is not None
    doc = Document(id="t", source="Text\n" + "a" * 5000 + "!\n")
    apply_rules(doc, ruleset)
    assert doc.warnings == ["rule _evil/evil: pattern timed out after 0.05s; skipped for this document"]


# --- site lookup ----------------------------------------------------------------------------------------------


def reference_url_host(url: str) -> str | None:
    """`url_host` as it was: `urlsplit` every time."""
    return url_host_by_urlsplit(url.strip())


URL_PARTS = ["http", "HTTPS", "ftp", "://", ":", "//", "/", "www.", "WWW.", "turan", ".", "az", "x-y", "_", "@", "u:p@"]
URL_PARTS += ["[::1]", ":8080", ":x", "?q=1", "#f", " ", "\t", "\n", "é", "..", "-", "1", "%20", "\x00", "\x7f"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(URL_PARTS), max_size=10).map("".join))
def test_url_host_fast_path_agrees_with_urlsplit(url: str) -> None:
    assert url_host(url) == reference_url_host(url)


@pytest.mark.parametrize(
    "url",
    ["https://www.Turan.az./news/1", "http://turan.az:80", "https://a.turan.az?x", "turan.az/x", "https://www./"],
)
def test_url_host_examples(url: str) -> None:
    assert url_host(url) == reference_url_host(url)


def test_site_for_host_decides_each_host_once_and_the_same_way() -> None:
    ruleset = load_ruleset([bundled_rules_dir()])
    urls = ["https://turan.az/a", "https://www.turan.az/b", "https://en.turan.az/c", "https://example.com/"]
    hosts = [url_host(url) for url in urls]
    first = [site_for_host(ruleset, host) for host in hosts if host]
    assert [f.name if f else None for f in first] == ["turan.az", "turan.az", "turan.az", None]
    assert set(ruleset.site_cache) == {"turan.az", "en.turan.az", "example.com"}
    assert [site_for_host(ruleset, host) for host in hosts if host] == first


# --- found in review: each of these once dropped or changed a removal ---------------------------------------------


def _line_rule(pattern: str, rule_id: str) -> Rule:
    return Rule(id=rule_id, kind="line", pattern=regex.compile(pattern), reason="r", file="_review")


def _removed_lines(rules: list[Rule], text: str) -> list[str]:
    placed = rules_apply._one_pass(text, rules, rules_apply._Budget({}, 1.0), rules_apply._MaxFraction(True), {})
    return [text[start:end] for (start, end), _ in placed]


def test_rules_with_equal_triggers_each_run() -> None:
    """Two rules can have equal triggers (equal, not the same object): each must find its own lines."""
    rules = [_line_rule("Read more", "a"), _line_rule("Read more:?", "b")]
    assert rules[0].trigger == rules[1].trigger and rules[0].trigger is not rules[1].trigger
    assert _removed_lines(rules, "Text here\nRead more:\nMore text\n") == ["Read more:\n"]


def test_a_prefix_running_past_a_line_end_does_not_hide_the_next_line() -> None:
    rules = [_line_rule("Sponsored\n", "useless"), _line_rule("Advertisement", "ad")]
    assert _removed_lines(rules, "Text\nSponsored\nAdvertisement\nMore text\n") == ["Advertisement\n"]
    assert _removed_lines([_line_rule("(?:a\n)?b", "one")], "a\nb\n") == ["b\n"]


@pytest.mark.parametrize(
    ("pattern", "line"),
    [("^Advertisement$", "Advertisement"), ("Advertisement\\s*+", "Advertisement"), ("(a)?(?(1)b|c)", "c")],
)
def test_a_line_rule_sees_its_line_as_a_whole_string(pattern: str, line: str) -> None:
    """Anchors, possessive repeats and group numbers mean the same on every line, the first or a later one."""
    rule = _line_rule(pattern, "x")
    for text in (f"{line}\nText\n", f"Text\n{line}\nMore text\n"):
        assert _removed_lines([rule], text) == [f"{line}\n"]


def test_a_pattern_with_a_lone_surrogate_escape_loads() -> None:
    rule = _line_rule("\\uD83D\\uDE00 Share", "emoji")
    assert rule.trigger is not None
    assert _removed_lines([rule], "Text\n\ud83d\ude00 Share\n") == ["\ud83d\ude00 Share\n"]
