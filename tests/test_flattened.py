"""Text of any shape (issue 14): every golden case flattened onto one line cleans to its expected text flattened,
word for word, and the invariants hold for flattened text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Cleaner
from tests.helpers import FIXTURES, SEEDS, assert_invariants

NEARDUP_CASES = sorted(p for p in (FIXTURES / "neardup").iterdir() if (p / "input.txt").exists())


def flatten(text: str) -> str:
    """What a whitespace-collapsing scraper gives: every line break a space, one line."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip()) + "\n"


@pytest.fixture(scope="module")
def plain() -> Cleaner:
    return Cleaner(rules=[])


@pytest.mark.parametrize("case", NEARDUP_CASES, ids=[p.name for p in NEARDUP_CASES])
def test_flattened_golden_case_removes_the_same_words(case: Path, plain: Cleaner) -> None:
    source = flatten((case / "input.txt").read_text(encoding="utf-8"))
    expected = flatten((case / "expected.txt").read_text(encoding="utf-8"))
    result = plain.clean(source)
    assert result.text.split() == expected.split()
    assert_invariants(result, plain)


def test_flattened_seed_000_loses_its_second_body(plain: Cleaner) -> None:
    source = flatten((SEEDS / "000_4110ac0129b996c5.txt").read_text(encoding="utf-8"))
    result = plain.clean(source)
    assert [r.stage for r in result.removals] == ["neardup"]
    assert result.text.count("We are making clear to all of our allies") == 1
    assert result.text.endswith("sent to us in the messages.”\n") or result.text.count("\n") == 1
    assert_invariants(result, plain)


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        (
            "Banker loses sexism claim\nBanker loses sexism claim\nA former banker lost.\n",
            "Banker loses sexism claim\nA former banker lost.\n",
        ),
        (
            "Banker loses sexism claim Banker loses sexism claim A former banker lost her claim on Monday.\n",
            "Banker loses sexism claim A former banker lost her claim on Monday.\n",
        ),
        (
            "'Quoted title,' U.S. Says 'Quoted title,' U.S. Says The body follows here.\n",
            "'Quoted title,' U.S. Says The body follows here.\n",
        ),
        (
            "Banker loses sexism claim\nBy Jane Doe\nBanker loses sexism claim\nA former banker lost.\n",
            "Banker loses sexism claim\nBy Jane Doe\nA former banker lost.\n",
        ),
        ("Politics\nPolitics\n-\n-\n", "Politics\nPolitics\n-\n-\n"),  # one-word units and separators stay
        ("Ha ha ha ha ha ha, she laughed.\n", "Ha ha ha ha ha ha, she laughed.\n"),
        ("New York New York is a song.\n", "New York New York is a song.\n"),
        ("A headline\nHe shouted at them. We got her. We got her. Then silence fell.\n",) * 2,  # emphasis stays
    ],
)
def test_headline_stutters_go_whatever_their_length(text: str, cleaned: str, plain: Cleaner) -> None:
    result = plain.clean(text)
    assert result.text == cleaned, [r.to_json() for r in result.removals]
    assert_invariants(result, plain)


@pytest.mark.parametrize("copies", [2, 6, 7, 13])
def test_a_long_headline_glued_to_many_copies_loses_them_and_keeps_the_body(copies: int, plain: Cleaner) -> None:
    """Copies that fill every word the stage reads (6 x 40 words) do not take the body after them, and those past
    that go in a later round: the cleaned text cleans to itself."""
    headline = " ".join(f"word{k}" for k in range(40))
    body = "And the body of the article follows here with many words. The second sentence is long too.\n"
    result = plain.clean(" ".join([headline] * copies) + " " + body)
    assert result.text == f"{headline} {body}"
    assert_invariants(result, plain)


def test_a_stutter_in_the_body_is_not_a_headline(plain: Cleaner) -> None:
    text = "A headline for the story\nThe body starts. It goes on and on for a while.\nHe said no.\nHe said no.\n"
    assert plain.clean(text).text == text.replace("He said no.\nHe said no.\n", "He said no.\n")
    glued = "The first sentence of the body is here. Price report Gaza price report Gaza is a phrase.\n"
    assert plain.clean(glued).text == glued


def test_title_field_counts_only_when_asked() -> None:
    keep = Cleaner(rules=[])
    drop = Cleaner(rules=[], title_in_text="drop")
    text = "Banker loses sexism claim\nA former banker lost.\n"
    meta = {"title": "Banker loses sexism claim"}
    assert keep.clean(text, meta=meta).text == text
    dropped = drop.clean(text, meta=meta)
    assert dropped.text == "A former banker lost.\n"
    assert dropped.removals[0].reason.startswith("the record's 'title' field")
    glued = drop.clean("Banker loses sexism claim A former banker lost her claim.\n", meta=meta)
    assert glued.text == "A former banker lost her claim.\n"
    other = Cleaner(rules=[], title_field="headline", title_in_text="drop")
    assert other.clean(text, meta={"headline": "Banker loses sexism claim"}).text == "A former banker lost.\n"
    with pytest.raises(Exception, match="keep, drop"):
        Cleaner(rules=[], title_in_text="remove")


def test_removing_the_last_sentence_of_a_line_keeps_the_line_break(plain: Cleaner) -> None:
    body = " ".join(f"Sentence number {n} of the article body says something new." for n in range(12))
    assert len(body) * 2 > 1200  # a long paragraph: its sentences are its units
    text = f"Title\n{body} {body}\nNext line here.\n"
    result = plain.clean(text)
    assert result.text == f"Title\n{body}\nNext line here.\n"
    assert result.removals[0].text == f" {body}"
    assert_invariants(result, plain)


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_flattened_seeds_clean_to_the_flattened_clean_seeds(seed: Path) -> None:
    cleaner = Cleaner()
    text = seed.read_text(encoding="utf-8")
    expected = cleaner.clean(text).text
    result = cleaner.clean(flatten(text))
    assert result.text == flatten(expected)
    assert_invariants(result, cleaner)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        (
            "Headline: State Department WASHINGTON, DC - As Iran vowed. Next one.",
            ["Headline: State Department", "WASHINGTON, DC - As Iran vowed.", "Next one."],
        ),
        ("Share | Tweet | Email | Print", ["Share | Tweet | Email | Print"]),
        ("- Advertisement -", ["- Advertisement -"]),
        (
            "A teaser for COP29. - Journalist ends strike. - Third one.",
            ["A teaser for COP29.", "-", "Journalist ends strike.", "-", "Third one."],
        ),
        (
            "The U.S. Says No. 10 is at 3.5% today. Gov. Smith agreed.",
            ["The U.S. Says No. 10 is at 3.5% today.", "Gov. Smith agreed."],
        ),
    ],
)
def test_units_of_flattened_text(text: str, units: list[str]) -> None:
    from cleaner.segment import sentences

    assert [text[a:b] for a, b in sentences(text)] == units
