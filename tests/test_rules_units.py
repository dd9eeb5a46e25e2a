"""Rules on units: in a flattened paragraph every unit (sentence) is a line to the rules, so `line` rules remove
whole sentences, `tail`/`head` cut between them, `block` spans them and `span` stays inside one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.apply import apply_removals, restore
from cleaner.normalize import normalize
from cleaner.record import Document, Removal
from cleaner.rules import RuleSet, apply_rules, bundled_rules_dir, load_ruleset
from cleaner.rules.view import view_of
from cleaner.segment import paragraphs, unit_breaks, units
from tests.helpers import SEEDS


def rule(id: str, kind: str, pattern: str) -> str:
    return f"[[rule]]\nid = {id!r}\nkind = {kind!r}\npattern = '''{pattern}'''\nreason = 'test {id}'\n"


def ruleset_of(tmp_path: Path, *rules: str) -> RuleSet:
    (tmp_path / "r").mkdir(exist_ok=True)
    (tmp_path / "r" / "_test.toml").write_text("\n".join(rules), encoding="utf-8")
    return load_ruleset([tmp_path / "r"])


def document(text: str, *, with_units: bool = True) -> Document:
    """A document prepared as the pipeline prepares it: normalized, paragraphs and units."""
    source = normalize(text)
    doc = Document(id="t", source=source)
    doc.paragraphs = paragraphs(source)
    doc.units = units(source, doc.paragraphs) if with_units else []
    return doc


def clean(ruleset: RuleSet, text: str, url: str | None = None) -> Document:
    doc = document(text)
    doc.url = url
    apply_rules(doc, ruleset)
    apply_removals(doc)
    assert doc.text is not None
    assert restore(doc.text, doc.removals) == doc.source
    assert normalize(doc.text) == doc.text, "rule removals must leave canonical text"
    again = document(doc.text)
    again.url = url
    apply_rules(again, ruleset)
    assert again.removals == [], "cleaning the cleaned text removes nothing more"
    return doc


FLAT = "The vote is due in May. Share this article. Polls open at eight. Share on WhatsApp\n"


# --- the view --------------------------------------------------------------------------------------------------


def test_the_space_before_each_unit_becomes_a_line_break_of_the_same_length() -> None:
    doc = document(FLAT)
    view = view_of(doc.source, [], unit_breaks(doc.units, doc.paragraphs))
    assert view.text == "The vote is due in May.\nShare this article.\nPolls open at eight.\nShare on WhatsApp\n"
    assert len(view.text) == len(doc.source) and view.to_source(24, 44) == [(24, 44)]


def test_units_glued_without_a_space_get_a_line_break_that_stands_for_nothing() -> None:
    source = 'He asked "Why?"Do it now.\n'
    breaks = [source.index("Do")]
    view = view_of(source, [], breaks)
    assert view.text == 'He asked "Why?"\nDo it now.\n'
    assert view.to_source(0, 16) == [(0, 15)]  # the inserted "\n" maps to no source character
    assert view.to_source(16, 27) == [(15, 26)]


def test_a_break_with_nothing_kept_before_it_on_its_line_adds_nothing() -> None:
    source = "First one. Second one. Third one.\n"
    first = Removal(0, 11, "First one. ", "rule", "r")
    view = view_of(source, [first], [11, 23])
    assert view.text == "Second one.\nThird one.\n"


def test_no_units_means_no_breaks() -> None:
    doc = document(FLAT, with_units=False)
    assert view_of(doc.source, [], unit_breaks(doc.units, doc.paragraphs) if doc.units else []).text == doc.source


# --- each kind on units ----------------------------------------------------------------------------------------


def test_a_line_rule_removes_a_whole_unit_with_the_space_after_it(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("share", "line", "Share this article[.]?"))
    doc = clean(rs, FLAT)
    assert [r.text for r in doc.removals] == ["Share this article. "]
    assert doc.text == "The vote is due in May. Polls open at eight. Share on WhatsApp\n"


def test_a_last_unit_takes_the_space_before_it_and_leaves_the_line_end(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("share", "line", "Share (?:this article[.]?|on WhatsApp)"))
    doc = clean(rs, FLAT)
    assert [r.text for r in doc.removals] == ["Share this article. ", " Share on WhatsApp"]
    assert doc.text == "The vote is due in May. Polls open at eight.\n"


def test_a_first_unit_and_a_glued_unit(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("ask", "line", r'He asked "Why\?"'), rule("ad", "line", "Advertisement[.]"))
    source = 'He asked "Why?"Do it now. Advertisement.\n'
    doc = Document(id="t", source=source, paragraphs=[(0, 40)], units=[(0, 15), (15, 25), (26, 40)])
    apply_rules(doc, rs)
    apply_removals(doc)
    assert [r.text for r in doc.removals] == ['He asked "Why?"', " Advertisement."]
    assert doc.text == "Do it now.\n"


def test_a_line_rule_never_removes_part_of_a_unit(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("share", "line", "(?i)share this article[.]?"))
    text = "The vote is due in May. He urged readers to share this article with friends. Polls open at eight.\n"
    assert clean(rs, text).removals == []


def test_a_span_rule_stays_inside_its_unit(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("tag", "span", r"\[AD\]"), rule("across", "span", r"May\.\s+Polls"))
    doc = clean(rs, "The vote is due in May. Polls [AD] open at eight.\n")
    assert [r.text for r in doc.removals] == ["[AD] "]


def test_tail_and_head_cut_between_units(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("tail", "tail", "(?m)^Comments"), rule("head", "head", "(?m)^Home › News"))
    doc = clean(rs, "Home › News. The vote is due in May. Comments are closed. Log in to reply.\n")
    assert doc.text == "The vote is due in May.\n"


def test_a_block_matches_across_units(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("pair", "block", r"(?m)^Related\.\nSee also\.$"))
    doc = clean(rs, "The vote is due in May. Related. See also. Polls open at eight.\n")
    assert [r.text for r in doc.removals] == ["Related. See also. "]


def test_detect_sees_units_as_lines(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "site.example.toml").write_text(
        "[site]\ndetect = ['(?m)^Leave a comment\\n\\z']\n" + rule("leave", "tail", "(?m)^Leave a comment$")
    )
    doc = clean(load_ruleset([tmp_path / "r"]), "The vote is due in May. Leave a comment\n")
    assert doc.site == "site.example" and doc.text == "The vote is due in May.\n"


# --- the bundled rules on the flattened seeds --------------------------------------------------------------------

BUNDLED = load_ruleset([bundled_rules_dir()])


def flattened(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\n", " ").strip() + "\n"


def test_the_flattened_turan_seed_loses_its_sidebar_and_review_widget() -> None:
    doc = clean(BUNDLED, flattened(SEEDS / "003_1fd8782e2133a4c6.txt"))
    assert doc.site == "turan.az"  # no URL: placed by `detect`, on its units
    assert [r.rule for r in doc.removals] == ["turan.az/sidebar-teasers-flat", "turan.az/leave-a-review"]
    assert doc.text is not None
    assert doc.text.endswith('It is urgent that all parties make the right choices in the hours and days ahead."\n')
    for gone in ("Politics", "Azerbaijani Foreign Minister", "Human rights are quietly dying", "Leave a review"):
        assert gone not in doc.text


def test_the_other_flattened_seed_keeps_every_sentence() -> None:
    assert clean(BUNDLED, flattened(SEEDS / "000_4110ac0129b996c5.txt")).removals == []


BOILERPLATE = [
    "Share this article.",
    "Follow us on Facebook.",
    "Media playback is not supported on this device.",
    "Sign up for our newsletter.",
    "Continue reading the main story.",
    "Read more: Iran vows to respond.",
]
MENTIONS = [
    "He urged readers to share this article with friends.",
    "Fans who follow him on Facebook saw the post.",
    "The company admitted that media playback is not supported on this device.",
    "Readers can sign up for the newsletter on the ministry's website, the spokesman said.",
]


def test_default_boilerplate_units_go_from_a_flattened_seed_and_mentions_stay() -> None:
    sentences = flattened(SEEDS / "000_4110ac0129b996c5.txt").rstrip("\n").split(". ")
    pieces = []
    for index, sentence in enumerate(sentences):
        pieces.append(sentence + ("." if index < len(sentences) - 1 else ""))
        if index % 5 == 2:
            pieces.append(BOILERPLATE[index // 5 % len(BOILERPLATE)])
        if index % 7 == 3:
            pieces.append(MENTIONS[index // 7 % len(MENTIONS)])
    text = " ".join(pieces) + "\n"
    doc = clean(BUNDLED, text)
    removed = sorted({r.text.strip(" ") for r in doc.removals})
    assert removed == sorted({BOILERPLATE[index // 5 % len(BOILERPLATE)] for index in range(2, len(sentences), 5)})
    assert doc.text is not None
    for mention in MENTIONS:
        if mention in text:
            assert mention in doc.text


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from([*BOILERPLATE, *MENTIONS, "The vote is due in May.", "Polls open at eight.", "Prices rose."]),
        min_size=1,
        max_size=12,
    )
)
def test_flattened_text_keeps_the_invariants_and_loses_exactly_its_boilerplate_units(pieces: list[str]) -> None:
    doc = clean(BUNDLED, " ".join(pieces) + "\n")
    kept = [piece for piece in pieces if piece not in BOILERPLATE]
    if kept:
        assert doc.text == " ".join(kept) + "\n"
    else:
        assert doc.text == ""


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_paragraph_seeds_are_cleaned_as_before_with_units(seed: Path) -> None:
    """Units of short paragraphs are the paragraphs: with or without them the rules remove the same."""
    text = seed.read_text(encoding="utf-8")
    with_units, without = document(text), document(text, with_units=False)
    apply_rules(with_units, BUNDLED)
    apply_rules(without, BUNDLED)
    assert with_units.removals == without.removals
    assert with_units.removals or seed.name.startswith("000")  # 003 has its sidebar and review widget


def _split_at_dashes(source: str, spans: list[tuple[int, int]], glued: bool) -> list[tuple[int, int]]:
    """Units as a splitter that knows separators might give them: " - " a unit of its own, or "- " opening the
    unit after it (`glued`)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        cursor = start
        position = source.find(" - ", cursor, end)
        while position >= 0:
            out.append((cursor, position))
            if glued:
                cursor = position + 1
            else:
                out.append((position + 1, position + 2))
                cursor = position + 3
            position = source.find(" - ", cursor + 2, end)
        out.append((cursor, end))
    return out


@pytest.mark.parametrize("glued", [False, True], ids=["dash-units", "dash-opens-unit"])
def test_the_turan_sidebar_goes_however_the_separators_are_split(glued: bool) -> None:
    doc = document(flattened(SEEDS / "003_1fd8782e2133a4c6.txt"))
    doc.units = _split_at_dashes(doc.source, doc.units, glued)
    apply_rules(doc, BUNDLED)
    apply_removals(doc)
    assert [r.rule for r in doc.removals] == ["turan.az/sidebar-teasers-flat", "turan.az/leave-a-review"]
    assert doc.text is not None and doc.text.endswith('in the hours and days ahead."\n')
    assert restore(doc.text, doc.removals) == doc.source and normalize(doc.text) == doc.text


def test_another_stages_removal_of_a_lines_last_unit_is_seen_as_it_will_be_deleted(tmp_path: Path) -> None:
    """A repeat removed by near-duplicates as "C.\\n" (cleaner.apply then takes the space before it instead): the
    rules see "A.\\nB.\\n", not a line "B. " without its end, and their own removal of B keeps the text whole."""
    source = "A first unit. A second unit. A third unit.\n"
    doc = document(source)
    third = source.index("A third")
    doc.removals.append(Removal(third, len(source), source[third:], "neardup", "repeat"))
    view = view_of(doc.source, doc.removals, unit_breaks(doc.units, doc.paragraphs))
    assert view.text == "A first unit.\nA second unit.\n"
    apply_rules(doc, ruleset_of(tmp_path, rule("second", "line", "A second unit[.]")))
    assert [r.text for r in doc.removals[1:]] == [" A second unit."]


def test_touching_unit_removals_of_two_rules_that_end_the_line_take_the_space_before_the_first(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("b", "line", "Second one[.]"), rule("c", "line", "Third one[.]"))
    doc = clean(rs, "First one. Second one. Third one.\n")  # the only paragraph: split into units
    assert [(r.text, r.rule) for r in doc.removals] == [(" Second one. ", "_test/b"), ("Third one.", "_test/c")]
    assert doc.text == "First one.\n"


def test_a_span_at_the_end_of_a_unit_takes_the_space_before_it(tmp_path: Path) -> None:
    rs = ruleset_of(tmp_path, rule("tag", "span", r"\(AP\)[.]"))
    doc = clean(rs, "The vote is due (AP). Polls open at eight.\n")
    assert [r.text for r in doc.removals] == [" (AP)."]
    assert doc.text == "The vote is due Polls open at eight.\n"  # what is left of the unit stays, as on a line
